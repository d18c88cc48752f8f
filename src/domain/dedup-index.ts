/**
 * Per-terminal idempotency: is `(tenant, terminal_id, seq)` new, a
 * duplicate, or impossible to tell? (DOMAIN.md, "Idempotency".)
 *
 * Each (tenant, terminal) has a {@link SeqSet}: the exact set of its
 * accepted seqs as disjoint intervals, at most `intervalBudget` of them,
 * the oldest merged into a floor past that. A resend is a duplicate however
 * old it is; only a seq inside a terminal's floor is `out_of_window`.
 * Snapshots are in dedup-snapshot.ts.
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
/** A SeqSet object, its array object and the array's backing-store header. */
const SET_BYTES = 112;

export class DedupIndex {
  readonly intervalBudget: number;
  /** Live counters over every terminal; see {@link SeqSetStats}. */
  readonly stats: SeqSetStats = emptySeqSetStats();
  private count = 0;
  private keyBytes = 0;
  /** Nested maps: no string concatenation per check, and tenants cannot collide. */
  private readonly sets = new Map<string, Map<string, SeqSet>>();

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
    if (!Number.isSafeInteger(seq) || seq < 0) throw new RangeError(`seq must be an integer 0..${String(Number.MAX_SAFE_INTEGER)}, got ${String(seq)}`);
    let set = this.sets.get(tenant)?.get(terminalId);
    if (set === undefined) {
      set = new SeqSet(this.intervalBudget, this.stats);
      this.put(tenant, terminalId, set);
    }
    return set.add(seq);
  }

  /** The set of one terminal, if it has one. */
  terminal(tenant: string, terminalId: string): SeqSet | undefined {
    return this.sets.get(tenant)?.get(terminalId);
  }

  /** Every terminal's set, grouped by tenant, in insertion order. */
  tenants(): IterableIterator<[string, ReadonlyMap<string, SeqSet>]> {
    return this.sets.entries();
  }

  /**
   * Adds a terminal's set (restoring a snapshot). Returns false if the
   * terminal already has one.
   */
  put(tenant: string, terminalId: string, set: SeqSet): boolean {
    let terminals = this.sets.get(tenant);
    if (terminals === undefined) {
      terminals = new Map();
      this.sets.set(tenant, terminals);
      this.keyBytes += tenant.length * 2;
    }
    if (terminals.has(terminalId)) return false;
    terminals.set(terminalId, set);
    this.keyBytes += terminalId.length * 2;
    this.count++;
    return true;
  }

  /**
   * Approximate heap bytes held: 16 bytes per interval plus a fixed cost
   * per terminal (its set and map entry). A contiguous till costs the same
   * after ten records as after ten million.
   */
  memoryBytes(): number {
    return this.sets.size * MAP_BYTES + this.count * (MAP_ENTRY_BYTES + SET_BYTES) + this.keyBytes + this.stats.intervals * 16;
  }
}
