/**
 * The working state of one `reconcile` run: the tables' columns (accounts,
 * currencies and dates as small integers, so millions of rows cost a few
 * bytes each), and each item's and entry's outcome as it is decided. The passes (matcher-reference, matcher-amount, matcher-batch)
 * only write through `settle` and `duplicate`, so every match gets its
 * status by the same rules (docs/reconciliation.md, "Statuses").
 */
import type { MatchOptions } from '../domain/reconciliation.js';
import { isoDay } from './iso-day.js';
import type { Dictionary, EntryTable, ItemTable } from './match-tables.js';
import { ResultColumns, RowLists } from './match-result.js';
import { SHARED_ARENA, type MatcherArena } from './matcher-arena.js';

/** Outcome codes: 0 = still open, else the index in MATCH_STATUSES + 1. */
export const ST = { open: 0, matched: 1, amount_mismatch: 2, timing: 3, missing: 4, pending: 5, unexpected: 6, duplicate: 7 } as const;
/** Method codes: 0 = none, else the index in MATCH_METHODS + 1. */
export const HOW = { none: 0, reference: 1, amount: 2, batch: 3 } as const;
/** Mismatch reason codes: 0 = none, else the index in MISMATCH_REASONS + 1. */
export const WHY = { none: 0, amount: 1, currency: 2 } as const;

type Code<T> = T[keyof T];
export type MethodCode = Code<typeof HOW>;

/** Code-unit order (not locale order): the same on every machine. */
export function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function validDay(date: string, what: string): number {
  const d = isoDay(date);
  if (d === null) throw new RangeError(`${what}: ${JSON.stringify(date)} is not a YYYY-MM-DD date`);
  return d;
}

/**
 * Per code of the entries' dictionary, the code in the items' one; values
 * only entries have get codes after the items' (and are added to `values`).
 * Only the dictionaries are looked up (a few thousand accounts), not a row.
 */
function translation(entries: Dictionary, items: Dictionary, values: string[] | null): Int32Array {
  const out = new Int32Array(entries.values.length);
  let next = items.values.length;
  for (let k = 0; k < entries.values.length; k++) {
    const v = entries.values[k]!;
    const code = items.find(v);
    if (code !== -1) out[k] = code;
    else {
      out[k] = next++;
      values?.push(v);
    }
  }
  return out;
}

export class MatchState {
  /** Currencies by code: the items' first, then those only entries have. */
  readonly currencies: string[];
  readonly asOfDay: number;

  /** The tables' columns: items keep their codes, entries' are put in the items' numbering. */
  readonly iAcc: Int32Array;
  readonly iCur: Int32Array;
  readonly iDay: Int32Array;
  readonly iAmt: Float64Array;
  readonly eAcc: Int32Array;
  readonly eCur: Int32Array;
  readonly eDay: Int32Array;
  readonly eAmt: Float64Array;

  /** Where the outcome is written; the result keeps it. */
  readonly out: ResultColumns;
  readonly iStatus: Uint8Array;
  readonly iMethod: Uint8Array;
  readonly iReason: Uint8Array;
  readonly iDiff: Float64Array;
  readonly iDaysOff: Int32Array;
  /** Booked currency code when it differs, else −1. */
  readonly iBookedCur: Int32Array;
  /** The one paying entry, −1 for none; −2 − k: several, list k of `payerLists`. */
  readonly iEntry: Int32Array;
  readonly payerLists = new RowLists();

  readonly eStatus: Uint8Array;
  readonly eMethod: Uint8Array;
  readonly eReason: Uint8Array;
  /** The one item paid, −1 for none; −2 − k: several, list k of `paidLists`. */
  readonly eItem: Int32Array;
  readonly paidLists = new RowLists();
  readonly eDupOf: Int32Array;

  /** Row counts: the tables may hold more rows by the time a caller reads the result. */
  readonly ni: number;
  readonly ne: number;

  constructor(
    readonly items: ItemTable,
    readonly entries: EntryTable,
    readonly options: MatchOptions,
    /** Where the working arrays live (reused between runs); valid until its next `begin`. */
    readonly arena: MatcherArena = SHARED_ARENA,
  ) {
    for (const k of ['amountToleranceMinor', 'dateWindowDays', 'missingAfterDays'] as const) {
      if (!Number.isSafeInteger(options[k]) || options[k] < 0) throw new RangeError(`options.${k} must be a non-negative integer`);
    }
    this.asOfDay = validDay(options.asOf, 'options.asOf');
    if (items.invalid !== null) throw new RangeError(items.invalid);
    if (entries.invalid !== null) throw new RangeError(entries.invalid);
    const ni = (this.ni = items.length);
    const ne = (this.ne = entries.length);
    // The entries' codes, plus room for the largest pass (the reference index).
    let table = 16;
    while (table < 2 * ni) table *= 2;
    arena.begin(16 * ne + 16 * ni + items.referenceChars + 16 * table + 65_536);
    this.iAcc = items.account.subarray(0, ni);
    this.iCur = items.currency.subarray(0, ni);
    this.iDay = items.day.subarray(0, ni);
    this.iAmt = items.amount.subarray(0, ni);
    this.currencies = [...items.currencies.values];
    const accounts = translation(entries.accounts, items.accounts, null);
    const currencies = translation(entries.currencies, items.currencies, this.currencies);
    this.eAcc = arena.int32(ne);
    this.eCur = arena.int32(ne);
    for (let e = 0; e < ne; e++) {
      this.eAcc[e] = accounts[entries.account[e]!]!;
      this.eCur[e] = currencies[entries.currency[e]!]!;
    }
    this.eDay = entries.day.subarray(0, ne);
    this.eAmt = entries.amount.subarray(0, ne);
    const out = (this.out = new ResultColumns(ni, ne, arena));
    this.iStatus = out.iStatus;
    this.iMethod = out.iMethod;
    this.iReason = out.iReason;
    this.iDiff = out.iDiff;
    this.iDaysOff = out.iDaysOff;
    this.iBookedCur = out.iBookedCur;
    this.iEntry = out.iEntry;
    this.eStatus = out.eStatus;
    this.eMethod = out.eMethod;
    this.eReason = out.eReason;
    this.eItem = out.eItem;
    this.eDupOf = out.eDupOf;
  }

