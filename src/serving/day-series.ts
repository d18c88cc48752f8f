/**
 * DaySeries: one node's sums on one time axis, in chunks of consecutive
 * days. A chunk keeps all its rows in two typed arrays (keys and sums),
 * grouped by day and sorted by key within a day, with a small index of
 * where each day starts. A key says what a row is: a quarter hour of the
 * day, a tender/brand/currency combination, or both.
 *
 * Why chunks: a year of one store is then about a dozen objects instead of
 * hundreds of small arrays, which keeps the garbage collector's pauses
 * short at thousands of stores; rows mostly arrive in time order, so they
 * are appended, and a late row shifts at most one chunk.
 *
 * Sums start as Int32 (4 bytes each: a store's quarter hour rarely sums past
 * ±2^31 minor units); a chunk moves to Float64 the first time a sum leaves
 * that range, so every sum stays exact while below 2^53.
 *
 * A chunk whose days are done growing is sealed: its rows move into
 * PackedRows (packed-rows.ts, a few bits per sum instead of 32), and reads
 * decode the days they ask for. A late row unseals the chunk (it becomes
 * plain arrays again) until the next seal.
 */
import { SumOverflowError } from '../domain/metrics.js';
import type { BlockCheck } from './block-check.js';
import { PackedRows, packRows } from './packed-rows.js';

const NO_KEYS = new Uint32Array(0);
const NO_SUMS = new Int32Array(0);

/**
 * Where sealed chunks decode the rows a read asks for: one pair of arrays
 * reused by every read (a read inside another read's callback gets its own).
 */
class Scratch {
  keys = new Uint32Array(1024);
  sums = new Float64Array(1024 * 19);
  busy = false;

  fit(rows: number, width: number): void {
    if (this.keys.length < rows) this.keys = new Uint32Array(Math.max(rows, this.keys.length * 2));
    if (this.sums.length < rows * width) this.sums = new Float64Array(Math.max(rows * width, this.sums.length * 2));
  }
}
const SCRATCH = new Scratch();

export class DayChunk {
  /** Rows of day `first + i` are [start[i], start[i + 1]). */
  start: Int32Array;
  keys: Uint32Array;
  sums: Int32Array | Float64Array;
  /**
   * A snapshot being written holds these very arrays: the next change
   * copies them first (copy on write), so the snapshot needs no copy of
   * everything and sees the chunk as it was.
   */
  shared = false;
  /** Sealed: the rows live here, and `keys`/`sums` are empty. */
  packed: PackedRows | null = null;
  /** Read back from a snapshot and not yet verified: checked before the rows are first read or changed. */
  check: BlockCheck | null = null;

  constructor(
    readonly first: number,
    readonly days: number,
    readonly width: number,
    capacity: number,
  ) {
    this.start = new Int32Array(days + 1);
    // A chunk read back from a snapshot takes its arrays from the file: none made for it here.
    this.keys = capacity === 0 ? NO_KEYS : new Uint32Array(capacity);
    this.sums = capacity === 0 ? NO_SUMS : new Int32Array(capacity * width);
  }

  get n(): number {
    return this.start[this.days]!;
  }

  /** Verifies the bytes read back from a snapshot (once; throws ServingSnapshotError while they are damaged). */
  verify(): void {
    const c = this.check;
    if (c === null) return;
    c.verify();
    this.check = null;
  }

  /** Copies the arrays a snapshot holds before they change; unseals a sealed chunk. */
  private own(): void {
    this.shared = false;
    const packed = this.packed;
    if (packed !== null) {
      this.packed = null;
      const n = packed.n;
      const keys = new Uint32Array(Math.max(16, n + (n >> 3)));
      const sums = new Float64Array(keys.length * this.width);
      packed.decode(0, n, keys, sums);
      this.start = this.start.slice();
      this.keys = keys;
      let fits = true;
      for (let i = 0; i < n * this.width && fits; i++) fits = (sums[i]! | 0) === sums[i];
      this.sums = fits ? Int32Array.from(sums) : sums;
      return;
    }
    this.start = this.start.slice();
    this.keys = this.keys.slice();
    this.sums = this.sums.slice();
  }

  /** The row of `key` on day index `i`, inserted (zeroed) in key order when new. */
  row(i: number, key: number): number {
    if (this.check !== null) this.verify();
    if (this.shared || this.packed !== null) this.own();
    const keys = this.keys;
    const lo0 = this.start[i]!;
    const hi0 = this.start[i + 1]!;
    let lo = hi0;
    if (hi0 > lo0) {
      const last = keys[hi0 - 1]!;
      if (last === key) return hi0 - 1;
      if (last > key) {
        lo = lo0;
        let hi = hi0 - 1;
        while (lo < hi) {
          const mid = (lo + hi) >> 1;
          if (keys[mid]! < key) lo = mid + 1;
          else hi = mid;
        }
        if (keys[lo] === key) return lo;
      }
    }
    const n = this.n;
    if (n === this.keys.length) this.grow(n);
    const w = this.width;
    if (lo < n) {
      this.keys.copyWithin(lo + 1, lo, n);
      this.sums.copyWithin((lo + 1) * w, lo * w, n * w);
      this.sums.fill(0, lo * w, (lo + 1) * w);
    }
    this.keys[lo] = key;
    for (let j = i + 1; j <= this.days; j++) this.start[j]!++;
    return lo;
  }

