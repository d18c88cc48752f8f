/**
 * The exact set of `seq` values one terminal has had accepted, held as
 * disjoint, non-adjacent, sorted intervals [lo, hi] (DOMAIN.md,
 * "Idempotency"). A till that numbers its receipts 1, 2, 3, … is one
 * interval however many it sends; memory grows with the gaps in its
 * numbering, not with its transactions.
 *
 * A set holds at most `budget` intervals. Past it, the lowest (oldest)
 * interval is merged into a floor span [floorLo, floorHi]: which seqs inside
 * the floor were accepted and which were gaps is forgotten, so a seq inside
 * it is answered `out_of_window` (it cannot be proven new, and a guess
 * could count a sale twice or drop one). Everything outside the floor stays
 * exact: a seq below floorLo, or in a gap above floorHi, is new.
 *
 * Speed: a terminal's records mostly arrive in order, so the interval
 * touched last (the hint) is checked first and `seq === hi + 1` extends it
 * in O(1). Anything else is a binary search over the intervals, and a new
 * gap costs a splice of at most `budget` pairs.
 */

export type SeqVerdict = 'new' | 'duplicate' | 'out_of_window';

/** Counters a set updates as it changes, shared by every set of one index. */
export interface SeqSetStats {
  /** Exact intervals held, over all sets. */
  intervals: number;
  /** Sets that have a floor (they reached their budget at least once). */
  atBudget: number;
  /** Intervals merged into a floor. */
  floorMerges: number;
  /** Most intervals one set has held. */
  peak: number;
}

export function emptySeqSetStats(): SeqSetStats {
  return { intervals: 0, atBudget: 0, floorMerges: 0, peak: 0 };
}

export class SeqSet {
  /**
   * Flat pairs from `head` on: iv[head + 2k] = lo, iv[head + 2k + 1] = hi of
   * interval k, sorted, every lo > previous hi + 1 and > floorHi + 1. A
   * plain array rather than a Float64Array: V8 keeps it unboxed (double
   * elements) and its per-instance cost is a fraction of a typed array's,
   * which matters with 10^5 terminals of one interval each.
   */
  private readonly iv: number[] = [];
  /**
   * Start of the live pairs. Merging the lowest interval into the floor
   * advances it instead of splicing at 0: measured on Node 20, splice(0, 2)
   * of a 2048-element array costs ~1.4 µs, a gap-heavy terminal at its
   * budget pays it per record; the dead prefix is dropped once it is half
   * the array (amortised O(1)).
   */
  private head = 0;
  /** Interval index checked first: the one touched last. */
  private hint = 0;
  /** Floor span; floorHi = -1 when there is none (seqs are ≥ 0). */
  floorLo = -1;
  floorHi = -1;

  constructor(
    private readonly budget: number,
    private readonly stats: SeqSetStats,
  ) {}

  /** Number of exact intervals held (the floor not included). */
  get size(): number {
    return (this.iv.length - this.head) >> 1;
  }

  /** True if the set has merged intervals into a floor. */
  get hasFloor(): boolean {
    return this.floorHi >= 0;
  }

  /**
   * Classifies `seq` (an integer 0 … 2^53−1, checked by the caller) and
   * records it when it is new.
   * @example
   * const s = new SeqSet(1024, emptySeqSetStats());
   * s.add(7); // 'new'
   * s.add(7); // 'duplicate'
   * s.add(5); // 'new' (a gap below is still exact)
   */
  add(seq: number): SeqVerdict {
    const iv = this.iv;
    const end = iv.length;
    if (end > this.head) {
      // Fast path: the interval touched last, usually the one this seq extends.
      const at = this.head + 2 * this.hint;
      const hi = iv[at + 1]!;
      if (seq > hi) {
        if (seq === hi + 1) {
          if (at + 2 < end && iv[at + 2] === seq + 1) this.join(this.hint);
          else iv[at + 1] = seq;
          return 'new';
        }
        if (at + 2 === end) {
          // A gap after the highest interval: append.
          iv.push(seq, seq);
          this.hint++;
          this.grew();
          return 'new';
        }
      } else if (seq >= iv[at]!) return 'duplicate';
    }
    return this.addSlow(seq);
  }

