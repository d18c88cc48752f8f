/**
 * The rollup cells of one tenant: for every (store, UTC quarter hour,
 * tender, card brand, currency) that saw a transaction, the twelve additive
 * sums of DOMAIN.md's metrics in the reporting currency, and the money sums
 * again in the transaction's own currency.
 *
 * Cells live in flat, growable columns (typed arrays, no object per cell),
 * so a query walks numbers, not objects, and a snapshot is a few memcpy's.
 * Each store keeps the ids of its cells per UTC day, so a time-range query
 * reads only the days it covers.
 */
import { SUM_COUNT, SumOverflowError } from '../domain/metrics.js';
import { QUARTER_MS } from '../domain/time-buckets.js';

/** Money sums kept in the original currency, in this order (counts and items need no currency). */
export const ORIGINAL_SUMS = [0, 1, 2, 3, 4, 5, 6] as const;
export const ORIGINAL_COUNT = ORIGINAL_SUMS.length;

/** Quarters in a UTC day. */
export const QUARTERS_PER_DAY = 96;

/**
 * Cell dimensions packed into one small integer:
 * `currency index << 6 | tender << 3 | card brand` (brand 7 = none).
 */
export function packDims(tender: number, brand: number, currency: number): number {
  return (currency << 6) | (tender << 3) | brand;
}
export const dimsTender = (d: number): number => (d >> 3) & 7;
export const dimsBrand = (d: number): number => d & 7;
export const dimsCurrency = (d: number): number => d >> 6;
/** Dims fit in 14 bits (256 currencies × 64). */
const DIMS_SPAN = 1 << 14;

function grow<T extends Float64Array | Int32Array | Uint16Array>(a: T, need: number, make: (n: number) => T): T {
  if (need <= a.length) return a;
  const b = make(Math.max(need, a.length * 2));
  b.set(a);
  return b;
}

function addExact(cells: Float64Array, at: number, v: number): void {
  const sum = cells[at]! + v;
  if (!Number.isSafeInteger(sum)) throw new SumOverflowError(`a rollup sum reached ${String(sum)}, beyond 2^53 − 1 where float64 stops being exact`);
  cells[at] = sum;
}

/** The cells of one tenant. Stores are numbered by the caller (0, 1, …). */
export class RollupCells {
  /** Number of cells. */
  size = 0;
  store: Int32Array;
  quarter: Int32Array;
  dims: Uint16Array;
  /** SUM_COUNT sums per cell, in the reporting currency. */
  rep: Float64Array;
  /** ORIGINAL_COUNT money sums per cell, in the cell's own currency. */
  orig: Float64Array;
  /** Per store: cell key (quarter × 2^14 + dims) → cell id. */
  private readonly index: Map<number, number>[] = [];
  /** Per store: UTC day → ids of its cells on that day. */
  private readonly byDay: Map<number, number[]>[] = [];

  constructor(capacity = 1024) {
    this.store = new Int32Array(capacity);
    this.quarter = new Int32Array(capacity);
    this.dims = new Uint16Array(capacity);
    this.rep = new Float64Array(capacity * SUM_COUNT);
    this.orig = new Float64Array(capacity * ORIGINAL_COUNT);
  }

  /** The id of the cell, created empty if new. */
  cell(store: number, quarter: number, dims: number): number {
    let idx = this.index[store];
    if (idx === undefined) {
      for (let s = this.index.length; s <= store; s++) {
        this.index.push(new Map());
        this.byDay.push(new Map());
      }
      idx = this.index[store]!;
    }
    const key = quarter * DIMS_SPAN + dims;
    const hit = idx.get(key);
    if (hit !== undefined) return hit;
    const id = this.size++;
    if (id >= this.store.length) {
      const n = this.size;
      this.store = grow(this.store, n, (k) => new Int32Array(k));
      this.quarter = grow(this.quarter, n, (k) => new Int32Array(k));
      this.dims = grow(this.dims, n, (k) => new Uint16Array(k));
      this.rep = grow(this.rep, this.store.length * SUM_COUNT, (k) => new Float64Array(k));
      this.orig = grow(this.orig, this.store.length * ORIGINAL_COUNT, (k) => new Float64Array(k));
    }
    this.store[id] = store;
    this.quarter[id] = quarter;
    this.dims[id] = dims;
    idx.set(key, id);
    const day = Math.floor(quarter / QUARTERS_PER_DAY);
    const days = this.byDay[store]!;
    const list = days.get(day);
    if (list === undefined) days.set(day, [id]);
    else list.push(id);
    return id;
  }