  private grow(n: number): void {
    const k = new Uint32Array(Math.max(16, n * 2));
    k.set(this.keys.subarray(0, n));
    this.keys = k;
    const s = this.sums instanceof Int32Array ? new Int32Array(k.length * this.width) : new Float64Array(k.length * this.width);
    s.set(this.sums.subarray(0, n * this.width));
    this.sums = s;
  }

  /** Adds `values[0 .. count)` into row `r` from sum 0. */
  add(r: number, values: ArrayLike<number>, count: number): void {
    if (this.check !== null) this.verify();
    if (this.shared || this.packed !== null) this.own();
    const base = r * this.width;
    const sums = this.sums;
    if (sums instanceof Int32Array) {
      for (let i = 0; i < count; i++) {
        const v = values[i]!;
        if (v === 0) continue;
        const sum = sums[base + i]! + v;
        // `sum | 0` is sum only for a value that fits an Int32.
        if ((sum | 0) !== sum) {
          this.widen();
          this.addFloat(base, values, i, count);
          return;
        }
        sums[base + i] = sum;
      }
      return;
    }
    this.addFloat(base, values, 0, count);
  }

  private addFloat(base: number, values: ArrayLike<number>, from: number, count: number): void {
    const sums = this.sums;
    for (let i = from; i < count; i++) {
      const v = values[i]!;
      if (v === 0) continue;
      const sum = sums[base + i]! + v;
      if (!Number.isSafeInteger(sum)) throw new SumOverflowError(`a rollup sum reached ${String(sum)}, beyond 2^53 − 1 where float64 stops being exact`);
      sums[base + i] = sum;
    }
  }

  private widen(): void {
    const s = new Float64Array(this.keys.length * this.width);
    s.set(this.sums);
    this.sums = s;
  }

  /** Seals a chunk whose days are done growing: its rows move into packed columns. */
  seal(): void {
    if (this.shared || this.packed !== null) return;
    if (this.check !== null) this.verify();
    const data = packRows(this.start, this.keys, this.sums, this.width);
    this.restorePacked(data);
  }

  /** Takes sealed rows (from `seal` or a snapshot): the day starts become a view into them. */
  restorePacked(data: Uint32Array): void {
    const packed = new PackedRows(data);
    if (packed.days !== this.days || packed.width !== this.width) throw new RangeError(`packed rows of ${String(packed.days)} days × ${String(packed.width)} sums do not fit a chunk of ${String(this.days)} × ${String(this.width)}`);
    this.packed = packed;
    this.start = new Int32Array(data.buffer, data.byteOffset + 12, this.days + 1);
    this.keys = NO_KEYS;
    this.sums = NO_SUMS;
  }

  /**
   * Calls `fn` for each day index in [dFrom, dTo) with rows, with arrays
   * that hold them and the day's row range [lo, hi) in those arrays.
   */
  forEachDay(dFrom: number, dTo: number, fn: (i: number, keys: Uint32Array, sums: Int32Array | Float64Array, lo: number, hi: number) => void, columns = -1): void {
    if (this.check !== null) this.verify();
    const start = this.start;
    const packed = this.packed;
    if (packed === null) {
      for (let d = dFrom; d < dTo; d++) {
        const lo = start[d]!;
        const hi = start[d + 1]!;
        if (hi > lo) fn(d, this.keys, this.sums, lo, hi);
      }
      return;
    }
    const r0 = start[dFrom]!;
    const r1 = start[dTo]!;
    if (r1 === r0) return;
    const own = SCRATCH.busy;
    const scratch = own ? new Scratch() : SCRATCH;
    scratch.fit(r1 - r0, this.width);
    scratch.busy = true;
    try {
      packed.decode(r0, r1, scratch.keys, scratch.sums, columns);
      for (let d = dFrom; d < dTo; d++) {
        const lo = start[d]!;
        const hi = start[d + 1]!;
        if (hi > lo) fn(d, scratch.keys, scratch.sums, lo - r0, hi - r0);
      }
    } finally {
      if (!own) scratch.busy = false;
    }
  }

  bytes(): number {
    if (this.packed !== null) return this.packed.bytes() + 300;
    return this.start.byteLength + this.keys.byteLength + this.sums.byteLength + 300;
  }
}

export class DaySeries {
  private chunks: (DayChunk | undefined)[] = [];
  /** First chunk index held (chunk c covers days [c·chunkDays, (c+1)·chunkDays)). */
  private base = 0;

