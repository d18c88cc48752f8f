/**
 * The platform's settlement truth as the statement generator takes it:
 * expected payouts and deposits, from the treasury part in process
 * (`ExpectedPayout`, `ExpectedDeposit`) or from a server's
 * `GET /v1/treasury/payouts` and `/deposits` answers.
 */
import type { ExpectedDeposit, ExpectedPayout } from '../../domain/settlement.js';
import { FirehoseOptionError } from '../errors.js';
import type { MoneyItem } from './statement-breaks.js';

/** Items of expected money computed in process (the items reconciliation matches: a payout batches with its acquirer's). */
export function moneyItems(expected: { payouts: readonly ExpectedPayout[]; deposits: readonly ExpectedDeposit[] }): MoneyItem[] {
  return [
    ...expected.payouts.map((p): MoneyItem => ({ id: p.id, kind: 'payout', account: p.bankAccount, currency: p.currency, amountMinor: p.amount, expectedDate: p.payoutDate, reference: p.reference, group: p.acquirer, counterparty: p.acquirer.toUpperCase() })),
    ...expected.deposits.map((d): MoneyItem => ({ id: d.id, kind: 'deposit', account: d.bankAccount, currency: d.currency, amountMinor: d.amount, expectedDate: d.expectedDate, reference: d.reference, group: null, counterparty: `STORE ${d.storeId}` })),
  ];
}

type Row = Record<string, unknown>;

function field<T>(row: Row, name: string, check: (v: unknown) => v is T, what: string, where: string): T {
  const v = row[name];
  if (!check(v)) throw new FirehoseOptionError(`${where}.${name}`, v, what);
  return v;
}
const isText = (v: unknown): v is string => typeof v === 'string' && v.length > 0;
const isAmount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v);
const isTextOrNull = (v: unknown): v is string | null => v === null || isText(v);

/** Items from the API's payout and deposit rows (docs/api.md); a row without the fields named is refused, naming it. */
export function moneyItemsFromApi(payouts: readonly unknown[], deposits: readonly unknown[]): MoneyItem[] {
  const row = (r: unknown, where: string): Row => {
    if (typeof r !== 'object' || r === null || Array.isArray(r)) throw new FirehoseOptionError(where, r, 'an object');
    return r as Row;
  };
  return [
    ...payouts.map((raw, i): MoneyItem => {
      const w = `payouts[${String(i)}]`;
      const r = row(raw, w);
      const acquirer = field(r, 'acquirer', isText, 'a string', w);
      return { id: field(r, 'id', isText, 'a string', w), kind: 'payout', account: field(r, 'bank_account', isText, 'a string', w), currency: field(r, 'currency', isText, 'a currency code', w), amountMinor: field(r, 'amount', isAmount, 'an integer', w), expectedDate: field(r, 'payout_date', isText, 'a date', w), reference: field(r, 'reference', isTextOrNull, 'a string or null', w), group: acquirer, counterparty: acquirer.toUpperCase() };
    }),
    ...deposits.map((raw, i): MoneyItem => {
      const w = `deposits[${String(i)}]`;
      const r = row(raw, w);
      return { id: field(r, 'id', isText, 'a string', w), kind: 'deposit', account: field(r, 'bank_account', isText, 'a string', w), currency: field(r, 'currency', isText, 'a currency code', w), amountMinor: field(r, 'amount', isAmount, 'an integer', w), expectedDate: field(r, 'expected_date', isText, 'a date', w), reference: field(r, 'reference', isTextOrNull, 'a string or null', w), group: null, counterparty: `STORE ${field(r, 'store_id', isText, 'a string', w)}` };
    }),
  ];
}
