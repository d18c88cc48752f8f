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
import { metricValue, SUM, SUM_COUNT, SumOverflowError, type Metric } from '../domain/metrics.js';
import { bucketOf, bucketOfLocal, clockFor, DAY_MS, HOUR_MS, nextBucket, QUARTER_MS, UTC_CLOCK, type BucketClock, type Granularity } from '../domain/time-buckets.js';
import { CARD_BRANDS, TENDERS } from '../domain/transaction.js';
import type { DaySeries } from './day-series.js';
import type { DayTotals } from './day-totals.js';
import { MAX_FLAT_CELLS, sumDayTotals, topGroups, type FlatSums } from './day-totals-query.js';
import { dimsBrand, dimsCurrency, dimsTender, ORIGINAL_COUNT, QUARTERS_PER_DAY, ROW_WIDTH, type RollupNode, type ServedStore, type TenantRollups } from './tenant-rollups.js';

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

/** The stores a filter selects, in store order (the geo index narrows the candidates first). */
export function selectStores(t: TenantRollups, f: StoreFilter): ServedStore[] {
  if (f.scopes.length === 0 && f.storeIds === undefined) return t.stores;
  let pool: readonly ServedStore[] = t.stores;
  if (f.storeIds !== undefined) {
    pool = [...new Set(f.storeIds)].flatMap((id) => t.storeById(id) ?? []).sort((a, b) => a.index - b.index);
  } else {
    const index = t.storeIndex();
    for (const sc of f.scopes) {
      const c = index.candidates(sc);
      if (c !== null && c.length < pool.length) pool = c;
    }
  }
  return pool.filter((s) => f.scopes.every((sc) => inScope(sc, s.store)));
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
  if (level === 'store') return selected.map((s) => ({ node: s.node, store: s }));
  if (selected.length === t.stores.length && level === 'tenant') return t.stores.length === 0 ? [] : [{ node: t.tenantNode, store: null }];
  if (selected.length === t.stores.length && level === 'country') return [...t.countries.values()].map((node) => ({ node, store: null }));
  if (selected.length === t.stores.length && level === 'city') return [...t.cities.values()].map((node) => ({ node, store: null }));
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
  for (const [n, k] of inCity) {
    if (k === n.members && !wholeCountry.has(t.countries.get(n.sample!.country)!)) {
      wholeCity.add(n);
      out.push({ node: n, store: null });
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
  placeValues: string[];
  /** The tender/brand/currency combination (when one is grouped by). */
  dims: number;
  /** The key's values joined, for ordering. */
  sortKey: string;
  /** The first bucket and the offset of its sums in `GroupSums.sums` (-1: none yet). */
  bucket0: number;
  at0: number;
  /** Further buckets → offsets. */
  more: Map<number, number> | null;
  /** On a regular grid of buckets: bucket index → offset (-1: none). */
  grid: Int32Array | null;
}

/** Buckets named base, base + step, …: a group finds a bucket's sums by index. */
interface BucketGrid {
  base: number;
  step: number;
  count: number;
}

/** A group's buckets and the offsets of their sums, in bucket order. */
function bucketsOf(a: Accumulator, grid: BucketGrid | null): [number, number][] {
  if (a.grid !== null) {
    const out: [number, number][] = [];
    for (let i = 0; i < a.grid.length; i++) if (a.grid[i]! >= 0) out.push([grid!.base + i * grid!.step, a.grid[i]!]);
    return out;
  }
  const out: [number, number][] = a.at0 < 0 ? [] : [[a.bucket0, a.at0]];
  if (a.more !== null) {
    for (const e of a.more) out.push(e);
    out.sort((x, y) => x[0] - y[0]);
  }
  return out;
}

/** The sums columns that count transactions: a bucket with none of them is left out. */
const COUNT_COLUMNS = [SUM.saleCount, SUM.refundCount, SUM.voidCount];

const NET = [SUM.gross, SUM.refunds, SUM.voids];
const TAX = [SUM.taxSale, SUM.taxRefund, SUM.taxVoid];
/** The sums each metric reads (metricValue). */
const METRIC_SUMS: Record<Metric, readonly number[]> = {
  gross_sales: [SUM.gross],
  refunds: [SUM.refunds],
  voids: [SUM.voids],
  net_sales: NET,
  tax: TAX,
  net_revenue: [...NET, ...TAX],
  discounts: [SUM.discounts],
  sale_count: [SUM.saleCount],
  refund_count: [SUM.refundCount],
  void_count: [SUM.voidCount],
  items: [SUM.itemsSale, SUM.itemsRefund],
  avg_basket: [...NET, SUM.saleCount],
};

/**
 * The row columns (a bit each) a query reads: its metrics' sums and the
 * counts; money from the original-currency columns when asked unconverted.
 * Sealed chunks decode only these.
 */
function columnsFor(metrics: readonly Metric[], original: boolean): { mask: number; sums: Int32Array; from: Int32Array } {
  const need = new Set<number>(COUNT_COLUMNS);
  for (const m of metrics) for (const i of METRIC_SUMS[m]) need.add(i);
  const sums = Int32Array.from([...need].sort((a, b) => a - b));
  const from = sums.map((i) => (original && i < ORIGINAL_COUNT ? SUM_COUNT + i : i));
  let mask = 0;
  for (const c of from) mask |= 1 << c;
  return { mask, sums, from };
}

/** The place key of a store for a group-by; H3 cells are worked out once per store and resolution. */
function storePlaceKey(s: ServedStore, g: { kind: PlaceDimension } | { kind: 'h3'; resolution: number }): string {
  if (g.kind !== 'h3') return placeKey(s.store, g);
  const cells = (s.h3 ??= []);
  return (cells[g.resolution] ??= placeKey(s.store, g));
}

/**
 * Where the rows of a query add up: groups by key, and in each group sums
 * by bucket, all in one growing array (thousands of small arrays would
 * cost more in allocation and collection than the sums themselves). A
 * node's rows go to its place group, split further by combination when a
 * transaction dimension is grouped.
 */
class GroupSums {
  private readonly groups = new Map<string, Accumulator>();
  private readonly list: Accumulator[] = [];
  sums = new Float64Array(64 * SUM_COUNT);
  private used = 0;
  private placeValues: string[] = [];
  private placePart = '';
  private plain: Accumulator | null = null;
  /** Of the current node: combination → group, and the combinations set. */
  private readonly byDims: (Accumulator | undefined)[] = [];
  private readonly touched: number[] = [];
  private readonly dimsParts = new Map<number, [string, string]>();

  constructor(
    private readonly place: readonly GroupBy[],
    private readonly txn: readonly GroupBy[],
    /** The sums a query reads, and the row column each comes from (rows hold anything in the others). */
    private readonly cols: { sums: Int32Array; from: Int32Array },
    /** Regular buckets (all but months): found by index, not by a map. */
    readonly grid: BucketGrid | null,
    /** Every node is a group of its own (grouped by store): no lookup by key. */
    private readonly unique: boolean,
  ) {}

  startNode(placeValues: string[]): void {
    this.placeValues = placeValues;
    this.placePart = placeValues.length === 1 ? placeValues[0]! : placeValues.join('\u0000');
    this.plain = null;
    for (const d of this.touched) this.byDims[d] = undefined;
    this.touched.length = 0;
  }

  /** The group of combination `dims` (any, when no transaction dimension is grouped) of the current node. */
  group(dims: number): Accumulator {
    if (this.txn.length === 0) return (this.plain ??= this.make(this.placePart, this.placePart, 0));
    let a = this.byDims[dims];
    if (a === undefined) {
      let part = this.dimsParts.get(dims);
      if (part === undefined) {
        let id = '';
        let names = '';
        for (const g of this.txn) {
          id += `\u0000${String(g.kind === 'tender' ? dimsTender(dims) : g.kind === 'card_brand' ? dimsBrand(dims) : dimsCurrency(dims))}`;
          names += `\u0000${txnName(g, dims)}`;
        }
        part = [id, names];
        this.dimsParts.set(dims, part);
      }
      a = this.make(this.placePart + part[0], this.place.length === 0 ? part[1].slice(1) : this.placePart + part[1], dims);
      this.byDims[dims] = a;
      this.touched.push(dims);
    }
    return a;
  }

  private make(gk: string, sortKey: string, dims: number): Accumulator {
    let acc = this.unique ? undefined : this.groups.get(gk);
    if (acc === undefined) {
      acc = { placeValues: this.placeValues, dims, sortKey, bucket0: 0, at0: -1, more: null, grid: null };
      if (!this.unique) this.groups.set(gk, acc);
      this.list.push(acc);
    }
    return acc;
  }

  /** The offset in `sums` of `bucket` in `acc`, made (zeroed) when new; `sums` may be replaced. */
  at(acc: Accumulator, bucket: number): number {
    const grid = this.grid;
    if (grid !== null && grid.count > 1) {
      const cells = (acc.grid ??= new Int32Array(grid.count).fill(-1));
      const i = (bucket - grid.base) / grid.step;
      const at = cells[i]!;
      if (at >= 0) return at;
      return (cells[i] = this.take());
    }
    if (acc.at0 >= 0 && acc.bucket0 === bucket) return acc.at0;
    let at = acc.more?.get(bucket);
    if (at === undefined) {
      at = this.take();
      if (acc.at0 < 0) {
        acc.bucket0 = bucket;
        acc.at0 = at;
      } else (acc.more ??= new Map()).set(bucket, at);
    }
    return at;
  }

  /** Room for one more bucket's sums (zeroed). */
  private take(): number {
    if (this.used >= MAX_POINTS) throw new QueryError('too_many_points', `the query gives more than ${String(MAX_POINTS)} points: narrow the range, coarsen the granularity or group by less`);
    const at = this.used++ * SUM_COUNT;
    if (at + SUM_COUNT > this.sums.length) {
      const grown = new Float64Array(this.sums.length * 2);
      grown.set(this.sums);
      this.sums = grown;
    }
    return at;
  }

  /** Adds the row at `from` of a B or C chunk (reporting sums, then original money sums). */
  addRow(acc: Accumulator, bucket: number, rows: Int32Array | Float64Array, from: number): void {
    const at = this.at(acc, bucket);
    const sums = this.sums;
    const { sums: to, from: src } = this.cols;
    for (let k = 0; k < to.length; k++) sums[at + to[k]!]! += rows[from + src[k]!]!;
  }

  /** The groups, after one check that every sum stayed exact (sums add without a check per row). */
  done(): Accumulator[] {
    for (let i = 0; i < this.used * SUM_COUNT; i++) {
      const v = this.sums[i]!;
      if (!Number.isSafeInteger(v)) throw new SumOverflowError(`a sum of this query reached ${String(v)}, beyond 2^53 − 1: narrow the scope or the range`);
    }
    return this.list;
  }

  /** A group's key as the API shows it. */
  keyOf(acc: Accumulator): Record<string, string> {
    const key: Record<string, string> = {};
    this.place.forEach((g, i) => (key[dimName(g)] = acc.placeValues[i]!));
    for (const g of this.txn) key[g.kind] = txnName(g, acc.dims);
    return key;
  }
}

function txnName(g: GroupBy, dims: number): string {
  if (g.kind === 'tender') return TENDERS[dimsTender(dims)]!;
  if (g.kind === 'card_brand') return dimsBrand(dims) === BRAND_NONE ? 'none' : CARD_BRANDS[dimsBrand(dims)]!;
  return CURRENCY_CODES[dimsCurrency(dims)]!;
}

/**
 * The buckets of a day-grain query as day ranges: [start day, end day, name]
 * for every bucket named in [from, to). Day rows are named by their own day,
 * whatever the zone.
 */
function dayBuckets(q: { from: number; to: number; granularity: Granularity }): [number, number, number][] {
  const out: [number, number, number][] = [];
  let b = bucketOfLocal(q.from, q.granularity, 0);
  if (b < q.from) b = nextBucket(b, q.granularity);
  for (; b < q.to; ) {
    const e = nextBucket(b, q.granularity);
    out.push([b / DAY_MS, e / DAY_MS, b]);
    b = e;
  }
  return out;
}

const STEP: Partial<Record<Granularity, number>> = { '15m': QUARTER_MS, hour: HOUR_MS, day: DAY_MS, week: 7 * DAY_MS };

/** The grid of a query's buckets, when they are regular and not too many for an index per group. */
function gridOf(q: { from: number; to: number; granularity: Granularity }): BucketGrid | null {
  const step = STEP[q.granularity];
  if (step === undefined) return null;
  const base = bucketOfLocal(q.from, q.granularity, 0);
  const count = Math.ceil((q.to - base) / step);
  return count <= 4096 ? { base, step, count } : null;
}

/**
 * Sums the rows of the selected stores into groups and buckets. `single`
 * puts the whole range into one bucket (0), for totals and top-N.
 */
function accumulate(t: TenantRollups, selected: readonly ServedStore[], q: Omit<SeriesQuery, keyof StoreFilter>, single: boolean): GroupSums {
  const place = q.groupBy.filter(isPlaceGrouping);
  const txn = q.groupBy.filter((g) => !isPlaceGrouping(g));
  const original = q.currency === 'original';
  const cols = columnsFor(q.metrics, original);
  const columns = cols.mask;
  const need = cols.sums;
  if (original && !txn.some((g) => g.kind === 'currency')) {
    throw new QueryError('invalid_query', 'currency=original sums each currency apart: add group_by=currency');
  }
  const p = plan(q);
  const level = levelFor(place);
  const nodes = cover(t, selected, level);
  // The tenant's breakdown rows one dimension down, when the question sums that dimension away.
  const kinds = new Set(txn.map((g) => g.kind));
  const projection = kinds.has('currency') ? (kinds.size === 1 ? t.projections.currency : null) : !original && kinds.size > 0 ? t.projections.tenderBrand : null;
  const rowsOf = (n: RollupNode): RollupNode => (projection !== null && n === t.tenantNode ? projection : n);
  const out = new GroupSums(place, txn, cols, single ? { base: 0, step: 1, count: 1 } : gridOf(q), level === 'store' && place.some((g) => g.kind === 'store'));
  const placeValuesOf = ({ node, store }: Covered): string[] =>
    store === null ? place.map((g) => placeKey(node.sample!, g as { kind: PlaceDimension })) : place.map((g) => storePlaceKey(store, g as { kind: PlaceDimension }));

  if (p.resolution === 'day') {
    const buckets = dayBuckets(q);
    if (buckets.length === 0) return out;
    if (!p.combos) {
      // Day totals: each bucket (or the whole range) is a difference of two running sums.
      const ranges: [number, number, number][] = single ? [[buckets[0]![0], buckets[buckets.length - 1]![1], 0]] : buckets;
      const tmp = new Float64Array(SUM_COUNT);
      for (const c of nodes) {
        const totals = p.local ? c.node.dLocal : c.node.dUtc;
        const [held0, held1] = totals.span();
        let started = false;
        for (const [d0, d1, name] of ranges) {
          if (d1 <= held0 || d0 >= held1) continue;
          tmp.fill(0);
          if (!totals.sumInto(d0, d1, tmp, 0, COUNT_COLUMNS)) continue;
          if (!started) {
            out.startNode(placeValuesOf(c));
            started = true;
          }
          const at = out.at(out.group(0), name);
          const sums = out.sums;
          for (let i = 0; i < SUM_COUNT; i++) sums[at + i]! += tmp[i]!;
        }
      }
      return out;
    }
    const dayFrom = buckets[0]![0];
    const dayTo = buckets[buckets.length - 1]![1];
    for (const c of nodes) {
      out.startNode(placeValuesOf(c));
      let k = 0;
      const rows = rowsOf(c.node);
      (p.local ? rows.bLocal : rows.bUtc).forEachDay(dayFrom, dayTo, (day, keys, sums, lo, hi) => {
        while (buckets[k]![1] <= day) k++;
        const bucket = single ? 0 : buckets[k]![2];
        for (let r = lo; r < hi; r++) out.addRow(out.group(keys[r]!), bucket, sums, r * ROW_WIDTH);
      }, columns);
    }
    return out;
  }

  // Quarter rows are UTC: local names are within ±14 h, a business day ends ≤ 23:45 late.
  const dayFrom = Math.floor(q.from / DAY_MS) - 2;
  const dayTo = Math.ceil(nextBucket(bucketOfLocal(q.to - 1, q.granularity, 0), q.granularity) / DAY_MS) + 2;
  if (p.resolution === 'quarterCombos' && dayFrom + 1 < t.hotFrom) {
    throw new QueryError(
      'resolution_not_retained',
      `breakdowns by tender, card_brand or currency at ${q.granularity} grain${q.tz === 'store' || q.tz === 'UTC' ? '' : ` in ${q.tz}`} are kept for the last ${String(t.hotDays)} days (from ${new Date(t.hotFrom * DAY_MS).toISOString().slice(0, 10)}); ` +
        'ask a later range, day/week/month grain with tz=store or UTC, or no breakdown',
    );
  }
  const clocks = new Map<string, BucketClock>();
  const clockOf = (zone: string): BucketClock => {
    let c = clocks.get(zone);
    if (c === undefined) {
      c = clockFor(q.tz, zone, t.settings.cutoffMinutes);
      clocks.set(zone, c);
    }
    return c;
  };
  const cutoff = t.settings.cutoffMinutes;
  const totalsOnly = p.resolution === 'quarter';
  for (const c of nodes) {
    const { node, store } = c;
    out.startNode(placeValuesOf(c));
    // Quarter rows: on the local axis for a virtual node in tz=store, else UTC.
    const onLocal = p.local && store === null;
    let series: DaySeries;
    if (totalsOnly) series = onLocal ? node.aLocal! : node.aUtc;
    else series = onLocal ? rowsOf(node).cLocal! : rowsOf(node).cUtc;
    const clock = onLocal ? null : q.tz === 'UTC' ? UTC_CLOCK : clockOf(store?.store.timezone ?? 'UTC');
    let all: Accumulator | null = null;
    series.forEachDay(dayFrom, dayTo, (day, keys, sums, lo, hi) => {
      // Rows are sorted by key, and a key starts with its quarter: one bucket per run of rows.
      let lastSlot = -1;
      let bucket = 0;
      let inRange = false;
      let into = -1;
      for (let r = lo; r < hi; r++) {
        const key = keys[r]!;
        const slot = totalsOnly ? key : Math.floor(key / KEY_SPAN);
        if (slot !== lastSlot) {
          lastSlot = slot;
          const ms = (day * QUARTERS_PER_DAY + slot) * QUARTER_MS;
          bucket = clock === null ? bucketOfLocal(ms, q.granularity, cutoff) : bucketOf(ms, q.granularity, clock);
          inRange = bucket >= q.from && bucket < q.to;
          if (single) bucket = 0;
          into = inRange && totalsOnly ? out.at((all ??= out.group(0)), bucket) : -1;
        }
        if (!inRange) continue;
        if (into >= 0) {
          const from = r * SUM_COUNT;
          const to = out.sums;
          for (let k = 0; k < need.length; k++) to[into + need[k]!]! += sums[from + need[k]!]!;
        } else out.addRow(out.group(key - slot * KEY_SPAN), bucket, sums, r * ROW_WIDTH);
      }
    }, columns);
  }
  return out;
}

/** Fewer stores than this read their own rows (a few hundred scattered reads cost less than the matrix is worth). */
export const MATRIX_MIN_STORES = 64;

/** Per tenant store: its group under a place grouping, and each group's values and ordering key. */
export interface GroupTable {
  groupOf: Int32Array;
  values: string[][];
  sortKeys: string[];
}

function storeGroups(t: TenantRollups, place: readonly ({ kind: PlaceDimension } | { kind: 'h3'; resolution: number })[]): GroupTable {
  const groupOf = new Int32Array(t.stores.length);
  const values: string[][] = [];
  const sortKeys: string[] = [];
  const ids = new Map<string, number>();
  const unique = place.some((g) => g.kind === 'store');
  for (const s of t.stores) {
    const vs = place.map((g) => storePlaceKey(s, g));
    const key = vs.length === 1 ? vs[0]! : vs.join('\u0000');
    let id = unique ? undefined : ids.get(key);
    if (id === undefined) {
      id = values.push(vs) - 1;
      sortKeys.push(key);
      if (!unique) ids.set(key, id);
    }
    groupOf[s.index] = id;
  }
  return { groupOf, values, sortKeys };
}

/** Tenant group id → this answer's group id (−1: not yet seen), reused between queries and left all −1. */
let localIds = new Int32Array(0);
function localScratch(n: number): Int32Array {
  if (localIds.length < n) localIds = new Int32Array(Math.max(n, localIds.length * 2)).fill(-1);
  return localIds;
}

interface FlatAnswer {
  flat: FlatSums;
  /** Per group: its place values and their key for ordering. */
  values: string[][];
  sortKeys: string[];
  /** Bucket names, by bucket index. */
  names: number[];
}

/**
 * Day-grain totals by place (no tender, brand or currency), summed into one
 * flat array (day-totals-query.ts); null when the question needs the
 * general path, or would make more cells than that path is for.
 */
function flatDayTotals(t: TenantRollups, selected: readonly ServedStore[], q: Omit<SeriesQuery, keyof StoreFilter>, single: boolean): FlatAnswer | null {
  const p = plan(q);
  if (p.resolution !== 'day' || p.combos) return null;
  const buckets = dayBuckets(q);
  if (buckets.length === 0) return null;
  const place = q.groupBy.filter(isPlaceGrouping);
  const level = levelFor(place);
  const nodes = cover(t, selected, level);
  const ranges: [number, number, number][] = single ? [[buckets[0]![0], buckets[buckets.length - 1]![1], 0]] : buckets;
  const groupOf = new Int32Array(nodes.length);
  const values: string[][] = [];
  const sortKeys: string[] = [];
  const ids = new Map<string, number>();
  const unique = level === 'store' && place.some((g) => g.kind === 'store');
  const totals: DayTotals[] = [];
  if (level === 'store') {
    // Stores' groups by id from the tenant's table (no key string per store per query), numbered in first-seen order as below.
    const table = t.groupTable(place.map(dimName).join(','), () => storeGroups(t, place));
    const local = localScratch(table.values.length);
    for (let k = 0; k < nodes.length; k++) {
      const s = nodes[k]!.store!;
      totals.push(p.local ? s.node.dLocal : s.node.dUtc);
      const gid = table.groupOf[s.index]!;
      let id = local[gid]!;
      if (id < 0) {
        id = local[gid] = values.push(table.values[gid]!) - 1;
        sortKeys.push(table.sortKeys[gid]!);
      }
      groupOf[k] = id;
    }
    local.fill(-1, 0, table.values.length);
  }
  for (let k = level === 'store' ? nodes.length : 0; k < nodes.length; k++) {
    const { node, store } = nodes[k]!;
    totals.push(p.local ? node.dLocal : node.dUtc);
    const vs = place.map((g) => (store === null ? placeKey(node.sample!, g as { kind: PlaceDimension }) : storePlaceKey(store, g)));
    const key = vs.length === 1 ? vs[0]! : vs.join('\u0000');
    let id = unique ? undefined : ids.get(key);
    if (id === undefined) {
      id = values.push(vs) - 1;
      sortKeys.push(key);
      if (!unique) ids.set(key, id);
    }
    groupOf[k] = id;
  }
  if (values.length * ranges.length > MAX_FLAT_CELLS) return null;
  // Many stores: their day totals from the day-major matrix when it holds them all (two contiguous rows per bucket).
  const m = level === 'store' && nodes.length >= MATRIX_MIN_STORES ? t.storeMatrix(p.local) : null;
  const matrix = m !== null && m.covers(totals) ? m : null;
  return { flat: sumDayTotals(totals, groupOf, values.length, ranges, matrix), values, sortKeys, names: ranges.map((r) => r[2]) };
}

function placeKeyRecord(place: readonly GroupBy[], values: readonly string[]): Record<string, string> {
  const key: Record<string, string> = {};
  place.forEach((g, i) => (key[dimName(g)] = values[i]!));
  return key;
}

function checkRange(q: { from: number; to: number }): void {
  if (!(q.from < q.to)) throw new QueryError('invalid_query', `from must be before to, got ${new Date(q.from).toISOString()} and ${new Date(q.to).toISOString()}`);
}

/**
 * A time series query. Groups are ordered by key; points by bucket, and
 * only buckets with at least one transaction appear.
 * @example runSeries(t, { metrics: ['net_sales'], granularity: 'day', tz: 'store', from, to, groupBy: [], scopes: [], currency: 'reporting' })
 */
export function runSeries(t: TenantRollups, q: SeriesQuery): SeriesGroup[] {
  checkRange(q);
  const selected = selectStores(t, q);
  const fast = flatDayTotals(t, selected, q, false);
  if (fast !== null) {
    const { flat, values, sortKeys, names } = fast;
    const place = q.groupBy.filter(isPlaceGrouping);
    const order = values.map((_v, g) => g).sort((a, b) => (sortKeys[a]! < sortKeys[b]! ? -1 : sortKeys[a]! > sortKeys[b]! ? 1 : 0));
    const groups: SeriesGroup[] = [];
    let points = 0;
    for (const g of order) {
      const pts: SeriesPoint[] = [];
      for (let b = 0; b < flat.buckets; b++) {
        const cell = g * flat.buckets + b;
        if (flat.seen[cell] === 0) continue;
        pts.push({ bucket: names[b]!, values: q.metrics.map((m) => metricValue(flat.sums, cell * SUM_COUNT, m)) });
      }
      if (pts.length === 0) continue;
      points += pts.length;
      groups.push({ key: placeKeyRecord(place, values[g]!), points: pts });
    }
    if (points > MAX_POINTS) throw new QueryError('too_many_points', `the query gives more than ${String(MAX_POINTS)} points: narrow the range, coarsen the granularity or group by less`);
    return groups;
  }
  const out = accumulate(t, selected, q, false);
  return out
    .done()
    .sort((a, b) => (a.sortKey < b.sortKey ? -1 : a.sortKey > b.sortKey ? 1 : 0))
    .map((a) => ({
      key: out.keyOf(a),
      points: bucketsOf(a, out.grid).map(([bucket, at]) => ({ bucket, values: q.metrics.map((m) => metricValue(out.sums, at, m)) })),
    }));
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
  const asked = { metrics: [q.metric, ...q.metrics], granularity, tz: q.tz, from: q.from, to: q.to, groupBy: [q.by], currency: 'reporting' } as const;
  const selected = selectStores(t, q);
  const fast = flatDayTotals(t, selected, asked, true);
  if (fast !== null) {
    const { flat, values, sortKeys } = fast;
    return topGroups(flat, values.length, q.metric, q.order, q.limit, sortKeys).map((g) => ({
      key: placeKeyRecord([q.by], values[g]!),
      values: q.metrics.map((m) => metricValue(flat.sums, g * flat.buckets * SUM_COUNT, m)),
    }));
  }
  const out = accumulate(t, selected, asked, true);
  const rows = out.done().map((a) => ({ a, rank: metricValue(out.sums, bucketsOf(a, out.grid)[0]![1], q.metric) }));
  const dir = q.order === 'desc' ? -1 : 1;
  const byKey = (x: Accumulator, y: Accumulator): number => (x.sortKey < y.sortKey ? -1 : x.sortKey > y.sortKey ? 1 : 0);
  rows.sort((x, y) => {
    if (x.rank === null || y.rank === null) return x.rank === y.rank ? byKey(x.a, y.a) : x.rank === null ? 1 : -1;
    return x.rank !== y.rank ? dir * (x.rank - y.rank) : byKey(x.a, y.a);
  });
  return rows.slice(0, q.limit).map(({ a }) => {
    const at = bucketsOf(a, out.grid)[0]![1];
    return { key: out.keyOf(a), values: q.metrics.map((m) => metricValue(out.sums, at, m)) };
  });
}
