/**
 * The ClickHouse serving store against a real clickhouse-server (Debian's
 * 18.16 in CI) started here on 127.0.0.1, and against the in-memory
 * columnar store fed the same deltas: every metric at every granularity and
 * time zone (DST days, +05:30, +05:45, a 04:00 business-day cut-off), the
 * group-bys, geo scopes and top-N give identical answers, and exactly the
 * brute-force reference. Then the fence: a batch inserted but never
 * committed, and an owner that goes on writing after a newer epoch claimed
 * its partition, are both invisible; an older epoch cannot claim again.
 *
 * Without clickhouse-server installed the file is skipped, except with
 * CI=true, where `clickHouseBinary()` throws and the file fails.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { GroupBy } from '../../src/domain/grouping.js';
import type { Metric } from '../../src/domain/metrics.js';
import type { Granularity } from '../../src/domain/time-buckets.js';
import { ClickHouseServingStore } from '../../src/serving/clickhouse-serving-store.js';
import { ColumnarServingStore } from '../../src/serving/columnar-serving-store.js';
import type { SeriesGroup, SeriesQuery, TopQuery } from '../../src/serving/series-query.js';
import { TenantDirectory } from '../../src/stream/tenant-directory.js';
import { FxStore } from '../../src/tenants/fx-store.js';
import { RegistryStore } from '../../src/tenants/registry-store.js';
import { TenantStore } from '../../src/tenants/tenant-store.js';
import { ClickHouseHttp, type ClickHouseConnection } from '../../src/warehouse/clickhouse-http.js';
import { clickHouseBinary, startClickHouse, type ClickHouseServer } from '../support/clickhouse-server.js';
import { tempDir, type TempDir } from '../support/temp-dir.js';
import { ALL_METRICS, bucketText, refSeries, type RefTxn } from './reference.js';
import { buildFixture, logBatches, PARTITIONS, type Fixture, type LogBatch, type TenantSetup } from './rollup-fixture.js';

const DAY = 86_400_000;
const binary = clickHouseBinary();
const skip = binary === null ? 'clickhouse-server is not installed (scripts/ensure-system-deps.sh installs it)' : false;

/** A connection that fails the next insert whose statement contains `match`, after sending it or without. */
function failing(inner: ClickHouseConnection): ClickHouseConnection & { failNext(match: string, reachServer: boolean): void } {
  let rule: { match: string; reach: boolean } | null = null;
  return {
    query: (sql, o) => inner.query(sql, o),
    async insert(sql, data) {
      const r = rule;
      if (r !== null && sql.includes(r.match)) {
        rule = null;
        if (r.reach) await inner.insert(sql, data);
        throw new Error(`injected failure of ${r.match}`);
      }
      await inner.insert(sql, data);
    },
    close: () => inner.close(),
    failNext(match, reachServer) {
      rule = { match, reach: reachServer };
    },
  };
}

function inReferenceShape(groups: SeriesGroup[], metrics: readonly string[]): Map<string, Map<string, Record<string, number | null>>> {
  const out = new Map<string, Map<string, Record<string, number | null>>>();
  for (const g of groups) {
    const key = JSON.stringify(Object.fromEntries(Object.entries(g.key).sort(([a], [b]) => (a < b ? -1 : 1))));
    out.set(key, new Map(g.points.map((p) => [bucketText(p.bucket), Object.fromEntries(metrics.map((m, i) => [m, p.values[i] ?? null]))])));
  }
  return out;
}

function sortedRef(ref: Map<string, Map<string, Record<string, number | null>>>, metrics: readonly string[]): Map<string, Map<string, Record<string, number | null>>> {
  const out = new Map<string, Map<string, Record<string, number | null>>>();
  for (const [k, pts] of ref) {
    const key = JSON.stringify(Object.fromEntries(Object.entries(JSON.parse(k) as Record<string, string>).sort(([a], [b]) => (a < b ? -1 : 1))));
    out.set(key, new Map([...pts].map(([b, v]) => [b, Object.fromEntries(metrics.map((m) => [m, v[m]!]))])));
  }
  return out;
}

