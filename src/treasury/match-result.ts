/**
 * What `reconcile` found, as columns: per item and per entry a status,
 * method and reason code, per item the difference, days off, booked
 * currency and its payers, per entry the items it paid and the entry it
 * duplicates. An ItemResult or EntryResult object is only made when asked
 * for (`item(k)`, `entry(k)`): a year of 5,000 stores has 3.9 million of
 * them, and building them took 1.2 s of a run plus the collections they
 * caused (measured, bench:treasury). Row k is the k-th row of the tables
 * reconciled.
 *
 * @example
 * const r = reconcile(items, entries, options);
 * r.itemStatus(0)     // 'matched'
 * r.item(0).entryIds  // ['E1']
 */
import { MATCH_METHODS, MATCH_STATUSES, MISMATCH_REASONS, type EntryResult, type ItemResult, type MatchMethod } from '../domain/reconciliation.js';
import type { MatcherArena } from './matcher-arena.js';

/** Bytes of the columns of `items` items and `entries` entries, each column on 8 bytes. */
function columnBytes(items: number, entries: number): number {
  const up = (n: number): number => Math.ceil(n / 8) * 8;
  return 3 * up(items) + up(8 * items) + 3 * up(4 * items) + 3 * up(entries) + 2 * up(4 * entries);
}

/**
 * The outcome columns the passes write (through MatchState), in one
 * buffer of their own (a released result's, when there is one): a result
 * outlives the run's working memory.
 */
export class ResultColumns {
  readonly buffer: ArrayBuffer;
  readonly iStatus: Uint8Array;
  readonly iMethod: Uint8Array;
  readonly iReason: Uint8Array;
  readonly iDiff: Float64Array;
  readonly iDaysOff: Int32Array;
  /** Booked currency (index in the result's currencies) when it differs, else −1. */
  readonly iBookedCur: Int32Array;
  /** The one paying entry, −1 for none; −2 − k: several, the k-th list of the result's payers. */
  readonly iEntry: Int32Array;
  readonly eStatus: Uint8Array;
  readonly eMethod: Uint8Array;
  readonly eReason: Uint8Array;
  /** The one item paid, −1 for none; −2 − k: several, the k-th list of the result's paid items. */
  readonly eItem: Int32Array;
  readonly eDupOf: Int32Array;

  constructor(ni: number, ne: number, arena: MatcherArena) {
    const buffer = (this.buffer = arena.resultBuffer(columnBytes(ni, ne)));
    let at = 0;
    const take = (bytes: number): number => {
      const start = at;
      at += Math.ceil(bytes / 8) * 8;
      return start;
    };
    // Float64 first: every later view starts on 8 bytes anyway.
    this.iDiff = new Float64Array(buffer, take(8 * ni), ni).fill(0);
    this.iDaysOff = new Int32Array(buffer, take(4 * ni), ni).fill(0);
    this.iBookedCur = new Int32Array(buffer, take(4 * ni), ni).fill(-1);
    this.iEntry = new Int32Array(buffer, take(4 * ni), ni).fill(-1);
    this.eItem = new Int32Array(buffer, take(4 * ne), ne).fill(-1);
    this.eDupOf = new Int32Array(buffer, take(4 * ne), ne).fill(-1);
    this.iStatus = new Uint8Array(buffer, take(ni), ni).fill(0);
    this.iMethod = new Uint8Array(buffer, take(ni), ni).fill(0);
    this.iReason = new Uint8Array(buffer, take(ni), ni).fill(0);
    this.eStatus = new Uint8Array(buffer, take(ne), ne).fill(0);
    this.eMethod = new Uint8Array(buffer, take(ne), ne).fill(0);
    this.eReason = new Uint8Array(buffer, take(ne), ne).fill(0);
  }
}

/**
 * Lists of row numbers end to end (list k: `rows[start[k]]` up to
 * `rows[start[k + 1]]`), for the rows paid by or paying several: written
 * as they are settled, without a Map or an array per row.
 */
export class RowLists {
  private start: Int32Array = new Int32Array(64);
  private rows: Int32Array = new Int32Array(256);
  private count = 0;

  /** Appends a list: its number. */
  add(list: readonly number[]): number {
    const k = this.count;
    const from = this.start[k]!;
    if (k + 2 > this.start.length) this.start = grown(this.start, 2 * this.start.length);
    if (from + list.length > this.rows.length) this.rows = grown(this.rows, Math.max(2 * this.rows.length, from + list.length));
    for (let j = 0; j < list.length; j++) this.rows[from + j] = list[j]!;
    this.start[k + 1] = from + list.length;
    this.count = k + 1;
    return k;
  }

  /** The rows of `one`: a row itself (≥ 0), none (−1), or list −2 − `one`. */
  of(one: number): number[] {
    if (one >= 0) return [one];
    if (one === -1) return [];
    const k = -2 - one;
    return Array.from(this.rows.subarray(this.start[k]!, this.start[k + 1]!));
  }
}

