/**
 * Answers dashboard queries from a tenant's rollups: time series of any
 * metrics at any granularity and time zone, grouped by place and by tender,
 * card brand or currency, scoped by geography; and top-N lists.
 *
 * A bucket is named by its local start in the query's zone (see
 * domain/time-buckets.ts); `from` and `to` bound bucket names, so a row
 * counts when `from ≤ bucket < to`. Rows are UTC quarter hours or whole
 * days, and every zone offset in use is a whole number of quarter hours, so
 * a row never straddles two buckets: sums are exact in every zone.
 *
 * Plan: the fewest nodes that cover the selected stores (the tenant, whole
 * countries, whole cities, then single stores), and the coarsest resolution
 * that answers the question (day rows for day/week/month in the store's
 * zone or UTC; quarter-hour totals otherwise; quarter-hour breakdowns, kept
 * for the hot window, when a breakdown is asked at finer grain).
 */
import { CURRENCY_CODES } from '../domain/currency.js';
import { inScope, type GeoScope } from '../domain/geo.js';
import { isPlaceGrouping, placeKey, type GroupBy, type PlaceDimension } from '../domain/grouping.js';
import { metricValue, SUM_COUNT, SumOverflowError, type Metric } from '../domain/metrics.js';
import { bucketOf, bucketOfLocal, clockFor, DAY_MS, nextBucket, QUARTER_MS, UTC_CLOCK, type BucketClock, type Granularity } from '../domain/time-buckets.js';
import { CARD_BRANDS, TENDERS } from '../domain/transaction.js';
import type { DaySeries } from './day-series.js';
import { dimsBrand, dimsCurrency, dimsTender, ORIGINAL_COUNT, QUARTERS_PER_DAY, ROW_WIDTH, TOTAL_KEY, type RollupNode, type ServedStore, type TenantRollups } from './tenant-rollups.js';

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
    readonly code: 'invalid_query' | 'too_many_points' | 'resolution_not_retained',
    message: string,
  ) {
    super(message);
  }
}

/** Most (group × bucket) points one query may return. */
export const MAX_POINTS = 200_000;

const BRAND_NONE = CARD_BRANDS.length;
const KEY_SPAN = 1 << 14;

function dimName(g: GroupBy): string {
  return g.kind === 'h3' ? `h3:${String(g.resolution)}` : g.kind;
}

/** The stores a filter selects. */
export function selectStores(t: TenantRollups, f: StoreFilter): ServedStore[] {
  if (f.scopes.length === 0 && f.storeIds === undefined) return t.stores;
  const ids = f.storeIds === undefined ? null : new Set(f.storeIds);
  return t.stores.filter((s) => (ids === null || ids.has(s.store.store_id)) && f.scopes.every((sc) => inScope(sc, s.store)));
}

type Level = 'tenant' | 'country' | 'city' | 'store';
const LEVEL_RANK: Record<Level, number> = { tenant: 0, country: 1, city: 2, store: 3 };

/** The finest node level the place group-by needs. */
function levelFor(place: readonly GroupBy[]): Level {
  let level: Level = 'tenant';
  const need = (l: Level): void => {
    if (LEVEL_RANK[l] > LEVEL_RANK[level]) level = l;
  };
  for (const g of place) {
    if (g.kind === 'country') need('country');
    else if (g.kind === 'city') need('city');
    else need('store'); // store, region (not nested in cities by rule), h3
  }
  return level;
}

interface Covered {
  node: RollupNode;
  /** The store, for store nodes (its zone decides tz=store buckets). */
  store: ServedStore | null;
}

/** The fewest nodes whose stores are exactly `selected`. */
function cover(t: TenantRollups, selected: readonly ServedStore[], level: Level): Covered[] {
  if (selected.length === t.stores.length && level === 'tenant') return t.stores.length === 0 ? [] : [{ node: t.tenantNode, store: null }];
  const out: Covered[] = [];
  const inCountry = new Map<RollupNode, number>();
  const inCity = new Map<RollupNode, number>();
  for (const s of selected) {
    inCountry.set(s.country, (inCountry.get(s.country) ?? 0) + 1);
    inCity.set(s.city, (inCity.get(s.city) ?? 0) + 1);
  }
  const wholeCountry = new Set<RollupNode>();
  if (LEVEL_RANK[level] <= LEVEL_RANK.country) {
    for (const [n, k] of inCountry) {
      if (k === n.members) {
        wholeCountry.add(n);
        out.push({ node: n, store: null });
      }
    }
  }
  const wholeCity = new Set<RollupNode>();
  if (LEVEL_RANK[level] <= LEVEL_RANK.city) {
    for (const [n, k] of inCity) {
      if (k === n.members && !wholeCountry.has(t.countries.get(n.sample!.country)!)) {
        wholeCity.add(n);
        out.push({ node: n, store: null });
      }
    }
  }
  for (const s of selected) if (!wholeCountry.has(s.country) && !wholeCity.has(s.city)) out.push({ node: s.node, store: s });
  return out;
}

