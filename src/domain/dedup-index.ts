/**
 * Per-terminal idempotency: is `(tenant, terminal_id, seq)` new, a
 * duplicate, or impossible to tell? (DOMAIN.md, "Idempotency".)
 *
 * Each (tenant, terminal) has the exact set of its accepted seqs as
 * disjoint intervals, at most `intervalBudget` of them, the oldest merged
 * into a floor past that. A resend is a duplicate however old it is; only a
 * seq inside a terminal's floor is `out_of_window`. Snapshots are in
 * dedup-snapshot.ts.
 *
 * Layout, for the ingest hot path: a terminal is a slot number. The
 * highest interval of every terminal, the one a till numbering its receipts
 * 1, 2, 3, … extends with each sale, lives in two flat typed arrays, so an
 * in-order record costs one map lookup and two array reads, no object
 * visited. The intervals below it and the floor are a {@link SeqSet}, made
 * only for a terminal that has a gap.
 */
import { SeqSet, emptySeqSetStats, type SeqSetStats, type SeqVerdict } from './seq-set.js';

export type { SeqVerdict } from './seq-set.js';

/** 1,024 gaps per terminal before anything is forgotten: 16 KiB at most per terminal. */
export const DEFAULT_INTERVAL_BUDGET = 1024;
/**
 * 65,536 intervals = 1 MiB per terminal, and a new gap in the middle moves
 * up to that much; a bigger budget is a configuration mistake.
 */
export const MAX_INTERVAL_BUDGET = 1 << 16;
/** Rough V8 cost of one Map entry plus its key string header, for memoryBytes(). */
const MAP_ENTRY_BYTES = 48;
const MAP_BYTES = 160;
/** Two Float64Array slots per terminal, and a SeqSet with its array for one with gaps. */
const SLOT_BYTES = 24;
const SET_BYTES = 112;
const INITIAL_SLOTS = 64;

/** Throws RangeError unless `seq` is an integer 0 … 2^53−1 (what a set can hold). */
export function checkSeq(seq: number): void {
  if (!Number.isSafeInteger(seq) || seq < 0) throw new RangeError(`seq must be an integer 0..${String(Number.MAX_SAFE_INTEGER)}, got ${String(seq)}`);
}

/** One terminal's accepted seqs, as read for snapshots, messages and tests. */
export interface TerminalSeqs {
  /** Floor span; floorHi = -1 when there is none. */
  readonly floorLo: number;
  readonly floorHi: number;
  readonly hasFloor: boolean;
  /** Exact intervals held (the floor not included). */
  readonly size: number;
  /** The intervals as flat [lo, hi] pairs, lowest first (a copy). */
  intervals(): number[];
}

export class DedupIndex {
  readonly intervalBudget: number;
  /** Live counters over every terminal; see {@link SeqSetStats}. */
  readonly stats: SeqSetStats = emptySeqSetStats();
  private count = 0;
  private keyBytes = 0;
  /** Terminals with a SeqSet: two intervals or more, or a floor. */
  private gapped = 0;
  /** Nested maps: no string concatenation per check, and tenants cannot collide. */
  private readonly slots = new Map<string, Map<string, number>>();
  /** Highest interval per slot; topHi = -1 while it has none. */
  private topLo = new Float64Array(INITIAL_SLOTS);
  private topHi = new Float64Array(INITIAL_SLOTS).fill(-1);
  /** Intervals below the highest, and the floor, per slot (undefined: none). */
  private readonly below: (SeqSet | undefined)[] = [];

  /**
   * @param intervalBudget most intervals held per terminal, 1 … 65,536 (default 1024).
   * @example const idx = new DedupIndex(1024)
   */
  constructor(intervalBudget: number = DEFAULT_INTERVAL_BUDGET) {
    if (!Number.isInteger(intervalBudget) || intervalBudget < 1 || intervalBudget > MAX_INTERVAL_BUDGET) {
      throw new RangeError(`intervalBudget must be an integer between 1 and ${String(MAX_INTERVAL_BUDGET)}, got ${String(intervalBudget)}`);
    }
    this.intervalBudget = intervalBudget;
  }

  /** Number of distinct (tenant, terminal) pairs seen. */
  get terminalCount(): number {
    return this.count;
  }

  /**
   * Classifies `seq` for a terminal and records it when it is new.
   * Throws RangeError if `seq` is not an integer 0 … 2^53−1.
   * @example
   * idx.check('acme', 'T1', 5) // 'new'
   * idx.check('acme', 'T1', 5) // 'duplicate'
   * idx.check('acme', 'T1', 4) // 'new' (never seen, however far below)
   */
  check(tenant: string, terminalId: string, seq: number): SeqVerdict {
    checkSeq(seq);
    return this.add(this.slotOf(tenant, terminalId), seq);
  }

  /**
   * The slot of one terminal, made (empty) if it has none. Fixed for the
   * life of the index, so a caller may keep it and call {@link add} with it
   * (the ingest worker does, to look a terminal up once per record).
   */
  slotOf(tenant: string, terminalId: string): number {
    let terminals = this.slots.get(tenant);
    if (terminals === undefined) {
      terminals = new Map();
      this.slots.set(tenant, terminals);
      this.keyBytes += tenant.length * 2;
    }
    let slot = terminals.get(terminalId);
    if (slot === undefined) {
      slot = this.count++;
      if (slot === this.topHi.length) this.grow();
      terminals.set(terminalId, slot);
      this.keyBytes += terminalId.length * 2;
    }
    return slot;
  }

