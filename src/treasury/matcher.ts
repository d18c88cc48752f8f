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
 * The matcher reads columns (match-tables.ts), built where the rows come
 * from and kept between runs, and answers columns (match-result.ts):
 * objects are only made for the rows a caller asks about.
 *
 * @example
 * const r = reconcile(items, entries, { ...DEFAULT_MATCH_OPTIONS, asOf: '2026-03-31' });
 * r.itemStatus(0) // 'matched'
 */
import type { BookedEntry, ExpectedItem, MatchOptions } from '../domain/reconciliation.js';
import { MatchResult } from './match-result.js';
import { EntryTable, ItemTable } from './match-tables.js';
import { matchByAmount } from './matcher-amount.js';
import { SHARED_ARENA, type MatcherArena } from './matcher-arena.js';
import { matchBatches } from './matcher-batch.js';
import { markRepeatedBankLines, matchByReference } from './matcher-reference.js';
import { MatchState, ST } from './matcher-state.js';

/**
 * Ids must be unique among items and among entries: ties are broken by id.
 * `arena` holds the working arrays and is kept for the next run
 * (matcher-arena.ts); runs sharing one must not overlap (they cannot: the
 * call is synchronous). The result reads the tables' id arrays: rows
 * appended later do not change it. A caller done with a result may
 * `release()` it, so the next run reuses its columns' memory.
 */
export function reconcileTables(items: ItemTable, entries: EntryTable, options: MatchOptions, arena: MatcherArena = SHARED_ARENA): MatchResult {
  const s = new MatchState(items, entries, options, arena);
  markRepeatedBankLines(s);
  matchByReference(s);
  for (let i = 0; i < s.ni; i++) {
    if (s.iStatus[i] === ST.open && s.iAmt[i] === 0) s.iStatus[i] = ST.matched;
  }
  matchByAmount(s);
  matchBatches(s);
  for (let i = 0; i < s.ni; i++) {
    if (s.iStatus[i] !== ST.open) continue;
    s.iStatus[i] = s.asOfDay - s.iDay[i]! > options.missingAfterDays ? ST.missing : ST.pending;
  }
  for (let e = 0; e < s.ne; e++) if (s.eStatus[e] === ST.open) s.eStatus[e] = ST.unexpected;
  return new MatchResult(items.ids, entries.ids, s.ni, s.ne, s.out, s.currencies, s.payerLists, s.paidLists, arena);
}

/** `reconcileTables` over rows: builds the tables (for tests and small callers; a service keeps its tables). */
export function reconcile(items: readonly ExpectedItem[], entries: readonly BookedEntry[], options: MatchOptions, arena: MatcherArena = SHARED_ARENA): MatchResult {
  return reconcileTables(ItemTable.of(items), EntryTable.of(entries), options, arena);
}
