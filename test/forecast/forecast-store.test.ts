import assert from 'node:assert/strict';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { dayNumber } from '../../src/domain/business-calendar.js';
import { isoWeek } from '../../src/forecast/forecast-answer.js';
import { forecastBatch } from '../../src/forecast/forecast-batch.js';
import { ForecastPool } from '../../src/forecast/forecast-pool.js';
import { lastClosedBusinessDay } from '../../src/forecast/forecast-job.js';
import { ForecastStore, KEEP_BATCHES, type StoredForecast } from '../../src/forecast/forecast-store.js';
import { tempDir } from '../support/temp-dir.js';
import { WORLD_START, storeSeries } from './forecast-world.js';

const batch = (tenant: string, asOf: number, mean: number): StoredForecast => ({
  format: 1,
  tenant,
  asOf,
  model: 'log_linear',
  days: 1,
  weeks: 0,
  createdAt: 0,
  ms: 0,
  stores: [{ id: 'S1', country: 'DE', region: 'R', city: 'Berlin', flags: ['short_history'], daily: { first: asOf + 1, point: [mean], lo80: [mean - 1], hi80: [mean + 1], lo95: [mean - 2], hi95: [mean + 2] }, weekly: null }],
  nodes: [],
  backtest: null,
});

describe('forecast store', () => {
  it('keeps the latest as-ofs per tenant, whole files only, and answers each as written', async () => {
    await using dir = tempDir();
    const store = new ForecastStore(dir.path);
    const days = [dayNumber('2026-12-01'), dayNumber('2026-12-03'), dayNumber('2026-12-02'), dayNumber('2026-12-04')];
    days.forEach((d, i) => store.save(batch('acme', d, 100 * (i + 1))));
    store.save(batch('other/tenant', days[0]!, 7));
    assert.equal(KEEP_BATCHES, 3);
    assert.deepEqual(store.asOfs('acme'), [dayNumber('2026-12-04'), dayNumber('2026-12-03'), dayNumber('2026-12-02')]);
    assert.equal(store.latest('acme')!.stores[0]!.daily.point[0], 400);
    assert.equal(store.get('acme', dayNumber('2026-12-02'))!.stores[0]!.daily.point[0], 300);
    assert.equal(store.get('acme', dayNumber('2026-12-01')), undefined);
    assert.equal(store.latest('other/tenant')!.stores[0]!.daily.point[0], 7);
    assert.equal(store.latest('nobody'), undefined);
    // Rewriting an as-of replaces it; no temporary file is left behind.
    store.save(batch('acme', dayNumber('2026-12-04'), 999));
    assert.equal(store.latest('acme')!.stores[0]!.daily.point[0], 999);
    assert.deepEqual(readdirSync(join(dir.path, 'forecasts', 'acme')).sort(), ['2026-12-02.json', '2026-12-03.json', '2026-12-04.json']);
    // A damaged file is an error with its own code, never a half answer.
    writeFileSync(join(dir.path, 'forecasts', 'acme', '2026-12-05.json'), '{"format":1,"stores":[');
    assert.throws(() => store.latest('acme'), { code: 'forecast_store_corrupt' });
  });

  it('names ISO weeks by the year of their Thursday', () => {
    assert.equal(isoWeek(dayNumber('2026-12-07')), '2026-W50');
    assert.equal(isoWeek(dayNumber('2021-01-03')), '2020-W53');
    assert.equal(isoWeek(dayNumber('2024-12-30')), '2025-W01');
    assert.equal(isoWeek(dayNumber('2026-01-01')), '2026-W01');
  });

  it('takes the last closed business day as the one before the earliest today among the store zones', () => {
    const at = Date.UTC(2026, 11, 7, 9, 0);
    assert.equal(lastClosedBusinessDay(at, ['Europe/Berlin'], 0), dayNumber('2026-12-06'));
    assert.equal(lastClosedBusinessDay(at, ['Pacific/Auckland', 'America/Los_Angeles'], 0), dayNumber('2026-12-06'));
    // 02:00 UTC: still Sunday the 6th in Los Angeles, so only the 5th has closed everywhere.
    const early = Date.UTC(2026, 11, 7, 2, 0);
    assert.equal(lastClosedBusinessDay(early, ['Europe/Berlin', 'America/Los_Angeles'], 0), dayNumber('2026-12-05'));
    // A 04:00 cut-off: 03:00 in Berlin on the 7th is still the 6th's business day.
    assert.equal(lastClosedBusinessDay(early, ['Europe/Berlin'], 240), dayNumber('2026-12-05'));
    assert.equal(lastClosedBusinessDay(early, [], 0), dayNumber('2026-12-06'));
  });
});

describe('forecast pool shutdown', () => {
  it('fails a batch in progress when the pool closes under it, instead of leaving it waiting', async () => {
    // Two series on two workers: both tasks are running at once, none is queued.
    const pool = new ForecastPool({ workers: 2 });
    const stores = storeSeries(5, 2, 500);
    const outcome = forecastBatch(pool, stores, { asOf: WORLD_START + 500, days: 56, weeks: 26 }).then(
      () => 'finished',
      (err: unknown) => (err as { code?: string }).code,
    );
    await pool.close();
    const waited = new Promise((r) => setTimeout(() => r('still waiting after 10 s'), 10_000).unref());
    assert.equal(await Promise.race([outcome, waited]), 'forecast_worker_failed');
  });
});
