/**
 * The working state of one `reconcile` run: the inputs with accounts,
 * currencies and dates turned into small integers (typed arrays, so millions
 * of items cost a few bytes each), and each item's and entry's outcome as it
 * is decided. The passes (matcher-reference, matcher-amount, matcher-batch)
 * only write through `settle` and `duplicate`, so every match gets its
 * status by the same rules (docs/reconciliation.md, "Statuses").
 */
import { parseUtcDay } from '../../../src/domain/fx.js';
import type { BookedEntry, ExpectedItem, MatchOptions } from '../../../src/domain/reconciliation.js';

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

function validDay(cache: Map<string, number>, date: string, what: string): number {
  let d = cache.get(date);
  if (d === undefined) {
    const parsed = parseUtcDay(date);
    if (parsed === null) throw new RangeError(`${what}: ${JSON.stringify(date)} is not a YYYY-MM-DD date`);
    d = parsed;
    cache.set(date, d);
  }
  return d;
}

function validAmount(amount: number, what: string): number {
  if (!Number.isSafeInteger(amount)) throw new RangeError(`${what}: amountMinor ${String(amount)} is not a safe integer`);
  return amount;
}

export class MatchState {
  readonly accounts = new Map<string, number>();
  readonly currencies: string[] = [];
  private readonly currencyCodes = new Map<string, number>();
  readonly asOfDay: number;

  readonly iAcc: Int32Array;
  readonly iCur: Int32Array;
  readonly iDay: Int32Array;
  readonly iAmt: Float64Array;
  readonly eAcc: Int32Array;
  readonly eCur: Int32Array;
  readonly eDay: Int32Array;
  readonly eAmt: Float64Array;

  readonly iStatus: Uint8Array;
  readonly iMethod: Uint8Array;
  readonly iReason: Uint8Array;
  readonly iDiff: Float64Array;
  readonly iDaysOff: Int32Array;
  /** Booked currency code when it differs, else −1. */
  readonly iBookedCur: Int32Array;
  /** The one paying entry, −1 for none, −2 for several (in `iPayers`). */
  readonly iEntry: Int32Array;
  readonly iPayers = new Map<number, readonly number[]>();

  readonly eStatus: Uint8Array;
  readonly eMethod: Uint8Array;
  readonly eReason: Uint8Array;
  /** The one item paid, −1 for none, −2 for several (in `ePaid`). */
  readonly eItem: Int32Array;
  readonly ePaid = new Map<number, readonly number[]>();
  readonly eDupOf: Int32Array;

  constructor(
    readonly items: readonly ExpectedItem[],
    readonly entries: readonly BookedEntry[],
    readonly options: MatchOptions,
  ) {
    for (const k of ['amountToleranceMinor', 'dateWindowDays', 'missingAfterDays'] as const) {
      if (!Number.isSafeInteger(options[k]) || options[k] < 0) throw new RangeError(`options.${k} must be a non-negative integer`);
    }
    const days = new Map<string, number>();
    this.asOfDay = validDay(days, options.asOf, 'options.asOf');
    const ni = items.length;
    const ne = entries.length;
    this.iAcc = new Int32Array(ni);
    this.iCur = new Int32Array(ni);
    this.iDay = new Int32Array(ni);
    this.iAmt = new Float64Array(ni);
    for (let i = 0; i < ni; i++) {
      const it = items[i]!;
      this.iAcc[i] = this.account(it.account);
      this.iCur[i] = this.currency(it.currency);
      this.iDay[i] = validDay(days, it.expectedDate, `item ${it.id}`);
      this.iAmt[i] = validAmount(it.amountMinor, `item ${it.id}`);
    }
    this.eAcc = new Int32Array(ne);
    this.eCur = new Int32Array(ne);
    this.eDay = new Int32Array(ne);
    this.eAmt = new Float64Array(ne);
    for (let e = 0; e < ne; e++) {
      const en = entries[e]!;
      this.eAcc[e] = this.account(en.account);
      this.eCur[e] = this.currency(en.currency);
      this.eDay[e] = validDay(days, en.date, `entry ${en.id}`);
      this.eAmt[e] = validAmount(en.amountMinor, `entry ${en.id}`);
    }
    this.iStatus = new Uint8Array(ni);
    this.iMethod = new Uint8Array(ni);
    this.iReason = new Uint8Array(ni);
    this.iDiff = new Float64Array(ni);
    this.iDaysOff = new Int32Array(ni);
    this.iBookedCur = new Int32Array(ni).fill(-1);
    this.iEntry = new Int32Array(ni).fill(-1);
    this.eStatus = new Uint8Array(ne);
    this.eMethod = new Uint8Array(ne);
    this.eReason = new Uint8Array(ne);
    this.eItem = new Int32Array(ne).fill(-1);
    this.eDupOf = new Int32Array(ne).fill(-1);
  }

  private account(a: string): number {
    let k = this.accounts.get(a);
    if (k === undefined) {
      k = this.accounts.size;
      this.accounts.set(a, k);
    }
    return k;
  }

  private currency(c: string): number {
    let k = this.currencyCodes.get(c);
    if (k === undefined) {
      k = this.currencies.length;
      this.currencies.push(c);
      this.currencyCodes.set(c, k);
    }
    return k;
  }

  /** Items by expected date, then id. */
  readonly byItemDate = (a: number, b: number): number => this.iDay[a]! - this.iDay[b]! || compareIds(this.items[a]!.id, this.items[b]!.id);
  /** Entries by date, then id. */
  readonly byEntryDate = (a: number, b: number): number => this.eDay[a]! - this.eDay[b]! || compareIds(this.entries[a]!.id, this.entries[b]!.id);
  readonly byItemId = (a: number, b: number): number => compareIds(this.items[a]!.id, this.items[b]!.id);

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
      if (payers.length === 1) this.iEntry[i] = payers[0]!;
      else {
        this.iEntry[i] = -2;
        this.iPayers.set(i, payers);
      }
    }
    for (const e of payers) {
      this.eStatus[e] = worst;
      this.eReason[e] = worstReason;
      this.eMethod[e] = method;
      if (items.length === 1) this.eItem[e] = items[0]!;
      else {
        this.eItem[e] = -2;
        this.ePaid.set(e, items);
      }
    }
  }

  duplicate(e: number, of: number, method: MethodCode): void {
    this.eStatus[e] = ST.duplicate;
    this.eDupOf[e] = of;
    this.eMethod[e] = method;
  }
}