  private addSlow(seq: number): SeqVerdict {
    if (seq <= this.floorHi) {
      if (seq >= this.floorLo) return 'out_of_window';
      // Below anything the terminal ever sent: new, and the floor reaches down to it.
      this.floorLo = seq;
      return 'new';
    }
    const iv = this.iv;
    const base = this.head;
    const n = (iv.length - base) >> 1;
    // i = the last interval with lo ≤ seq, or -1.
    let a = 0;
    let b = n;
    while (a < b) {
      const mid = (a + b) >>> 1;
      if (iv[base + 2 * mid]! <= seq) a = mid + 1;
      else b = mid;
    }
    const i = a - 1;
    const at = base + 2 * i;
    if (i >= 0 && seq <= iv[at + 1]!) {
      this.hint = i;
      return 'duplicate';
    }
    const left = i >= 0 && seq === iv[at + 1]! + 1;
    const right = i + 1 < n && seq === iv[at + 2]! - 1;
    if (left && right) this.join(i);
    else if (left) {
      iv[at + 1] = seq;
      this.hint = i;
    } else if (right) {
      iv[at + 2] = seq;
      this.hint = i + 1;
    } else {
      iv.splice(at + 2, 0, seq, seq);
      this.hint = i + 1;
      this.grew();
    }
    return 'new';
  }

  /** Interval k + 1 starts right after interval k ends: make them one. */
  private join(k: number): void {
    const iv = this.iv;
    const at = this.head + 2 * k;
    iv[at + 1] = iv[at + 3]!;
    iv.splice(at + 2, 2);
    this.hint = k;
    this.stats.intervals--;
  }

  /** One interval more: enforce the budget by merging the lowest into the floor. */
  private grew(): void {
    const stats = this.stats;
    stats.intervals++;
    const n = this.size;
    if (n <= this.budget) {
      if (n > stats.peak) stats.peak = n;
      return;
    }
    this.mergeLowest();
    stats.floorMerges++;
  }

  private mergeLowest(): void {
    const iv = this.iv;
    if (this.floorHi < 0) {
      this.floorLo = iv[this.head]!;
      this.stats.atBudget++;
    }
    this.floorHi = iv[this.head + 1]!;
    this.head += 2;
    this.hint = this.hint > 0 ? this.hint - 1 : 0;
    this.stats.intervals--;
    if (this.head >= 64 && this.head * 2 >= iv.length) {
      iv.copyWithin(0, this.head);
      iv.length -= this.head;
      this.head = 0;
    }
  }

  /**
   * Appends [lo, hi] above every interval (the caller guarantees
   * lo > the highest hi + 1), then enforces the budget.
   */
  append(lo: number, hi: number): void {
    this.iv.push(lo, hi);
    this.hint = this.size - 1;
    this.grew();
  }

  /**
   * If the highest interval ends at `hi`, removes it and returns its lo
   * (the caller joins it to an interval starting at hi + 1); else -1.
   */
  takeHighestEndingAt(hi: number): number {
    const iv = this.iv;
    const end = iv.length;
    if (end === this.head || iv[end - 1] !== hi) return -1;
    const lo = iv[end - 2]!;
    iv.length = end - 2;
    if (this.hint >= this.size) this.hint = this.size > 0 ? this.size - 1 : 0;
    this.stats.intervals--;
    return lo;
  }

  /** The intervals as flat [lo, hi] pairs, lowest first (a copy). */
  intervals(): number[] {
    return this.iv.slice(this.head);
  }

  /**
   * Rebuilds a set from its parts (a snapshot). `pairs` must be sorted,
   * disjoint, non-adjacent and above the floor; the caller validates. If
   * they exceed `budget` (it was lowered since), the lowest are merged
   * into the floor; that does not count in `floorMerges`.
   */
  static from(budget: number, stats: SeqSetStats, floorLo: number, floorHi: number, pairs: readonly number[]): SeqSet {
    const s = new SeqSet(budget, stats);
    s.floorLo = floorLo;
    s.floorHi = floorHi;
    if (floorHi >= 0) stats.atBudget++;
    for (const v of pairs) s.iv.push(v);
    stats.intervals += s.size;
    while (s.size > budget) s.mergeLowest();
    if (s.size > stats.peak) stats.peak = s.size;
    s.hint = s.size > 0 ? s.size - 1 : 0;
    return s;
  }
}
