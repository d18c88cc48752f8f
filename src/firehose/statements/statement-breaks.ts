/**
 * The vocabulary of generated bank statements: the money the platform
 * expects (the settlement truth the statements are written from), the
 * breaks that can be injected into them, and the answer key that says,
 * for every expected item and every booked entry, the outcome
 * reconciliation must give it (docs/firehose.md, "Bank statements").
 */
import type { EntryResult, ExpectedKind, ItemResult, MatchMethod, MismatchReason } from '../../domain/reconciliation.js';

/**
 * - `missing`: never booked (past its date plus the tolerance, so `missing`, never `pending`);
 * - `short_paid` / `over_paid`: booked with its reference, a few percent less or more;
 * - `duplicate_booking`: booked again on a later day under a new bank reference;
 * - `duplicate_line`: the same bank line again in the next statement (an overlap);
 * - `late`: booked with its reference one to three banking days after its date;
 * - `unexpected`: a booking next to it that nothing explains (interest, a fee, a stray transfer);
 * - `wrong_reference` / `missing_reference`: booked under a reference that names nothing, or none;
 * - `currency_mismatch`: booked with its reference in another currency.
 */
export const STATEMENT_BREAKS = [
  'missing',
  'short_paid',
  'over_paid',
  'duplicate_booking',
  'duplicate_line',
  'late',
  'unexpected',
  'wrong_reference',
  'missing_reference',
  'currency_mismatch',
] as const;
export type StatementBreak = (typeof STATEMENT_BREAKS)[number];

export function isStatementBreak(v: unknown): v is StatementBreak {
  return typeof v === 'string' && (STATEMENT_BREAKS as readonly string[]).includes(v);
}

/** One expected payout or deposit, as the statements are written from it. */
export interface MoneyItem {
  /** The platform's id of the item (`payout:…`, `deposit:…`). */
  id: string;
  kind: ExpectedKind;
  /** Bank account the money lands in. */
  account: string;
  currency: string;
  /** Signed minor units: a negative payout is a debit. */
  amountMinor: number;
  /** `YYYY-MM-DD`. */
  expectedDate: string;
  reference: string | null;
  /** What the platform batches it with (the acquirer of a payout), or null. */
  group: string | null;
  /** Who pays it, as the bank names the other side (acquirer, store). */
  counterparty: string | null;
}

/** The outcome reconciliation must give an expected item. */
export interface ItemAnswer {
  id: string;
  kind: ExpectedKind;
  account: string;
  currency: string;
  amount: number;
  expected_date: string;
  reference: string | null;
  /** The break injected into it; `zero` for an item of no money (never booked, matched); null when clean. */
  break: StatementBreak | 'zero' | null;
  status: ItemResult['status'];
  method: MatchMethod | null;
  /** Booked − expected, minor units (amount mismatches). */
  difference: number;
  days_off: number;
  booked_currency: string | null;
  reason: MismatchReason | null;
  /** The entries that paid it. */
  entry_ids: string[];
}

/** The outcome reconciliation must give a booked entry. */
export interface EntryAnswer {
  /** The platform's entry id: statement key `#` index. */
  entry_id: string;
  /** File it was written to (set by the file writer). */
  file: string | null;
  statement_id: string;
  index: number;
  account: string;
  currency: string;
  /** Value date. */
  date: string;
  /** Signed minor units. */
  amount: number;
  bank_reference: string;
  break: StatementBreak | null;
  status: EntryResult['status'];
  item_ids: string[];
  duplicate_of: string | null;
  reason: MismatchReason | null;
}

/** Written as `answer-key.json` next to the statement files. */
export interface AnswerKey {
  seed: number;
  break_rate: number;
  /** Statement days covered (inclusive); only items due on these days are keyed. */
  from: string;
  to: string;
  /** The matcher settings the key assumes (docs/treasury.md); `missing` items are past any `as_of` ≥ `to`. */
  match: { date_window_days: number; missing_after_days: number };
  summary: { items: number; entries: number; statements: number; breaks: Partial<Record<StatementBreak, number>> };
  items: ItemAnswer[];
  entries: EntryAnswer[];
}
