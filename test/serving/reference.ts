/**
 * A brute-force reference for rollup queries, written apart from the
 * product's code: JSON.parse for records, Intl for local time, BigInt for
 * currency conversion, and plain loops for every metric.
 */
import { latLngToCell } from 'h3-js';
import type { Rec } from '../firehose/record-checker.js';
import type { Store } from '../../src/domain/store.js';

export interface RefTxn {
  tenant: string;
  txn_id: string;
  store: Store;
  ts: number;
  type: 'sale' | 'refund' | 'void';
  currency: string;
  amount: number;
  tax: number;
  discount: number;
  items: number;
  tender: string;
  card_brand: string | null;
  /** The same money in the reporting currency. */
  rep: { amount: number; tax: number; discount: number };
  receivedAt: number;
}

const DAY = 86_400_000;

/** A record line's fields, as JSON.parse gives them. */
export type ParsedLine = Rec;

/** A reference transaction from a parsed line, converted to `reporting` by the shipped default table. */
export function refTxnOf(tenant: string, p: ParsedLine, store: Store, reporting: string, receivedAt: number, usdPerUnit: Readonly<Record<string, string>>, exponent: (c: string) => number): RefTxn {
  const conv = (x: number): number => convertRef(x, usdPerUnit[p.currency]!, exponent(p.currency), usdPerUnit[reporting]!, exponent(reporting));
  return {
    tenant,
    txn_id: p.txn_id,
    store,
    ts: Date.parse(p.ts),
    type: p.type,
    currency: p.currency,
    amount: p.amount_minor,
    tax: p.tax_minor,
    discount: p.discount_minor ?? 0,
    items: p.items ?? 0,
    tender: p.tender,
    card_brand: p.card_brand ?? null,
    rep: { amount: conv(p.amount_minor), tax: conv(p.tax_minor), discount: conv(p.discount_minor ?? 0) },
    receivedAt,
  };
}

function decimal(s: string): { units: bigint; scale: bigint } {
  const [i, f = ''] = s.split('.');
  return { units: BigInt(i! + f), scale: BigInt(f.length) };
}

function halfEven(num: bigint, den: bigint): bigint {
  const neg = num < 0n !== den < 0n;
  const n = num < 0n ? -num : num;
  const d = den < 0n ? -den : den;
  let q = n / d;
  const r = n - q * d;
  if (2n * r > d || (2n * r === d && q % 2n === 1n)) q += 1n;
  return neg ? -q : q;
}

/** amount (minor of `from`) in minor units of `to`, with both worth `usdFrom`/`usdTo` US dollars per unit. */
export function convertRef(amount: number, usdFrom: string, expFrom: number, usdTo: string, expTo: number): number {
  if (usdFrom === usdTo && expFrom === expTo) return amount;
  const f = decimal(usdFrom);
  const t = decimal(usdTo);
  // amount / 10^ef × (fu / 10^fs) / (tu / 10^ts) × 10^et
  let num = BigInt(amount) * f.units * 10n ** t.scale;
  let den = t.units * 10n ** f.scale;
  if (expTo >= expFrom) num *= 10n ** BigInt(expTo - expFrom);
  else den *= 10n ** BigInt(expFrom - expTo);
  return Number(halfEven(num, den));
}

