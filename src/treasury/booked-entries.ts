/**
 * The entries of a tenant's kept statements as the matcher sees them:
 * signed amounts, the account as compared (normalised), and the value date
 * (else the booking date, else the statement's closing date). Kept as an
 * entry table (match-tables.ts) per tenant that grows with each import:
 * statements are only appended to a tenant's list, so a re-run of
 * reconciliation adds the rows of the statements imported since the last
 * one; a list read anew (the files changed under the store) builds the
 * table again.
 */
import type { BookedEntry } from '../domain/reconciliation.js';
import { signedAmount } from '../domain/statement.js';
import { EntryTable } from './match-tables.js';
import { normaliseAccount, type StoredStatement } from './treasury-store.js';

function eachEntry(statements: readonly StoredStatement[], from: number, visit: (s: StoredStatement, account: string, e: StoredStatement['statement']['entries'][number]) => void): void {
  for (let k = from; k < statements.length; k++) {
    const s = statements[k]!;
    const account = normaliseAccount(s.statement.account);
    for (const e of s.statement.entries) visit(s, account, e);
  }
}

/** Appends the entries of `statements[from…]` to `table`. */
export function appendBookedEntries(table: EntryTable, statements: readonly StoredStatement[], from = 0): void {
  eachEntry(statements, from, (s, account, e) => {
    table.add(`${s.key}#${String(e.index)}`, account, e.currency, signedAmount(e), e.valueDate ?? e.bookingDate ?? s.statement.closing?.date ?? '', e.reference, e.remittance, e.bankReference);
  });
}

/** The same rows as objects (tests, and small callers that want them). */
export function bookedEntries(statements: readonly StoredStatement[]): BookedEntry[] {
  const entries: BookedEntry[] = [];
  eachEntry(statements, 0, (s, account, e) => {
    entries.push({ id: `${s.key}#${String(e.index)}`, account, currency: e.currency, amountMinor: signedAmount(e), date: e.valueDate ?? e.bookingDate ?? s.statement.closing?.date ?? '', reference: e.reference, remittance: e.remittance, bankReference: e.bankReference });
  });
  return entries;
}

/** Per tenant, the entry table of its statement list, extended as the list grows. */
export class BookedEntryTables {
  private readonly byTenant = new Map<string, { statements: readonly StoredStatement[]; read: number; table: EntryTable }>();

  /** The table of `statements` (the store's list for `tenant`, which only grows while it is the same array). */
  of(tenant: string, statements: readonly StoredStatement[]): EntryTable {
    let hit = this.byTenant.get(tenant);
    if (hit === undefined || hit.statements !== statements || hit.read > statements.length) {
      hit = { statements, read: 0, table: new EntryTable() };
      this.byTenant.set(tenant, hit);
    }
    if (hit.read < statements.length) {
      appendBookedEntries(hit.table, statements, hit.read);
      hit.read = statements.length;
    }
    return hit.table;
  }
}
