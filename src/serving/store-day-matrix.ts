/**
 * StoreDayMatrix: every store's day totals on one day axis, day-major —
 * row k holds, for each store in turn, its 12 running sums of every day
 * before `first + k` (the same numbers as the stores' own DayTotals,
 * transposed).
 *
 * Why: a top-N or a map over 5,000 stores reads two rows of each store's
 * running sums. In the stores' own arrays those are 10,000 reads of 96
 * bytes scattered over gigabytes, and at 5,000 stores the additions waited
 * on memory (a third of the profile of those queries). Here they are two
 * contiguous rows of 480 KB.
 *
 * It is derived, never saved: built column by column in the background
 * after start-up (`step`), and kept with the stream from then on (each
 * store's DayTotals mirrors its additions here, day-totals.ts). Queries use
 * it only when every store they read is in it (`covers`); otherwise they
 * read the stores' own rows, as before. A day before `first` (late data
 * older than anything held) or a store added after the build starts it
 * again.
 */
import { SUM_COUNT } from '../domain/metrics.js';
import type { DayTotals } from './day-totals.js';

const W = SUM_COUNT;

export class StoreDayMatrix {
  /** The day of row 0 (row 0: nothing before `first`). */
  first = 0;
  /** Rows 0 … days. */
  days = 0;
  private cum = new Float64Array(0);
  /** Columns: the day totals of each store, in column order. */
  private members: readonly DayTotals[] = [];
  /** Columns copied so far (all of them: ready). */
  private copied = 0;
  private built = false;

  /** Whether every column is in (then reads may use it). */
  get ready(): boolean {
    return this.built;
  }

  /** Columns (stores) held. */
  get width(): number {
    return this.members.length;
  }

  /**
   * Starts (again) over these day totals, one column each; columns are
   * copied by `step`. The rows span every store's days.
   */
  begin(totals: readonly DayTotals[]): void {
    this.detach();
    this.members = totals;
    this.copied = 0;
    this.built = false;
    let first = Infinity;
    let end = -Infinity;
    for (const d of totals) {
      if (d.days === 0) continue;
      const [a, b] = d.span();
      first = Math.min(first, a);
      end = Math.max(end, b);
    }
    if (first === Infinity) {
      first = 0;
      end = 0;
    }
    this.first = first;
    this.days = end - first;
    const need = (this.days + 1) * totals.length * W;
    // Room for a few more days without a copy (a year grows a day at a time).
    this.cum = new Float64Array(need + 8 * totals.length * W);
    this.capacityDays = this.cum.length / Math.max(1, totals.length * W) - 1;
  }

  private capacityDays = 0;

  /** Copies columns until `deadline` (performance.now()); true when every column is in. */
  step(deadline: number): boolean {
    const n = this.members.length;
    while (this.copied < n) {
      const col = this.copied;
      const d = this.members[col]!;
      // A store that took a day before the rows (late data, while the build ran): start again over the wider span.
      if (d.days > 0 && d.first < this.first) {
        this.begin(this.members);
        return false;
      }
      // Rows begun over stores without a day start at this store's first day (nothing is held before it).
      if (d.days > 0 && this.days === 0) this.first = d.first;
      // One that took days after the rows while the build ran: the rows grow to them.
      if (d.days > 0 && d.first + d.days > this.first + this.days) this.extend(d.first + d.days - this.first);
      this.copyColumn(col, d);
      d.matrix = this;
      d.column = col;
      this.copied++;
      if ((this.copied & 15) === 0 && performance.now() >= deadline) break;
    }
    if (this.copied === n) this.built = true;
    return this.built;
  }

  private copyColumn(col: number, d: DayTotals): void {
    const n = this.members.length;
    const cum = this.cum;
    const src = d.cumulative();
    const [a] = d.span();
    const held = d.days;
    for (let k = 0; k <= this.days; k++) {
      // The store's own row before day first + k, clamped to its days (as DayTotals reads it).
      const r = held === 0 ? 0 : Math.min(Math.max(this.first + k - a, 0), held) * W;
      const at = (k * n + col) * W;
      if (held === 0) cum.fill(0, at, at + W);
      else for (let i = 0; i < W; i++) cum[at + i] = src[r + i]!;
    }
  }

  /**
   * Mirrors `values` added to `day` of column `col` (called by the store's
   * DayTotals after its own addition). False when the day lies before the
   * rows held: the matrix then stops serving until it is built again.
   */
  add(col: number, day: number, values: ArrayLike<number>): boolean {
    // No day held yet (built over stores without sales, as a new tenant's are): the rows start at this day,
    // not at day 0 of 1970, which would make tens of thousands of rows.
    if (this.days === 0) this.first = day;
    if (day < this.first) {
      this.invalidate();
      return false;
    }
    if (day >= this.first + this.days) this.extend(day - this.first + 1);
    const n = this.members.length;
    const cum = this.cum;
    for (let k = day - this.first + 1; k <= this.days; k++) {
      const at = (k * n + col) * W;
      for (let i = 0; i < W; i++) {
        const v = values[i]!;
        if (v !== 0) cum[at + i]! += v;
      }
    }
    return true;
  }

  /** Grows the rows to `days`, each new row a copy of the last (nothing was added on those days). */
  private extend(days: number): void {
    const rowLen = this.members.length * W;
    if (days > this.capacityDays) {
      const cap = Math.max(days + 8, Math.ceil(this.capacityDays * 1.1));
      const grown = new Float64Array((cap + 1) * rowLen);
      grown.set(this.cum.subarray(0, (this.days + 1) * rowLen));
      this.cum = grown;
      this.capacityDays = cap;
    }
    const last = this.days * rowLen;
    for (let k = this.days + 1; k <= days; k++) this.cum.copyWithin(k * rowLen, last, last + rowLen);
    this.days = days;
  }

  /** Stops serving from the matrix and unhooks its columns (the next `begin` starts over). */
  invalidate(): void {
    this.detach();
    this.built = false;
    this.members = [];
    this.copied = 0;
    this.cum = new Float64Array(0);
    this.days = 0;
    this.capacityDays = 0;
  }

  private detach(): void {
    for (let c = 0; c < this.copied; c++) {
      const d = this.members[c]!;
      if (d.matrix === this) {
        d.matrix = null;
        d.column = -1;
      }
    }
  }

  /** The running sums, row k of column c at ((k × width) + c) × 12, for readers that inline the differences. */
  cumulative(): Float64Array {
    return this.cum;
  }

  /** The row index of the running sums before `day` (clamped to the days held). */
  rowBefore(day: number): number {
    return Math.min(Math.max(day - this.first, 0), this.days);
  }

  /** Whether every one of `totals` is a column here and the matrix is complete. */
  covers(totals: readonly DayTotals[]): boolean {
    if (!this.built) return false;
    for (const d of totals) if (d.matrix !== this) return false;
    return true;
  }

  bytes(): number {
    return this.cum.byteLength;
  }
}
