/**
 * The tenant's projections (its breakdown rows by tender and card brand, and
 * by currency) against a brute force over the detailed rows given to the
 * store: every day row and every quarter-hour row, on the UTC axis and on
 * the business-day and local axes (+05:30, +05:45, New York and Berlin
 * across their autumn DST days, a 04:00 cut-off), after late rows reopen
 * sealed days, after a snapshot and restart, and after a store moves.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { CURRENCY_CODES } from '../../src/domain/currency.js';
import { SUM_COUNT } from '../../src/domain/metrics.js';
import type { Store } from '../../src/domain/store.js';
import { CARD_BRANDS, TENDERS } from '../../src/domain/transaction.js';
import { ColumnarServingStore } from '../../src/serving/columnar-serving-store.js';
import type { DaySeries } from '../../src/serving/day-series.js';
import type { RollupBatch, RollupDelta } from '../../src/serving/serving-store.js';
import { ROW_WIDTH, type TenantRollups } from '../../src/serving/tenant-rollups.js';
import { tempDir } from '../support/temp-dir.js';
import { wallClock } from './reference.js';

const DAY = 86_400_000;
const QUARTER = 900_000;
const CUTOFF_MIN = 240;
const base = { name: 'x', acquirer: 'a', merchant_account: 'm', bank_account: 'b', fee_plan: 'std' };
const STORES: Store[] = [
  { ...base, store_id: 's-delhi', lat: 28.61, lon: 77.21, country: 'IN', region: 'DL', city: 'Delhi', timezone: 'Asia/Kolkata', currency: 'INR' },
  { ...base, store_id: 's-kathmandu', lat: 27.7, lon: 85.32, country: 'NP', region: 'BA', city: 'Kathmandu', timezone: 'Asia/Kathmandu', currency: 'NPR' },
  { ...base, store_id: 's-nyc', lat: 40.71, lon: -74.0, country: 'US', region: 'NY', city: 'New York', timezone: 'America/New_York', currency: 'USD' },
  { ...base, store_id: 's-berlin', lat: 52.52, lon: 13.4, country: 'DE', region: 'BE', city: 'Berlin', timezone: 'Europe/Berlin', currency: 'EUR' },
  { ...base, store_id: 's-munich', lat: 48.14, lon: 11.58, country: 'DE', region: 'BY', city: 'Munich', timezone: 'Europe/Berlin', currency: 'EUR' },
];
const COMBOS = [['card', 'visa'], ['card', 'mastercard'], ['card', 'amex'], ['cash', null], ['wallet', null], ['gift_card', null]] as const;
/** 2026-10-20 … 2026-11-09 UTC: both autumn DST changes, in chunks long sealed by now. */
const FIRST_DAY = Math.floor(Date.UTC(2026, 9, 20) / DAY);
const DAYS = 21;

function delta(i: number, quarter: number): RollupDelta {
  const store = STORES[i % STORES.length]!;
  const [tender, cardBrand] = COMBOS[(i * 7 + quarter) % COMBOS.length]!;
  const rep = new Float64Array(SUM_COUNT);
  rep[0] = 100 + ((i * 131 + quarter) % 5000);
  rep[1] = i % 11 === 0 ? 90 : 0;
  rep[2] = i % 17 === 0 ? 40 : 0;
  rep[3] = 15 + (i % 40);
  rep[6] = i % 5 === 0 ? 7 : 0;
  rep[7] = 1 + (i % 3);
  rep[8] = i % 11 === 0 ? 1 : 0;
  rep[9] = i % 17 === 0 ? 1 : 0;
  rep[10] = 2 + (i % 4);
  const orig = rep.slice(0, 7).map((v) => v * (1 + (i % STORES.length)));
  return { tenant: 't', store, quarter, tender, cardBrand, currency: store.currency, rep, orig };
}

function batches(): { early: RollupBatch[]; late: RollupBatch[] } {
  const early: RollupBatch[] = [];
  let offset = 0;
  for (let d = 0; d < DAYS; d++) {
    const deltas: RollupDelta[] = [];
    for (let i = 0; i < 60; i++) deltas.push(delta(i + d * 60, (FIRST_DAY + d) * 96 + ((i * 29 + d * 5) % 96)));
    early.push({ partition: 0, endOffset: (offset += 60), deltas });
  }
  // Late records: days long closed (and their chunks sealed) change again, in combinations new and old.
  const late: RollupBatch[] = [];
  for (let k = 0; k < 4; k++) {
    const deltas: RollupDelta[] = [];
    for (let i = 0; i < 50; i++) deltas.push(delta(i * 3 + k, (FIRST_DAY + ((i * 5 + k) % DAYS)) * 96 + ((i * 13 + k) % 96)));
    late.push({ partition: 0, endOffset: (offset += 50), deltas });
  }
  return { early, late };
}

type Rows = Map<string, number[]>;

