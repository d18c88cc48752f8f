/**
 * MT940 field contents: balances (`:60F:` …) and the statement line `:61:`
 * (the information field `:86:` is in mt940-information.ts). Hot path:
 * plain byte scans on the file, a string only for each value kept.
 */
import { Buffer } from 'node:buffer';
import { TEXT_BANK_REFERENCE, TEXT_DETAILS, TEXT_REFERENCE, type EntryColumnStore } from './entry-columns.js';
import type { Field } from './mt940-field.js';
import { isAsciiSpace, type StatementBytes } from './statement-bytes.js';
import { fail, show } from './statement-error.js';
import { entryDateYear, isoDate, swiftDate } from './statement-date.js';

export interface Mt940Context {
  line: number;
  repairs: string[];
  /** `:61:` date prefixes already read (value date [+ entry date]): a statement repeats a handful of dates thousands of times. */
  dates?: Map<number, LineDates>;
  /** The previous `:61:` date digits and their dates. */
  lastValue?: number;
  lastEntry?: number;
  lastDates?: LineDates;
}

interface LineDates {
  valueDate: string;
  bookingDate: string | null;
  /** Their ids in the file's column store (set when first used). */
  valueId?: number;
  bookingId?: number;
}

export interface SwiftBalance {
  amountMinor: number;
  date: string;
  currency: string;
}

/** `C190825EUR1111,10`: mark, date, currency, amount; `text` is the field's one line, trimmed. */
export function parseBalance(f: Field, text: string, ctx: Mt940Context, exponentOf: (ccy: string) => number): SwiftBalance {
  const tag = f.tag;
  const mark = text.charCodeAt(0);
  if (mark !== 0x43 && mark !== 0x44) fail('statement_invalid_field', `:${tag}: must start with C or D, got ${show(text)}`, { line: ctx.line });
  const date = dateAt(text.slice(1, 7), ctx);
  const currency = text.slice(7, 10);
  if (!/^[A-Z]{3}$/.test(currency)) fail('statement_invalid_currency', `:${tag}: currency ${show(currency)} is not three capital letters`, { line: ctx.line });
  // Once per statement: the amount's few bytes are encoded afresh rather than located in the file.
  const amount = Buffer.from(text.slice(10), 'utf8');
  const minor = swiftAmount(amount, 0, amount.length, exponentOf(currency), `:${tag}:`, ctx, null);
  return { amountMinor: mark === 0x44 && minor !== 0 ? -minor : minor, date, currency };
}

function dateAt(yymmdd: string, ctx: Mt940Context): string {
  const d = swiftDate(yymmdd, { line: ctx.line });
  if (d.repaired !== undefined) ctx.repairs.push(`line ${String(ctx.line)}: ${d.repaired}`);
  return isoDate(d.year, d.month, d.day);
}

/**
 * SWIFT amount `1234,56` in `b[from, to)`: digits, a mandatory decimal
 * comma, digits. More decimals than the currency has are accepted only
 * when they are zeros. `src` decodes the amount for a message (null: `b`
 * is UTF-8).
 */
export function swiftAmount(b: Buffer, from: number, to: number, exponent: number, what: string, ctx: Mt940Context, src: StatementBytes | null): number {
  let comma = -1;
  for (let i = from; i < to; i++) {
    if (b[i] === 0x2c) {
      comma = i;
      break;
    }
  }
  const n = to - from;
  if (comma <= from || n > 15 + 1) {
    fail('statement_invalid_amount', `${what} amount ${show(amountText(b, from, to, src))} ${comma === -1 ? 'has no decimal comma' : comma === from ? 'has no digits before the comma' : 'is longer than 15 digits'}`, { line: ctx.line });
  }
  let v = 0;
  for (let i = from; i < to; i++) {
    if (i === comma) continue;
    const c = b[i]! - 0x30;
    if (c < 0 || c > 9) fail('statement_invalid_amount', `${what} amount ${show(amountText(b, from, to, src))} is not digits with a decimal comma`, { line: ctx.line });
    const frac = i - comma;
    if (frac > exponent) {
      if (c !== 0) fail('statement_invalid_amount', `${what} amount ${show(amountText(b, from, to, src))} has more decimals than the currency's ${String(exponent)} and they are not zeros`, { line: ctx.line });
      continue;
    }
    v = v * 10 + c;
  }
  const have = to - comma - 1;
  for (let k = Math.min(have, exponent); k < exponent; k++) v *= 10;
  return v;
}

