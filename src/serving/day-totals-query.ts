/**
 * Day-grain answers straight from day totals, with no object per group: the
 * covered nodes' running sums (day-totals.ts, two rows per bucket) add into
 * one flat array indexed by group and bucket, and a top-N keeps its best
 * rows in a small heap instead of sorting every store.
 *
 * Why: a map of H3 cells or a top 20 over 5,000 stores is 5,000 nodes of
 * two rows each; with a keyed group and its arrays per store, the objects
 * cost ten times the additions (about 1 µs a store, measured), and sorting
 * every store to keep 20 another millisecond.
 */
import { metricValue, SUM, SUM_COUNT, SumOverflowError, type Metric } from '../domain/metrics.js';
import type { DayTotals } from './day-totals.js';
import type { StoreDayMatrix } from './store-day-matrix.js';

/** Most group × bucket cells one answer may sum here (6 MiB of sums); a larger one takes the general path. */
export const MAX_FLAT_CELLS = 1 << 16;

/** Where answers sum: grown to the largest answer yet, reused (one query runs at a time on a thread). */
let scratch = new Float64Array(1024 * SUM_COUNT);
let seenScratch = new Uint8Array(1024);

export interface FlatSums {
  /** Sums of group g in bucket b from ((g × buckets) + b) × SUM_COUNT. */
  sums: Float64Array;
  /** Non-zero where group g has a transaction in bucket b. */
  seen: Uint8Array;
  buckets: number;
}

/**
 * Adds day totals of `totals[k]` over each of `ranges` ([first day, end
 * day)) into group `groupOf[k]`. A bucket counts as seen when it holds a
 * sale, refund or void. Throws SumOverflowError when a sum leaves the
 * exact range of float64.
 */
export function sumDayTotals(totals: readonly DayTotals[], groupOf: Int32Array, groups: number, ranges: readonly (readonly [number, number, number])[], matrix: StoreDayMatrix | null = null): FlatSums {
  const nb = ranges.length;
  const cells = groups * nb;
  if (scratch.length < cells * SUM_COUNT) scratch = new Float64Array(Math.max(cells * SUM_COUNT, scratch.length * 2));
  if (seenScratch.length < cells) seenScratch = new Uint8Array(Math.max(cells, seenScratch.length * 2));
  const sums = scratch;
  const seen = seenScratch;
  sums.fill(0, 0, cells * SUM_COUNT);
  seen.fill(0, 0, cells);
  const from = new Int32Array(nb);
  const to = new Int32Array(nb);
  for (let b = 0; b < nb; b++) {
    from[b] = ranges[b]![0];
    to[b] = ranges[b]![1];
  }
  if (matrix !== null) sumFromMatrix(matrix, totals, groupOf, from, to, sums, seen);
  else sumFromStores(totals, groupOf, from, to, sums, seen);
  for (let c = 0; c < cells; c++) {
    if (seen[c] === 0) continue;
    for (let i = c * SUM_COUNT, end = i + SUM_COUNT; i < end; i++) {
      if (!Number.isSafeInteger(sums[i]!)) throw new SumOverflowError(`a sum of this query reached ${String(sums[i])}, beyond 2^53 − 1: narrow the scope or the range`);
    }
  }
  return { sums, seen, buckets: nb };
}

/** Adds each store's two rows per bucket from its own running sums (day-totals.ts). */
function sumFromStores(totals: readonly DayTotals[], groupOf: Int32Array, from: Int32Array, to: Int32Array, sums: Float64Array, seen: Uint8Array): void {
  const nb = from.length;
  for (let k = 0; k < totals.length; k++) {
    const d = totals[k]!;
    const days = d.days;
    if (days === 0) continue;
    const first = d.first;
    const cum = d.cumulative();
    const base = groupOf[k]! * nb;
    for (let b = 0; b < nb; b++) {
      // Rows before `from` and before `to`, clamped to the days held (day-totals.ts).
      const ra = Math.min(Math.max(from[b]! - first, 0), days) * SUM_COUNT;
      const rb = Math.min(Math.max(to[b]! - first, 0), days) * SUM_COUNT;
      if (ra >= rb) continue;
      if (cum[rb + SUM.saleCount] === cum[ra + SUM.saleCount] && cum[rb + SUM.refundCount] === cum[ra + SUM.refundCount] && cum[rb + SUM.voidCount] === cum[ra + SUM.voidCount]) continue;
      const cell = base + b;
      const at = cell * SUM_COUNT;
      seen[cell] = 1;
      for (let i = 0; i < SUM_COUNT; i++) sums[at + i]! += cum[rb + i]! - cum[ra + i]!;
    }
  }
}

