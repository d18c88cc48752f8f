/**
 * Booked lines → daily bank statements: one statement per account,
 * currency and banking day, numbered in sequence, each opening at the
 * previous one's closing balance (also across feeds, given where the
 * earlier statements ended), so the platform's balance chain check
 * (docs/treasury.md, "Bank statements") finds nothing to flag.
 */
import { currencyExponent } from '../../domain/currency.js';
import { dayText } from '../../domain/business-calendar.js';
import type { MismatchReason } from '../../domain/reconciliation.js';
import type { BankStatement, StatementEntry } from '../../domain/statement.js';
import { normaliseAccount, statementKey } from '../../treasury/treasury-store.js';
import type { Prng } from '../prng.js';
import type { EntryAnswer, StatementBreak } from './statement-breaks.js';

/** One line the bank books, with the outcome reconciliation must give it. */
export interface BookedLine {
  /** Account as written on the statement, and its chain (normalised account and currency). */
  account: string;
  chain: string;
  currency: string;
  /** Statement day (days since 1970-01-01): the statement the line is printed on. */
  day: number;
  /** Booking and value date (`YYYY-MM-DD`); a repeated line keeps the date it was first booked on. */
  date: string;
  /** Signed minor units. */
  amountMinor: number;
  reference: string | null;
  remittance: string | null;
  counterparty: string | null;
  bankReference: string;
  transactionCode: string;
  brk: StatementBreak | null;
  status: EntryAnswer['status'];
  itemIds: string[];
  reason: MismatchReason | null;
  /** For a duplicate: the line it repeats. */
  duplicateOf: BookedLine | null;
  /** Set once the line is placed: its statement and the platform's entry id. */
  statementId?: string;
  index?: number;
  entryId?: string;
}

/** A chain of statements: one account in one currency. */
export interface Chain {
  account: string;
  currency: string;
  /** Days it has a statement on (sorted, distinct). */
  days: number[];
}

/** Where a chain's statements booked so far end: its closing balance and the last statement's number. */
export interface ChainStart {
  balance: number;
  seq: number;
}

/** The key of a chain: normalised account and currency (as the balance check groups statements). */
export function chainKey(account: string, currency: string): string {
  return `${normaliseAccount(account)}|${currency}`;
}

/** A written statement and the day it is of. */
export interface DatedStatement {
  day: string;
  statement: BankStatement;
}

/** Opening balance of a chain's first statement: a working balance of a few ten thousand major units. */
function openingBalance(rng: Prng, currency: string): number {
  const base = rng.between(2_000_000, 90_000_000); // at two decimals
  const exp = currencyExponent(currency) ?? 2;
  return exp >= 2 ? base * 10 ** (exp - 2) : Math.round(base / 10 ** (2 - exp));
}

/**
 * Places every line on its chain's statement of its day (in the order
 * given) and writes the statements, by day then account then currency.
 * Sets `statementId`, `index` and `entryId` on each line.
 */
export function buildStatements(chains: ReadonlyMap<string, Chain>, lines: readonly BookedLine[], rng: Prng, starts?: ReadonlyMap<string, ChainStart>): DatedStatement[] {
  const byChainDay = new Map<string, BookedLine[]>();
  for (const line of lines) {
    const k = `${line.chain}\u0000${String(line.day)}`;
    let list = byChainDay.get(k);
    if (list === undefined) byChainDay.set(k, (list = []));
    list.push(line);
  }
  const out: DatedStatement[] = [];
  const keys = [...chains.keys()].sort();
  for (const [n, k] of keys.entries()) {
    const chain = chains.get(k)!;
    // `:20:` of MT940 holds 16 characters: TP, the day, the chain's number and currency. Unique in a day's file
    // (the statement CSV needs that), and the `/seq` after it numbers the chain's statements.
    const chainNo = String(n + 1).padStart(4, '0');
    // Drawn for every chain, so a chain's balance does not depend on which others go on from earlier statements.
    const drawn = openingBalance(rng, chain.currency);
    const start = starts?.get(k);
    let balance = start?.balance ?? drawn;
    let seq = start?.seq ?? 0;
    for (const day of chain.days) {
      const date = dayText(day);
      const booked = byChainDay.get(`${k}\u0000${String(day)}`) ?? [];
      seq++;
      const statementId = `TP${date.slice(2).replaceAll('-', '')}${chainNo}${chain.currency}/${String(seq)}`;
      const opening = balance;
      const entries: StatementEntry[] = booked.map((l, i) => {
        balance += l.amountMinor;
        return {
          index: i + 1,
          amountMinor: Math.abs(l.amountMinor),
          direction: l.amountMinor < 0 ? 'debit' : 'credit',
          currency: chain.currency,
          bookingDate: l.date,
          valueDate: l.date,
          reference: l.reference,
          bankReference: l.bankReference,
          remittance: l.remittance,
          counterparty: l.counterparty,
          reversal: false,
          transactionCode: l.transactionCode,
        };
      });
      const statement: BankStatement = {
        format: 'camt053',
        statementId,
        statementNumber: String(seq),
        account: chain.account,
        currency: chain.currency,
        opening: { amountMinor: opening, date },
        closing: { amountMinor: balance, date },
        createdAt: `${date}T22:00:00.000Z`,
        entries,
      };
      const key = statementKey(statement);
      booked.forEach((l, i) => {
        l.statementId = statementId;
        l.index = i + 1;
        l.entryId = `${key}#${String(i + 1)}`;
      });
      out.push({ day: date, statement });
    }
  }
  return out.sort((a, b) => (a.day < b.day ? -1 : a.day > b.day ? 1 : 0));
}
