/**
 * Expected payouts (their acquirer as the batch group) and deposits as the
 * matcher sees them, payouts first: as an item table (match-tables.ts),
 * built once per computation of expected money and kept with it, or as
 * objects for small callers.
 */
import type { ExpectedItem } from '../domain/reconciliation.js';
import type { ExpectedMoney } from './expected-money.js';
import { ItemTable } from './match-tables.js';
import { normaliseAccount } from './treasury-store.js';

type Expected = Pick<ExpectedMoney, 'payouts' | 'deposits'>;

/** normaliseAccount per distinct account text, not per row (a regular expression per row cost more than the row). */
function normaliser(): (account: string) => string {
  const seen = new Map<string, string>();
  return (account) => {
    let n = seen.get(account);
    if (n === undefined) {
      n = normaliseAccount(account);
      seen.set(account, n);
    }
    return n;
  };
}

export function expectedItemTable(expected: Expected): ItemTable {
  const t = new ItemTable(expected.payouts.length + expected.deposits.length);
  const account = normaliser();
  for (const p of expected.payouts) t.add(p.id, 'payout', account(p.bankAccount), p.currency, p.amount, p.payoutDate, p.reference, p.acquirer);
  for (const d of expected.deposits) t.add(d.id, 'deposit', account(d.bankAccount), d.currency, d.amount, d.expectedDate, d.reference, undefined);
  return t;
}

export function expectedItems(expected: Expected): ExpectedItem[] {
  const account = normaliser();
  return [
    ...expected.payouts.map((p): ExpectedItem => ({ id: p.id, kind: 'payout', account: account(p.bankAccount), currency: p.currency, amountMinor: p.amount, expectedDate: p.payoutDate, reference: p.reference, group: p.acquirer })),
    ...expected.deposits.map((d): ExpectedItem => ({ id: d.id, kind: 'deposit', account: account(d.bankAccount), currency: d.currency, amountMinor: d.amount, expectedDate: d.expectedDate, reference: d.reference })),
  ];
}
