/**
 * Calendar dates for the statement parsers: ISO `YYYY-MM-DD` checks, SWIFT
 * `YYMMDD` with a fixed century window, and the one date repair.
 */
import { fail, show, type WhereArg } from './statement-error.js';

/**
 * Two-digit years: 00–79 → 2000–2079, 80–99 → 1980–1999. A fixed pivot
 * (not "now ± n") so that the same file always reads the same way.
 */
export const CENTURY_PIVOT = 80;

export function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

export function isoDate(year: number, month: number, day: number): string {
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/** `YYYY-MM-DD` (exactly that shape, a real day) or a `statement_invalid_date` failure. */
export function checkIsoDate(text: string, where: WhereArg): string {
  if (isIsoDate(text)) return text;
  return fail('statement_invalid_date', `${show(text)} is not a calendar date (YYYY-MM-DD)`, where);
}

/** Whether `text` is exactly `YYYY-MM-DD` and a real day. Digit arithmetic rather than a regex: this runs for every entry date. */
export function isIsoDate(text: string): boolean {
  if (text.length !== 10 || text.charCodeAt(4) !== 0x2d || text.charCodeAt(7) !== 0x2d) return false;
  const y = digits(text, 0, 4);
  const mo = digits(text, 5, 7);
  const d = digits(text, 8, 10);
  return y >= 0 && mo >= 1 && mo <= 12 && d >= 1 && d <= daysInMonth(y, mo);
}

/** The number written by the ASCII digits `text[from, to)`, or -1 if any is not a digit. */
function digits(text: string, from: number, to: number): number {
  let v = 0;
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i) - 0x30;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  return v;
}

/**
 * A date from an ISO date or date-time (`2015-01-22T00:00:00+01:00`): the
 * date part as written, i.e. the bank's local date, which is the day the
 * bank booked on; converting to UTC would move late-evening bookings.
 */
export function dateOfDateTime(text: string, where: WhereArg): string {
  if (text.length > 10 && text.charCodeAt(10) !== 0x54) {
    fail('statement_invalid_date', `${show(text)} is not an ISO date-time (YYYY-MM-DDThh:mm:ss)`, where);
  }
  return checkIsoDate(text.slice(0, 10), where);
}

export interface SwiftDate {
  year: number;
  month: number;
  day: number;
  /** Set when a day past the month's end (29–31) was clamped to the last day. */
  repaired?: string;
}

/**
 * SWIFT `YYMMDD`. A day past the end of a valid month (29–31, e.g. the
 * 30 February that German banks write as the value date of quarterly
 * interest, counted on a 30/360 basis) is clamped to the month's last day
 * and reported as a repair; any other impossible date is an error.
 */
export function swiftDate(text: string, where: WhereArg): SwiftDate {
  if (!/^\d{6}$/.test(text)) fail('statement_invalid_date', `${show(text)} is not a date (YYMMDD)`, where);
  const yy = Number(text.slice(0, 2));
  const year = yy < CENTURY_PIVOT ? 2000 + yy : 1900 + yy;
  const month = Number(text.slice(2, 4));
  const day = Number(text.slice(4, 6));
  if (month < 1 || month > 12 || day < 1 || day > 31) fail('statement_invalid_date', `${show(text)} is not a date (YYMMDD)`, where);
  const last = daysInMonth(year, month);
  if (day <= last) return { year, month, day };
  return {
    year,
    month,
    day: last,
    repaired: `date ${text} (${isoDate(year, month, day)}) does not exist; read as ${isoDate(year, month, last)}, the last day of the month`,
  };
}

/**
 * The year of an `MMDD` entry date given its value date: the year that puts
 * it closest to the value date, so a 31 December value date with a
 * 2 January entry date books in the next year.
 */
export function entryDateYear(valueYear: number, valueMonth: number, month: number): number {
  if (month - valueMonth > 6) return valueYear - 1;
  if (valueMonth - month > 6) return valueYear + 1;
  return valueYear;
}
