/**
 * The day-major matrix of the stores' day totals against a brute force:
 * random deltas of 120 stores in their own zones (Intl gives each store's
 * local date, apart from the product's zone tables), built in slices while
 * deltas keep coming (new last days, late days inside the rows, a late day
 * before the rows, a store added), and every range of days of every store
 * read from the matrix equals the plain sum of its deltas, on the UTC and
 * the business-day axis; top-N and day series over all stores answer the
 * same from the matrix as from the stores' own rows.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SUM, SUM_COUNT } from '../../src/domain/metrics.js';
import { DAY_MS, QUARTER_MS } from '../../src/domain/time-buckets.js';
import { Prng } from '../../src/firehose/prng.js';
import { generateWorld } from '../../src/firehose/world.js';
import { sumDayTotals } from '../../src/serving/day-totals-query.js';
import { runSeries, runTop } from '../../src/serving/series-query.js';
import { dimsOf, TenantRollups, type ServedStore } from '../../src/serving/tenant-rollups.js';

const STORES = 120;
const today = Math.floor(Date.parse('2026-03-20T00:00:00Z') / DAY_MS);

/** The store's local date (days since 1970) at a UTC instant, by Intl. */
function localDay(zone: string, ms: number): number {
  const f = new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' });
  return Math.floor(Date.parse(`${f.format(new Date(ms))}T00:00:00Z`) / DAY_MS);
}

interface Brute {
  /** store index → day → 12 sums, per axis. */
  utc: Map<number, number[]>[];
  local: Map<number, number[]>[];
}

function addBrute(b: Brute, s: ServedStore, quarter: number, rep: readonly number[]): void {
  const ms = quarter * QUARTER_MS;
  for (const [axis, day] of [
    [b.utc, Math.floor(ms / DAY_MS)],
    [b.local, localDay(s.store.timezone, ms)],
  ] as const) {
    while (axis.length <= s.index) axis.push(new Map());
    const m = axis[s.index]!;
    const row = m.get(day) ?? new Array<number>(SUM_COUNT).fill(0);
    for (let i = 0; i < SUM_COUNT; i++) row[i]! += rep[i]!;
    m.set(day, row);
  }
}

function bruteRange(axis: Map<number, number[]>[], store: number, from: number, to: number): number[] {
  const out = new Array<number>(SUM_COUNT).fill(0);
  for (const [day, row] of axis[store] ?? new Map<number, number[]>()) if (day >= from && day < to) for (let i = 0; i < SUM_COUNT; i++) out[i]! += row[i]!;
  return out;
}

function randomRep(rng: Prng): number[] {
  const rep = new Array<number>(SUM_COUNT).fill(0);
  rep[SUM.gross] = rng.u32() % 100_000;
  rep[SUM.refunds] = rng.u32() % 4 === 0 ? rng.u32() % 5_000 : 0;
  rep[SUM.taxSale] = rng.u32() % 15_000;
  rep[SUM.discounts] = rng.u32() % 1_000;
  rep[SUM.saleCount] = 1 + (rng.u32() % 9);
  rep[SUM.refundCount] = rep[SUM.refunds]! > 0 ? 1 : 0;
  rep[SUM.itemsSale] = rng.u32() % 30;
  return rep;
}

function delta(t: TenantRollups, b: Brute, s: ServedStore, day: number, rng: Prng): void {
  const quarter = day * 96 + (rng.u32() % 96);
  const rep = randomRep(rng);
  t.add(s, quarter, dimsOf(['card', 'cash', 'wallet'][rng.u32() % 3]!, null, s.store.currency), rep, new Array<number>(7).fill(0));
  addBrute(b, s, quarter, rep);
}

