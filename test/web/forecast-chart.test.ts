/**
 * The pure parts of the dashboard's forecasts: where forecast points sit on
 * the time-series chart's axis, the band and mean paths drawn from them,
 * how far ahead the chart asks, and the Forecast page's accuracy rows.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { accuracyRows, scaleOf } from '../../web/src/backtest-rows.js';
import type { BacktestRow, ForecastPoint } from '../../web/src/forecast-api.js';
import { bandPath, flagText, forecastExtent, forecastHorizon, forecastTimeline, linePath } from '../../web/src/forecast-chart.js';

const point = (date: string, mean: number, spread = 100): ForecastPoint => ({ date, mean, lo80: mean - spread, hi80: mean + spread, lo95: mean - 2 * spread, hi95: mean + 2 * spread });
const days = (from: string, n: number): string[] => Array.from({ length: n }, (_, i) => `${new Date(Date.parse(`${from}T00:00:00Z`) + i * 86_400_000).toISOString().slice(0, 10)}T00:00`);

describe('forecast on the time-series axis', () => {
  it('a forecast from the last day of the range overlays it and extends the axis by the days after', () => {
    const range = days('2026-03-01', 7); // 1–7 March, to = 8 March
    const t = forecastTimeline(range, '2026-03-08', [point('2026-03-09', 900), point('2026-03-07', 700), point('2026-03-08', 800)], 'day');
    assert.deepEqual(t.buckets, [...range, '2026-03-08T00:00', '2026-03-09T00:00']);
    assert.deepEqual(t.at, [6, 7, 8]);
    assert.deepEqual(t.points.map((p) => p.mean), [700, 800, 900]);
  });

  it('a range that ends before the forecast keeps the days in between as empty positions', () => {
    const range = days('2026-03-01', 3); // to = 4 March
    const t = forecastTimeline(range, '2026-03-04', [point('2026-03-06', 10), point('2026-03-07', 20)], 'day');
    assert.deepEqual(t.buckets.slice(3), ['2026-03-04T00:00', '2026-03-05T00:00', '2026-03-06T00:00', '2026-03-07T00:00']);
    assert.deepEqual(t.at, [5, 6]);
  });

  it('a forecast further from the range than the range is long is not drawn', () => {
    const range = days('2026-03-01', 3); // to = 4 March: 3 empty days allowed, 4 are too many
    assert.deepEqual(forecastTimeline(range, '2026-03-04', [point('2026-03-07', 1)], 'day').at, [6]);
    assert.deepEqual(forecastTimeline(range, '2026-03-04', [point('2026-03-08', 1)], 'day'), { buckets: range, at: [], points: [] });
  });

  it('points before the range are not drawn', () => {
    const t = forecastTimeline(days('2026-03-05', 2), '2026-03-07', [point('2026-03-04', 1), point('2026-03-05', 2)], 'day');
    assert.deepEqual(t.at, [0]);
    assert.deepEqual(t.points.map((p) => p.date), ['2026-03-05']);
    assert.equal(t.buckets.length, 2);
  });

  it('weeks: the forecast weeks are the ISO weeks’ Mondays after the range', () => {
    // Range 2–22 March 2026: Mondays 2, 9, 16 March; forecast weeks from 16 March.
    const range = ['2026-03-02T00:00', '2026-03-09T00:00', '2026-03-16T00:00'];
    const t = forecastTimeline(range, '2026-03-23', [point('2026-03-16', 5), point('2026-03-23', 6), point('2026-03-30', 7)], 'week');
    assert.deepEqual(t.buckets, [...range, '2026-03-23T00:00', '2026-03-30T00:00']);
    assert.deepEqual(t.at, [2, 3, 4]);
  });

  it('no forecast leaves the range as it is', () => {
    const range = days('2026-03-01', 7);
    assert.deepEqual(forecastTimeline(range, '2026-03-08', [], 'day'), { buckets: range, at: [], points: [] });
  });

  it('asks as far ahead as the range shows, within 7–56 days and 4–26 weeks', () => {
    assert.deepEqual([forecastHorizon('day', 1), forecastHorizon('day', 30), forecastHorizon('day', 90)], [7, 30, 56]);
    assert.deepEqual([forecastHorizon('week', 1), forecastHorizon('week', 13), forecastHorizon('week', 52)], [4, 13, 26]);
  });
});

describe('band and mean paths', () => {
  const y = (v: number): number => 200 - v / 10;

  it('a band runs along the upper bound and back along the lower one', () => {
    assert.equal(bandPath([10, 20, 30], [100, 200, 300], [500, 600, 700], y), 'M10.0,150.0L20.0,140.0L30.0,130.0L30.0,170.0L20.0,180.0L10.0,190.0Z');
  });

  it('a single point is a narrow bar, no points no path', () => {
    assert.equal(bandPath([50], [0], [1000], y), 'M47.0,100.0L53.0,100.0L53.0,200.0L47.0,200.0Z');
    assert.equal(bandPath([], [], [], y), '');
  });

  it('the mean is a polyline', () => {
    assert.equal(linePath([10, 20], [1000, 500], y), 'M10.0,100.0L20.0,150.0');
  });

  it('the y extent covers the 95 % band and zero', () => {
    assert.deepEqual(forecastExtent([point('2026-03-01', 1000, 300), point('2026-03-02', 5000, 1000)]), [0, 7000]);
    assert.deepEqual(forecastExtent([point('2026-03-01', 100, 100)]), [-100, 300]);
  });

  it('flags read as reasons, an unknown one as its words', () => {
    assert.equal(flagText('short_history'), 'less than 8 weeks of history: weekday pattern only, wider intervals');
    assert.equal(flagText('new_thing'), 'new thing');
  });
});

describe('forecast accuracy rows', () => {
  const row = (level: BacktestRow['level'], grain: BacktestRow['grain'], o: Partial<BacktestRow> = {}): BacktestRow => ({ level, grain, series: 1, forecasts: 56, mase: 0.6, baseline_mase: 0.8, smape: 20, baseline_smape: 25, coverage_80: 0.78, coverage_95: 0.96, ...o });

  it('orders by grain then level, store up to tenant', () => {
    const rows = accuracyRows([row('tenant', 'week'), row('country', 'day'), row('store', 'week'), row('tenant', 'day'), row('store', 'day'), row('city', 'day'), row('region', 'day')]);
    assert.deepEqual(rows.map((r) => `${r.grain} ${r.level}`), ['day store', 'day city', 'day region', 'day country', 'day tenant', 'week store', 'week tenant']);
  });

  it('gains over seasonal naive and coverage against nominal', () => {
    const [r] = accuracyRows([row('tenant', 'day', { mase: 0.6, baseline_mase: 0.8, smape: 18, baseline_smape: 24, coverage_80: 0.75, coverage_95: 0.97 })]);
    assert.equal(r!.mase_gain, 1 - 0.6 / 0.8);
    assert.equal(r!.smape_gain, 1 - 18 / 24);
    assert.equal(r!.coverage_80_gap, 0.75 - 0.8);
    assert.equal(r!.coverage_95_gap, 0.97 - 0.95);
  });

  it('a model worse than the baseline has a negative gain; a zero or missing baseline none', () => {
    const rows = accuracyRows([row('store', 'day', { mase: 1.2, baseline_mase: 1.0 }), row('city', 'day', { baseline_mase: 0, smape: null, coverage_80: null })]);
    assert.ok(Math.abs(rows[0]!.mase_gain! + 0.2) < 1e-12);
    assert.equal(rows[1]!.mase_gain, null);
    assert.equal(rows[1]!.smape_gain, null);
    assert.equal(rows[1]!.coverage_80_gap, null);
  });

  it('bars of a column share the scale of its largest error, model or baseline', () => {
    const rows = accuracyRows([row('store', 'day', { mase: 1.4, baseline_mase: 1.1 }), row('tenant', 'day', { mase: 0.5, baseline_mase: 0.9 })]);
    assert.equal(scaleOf(rows, 'mase'), 1.4);
    assert.equal(scaleOf(rows, 'smape'), 25);
  });
});