  /**
   * Classifies `seq` (an integer 0 … 2^53−1, checked by the caller) for the
   * terminal in `slot` and records it when it is new.
   */
  add(slot: number, seq: number): SeqVerdict {
    const hi = this.topHi[slot]!;
    if (seq > hi) {
      if (hi < 0) return this.first(slot, seq);
      if (seq === hi + 1) {
        this.topHi[slot] = seq;
        return 'new';
      }
      // A gap above everything: the highest interval moves below, seq starts a new one.
      this.setBelow(slot).append(this.topLo[slot]!, hi);
      this.topLo[slot] = seq;
      this.topHi[slot] = seq;
      this.sawSize(slot);
      return 'new';
    }
    const lo = this.topLo[slot]!;
    if (seq >= lo) return 'duplicate';
    const below = this.below[slot];
    // Just below the highest interval (and above any floor): it grows down, joining the one below if they touch.
    if (seq === lo - 1 && (below === undefined || seq > below.floorHi)) {
      const joined = below === undefined ? -1 : below.takeHighestEndingAt(seq - 1);
      this.topLo[slot] = joined === -1 ? seq : joined;
      if (joined !== -1 && below!.size === 0 && !below!.hasFloor) {
        // The last gap closed: one interval again, no set.
        this.below[slot] = undefined;
        this.gapped--;
      }
      return 'new';
    }
    const verdict = (below ?? this.setBelow(slot)).add(seq);
    if (verdict === 'new') this.sawSize(slot);
    return verdict;
  }

  /** First seq of a terminal, or of one whose snapshot held a floor and no interval. */
  private first(slot: number, seq: number): SeqVerdict {
    const below = this.below[slot];
    // A set with a floor but no interval keeps everything in its SeqSet (restored that way; rare).
    if (below !== undefined) {
      const verdict = below.add(seq);
      if (verdict === 'new') this.sawSize(slot);
      return verdict;
    }
    this.topLo[slot] = seq;
    this.topHi[slot] = seq;
    this.stats.intervals++;
    if (this.stats.peak < 1) this.stats.peak = 1;
    return 'new';
  }

  private setBelow(slot: number): SeqSet {
    let set = this.below[slot];
    if (set === undefined) {
      set = new SeqSet(this.intervalBudget - 1, this.stats);
      this.below[slot] = set;
      this.gapped++;
    }
    return set;
  }

  /** Peak counts the highest interval too (the SeqSet sees only those below it). */
  private sawSize(slot: number): void {
    const n = this.below[slot]!.size + (this.topHi[slot]! >= 0 ? 1 : 0);
    if (n > this.stats.peak) this.stats.peak = n;
  }

  private grow(): void {
    const lo = new Float64Array(this.topLo.length * 2);
    lo.set(this.topLo);
    const hi = new Float64Array(this.topHi.length * 2).fill(-1);
    hi.set(this.topHi);
    this.topLo = lo;
    this.topHi = hi;
  }

  /** The seqs of one terminal, if it has a slot. */
  terminal(tenant: string, terminalId: string): TerminalSeqs | undefined {
    const slot = this.slots.get(tenant)?.get(terminalId);
    return slot === undefined ? undefined : this.seqsAt(slot);
  }

  /** The seqs of the terminal in `slot`. */
  seqsAt(slot: number): TerminalSeqs {
    const below = this.below[slot];
    const lo = this.topLo[slot]!;
    const hi = this.topHi[slot]!;
    const floorLo = below?.floorLo ?? -1;
    const floorHi = below?.floorHi ?? -1;
    return {
      floorLo,
      floorHi,
      hasFloor: floorHi >= 0,
      size: (below?.size ?? 0) + (hi >= 0 ? 1 : 0),
      intervals: () => {
        const pairs = below?.intervals() ?? [];
        if (hi >= 0) pairs.push(lo, hi);
        return pairs;
      },
    };
  }

  /** Every terminal's slot, grouped by tenant, in insertion order. */
  tenants(): IterableIterator<[string, ReadonlyMap<string, number>]> {
    return this.slots.entries();
  }

  /**
   * Restores a terminal from a snapshot: its floor and its intervals as
   * sorted, disjoint, non-adjacent [lo, hi] pairs above the floor (the
   * caller validates). If they exceed the budget (it was lowered since),
   * the lowest are merged into the floor; that does not count in
   * `floorMerges`. Returns false if the terminal already has a slot.
   */
  restore(tenant: string, terminalId: string, floorLo: number, floorHi: number, pairs: readonly number[]): boolean {
    if (this.slots.get(tenant)?.has(terminalId) === true) return false;
    const slot = this.slotOf(tenant, terminalId);
    const n = pairs.length;
    if (n === 0 && floorHi < 0) return true;
    if (n > 0) {
      this.topLo[slot] = pairs[n - 2]!;
      this.topHi[slot] = pairs[n - 1]!;
      this.stats.intervals++;
    }
    if (n > 2 || floorHi >= 0) {
      const budget = n > 0 ? this.intervalBudget - 1 : this.intervalBudget;
      this.below[slot] = SeqSet.from(budget, this.stats, floorLo, floorHi, n > 0 ? pairs.slice(0, n - 2) : pairs);
      this.gapped++;
    }
    const size = this.seqsAt(slot).size;
    if (size > this.stats.peak) this.stats.peak = size;
    return true;
  }

  /**
   * Approximate heap bytes held: 16 bytes per interval plus a fixed cost
   * per terminal (its slot and map entry) and per terminal with gaps (its
   * set). A contiguous till costs the same after ten records as after ten
   * million.
   */
  memoryBytes(): number {
    return this.slots.size * MAP_BYTES + this.count * (MAP_ENTRY_BYTES + SLOT_BYTES) + this.gapped * SET_BYTES + this.keyBytes + this.stats.intervals * 16;
  }
}