type Resolution = 'day' | 'quarter' | 'quarterCombos';

interface Plan {
  resolution: Resolution;
  combos: boolean;
  /** Local axis (tz=store). */
  local: boolean;
}

function plan(q: Omit<SeriesQuery, 'metrics' | keyof StoreFilter>): Plan {
  const txn = q.groupBy.some((g) => !isPlaceGrouping(g));
  const combos = txn || q.currency === 'original';
  const local = q.tz === 'store';
  const dayGrain = q.granularity === 'day' || q.granularity === 'week' || q.granularity === 'month';
  if (dayGrain && (local || q.tz === 'UTC')) return { resolution: 'day', combos, local };
  return { resolution: combos ? 'quarterCombos' : 'quarter', combos, local };
}

interface Accumulator {
  key: Record<string, string>;
  buckets: Map<number, Float64Array>;
}

/**
 * Sums the rows of the selected stores into groups and buckets. `single`
 * puts the whole range into one bucket (0), for totals and top-N.
 */
function accumulate(t: TenantRollups, selected: readonly ServedStore[], q: Omit<SeriesQuery, 'metrics' | keyof StoreFilter>, single: boolean): Accumulator[] {
  const place = q.groupBy.filter(isPlaceGrouping);
  const txn = q.groupBy.filter((g) => !isPlaceGrouping(g));
  const original = q.currency === 'original';
  if (original && !txn.some((g) => g.kind === 'currency')) {
    throw new QueryError('invalid_query', 'currency=original sums each currency apart: add group_by=currency');
  }
  const p = plan(q);
  const nodes = cover(t, selected, levelFor(place));

  // Days to read. Day rows are named by their own day: a bucket name ≥ from
  // needs a day ≥ from, and the last bucket runs to its end. Quarter rows are
  // UTC: local names are within ±14 h, a business day ends ≤ 23:45 late.
  let dayFrom: number;
  let dayTo: number;
  if (p.resolution === 'day') {
    dayFrom = Math.floor(q.from / DAY_MS);
    dayTo = Math.ceil(nextBucket(bucketOfLocal(q.to - 1, q.granularity, 0), q.granularity) / DAY_MS);
  } else {
    dayFrom = Math.floor(q.from / DAY_MS) - 2;
    dayTo = Math.ceil(nextBucket(bucketOfLocal(q.to - 1, q.granularity, 0), q.granularity) / DAY_MS) + 2;
    if (p.resolution === 'quarterCombos' && dayFrom + 1 < t.hotFrom) {
      throw new QueryError(
        'resolution_not_retained',
        `breakdowns by tender, card_brand or currency at ${q.granularity} grain${q.tz === 'store' || q.tz === 'UTC' ? '' : ` in ${q.tz}`} are kept for the last ${String(t.hotDays)} days (from ${new Date(t.hotFrom * DAY_MS).toISOString().slice(0, 10)}); ` +
          'ask a later range, day/week/month grain with tz=store or UTC, or no breakdown',
      );
    }
  }

  const groups = new Map<string, Accumulator>();
  let points = 0;
  const clocks = new Map<string, BucketClock>();
  const clockOf = (zone: string): BucketClock => {
    let c = clocks.get(zone);
    if (c === undefined) {
      c = clockFor(q.tz, zone, t.settings.cutoffMinutes);
      clocks.set(zone, c);
    }
    return c;
  };
  const width = p.resolution === 'quarter' ? SUM_COUNT : ROW_WIDTH;
  const dimsCache = new Map<number, string>();
  const txnPart = (d: number): string => {
    let s = dimsCache.get(d);
    if (s === undefined) {
      s = '';
      for (const g of txn) s += `\u0000${String(g.kind === 'tender' ? dimsTender(d) : g.kind === 'card_brand' ? dimsBrand(d) : dimsCurrency(d))}`;
      dimsCache.set(d, s);
    }
    return s;
  };

  for (const { node, store } of nodes) {
    const sample = store?.store ?? node.sample!;
    const placeValues = place.map((g) => placeKey(sample, g as { kind: PlaceDimension }));
    const placePart = placeValues.join('\u0000');
    const accFor = (d: number): Accumulator => {
      const gk = txn.length === 0 ? placePart : placePart + txnPart(d);
      let acc = groups.get(gk);
      if (acc === undefined) {
        const key: Record<string, string> = {};
        place.forEach((g, i) => (key[dimName(g)] = placeValues[i]!));
        for (const g of txn) {
          if (g.kind === 'tender') key['tender'] = TENDERS[dimsTender(d)]!;
          else if (g.kind === 'card_brand') key['card_brand'] = dimsBrand(d) === BRAND_NONE ? 'none' : CARD_BRANDS[dimsBrand(d)]!;
          else key['currency'] = CURRENCY_CODES[dimsCurrency(d)]!;
        }
        acc = { key, buckets: new Map() };
        groups.set(gk, acc);
      }
      return acc;
    };
    const plain = txn.length === 0 ? accFor(0) : null;
    // Per node, combination → accumulator: a number lookup instead of a string key per row.
    const byDims = new Map<number, Accumulator>();
    const accOf = (d: number): Accumulator => {
      let a = byDims.get(d);
      if (a === undefined) byDims.set(d, (a = accFor(d)));
      return a;
    };
    const add = (acc: Accumulator, bucket: number, sums: Int32Array | Float64Array, at: number): void => {
      const bk = single ? 0 : bucket;
      let into = acc.buckets.get(bk);
      if (into === undefined) {
        if (++points > MAX_POINTS) throw new QueryError('too_many_points', `the query gives more than ${String(MAX_POINTS)} points: narrow the range, coarsen the granularity or group by less`);
        into = new Float64Array(SUM_COUNT);
        acc.buckets.set(bk, into);
      }
      if (original) {
        for (let i = 0; i < ORIGINAL_COUNT; i++) into[i]! += sums[at + SUM_COUNT + i]!;
        for (let i = ORIGINAL_COUNT; i < SUM_COUNT; i++) into[i]! += sums[at + i]!;
      } else {
        for (let i = 0; i < SUM_COUNT; i++) into[i]! += sums[at + i]!;
      }
    };

    if (p.resolution === 'day') {
      const series = p.local ? node.bLocal : node.bUtc;
      series.forEachDay(dayFrom, dayTo, (day, keys, sums, lo, hi) => {
        const bucket = bucketOfLocal(day * DAY_MS, q.granularity, 0);
        if (bucket < q.from || bucket >= q.to) return;
        if (!p.combos) {
          // The total row has the largest key: last of its day.
          if (keys[hi - 1] === TOTAL_KEY) add(plain!, bucket, sums, (hi - 1) * width);
          return;
        }
        for (let r = lo; r < hi; r++) {
          const key = keys[r]!;
          if (key === TOTAL_KEY) continue;
          add(plain ?? accOf(key), bucket, sums, r * width);
        }
      });
      continue;
    }
    // Quarter rows: on the local axis for a virtual node in tz=store, else UTC.
    const onLocal = p.local && store === null;
    let series: DaySeries;
    if (p.resolution === 'quarter') series = onLocal ? node.aLocal! : node.aUtc;
    else series = onLocal ? node.cLocal! : node.cUtc;
    const clock = onLocal ? null : q.tz === 'UTC' ? UTC_CLOCK : clockOf(store?.store.timezone ?? 'UTC');
    const cutoff = t.settings.cutoffMinutes;
    series.forEachDay(dayFrom, dayTo, (day, keys, sums, lo, hi) => {
      // Rows are sorted by key, and a key starts with its quarter: one bucket per run of rows.
      let lastSlot = -1;
      let bucket = 0;
      let inRange = false;
      for (let r = lo; r < hi; r++) {
        const key = keys[r]!;
        const slot = p.combos ? Math.floor(key / KEY_SPAN) : key;
        if (slot !== lastSlot) {
          lastSlot = slot;
          const ms = (day * QUARTERS_PER_DAY + slot) * QUARTER_MS;
          bucket = clock === null ? bucketOfLocal(ms, q.granularity, cutoff) : bucketOf(ms, q.granularity, clock);
          inRange = bucket >= q.from && bucket < q.to;
        }
        if (!inRange) continue;
        add(plain ?? accOf(key - slot * KEY_SPAN), bucket, sums, r * width);
      }
    });
  }
  // Query sums add without a check per row; one check at the end keeps them exact.
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

/**
 * Ranks places by a metric over the buckets of [from, to) at day grain
 * (quarter hours when from/to are not whole days); ties by key; null (no
 * sales, for avg_basket) last.
 */
export function runTop(t: TenantRollups, q: TopQuery): TopRow[] {
  checkRange(q);
  if (!isPlaceGrouping(q.by)) throw new QueryError('invalid_query', `top ranks places (store, city, region, country, h3:<r>), not ${q.by.kind}`);
  const granularity: Granularity = q.from % DAY_MS === 0 && q.to % DAY_MS === 0 ? 'day' : '15m';
  const accs = accumulate(t, selectStores(t, q), { granularity, tz: q.tz, from: q.from, to: q.to, groupBy: [q.by], currency: 'reporting' }, true);
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