/**
 * The same additions from the tenant's day-major matrix (every total of
 * `totals` is a column of it): two contiguous rows per bucket instead of
 * two rows of each store's own array.
 */
function sumFromMatrix(m: StoreDayMatrix, totals: readonly DayTotals[], groupOf: Int32Array, from: Int32Array, to: Int32Array, sums: Float64Array, seen: Uint8Array): void {
  const nb = from.length;
  const rowLen = m.width * SUM_COUNT;
  const cum = m.cumulative();
  for (let b = 0; b < nb; b++) {
    const rowA = m.rowBefore(from[b]!) * rowLen;
    const rowB = m.rowBefore(to[b]!) * rowLen;
    if (rowA >= rowB) continue;
    for (let k = 0; k < totals.length; k++) {
      const c = totals[k]!.column * SUM_COUNT;
      const ra = rowA + c;
      const rb = rowB + c;
      if (cum[rb + SUM.saleCount] === cum[ra + SUM.saleCount] && cum[rb + SUM.refundCount] === cum[ra + SUM.refundCount] && cum[rb + SUM.voidCount] === cum[ra + SUM.voidCount]) continue;
      const cell = groupOf[k]! * nb + b;
      const at = cell * SUM_COUNT;
      seen[cell] = 1;
      for (let i = 0; i < SUM_COUNT; i++) sums[at + i]! += cum[rb + i]! - cum[ra + i]!;
    }
  }
}

/**
 * The `limit` groups with the highest (or lowest) `metric` over bucket 0,
 * ties by `sortKeys`, groups without a value (avg_basket with no sale)
 * after every group with one; groups never seen are left out. A heap of
 * `limit` entries: each other group costs one comparison with the worst kept.
 */
export function topGroups(flat: FlatSums, groups: number, metric: Metric, order: 'desc' | 'asc', limit: number, sortKeys: readonly string[]): number[] {
  const rank = new Float64Array(groups);
  const ranked: number[] = [];
  for (let g = 0; g < groups; g++) {
    if (flat.seen[g * flat.buckets] === 0) continue;
    const v = metricValue(flat.sums, g * flat.buckets * SUM_COUNT, metric);
    rank[g] = v === null ? NaN : v;
    ranked.push(g);
  }
  const dir = order === 'desc' ? -1 : 1;
  /** Negative when group a comes before group b. */
  const before = (a: number, b: number): number => {
    const x = rank[a]!;
    const y = rank[b]!;
    const xn = Number.isNaN(x);
    const yn = Number.isNaN(y);
    if (xn || yn) {
      if (xn !== yn) return xn ? 1 : -1;
    } else if (x !== y) return dir * (x - y);
    const ka = sortKeys[a]!;
    const kb = sortKeys[b]!;
    return ka < kb ? -1 : ka > kb ? 1 : 0;
  };
  if (limit <= 0) return [];
  // Max-heap on `before`: the root is the worst of the best `limit` so far.
  const heap: number[] = [];
  const up = (i: number): void => {
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (before(heap[p]!, heap[i]!) >= 0) return;
      [heap[p], heap[i]] = [heap[i]!, heap[p]!];
      i = p;
    }
  };
  const down = (i: number): void => {
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < heap.length && before(heap[l]!, heap[m]!) > 0) m = l;
      if (r < heap.length && before(heap[r]!, heap[m]!) > 0) m = r;
      if (m === i) return;
      [heap[m], heap[i]] = [heap[i]!, heap[m]!];
      i = m;
    }
  };
  for (const g of ranked) {
    if (heap.length < limit) {
      heap.push(g);
      up(heap.length - 1);
    } else if (before(g, heap[0]!) < 0) {
      heap[0] = g;
      down(0);
    }
  }
  return heap.sort(before);
}
