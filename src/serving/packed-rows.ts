/**
 * PackedRows: the rows of a day chunk that is done growing, column by
 * column in as few bits as each column needs, in one Uint32Array that a
 * snapshot writes and reads back as it is (no parsing at start-up).
 *
 * Why: most sums of a store's quarter hour fit in 4 to 20 bits (counts are
 * small, refunds and voids are mostly zero, the original-currency sums
 * equal the reporting ones when the currencies are the same), so a 32- or
 * 64-bit cell per sum spends most of its bytes on zeros. Each column picks
 * the cheapest of:
 *
 *   - CONST:  every row holds `base` (an all-zero column costs nothing);
 *   - SAME:   every row equals an earlier column (original = reporting);
 *   - PACKED: `base` + a `bits`-wide unsigned offset per row (frame of
 *             reference), bit-packed; fixed width, so any row range decodes
 *             without reading the rows before it;
 *   - SPARSE: only the non-zero rows, as packed row numbers and values;
 *   - FLOAT:  a float64 per row (a range too wide for 32 bits).
 *
 * Every value is an integer below 2^53 in magnitude, so each encoding is
 * exact. Layout (32-bit words):
 *   [0] rows, [1] days, [2] width, [3 … 3 + days] day starts,
 *   then a directory of (width + 1) columns (keys first), 4 words each:
 *   kind | bits << 8 | same column << 16, base low word, base high word
 *   (signed), data offset in words; then the columns' data (FLOAT data
 *   8-aligned). Sparse data: count, value bits, row numbers, values.
 */

const CONST = 0;
const SAME = 1;
const PACKED = 2;
const SPARSE = 3;
const FLOAT = 4;

const TWO_32 = 4294967296;

function bitsFor(range: number): number {
  let b = 0;
  while (b < 32 && range >= 2 ** b) b++;
  return b;
}

/** Words that hold `count` values of `bits` bits, plus one so a two-word read never runs off the end. */
const packedWords = (count: number, bits: number): number => Math.ceil((count * bits) / 32) + 1;

function pack(out: Uint32Array, at: number, count: number, bits: number, value: (i: number) => number): void {
  for (let i = 0; i < count; i++) {
    const v = value(i);
    const p = i * bits;
    const w = at + (p >>> 5);
    const s = p & 31;
    out[w] = (out[w]! | (v << s)) >>> 0;
    // The bits that did not fit the word go to the next one (s > 0 here, so 32 − s is a shift below 32).
    if (s + bits > 32) out[w + 1] = (out[w + 1]! | Math.floor(v / 2 ** (32 - s))) >>> 0;
  }
}

/** The `bits`-wide value at index `i` of the packed stream at word `at`. */
function unpack(data: Uint32Array, at: number, bits: number, i: number): number {
  const p = i * bits;
  const w = at + (p >>> 5);
  const s = p & 31;
  let v = data[w]! >>> s;
  if (s + bits > 32) v = (v | (data[w + 1]! << (32 - s))) >>> 0;
  return bits === 32 ? v >>> 0 : v & ((1 << bits) - 1);
}

interface ColumnPlan {
  kind: number;
  bits: number;
  same: number;
  base: number;
  words: number;
  /** Sparse: non-zero rows and the bits of their values. */
  nonZero: number;
  valueBits: number;
}

/**
 * Encodes `n` rows: `keys[r]` and `sums[r × width + i]`, with `start[d]`
 * the first row of day d (rows of day d are [start[d], start[d + 1])).
 */
export function packRows(start: Int32Array, keys: Uint32Array, sums: Int32Array | Float64Array, width: number): Uint32Array {
  const days = start.length - 1;
  const n = start[days]!;
  const col = (c: number): ((r: number) => number) => (c === 0 ? (r) => keys[r]! : (r) => sums[r * width + c - 1]!);
  const plans: ColumnPlan[] = [];
  const rowBits = bitsFor(Math.max(0, n - 1));
  for (let c = 0; c <= width; c++) {
    const get = col(c);
    let min = Infinity;
    let max = -Infinity;
    let nzMin = Infinity;
    let nzMax = -Infinity;
    let nonZero = 0;
    for (let r = 0; r < n; r++) {
      const v = get(r);
      if (v < min) min = v;
      if (v > max) max = v;
      if (v !== 0) {
        nonZero++;
        if (v < nzMin) nzMin = v;
        if (v > nzMax) nzMax = v;
      }
    }
    if (n === 0) min = max = 0;
    const plan: ColumnPlan = { kind: CONST, bits: 0, same: 0, base: min, words: 0, nonZero, valueBits: 0 };
    plans.push(plan);
    if (min === max) continue;
    if (c > 1) {
      let same = -1;
      for (let j = 1; j < c && same < 0; j++) {
        const other = col(j);
        let r = 0;
        while (r < n && other(r) === get(r)) r++;
        if (r === n) same = j;
      }
      if (same >= 0) {
        plan.kind = SAME;
        plan.same = same;
        continue;
      }
    }
    const range = max - min;
    if (range >= TWO_32) {
      plan.kind = FLOAT;
      plan.words = 2 * n + 1; // and one for alignment
      continue;
    }
    plan.kind = PACKED;
    plan.bits = bitsFor(range);
    plan.words = packedWords(n, plan.bits);
    const nzRange = nzMax - nzMin;
    if (nzRange < TWO_32) {
      const vb = bitsFor(nzRange);
      const sparseWords = 2 + packedWords(nonZero, rowBits) + packedWords(nonZero, vb);
      if (sparseWords < plan.words) {
        plan.kind = SPARSE;
        plan.base = nzMin;
        plan.valueBits = vb;
        plan.words = sparseWords;
      }
    }
  }
  const head = 3 + days + 1 + 4 * (width + 1);
  let total = head;
  for (const p of plans) total += p.words;
  const out = new Uint32Array(total);
  out[0] = n;
  out[1] = days;
  out[2] = width;
  for (let d = 0; d <= days; d++) out[3 + d] = start[d]!;
  let next = head;
  plans.forEach((p, c) => {
    const dir = 3 + days + 1 + 4 * c;
    const get = col(c);
    // FLOAT data is 8-aligned (its words count one for that).
    const at = p.kind === FLOAT && (next & 1) === 1 ? next + 1 : next;
    const hi = Math.floor(p.base / TWO_32);
    out[dir] = p.kind | (p.bits << 8) | (p.same << 16);
    out[dir + 1] = p.base - hi * TWO_32;
    out[dir + 2] = hi >>> 0;
    out[dir + 3] = at;
    if (p.kind === PACKED) pack(out, at, n, p.bits, (r) => get(r) - p.base);
    else if (p.kind === FLOAT) new Float64Array(out.buffer, out.byteOffset + at * 4, n).set(Array.from({ length: n }, (_, r) => get(r)));
    else if (p.kind === SPARSE) {
      out[at] = p.nonZero;
      out[at + 1] = p.valueBits;
      const rows: number[] = [];
      for (let r = 0; r < n; r++) if (get(r) !== 0) rows.push(r);
      pack(out, at + 2, rows.length, rowBits, (i) => rows[i]!);
      pack(out, at + 2 + packedWords(rows.length, rowBits), rows.length, p.valueBits, (i) => get(rows[i]!) - p.base);
    }
    next += p.words;
  });
  return out;
}

