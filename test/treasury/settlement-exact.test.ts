/**
 * Expected payouts, deposits and unsettled money, computed by the product
 * from the rollups of a real stream run, against a brute-force reference
 * over the raw records written apart from the product's code: JSON-parsed
 * records, Intl for the business day, date-holidays and the firehose's own
 * weekend table for banking days, BigInt for fees and currency conversion.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Holidays from 'date-holidays';
import pino from 'pino';
import { loadConfig } from '../../src/config/config.js';
import { currencyExponent } from '../../src/domain/currency.js';
import { DEFAULT_USD_PER_UNIT } from '../../src/domain/fx-defaults.js';
import { FxTable } from '../../src/domain/fx.js';
import type { Store } from '../../src/domain/store.js';
import { COUNTRIES } from '../../src/firehose/countries.js';
import { ACQUIRERS_BY_REGION, FEE_PLANS } from '../../src/firehose/settlement.js';
import { startPlatform, type Platform } from '../../src/platform/platform.js';
import { RegistryStore } from '../../src/tenants/registry-store.js';
import { ExpectedMoneyBook } from '../../src/treasury/expected-money.js';
import { parseSettlementSetup, type SettlementSetup } from '../../src/treasury/settlement-setup.js';
import { convertRef, refBucket, type RefTxn } from '../serving/reference.js';
import { buildFixture, PARTITIONS, SEGMENT_BYTES, type Fixture } from '../serving/rollup-fixture.js';
import { tempDir, type TempDir } from '../support/temp-dir.js';

const DAY = 86_400_000;
const USD_ACQUIRER = 'adyen';

/** A set-up for every acquirer the generator uses: lags 1–3, one acquirer paying in USD, one fee plan without wallet rules. */
function setupDoc(): unknown {
  const acquirers = [...new Set(Object.values(ACQUIRERS_BY_REGION).flat())].sort();
  return {
    acquirers: acquirers.map((id, i) => ({ id, settlement_lag_days: 1 + (i % 3), payout_currency: id === USD_ACQUIRER ? 'USD' : null, reference_format: `${id.toUpperCase()}-{merchant_account}-{payout_date}` })),
    fee_plans: FEE_PLANS.map((id, i) => ({
      id,
      rules: [
        { tender: 'card', card_brand: '*', bps: 140 + i * 10, fixed_minor: i },
        { tender: 'card', card_brand: 'amex', bps: 289.5, fixed_minor: 5 },
        ...(id === 'blended-flat' ? [] : [{ tender: 'wallet', card_brand: '*', bps: 99.25, fixed_minor: 0 }]),
      ],
    })),
    calendar_overrides: [{ country: 'DE', date: '2026-10-26', business_day: false, name: 'bank closed' }],
  };
}

// ---- the reference ----
const halfEven = (num: bigint, den: bigint): bigint => {
  const neg = num < 0n;
  const n = neg ? -num : num;
  let q = n / den;
  const r = n - q * den;
  if (2n * r > den || (2n * r === den && q % 2n === 1n)) q += 1n;
  return neg ? -q : q;
};
const weekend = new Map(COUNTRIES.map((c) => [c.code, new Set<number>(c.weekend)]));
const holidayCache = new Map<string, Set<string>>();
function closed(country: string, date: string): boolean {
  if (country === 'DE' && date === '2026-10-26') return true;
  if (weekend.get(country)!.has(new Date(`${date}T00:00:00Z`).getUTCDay())) return true;
  const key = `${country}${date.slice(0, 4)}`;
  let set = holidayCache.get(key);
  if (set === undefined) {
    const h = new Holidays();
    set = new Set(h.getCountries()[country] === undefined ? [] : new Holidays(country).getHolidays(Number(date.slice(0, 4))).filter((x) => x.type === 'public' || x.type === 'bank').map((x) => x.date.slice(0, 10)));
    holidayCache.set(key, set);
  }
  return set.has(date);
}
function plusBusinessDays(country: string, date: string, n: number): string {
  let ms = Date.parse(`${date}T00:00:00Z`);
  for (let k = 0; k < n; ) {
    ms += DAY;
    if (!closed(country, new Date(ms).toISOString().slice(0, 10))) k++;
  }
  return new Date(ms).toISOString().slice(0, 10);
}

interface RefPayout {
  charged: number;
  refunds: number;
  fees: number;
}