/** The amount's text for a message (a function, not a closure per amount: this runs for every entry). */
function amountText(b: Buffer, from: number, to: number, src: StatementBytes | null): string {
  return src === null ? b.toString('utf8', from, to) : src.text(from, to, b);
}

/**
 * `:61:` `YYMMDD[MMDD](C|D|RC|RD)[funds]amount(N|F|S)xxx custref[//bankref]`
 * and an optional second line of supplementary details, read from the
 * field's bytes. RC (reversal of a credit) is a debit entry and RD a
 * credit entry, as SWIFT defines them. The entry becomes a row of
 * `out`; returns its row.
 */
export function parseStatementLine(f: Field, exponent: number, currency: string, out: EntryColumnStore, ctx: Mt940Context): number {
  const src = f.src;
  const b = src.bytes;
  const s = f.start;
  const e = f.firstEnd;
  const withEntryDate = e - s >= 10 && isDigit(b[s + 6]!) && isDigit(b[s + 7]!) && isDigit(b[s + 8]!) && isDigit(b[s + 9]!);
  let p = s + (withEntryDate ? 10 : 6);
  // The dates as two small integers (no string per line): YYMMDD, and MMDD or -1; -2 when not digits (never cached, so swiftDate reports it).
  let value = 0;
  for (let i = s; i < s + 6; i++) {
    const d = i < e ? b[i]! - 0x30 : -1;
    value = value >= 0 && d >= 0 && d <= 9 ? value * 10 + d : -2;
  }
  const entry = withEntryDate ? (b[s + 6]! - 0x30) * 1000 + (b[s + 7]! - 0x30) * 100 + (b[s + 8]! - 0x30) * 10 + (b[s + 9]! - 0x30) : -1;
  const known = value < 0 ? null : lineDates(f, ctx, value, entry);
  const dates = known ?? statementLineDates(f.first, withEntryDate, ctx);
  const valueId = (dates.valueId ??= out.dateId(dates.valueDate));
  const bookingId = (dates.bookingId ??= out.dateId(dates.bookingDate));
  let reversal = false;
  let c = p < e ? b[p]! : -1;
  if (c === 0x52 /* R */) {
    reversal = true;
    p++;
    c = p < e ? b[p]! : -1;
  }
  if (c !== 0x43 && c !== 0x44) badLine(f, `debit/credit mark ${show(src.text(p - (reversal ? 1 : 0), Math.min(e, p + 2)))} is not C, D, RC or RD`);
  const credit = c === 0x43;
  p++;
  if (p < e && isUpper(b[p]!)) p++; // funds code: third letter of the currency, not kept
  const amountStart = p;
  while (p < e && (isDigit(b[p]!) || b[p] === 0x2c)) p++;
  if (p === amountStart) badLine(f, 'has no amount');
  const amountMinor = swiftAmount(b, amountStart, p, exponent, ':61:', ctx, src);
  const t = p < e ? b[p]! : -1;
  // Consecutive entries share a handful of type codes: one string each (interned), not one per entry.
  const codeEnd = Math.min(e, p + 4);
  const transactionCode = src.intern(b, p, codeEnd);
  if ((t !== 0x4e && t !== 0x46 && t !== 0x53) || codeEnd - p !== 4) badLine(f, `transaction type ${show(transactionCode)} is not N, F or S and three characters`);
  p += 4;
  let slashes = -1;
  for (let i = p; i + 1 < e; i++) {
    if (b[i] === 0x2f && b[i + 1] === 0x2f) {
      slashes = i;
      break;
    }
  }
  let refStart = p;
  let refEnd = slashes === -1 ? e : slashes;
  while (refStart < refEnd && isAsciiSpace(b[refStart]!)) refStart++;
  while (refEnd > refStart && isAsciiSpace(b[refEnd - 1]!)) refEnd--;
  // NONREF is recognised on the bytes: no string is made for it.
  const nonref = refEnd - refStart === 6 && b[refStart] === 0x4e && b[refStart + 1] === 0x4f && b[refStart + 2] === 0x4e && b[refStart + 3] === 0x52 && b[refStart + 4] === 0x45 && b[refStart + 5] === 0x46;
  if (!nonref && !hasText(b, refStart, refEnd, src)) badLine(f, `ends after the transaction type '${transactionCode}': the customer reference (mandatory; 'NONREF' when there is none) is missing`);
  // A reversal mark names what is reversed: RC undoes a credit, so it is a debit.
  const row = out.add(amountMinor, reversal ? (credit ? 'debit' : 'credit') : credit ? 'credit' : 'debit', reversal, valueId, bookingId, transactionCode, currency);
  // The values stay bytes in the file's arena: no string per entry (its :86: fills reference, remittance and counterparty).
  if (!nonref) out.setText(row, TEXT_REFERENCE, b, refStart, refEnd);
  if (slashes !== -1) out.setText(row, TEXT_BANK_REFERENCE, b, slashes + 2, e);
  if (f.lines !== 0) out.setText(row, TEXT_DETAILS, src.scratch, 0, f.copyLines(false, 0x20));
  return row;
}