/** Reads rows back from `packRows`' words. */
export class PackedRows {
  readonly n: number;
  readonly days: number;
  readonly width: number;
  private readonly dir: number;

  constructor(readonly data: Uint32Array) {
    this.n = data[0]!;
    this.days = data[1]!;
    this.width = data[2]!;
    this.dir = 3 + this.days + 1;
    if (data.length < this.dir + 4 * (this.width + 1)) throw new RangeError(`packed rows of ${String(data.length)} words are too short for their directory`);
  }

  /** The first row of day index `i` (i ≤ days). */
  start(i: number): number {
    return this.data[3 + i]!;
  }

  /**
   * Rows [lo, hi) into `keys[0 …]` and row-major `sums[0 …]` (width values a
   * row), as the mutable chunk holds them. Only the sums whose bit is set in
   * `columns` are written; the others keep whatever `sums` held (a query
   * that asks for net sales decodes 6 of 19 columns and reads only those).
   */
  decode(lo: number, hi: number, keys: Uint32Array, sums: Float64Array, columns = -1): void {
    const w = this.width;
    const count = hi - lo;
    this.column(0, lo, count, keys, 0, 1);
    for (let c = 1; c <= w; c++) {
      if ((columns & (1 << (c - 1))) === 0) continue;
      const head = this.data[this.dir + 4 * c]!;
      // A column like an earlier one decodes that one's data (never itself a copy: it names the first equal column).
      this.column((head & 0xff) === SAME ? head >>> 16 : c, lo, count, sums, c - 1, w);
    }
  }

  /** Rows [lo, lo + count) of column `c` (0: the keys) into `out[o0]`, `out[o0 + stride]`, … */
  private column(c: number, lo: number, count: number, out: Uint32Array | Float64Array, o0: number, stride: number): void {
    const data = this.data;
    const d = this.dir + 4 * c;
    const head = data[d]!;
    const kind = head & 0xff;
    const bits = (head >>> 8) & 0xff;
    const base = (data[d + 2]! | 0) * TWO_32 + data[d + 1]!;
    const at = data[d + 3]!;
    switch (kind) {
      case CONST:
        for (let r = 0, o = o0; r < count; r++, o += stride) out[o] = base;
        return;
      case PACKED: {
        const mask = bits === 32 ? 0 : (1 << bits) - 1;
        let p = lo * bits;
        for (let r = 0, o = o0; r < count; r++, o += stride, p += bits) {
          const wd = at + (p >>> 5);
          const s = p & 31;
          let v = data[wd]! >>> s;
          if (s + bits > 32) v |= data[wd + 1]! << (32 - s);
          out[o] = base + (bits === 32 ? v >>> 0 : v & mask);
        }
        return;
      }
      case SPARSE: {
        for (let r = 0, o = o0; r < count; r++, o += stride) out[o] = 0;
        const rowBits = bitsFor(Math.max(0, this.n - 1));
        const m = data[at]!;
        const vb = data[at + 1]!;
        const idx = at + 2;
        const vals = idx + packedWords(m, rowBits);
        // The first non-zero row at or after lo (row numbers ascend).
        let a = 0;
        let b = m;
        while (a < b) {
          const mid = (a + b) >> 1;
          if (unpack(data, idx, rowBits, mid) < lo) a = mid + 1;
          else b = mid;
        }
        const hi = lo + count;
        for (let i = a; i < m; i++) {
          const r = unpack(data, idx, rowBits, i);
          if (r >= hi) break;
          out[o0 + (r - lo) * stride] = base + unpack(data, vals, vb, i);
        }
        return;
      }
      case FLOAT: {
        const f = new Float64Array(data.buffer, data.byteOffset + at * 4, this.n);
        for (let r = 0, o = o0; r < count; r++, o += stride) out[o] = f[lo + r]!;
        return;
      }
      default:
        throw new RangeError(`packed rows: column ${String(c)} has kind ${String(kind)}`);
    }
  }

  bytes(): number {
    return this.data.byteLength;
  }
}
