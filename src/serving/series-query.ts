/**
 * Answers dashboard queries from a tenant's rollup cells: time series of
 * any metrics at any granularity and time zone, grouped by place and by
 * tender, card brand or currency, scoped by geography; and top-N lists.
 *
 * A bucket is named by its local start in the query's zone (see
 * domain/time-buckets.ts); `from` and `to` bound bucket names, so a cell
 * counts when `from ≤ bucket < to`. Cells are UTC quarter hours, and every
 * zone offset in use is a whole number of quarter hours, so a cell never
 * straddles two buckets: sums are exact in every zone.
 */
import { SUM_COUNT, SumOverflowError, metricValue, type Metric } from '../domain/metrics.js';
import { CURRENCY_CODES } from '../domain/currency.js';
import { inScope, type GeoScope } from '../domain/geo.js';
import { isPlaceGrouping, placeKey, type GroupBy } from '../domain/grouping.js';
import { bucketOf, clockFor, DAY_MS, type BucketClock, type Granularity } from '../domain/time-buckets.js';
import { CARD_BRANDS, TENDERS } from '../domain/transaction.js';
import { dimsBrand, dimsCurrency, dimsTender, ORIGINAL_COUNT } from './rollup-cells.js';
import type { ServedStore, TenantRollups } from './tenant-rollups.js';

/** Which stores a query covers: all scopes must match (and the store list, when given). */
export interface StoreFilter {
  scopes: readonly GeoScope[];
  storeIds?: readonly string[];
}

export interface SeriesQuery extends StoreFilter {
  metrics: readonly Metric[];
  granularity: Granularity;
  /** `store`, `UTC` or an IANA zone. */
  tz: string;
  /** First bucket name (local wall clock, UTC-labelled ms), inclusive. */
  from: number;
  /** Bucket names stop before this. */
  to: number;
  groupBy: readonly GroupBy[];
  /** `original` sums each currency on its own (needs a `currency` group). */
  currency: 'reporting' | 'original';
}

export interface SeriesPoint {
  bucket: number;
  values: (number | null)[];
}

export interface SeriesGroup {
  /** The group's value for each group-by dimension, by dimension name (`h3:7` for H3). */
  key: Record<string, string>;
  points: SeriesPoint[];
}

export class QueryError extends Error {
  override readonly name = 'QueryError';
  constructor(
    readonly code: 'invalid_query' | 'too_many_points',
    message: string,
  ) {
    super(message);
  }
}

/** Most (group × bucket) points one query may return. */
export const MAX_POINTS = 200_000;

const BRAND_NONE = CARD_BRANDS.length;

function dimName(g: GroupBy): string {
  return g.kind === 'h3' ? `h3:${String(g.resolution)}` : g.kind;
}

/** The stores a filter selects. */
export function selectStores(t: TenantRollups, f: StoreFilter): ServedStore[] {
  const ids = f.storeIds === undefined ? null : new Set(f.storeIds);
  return t.stores.filter((s) => (ids === null || ids.has(s.store.store_id)) && f.scopes.every((sc) => inScope(sc, s.store)));
}

interface Accumulator {
  key: Record<string, string>;
  buckets: Map<number, Float64Array>;
}

/**
 * Sums the cells of `stores` into groups and buckets. `bucketFn` null puts
 * every cell of the range into one bucket (0), for totals and top-N.
 */
function accumulate(t: TenantRollups, stores: readonly ServedStore[], q: Omit<SeriesQuery, 'metrics' | keyof StoreFilter>, single: boolean): Accumulator[] {
  const cells = t.cells;
  const place = q.groupBy.filter(isPlaceGrouping);
  const txn = q.groupBy.filter((g) => !isPlaceGrouping(g));
  const original = q.currency === 'original';
  if (original && !txn.some((g) => g.kind === 'currency')) {
    throw new QueryError('invalid_query', "currency=original sums each currency apart: add group_by=currency");
  }
  // Cells are UTC quarters; bucket names are local. Local time is within
  // ±14 h of UTC and a business day may end up to 23:45 after midnight.
  const fromDay = Math.floor(q.from / DAY_MS) - 2;
  const toDay = Math.floor((q.to - 1) / DAY_MS) + 2;
  const groups = new Map<string, Accumulator>();
  const clocks = new Map<string, BucketClock>();
  let points = 0;
  for (const s of stores) {
    let clock = clocks.get(s.store.timezone);
    if (clock === undefined) {
      clock = clockFor(q.tz, s.store.timezone, t.settings.cutoffMinutes);
      clocks.set(s.store.timezone, clock);
    }
    const placeKeyParts = place.map((g) => placeKey(s.store, g));
    const placePart = placeKeyParts.join('\u0000');
    const c = clock;
    cells.forEachInDays(s.index, fromDay, toDay, (id) => {
      const b = bucketOf(cells.startMs(id), q.granularity, c);
      if (b < q.from || b >= q.to) return;
      const d = cells.dims[id]!;
      let txnPart = '';
      for (const g of txn) txnPart += `\u0000${String(g.kind === 'tender' ? dimsTender(d) : g.kind === 'card_brand' ? dimsBrand(d) : dimsCurrency(d))}`;
      const gk = placePart + txnPart;
      let acc = groups.get(gk);
      if (acc === undefined) {
        const key: Record<string, string> = {};
        place.forEach((g, i) => (key[dimName(g)] = placeKeyParts[i]!));
        for (const g of txn) {
          if (g.kind === 'tender') key['tender'] = TENDERS[dimsTender(d)]!;
          else if (g.kind === 'card_brand') key['card_brand'] = dimsBrand(d) === BRAND_NONE ? 'none' : CARD_BRANDS[dimsBrand(d)]!;
          else key['currency'] = CURRENCY_CODES[dimsCurrency(d)]!;
        }
        acc = { key, buckets: new Map() };
        groups.set(gk, acc);
      }
      const bk = single ? 0 : b;
      let sums = acc.buckets.get(bk);
      if (sums === undefined) {
        if (++points > MAX_POINTS) throw new QueryError('too_many_points', `the query gives more than ${String(MAX_POINTS)} points: narrow the range, coarsen the granularity or group by less`);
        sums = new Float64Array(SUM_COUNT);
        acc.buckets.set(bk, sums);
      }
      const r = id * SUM_COUNT;
      if (original) {
        const o = id * ORIGINAL_COUNT;
        for (let i = 0; i < ORIGINAL_COUNT; i++) sums[i]! += cells.orig[o + i]!;
        for (let i = ORIGINAL_COUNT; i < SUM_COUNT; i++) sums[i]! += cells.rep[r + i]!;
      } else {
        for (let i = 0; i < SUM_COUNT; i++) sums[i]! += cells.rep[r + i]!;
      }
    });
  }
  // Query sums add without a check per cell; one check at the end keeps them exact.
  for (const g of groups.values()) {
    for (const sums of g.buckets.values()) {
      for (const v of sums) if (!Number.isSafeInteger(v)) throw new SumOverflowError(`a sum of this query reached ${String(v)}, beyond 2^53 − 1: narrow the scope or the range`);
    }
  }
  return [...groups.values()];
}

