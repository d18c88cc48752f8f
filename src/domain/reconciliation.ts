/**
 * Reconciliation's vocabulary: what money was expected (payouts from
 * acquirers, cash deposits from stores), what the bank booked, and the
 * status each ends in. The matcher (src/treasury/matcher.ts) applies these
 * rules and answers in columns (src/treasury/match-result.ts), which give
 * an ItemResult or EntryResult per row asked for; this file holds no I/O.
 */

export const EXPECTED_KINDS = ['payout', 'deposit'] as const;
export type ExpectedKind = (typeof EXPECTED_KINDS)[number];

/**
 * Statuses (docs/treasury.md; the matching rules: docs/reconciliation.md):
 * - `matched`: arrived, amount and currency as expected, on the expected date;
 * - `amount_mismatch`: arrived, but the amount (or currency) differs: `difference` = booked − expected;
 * - `timing`: arrived with the expected amount, on another date;
 * - `missing`: not arrived by the expected date plus the tolerance;
 * - `pending`: not arrived, not yet due (still inside the tolerance);
 * - `unexpected`: a booked entry no expected item explains;
 * - `duplicate`: a second booking of an item already matched (same reference and amount, or the same bank line twice).
 */
export const MATCH_STATUSES = ['matched', 'amount_mismatch', 'timing', 'missing', 'pending', 'unexpected', 'duplicate'] as const;
export type MatchStatus = (typeof MATCH_STATUSES)[number];

export function isMatchStatus(v: unknown): v is MatchStatus {
  return typeof v === 'string' && (MATCH_STATUSES as readonly string[]).includes(v);
}

/** Statuses that need a person to look (open breaks). */
export const BREAK_STATUSES: ReadonlySet<MatchStatus> = new Set(['amount_mismatch', 'timing', 'missing', 'unexpected', 'duplicate']);

/** How a match was found. */
export const MATCH_METHODS = ['reference', 'amount', 'batch'] as const;
export type MatchMethod = (typeof MATCH_METHODS)[number];

/** Money the platform expects on a bank account. */
export interface ExpectedItem {
  /** Stable id (e.g. `payout:adyen:ACC-1:2026-03-04:EUR`). */
  id: string;
  kind: ExpectedKind;
  /** Bank account the money lands in (IBAN or account number as the registry writes it). */
  account: string;
  currency: string;
  /** Signed minor units: a payout with more refunds than sales is negative (the acquirer debits it). */
  amountMinor: number;
  /** `YYYY-MM-DD`: the business day the money is due. */
  expectedDate: string;
  /** The reference that should appear on the statement, or null (cash deposits may carry none). */
  reference: string | null;
  /**
   * What pays items out together (e.g. the acquirer): the batch pass tries
   * the sum of one group's open items of a day before the whole day's.
   * Absent or null: the item only takes part in the whole day's sum.
   */
  group?: string | null;
}

/** A booked statement line as the matcher sees it. */
export interface BookedEntry {
  /** Stable id (statement key and line index). */
  id: string;
  account: string;
  currency: string;
  /** Signed minor units: credit positive, debit negative. */
  amountMinor: number;
  /** `YYYY-MM-DD`: value date when given, else booking date. */
  date: string;
  reference: string | null;
  remittance: string | null;
  /** The bank's own reference: two entries with the same one are the same booking. */
  bankReference: string | null;
}

export interface MatchOptions {
  /** `YYYY-MM-DD`: items due before this minus `missingAfterDays` and still unmatched are `missing`; later ones `pending`. */
  asOf: string;
  /** Amount difference (minor units, absolute) still matched by amount in the amount pass; a reference match reports any difference. */
  amountToleranceMinor: number;
  /** Calendar days either side of the expected date searched by the amount pass. */
  dateWindowDays: number;
  /** Calendar days after the expected date before an unarrived item is `missing`. */
  missingAfterDays: number;
}

export const DEFAULT_MATCH_OPTIONS: Omit<MatchOptions, 'asOf'> = { amountToleranceMinor: 0, dateWindowDays: 3, missingAfterDays: 2 };

/** Why a match is an `amount_mismatch`: the amount differs, or the money came in another currency. */
export const MISMATCH_REASONS = ['amount', 'currency'] as const;
export type MismatchReason = (typeof MISMATCH_REASONS)[number];

/** The outcome for one expected item. */
export interface ItemResult {
  itemId: string;
  status: Exclude<MatchStatus, 'unexpected' | 'duplicate'>;
  /** Entries that paid it (several when split, one shared with other items when batched). */
  entryIds: string[];
  method: MatchMethod | null;
  /** Booked − expected, minor units, for `amount_mismatch` (0 otherwise). */
  difference: number;
  /** Booked currency when it differs from the expected one. */
  bookedCurrency: string | null;
  /** Calendar days the booking was late (+) or early (−), for matched items. */
  daysOff: number;
  /** For `amount_mismatch`: what differs (null otherwise). */
  reason: MismatchReason | null;
}

/** The outcome for one booked entry. */
export interface EntryResult {
  entryId: string;
  status: Extract<MatchStatus, 'matched' | 'amount_mismatch' | 'timing' | 'unexpected' | 'duplicate'>;
  /** Items it paid. */
  itemIds: string[];
  method: MatchMethod | null;
  /** For `duplicate`: the entry it repeats. */
  duplicateOf: string | null;
  /** For `amount_mismatch`: what differs (null otherwise). */
  reason: MismatchReason | null;
}

/** Whole calendar days from `a` to `b` (`YYYY-MM-DD`), b − a. */
export function daysBetween(a: string, b: string): number {
  return Math.round((Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / 86_400_000);
}