const series = (metrics: readonly Metric[], granularity: Granularity, tz: string, from: string, to: string, groupBy: GroupBy[] = [], currency: 'reporting' | 'original' = 'reporting'): SeriesQuery => ({
  metrics,
  granularity,
  tz,
  from: Date.parse(`${from}T00:00Z`),
  to: Date.parse(`${to}T00:00Z`),
  groupBy,
  scopes: [],
  currency,
});

describe('ClickHouseServingStore', { skip }, () => {
  let dir: TempDir;
  let server: ClickHouseServer;
  let fx: Fixture;
  let acme: TenantSetup;
  let acmeTxns: RefTxn[];
  let memory: ColumnarServingStore;
  let ch: ClickHouseServingStore;
  let directory: TenantDirectory;
  let batches: LogBatch[];

  before(async () => {
    dir = tempDir();
    server = await startClickHouse(binary!);
    fx = await buildFixture(dir.path, {
      seed: 11,
      stores: 160,
      tenants: [{ cutoff: '04:00' }, { cutoff: '00:00' }],
      windows: [
        { start: '2026-10-22T00:00:00Z', durationMs: 12 * DAY, salesPerStoreDay: 8, faults: { late: 0.02, lateDurationMs: [50 * 3_600_000, 80 * 3_600_000] } },
        { start: '2026-03-27T00:00:00Z', durationMs: 4 * DAY, salesPerStoreDay: 8 },
      ],
    });
    acme = fx.tenants[0]!;
    acmeTxns = fx.txns.filter((t) => t.tenant === acme.id);
    directory = new TenantDirectory(new TenantStore(dir.path), new RegistryStore(dir.path), new FxStore(dir.path));
    batches = await logBatches(dir.path, directory, 1500);
    memory = await ColumnarServingStore.open(join(dir.path, 'serving'), { hotDays: 400 });
    ch = await ClickHouseServingStore.open({ url: server.url, database: server.freshDatabase() });
    for (const id of directory.ids()) {
      const view = directory.get(id)!;
      for (const s of [memory, ch]) {
        s.setTenant(id, view.settings);
        s.upsertStores(id, view.registry);
      }
    }
    const epochs = new Map<number, number>();
    for (const b of batches) {
      memory.apply({ partition: b.partition, endOffset: b.to, deltas: b.deltas });
      if (!epochs.has(b.partition)) {
        epochs.set(b.partition, 100 + b.partition);
        assert.equal(await ch.claim(b.partition, 100 + b.partition), 0);
      }
      await ch.apply({ partition: b.partition, epoch: epochs.get(b.partition)!, fromOffset: b.from, endOffset: b.to, deltas: b.deltas });
    }
  });

  after(async () => {
    await ch?.close();
    await server?.stop();
    await dir?.[Symbol.asyncDispose]();
  });

  it('holds every partition up to the log end', async () => {
    for (let p = 0; p < PARTITIONS; p++) assert.equal(await ch.appliedOffset(p), memory.appliedOffset(p), `partition ${String(p)}`);
    assert.ok(batches.length > 20, `${String(batches.length)} batches`);
    assert.ok(acmeTxns.length > 10_000, `${String(acmeTxns.length)} transactions`);
  });

  for (const tz of ['store', 'UTC', 'Asia/Kolkata', 'Asia/Kathmandu', 'America/New_York', 'Europe/Berlin']) {
    it(`gives every metric at every granularity as the in-memory store and the reference do, tz=${tz}`, async () => {
      for (const g of ['15m', 'hour', 'day', 'week', 'month'] as const) {
        const [from, to] = g === 'month' ? ['2026-03-01', '2026-12-01'] : g === '15m' ? ['2026-10-24', '2026-10-27'] : ['2026-03-23', '2026-11-09'];
        const q = series(ALL_METRICS as Metric[], g, tz, from, to);
        const got = await ch.series(acme.id, q);
        assert.deepEqual(got, memory.series(acme.id, q), `${g} tz=${tz}: as the in-memory store`);
        const money = ALL_METRICS.filter((m) => m !== 'avg_basket');
        const want = sortedRef(refSeries(acmeTxns, { granularity: g, tz, from: q.from, to: q.to, groupBy: [], cutoffMin: acme.cutoffMin }), money);
        const mine = inReferenceShape(got, ALL_METRICS);
        for (const pts of mine.values()) for (const v of pts.values()) delete v['avg_basket'];
        assert.deepEqual(mine, want, `${g} tz=${tz}: as the reference`);
      }
    });
  }

  for (const dims of [['store'], ['city'], ['country'], ['tender'], ['card_brand'], ['currency'], ['h3:3'], ['country', 'tender']]) {
    it(`groups by ${dims.join(' and ')} as the in-memory store does`, async () => {
      const groupBy = dims.map((d): GroupBy => (d.startsWith('h3:') ? { kind: 'h3', resolution: Number(d.slice(3)) } : ({ kind: d } as GroupBy)));
      const q = series(['net_sales', 'tax', 'sale_count', 'refund_count', 'items', 'avg_basket'], 'day', 'store', '2026-10-22', '2026-11-03', groupBy);
      const got = await ch.series(acme.id, q);
      assert.ok(got.length > 1);
      assert.deepEqual(got, memory.series(acme.id, q));
    });
  }

  it('sums each currency apart with currency=original, and ranks the top stores and countries', async () => {
    const q = series(['gross_sales', 'refunds', 'net_sales', 'discounts', 'sale_count'], 'week', 'UTC', '2026-10-19', '2026-11-09', [{ kind: 'currency' }], 'original');
    const got = await ch.series(acme.id, q);
    assert.ok(got.length >= 5, `${String(got.length)} currencies`);
    assert.deepEqual(got, memory.series(acme.id, q));
    for (const by of [{ kind: 'store' }, { kind: 'country' }] as GroupBy[]) {
      const top: TopQuery = { metric: 'net_sales', metrics: ['net_sales', 'sale_count'], by, tz: 'store', from: Date.parse('2026-10-22'), to: Date.parse('2026-11-03'), limit: 7, order: 'desc', scopes: [] };
      const rows = await ch.top(acme.id, top);
      assert.equal(rows.length, 7);
      assert.deepEqual(rows, memory.top(acme.id, top));
    }
    const scoped: SeriesQuery = { ...series(['net_sales', 'sale_count'], 'day', 'store', '2026-10-22', '2026-11-03', [{ kind: 'store' }]), scopes: [{ kind: 'bbox', bbox: { west: -10, south: 35, east: 30, north: 60 } } as SeriesQuery['scopes'][number]] };
    assert.deepEqual(await ch.series(acme.id, scoped), memory.series(acme.id, scoped));
    assert.deepEqual((await ch.stores(acme.id)).map((s) => s.store_id).sort(), acme.stores.map((s) => s.store_id).sort());
  });

  it('never shows a batch inserted without its commit, nor one an older epoch wrote after a newer one claimed', async () => {
    const q = series(['net_sales', 'sale_count', 'items'], 'day', 'UTC', '2026-03-23', '2026-11-09', [{ kind: 'country' }]);
    const want = memory.series(acme.id, q);
    const database = server.freshDatabase();
    const conn = failing(new ClickHouseHttp({ url: server.url }));
    const a = await ClickHouseServingStore.open({ database, connection: conn });
    const b = await ClickHouseServingStore.open({ url: server.url, database });
    for (const s of [a, b]) for (const id of directory.ids()) s.setTenant(id, directory.get(id)!.settings);
    const p0 = batches.filter((x) => x.partition === 0);
    assert.ok(p0.length >= 3, `${String(p0.length)} batches on partition 0`);
    const rest = batches.filter((x) => x.partition !== 0);
    for (const x of rest) {
      if (x.from === 0) await b.claim(x.partition, 5);
      await b.apply({ partition: x.partition, epoch: 5, fromOffset: x.from, endOffset: x.to, deltas: x.deltas });
    }
    // Epoch 10 writes partition 0's first batch, then its second batch's rows reach the server but the commit fails.
    assert.equal(await a.claim(0, 10), 0);
    await a.apply({ partition: 0, epoch: 10, fromOffset: p0[0]!.from, endOffset: p0[0]!.to, deltas: p0[0]!.deltas });
    conn.failNext('rollup_commits', false);
    await assert.rejects(a.apply({ partition: 0, epoch: 10, fromOffset: p0[1]!.from, endOffset: p0[1]!.to, deltas: p0[1]!.deltas }), { code: 'serving_io' });
    assert.equal(await b.appliedOffset(0), p0[0]!.to);
    // After a failure the epoch writes no more.
    await assert.rejects(a.apply({ partition: 0, epoch: 10, fromOffset: p0[1]!.from, endOffset: p0[1]!.to, deltas: p0[1]!.deltas }), { code: 'serving_invalid_argument' });
    // Epoch 20 (another worker) takes over where the commits end ...
    assert.equal(await b.claim(0, 20), p0[0]!.to);
    // ... while epoch 11 (the old worker, with a lease it no longer holds) claimed earlier and goes on writing.
    await assert.rejects(a.claim(0, 11), { code: 'serving_fenced' });
    for (const x of p0.slice(1)) await b.apply({ partition: 0, epoch: 20, fromOffset: x.from, endOffset: x.to, deltas: x.deltas });
    assert.deepEqual(await b.series(acme.id, q), want, 'each record once');
    await a.close();
    await b.close();
  });

  it('hides what a fenced-out owner commits after the new owner claimed, and refuses bad settings by name', async () => {
    const q = series(['net_sales', 'sale_count'], 'day', 'UTC', '2026-03-23', '2026-11-09', [{ kind: 'country' }]);
    const want = memory.series(acme.id, q);
    const database = server.freshDatabase();
    const old = await ClickHouseServingStore.open({ url: server.url, database });
    const next = await ClickHouseServingStore.open({ url: server.url, database });
    for (const s of [old, next]) for (const id of directory.ids()) s.setTenant(id, directory.get(id)!.settings);
    for (const p of new Set(batches.map((x) => x.partition))) {
      const list = batches.filter((x) => x.partition === p);
      const half = Math.floor(list.length / 2);
      await old.claim(p, 7);
      for (const x of list.slice(0, half)) await old.apply({ partition: p, epoch: 7, fromOffset: x.from, endOffset: x.to, deltas: x.deltas });
      assert.equal(await next.claim(p, 8), list[half]!.from);
      // The old owner has not noticed yet: its writes land, and stay invisible.
      for (const x of list.slice(half, half + 2)) await old.apply({ partition: p, epoch: 7, fromOffset: x.from, endOffset: x.to, deltas: x.deltas });
      for (const x of list.slice(half)) await next.apply({ partition: p, epoch: 8, fromOffset: x.from, endOffset: x.to, deltas: x.deltas });
      assert.equal(await old.appliedOffset(p), list[list.length - 1]!.to);
    }
    assert.deepEqual(await next.series(acme.id, q), want);
    assert.deepEqual(await old.series(acme.id, q), want);
    await old.close();
    await next.close();
    await assert.rejects(ClickHouseServingStore.open({ url: server.url, database: '1bad' }), { code: 'serving_invalid_argument', message: /database is "1bad"/ });
    await assert.rejects(ClickHouseServingStore.open({ url: server.url, database: 'ok', insertRows: 0 }), { code: 'serving_invalid_argument', message: /insertRows is 0/ });
  });
});
