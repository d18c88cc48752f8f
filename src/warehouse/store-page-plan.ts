/**
 * Which files a store page reads, and in what groups, so that a page of 100
 * rows over 30 days opens the two or three files that hold them instead of
 * thirty.
 *
 * The files that have the store in the time range are sorted by the store's
 * first `ts` in each. A *window* takes files in that order until they hold
 * (by the index's per-store row counts) enough rows for the page, then keeps
 * taking every file whose first `ts` is not after the latest `ts` taken so
 * far. Every row of a later window is then strictly later than every row of
 * this one, so pages are read window by window and simply concatenated, and
 * a window that yields too few rows (the counts include rows outside the
 * range) just means reading the next one.
 */
import { storeOrdinal } from './file-index.js';
import type { DataFile } from './parquet-file-set.js';

export interface StoreSlice {
  file: DataFile;
  /** The store's rows in the file (all of them, whatever the range). */
  rows: number;
  minTs: number;
  maxTs: number;
}

/** Files holding rows of `storeId` with `lower <= ts < upper`, by their first such `ts`. */
export function storeSlices(files: readonly DataFile[], storeId: string, lower: number, upper: number): StoreSlice[] {
  const out: StoreSlice[] = [];
  for (const file of files) {
    const ix = file.index;
    const o = storeOrdinal(ix, storeId);
    if (o < 0) continue;
    const minTs = ix.storeMinTs[o]!;
    const maxTs = ix.storeMaxTs[o]!;
    if (maxTs < lower || minTs >= upper) continue;
    out.push({ file, rows: ix.storeRows[o]!, minTs, maxTs });
  }
  return out.sort((a, b) => a.minTs - b.minTs);
}

/** End (exclusive) of the window that starts at `slices[start]` and should hold `need` rows. */
export function windowEnd(slices: readonly StoreSlice[], start: number, need: number): number {
  let i = start;
  let rows = 0;
  let maxTs = -Infinity;
  do {
    const s = slices[i++]!;
    rows += s.rows;
    maxTs = Math.max(maxTs, s.maxTs);
  } while (i < slices.length && (rows < need || slices[i]!.minTs <= maxTs));
  return i;
}
