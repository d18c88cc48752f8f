/**
 * Our own statement CSV (RFC 4180, UTF-8, header row): one row per balance
 * or entry, `record_type` saying which. Amounts are decimal strings in major
 * units: entries unsigned with `direction`, balances signed. Rows of one
 * statement are consecutive and share statement_id, account and currency.
 * Layout and example in docs/statements.md.
 */
import { parse } from 'csv-parse/sync';
import type { BankStatement, EntryDirection, StatementBalance, StatementEntry } from '../../domain/statement.js';
import { decimalToMinor, exponentOf } from './statement-amount.js';
import { checkIsoDate } from './statement-date.js';
import { fail, runParser, show, StatementParseFailure, type StatementParseResult } from './statement-error.js';

export const STATEMENT_CSV_COLUMNS = [
  'record_type', 'statement_id', 'account', 'currency', 'booking_date', 'value_date', 'amount', 'direction',
  'reference', 'bank_reference', 'remittance', 'counterparty', 'reversal', 'transaction_code',
] as const;
type Column = (typeof STATEMENT_CSV_COLUMNS)[number];
/** Columns a file may leave out (older exports): reversal defaults to false, transaction_code to empty. */
const OPTIONAL_COLUMNS: readonly Column[] = ['reversal', 'transaction_code'];

export const CSV_RECORD_TYPES = ['opening', 'entry', 'closing', 'closing_available', 'forward_available'] as const;
export type CsvRecordType = (typeof CSV_RECORD_TYPES)[number];

export function parseStatementCsv(text: string): StatementParseResult {
  return runParser(() => readStatementCsv(text));
}

interface CsvRow {
  record: string[];
  info: { lines: number };
}

/** Like {@link parseStatementCsv} but throws a StatementParseFailure; for composing parsers. */
export function readStatementCsv(text: string): BankStatement[] {
  let rows: CsvRow[];
  try {
    // max_record_size bounds one row (1 MiB), as the MT940 reader bounds a line.
    rows = parse(text, { bom: true, skip_empty_lines: true, info: true, relax_column_count: false, max_record_size: 1 << 20 }) as unknown as CsvRow[];
  } catch (e) {
    if (e instanceof StatementParseFailure) throw e;
    const err = e as { message?: string; lines?: number };
    return fail('statement_invalid_csv', err.message ?? String(e), err.lines === undefined ? {} : { line: err.lines });
  }
  const header = rows[0]?.record;
  if (header === undefined) fail('statement_empty', 'the CSV has no header row');
  const col = new Map<string, number>();
  header.forEach((h, i) => col.set(h.trim(), i));
  for (const c of STATEMENT_CSV_COLUMNS) {
    if (!col.has(c) && !OPTIONAL_COLUMNS.includes(c)) fail('statement_missing_column', `the header has no ${show(c)} column (expected ${STATEMENT_CSV_COLUMNS.join(',')})`, { line: 1 });
  }
  const statements: BankStatement[] = [];
  const seen = new Set<string>();
  let cur: BankStatement | null = null;
  for (let r = 1; r < rows.length; r++) {
    const { record, info } = rows[r]!;
    const line = info.lines;
    const get = (c: Column): string => {
      const i = col.get(c);
      return i === undefined ? '' : (record[i] ?? '');
    };
    const opt = (c: Column): string | null => {
      const v = get(c);
      return v === '' ? null : v;
    };
    const type = get('record_type');
    if (!(CSV_RECORD_TYPES as readonly string[]).includes(type)) fail('statement_invalid_csv', `record_type ${show(type)} is not one of ${CSV_RECORD_TYPES.join(', ')}`, { line });
    const id = get('statement_id');
    const account = get('account');
    const currency = get('currency');
    if (id === '') fail('statement_invalid_csv', 'statement_id is empty', { line });
    if (account === '') fail('statement_invalid_csv', 'account is empty', { line });
    exponentOf(currency, { line });
    // An opening row after the current statement's rows starts the next
    // statement, even under the same id: banks reuse ids (Rabobank's MT940
    // numbers every statement 0), and the CSV must carry such files too.
    const next = type === 'opening' && cur !== null && cur.statementId === id && (cur.opening !== null || cur.closing !== null || cur.entries.length > 0);
    if (cur === null || cur.statementId !== id || next) {
      if (seen.has(id) && !next) fail('statement_invalid_csv', `rows of statement ${show(id)} must be consecutive; it started earlier`, { line });
      seen.add(id);
      cur = { format: 'csv', statementId: id, account, currency, opening: null, closing: null, createdAt: null, entries: [], closingAvailable: null, forwardAvailable: [] };
      statements.push(cur);
    } else if (cur.account !== account) {
      fail('statement_invalid_csv', `account ${show(account)} differs from ${show(cur.account)} earlier in statement ${show(id)}`, { line });
    }
    if (type === 'entry') {
      if (cur.closing !== null) fail('statement_invalid_csv', `an entry after the closing balance of statement ${show(id)}`, { line });
      const e: StatementEntry = {
        index: cur.entries.length + 1,
        amountMinor: decimalToMinor(get('amount'), currency, { line }),
        direction: direction(get('direction'), line),
        currency,
        bookingDate: optDate(opt('booking_date'), line),
        valueDate: optDate(opt('value_date'), line),
        reference: opt('reference'),
        bankReference: opt('bank_reference'),
        remittance: opt('remittance'),
        counterparty: opt('counterparty'),
        reversal: flag(get('reversal'), line),
        transactionCode: opt('transaction_code'),
      };
      cur.entries.push(e);
      continue;
    }
    const date = opt('booking_date');
    if (date === null) fail('statement_invalid_date', `a ${type} balance needs its date in booking_date`, { line });
    const b: StatementBalance = { amountMinor: decimalToMinor(get('amount'), currency, { line }, true), date: checkIsoDate(date, { line }) };
    if (b.amountMinor === 0) b.amountMinor = 0;
    if (currency !== cur.currency) b.currency = currency;
    if (type === 'forward_available') cur.forwardAvailable!.push(b);
    else {
      const key = type === 'opening' ? 'opening' : type === 'closing' ? 'closing' : 'closingAvailable';
      if (cur[key] !== null) fail('statement_invalid_csv', `statement ${show(id)} has a second ${type} row`, { line });
      cur[key] = b;
    }
  }
  if (statements.length === 0) fail('statement_empty', 'the CSV has a header but no rows', { line: 2 });
  return statements;
}

function direction(v: string, line: number): EntryDirection {
  if (v === 'credit' || v === 'debit') return v;
  return fail('statement_invalid_csv', `direction ${show(v)} is not credit or debit`, { line });
}

function optDate(v: string | null, line: number): string | null {
  return v === null ? null : checkIsoDate(v, { line });
}

function flag(v: string, line: number): boolean {
  if (v === '' || v === 'false') return false;
  if (v === 'true') return true;
  return fail('statement_invalid_csv', `reversal ${show(v)} is not true, false or empty`, { line });
}