function grown(a: Int32Array, n: number): Int32Array {
  const b = new Int32Array(n);
  b.set(a);
  return b;
}

const methodOf = (code: number): MatchMethod | null => (code === 0 ? null : MATCH_METHODS[code - 1]!);
const reasonOf = (code: number): ItemResult['reason'] => (code === 0 ? null : MISMATCH_REASONS[code - 1]!);

export class MatchResult {
  private columns: ResultColumns | null;

  constructor(
    /** Ids of the items and entries reconciled (row k: `itemIds[k]`); the tables' own arrays, which may grow past the counts. */
    readonly itemIds: readonly string[],
    readonly entryIds: readonly string[],
    readonly itemCount: number,
    readonly entryCount: number,
    columns: ResultColumns,
    /** Currency codes `iBookedCur` points into. */
    private readonly currencies: readonly string[],
    /** Lists of the entries paying an item (split payments). */
    private readonly payers: RowLists,
    /** Lists of the items an entry paid (batches). */
    private readonly paid: RowLists,
    private readonly arena: MatcherArena,
  ) {
    this.columns = columns;
  }

  private get c(): ResultColumns {
    if (this.columns === null) throw new Error('this reconciliation result was released');
    return this.columns;
  }

  /**
   * Gives the columns back to the arena for the next run's result: the
   * caller is done with this one (the service, when it replaces a tenant's
   * reconciliation). Reading it afterwards throws.
   */
  release(): void {
    if (this.columns === null) return;
    this.arena.giveBack(this.columns.buffer);
    this.columns = null;
  }

  itemStatus(i: number): ItemResult['status'] {
    return MATCH_STATUSES[this.c.iStatus[i]! - 1] as ItemResult['status'];
  }

  entryStatus(e: number): EntryResult['status'] {
    return MATCH_STATUSES[this.c.eStatus[e]! - 1] as EntryResult['status'];
  }

  /** Rows of the entries that paid item `i`. */
  itemPayers(i: number): number[] {
    return this.payers.of(this.c.iEntry[i]!);
  }

  /** Rows of the items entry `e` paid. */
  entryPaid(e: number): number[] {
    return this.paid.of(this.c.eItem[e]!);
  }

  item(i: number): ItemResult {
    const c = this.c;
    const booked = c.iBookedCur[i]!;
    return {
      itemId: this.itemIds[i]!,
      status: this.itemStatus(i),
      entryIds: this.itemPayers(i).map((e) => this.entryIds[e]!),
      method: methodOf(c.iMethod[i]!),
      difference: c.iDiff[i]!,
      bookedCurrency: booked === -1 ? null : this.currencies[booked]!,
      daysOff: c.iDaysOff[i]!,
      reason: reasonOf(c.iReason[i]!),
    };
  }

  entry(e: number): EntryResult {
    const c = this.c;
    const dup = c.eDupOf[e]!;
    return {
      entryId: this.entryIds[e]!,
      status: this.entryStatus(e),
      itemIds: this.entryPaid(e).map((i) => this.itemIds[i]!),
      method: methodOf(c.eMethod[e]!),
      duplicateOf: dup === -1 ? null : this.entryIds[dup]!,
      reason: reasonOf(c.eReason[e]!),
    };
  }

  /** Every item's result as an object, in row order: for tests and small callers. */
  itemResults(): ItemResult[] {
    return Array.from({ length: this.itemCount }, (_, i) => this.item(i));
  }

  entryResults(): EntryResult[] {
    return Array.from({ length: this.entryCount }, (_, e) => this.entry(e));
  }

  /** How many items (entries) ended in each status and method, keyed `status/method` (`none` for no method), in code-unit order. */
  counts(): { items: Record<string, number>; entries: Record<string, number> } {
    return { items: tally(this.c.iStatus, this.c.iMethod, this.itemCount), entries: tally(this.c.eStatus, this.c.eMethod, this.entryCount) };
  }
}

function tally(status: Uint8Array, method: Uint8Array, n: number): Record<string, number> {
  // A count per status and method code: no string per row.
  const stride = MATCH_METHODS.length + 1;
  const counts = new Float64Array((MATCH_STATUSES.length + 1) * stride);
  for (let k = 0; k < n; k++) counts[status[k]! * stride + method[k]!]!++;
  const out = new Map<string, number>();
  for (let s = 1; s <= MATCH_STATUSES.length; s++) {
    for (let m = 0; m < stride; m++) {
      const count = counts[s * stride + m]!;
      if (count > 0) out.set(`${MATCH_STATUSES[s - 1]!}/${methodOf(m) ?? 'none'}`, count);
    }
  }
  return Object.fromEntries([...out].sort((a, b) => (a[0] < b[0] ? -1 : 1)));
}