/** Every store's sums over random ranges, read through the matrix, against the brute force. */
function checkAgainstBrute(t: TenantRollups, b: Brute, rng: Prng, ranges: number): void {
  for (const local of [false, true]) {
    const m = local ? t.matrices.local : t.matrices.utc;
    const totals = t.stores.map((s) => (local ? s.node.dLocal : s.node.dUtc));
    assert.ok(m.ready && m.covers(totals), 'the matrix holds every store');
    const groupOf = Int32Array.from(t.stores.map((_s, i) => i));
    for (let r = 0; r < ranges; r++) {
      const from = today - 80 + (rng.u32() % 90);
      const to = from + 1 + (rng.u32() % 40);
      const flat = sumDayTotals(totals, groupOf, t.stores.length, [[from, to, 0]], m);
      for (let s = 0; s < t.stores.length; s++) {
        const want = bruteRange(local ? b.local : b.utc, s, from, to);
        const any = want[SUM.saleCount]! + want[SUM.refundCount]! + want[SUM.voidCount]! > 0;
        assert.equal(flat.seen[s], any ? 1 : 0, `store ${String(s)} days ${String(from)}..${String(to)} seen`);
        if (any) assert.deepEqual(Array.from(flat.sums.subarray(s * SUM_COUNT, (s + 1) * SUM_COUNT)), want, `store ${String(s)} ${local ? 'business' : 'UTC'} days ${String(from)}..${String(to)}`);
      }
    }
  }
}

