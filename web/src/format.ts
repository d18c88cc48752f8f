/**
 * Numbers, money and dates in the browser's locale. Money arrives as
 * integers in minor units with the currency's exponent; it is turned into a
 * decimal string (no floating point) and handed to Intl, which places the
 * symbol and separators the way the reader expects.
 */
import { currencyExponent } from '../../src/domain/currency.js';

/** `1234567` with exponent 2 → `"12345.67"`; exact for any safe integer. */
export function minorToDecimal(minor: number, exponent: number): string {
  const neg = minor < 0;
  const digits = String(Math.abs(minor)).padStart(exponent + 1, '0');
  const whole = exponent === 0 ? digits : `${digits.slice(0, -exponent)}.${digits.slice(-exponent)}`;
  return neg ? `-${whole}` : whole;
}

const moneyFormats = new Map<string, Intl.NumberFormat>();

/** Money in the reader's locale with the currency's own number of decimals (JPY 0, EUR 2, BHD 3). */
export function formatMoney(minor: number | null | undefined, currency: string, exponent = currencyExponent(currency) ?? 2): string {
  if (minor === null || minor === undefined) return '–';
  const key = `${currency}/${String(exponent)}`;
  let f = moneyFormats.get(key);
  if (f === undefined) {
    f = new Intl.NumberFormat(undefined, { style: 'currency', currency, minimumFractionDigits: exponent, maximumFractionDigits: exponent });
    moneyFormats.set(key, f);
  }
  // Intl formats a decimal string exactly (no binary rounding on the way).
  return f.format(minorToDecimal(minor, exponent) as Intl.StringNumericLiteral);
}

/** Money rounded to whole units, for axes and map legends. */
export function formatMoneyShort(minor: number, currency: string, exponent: number): string {
  return new Intl.NumberFormat(undefined, { style: 'currency', currency, notation: 'compact', maximumFractionDigits: 1 }).format(minor / 10 ** exponent);
}

const integer = new Intl.NumberFormat(undefined, { maximumFractionDigits: 0 });
export function formatCount(n: number | null | undefined): string {
  return n === null || n === undefined ? '–' : integer.format(n);
}

export function formatPercent(ratio: number): string {
  return new Intl.NumberFormat(undefined, { style: 'percent', maximumFractionDigits: 1, signDisplay: 'exceptZero' }).format(ratio);
}

/** An instant (RFC 3339) in the reader's locale and zone, or in `timeZone`. */
export function formatInstant(iso: string, timeZone?: string): string {
  const opts: Intl.DateTimeFormatOptions = { dateStyle: 'medium', timeStyle: 'medium' };
  if (timeZone !== undefined) opts.timeZone = timeZone;
  return new Intl.DateTimeFormat(undefined, opts).format(new Date(iso));
}

/** A bucket name (`YYYY-MM-DDTHH:MM`, a local time in the query's zone) for the reader. */
export function formatBucket(bucket: string, granularity: string): string {
  const d = new Date(`${bucket}:00Z`);
  const opts: Intl.DateTimeFormatOptions = granularity === 'month' ? { year: 'numeric', month: 'short' } : granularity === 'day' || granularity === 'week' ? { dateStyle: 'medium' } : { dateStyle: 'short', timeStyle: 'short' };
  return new Intl.DateTimeFormat(undefined, { ...opts, timeZone: 'UTC' }).format(d);
}

/** A local date `YYYY-MM-DD` for the reader. */
export function formatDay(day: string): string {
  return new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeZone: 'UTC' }).format(new Date(`${day}T00:00:00Z`));
}

export function countryName(code: string): string {
  try {
    return new Intl.DisplayNames(undefined, { type: 'region' }).of(code) ?? code;
  } catch {
    return code;
  }
}