  /** Items by expected date, then id. */
  readonly byItemDate = (a: number, b: number): number => this.iDay[a]! - this.iDay[b]! || compareIds(this.items.ids[a]!, this.items.ids[b]!);
  /** Entries by date, then id. */
  readonly byEntryDate = (a: number, b: number): number => this.eDay[a]! - this.eDay[b]! || compareIds(this.entries.ids[a]!, this.entries.ids[b]!);
  readonly byItemId = (a: number, b: number): number => compareIds(this.items.ids[a]!, this.items.ids[b]!);

  /**
   * One item paid by one entry: the common case of `settle`, without arrays.
   */
  pair(i: number, e: number, method: MethodCode): void {
    this.iEntry[i] = e;
    this.eItem[e] = i;
    this.iMethod[i] = method;
    this.eMethod[e] = method;
    const daysOff = this.eDay[e]! - this.iDay[i]!;
    this.iDaysOff[i] = daysOff;
    let status: number;
    if (this.eCur[e] !== this.iCur[i]) {
      status = ST.amount_mismatch;
      this.iReason[i] = this.eReason[e] = WHY.currency;
      this.iBookedCur[i] = this.eCur[e]!;
    } else if (this.eAmt[e] !== this.iAmt[i]) {
      status = ST.amount_mismatch;
      this.iReason[i] = this.eReason[e] = WHY.amount;
      this.iDiff[i] = this.eAmt[e]! - this.iAmt[i]!;
    } else {
      status = daysOff === 0 ? ST.matched : ST.timing;
    }
    this.iStatus[i] = this.eStatus[e] = status;
  }

  /**
   * Items (sorted by id) paid together by entries (sorted by date, id):
   * a batch, a split payment, or both. The comparison is of the totals, so a
   * difference is the whole group's (each item carries it); the date is the
   * last entry's, when the money was complete. An entry gets the worst of its
   * items' statuses.
   */
  settle(items: readonly number[], payers: readonly number[], method: MethodCode): void {
    if (items.length === 1 && payers.length === 1) {
      this.pair(items[0]!, payers[0]!, method);
      return;
    }
    let expected = 0;
    for (const i of items) expected += this.iAmt[i]!;
    let booked = 0;
    let lastDay = -Infinity;
    for (const e of payers) {
      booked += this.eAmt[e]!;
      lastDay = Math.max(lastDay, this.eDay[e]!);
    }
    let worst: number = ST.matched;
    let worstReason: number = WHY.none;
    // One list for the whole group, whichever rows point to it.
    const payersOf = payers.length === 1 ? payers[0]! : -2 - this.payerLists.add(payers);
    const paidBy = items.length === 1 ? items[0]! : -2 - this.paidLists.add(items);
    for (const i of items) {
      let foreign = -1;
      for (const e of payers) {
        if (this.eCur[e] !== this.iCur[i]) {
          foreign = this.eCur[e]!;
          break;
        }
      }
      this.iMethod[i] = method;
      this.iDaysOff[i] = lastDay - this.iDay[i]!;
      let status: number;
      if (foreign !== -1) {
        status = ST.amount_mismatch;
        this.iReason[i] = WHY.currency;
        this.iBookedCur[i] = foreign;
      } else if (booked !== expected) {
        status = ST.amount_mismatch;
        this.iReason[i] = WHY.amount;
        this.iDiff[i] = booked - expected;
      } else {
        status = this.iDaysOff[i] === 0 ? ST.matched : ST.timing;
      }
      this.iStatus[i] = status;
      // amount_mismatch (2) outranks timing (3), which outranks matched (1).
      if (status === ST.amount_mismatch || (status === ST.timing && worst === ST.matched)) worst = status;
      if (status === ST.amount_mismatch && worstReason !== WHY.currency) worstReason = this.iReason[i]!;
      this.iEntry[i] = payersOf;
    }
    for (const e of payers) {
      this.eStatus[e] = worst;
      this.eReason[e] = worstReason;
      this.eMethod[e] = method;
      this.eItem[e] = paidBy;
    }
  }

  duplicate(e: number, of: number, method: MethodCode): void {
    this.eStatus[e] = ST.duplicate;
    this.eDupOf[e] = of;
    this.eMethod[e] = method;
  }
}
