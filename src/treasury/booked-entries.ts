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

type Visit = (id: string, account: string, currency: string, amountMinor: number, date: string, reference: string | null, remittance: string | null, bankReference: string | null) => void;

/** Every entry of `statements[from…]`, in order, as a matcher row: from a statement's columns when it has them (no entry object is made). */
function eachRow(statements: readonly StoredStatement[], from: number, visit: Visit): void {
  for (let k = from; k < statements.length; k++) {
    const s = statements[k]!;
    const st = s.statement;
    const account = normaliseAccount(st.account);
    const closing = st.closing?.date ?? '';
    const cols = st.columns;
    if (cols !== undefined) {
      for (let r = 0; r < cols.length; r++) visit(`${s.key}#${String(r + 1)}`, account, cols.currency(r), cols.signedAmount(r), cols.date(r) ?? closing, cols.reference(r), cols.remittance(r), cols.bankReference(r));
      continue;
    }
    for (const e of st.entries) visit(`${s.key}#${String(e.index)}`, account, e.currency, signedAmount(e), e.valueDate ?? e.bookingDate ?? closing, e.reference, e.remittance, e.bankReference);
  }
}

/** Appends the entries of `statements[from…]` to `table`. */
export function appendBookedEntries(table: EntryTable, statements: readonly StoredStatement[], from = 0): void {
  eachRow(statements, from, (id, account, currency, amountMinor, date, reference, remittance, bankReference) => {
    table.add(id, account, currency, amountMinor, date, reference, remittance, bankReference);
  });
}

/** The same rows as objects (tests, and small callers that want them). */
export function bookedEntries(statements: readonly StoredStatement[]): BookedEntry[] {
  const entries: BookedEntry[] = [];
  eachRow(statements, 0, (id, account, currency, amountMinor, date, reference, remittance, bankReference) => {
    entries.push({ id, account, currency, amountMinor, date, reference, remittance, bankReference });
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
