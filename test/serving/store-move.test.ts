/**
 * A store that moves to another city takes its sums along: the virtual
 * nodes (cities, countries, the tenant) are rebuilt from the stores, and
 * every answer equals that of a store registered in its new city from the
 * start.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { SUM_COUNT } from '../../src/domain/metrics.js';
import type { Store } from '../../src/domain/store.js';
import { ColumnarServingStore } from '../../src/serving/columnar-serving-store.js';
import type { SeriesQuery } from '../../src/serving/series-query.js';
import type { RollupDelta } from '../../src/serving/serving-store.js';
import { tempDir } from '../support/temp-dir.js';

const DAY = 86_400_000;
const TODAY = Math.floor(Date.now() / DAY);
const base = { name: 'x', acquirer: 'a', merchant_account: 'm', bank_account: 'b', fee_plan: 'std', currency: 'EUR' };
const lyon: Store = { ...base, store_id: 's-1', lat: 45.76, lon: 4.84, country: 'FR', region: 'ARA', city: 'Lyon', timezone: 'Europe/Paris' };
const paris: Store = { ...base, store_id: 's-2', lat: 48.85, lon: 2.35, country: 'FR', region: 'IDF', city: 'Paris', timezone: 'Europe/Paris' };
const movedToParis: Store = { ...lyon, lat: 48.86, lon: 2.34, region: 'IDF', city: 'Paris' };

function deltas(store: Store, salt: number): RollupDelta[] {
  const out: RollupDelta[] = [];
  for (let i = 0; i < 400; i++) {
    const rep = new Float64Array(SUM_COUNT);
    rep[0] = 500 + ((i * 37 + salt) % 900);
    rep[7] = 1 + (i % 3);
    out.push({ tenant: 't', store, quarter: (TODAY - 20) * 96 + i * 5, tender: i % 2 === 0 ? 'card' : 'cash', cardBrand: i % 2 === 0 ? 'visa' : null, currency: 'EUR', rep, orig: rep.slice(0, 7) });
  }
  return out;
}

const queries: SeriesQuery[] = (['day', 'hour'] as const).flatMap((granularity) =>
  (['store', 'UTC'] as const).flatMap((tz) =>
    [[{ kind: 'city' as const }], [{ kind: 'region' as const }], [], [{ kind: 'city' as const }, { kind: 'tender' as const }]].map((groupBy) => ({
      metrics: ['gross_sales' as const, 'sale_count' as const],
      granularity,
      tz,
      from: (TODAY - 21) * DAY,
      to: (TODAY + 1) * DAY,
      groupBy,
      scopes: [],
      currency: 'reporting' as const,
    })),
  ),
);

describe('a store that moves city', () => {
  const tmp = tempDir('tpay-store-move-');
  after(() => tmp[Symbol.asyncDispose]());

  it('answers as if it had been registered in its new city from the start', async () => {
    const moved = await ColumnarServingStore.open(join(tmp.path, 'moved'));
    const fresh = await ColumnarServingStore.open(join(tmp.path, 'fresh'));
    for (const s of [moved, fresh]) s.setTenant('t', { reportingCurrency: 'EUR', cutoffMinutes: 240 });
    moved.apply({ partition: 0, endOffset: 1, deltas: [...deltas(lyon, 1), ...deltas(paris, 2)] });
    const lyonBefore = moved.series('t', { ...queries[0]!, scopes: [{ kind: 'cities', values: new Set(['Lyon']) }] });
    assert.ok(lyonBefore.length > 0);
    moved.upsertStores('t', [movedToParis]);
    fresh.apply({ partition: 0, endOffset: 1, deltas: [...deltas(movedToParis, 1), ...deltas(paris, 2)] });
    for (const q of queries) assert.deepEqual(moved.series('t', q), fresh.series('t', q), JSON.stringify({ g: q.granularity, tz: q.tz, by: q.groupBy }));
    assert.deepEqual(moved.series('t', { ...queries[0]!, scopes: [{ kind: 'cities', values: new Set(['Lyon']) }] }), []);
    // Later sales of the moved store land in its new city.
    moved.apply({ partition: 0, endOffset: 2, deltas: deltas(movedToParis, 3) });
    fresh.apply({ partition: 0, endOffset: 2, deltas: deltas(movedToParis, 3) });
    for (const q of queries) assert.deepEqual(moved.series('t', q), fresh.series('t', q));
  });
});