function reference(txns: readonly RefTxn[], stores: Map<string, Store>, setup: SettlementSetup, cutoffMin: number): { payouts: Map<string, RefPayout>; deposits: Map<string, number>; unsettled: Map<string, number> } {
  // Lines: store, business day, tender, brand, currency.
  const lines = new Map<string, { t: RefTxn; day: string; sale: number; refund: number; void: number; sales: number }>();
  for (const t of txns) {
    const day = new Date(refBucket(t, 'day', 'store', cutoffMin)).toISOString().slice(0, 10);
    const k = [t.store.store_id, day, t.tender, t.card_brand ?? '', t.currency].join('|');
    let l = lines.get(k);
    if (l === undefined) lines.set(k, (l = { t, day, sale: 0, refund: 0, void: 0, sales: 0 }));
    if (t.type === 'sale') {
      l.sale += t.amount;
      l.sales++;
    } else if (t.type === 'refund') l.refund += t.amount;
    else {
      l.void += t.amount;
      l.sales--;
    }
  }
  const payouts = new Map<string, RefPayout>();
  const deposits = new Map<string, number>();
  const unsettled = new Map<string, number>();
  const addUnsettled = (reason: string, amount: number): void => void unsettled.set(reason, (unsettled.get(reason) ?? 0) + amount);
  for (const l of lines.values()) {
    const st = stores.get(l.t.store.store_id)!;
    const net = l.sale - l.refund - l.void;
    if (l.t.tender === 'cash') {
      if (st.bank_account === null) addUnsettled('no_bank_account', net);
      else {
        const id = `deposit:${st.store_id}:${l.day}:${l.t.currency}`;
        deposits.set(id, (deposits.get(id) ?? 0) + net);
      }
      continue;
    }
    if (l.t.tender !== 'card' && l.t.tender !== 'wallet') {
      addUnsettled('not_settled_tender', net);
      continue;
    }
    if (st.acquirer === null) {
      addUnsettled('no_settlement_setup', net);
      continue;
    }
    const acq = setup.acquirers.find((a) => a.id === st.acquirer)!;
    const plan = setup.feePlans.find((p) => p.id === st.fee_plan)!;
    const rule = plan.rules.find((r) => r.tender === l.t.tender && r.cardBrand === l.t.card_brand) ?? plan.rules.find((r) => r.tender === l.t.tender && r.cardBrand === '*');
    if (rule === undefined) {
      addUnsettled('no_fee_rule', net);
      continue;
    }
    const charged = l.sale - l.void;
    const fee = Number(halfEven(BigInt(charged) * BigInt(Math.round(rule.bps * 100)), 1_000_000n)) + rule.fixedMinor * l.sales;
    const currency = acq.payoutCurrency ?? l.t.currency;
    const conv = (x: number): number => convertRef(x, DEFAULT_USD_PER_UNIT[l.t.currency]!, currencyExponent(l.t.currency)!, DEFAULT_USD_PER_UNIT[currency]!, currencyExponent(currency)!);
    const date = plusBusinessDays(st.country, l.day, acq.lagDays);
    const id = `payout:${acq.id}:${st.merchant_account!}:${st.bank_account!}:${date}:${currency}`;
    const p = payouts.get(id) ?? { charged: 0, refunds: 0, fees: 0 };
    p.charged += conv(charged);
    p.refunds += conv(l.refund);
    p.fees += conv(fee);
    payouts.set(id, p);
  }
  for (const [id, amount] of deposits) if (amount <= 0) deposits.delete(id);
  for (const [id, p] of payouts) if (p.charged === 0 && p.refunds === 0) payouts.delete(id);
  return { payouts, deposits, unsettled };
}

