/**
 * One tenant's serving state.
 *
 * Every store is a node, and so are its city, its country and the tenant
 * as a whole ("virtual" nodes that hold the sums of their stores), so a
 * query over whole places reads a few nodes instead of thousands of stores.
 * Each node keeps its sums at three resolutions (see docs/serving.md):
 *
 *  - A, quarter-hour totals (12 sums, reporting currency), for ever;
 *  - B, day rows per tender/brand/currency combination (12 reporting sums
 *    and 7 original-currency money sums), on two axes: the store's business
 *    day (with the tenant's cut-off) and the UTC day;
 *  - D, day totals on the same two axes as running sums (day-totals.ts), so
 *    a range of days of one node costs two reads;
 *  - C, quarter-hour rows per combination, for the hot window of recent
 *    days only (older breakdowns at 15 minutes cost as much as raw data;
 *    the warehouse keeps those).
 *
 * Virtual nodes mix zones, so they also keep A and C on a local axis
 * (local wall-clock quarter hours) for `tz=store` at 15m and hour grain;
 * a store's own local time comes from its zone.
 */
import { CURRENCY_CODES } from '../domain/currency.js';
import { SUM_COUNT } from '../domain/metrics.js';
import type { Store } from '../domain/store.js';
import { businessDay, DAY_MS, QUARTER_MS } from '../domain/time-buckets.js';
import { CARD_BRANDS, TENDERS } from '../domain/transaction.js';
import { ZoneOffsets } from '../domain/zone-offsets.js';
import { DaySeries } from './day-series.js';
import { DayTotals } from './day-totals.js';
import { StoreDayMatrix } from './store-day-matrix.js';
import { StoreIndex } from './store-index.js';
import type { GroupTable } from './series-query.js';

export interface TenantSettings {
  reportingCurrency: string;
  /** Business-day cut-off, minutes after local midnight (a quarter hour). */
  cutoffMinutes: number;
}

/** Money sums kept in the original currency (the first seven sums, same order). */
export const ORIGINAL_COUNT = 7;
/** Width of a B or C row: reporting sums, then original money sums. */
export const ROW_WIDTH = SUM_COUNT + ORIGINAL_COUNT;
export const QUARTERS_PER_DAY = 96;
/** Combinations (`packDims`) are below this. */
const KEY_DIMS = 1 << 14;

/** `currency index << 6 | tender << 3 | card brand` (brand 7 = none): below 2^14. */
export function packDims(tender: number, brand: number, currency: number): number {
  return (currency << 6) | (tender << 3) | brand;
}
export const dimsTender = (d: number): number => (d >> 3) & 7;
export const dimsBrand = (d: number): number => d & 7;
export const dimsCurrency = (d: number): number => d >> 6;
/** C row key: quarter of the day and combination. */
export const quarterKey = (slot: number, dims: number): number => slot * (1 << 14) + dims;

/**
 * `tenant-tender-brand` and `tenant-currency` are the tenant's
 * projections (see `TenantRollups.projections`): its breakdown rows with the
 * currency, or the tender and card brand, summed away.
 */
export type NodeKind = 'store' | 'city' | 'country' | 'tenant' | 'tenant-tender-brand' | 'tenant-currency';

/** The combination bits a projection keeps: tender and brand (currency summed away), or the currency alone. */
export const PROJECTION_MASK: Readonly<Record<'tenant-tender-brand' | 'tenant-currency', number>> = { 'tenant-tender-brand': 63, 'tenant-currency': ~63 };

export class RollupNode {
  readonly aUtc: DaySeries;
  readonly bUtc: DaySeries;
  readonly bLocal: DaySeries;
  readonly cUtc: DaySeries;
  readonly dUtc = new DayTotals(SUM_COUNT);
  readonly dLocal = new DayTotals(SUM_COUNT);
  /** Virtual nodes only: local wall-clock axis. */
  readonly aLocal: DaySeries | null;
  readonly cLocal: DaySeries | null;
  /** Virtual nodes: index in their tenant's list (keys staged sums). */
  id = -1;
  /** Stores under a virtual node. */
  members = 0;
  /** A store under it (for its place attributes). */
  sample: Store | null = null;

