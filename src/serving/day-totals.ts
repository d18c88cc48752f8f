/**
 * DayTotals: one node's day totals on one day axis, kept as running sums.
 * Row k holds the sums of every day before `first + k`, so the total of any
 * range of days is one row minus another: a top-N over thousands of stores,
 * or a month or a year of a node, reads two rows instead of every day.
 *
 * Rows are float64 and every sum is checked to stay an exact integer
 * (below 2^53); a difference of two exact integers is exact. New data mostly
 * lands on the last day, which touches one row; a late day touches the rows
 * after it.
 */
import { SumOverflowError } from '../domain/metrics.js';
import type { BlockCheck } from './block-check.js';
import type { StoreDayMatrix } from './store-day-matrix.js';

export class DayTotals {
  /** The day of row 0 (row 0 is all zeros: nothing before `first`). */
  first = 0;
  /** Days covered: rows 0 … days. */
  days = 0;
  private cum: Float64Array = new Float64Array(0);
  /** A snapshot being written holds `cum`: the next change copies it first. */
  shared = false;
  /** Read back from a snapshot and not yet verified: checked before the sums are first read or changed. */
  check: BlockCheck | null = null;
  /** A store's totals: the day-major matrix of its tenant that holds them too (store-day-matrix.ts), and its column there. */
  matrix: StoreDayMatrix | null = null;
  column = -1;

  constructor(readonly width: number) {}

  /** Adds `values[0 .. width)` to `day`. */
  add(day: number, values: ArrayLike<number>): void {
    if (this.check !== null) this.verify();
    if (this.shared) {
      this.cum = this.cum.slice();
      this.shared = false;
    }
    const w = this.width;
    if (this.days === 0) {
      this.first = day;
      this.room(1);
      this.days = 1;
    } else if (day < this.first) {
      const shift = this.first - day;
      this.room(this.days + shift);
      this.cum.copyWithin((shift + 1) * w, w, (this.days + 1) * w);
      this.cum.fill(0, w, (shift + 1) * w);
      this.first = day;
      this.days += shift;
    } else if (day >= this.first + this.days) {
      const days = day - this.first + 1;
      this.room(days);
      const last = this.days * w;
      for (let k = this.days + 1; k <= days; k++) this.cum.copyWithin(k * w, last, last + w);
      this.days = days;
    }
    const cum = this.cum;
    const end = (this.days + 1) * w;
    for (let i = 0; i < w; i++) {
      const v = values[i]!;
      if (v === 0) continue;
      for (let at = (day - this.first + 1) * w + i; at < end; at += w) {
        const sum = cum[at]! + v;
        if (!Number.isSafeInteger(sum)) throw new SumOverflowError(`a rollup sum reached ${String(sum)}, beyond 2^53 − 1 where float64 stops being exact`);
        cum[at] = sum;
      }
    }
    this.matrix?.add(this.column, day, values);
  }

  private room(days: number): void {
    const need = (days + 1) * this.width;
    if (need <= this.cum.length) return;
    // A year of days grows a few times, not once a day.
    const grown = new Float64Array(Math.max(need, Math.ceil(this.cum.length * 1.25), 33 * this.width));
    grown.set(this.cum);
    this.cum = grown;
  }

  /** The row index of the running sums before `day` (clamped to the days held). */
  private rowBefore(day: number): number {
    return Math.min(Math.max(day - this.first, 0), this.days);
  }

  /**
   * Adds the sums of days [from, to) into `out[at .. at + width)` and tells
   * whether those days hold anything (`count` of `countAt…` columns ≠ 0,
   * i.e. at least one transaction).
   */
  sumInto(from: number, to: number, out: Float64Array, at: number, countAt: readonly number[]): boolean {
    if (this.days === 0) return false;
    if (this.check !== null) this.verify();
    const a = this.rowBefore(from) * this.width;
    const b = this.rowBefore(to) * this.width;
    if (a >= b) return false;
    const cum = this.cum;
    let any = false;
    for (const c of countAt) if (cum[b + c] !== cum[a + c]) any = true;
    if (!any) return false;
    for (let i = 0; i < this.width; i++) out[at + i]! += cum[b + i]! - cum[a + i]!;
    return true;
  }

  /** The running sums, rows 0 … days (row k: every day before `first + k`), for readers that inline the differences. */
  cumulative(): Float64Array {
    if (this.check !== null) this.verify();
    return this.cum;
  }

  /** Verifies the sums read back from a snapshot (once; throws ServingSnapshotError while they are damaged). */
  verify(): void {
    const c = this.check;
    if (c === null) return;
    c.verify();
    this.check = null;
  }

  /** The first day held and the day after the last (empty when equal). */
  span(): [number, number] {
    return [this.first, this.first + this.days];
  }

  bytes(): number {
    return this.cum.byteLength + 64;
  }

  /** Rows 0 … days (row 0 is zeros), for a snapshot. */
  rows(): Float64Array {
    if (this.check !== null) this.verify();
    return this.cum.subarray(0, (this.days + 1) * this.width);
  }

  /**
   * Takes rows 0 … days read back from a snapshot as they are (a view into
   * the file's bytes: no copy; the first day past them grows a copy).
   * `check`: their bytes, verified when first touched.
   */
  restoreView(first: number, cum: Float64Array, check: BlockCheck | null): void {
    this.matrix?.invalidate();
    this.first = first;
    this.days = cum.length / this.width - 1;
    this.cum = cum;
    this.check = check;
  }

  /** Takes rows 1 … days read back from a snapshot of version 6 or before (copied). */
  restore(first: number, rows: Float64Array): void {
    this.matrix?.invalidate();
    const days = rows.length / this.width;
    this.first = first;
    this.days = 0;
    this.room(days);
    this.cum.fill(0, 0, this.width);
    this.cum.set(rows, this.width);
    this.days = days;
  }
}
