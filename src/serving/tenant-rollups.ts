/**
 * One tenant's serving state.
 *
 * Every store is a node, and so are its city, its country and the tenant
 * as a whole ("virtual" nodes that hold the sums of their stores), so a
 * query over whole places reads a few nodes instead of thousands of stores.
 * Each node keeps its sums at three resolutions (see docs/serving.md):
 *
 *  - A, quarter-hour totals (12 sums, reporting currency), for ever;
 *  - B, day rows per tender/brand/currency combination plus a total row
 *    (12 reporting sums and 7 original-currency money sums), on two axes:
 *    the store's business day (with the tenant's cut-off) and the UTC day;
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
/** The key of a B row that totals every combination. */
export const TOTAL_KEY = (1 << 14) - 1;

/** `currency index << 6 | tender << 3 | card brand` (brand 7 = none): below 2^14. */
export function packDims(tender: number, brand: number, currency: number): number {
  return (currency << 6) | (tender << 3) | brand;
}
export const dimsTender = (d: number): number => (d >> 3) & 7;
export const dimsBrand = (d: number): number => d & 7;
export const dimsCurrency = (d: number): number => d >> 6;
/** C row key: quarter of the day and combination. */
export const quarterKey = (slot: number, dims: number): number => slot * (1 << 14) + dims;

export type NodeKind = 'store' | 'city' | 'country' | 'tenant';

export class RollupNode {
  readonly aUtc = new DaySeries(SUM_COUNT);
  readonly bUtc = new DaySeries(ROW_WIDTH);
  readonly bLocal = new DaySeries(ROW_WIDTH);
  readonly cUtc = new DaySeries(ROW_WIDTH);
  /** Virtual nodes only: local wall-clock axis. */
  readonly aLocal: DaySeries | null;
  readonly cLocal: DaySeries | null;
  /** Stores under a virtual node. */
  members = 0;
  /** A store under it (for its place attributes). */
  sample: Store | null = null;