  constructor(
    readonly kind: NodeKind,
    readonly key: string,
  ) {
    const virtual = kind !== 'store';
    // Chunks of 32 days (quarter-hour breakdowns: 8, they are many and short-lived);
    // first sizes near a chunk's usual rows, as growing by doubling costs copies.
    this.aUtc = new DaySeries(SUM_COUNT, 32, virtual ? 1024 : 256);
    this.bUtc = new DaySeries(ROW_WIDTH, 32, virtual ? 512 : 64);
    this.bLocal = new DaySeries(ROW_WIDTH, 32, virtual ? 512 : 64);
    this.cUtc = new DaySeries(ROW_WIDTH, 8, virtual ? 1024 : 128);
    this.aLocal = virtual ? new DaySeries(SUM_COUNT, 32, 1024) : null;
    this.cLocal = virtual ? new DaySeries(ROW_WIDTH, 8, 1024) : null;
  }

  series(): DaySeries[] {
    const s = [this.aUtc, this.bUtc, this.bLocal, this.cUtc];
    if (this.aLocal !== null) s.push(this.aLocal);
    if (this.cLocal !== null) s.push(this.cLocal);
    return s;
  }
}

/** What serving keeps of a store: its registry entry, zone, node and the virtual nodes above it. */
export interface ServedStore {
  index: number;
  store: Store;
  zone: ZoneOffsets;
  node: RollupNode;
  city: RollupNode;
  country: RollupNode;
  /** H3 cells of the store's location by resolution, worked out when first grouped by. */
  h3?: string[];
}

const CURRENCY_INDEX = new Map(CURRENCY_CODES.map((c, i) => [c, i]));
const TENDER_INDEX = new Map<string, number>(TENDERS.map((t, i) => [t, i]));
const BRAND_INDEX = new Map<string, number>(CARD_BRANDS.map((b, i) => [b, i]));

export function dimsOf(tender: string, cardBrand: string | null, currency: string): number {
  return packDims(TENDER_INDEX.get(tender)!, cardBrand === null ? CARD_BRANDS.length : BRAND_INDEX.get(cardBrand)!, CURRENCY_INDEX.get(currency)!);
}

/** A city's key: names repeat across countries. */
export const cityKey = (s: Pick<Store, 'country' | 'city'>): string => `${s.country}/${s.city}`;

export class TenantRollups {
  readonly stores: ServedStore[] = [];
  private readonly byId = new Map<string, ServedStore>();
  readonly cities = new Map<string, RollupNode>();
  readonly countries = new Map<string, RollupNode>();
  tenantNode: RollupNode;
  /**
   * The tenant's breakdown rows pre-aggregated one dimension down (a
   * star-tree's nodes, as Pinot keeps them): a tenant that sells in 30
   * currencies has about 180 combinations a quarter hour, and a question by
   * card brand or by tender needs about 6 of them, by currency about 30.
   * Day and quarter-hour breakdowns only (B and C), on the same axes; kept
   * for the tenant alone, as a city or country sells in one currency and its
   * own rows are already that small.
   */
  projections = { tenderBrand: new RollupNode('tenant-tender-brand', ''), currency: new RollupNode('tenant-currency', '') };
  /** The first UTC day whose quarter-hour breakdowns are kept (C). */
  hotFrom = 0;
  /** Every store's day totals, day-major, on the UTC and the business-day axis (store-day-matrix.ts). */
  readonly matrices = { utc: new StoreDayMatrix(), local: new StoreDayMatrix() };
  private matrixBuild: 'idle' | 'running' | 'failed' = 'idle';
  private readonly row = new Float64Array(ROW_WIDTH);
  private index: StoreIndex<ServedStore> | null = null;
  /** Store → group tables by place grouping (series-query.ts), made when first asked, dropped when the stores change. */
  private groupTables = new Map<string, GroupTable>();
  /** Virtual nodes by id. */
  private virtualNodes: RollupNode[] = [];
  /** Staged sums for virtual nodes: UTC quarter → (node, local offset, combination) → offset in `stagedSums`. */
  private readonly staged = new Map<number, Map<number, number>>();
  private stagedSums = new Float64Array(256 * ROW_WIDTH);
  private stagedRows = 0;

