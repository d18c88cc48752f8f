/**
 * Reconciliation: which expected payouts and deposits the bank booked, and
 * which booked entries nothing explains. The rules, for users, are in
 * docs/reconciliation.md; in order:
 *
 *   1. everything is per bank account (an entry only pays items of its account);
 *   2. the same bank line twice → `duplicate`;
 *   3. by reference (the entry's reference, or references in its remittance text);
 *   4. zero-amount items left over → `matched` with no entry (no money moves);
 *   5. by amount within the tolerance and the date window;
 *   6. many-to-one: one entry for the sum of a day's (group's) open items;
 *   7. what is left: items `missing` or `pending`, entries `unexpected`.
 *
 * Pure and deterministic: every choice is made in an order of stable keys
 * (dates, amounts, ids in code-unit order), never in input order, so
 * shuffling the inputs gives each item and entry the same outcome. Work is
 * linear in the inputs plus sorting what competes (several entries for one
 * item, and what is left for the amount and batch passes).
 *
 * @example
 * const r = reconcile(items, entries, { ...DEFAULT_MATCH_OPTIONS, asOf: '2026-03-31' });
 * r.items[0].status // 'matched'
 */
import {
  MATCH_METHODS,
  MATCH_STATUSES,
  MISMATCH_REASONS,
  type BookedEntry,
  type EntryResult,
  type ExpectedItem,
  type ItemResult,
  type MatchOptions,
} from '../../../src/domain/reconciliation.js';
import { matchByAmount } from './matcher-amount.js';
import { matchBatches } from './matcher-batch.js';
import { markRepeatedBankLines, matchByReference } from './matcher-reference.js';
import { MatchState, ST } from './matcher-state.js';

/** `items[k]` is the outcome of the k-th input item, `entries[k]` of the k-th input entry. */
export interface PlainResult {
  items: ItemResult[];
  entries: EntryResult[];
}

/** Ids must be unique among items and among entries: ties are broken by id. */
export function reconcile(items: readonly ExpectedItem[], entries: readonly BookedEntry[], options: MatchOptions): PlainResult {
  const s = new MatchState(items, entries, options);
  markRepeatedBankLines(s);
  matchByReference(s);
  for (let i = 0; i < items.length; i++) {
    if (s.iStatus[i] === ST.open && s.iAmt[i] === 0) s.iStatus[i] = ST.matched;
  }
  matchByAmount(s);
  matchBatches(s);
  for (let i = 0; i < items.length; i++) {
    if (s.iStatus[i] !== ST.open) continue;
    s.iStatus[i] = s.asOfDay - s.iDay[i]! > options.missingAfterDays ? ST.missing : ST.pending;
  }
  for (let e = 0; e < entries.length; e++) if (s.eStatus[e] === ST.open) s.eStatus[e] = ST.unexpected;
  return { items: itemResults(s), entries: entryResults(s) };
}

function itemResults(s: MatchState): ItemResult[] {
  const out = new Array<ItemResult>(s.items.length);
  for (let i = 0; i < s.items.length; i++) {
    const one = s.iEntry[i]!;
    const payers = one >= 0 ? [s.entries[one]!.id] : one === -2 ? s.iPayers.get(i)!.map((e) => s.entries[e]!.id) : [];
    const booked = s.iBookedCur[i]!;
    out[i] = {
      itemId: s.items[i]!.id,
      status: MATCH_STATUSES[s.iStatus[i]! - 1] as ItemResult['status'],
      entryIds: payers,
      method: s.iMethod[i] === 0 ? null : MATCH_METHODS[s.iMethod[i]! - 1]!,
      difference: s.iDiff[i]!,
      bookedCurrency: booked === -1 ? null : s.currencies[booked]!,
      daysOff: s.iDaysOff[i]!,
      reason: s.iReason[i] === 0 ? null : MISMATCH_REASONS[s.iReason[i]! - 1]!,
    };
  }
  return out;
}

function entryResults(s: MatchState): EntryResult[] {
  const out = new Array<EntryResult>(s.entries.length);
  for (let e = 0; e < s.entries.length; e++) {
    const one = s.eItem[e]!;
    const paid = one >= 0 ? [s.items[one]!.id] : one === -2 ? s.ePaid.get(e)!.map((i) => s.items[i]!.id) : [];
    const dup = s.eDupOf[e]!;
    out[e] = {
      entryId: s.entries[e]!.id,
      status: MATCH_STATUSES[s.eStatus[e]! - 1] as EntryResult['status'],
      itemIds: paid,
      method: s.eMethod[e] === 0 ? null : MATCH_METHODS[s.eMethod[e]! - 1]!,
      duplicateOf: dup === -1 ? null : s.entries[dup]!.id,
      reason: s.eReason[e] === 0 ? null : MISMATCH_REASONS[s.eReason[e]! - 1]!,
    };
  }
  return out;
}
