/**
 * The matcher's working memory: typed arrays carved out of one ArrayBuffer
 * that is kept for the next run. Why: V8 counts typed arrays as external
 * memory and starts a full collection for about every 64 MB of it; a year
 * of 5,000 stores (1.8 M items, 2.1 M entries) allocated ~330 MB of arrays
 * per run, and each full collection marked the 4 M input rows again,
 * ~0.9 s apiece, four per run (measured, bench:treasury). Reused, the
 * buffer costs nothing after the first run; the price is that it stays
 * allocated (about 100 bytes per item and per entry of the largest run).
 *
 * A result's columns (match-result.ts) outlive the run, so they get a
 * buffer of their own; a result that is let go gives it back
 * (`MatchResult.release`) and the next run's result takes it instead of a
 * new one (65 MB for that year: alone more than the 64 MB step).
 *
 * Pass-local arrays are taken after a `mark()` and given back with
 * `release(mark)`; a view must not be used after its space is released.
 * Requests beyond the buffer get arrays of their own, and the next run's
 * buffer is made large enough for this run's high-water mark.
 *
 * @example
 * const arena = new MatcherArena();
 * arena.begin(1 << 20);
 * const days = arena.int32(1000); // zeroed
 */
export class MatcherArena {
  private buffer: ArrayBuffer | null = null;
  private at = 0;
  private high = 0;
  /** A released result's buffer, for the next result. */
  private spare: ArrayBuffer | null = null;

  /** Starts a run that needs about `bytes`: every earlier view is invalid from here. */
  begin(bytes: number): void {
    const want = Math.max(bytes, this.high);
    if (this.buffer === null || this.buffer.byteLength < want) {
      this.buffer = null; // let the old one go before taking the new one
      this.buffer = new ArrayBuffer(want);
    }
    this.at = 0;
    this.high = 0;
  }

  /** Bytes held between runs (the working buffer; not a spare result buffer). */
  get bytes(): number {
    return this.buffer?.byteLength ?? 0;
  }

  /** A buffer of at least `bytes` for a result's columns: the spare one when it is large enough (not zeroed). */
  resultBuffer(bytes: number): ArrayBuffer {
    const spare = this.spare;
    if (spare !== null && spare.byteLength >= bytes) {
      this.spare = null;
      return spare;
    }
    return new ArrayBuffer(bytes);
  }

  /** Takes back a released result's buffer (the larger of it and the one kept). */
  giveBack(buffer: ArrayBuffer): void {
    if (this.spare === null || buffer.byteLength > this.spare.byteLength) this.spare = buffer;
  }

  mark(): number {
    return this.at;
  }

  release(mark: number): void {
    this.at = mark;
  }

  int32(n: number, fill = 0): Int32Array {
    const a = this.take(n * 4, (b, o) => new Int32Array(b, o, n), () => new Int32Array(n));
    a.fill(fill);
    return a;
  }

  uint32(n: number): Uint32Array {
    return this.take(n * 4, (b, o) => new Uint32Array(b, o, n), () => new Uint32Array(n)).fill(0);
  }

  uint8(n: number): Uint8Array {
    return this.take(n, (b, o) => new Uint8Array(b, o, n), () => new Uint8Array(n)).fill(0);
  }

  float64(n: number): Float64Array {
    return this.take(n * 8, (b, o) => new Float64Array(b, o, n), () => new Float64Array(n)).fill(0);
  }

  private take<T>(bytes: number, view: (b: ArrayBuffer, offset: number) => T, own: () => T): T {
    const start = this.at;
    // Every view starts on 8 bytes, so a Float64Array can follow anything.
    const end = start + Math.ceil(bytes / 8) * 8;
    this.high = Math.max(this.high, end);
    this.at = end;
    if (this.buffer === null || end > this.buffer.byteLength) return own();
    return view(this.buffer, start);
  }
}

/** The arena `reconcile` uses unless given one. */
export const SHARED_ARENA = new MatcherArena();
