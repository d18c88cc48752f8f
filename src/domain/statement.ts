/**
 * A bank statement as the treasury part keeps it, whatever file it came
 * from (ISO 20022 camt.053, SWIFT MT940 or the documented CSV): one account,
 * its balances and its entries. Amounts are integers in minor units of the
 * statement currency (ISO 4217 exponent); dates are `YYYY-MM-DD`.
 */

export const STATEMENT_FORMATS = ['camt053', 'mt940', 'csv'] as const;
export type StatementFormat = (typeof STATEMENT_FORMATS)[number];

export function isStatementFormat(v: unknown): v is StatementFormat {
  return typeof v === 'string' && (STATEMENT_FORMATS as readonly string[]).includes(v);
}

export const ENTRY_DIRECTIONS = ['credit', 'debit'] as const;
export type EntryDirection = (typeof ENTRY_DIRECTIONS)[number];

/** A balance line: signed minor units (negative = overdrawn, debit balance). */
export interface StatementBalance {
  amountMinor: number;
  /** `YYYY-MM-DD`. */
  date: string;
  /**
   * Set only when the file states this balance in a currency other than the
   * statement's (seen in camt test files); `amountMinor` is then in minor
   * units of this currency.
   */
  currency?: string;
}

/** One booked line of a statement. */
export interface StatementEntry {
  /** 1-based position in its statement. */
  index: number;
  /** Magnitude, > 0 (a zero entry is kept as 0), in minor units of `currency`. */
  amountMinor: number;
  direction: EntryDirection;
  currency: string;
  /** `YYYY-MM-DD`, or null when the file gives none. */
  bookingDate: string | null;
  valueDate: string | null;
  /**
   * The reference the remitter gave (camt EndToEndId / MT940 customer
   * reference or an `EREF+` field / the CSV `reference` column): where a
   * payout reference appears.
   */
  reference: string | null;
  /** The bank's own reference for the entry (camt AcctSvcrRef / MT940 `//` bank reference). */
  bankReference: string | null;
  /** Unstructured remittance text, lines joined with a single space. */
  remittance: string | null;
  /** Counterparty name, when the file gives one. */
  counterparty: string | null;
  /** A reversal (camt RvslInd, MT940 RC/RD mark). */
  reversal: boolean;
  /** Bank transaction code as written (camt domain/family/sub-family or proprietary code, MT940 `N…` code), or null. */
  transactionCode: string | null;
  /** MT940 `:61:` supplementary details (the line after the amount line), when the file has them. */
  supplementaryDetails?: string | null;
}

/** One statement of one account. */
export interface BankStatement {
  format: StatementFormat;
  /** The statement's identification (camt Stmt/Id, MT940 :20: + :28C:, CSV `statement_id`). */
  statementId: string;
  /** Account identification: an IBAN when the file gives one, else the account number as written. */
  account: string;
  currency: string;
  opening: StatementBalance | null;
  closing: StatementBalance | null;
  /** Creation time of the statement as written (camt CreDtTm), or null. */
  createdAt: string | null;
  /**
   * The entries as objects. A parsed MT940 statement keeps its entries as
   * {@link columns} and makes this array afresh on each read (an API
   * answer, a test, a file writer); hot paths read the columns instead.
   */
  entries: StatementEntry[];
  /** The entries as columns, when the parser kept them so (MT940); not enumerable, so copies and JSON see `entries` only. */
  readonly columns?: EntryColumns;
  /** MT940 `:28C:` statement/sequence number as written; `statementId` is `:20:` + `/` + this. */
  statementNumber?: string;
  /** Closing available balance (camt CLAV, MT940 `:64:`), when the file gives one. */
  closingAvailable?: StatementBalance | null;
  /** Forward available balances (camt FWAV, MT940 `:65:`), in file order. */
  forwardAvailable?: StatementBalance[];
  /** Statement-level free text (camt AddtlStmtInf, MT940 `:86:` after the closing balance). */
  information?: string | null;
  /**
   * What the parser changed to read the file, one sentence each naming the
   * line or element (e.g. a 30 February value date clamped to the 29th).
   * Absent when nothing was repaired.
   */
  repairs?: string[];
}

/**
 * A statement's entries as columns: what an import keeps of a large file
 * (typed arrays and byte ranges instead of an object and its strings per
 * entry). Row `k` is entry `k + 1`.
 */
export interface EntryColumns {
  readonly length: number;
  /** Credits positive, debits negative, minor units. */
  signedAmount(k: number): number;
  currency(k: number): string;
  /** Value date, else booking date, else null. */
  date(k: number): string | null;
  reference(k: number): string | null;
  remittance(k: number): string | null;
  bankReference(k: number): string | null;
  /** Entry `k + 1` as an object. */
  entry(k: number): StatementEntry;
}

/** Number of entries of a statement, without making them. */
export function entryCount(s: BankStatement): number {
  return s.columns?.length ?? s.entries.length;
}

/** Signed amount of an entry: credits add to the balance, debits take from it. */
export function signedAmount(e: Pick<StatementEntry, 'amountMinor' | 'direction'>): number {
  return e.direction === 'credit' ? e.amountMinor : -e.amountMinor;
}