  constructor(
    readonly tenant: string,
    public settings: TenantSettings,
    /** Days of quarter-hour breakdowns to keep, counted back from today (UTC). */
    readonly hotDays: number,
  ) {
    this.hotFrom = Math.floor(Date.now() / DAY_MS) - hotDays;
    this.tenantNode = new RollupNode('tenant', '');
    this.tenantNode.id = this.virtualNodes.push(this.tenantNode) - 1;
  }

  private virtual(map: Map<string, RollupNode>, kind: NodeKind, key: string): RollupNode {
    let n = map.get(key);
    if (n === undefined) {
      n = new RollupNode(kind, key);
      n.id = this.virtualNodes.length;
      this.virtualNodes.push(n);
      map.set(key, n);
    }
    return n;
  }

  /**
   * The store's entry, added when new. Registry changes update the
   * attributes; a store that moves city or country takes its sums along
   * (the virtual nodes are rebuilt).
   */
  upsertStore(store: Store): ServedStore {
    const hit = this.byId.get(store.store_id);
    if (hit !== undefined) {
      if (hit.store === store) return hit;
      const moved = cityKey(hit.store) !== cityKey(store) || hit.store.timezone !== store.timezone;
      hit.store = store;
      delete hit.h3;
      this.index = null;
      hit.zone = ZoneOffsets.of(store.timezone);
      this.groupTables.clear();
      if (moved) this.rebuildVirtual();
      return hit;
    }
    const city = this.virtual(this.cities, 'city', cityKey(store));
    const country = this.virtual(this.countries, 'country', store.country);
    city.members++;
    country.members++;
    this.tenantNode.members++;
    city.sample ??= store;
    country.sample ??= store;
    this.tenantNode.sample ??= store;
    const s: ServedStore = { index: this.stores.length, store, zone: ZoneOffsets.of(store.timezone), node: new RollupNode('store', store.store_id), city, country };
    this.stores.push(s);
    this.byId.set(store.store_id, s);
    this.index = null;
    this.groupTables.clear();
    return s;
  }

  /**
   * The day-major matrix of the stores' day totals on one axis when it
   * holds every store; otherwise null, and it is (re)built in the
   * background, a few milliseconds at a time, for later queries.
   */
  storeMatrix(local: boolean): StoreDayMatrix | null {
    const m = local ? this.matrices.local : this.matrices.utc;
    if (m.ready && m.width === this.stores.length) return m;
    this.buildMatrices();
    return null;
  }

  /** Builds both matrices in slices between other work (setImmediate), starting again when stores were added meanwhile. */
  buildMatrices(): void {
    if (this.matrixBuild !== 'idle') return;
    this.matrixBuild = 'running';
    const { utc, local } = this.matrices;
    const begin = (): void => {
      utc.begin(this.stores.map((s) => s.node.dUtc));
      local.begin(this.stores.map((s) => s.node.dLocal));
    };
    begin();
    const slice = (): void => {
      try {
        const end = performance.now() + 4;
        if (utc.width !== this.stores.length) begin();
        if (!(utc.step(end) && local.step(end))) {
          setImmediate(slice);
          return;
        }
        this.matrixBuild = 'idle';
      } catch {
        // A damaged snapshot block (its check throws): the stores' own rows answer, and their reads report it.
        utc.invalidate();
        local.invalidate();
        this.matrixBuild = 'failed';
      }
    };
    setImmediate(slice);
  }

  /** Builds both matrices now, in one go (tests, and benchmarks that want them before they measure). */
  buildMatricesNow(): void {
    const { utc, local } = this.matrices;
    utc.begin(this.stores.map((s) => s.node.dUtc));
    local.begin(this.stores.map((s) => s.node.dLocal));
    while (!utc.step(Infinity));
    while (!local.step(Infinity));
  }

  /** The stores' groups under a place grouping (`key` names it), made by `make` when first asked after the stores changed. */
  groupTable(key: string, make: () => GroupTable): GroupTable {
    let g = this.groupTables.get(key);
    if (g === undefined) this.groupTables.set(key, (g = make()));
    return g;
  }

  /** The geo index over the stores (rebuilt after the registry changes). */
  storeIndex(): StoreIndex<ServedStore> {
    return (this.index ??= new StoreIndex(this.stores));
  }

