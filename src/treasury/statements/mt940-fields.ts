/**
 * MT940 field contents: balances (`:60F:` …) and the statement line `:61:`
 * (the information field `:86:` is in mt940-information.ts). Hot path:
 * plain char scans.
 */
import type { StatementEntry } from '../../domain/statement.js';
import { fail, show } from './statement-error.js';
import { entryDateYear, isoDate, swiftDate } from './statement-date.js';

export interface Mt940Context {
  line: number;
  repairs: string[];
  /** `:61:` date prefixes already read (value date [+ entry date]): a statement repeats a handful of dates thousands of times. */
  dates?: Map<number, { valueDate: string; bookingDate: string | null }>;
  /** The previous `:61:` type code. */
  lastCode?: string;
}

export interface SwiftBalance {
  amountMinor: number;
  date: string;
  currency: string;
}

/** `C190825EUR1111,10`: mark, date, currency, amount. */
export function parseBalance(tag: string, text: string, ctx: Mt940Context, exponentOf: (ccy: string) => number): SwiftBalance {
  const mark = text.charCodeAt(0);
  if (mark !== 0x43 && mark !== 0x44) fail('statement_invalid_field', `:${tag}: must start with C or D, got ${show(text)}`, { line: ctx.line });
  const date = dateAt(text.slice(1, 7), ctx);
  const currency = text.slice(7, 10);
  if (!/^[A-Z]{3}$/.test(currency)) fail('statement_invalid_currency', `:${tag}: currency ${show(currency)} is not three capital letters`, { line: ctx.line });
  const minor = swiftAmount(text.trimEnd(), 10, text.trimEnd().length, exponentOf(currency), `:${tag}:`, ctx);
  return { amountMinor: mark === 0x44 && minor !== 0 ? -minor : minor, date, currency };
}

function dateAt(yymmdd: string, ctx: Mt940Context): string {
  const d = swiftDate(yymmdd, { line: ctx.line });
  if (d.repaired !== undefined) ctx.repairs.push(`line ${String(ctx.line)}: ${d.repaired}`);
  return isoDate(d.year, d.month, d.day);
}

/**
 * SWIFT amount `1234,56`: digits, a mandatory decimal comma, digits. More
 * decimals than the currency has are accepted only when they are zeros.
 */
export function swiftAmount(line: string, from: number, to: number, exponent: number, what: string, ctx: Mt940Context): number {
  // Read in place (no slice): `line[from, to)` is the amount.
  let comma = line.indexOf(',', from);
  if (comma >= to) comma = -1;
  const n = to - from;
  const text = (): string => line.slice(from, to);
  if (comma <= from || n > 15 + 1) {
    fail('statement_invalid_amount', `${what} amount ${show(text())} ${comma === -1 ? 'has no decimal comma' : comma === from ? 'has no digits before the comma' : 'is longer than 15 digits'}`, { line: ctx.line });
  }
  let v = 0;
  for (let i = from; i < to; i++) {
    if (i === comma) continue;
    const c = line.charCodeAt(i) - 0x30;
    if (c < 0 || c > 9) fail('statement_invalid_amount', `${what} amount ${show(text())} is not digits with a decimal comma`, { line: ctx.line });
    const frac = i - comma;
    if (frac > exponent) {
      if (c !== 0) fail('statement_invalid_amount', `${what} amount ${show(text())} has more decimals than the currency's ${String(exponent)} and they are not zeros`, { line: ctx.line });
      continue;
    }
    v = v * 10 + c;
  }
  const have = to - comma - 1;
  for (let k = Math.min(have, exponent); k < exponent; k++) v *= 10;
  return v;
}

/**
 * `:61:` `YYMMDD[MMDD](C|D|RC|RD)[funds]amount(N|F|S)xxx custref[//bankref]`
 * and an optional second line of supplementary details. RC (reversal of a
 * credit) is a debit entry and RD a credit entry, as SWIFT defines them.
 */