void describe('expected money from the rollups equals a brute-force reference over the raw records', () => {
  let dir: TempDir;
  let fx: Fixture;
  let platform: Platform;
  const setup = parseSettlementSetup(setupDoc());

  before(async () => {
    dir = tempDir();
    fx = await buildFixture(dir.path, {
      seed: 11,
      stores: 160,
      tenants: [{ cutoff: '04:00' }, { cutoff: '00:00' }],
      // Late tills: records days late move the days they belong to. Oct 25: Europe falls back (a 25-hour day).
      windows: [{ start: '2026-10-20T00:00:00Z', durationMs: 9 * DAY, salesPerStoreDay: 14, faults: { late: 0.02, lateDurationMs: [30 * 3_600_000, 60 * 3_600_000] } }],
    });
    // Some stores without settlement set-up, some with a bank account only (cash deposits, card unsettled).
    const registries = new RegistryStore(dir.path);
    for (const t of fx.tenants) {
      t.stores = t.stores.map((s, i) => (i % 9 === 0 ? { ...s, acquirer: null, merchant_account: null, fee_plan: null, bank_account: null } : i % 9 === 1 ? { ...s, acquirer: null, merchant_account: null, fee_plan: null } : s));
      registries.put(t.id, t.stores);
    }
    const config = loadConfig({ env: {}, overrides: { dataDir: dir.path, logLevel: 'silent', 'ingest.tcpPort': 0, 'api.port': 0, 'log.segmentBytes': SEGMENT_BYTES, 'log.partitions': PARTITIONS } });
    platform = await startPlatform(config, pino({ level: 'silent' }));
  });

  after(async () => {
    await platform.close();
    await dir[Symbol.asyncDispose]();
  });

  void it('every payout, deposit and unsettled amount, to the minor unit, for both tenants', () => {
    for (const t of fx.tenants) {
      const stores = new Map(t.stores.map((s) => [s.store_id, s]));
      const book = new ExpectedMoneyBook({ source: platform.serving, setup: () => setup, setupVersion: () => 1, fx: () => FxTable.defaults(t.reporting), now: () => 0, refreshMs: 0 });
      const got = book.all(t.id);
      const ref = reference(fx.txns.filter((x) => x.tenant === t.id), stores, setup, t.cutoffMin);
      assert.ok(got.payouts.length > 50, `${t.id}: ${String(got.payouts.length)} payouts`);
      assert.deepEqual(new Map(got.payouts.map((p) => [p.id, { charged: p.charged, refunds: p.refunds, fees: p.fees }])), ref.payouts, `${t.id} payouts`);
      for (const p of got.payouts) assert.equal(p.amount, p.charged - p.refunds - p.fees);
      assert.ok(got.payouts.some((p) => p.currency === 'USD' && p.acquirer === USD_ACQUIRER) || !t.stores.some((s) => s.acquirer === USD_ACQUIRER), 'the USD-paying acquirer pays in USD');
      assert.ok(got.deposits.length > 100);
      assert.deepEqual(new Map(got.deposits.map((d) => [d.id, d.amount])), ref.deposits, `${t.id} deposits`);
      const unsettled = new Map<string, number>();
      for (const u of got.unsettled) unsettled.set(u.reason, (unsettled.get(u.reason) ?? 0) + u.amount);
      for (const [reason, amount] of ref.unsettled) if (amount === 0) ref.unsettled.delete(reason);
      assert.deepEqual(unsettled, ref.unsettled, `${t.id} unsettled`);
      assert.ok(unsettled.has('no_settlement_setup') && unsettled.has('no_bank_account'));
    }
  });

  void it('a payout drills down to store/day lines that add up to it', () => {
    const t = fx.tenants[0]!;
    const book = new ExpectedMoneyBook({ source: platform.serving, setup: () => setup, setupVersion: () => 1, fx: () => FxTable.defaults(t.reporting), now: () => 0, refreshMs: 0 });
    const all = book.all(t.id);
    for (const p of all.payouts.slice(0, 30)) {
      const lines = book.payoutLines(t.id, p);
      assert.equal(lines.length, p.lines, p.id);
      assert.equal(lines.reduce((s, l) => s + l.amount, 0), p.amount, p.id);
      assert.ok(lines.every((l) => l.payoutId === p.id && l.businessDay >= p.firstBusinessDay && l.businessDay <= p.lastBusinessDay));
    }
  });

  void it('payouts fall on banking business days of the store country, never on a weekend or holiday', () => {
    const t = fx.tenants[1]!;
    const book = new ExpectedMoneyBook({ source: platform.serving, setup: () => setup, setupVersion: () => 1, fx: () => FxTable.defaults(t.reporting), now: () => 0, refreshMs: 0 });
    const country = new Map(t.stores.filter((s) => s.merchant_account !== null).map((s) => [s.merchant_account!, s.country]));
    for (const p of book.all(t.id).payouts) assert.ok(!closed(country.get(p.merchantAccount)!, p.payoutDate), `${p.id} on a closed day`);
    for (const d of book.all(t.id).deposits) assert.ok(!closed(t.stores.find((s) => s.store_id === d.storeId)!.country, d.expectedDate), d.id);
  });
});