/** The rows a projection must hold, summed from the deltas with the reference's own clock (Intl). */
function expected(deltas: readonly RollupDelta[], projection: 'tender-brand' | 'currency', hotFrom: number): Record<'bUtc' | 'bLocal' | 'cUtc' | 'cLocal', Rows> {
  const out = { bUtc: new Map(), bLocal: new Map(), cUtc: new Map(), cLocal: new Map() } as Record<'bUtc' | 'bLocal' | 'cUtc' | 'cLocal', Rows>;
  const add = (rows: Rows, key: string, d: RollupDelta): void => {
    const row = rows.get(key) ?? new Array<number>(ROW_WIDTH).fill(0);
    for (let i = 0; i < SUM_COUNT; i++) row[i]! += d.rep[i]!;
    for (let i = 0; i < 7; i++) row[SUM_COUNT + i]! += d.orig[i]!;
    rows.set(key, row);
  };
  for (const d of deltas) {
    const ms = d.quarter * QUARTER;
    const local = wallClock(d.store.timezone, ms);
    const uDay = Math.floor(ms / DAY);
    const lDay = Math.floor(local / DAY);
    const bizDay = Math.floor((local - CUTOFF_MIN * 60_000) / DAY);
    const what = projection === 'currency' ? d.currency : `${d.tender}/${d.cardBrand ?? 'none'}`;
    add(out.bUtc, `${String(uDay)} ${what}`, d);
    add(out.bLocal, `${String(bizDay)} ${what}`, d);
    if (uDay >= hotFrom) add(out.cUtc, `${String(uDay)} ${String(d.quarter - uDay * 96)} ${what}`, d);
    if (lDay >= hotFrom - 1) add(out.cLocal, `${String(lDay)} ${String(Math.floor((local - lDay * DAY) / QUARTER))} ${what}`, d);
  }
  return out;
}

/** The rows a projection holds, keyed as `expected` keys them. */
function held(t: TenantRollups, projection: 'tender-brand' | 'currency'): Record<'bUtc' | 'bLocal' | 'cUtc' | 'cLocal', Rows> {
  const node = projection === 'currency' ? t.projections.currency : t.projections.tenderBrand;
  const name = (dims: number): string => {
    if (projection === 'currency') return CURRENCY_CODES[dims >> 6]!;
    const brand = dims & 7;
    return `${TENDERS[(dims >> 3) & 7]!}/${brand === CARD_BRANDS.length ? 'none' : CARD_BRANDS[brand]!}`;
  };
  const read = (series: DaySeries, quarters: boolean): Rows => {
    const rows: Rows = new Map();
    series.forEach((day, keys, sums, lo, hi) => {
      for (let r = lo; r < hi; r++) {
        const key = keys[r]!;
        const slot = quarters ? Math.floor(key / (1 << 14)) : -1;
        const dims = quarters ? key - slot * (1 << 14) : key;
        const k = quarters ? `${String(day)} ${String(slot)} ${name(dims)}` : `${String(day)} ${name(dims)}`;
        assert.ok(!rows.has(k), `one row per key: ${k}`);
        rows.set(k, Array.from(sums.subarray(r * ROW_WIDTH, (r + 1) * ROW_WIDTH)));
      }
    });
    return rows;
  };
  return { bUtc: read(node.bUtc, false), bLocal: read(node.bLocal, false), cUtc: read(node.cUtc, true), cLocal: read(node.cLocal!, true) };
}

function assertProjections(t: TenantRollups, deltas: readonly RollupDelta[], what: string): void {
  for (const projection of ['tender-brand', 'currency'] as const) {
    const want = expected(deltas, projection, t.hotFrom);
    const got = held(t, projection);
    for (const axis of ['bUtc', 'bLocal', 'cUtc', 'cLocal'] as const) {
      assert.ok(want[axis].size > 20, `${what}: the reference has ${axis} rows`);
      assert.deepEqual(new Map([...got[axis]].sort()), new Map([...want[axis]].sort()), `${what}: ${projection} ${axis}`);
    }
  }
  // The tender/brand projection folds the five currencies away: fewer rows than the tenant's own.
  assert.ok(held(t, 'tender-brand').bUtc.size < t.tenantNode.bUtc.rows() / 2, `${what}: the projection is smaller`);
}

describe("the tenant's projections", () => {
  const tmp = tempDir('tpay-projections-');
  after(() => tmp[Symbol.asyncDispose]());

  it('equal the brute-force sums of the detailed rows, through late rows, a restart and a store move', async () => {
    const dir = join(tmp.path, 'p');
    const opts = { hotDays: 100_000 };
    const s = await ColumnarServingStore.open(dir, opts);
    s.setTenant('t', { reportingCurrency: 'EUR', cutoffMinutes: CUTOFF_MIN });
    const { early, late } = batches();
    for (const b of early) s.apply(b);
    s.age();
    const sealed = [...s.rollups('t').projections.tenderBrand.bUtc.allChunks()].filter((c) => c.packed !== null).length;
    assert.ok(sealed > 0, 'the early days are sealed');
    assertProjections(s.rollups('t'), early.flatMap((b) => b.deltas), 'after the early rows');
    for (const b of late) s.apply(b);
    const all = [...early, ...late].flatMap((b) => b.deltas);
    assertProjections(s.rollups('t'), all, 'after late rows');
    s.age();
    await s.snapshot();
    const back = await ColumnarServingStore.open(dir, opts);
    assertProjections(back.rollups('t'), all, 'after a restart');
    // Munich moves to Berlin: every virtual node, the projections too, is rebuilt from the stores.
    back.upsertStores('t', [{ ...STORES[4]!, city: 'Berlin', region: 'BE', lat: 52.5, lon: 13.39 }]);
    assertProjections(back.rollups('t'), all, 'after a store moved');
  });
});
