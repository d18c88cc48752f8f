/**
 * Importing bank statement files: parse (one parser per format, chosen by
 * content), deduplicate, keep durably. A file is all or nothing: if any
 * statement in it cannot be read, nothing of it is kept and the error
 * names the line or element. Importing the same statement again (same
 * account, statement id and dates, whatever the file format) is a no-op,
 * answered as `duplicate`.
 */
import { createHash } from 'node:crypto';
import { entryCount, type BankStatement, type StatementFormat } from '../domain/statement.js';
import { TreasuryError } from './errors.js';
import { parseStatement } from './statements/parse-statement.js';
import { normaliseAccount, statementKey, type StoredStatement, type TreasuryStore } from './treasury-store.js';

/** A parser's answer: every statement of the file, or the first error. */
export type StatementParse = { ok: true; statements: BankStatement[]; repairs?: string[] } | { ok: false; error: { code: string; message: string; line?: number; element?: string } };
export type StatementParser = (bytes: Uint8Array, format?: StatementFormat) => StatementParse;

/** The product's parser: every format, recognised from the content unless `format` is given; repairs gathered from the statements. */
export const parseStatementFile: StatementParser = (bytes, format) => {
  const r = parseStatement(bytes, format === undefined ? {} : { format });
  if (!r.ok) return r;
  return { ok: true, statements: r.statements, repairs: r.statements.flatMap((s) => s.repairs ?? []) };
};

export interface ImportedStatement {
  key: string;
  account: string;
  statementId: string;
  format: StatementFormat;
  entries: number;
  status: 'imported' | 'duplicate';
  /** Problems found against statements already kept (e.g. the opening balance does not follow the previous closing balance). */
  flags: BalanceFlag[];
}

export interface ImportResult {
  file: string;
  sha256: string;
  statements: ImportedStatement[];
  /** Repairs the parser applied (documented in docs/statements.md). */
  repairs: string[];
}

/** A break in a bank account's balance chain. */
export interface BalanceFlag {
  code: 'opening_balance_mismatch';
  statementKey: string;
  previousKey: string;
  /** The previous statement's closing balance and this one's opening balance, minor units. */
  expected: number;
  actual: number;
  message: string;
}

/**
 * Reads `bytes` and keeps its statements for `tenant`.
 * Throws TreasuryError `statement_invalid` (details: the parser's error) when the file cannot be read.
 */
export function importStatementFile(store: TreasuryStore, parse: StatementParser, tenant: string, bytes: Uint8Array, name: string, format: StatementFormat | undefined, now: Date): ImportResult {
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const parsed = parse(bytes, format);
  if (!parsed.ok) {
    const where = parsed.error.line !== undefined ? ` (line ${String(parsed.error.line)})` : parsed.error.element !== undefined ? ` (element ${parsed.error.element})` : '';
    throw new TreasuryError('statement_invalid', `${name}: ${parsed.error.code}${where}: ${parsed.error.message}`, [{ ...parsed.error, file: name }]);
  }
  const fresh: StoredStatement[] = [];
  const out: ImportedStatement[] = [];
  const inFile = new Set<string>();
  for (const statement of parsed.statements) {
    const key = statementKey(statement);
    const dup = inFile.has(key) || store.findStatement(tenant, key) !== undefined;
    inFile.add(key);
    if (!dup) fresh.push({ key, fileSha256: sha256, importedAt: now.toISOString(), statement });
    out.push({ key, account: statement.account, statementId: statement.statementId, format: statement.format, entries: entryCount(statement), status: dup ? 'duplicate' : 'imported', flags: [] });
  }
  store.addStatements(tenant, fresh);
  const flags = balanceFlags(store.statements(tenant));
  for (const s of out) s.flags = flags.filter((f) => f.statementKey === s.key);
  return { file: name, sha256, statements: out, repairs: parsed.repairs ?? [] };
}

/**
 * Per account, statements in date order (closing date, then opening date):
 * each opening balance must equal the previous closing balance.
 */
export function balanceFlags(statements: readonly StoredStatement[]): BalanceFlag[] {
  const byAccount = new Map<string, StoredStatement[]>();
  for (const s of statements) {
    const a = `${normaliseAccount(s.statement.account)}|${s.statement.currency}`;
    let list = byAccount.get(a);
    if (list === undefined) byAccount.set(a, (list = []));
    list.push(s);
  }
  const flags: BalanceFlag[] = [];
  for (const list of byAccount.values()) {
    const dated = list.filter((s) => s.statement.opening !== null && s.statement.closing !== null);
    dated.sort((x, y) => cmp(x.statement.closing!.date, y.statement.closing!.date) || cmp(x.statement.opening!.date, y.statement.opening!.date) || cmp(x.key, y.key));
    for (let i = 1; i < dated.length; i++) {
      const prev = dated[i - 1]!.statement.closing!;
      const cur = dated[i]!.statement.opening!;
      if (prev.amountMinor !== cur.amountMinor) {
        flags.push({
          code: 'opening_balance_mismatch',
          statementKey: dated[i]!.key,
          previousKey: dated[i - 1]!.key,
          expected: prev.amountMinor,
          actual: cur.amountMinor,
          message: `statement ${dated[i]!.statement.statementId} of ${dated[i]!.statement.account} opens at ${String(cur.amountMinor)} on ${cur.date}, but the previous statement ${dated[i - 1]!.statement.statementId} closed at ${String(prev.amountMinor)} on ${prev.date}`,
        });
      }
    }
  }
  return flags;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
