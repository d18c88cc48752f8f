/**
 * {@link BankStatement}s → our statement CSV (layout in statement-csv.ts),
 * read back identically by {@link readStatementCsv}. Fields are quoted only
 * when they hold a comma, quote, CR/LF or leading/trailing space.
 */
import { formatMinor } from '../../domain/money.js';
import type { BankStatement, StatementBalance, StatementEntry } from '../../domain/statement.js';
import { STATEMENT_CSV_COLUMNS, type CsvRecordType } from './statement-csv.js';

const ENTRIES_PER_CHUNK = 1024;

export function writeStatementCsv(statements: readonly BankStatement[]): string {
  return [...statementCsvChunks(statements)].join('');
}

export function* statementCsvChunks(statements: Iterable<BankStatement>): Generator<string> {
  yield `${STATEMENT_CSV_COLUMNS.join(',')}\r\n`;
  for (const st of statements) {
    const first = st.opening ?? null;
    if (first?.currency !== undefined) throw new RangeError(`the statement CSV takes the currency from the first row; the opening balance of ${st.statementId} is in ${first.currency}, not ${st.currency}`);
    if (first === null && st.entries[0] !== undefined && st.entries[0].currency !== st.currency) {
      throw new RangeError(`the statement CSV takes the currency from the first row; entry 1 of ${st.statementId} is in ${st.entries[0].currency}, not ${st.currency}`);
    }
    if (first === null && st.entries.length === 0 && st.closing?.currency !== undefined) {
      throw new RangeError(`the statement CSV takes the currency from the first row; the closing balance of ${st.statementId} is in ${st.closing.currency}`);
    }
    const key = `${field(st.statementId)},${field(st.account)}`;
    const parts: string[] = [];
    if (st.opening !== null) parts.push(balance('opening', key, st.opening, st.currency));
    for (const e of st.entries) {
      parts.push(entry(key, e));
      if (parts.length === ENTRIES_PER_CHUNK) {
        yield parts.join('');
        parts.length = 0;
      }
    }
    if (st.closing !== null) parts.push(balance('closing', key, st.closing, st.currency));
    if (st.closingAvailable) parts.push(balance('closing_available', key, st.closingAvailable, st.currency));
    for (const b of st.forwardAvailable ?? []) parts.push(balance('forward_available', key, b, st.currency));
    yield parts.join('');
  }
}

function balance(type: CsvRecordType, key: string, b: StatementBalance, currency: string): string {
  const ccy = b.currency ?? currency;
  return `${type},${key},${ccy},${b.date},,${formatMinor(b.amountMinor, ccy)},,,,,,,\r\n`;
}

function entry(key: string, e: StatementEntry): string {
  return `entry,${key},${e.currency},${e.bookingDate ?? ''},${e.valueDate ?? ''},${formatMinor(e.amountMinor, e.currency)},${e.direction},${opt(e.reference)},${opt(e.bankReference)},${opt(e.remittance)},${opt(e.counterparty)},${e.reversal ? 'true' : 'false'},${opt(e.transactionCode)}\r\n`;
}

function opt(v: string | null): string {
  return v === null ? '' : field(v);
}

/** RFC 4180 quoting, only where needed. An empty string cannot be told from null in CSV, so it reads back as null. */
function field(v: string): string {
  const n = v.length;
  if (n === 0) return v;
  // A char loop rather than a regex and trim(): this runs for every field of every row.
  let plain = v.charCodeAt(0) > 0x20 && v.charCodeAt(n - 1) > 0x20;
  for (let i = 0; plain && i < n; i++) {
    const c = v.charCodeAt(i);
    if (c === 0x22 || c === 0x2c || c === 0x0a || c === 0x0d) plain = false;
  }
  if (plain && v.trim() === v) return v;
  return `"${v.replace(/"/g, '""')}"`;
}