  storeById(id: string): ServedStore | undefined {
    return this.byId.get(id);
  }

  /**
   * Adds one delta: `rep` (12 sums) and `orig` (7 money sums) of store `s`
   * in UTC quarter `quarter` and combination `dims`, to the store and every
   * virtual node above it.
   */
  add(s: ServedStore, quarter: number, dims: number, rep: ArrayLike<number>, orig: ArrayLike<number>): void {
    this.stage(s, quarter, dims, rep, orig);
    this.flush();
  }

  /**
   * Adds one delta to the store's own node, and stages it for the virtual
   * nodes above it until `flush`: a batch of deltas from thousands of
   * stores falls into far fewer (city, quarter, combination) sums, each
   * added once. Queries must not run between `stage` and `flush`.
   */
  stage(s: ServedStore, quarter: number, dims: number, rep: ArrayLike<number>, orig: ArrayLike<number>): void {
    const v = this.row;
    for (let i = 0; i < SUM_COUNT; i++) v[i] = rep[i]!;
    for (let i = 0; i < ORIGINAL_COUNT; i++) v[SUM_COUNT + i] = orig[i]!;
    const local = s.zone.toLocal(quarter * QUARTER_MS);
    const lq = Math.floor(local / QUARTER_MS);
    this.addAt(s.node, quarter, lq, dims, v);
    let byKey = this.staged.get(quarter);
    if (byKey === undefined) this.staged.set(quarter, (byKey = new Map()));
    // Zone offsets are whole quarter hours within ±56 of UTC.
    const offset = (lq - quarter + 64) * KEY_DIMS + dims;
    for (const n of [s.city, s.country, this.tenantNode]) {
      const key = n.id * (128 * KEY_DIMS) + offset;
      let at = byKey.get(key);
      if (at === undefined) {
        at = this.stagedRows++ * ROW_WIDTH;
        if (at + ROW_WIDTH > this.stagedSums.length) {
          const grown = new Float64Array(this.stagedSums.length * 2);
          grown.set(this.stagedSums);
          this.stagedSums = grown;
        }
        this.stagedSums.fill(0, at, at + ROW_WIDTH);
        byKey.set(key, at);
      }
      const sums = this.stagedSums;
      for (let i = 0; i < ROW_WIDTH; i++) sums[at + i]! += v[i]!;
    }
  }

  /** Adds the staged sums to the virtual nodes. */
  flush(): void {
    if (this.stagedRows === 0) return;
    const v = this.row;
    for (const [quarter, byKey] of this.staged) {
      for (const [key, at] of byKey) {
        const node = this.virtualNodes[Math.floor(key / (128 * KEY_DIMS))]!;
        const rest = key % (128 * KEY_DIMS);
        const dims = rest % KEY_DIMS;
        const lq = quarter + Math.floor(rest / KEY_DIMS) - 64;
        for (let i = 0; i < ROW_WIDTH; i++) v[i] = this.stagedSums[at + i]!;
        this.addAt(node, quarter, lq, dims, v);
      }
    }
    this.staged.clear();
    this.stagedRows = 0;
  }

  private addAt(n: RollupNode, quarter: number, lq: number, dims: number, v: Float64Array): void {
    const uDay = Math.floor(quarter / QUARTERS_PER_DAY);
    const lDay = Math.floor(lq / QUARTERS_PER_DAY);
    const bizDay = businessDay(lq * QUARTER_MS, this.settings.cutoffMinutes);
    this.addTo(n, uDay, quarter - uDay * QUARTERS_PER_DAY, lDay, lq - lDay * QUARTERS_PER_DAY, bizDay, dims, v, uDay >= this.hotFrom);
  }