function checkRange(q: { from: number; to: number }): void {
  if (!(q.from < q.to)) throw new QueryError('invalid_query', `from must be before to, got ${new Date(q.from).toISOString()} and ${new Date(q.to).toISOString()}`);
}

function compareKeys(a: Record<string, string>, b: Record<string, string>): number {
  const x = Object.values(a).join('\u0000');
  const y = Object.values(b).join('\u0000');
  return x < y ? -1 : x > y ? 1 : 0;
}

/**
 * A time series query. Groups are ordered by key; points by bucket, and
 * only buckets with at least one transaction appear.
 * @example runSeries(t, { metrics: ['net_sales'], granularity: 'day', tz: 'store', from, to, groupBy: [], scopes: [], currency: 'reporting' })
 */
export function runSeries(t: TenantRollups, q: SeriesQuery): SeriesGroup[] {
  checkRange(q);
  const accs = accumulate(t, selectStores(t, q), q, false);
  return accs
    .map((a) => ({
      key: a.key,
      points: [...a.buckets.entries()]
        .sort((x, y) => x[0] - y[0])
        .map(([bucket, sums]) => ({ bucket, values: q.metrics.map((m) => metricValue(sums, 0, m)) })),
    }))
    .sort((a, b) => compareKeys(a.key, b.key));
}

export interface TopQuery extends StoreFilter {
  metric: Metric;
  /** Also returned for each row. */
  metrics: readonly Metric[];
  /** What to rank: stores by default, or another place dimension. */
  by: GroupBy;
  tz: string;
  from: number;
  to: number;
  limit: number;
  order: 'desc' | 'asc';
}

export interface TopRow {
  key: Record<string, string>;
  values: (number | null)[];
}

/** Ranks places by a metric over [from, to); ties by key; null (no sales, for avg_basket) last. */
export function runTop(t: TenantRollups, q: TopQuery): TopRow[] {
  checkRange(q);
  if (!isPlaceGrouping(q.by)) throw new QueryError('invalid_query', `top ranks places (store, city, region, country, h3:<r>), not ${q.by.kind}`);
  const accs = accumulate(t, selectStores(t, q), { granularity: '15m', tz: q.tz, from: q.from, to: q.to, groupBy: [q.by], currency: 'reporting' }, true);
  const rows = accs.map((a) => {
    const sums = a.buckets.get(0)!;
    return { key: a.key, rank: metricValue(sums, 0, q.metric), values: q.metrics.map((m) => metricValue(sums, 0, m)) };
  });
  const dir = q.order === 'desc' ? -1 : 1;
  rows.sort((a, b) => {
    if (a.rank === null || b.rank === null) return a.rank === b.rank ? compareKeys(a.key, b.key) : a.rank === null ? 1 : -1;
    return a.rank !== b.rank ? dir * (a.rank - b.rank) : compareKeys(a.key, b.key);
  });
  return rows.slice(0, q.limit).map(({ key, values }) => ({ key, values }));
}

/** Sums of one group over the whole range, for a store page or an overview. */
export function runTotals(t: TenantRollups, q: Omit<TopQuery, 'metric' | 'by' | 'limit' | 'order'>): (number | null)[] {
  checkRange(q);
  const accs = accumulate(t, selectStores(t, q), { granularity: '15m', tz: q.tz, from: q.from, to: q.to, groupBy: [], currency: 'reporting' }, true);
  const sums = accs[0]?.buckets.get(0) ?? new Float64Array(SUM_COUNT);
  return q.metrics.map((m) => metricValue(sums, 0, m));
}
