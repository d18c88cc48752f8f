import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { dayNumber } from '../../src/domain/business-calendar.js';
import { backtest } from '../../src/forecast/backtest.js';
import { forecastSeries, type ForecastRequest } from '../../src/forecast/forecaster.js';
import { HolidayDays } from '../../src/forecast/holiday-days.js';
import { fallbackCalibration } from '../../src/forecast/interval-calibration.js';
import { BAND_NAMES, type SalesSeries, type SeriesForecast } from '../../src/forecast/series.js';
import { WORLD_START, storeSeries } from './forecast-world.js';

const holidays = new HolidayDays();
const days = 731 + 112;
const end = WORLD_START + days;
const cal = fallbackCalibration(56);

function request(asOf: number, weeks = 0): ForecastRequest {
  return { asOf, days: 56, weeks, model: 'log_linear', daily: cal, weekly: weeks > 0 ? fallbackCalibration(weeks) : null, holidays };
}

function assertSane(f: SeriesForecast): void {
  for (const b of BAND_NAMES) {
    for (const v of f[b]) assert.ok(Number.isInteger(v) && v >= 0, `${b} = ${String(v)}`);
  }
  for (let h = 0; h < f.point.length; h++) {
    assert.ok(f.lo95[h]! <= f.lo80[h]! && f.lo80[h]! <= f.point[h]! && f.point[h]! <= f.hi80[h]! && f.hi80[h]! <= f.hi95[h]!, `bands out of order at step ${String(h)}`);
  }
}

/** A Monday-to-Saturday store (closed Sundays) with a Saturday peak. */
function weekdayStore(n: number, first: number, level = 100_000): SalesSeries {
  const values = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const wd = (first + i + 4) % 7;
    values[i] = wd === 0 ? 0 : Math.round(level * (wd === 6 ? 1.5 : 1) * (1 + 0.05 * Math.sin(i * 1.7)));
  }
  return { id: 'x', country: 'DE', first, values };
}

describe('forecast model on generated stores with known seasonality', () => {
  const stores = storeSeries(21, 160, days);

  it('beats seasonal naive by at least 10 % MASE, with 80 % intervals covering 75–85 %', () => {
    const s = backtest(stores, { origins: [end - 56, end - 112], days: 56, model: 'log_linear', calibrationSample: 160 }, holidays);
    assert.ok(s.forecasts >= 300, `${String(s.forecasts)} forecasts scored`);
    assert.ok(s.maseGain >= 0.1, `MASE ${s.mase.toFixed(3)} vs seasonal naive ${s.baselineMase.toFixed(3)}`);
    assert.ok(s.smape < s.baselineSmape, `sMAPE ${s.smape.toFixed(2)} vs ${s.baselineSmape.toFixed(2)}`);
    assert.ok(s.coverage80 >= 0.75 && s.coverage80 <= 0.85, `80 % coverage ${s.coverage80.toFixed(3)}`);
    assert.ok(s.coverage95 >= 0.9 && s.coverage95 <= 0.99, `95 % coverage ${s.coverage95.toFixed(3)}`);
  });

  it('reads nothing on or after as_of', () => {
    const s = stores[3]!;
    const asOf = end - 100;
    const a = forecastSeries(s, request(asOf, 8));
    const changed = Float64Array.from(s.values);
    for (let i = asOf - s.first; i < changed.length; i++) changed[i] = 7 * changed[i]! + 1;
    const b = forecastSeries({ ...s, values: changed }, request(asOf, 8));
    assert.deepEqual(a, b);
    assert.equal(a.daily.first, asOf);
    assert.equal(a.daily.point.length, 56);
  });

  it('gives every generated store sane integer bands', () => {
    for (const s of stores) assertSane(forecastSeries(s, request(end)).daily);
  });
});

