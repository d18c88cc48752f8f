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

/** Bytes of the columns of `items` items and `entries` entries, each column on 8 bytes. */
function columnBytes(items: number, entries: number): number {
  const up = (n: number): number => Math.ceil(n / 8) * 8;
  return 3 * up(items) + up(8 * items) + 3 * up(4 * items) + 3 * up(entries) + 2 * up(4 * entries);
}

/**
 * The outcome columns the passes write (through MatchState), in one
 * buffer of their own: a result outlives the run's working memory.
 */
export class ResultColumns {
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

  constructor(ni: number, ne: number) {
    const buffer = new ArrayBuffer(columnBytes(ni, ne));
    let at = 0;
    const take = (bytes: number): number => {
      const start = at;
      at += Math.ceil(bytes / 8) * 8;
      return start;
    };
    // Float64 first: every later view starts on 8 bytes anyway.
    this.iDiff = new Float64Array(buffer, take(8 * ni), ni);
    this.iDaysOff = new Int32Array(buffer, take(4 * ni), ni);
    this.iBookedCur = new Int32Array(buffer, take(4 * ni), ni).fill(-1);
    this.iEntry = new Int32Array(buffer, take(4 * ni), ni).fill(-1);
    this.eItem = new Int32Array(buffer, take(4 * ne), ne).fill(-1);
    this.eDupOf = new Int32Array(buffer, take(4 * ne), ne).fill(-1);
    this.iStatus = new Uint8Array(buffer, take(ni), ni);
    this.iMethod = new Uint8Array(buffer, take(ni), ni);
    this.iReason = new Uint8Array(buffer, take(ni), ni);
    this.eStatus = new Uint8Array(buffer, take(ne), ne);
    this.eMethod = new Uint8Array(buffer, take(ne), ne);
    this.eReason = new Uint8Array(buffer, take(ne), ne);
  }
}

/** Lists of row numbers end to end: list k is `rows[start[k]]` up to `rows[start[k + 1]]`. */
export interface RowLists {
  start: Int32Array;
  rows: Int32Array;
}

/** Lists in the order given, the k-th written as −2 − k into `one` for its row. */
export function rowLists(lists: ReadonlyMap<number, readonly number[]>, one: Int32Array): RowLists {
  const start = new Int32Array(lists.size + 1);
  let total = 0;
  for (const list of lists.values()) total += list.length;
  const rows = new Int32Array(total);
  let k = 0;
  let at = 0;
  for (const [row, list] of lists) {
    one[row] = -2 - k;
    for (const x of list) rows[at++] = x;
    start[++k] = at;
  }
  return { start, rows };
}

function listOf(one: number, lists: RowLists): number[] {
  if (one >= 0) return [one];
  if (one === -1) return [];
  const k = -2 - one;
  return Array.from(lists.rows.subarray(lists.start[k]!, lists.start[k + 1]!));
}

const methodOf = (code: number): MatchMethod | null => (code === 0 ? null : MATCH_METHODS[code - 1]!);
const reasonOf = (code: number): ItemResult['reason'] => (code === 0 ? null : MISMATCH_REASONS[code - 1]!);

export class MatchResult {
  constructor(
    /** Ids of the items and entries reconciled (row k: `itemIds[k]`); the tables' own arrays, which may grow past the counts. */
    readonly itemIds: readonly string[],
    readonly entryIds: readonly string[],
    readonly itemCount: number,
    readonly entryCount: number,
    private readonly c: ResultColumns,
    /** Currency codes `iBookedCur` points into. */
    private readonly currencies: readonly string[],
    private readonly payers: RowLists,
    private readonly paid: RowLists,
  ) {}

  itemStatus(i: number): ItemResult['status'] {
    return MATCH_STATUSES[this.c.iStatus[i]! - 1] as ItemResult['status'];
  }

  entryStatus(e: number): EntryResult['status'] {
    return MATCH_STATUSES[this.c.eStatus[e]! - 1] as EntryResult['status'];
  }

  /** Rows of the entries that paid item `i`. */
  itemPayers(i: number): number[] {
    return listOf(this.c.iEntry[i]!, this.payers);
  }

  /** Rows of the items entry `e` paid. */
  entryPaid(e: number): number[] {
    return listOf(this.c.eItem[e]!, this.paid);
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