/** Whether `b[from, to)` (ASCII-trimmed already) holds text once trimmed as `trim()` does. */
function hasText(b: Buffer, from: number, to: number, src: StatementBytes): boolean {
  if (from === to) return false;
  return (b[from]! < 0x80 && b[to - 1]! < 0x80) || src.trimmed(b, from, to) !== null;
}

function badLine(f: Field, what: string): never {
  return fail('statement_invalid_field', `:61: ${what} in ${show(f.first)}`, { line: f.line });
}

/**
 * The dates of a `:61:` whose date digits read `value` (YYMMDD) and
 * `entry` (MMDD, -1 when absent): the previous line's when they are the
 * same (most are), else from the statement's cache, else read. A repaired
 * date is never cached, so each line gets its note.
 */
function lineDates(f: Field, ctx: Mt940Context, value: number, entry: number): LineDates {
  const last = ctx.lastDates;
  if (last !== undefined && ctx.lastValue === value && ctx.lastEntry === entry) return last;
  const dates = (ctx.dates ??= new Map());
  const key = value * 10000 + entry + 1;
  let known = dates.get(key);
  if (known === undefined) {
    const repairs = ctx.repairs.length;
    known = statementLineDates(f.first, entry !== -1, ctx);
    if (ctx.repairs.length !== repairs) return known;
    dates.set(key, known);
  }
  ctx.lastValue = value;
  ctx.lastEntry = entry;
  ctx.lastDates = known;
  return known;
}

function statementLineDates(first: string, withEntryDate: boolean, ctx: Mt940Context): LineDates {
  const vd = swiftDate(first.slice(0, 6), { line: ctx.line });
  if (vd.repaired !== undefined) ctx.repairs.push(`line ${String(ctx.line)}: value ${vd.repaired}`);
  const valueDate = isoDate(vd.year, vd.month, vd.day);
  if (!withEntryDate) return { valueDate, bookingDate: null };
  const year = entryDateYear(vd.year, vd.month, Number(first.slice(6, 8)));
  const ed = swiftDate(String(year % 100).padStart(2, '0') + first.slice(6, 10), { line: ctx.line });
  if (ed.repaired !== undefined) ctx.repairs.push(`line ${String(ctx.line)}: entry ${ed.repaired}`);
  return { valueDate, bookingDate: isoDate(year, ed.month, ed.day) };
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

function isUpper(c: number): boolean {
  return c >= 0x41 && c <= 0x5a;
}