  private addTo(n: RollupNode, uDay: number, uSlot: number, lDay: number, lSlot: number, bizDay: number, dims: number, v: Float64Array, hot: boolean): void {
    if (n === this.tenantNode) {
      TenantRollups.addProjected(this.projections.tenderBrand, dims & PROJECTION_MASK['tenant-tender-brand'], uDay, uSlot, lDay, lSlot, bizDay, v, hot);
      TenantRollups.addProjected(this.projections.currency, dims & PROJECTION_MASK['tenant-currency'], uDay, uSlot, lDay, lSlot, bizDay, v, hot);
    }
    n.aUtc.add(uDay, uSlot, v, SUM_COUNT);
    n.bUtc.add(uDay, dims, v, ROW_WIDTH);
    n.bLocal.add(bizDay, dims, v, ROW_WIDTH);
    n.dUtc.add(uDay, v);
    n.dLocal.add(bizDay, v);
    if (hot) n.cUtc.add(uDay, quarterKey(uSlot, dims), v, ROW_WIDTH);
    if (n.aLocal !== null) {
      n.aLocal.add(lDay, lSlot, v, SUM_COUNT);
      if (hot) n.cLocal!.add(lDay, quarterKey(lSlot, dims), v, ROW_WIDTH);
    }
  }

  /** Adds a breakdown row to a projection under its combination's projected key. */
  private static addProjected(p: RollupNode, key: number, uDay: number, uSlot: number, lDay: number, lSlot: number, bizDay: number, v: Float64Array, hot: boolean): void {
    p.bUtc.add(uDay, key, v, ROW_WIDTH);
    p.bLocal.add(bizDay, key, v, ROW_WIDTH);
    if (hot) {
      p.cUtc.add(uDay, quarterKey(uSlot, key), v, ROW_WIDTH);
      p.cLocal!.add(lDay, quarterKey(lSlot, key), v, ROW_WIDTH);
    }
  }

  /**
   * Recomputes the tenant's projections from its breakdown rows (after a
   * rebuild, or from a snapshot written before projections were kept).
   */
  rebuildProjections(): void {
    this.projections = { tenderBrand: new RollupNode('tenant-tender-brand', ''), currency: new RollupNode('tenant-currency', '') };
    const v = new Float64Array(ROW_WIDTH);
    const n = this.tenantNode;
    for (const [p, mask] of [
      [this.projections.tenderBrand, PROJECTION_MASK['tenant-tender-brand']],
      [this.projections.currency, PROJECTION_MASK['tenant-currency']],
    ] as const) {
      const copy = (src: DaySeries, dst: DaySeries, quarters: boolean): void =>
        src.forEach((day, keys, sums, lo, hi) => {
          for (let r = lo; r < hi; r++) {
            const key = keys[r]!;
            const slot = quarters ? Math.floor(key / KEY_DIMS) : 0;
            for (let i = 0; i < ROW_WIDTH; i++) v[i] = sums[r * ROW_WIDTH + i]!;
            dst.add(day, quarters ? quarterKey(slot, (key - slot * KEY_DIMS) & mask) : key & mask, v, ROW_WIDTH);
          }
        });
      copy(n.bUtc, p.bUtc, false);
      copy(n.bLocal, p.bLocal, false);
      copy(n.cUtc, p.cUtc, true);
      copy(n.cLocal!, p.cLocal!, true);
    }
  }

  /** Moves the hot window to end today: drops quarter-hour breakdowns older than `hotDays`. */
  age(nowMs: number = Date.now()): void {
    this.hotFrom = Math.floor(nowMs / DAY_MS) - this.hotDays;
    // Days two days back no longer grow (but for late data): seal them into packed rows.
    const done = Math.floor(nowMs / DAY_MS) - 2;
    for (const n of this.nodes()) {
      n.cUtc.dropBefore(this.hotFrom);
      // Local days run at most a day ahead of or behind UTC days.
      n.cLocal?.dropBefore(this.hotFrom - 1);
      for (const s of n.series()) s.sealBefore(done);
    }
  }

  *nodes(): Generator<RollupNode> {
    for (const s of this.stores) yield s.node;
    yield* this.cities.values();
    yield* this.countries.values();
    yield this.tenantNode;
    yield this.projections.tenderBrand;
    yield this.projections.currency;
  }