describe('forecast edge cases: sane numbers and a flag saying why', () => {
  const first = dayNumber('2025-01-06');

  it('forecasts zero for a store with no sale yet', () => {
    const f = forecastSeries({ id: 'n', country: 'FR', first, values: new Float64Array(30) }, request(first + 30)).daily;
    assert.deepEqual(f.flags, ['no_history']);
    assert.equal(f.point.reduce((a, b) => a + b, 0), 0);
    assertSane(f);
  });

  it('forecasts a store with five days of history, flagged short', () => {
    const s: SalesSeries = { id: 'n', country: 'FR', first, values: Float64Array.from([50_000, 52_000, 61_000, 70_000, 40_000]) };
    const f = forecastSeries(s, request(first + 5)).daily;
    assert.ok(f.flags.includes('short_history') && f.flags.includes('no_yearly_cycle'), f.flags.join());
    assertSane(f);
    for (const v of f.point) assert.ok(v > 20_000 && v < 120_000, `point ${String(v)}`);
  });

  it('forecasts zero on the weekday a store is closed, and the pattern on the others', () => {
    const s = weekdayStore(140, first);
    const f = forecastSeries(s, request(first + 140)).daily;
    assert.ok(f.flags.includes('closed_days'), f.flags.join());
    assertSane(f);
    for (let h = 0; h < 56; h++) {
      const wd = (f.first + h + 4) % 7;
      if (wd === 0) assert.equal(f.point[h], 0, `Sunday step ${String(h)}`);
      else if ((f.first + h + 4) % 7 === 6) assert.ok(Math.abs(f.point[h]! / 150_000 - 1) < 0.1, `Saturday ${String(f.point[h])}`);
    }
  });

  it('clips an outlier instead of chasing it', () => {
    const s = weekdayStore(140, first);
    s.values[130] = s.values[130]! * 40 || 4_000_000;
    const f = forecastSeries(s, request(first + 140)).daily;
    assert.ok(f.flags.includes('outliers_clipped'), f.flags.join());
    const mon = f.point.find((_, h) => (f.first + h + 4) % 7 === 1)!;
    assert.ok(Math.abs(mon / 100_000 - 1) < 0.1, `Monday ${String(mon)}`);
  });

  it('scales a store with many zero days by its chance of trading and opens the lower bound to 0', () => {
    const s = weekdayStore(140, first);
    for (let i = 0; i < 140; i += 3) s.values[i] = 0;
    const f = forecastSeries(s, request(first + 140)).daily;
    assert.ok(f.flags.includes('zero_heavy'), f.flags.join());
    assertSane(f);
    const tue = f.point.findIndex((_, h) => (f.first + h + 4) % 7 === 2);
    assert.equal(f.lo80[tue], 0);
    assert.ok(f.point[tue]! > 40_000 && f.point[tue]! < 100_000, `Tuesday ${String(f.point[tue])}`);
  });

  it('forecasts zero for a store that stopped trading two weeks ago', () => {
    const s = weekdayStore(140, first);
    s.values.fill(0, 120);
    const f = forecastSeries(s, request(first + 140)).daily;
    assert.ok(f.flags.includes('recently_closed'), f.flags.join());
    assert.equal(Math.max(...f.hi95), 0);
  });

  it('treats refund-heavy (negative) and unreadable days as days without trading', () => {
    const s = weekdayStore(140, first);
    s.values[100] = -25_000;
    s.values[101] = Number.NaN;
    s.values[102] = Number.POSITIVE_INFINITY;
    const f = forecastSeries(s, request(first + 140, 4));
    assertSane(f.daily);
    for (const v of f.weekly!.point) assert.ok(Number.isInteger(v) && v > 0, `week ${String(v)}`);
  });

  it('keeps constant and very large series finite', () => {
    for (const level of [1, 1e6, 5e12]) {
      const values = new Float64Array(400).fill(level);
      const f = forecastSeries({ id: 'c', country: 'JP', first, values }, request(first + 400)).daily;
      assertSane(f);
      assert.ok(Math.abs(f.point[10]! / level - 1) < 0.05, `level ${String(level)}: ${String(f.point[10])}`);
    }
  });
});