describe('the day-major matrix of store day totals', () => {
  it('equals the brute force through a build in slices, new days, late days and a new store', () => {
    const rng = new Prng(11, 5);
    const world = generateWorld({ seed: 4, tenants: 1, stores: STORES + 1 });
    const all = world.tenants[0]!.stores;
    const t = new TenantRollups('t', { reportingCurrency: world.tenants[0]!.tenant.reporting_currency, cutoffMinutes: 0 }, 35);
    const b: Brute = { utc: [], local: [] };
    const served = all.slice(0, STORES).map((st) => t.upsertStore(st));
    // Some stores start late, one has no sales at all.
    for (let i = 0; i < 4000; i++) {
      const s = served[rng.u32() % (STORES - 1)]!;
      const start = today - 60 + (s.index % 7) * 5;
      delta(t, b, s, start + (rng.u32() % (today - 20 - start)), rng);
    }
    // Built a few columns at a time, with deltas in between: new last days, late days inside, all stores.
    const { utc, local } = t.matrices;
    utc.begin(t.stores.map((s) => s.node.dUtc));
    local.begin(t.stores.map((s) => s.node.dLocal));
    let steps = 0;
    while (!(utc.step(0) && local.step(0))) {
      steps++;
      for (let i = 0; i < 25; i++) delta(t, b, served[rng.u32() % (STORES - 1)]!, today - 50 + (rng.u32() % 45), rng);
    }
    assert.ok(steps >= 4, 'the build took several slices');
    checkAgainstBrute(t, b, rng, 60);
    // After the build the stream keeps it: more new days and late days.
    for (let i = 0; i < 1500; i++) delta(t, b, served[rng.u32() % (STORES - 1)]!, today - 45 + (rng.u32() % 46), rng);
    checkAgainstBrute(t, b, rng, 60);
    // A day before the rows stops the matrix; a rebuild takes the wider span.
    delta(t, b, served[3]!, today - 75, rng);
    assert.equal(t.matrices.utc.ready, false);
    assert.equal(t.storeMatrix(false), null);
    t.buildMatricesNow();
    checkAgainstBrute(t, b, rng, 40);
    // A new store: queries read the stores' own rows until the matrix is built again with it.
    const added = t.upsertStore(all[STORES]!);
    delta(t, b, added, today - 10, rng);
    assert.equal(t.storeMatrix(true), null);
    t.buildMatricesNow();
    checkAgainstBrute(t, b, rng, 40);
  });

  it("built over stores without sales (a new tenant's), starts at the first day they sell, not at 1970", () => {
    const rng = new Prng(13, 3);
    const world = generateWorld({ seed: 6, tenants: 1, stores: STORES });
    for (const during of [false, true]) {
      const t = new TenantRollups('t', { reportingCurrency: world.tenants[0]!.tenant.reporting_currency, cutoffMinutes: 0 }, 35);
      const b: Brute = { utc: [], local: [] };
      const served = world.tenants[0]!.stores.map((st) => t.upsertStore(st));
      const { utc, local } = t.matrices;
      utc.begin(t.stores.map((s) => s.node.dUtc));
      local.begin(t.stores.map((s) => s.node.dLocal));
      if (during) {
        // The first sales arrive while the build is still copying columns.
        let first = true;
        while (!(utc.step(0) && local.step(0))) {
          for (let i = 0; i < (first ? 30 : 5); i++) delta(t, b, served[rng.u32() % STORES]!, today - 4 + (rng.u32() % 5), rng);
          first = false;
        }
      } else {
        while (!(utc.step(Infinity) && local.step(Infinity)));
      }
      // Today's sales first, as a live stream brings them: the rows start there.
      for (let i = 0; i < 500; i++) delta(t, b, served[rng.u32() % STORES]!, today, rng);
      // On the UTC axis they all fall on one day, so the matrix goes on serving; in the stores' zones they
      // straddle two local dates, and an earlier one after a later one starts it again (below).
      if (!during) assert.ok(utc.ready, 'still serving');
      for (const m of [utc, local]) {
        assert.ok(m.days === 0 || m.first >= today - 6, `rows start at the sales (${String(m.first)}), not at day 0`);
        // A few days of rows (and room for a few more), not 20,000 of them.
        assert.ok(m.bytes() <= 40 * STORES * SUM_COUNT * 8, `${String(m.bytes())} bytes`);
      }
      if (t.storeMatrix(false) === null || t.storeMatrix(true) === null) t.buildMatricesNow();
      checkAgainstBrute(t, b, rng, 30);
      // Then late sales of earlier days: before the rows, so the matrix is built again over them.
      for (let i = 0; i < 1500; i++) delta(t, b, served[rng.u32() % STORES]!, today - 4 + (rng.u32() % 5), rng);
      if (t.storeMatrix(false) === null || t.storeMatrix(true) === null) t.buildMatricesNow();
      checkAgainstBrute(t, b, rng, 30);
    }
  });

  it('answers top-N and day series over every store as the stores own rows do', () => {
    const rng = new Prng(12, 9);
    const world = generateWorld({ seed: 5, tenants: 1, stores: STORES });
    const t = new TenantRollups('t', { reportingCurrency: world.tenants[0]!.tenant.reporting_currency, cutoffMinutes: 0 }, 35);
    const b: Brute = { utc: [], local: [] };
    const served = world.tenants[0]!.stores.map((st) => t.upsertStore(st));
    for (let i = 0; i < 6000; i++) delta(t, b, served[rng.u32() % STORES]!, today - 40 + (rng.u32() % 41), rng);
    const queries = (): unknown[] => {
      const out: unknown[] = [];
      for (const tz of ['UTC', 'store']) {
        for (const [from, to] of [
          [today - 7, today + 1],
          [today - 30, today - 2],
          [today - 90, today + 5],
        ] as const) {
          out.push(runTop(t, { metric: 'net_sales', metrics: ['net_sales', 'sale_count', 'avg_basket'], by: { kind: 'store' }, tz, from: from * DAY_MS, to: to * DAY_MS, limit: 15, order: 'desc', scopes: [] }));
          out.push(runTop(t, { metric: 'avg_basket', metrics: ['avg_basket'], by: { kind: 'h3', resolution: 3 }, tz, from: from * DAY_MS, to: to * DAY_MS, limit: 10, order: 'asc', scopes: [] }));
          out.push(runSeries(t, { metrics: ['net_sales', 'gross_sales'], granularity: 'week', tz, from: from * DAY_MS, to: to * DAY_MS, groupBy: [{ kind: 'h3', resolution: 2 }], currency: 'reporting', scopes: [] }));
        }
      }
      return out;
    };
    t.matrices.utc.invalidate();
    t.matrices.local.invalidate();
    const plain = queries();
    // (The first queries started a background build; this one replaces it.)
    t.buildMatricesNow();
    assert.ok(t.storeMatrix(false) !== null && t.storeMatrix(true) !== null);
    assert.deepEqual(queries(), plain);
    // And the top store of the last week by net sales is the brute force's.
    const net = (s: number): number => {
      const r = bruteRange(b.utc, s, today - 7, today + 1);
      return r[SUM.gross]! - r[SUM.refunds]! - r[SUM.voids]!;
    };
    const best = served.map((s) => s.index).sort((x, y) => net(y) - net(x) || (served[x]!.store.store_id < served[y]!.store.store_id ? -1 : 1))[0]!;
    const top = runTop(t, { metric: 'net_sales', metrics: ['net_sales'], by: { kind: 'store' }, tz: 'UTC', from: (today - 7) * DAY_MS, to: (today + 1) * DAY_MS, limit: 1, order: 'desc', scopes: [] });
    assert.deepEqual(top, [{ key: { store: served[best]!.store.store_id }, values: [net(best)] }]);
  });
});