const formats = new Map<string, Intl.DateTimeFormat>();
const wall = new Map<string, number>();
/** Wall-clock time of `ms` in `zone`, as UTC-labelled ms (by Intl, minute resolution). */
export function wallClock(zone: string, ms: number): number {
  if (zone === 'UTC') return ms;
  const key = `${zone}|${String(Math.floor(ms / 60_000))}`;
  let v = wall.get(key);
  if (v === undefined) {
    let f = formats.get(zone);
    if (f === undefined) {
      f = new Intl.DateTimeFormat('en-US', { timeZone: zone, year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', hourCycle: 'h23' });
      formats.set(zone, f);
    }
    const p = Object.fromEntries(f.formatToParts(ms).map((x) => [x.type, x.value]));
    v = Date.UTC(Number(p['year']), Number(p['month']) - 1, Number(p['day']), Number(p['hour']), Number(p['minute']));
    wall.set(key, v);
  }
  return v + (ms % 60_000);
}

/** The bucket name of `ts` for a granularity in `tz` (`store` uses the store's zone and `cutoffMin`). */
export function refBucket(t: RefTxn, granularity: string, tz: string, cutoffMin: number): number {
  const zone = tz === 'store' ? t.store.timezone : tz;
  const local = wallClock(zone, t.ts);
  const cut = tz === 'store' ? cutoffMin * 60_000 : 0;
  const day = Math.floor((local - cut) / DAY);
  switch (granularity) {
    case '15m':
      return Math.floor(local / 900_000) * 900_000;
    case 'hour':
      return Math.floor(local / 3_600_000) * 3_600_000;
    case 'day':
      return day * DAY;
    case 'week':
      return (day - (((day + 3) % 7) + 7) % 7) * DAY;
    case 'month': {
      const d = new Date(day * DAY);
      return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
    }
  }
  throw new Error(granularity);
}

/** A group's value for a dimension. */
export function refKey(t: RefTxn, dim: string): string {
  switch (dim) {
    case 'store':
      return t.store.store_id;
    case 'city':
      return `${t.store.country}/${t.store.city}`;
    case 'region':
      return t.store.region;
    case 'country':
      return t.store.country;
    case 'tender':
      return t.tender;
    case 'card_brand':
      return t.card_brand ?? 'none';
    case 'currency':
      return t.currency;
  }
  if (dim.startsWith('h3:')) return latLngToCell(t.store.lat, t.store.lon, Number(dim.slice(3)));
  throw new Error(dim);
}

/** Every metric of a set of transactions, computed the long way. */
export function refMetrics(txns: readonly RefTxn[], original = false): Record<string, number | null> {
  const m = (t: RefTxn): { amount: number; tax: number; discount: number } => (original ? t : t.rep);
  const sum = (type: string, f: (t: RefTxn) => number): number => txns.filter((t) => t.type === type).reduce((s, t) => s + f(t), 0);
  const gross = sum('sale', (t) => m(t).amount);
  const refunds = sum('refund', (t) => m(t).amount);
  const voids = sum('void', (t) => m(t).amount);
  const net = gross - refunds - voids;
  const tax = sum('sale', (t) => m(t).tax) - sum('refund', (t) => m(t).tax) - sum('void', (t) => m(t).tax);
  const saleCount = txns.filter((t) => t.type === 'sale').length;
  return {
    gross_sales: gross,
    refunds,
    voids,
    net_sales: net,
    tax,
    net_revenue: net - tax,
    discounts: sum('sale', (t) => m(t).discount),
    sale_count: saleCount,
    refund_count: txns.filter((t) => t.type === 'refund').length,
    void_count: txns.filter((t) => t.type === 'void').length,
    items: sum('sale', (t) => t.items) - sum('refund', (t) => t.items),
    avg_basket: saleCount === 0 ? null : Number(halfEven(BigInt(net), BigInt(saleCount))),
  };
}

export const ALL_METRICS = ['gross_sales', 'refunds', 'voids', 'net_sales', 'tax', 'net_revenue', 'discounts', 'sale_count', 'refund_count', 'void_count', 'items', 'avg_basket'];

/** `YYYY-MM-DDTHH:MM` of a bucket name. */
export function bucketText(ms: number): string {
  return new Date(ms).toISOString().slice(0, 16);
}

/**
 * The reference answer of a series query, in the API's shape: groups keyed
 * by JSON of their key, each a map bucket text → metrics.
 */
export function refSeries(
  txns: readonly RefTxn[],
  q: { granularity: string; tz: string; from: number; to: number; groupBy: string[]; cutoffMin: number; original?: boolean },
): Map<string, Map<string, Record<string, number | null>>> {
  const groups = new Map<string, Map<string, RefTxn[]>>();
  for (const t of txns) {
    const b = refBucket(t, q.granularity, q.tz, q.cutoffMin);
    if (b < q.from || b >= q.to) continue;
    const key: Record<string, string> = {};
    for (const d of q.groupBy) key[d] = refKey(t, d);
    const k = JSON.stringify(key);
    let g = groups.get(k);
    if (g === undefined) groups.set(k, (g = new Map()));
    const bt = bucketText(b);
    let list = g.get(bt);
    if (list === undefined) g.set(bt, (list = []));
    list.push(t);
  }
  const out = new Map<string, Map<string, Record<string, number | null>>>();
  for (const [k, g] of groups) out.set(k, new Map([...g].map(([b, list]) => [b, refMetrics(list, q.original)])));
  return out;
}
