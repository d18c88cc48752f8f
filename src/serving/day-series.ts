/**
 * DaySeries: one node's sums on one time axis, as a dense array of day
 * blocks. A block holds keyed rows of `width` sums for one day; the key is
 * what the row is (a quarter hour of the day, a tender/brand/currency
 * combination, or both).
 *
 * Rows start as Int32 (4 bytes a sum: a store's quarter hour rarely sums
 * past ±2^31 minor units) and a block moves to Float64 the first time a
 * sum leaves that range, so every sum stays exact while it is below 2^53.
 */
import { SumOverflowError } from '../domain/metrics.js';

const INT32_MAX = 2 ** 31 - 1;
const INT32_MIN = -(2 ** 31);

/** Past this many rows a block keeps a key → row map (a tenant's quarter-by-combination block has thousands). */
const INDEX_FROM = 24;

export class DayBlock {
  n = 0;
  keys: Uint32Array;
  sums: Int32Array | Float64Array;
  private index: Map<number, number> | null = null;

  constructor(
    readonly width: number,
    capacity = 4,
  ) {
    this.keys = new Uint32Array(capacity);
    this.sums = new Int32Array(capacity * width);
  }

  /** The row of `key`, created (zeroed) when new. */
  row(key: number): number {
    const keys = this.keys;
    if (this.index !== null) {
      const hit = this.index.get(key);
      if (hit !== undefined) return hit;
    } else {
      for (let i = 0; i < this.n; i++) if (keys[i] === key) return i;
      if (this.n >= INDEX_FROM) {
        this.index = new Map();
        for (let i = 0; i < this.n; i++) this.index.set(keys[i]!, i);
      }
    }
    if (this.n === keys.length) {
      const k = new Uint32Array(Math.max(4, keys.length * 2));
      k.set(keys);
      this.keys = k;
      const s = this.sums instanceof Int32Array ? new Int32Array(k.length * this.width) : new Float64Array(k.length * this.width);
      s.set(this.sums);
      this.sums = s;
    }
    this.keys[this.n] = key;
    this.index?.set(key, this.n);
    return this.n++;
  }

  /** Adds `values[from .. from + count)` into row `r` at sum offset `at`. */
  add(r: number, at: number, values: ArrayLike<number>, from: number, count: number): void {
    const base = r * this.width + at;
    for (let i = 0; i < count; i++) {
      const v = values[from + i]!;
      if (v === 0) continue;
      const sum = this.sums[base + i]! + v;
      if (this.sums instanceof Int32Array && (sum > INT32_MAX || sum < INT32_MIN)) this.widen();
      if (!Number.isSafeInteger(sum)) throw new SumOverflowError(`a rollup sum reached ${String(sum)}, beyond 2^53 − 1 where float64 stops being exact`);
      this.sums[base + i] = sum;
    }
  }

  private widen(): void {
    const s = new Float64Array(this.keys.length * this.width);
    s.set(this.sums);
    this.sums = s;
  }

  bytes(): number {
    return this.keys.byteLength + this.sums.byteLength + 64 + (this.index === null ? 0 : this.index.size * 40);
  }

  /** Replaces the rows (snapshot restore). */
  load(keys: Uint32Array, sums: Int32Array | Float64Array): void {
    this.keys = keys;
    this.sums = sums;
    this.n = keys.length;
    this.index = null;
    if (this.n >= INDEX_FROM) {
      this.index = new Map();
      for (let i = 0; i < this.n; i++) this.index.set(keys[i]!, i);
    }
  }
}

export class DaySeries {
  /** First day held (days since 1970-01-01). */
  private base = 0;
  private blocks: (DayBlock | undefined)[] = [];

  constructor(readonly width: number) {}

  /** The block of `day`, created when new. */
  block(day: number): DayBlock {
    if (this.blocks.length === 0) this.base = day;
    if (day < this.base) {
      // Earlier data: shift the array (rare, late or back-filled data).
      this.blocks = new Array<DayBlock | undefined>(this.base - day).fill(undefined).concat(this.blocks);
      this.base = day;
    }
    const i = day - this.base;
    while (this.blocks.length <= i) this.blocks.push(undefined);
    let b = this.blocks[i];
    if (b === undefined) {
      b = new DayBlock(this.width);
      this.blocks[i] = b;
    }
    return b;
  }

  /** The block of `day` if any. */
  get(day: number): DayBlock | undefined {
    return this.blocks[day - this.base];
  }

  /** Days held: [first, end). */
  get first(): number {
    return this.base;
  }
  get end(): number {
    return this.base + this.blocks.length;
  }

  /** Drops blocks of days before `day`. */
  dropBefore(day: number): void {
    if (day <= this.base) return;
    const cut = Math.min(day - this.base, this.blocks.length);
    this.blocks = this.blocks.slice(cut);
    this.base += cut;
    if (this.blocks.length === 0) this.base = 0;
  }

  /** Calls `fn` for each block of a day in [from, to). */
  forEachDay(from: number, to: number, fn: (day: number, b: DayBlock) => void): void {
    const lo = Math.max(from, this.base);
    const hi = Math.min(to, this.base + this.blocks.length);
    for (let d = lo; d < hi; d++) {
      const b = this.blocks[d - this.base];
      if (b !== undefined && b.n > 0) fn(d, b);
    }
  }

  bytes(): number {
    let n = this.blocks.length * 8;
    for (const b of this.blocks) if (b !== undefined) n += b.bytes();
    return n;
  }

  /** Rows held (for sizing). */
  rows(): number {
    let n = 0;
    for (const b of this.blocks) if (b !== undefined) n += b.n;
    return n;
  }

  /** Every block, for a snapshot. */
  *entries(): Generator<[number, DayBlock]> {
    for (let i = 0; i < this.blocks.length; i++) {
      const b = this.blocks[i];
      if (b !== undefined && b.n > 0) yield [this.base + i, b];
    }
  }

  /** Puts a block read back from a snapshot. */
  restore(day: number, keys: Uint32Array, sums: Int32Array | Float64Array): void {
    this.block(day).load(keys, sums);
  }
}