  constructor(
    readonly kind: NodeKind,
    readonly key: string,
  ) {
    const virtual = kind !== 'store';
    this.aLocal = virtual ? new DaySeries(SUM_COUNT) : null;
    this.cLocal = virtual ? new DaySeries(ROW_WIDTH) : null;
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
  tenantNode = new RollupNode('tenant', '');
  /** The first UTC day whose quarter-hour breakdowns are kept (C). */
  hotFrom = 0;
  private readonly row = new Float64Array(ROW_WIDTH);

  constructor(
    readonly tenant: string,
    public settings: TenantSettings,
    /** Days of quarter-hour breakdowns to keep, counted back from today (UTC). */
    readonly hotDays: number,
  ) {
    this.hotFrom = Math.floor(Date.now() / DAY_MS) - hotDays;
  }

  private virtual(map: Map<string, RollupNode>, kind: NodeKind, key: string): RollupNode {
    let n = map.get(key);
    if (n === undefined) {
      n = new RollupNode(kind, key);
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
      hit.zone = ZoneOffsets.of(store.timezone);
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
    return s;
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
    const v = this.row;
    for (let i = 0; i < SUM_COUNT; i++) v[i] = rep[i]!;
    for (let i = 0; i < ORIGINAL_COUNT; i++) v[SUM_COUNT + i] = orig[i]!;
    const uDay = Math.floor(quarter / QUARTERS_PER_DAY);
    const uSlot = quarter - uDay * QUARTERS_PER_DAY;
    const local = s.zone.toLocal(quarter * QUARTER_MS);
    const lq = Math.floor(local / QUARTER_MS);
    const lDay = Math.floor(lq / QUARTERS_PER_DAY);
    const lSlot = lq - lDay * QUARTERS_PER_DAY;
    const bizDay = businessDay(local, this.settings.cutoffMinutes);
    const hot = uDay >= this.hotFrom;
    this.addTo(s.node, uDay, uSlot, lDay, lSlot, bizDay, dims, v, hot);
    this.addTo(s.city, uDay, uSlot, lDay, lSlot, bizDay, dims, v, hot);
    this.addTo(s.country, uDay, uSlot, lDay, lSlot, bizDay, dims, v, hot);
    this.addTo(this.tenantNode, uDay, uSlot, lDay, lSlot, bizDay, dims, v, hot);
  }

  private addTo(n: RollupNode, uDay: number, uSlot: number, lDay: number, lSlot: number, bizDay: number, dims: number, v: Float64Array, hot: boolean): void {
    let b = n.aUtc.block(uDay);
    b.add(b.row(uSlot), 0, v, 0, SUM_COUNT);
    b = n.bUtc.block(uDay);
    b.add(b.row(dims), 0, v, 0, ROW_WIDTH);
    b.add(b.row(TOTAL_KEY), 0, v, 0, ROW_WIDTH);
    b = n.bLocal.block(bizDay);
    b.add(b.row(dims), 0, v, 0, ROW_WIDTH);
    b.add(b.row(TOTAL_KEY), 0, v, 0, ROW_WIDTH);
    if (hot) {
      b = n.cUtc.block(uDay);
      b.add(b.row(quarterKey(uSlot, dims)), 0, v, 0, ROW_WIDTH);
    }
    if (n.aLocal !== null) {
      b = n.aLocal.block(lDay);
      b.add(b.row(lSlot), 0, v, 0, SUM_COUNT);
      if (hot) {
        b = n.cLocal!.block(lDay);
        b.add(b.row(quarterKey(lSlot, dims)), 0, v, 0, ROW_WIDTH);
      }
    }
  }

  /** Moves the hot window to end today: drops quarter-hour breakdowns older than `hotDays`. */
  age(nowMs: number = Date.now()): void {
    this.hotFrom = Math.floor(nowMs / DAY_MS) - this.hotDays;
    for (const n of this.nodes()) {
      n.cUtc.dropBefore(this.hotFrom);
      // Local days run at most a day ahead of or behind UTC days.
      n.cLocal?.dropBefore(this.hotFrom - 1);
    }
  }

  *nodes(): Generator<RollupNode> {
    for (const s of this.stores) yield s.node;
    yield* this.cities.values();
    yield* this.countries.values();
    yield this.tenantNode;
  }

  /**
   * Recomputes every virtual node from the stores' own sums (after a
   * snapshot load, or when a store moved).
   */
  rebuildVirtual(): void {
    this.cities.clear();
    this.countries.clear();
    this.tenantNode = new RollupNode('tenant', '');
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
      for (const [day, b] of n.aUtc.entries()) {
        for (let r = 0; r < b.n; r++) {
          const slot = b.keys[r]!;
          for (let i = 0; i < SUM_COUNT; i++) v[i] = b.sums[r * SUM_COUNT + i]!;
          const quarter = day * QUARTERS_PER_DAY + slot;
          const lq = Math.floor(s.zone.toLocal(quarter * QUARTER_MS) / QUARTER_MS);
          const lDay = Math.floor(lq / QUARTERS_PER_DAY);
          for (const t of targets) {
            let blk = t.aUtc.block(day);
            blk.add(blk.row(slot), 0, v, 0, SUM_COUNT);
            blk = t.aLocal!.block(lDay);
            blk.add(blk.row(lq - lDay * QUARTERS_PER_DAY), 0, v, 0, SUM_COUNT);
          }
        }
      }
      for (const [src, pick] of [
        [n.bUtc, (t: RollupNode) => t.bUtc],
        [n.bLocal, (t: RollupNode) => t.bLocal],
      ] as const) {
        for (const [day, b] of src.entries()) {
          for (let r = 0; r < b.n; r++) {
            for (let i = 0; i < ROW_WIDTH; i++) v[i] = b.sums[r * ROW_WIDTH + i]!;
            for (const t of targets) {
              const blk = pick(t).block(day);
              blk.add(blk.row(b.keys[r]!), 0, v, 0, ROW_WIDTH);
            }
          }
        }
      }
      for (const [day, b] of n.cUtc.entries()) {
        for (let r = 0; r < b.n; r++) {
          const key = b.keys[r]!;
          const slot = Math.floor(key / (1 << 14));
          const dims = key - slot * (1 << 14);
          for (let i = 0; i < ROW_WIDTH; i++) v[i] = b.sums[r * ROW_WIDTH + i]!;
          const quarter = day * QUARTERS_PER_DAY + slot;
          const lq = Math.floor(s.zone.toLocal(quarter * QUARTER_MS) / QUARTER_MS);
          const lDay = Math.floor(lq / QUARTERS_PER_DAY);
          for (const t of targets) {
            let blk = t.cUtc.block(day);
            blk.add(blk.row(key), 0, v, 0, ROW_WIDTH);
            blk = t.cLocal!.block(lDay);
            blk.add(blk.row(quarterKey(lq - lDay * QUARTERS_PER_DAY, dims)), 0, v, 0, ROW_WIDTH);
          }
        }
      }
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
    }
    let storeQuarters = 0;
    for (const s of this.stores) storeQuarters += s.node.aUtc.rows();
    return { bytes, storeQuarters, rows };
  }
}