  constructor(
    readonly width: number,
    /** Days per chunk. */
    readonly chunkDays = 32,
    /** Rows a new chunk makes room for. */
    private readonly initialRows = 64,
  ) {}

  private chunkOf(day: number, capacity: number = this.initialRows): DayChunk {
    const c = Math.floor(day / this.chunkDays);
    if (this.chunks.length === 0) this.base = c;
    if (c < this.base) {
      this.chunks = new Array<DayChunk | undefined>(this.base - c).fill(undefined).concat(this.chunks);
      this.base = c;
    }
    const i = c - this.base;
    while (this.chunks.length <= i) this.chunks.push(undefined);
    let chunk = this.chunks[i];
    if (chunk === undefined) {
      chunk = new DayChunk(c * this.chunkDays, this.chunkDays, this.width, capacity);
      this.chunks[i] = chunk;
    }
    return chunk;
  }

  /** Adds `values[0 .. count)` to the row of `key` on `day`. */
  add(day: number, key: number, values: ArrayLike<number>, count: number): void {
    const chunk = this.chunkOf(day);
    chunk.add(chunk.row(day - chunk.first, key), values, count);
  }

  /**
   * Calls `fn` for each day in [from, to) that has rows, with the chunk's
   * arrays and the day's row range [lo, hi). `columns` (a bit per sum) names
   * the sums the caller reads: a sealed chunk decodes only those, and the
   * others hold anything.
   */
  forEachDay(from: number, to: number, fn: (day: number, keys: Uint32Array, sums: Int32Array | Float64Array, lo: number, hi: number) => void, columns = -1): void {
    const cFrom = Math.max(Math.floor(from / this.chunkDays), this.base);
    const cTo = Math.min(Math.floor((to - 1) / this.chunkDays), this.base + this.chunks.length - 1);
    for (let c = cFrom; c <= cTo; c++) {
      const chunk = this.chunks[c - this.base];
      if (chunk === undefined) continue;
      const first = chunk.first;
      chunk.forEachDay(Math.max(from, first) - first, Math.min(to, first + chunk.days) - first, (i, keys, sums, lo, hi) => fn(first + i, keys, sums, lo, hi), columns);
    }
  }

  /** Every day with rows. */
  forEach(fn: (day: number, keys: Uint32Array, sums: Int32Array | Float64Array, lo: number, hi: number) => void): void {
    if (this.chunks.length === 0) return;
    this.forEachDay(this.base * this.chunkDays, (this.base + this.chunks.length) * this.chunkDays, fn);
  }

  /** Drops the chunks that end before `day`. */
  dropBefore(day: number): void {
    const c = Math.floor(day / this.chunkDays);
    if (c <= this.base) return;
    const cut = Math.min(c - this.base, this.chunks.length);
    this.chunks = this.chunks.slice(cut);
    this.base += cut;
  }

  /** Seals the chunks that end before `day`: done growing (late data may still add a row, and unseals). */
  sealBefore(day: number): void {
    for (const chunk of this.chunks) if (chunk !== undefined && chunk.first + chunk.days <= day && chunk.n > 0) chunk.seal();
  }

  bytes(): number {
    let n = this.chunks.length * 8;
    for (const c of this.chunks) if (c !== undefined) n += c.bytes();
    return n;
  }

  rows(): number {
    let n = 0;
    for (const c of this.chunks) if (c !== undefined) n += c.n;
    return n;
  }

  /** The chunks, for a snapshot. */
  *allChunks(): Generator<DayChunk> {
    for (const c of this.chunks) if (c !== undefined && c.n > 0) yield c;
  }

  /** Chunks read back from a snapshot and not verified yet. */
  *unverified(): Generator<DayChunk> {
    for (const c of this.chunks) if (c?.check != null) yield c;
  }

  /** Puts a chunk read back from a snapshot (`check`: its bytes, verified when first touched). */
  restore(first: number, start: Int32Array, keys: Uint32Array, sums: Int32Array | Float64Array, check: BlockCheck | null = null): void {
    // No room made: the chunk takes the arrays read back.
    const chunk = this.chunkOf(first, 0);
    if (chunk.first !== first || start.length !== this.chunkDays + 1) throw new RangeError(`a chunk of ${String(start.length - 1)} days from day ${String(first)} does not fit chunks of ${String(this.chunkDays)} days`);
    chunk.start = start;
    chunk.keys = keys;
    chunk.sums = sums;
    chunk.check = check;
  }

  /** Puts a sealed chunk read back from a snapshot (its words stay a view into the file's bytes). */
  restorePacked(first: number, data: Uint32Array, check: BlockCheck | null = null): void {
    const chunk = this.chunkOf(first, 0);
    if (chunk.first !== first) throw new RangeError(`a sealed chunk from day ${String(first)} does not start a chunk of ${String(this.chunkDays)} days`);
    chunk.restorePacked(data);
    chunk.check = check;
  }
}
