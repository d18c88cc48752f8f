import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { forecastBatch } from '../../src/forecast/forecast-batch.js';
import { ForecastPool } from '../../src/forecast/forecast-pool.js';
import { forecastSeries } from '../../src/forecast/forecaster.js';
import { buildHierarchy } from '../../src/forecast/hierarchy.js';
import { HolidayDays } from '../../src/forecast/holiday-days.js';
import { backtestLevels } from '../../src/forecast/level-backtest.js';
import { BAND_NAMES } from '../../src/forecast/series.js';
import { WORLD_START, storeSeries } from './forecast-world.js';

const days = 731 + 56;
const end = WORLD_START + days;

describe('forecast batch on the worker pool', () => {
  const pool = new ForecastPool({ workers: 2, chunk: 40 });
  after(() => pool.close());
  const stores = storeSeries(33, 120, days);

  it('gives the same store forecasts as the single-threaded model, in input order', async () => {
    const f = await forecastBatch(pool, stores, { asOf: end, days: 56, weeks: 26 });
    assert.equal(pool.size, 2);
    assert.equal(f.stores.length, stores.length);
    const holidays = new HolidayDays();
    for (const i of [0, 41, 119]) {
      const one = forecastSeries(stores[i]!, { asOf: end, days: 56, weeks: 26, model: 'log_linear', daily: f.calibration.stores.daily, weekly: f.calibration.stores.weekly, holidays });
      assert.equal(f.stores[i]!.daily.id, stores[i]!.id);
      for (const b of BAND_NAMES) {
        assert.deepEqual([...f.stores[i]!.daily[b]], [...one.daily[b]], `${b} of store ${String(i)}`);
        assert.deepEqual([...f.stores[i]!.weekly![b]], [...one.weekly![b]], `weekly ${b} of store ${String(i)}`);
      }
    }
  });

  it('adds stores up to every level exactly, daily and weekly', async () => {
    const f = await forecastBatch(pool, stores, { asOf: end, days: 56, weeks: 26 });
    const nodes = buildHierarchy(stores);
    assert.equal(f.nodes.length, nodes.length);
    for (const level of ['city', 'region', 'country', 'tenant'] as const) assert.ok(f.nodes.some((n) => n.level === level), level);
    let nodesChecked = 0;
    f.nodes.forEach((nf, k) => {
      const members = nodes[k]!.members;
      assert.equal(nf.key, nodes[k]!.key);
      for (let h = 0; h < 56; h++) {
        let sum = 0;
        for (const i of members) sum += f.stores[i]!.daily.point[h]!;
        assert.equal(nf.daily.point[h], sum, `${nf.level} ${nf.key} day ${String(h)}`);
        assert.ok(nf.daily.lo95[h]! <= nf.daily.lo80[h]! && nf.daily.lo80[h]! <= sum && sum <= nf.daily.hi80[h]! && nf.daily.hi80[h]! <= nf.daily.hi95[h]!);
      }
      for (let w = 0; w < 26; w++) {
        let sum = 0;
        for (const i of members) sum += f.stores[i]!.weekly!.point[w]!;
        assert.equal(nf.weekly!.point[w], sum);
      }
      nodesChecked++;
    });
    // Weekly points are the daily points summed over ISO weeks (Monday start).
    const tenant = f.nodes.find((n) => n.level === 'tenant')!;
    const off = tenant.weekly!.first - tenant.daily.first;
    assert.equal((tenant.weekly!.first + 4) % 7, 1, 'weeks start on a Monday');
    for (let w = 0; w * 7 + off + 7 <= 56; w++) {
      const sum = tenant.daily.point.subarray(off + 7 * w, off + 7 * w + 7).reduce((a, b) => a + b, 0);
      assert.equal(tenant.weekly!.point[w], sum);
    }
    assert.ok(nodesChecked > 10);
  });

  it('backtests every level against seasonal naive', async () => {
    const rows = await backtestLevels(pool, stores, { origins: [end - 56], days: 56, calibrationSample: 120 });
    assert.deepEqual(
      rows.map((r) => r.level),
      ['store', 'city', 'region', 'country', 'tenant'],
    );
    for (const r of rows) {
      assert.ok(r.forecasts >= 1 && Number.isFinite(r.mase) && Number.isFinite(r.smape), r.level);
      assert.ok(r.coverage80 > 0 && r.coverage80 <= r.coverage95 && r.coverage95 <= 1, `${r.level} coverage ${r.coverage80.toFixed(3)} / ${r.coverage95.toFixed(3)}`);
    }
    // One origin of one small tenant: the many-series levels must beat the
    // baseline; the few-node levels are reported (docs/forecasting.md has
    // their figures over many origins).
    for (const r of rows.filter((x) => x.level === 'store' || x.level === 'city')) {
      assert.ok(r.mase < 0.9 * r.baselineMase, `${r.level}: MASE ${r.mase.toFixed(3)} vs naive ${r.baselineMase.toFixed(3)}`);
    }
  });

  it('backtests ISO weeks against the same week of last year', async () => {
    const rows = await backtestLevels(pool, stores, { origins: [end - 70], days: 56, weeks: 8, calibrationSample: 120 });
    const weekly = rows.filter((r) => r.grain === 'week');
    assert.deepEqual(
      weekly.map((r) => r.level),
      ['store', 'city', 'region', 'country', 'tenant'],
    );
    for (const r of weekly) assert.ok(r.forecasts >= 1 && Number.isFinite(r.mase) && r.coverage80 <= r.coverage95, r.level);
    const store = weekly[0]!;
    assert.ok(store.forecasts >= 100, `${String(store.forecasts)} store-weeks`);
    assert.ok(store.mase < store.baselineMase, `weekly MASE ${store.mase.toFixed(3)} vs same week last year ${store.baselineMase.toFixed(3)}`);
  });

  it('rejects a horizon beyond what the product offers, naming it', async () => {
    await assert.rejects(forecastBatch(pool, stores, { asOf: end, days: 57 }), { code: 'forecast_invalid_argument', message: /days = 57/ });
    await assert.rejects(forecastBatch(pool, stores, { asOf: end, weeks: 27 }), { code: 'forecast_invalid_argument', message: /weeks = 27/ });
  });
});