  /** Adds `rep` (SUM_COUNT values) and `orig` (ORIGINAL_COUNT values) into cell `id`. */
  add(id: number, rep: ArrayLike<number>, repAt: number, orig: ArrayLike<number>, origAt: number): void {
    const r = id * SUM_COUNT;
    for (let i = 0; i < SUM_COUNT; i++) if (rep[repAt + i] !== 0) addExact(this.rep, r + i, rep[repAt + i]!);
    const o = id * ORIGINAL_COUNT;
    for (let i = 0; i < ORIGINAL_COUNT; i++) if (orig[origAt + i] !== 0) addExact(this.orig, o + i, orig[origAt + i]!);
  }

  /** Calls `fn` with every cell id of `store` whose UTC day is in [fromDay, toDay]. */
  forEachInDays(store: number, fromDay: number, toDay: number, fn: (id: number) => void): void {
    const days = this.byDay[store];
    if (days === undefined) return;
    if (toDay - fromDay + 1 > days.size) {
      // Fewer days stored than asked for: walk what exists.
      for (const [day, ids] of days) if (day >= fromDay && day <= toDay) for (const id of ids) fn(id);
      return;
    }
    for (let d = fromDay; d <= toDay; d++) {
      const ids = days.get(d);
      if (ids !== undefined) for (const id of ids) fn(id);
    }
  }

  /** UTC ms of the start of cell `id`'s quarter. */
  startMs(id: number): number {
    return this.quarter[id]! * QUARTER_MS;
  }

  /** Bytes held by the columns and the indexes (an estimate for the indexes: ~40 B per entry). */
  bytes(): number {
    const cols = this.store.byteLength + this.quarter.byteLength + this.dims.byteLength + this.rep.byteLength + this.orig.byteLength;
    return cols + this.size * (40 + 8);
  }

  /** Distinct (store, quarter hour) pairs that have cells. */
  storeQuarters(): number {
    let n = 0;
    const seen = new Set<number>();
    for (const days of this.byDay) {
      for (const ids of days.values()) {
        seen.clear();
        for (const id of ids) seen.add(this.quarter[id]!);
        n += seen.size;
      }
    }
    return n;
  }

  /** Copies of the columns trimmed to `size`, for a snapshot (copies: cells keep changing while it is written). */
  columns(): { store: Int32Array; quarter: Int32Array; dims: Uint16Array; rep: Float64Array; orig: Float64Array } {
    return {
      store: this.store.slice(0, this.size),
      quarter: this.quarter.slice(0, this.size),
      dims: this.dims.slice(0, this.size),
      rep: this.rep.slice(0, this.size * SUM_COUNT),
      orig: this.orig.slice(0, this.size * ORIGINAL_COUNT),
    };
  }

  /** Rebuilds cells from snapshot columns. */
  static fromColumns(c: { store: Int32Array; quarter: Int32Array; dims: Uint16Array; rep: Float64Array; orig: Float64Array }): RollupCells {
    const n = c.store.length;
    const cells = new RollupCells(Math.max(1024, n));
    for (let i = 0; i < n; i++) {
      const id = cells.cell(c.store[i]!, c.quarter[i]!, c.dims[i]!);
      cells.add(id, c.rep, i * SUM_COUNT, c.orig, i * ORIGINAL_COUNT);
    }
    return cells;
  }
}