export function parseStatementLine(first: string, rest: readonly string[], exponent: number, currency: string, index: number, ctx: Mt940Context): StatementEntry {
  const bad = (what: string): never => fail('statement_invalid_field', `:61: ${what} in ${show(first)}`, { line: ctx.line });
  const withEntryDate = isDigit(first.charCodeAt(6)) && isDigit(first.charCodeAt(7)) && isDigit(first.charCodeAt(8)) && isDigit(first.charCodeAt(9));
  let p = withEntryDate ? 10 : 6;
  // Key: the date digits as a number (no slice per line).
  let key = withEntryDate ? 1 : 2;
  for (let i = 0; i < p; i++) {
    const d = first.charCodeAt(i) - 0x30;
    key = d >= 0 && d <= 9 ? key * 10 + d : NaN; // not a date: never cached, so swiftDate reports it
  }
  const dates = (ctx.dates ??= new Map());
  let known = Number.isNaN(key) ? undefined : dates.get(key);
  if (known === undefined) {
    const repairs = ctx.repairs.length;
    known = statementLineDates(first, withEntryDate, ctx);
    // A repaired date is read again each time, so each line gets its note.
    if (ctx.repairs.length === repairs && !Number.isNaN(key)) dates.set(key, known);
  }
  const { valueDate, bookingDate } = known;
  let reversal = false;
  let c = first.charCodeAt(p);
  if (c === 0x52 /* R */) {
    reversal = true;
    p++;
    c = first.charCodeAt(p);
  }
  if (c !== 0x43 && c !== 0x44) bad(`debit/credit mark ${show(first.slice(p - (reversal ? 1 : 0), p + 2))} is not C, D, RC or RD`);
  const credit = c === 0x43;
  p++;
  if (isUpper(first.charCodeAt(p))) p++; // funds code: third letter of the currency, not kept
  const amountStart = p;
  while (p < first.length && (isDigit(first.charCodeAt(p)) || first.charCodeAt(p) === 0x2c)) p++;
  if (p === amountStart) bad('has no amount');
  const amountMinor = swiftAmount(first, amountStart, p, exponent, ':61:', ctx);
  const t = first.charCodeAt(p);
  // Consecutive entries mostly share their type code: reuse the string (one object less kept per entry).
  const last = ctx.lastCode;
  const transactionCode = last !== undefined && first.startsWith(last, p) ? last : (ctx.lastCode = first.slice(p, p + 4));
  if ((t !== 0x4e && t !== 0x46 && t !== 0x53) || transactionCode.length !== 4) bad(`transaction type ${show(transactionCode)} is not N, F or S and three characters`);
  p += 4;
  const slashes = first.indexOf('//', p);
  const customerReference = (slashes === -1 ? first.slice(p) : first.slice(p, slashes)).trim();
  if (customerReference === '') bad(`ends after the transaction type '${transactionCode}': the customer reference (mandatory; 'NONREF' when there is none) is missing`);
  const bankReference = slashes === -1 ? null : first.slice(slashes + 2).trim() || null;
  const details = rest.length === 0 ? null : rest.join(' ').trim() || null;
  // The entry is built here, complete, in one literal: its :86: only fills reference, remittance and counterparty.
  return {
    index,
    amountMinor,
    // A reversal mark names what is reversed: RC undoes a credit, so it is a debit.
    direction: reversal ? (credit ? 'debit' : 'credit') : credit ? 'credit' : 'debit',
    currency,
    bookingDate,
    valueDate,
    reference: customerReference === 'NONREF' ? null : customerReference,
    bankReference,
    remittance: null,
    counterparty: null,
    reversal,
    transactionCode,
    supplementaryDetails: details,
  };
}

function statementLineDates(first: string, withEntryDate: boolean, ctx: Mt940Context): { valueDate: string; bookingDate: string | null } {
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