  /**
   * Recomputes every virtual node from the stores' own sums (after a
   * snapshot load, or when a store moved).
   */
  rebuildVirtual(): void {
    // Staged sums are in the stores' own nodes already: the rebuild takes them from there.
    this.staged.clear();
    this.stagedRows = 0;
    this.virtualNodes = [];
    this.cities.clear();
    this.countries.clear();
    this.tenantNode = new RollupNode('tenant', '');
    this.tenantNode.id = this.virtualNodes.push(this.tenantNode) - 1;
    for (const s of this.stores) {
      s.city = this.virtual(this.cities, 'city', cityKey(s.store));
      s.country = this.virtual(this.countries, 'country', s.store.country);
      s.city.members++;
      s.country.members++;
      this.tenantNode.members++;
      s.city.sample ??= s.store;
      s.country.sample ??= s.store;
      this.tenantNode.sample ??= s.store;
    }
    const v = new Float64Array(ROW_WIDTH);
    for (const s of this.stores) {
      const targets = [s.city, s.country, this.tenantNode];
      const n = s.node;
      const localQuarter = (day: number, slot: number): number => Math.floor(s.zone.toLocal((day * QUARTERS_PER_DAY + slot) * QUARTER_MS) / QUARTER_MS);
      n.aUtc.forEach((day, keys, sums, lo, hi) => {
        for (let r = lo; r < hi; r++) {
          const slot = keys[r]!;
          for (let i = 0; i < SUM_COUNT; i++) v[i] = sums[r * SUM_COUNT + i]!;
          const lq = localQuarter(day, slot);
          const lDay = Math.floor(lq / QUARTERS_PER_DAY);
          for (const t of targets) {
            t.aUtc.add(day, slot, v, SUM_COUNT);
            t.aLocal!.add(lDay, lq - lDay * QUARTERS_PER_DAY, v, SUM_COUNT);
          }
        }
      });
      for (const [src, pick] of [
        [n.bUtc, (t: RollupNode) => t.bUtc],
        [n.bLocal, (t: RollupNode) => t.bLocal],
      ] as const) {
        src.forEach((day, keys, sums, lo, hi) => {
          for (let r = lo; r < hi; r++) {
            for (let i = 0; i < ROW_WIDTH; i++) v[i] = sums[r * ROW_WIDTH + i]!;
            for (const t of targets) pick(t).add(day, keys[r]!, v, ROW_WIDTH);
          }
        });
      }
      n.cUtc.forEach((day, keys, sums, lo, hi) => {
        for (let r = lo; r < hi; r++) {
          const key = keys[r]!;
          const slot = Math.floor(key / (1 << 14));
          const dims = key - slot * (1 << 14);
          for (let i = 0; i < ROW_WIDTH; i++) v[i] = sums[r * ROW_WIDTH + i]!;
          const lq = localQuarter(day, slot);
          const lDay = Math.floor(lq / QUARTERS_PER_DAY);
          for (const t of targets) {
            t.cUtc.add(day, key, v, ROW_WIDTH);
            t.cLocal!.add(lDay, quarterKey(lq - lDay * QUARTERS_PER_DAY, dims), v, ROW_WIDTH);
          }
        }
      });
    }
    for (const n of this.nodes()) if (n.kind === 'city' || n.kind === 'country' || n.kind === 'tenant') TenantRollups.totalsFromDays(n);
    this.rebuildProjections();
  }

  /**
   * Day totals of a virtual node from its day rows, day after day (adding
   * days in order keeps each addition to one running row).
   */
  private static totalsFromDays(n: RollupNode): void {
    const v = new Float64Array(SUM_COUNT);
    for (const [rows, totals] of [
      [n.bUtc, n.dUtc],
      [n.bLocal, n.dLocal],
    ] as const) {
      rows.forEach((day, _keys, sums, lo, hi) => {
        v.fill(0);
        for (let r = lo; r < hi; r++) for (let i = 0; i < SUM_COUNT; i++) v[i]! += sums[r * ROW_WIDTH + i]!;
        totals.add(day, v);
      });
    }
  }

  /** Bytes held, and store-quarter-hours with data (for sizing). */
  size(): { bytes: number; storeQuarters: number; rows: number } {
    let bytes = 0;
    let rows = 0;
    for (const n of this.nodes()) {
      for (const s of n.series()) {
        bytes += s.bytes();
        rows += s.rows();
      }
      bytes += n.dUtc.bytes() + n.dLocal.bytes();
    }
    bytes += this.matrices.utc.bytes() + this.matrices.local.bytes();
    let storeQuarters = 0;
    for (const s of this.stores) storeQuarters += s.node.aUtc.rows();
    return { bytes, storeQuarters, rows };
  }
}
