/**
 * Exact money arithmetic. Amounts are integers in minor units; anything that
 * multiplies or divides them runs on BigInt so that no float rounding ever
 * touches an amount (DOMAIN.md, "Money").
 */
import { currencyExponent } from './currency.js';

/** A decimal number as an integer and a power-of-ten scale: `units / 10^scale`. */
export interface Decimal {
  units: bigint;
  scale: number;
}

/** Thrown by {@link parseDecimal} for text that is not a plain decimal number. */
export class DecimalSyntaxError extends SyntaxError {
  readonly code = 'invalid_decimal';
  override readonly name = 'DecimalSyntaxError';
}

/**
 * Longest decimal text accepted. FX rates carry at most ~20 significant
 * digits; the cap bounds the BigInt work a hostile upload can cause.
 */
const MAX_DECIMAL_LENGTH = 64;

/**
 * Parses a plain decimal: an optional leading `-`, one or more digits, then
 * optionally `.` and one or more digits. No `+`, no exponent, no spaces, no
 * `NaN`/`Infinity`, no bare `.5` or `5.`. Leading zeros are fine (`0.92`).
 * The scale is the number of digits after the point, kept as written.
 * @example parseDecimal('1.0825')  // { units: 10825n, scale: 4 }
 * @example parseDecimal('-12')     // { units: -12n, scale: 0 }
 * @example parseDecimal('1e3')     // throws DecimalSyntaxError
 */
export function parseDecimal(s: string): Decimal {
  const n = s.length;
  if (n === 0 || n > MAX_DECIMAL_LENGTH) throw new DecimalSyntaxError(`not a decimal number: '${s.slice(0, MAX_DECIMAL_LENGTH)}'`);
  let i = s.charCodeAt(0) === 0x2d ? 1 : 0;
  const intStart = i;
  while (i < n && isDigit(s.charCodeAt(i))) i++;
  const intEnd = i;
  let fracStart = i;
  if (i < n && s.charCodeAt(i) === 0x2e) {
    i++;
    fracStart = i;
    while (i < n && isDigit(s.charCodeAt(i))) i++;
    if (i === fracStart) throw new DecimalSyntaxError(`not a decimal number: '${s}' (digits must follow '.')`);
  }
  if (intEnd === intStart || i !== n) throw new DecimalSyntaxError(`not a decimal number: '${s}'`);
  const scale = fracStart === intEnd ? 0 : n - fracStart;
  const digits = scale === 0 ? s.slice(intStart, intEnd) : s.slice(intStart, intEnd) + s.slice(fracStart);
  const magnitude = BigInt(digits);
  return { units: intStart === 1 ? -magnitude : magnitude, scale };
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

/**
 * `num / den` rounded to the nearest integer, ties to the even neighbour
 * (banker's rounding: no drift up or down over many conversions).
 * @example roundHalfEvenDiv(5n, 2n)   // 2n  (2.5 → 2)
 * @example roundHalfEvenDiv(7n, 2n)   // 4n  (3.5 → 4)
 * @example roundHalfEvenDiv(-5n, 2n)  // -2n
 */
export function roundHalfEvenDiv(num: bigint, den: bigint): bigint {
  if (den === 0n) throw new RangeError('roundHalfEvenDiv: division by zero');
  if (den < 0n) {
    num = -num;
    den = -den;
  }
  const q = num / den; // truncates toward zero
  const r = num % den; // same sign as num
  const twiceRem = (r < 0n ? -r : r) * 2n;
  if (twiceRem < den) return q;
  const awayFromZero = num < 0n ? q - 1n : q + 1n;
  if (twiceRem > den) return awayFromZero;
  return q % 2n === 0n ? q : awayFromZero;
}

/** Exponents beyond this do not exist in ISO 4217 (max is 4); the cap keeps 10^n small. */
const MAX_EXPONENT = 18;

/**
 * Converts an amount in minor units of one currency into minor units of
 * another: `round_half_even(amount × rate × 10^(toExponent − fromExponent))`,
 * in BigInt throughout. `rate` is "units of target per unit of source" and
 * must be positive. Throws RangeError if an input is out of range or the
 * result is not a safe integer.
 * @example convertMinor(1000, 0, 3, parseDecimal('0.0025')) // 1000 JPY → 2500 (2.500 BHD)
 * @example convertMinor(5, 2, 2, parseDecimal('0.5'))       // 2 (2.5 → 2, half to even)
 */
export function convertMinor(amountMinor: number, fromExponent: number, toExponent: number, rate: Decimal): number {
  assertSafeInteger('amountMinor', amountMinor);
  assertExponent('fromExponent', fromExponent);
  assertExponent('toExponent', toExponent);
  if (!Number.isInteger(rate.scale) || rate.scale < 0 || rate.scale > MAX_DECIMAL_LENGTH) {
    throw new RangeError(`convertMinor: rate scale must be an integer 0..${String(MAX_DECIMAL_LENGTH)}, got ${String(rate.scale)}`);
  }
  if (rate.units <= 0n) throw new RangeError(`convertMinor: rate must be > 0, got ${formatDecimal(rate)}`);
  return convertMinorByRatio(amountMinor, fromExponent, toExponent, { num: rate.units, den: 10n ** BigInt(rate.scale) });
}

/** An exact positive ratio of integers, e.g. a cross rate `usdPer(from) / usdPer(to)`. */
export interface Ratio {
  num: bigint;
  den: bigint;
}

/**
 * {@link convertMinor} for a rate given as an exact ratio `num / den` (both > 0):
 * `round_half_even(amount × num / den × 10^(toExponent − fromExponent))`.
 * @example convertMinorByRatio(100, 2, 2, { num: 11n, den: 10n }) // 110
 */
export function convertMinorByRatio(amountMinor: number, fromExponent: number, toExponent: number, rate: Ratio): number {
  assertSafeInteger('amountMinor', amountMinor);
  assertExponent('fromExponent', fromExponent);
  assertExponent('toExponent', toExponent);
  if (rate.num <= 0n || rate.den <= 0n) throw new RangeError(`convertMinorByRatio: rate must be > 0, got ${String(rate.num)}/${String(rate.den)}`);
  const shift = toExponent - fromExponent;
  let num = BigInt(amountMinor) * rate.num;
  let den = rate.den;
  if (shift >= 0) num *= 10n ** BigInt(shift);
  else den *= 10n ** BigInt(-shift);
  const result = roundHalfEvenDiv(num, den);
  if (result > BigInt(Number.MAX_SAFE_INTEGER) || result < BigInt(Number.MIN_SAFE_INTEGER)) {
    throw new RangeError(`convertMinor: ${String(amountMinor)} × ${String(rate.num)}/${String(rate.den)} = ${String(result)} minor units is outside the safe-integer range`);
  }
  return Number(result);
}

/**
 * Writes a Decimal back as plain decimal text, keeping its scale.
 * @example formatDecimal({ units: 10825n, scale: 4 }) // '1.0825'
 */
export function formatDecimal(d: Decimal): string {
  if (d.scale === 0) return String(d.units);
  const neg = d.units < 0n;
  const digits = String(neg ? -d.units : d.units).padStart(d.scale + 1, '0');
  return `${neg ? '-' : ''}${digits.slice(0, -d.scale)}.${digits.slice(-d.scale)}`;
}

/**
 * Renders minor units as a plain decimal in the currency's major unit, with
 * exactly its minor-unit digits: no grouping, no symbol, `.` as separator.
 * Throws RangeError for an unknown currency or a non-safe-integer amount.
 * @example formatMinor(123450, 'EUR') // '1234.50'
 * @example formatMinor(-5, 'USD')     // '-0.05'
 * @example formatMinor(1234, 'JPY')   // '1234'
 * @example formatMinor(1234, 'BHD')   // '1.234'
 */
export function formatMinor(amountMinor: number, currency: string): string {
  assertSafeInteger('amountMinor', amountMinor);
  const exponent = currencyExponent(currency);
  if (exponent === undefined) throw new RangeError(`formatMinor: unknown currency '${currency}'`);
  const neg = amountMinor < 0;
  // Safe integers print exactly (no exponent form below 1e21).
  const digits = String(neg ? -amountMinor : amountMinor);
  if (exponent === 0) return neg ? `-${digits}` : digits;
  const padded = digits.padStart(exponent + 1, '0');
  return `${neg ? '-' : ''}${padded.slice(0, -exponent)}.${padded.slice(-exponent)}`;
}

/**
 * `a + b` for amounts held as float64: throws RangeError instead of silently
 * losing a minor unit once the sum leaves the safe-integer range.
 * @example checkedAdd(2, 3) // 5
 * @example checkedAdd(Number.MAX_SAFE_INTEGER, 1) // throws RangeError
 */
export function checkedAdd(a: number, b: number): number {
  assertSafeInteger('a', a);
  assertSafeInteger('b', b);
  const sum = a + b;
  // Both inputs are safe, so |sum| ≤ 2^54 and an unsafe result is detected exactly.
  if (!Number.isSafeInteger(sum)) throw new RangeError(`checkedAdd: ${String(a)} + ${String(b)} leaves the safe-integer range`);
  return sum;
}

function assertSafeInteger(name: string, v: number): void {
  if (!Number.isSafeInteger(v)) throw new RangeError(`${name} must be a safe integer, got ${String(v)}`);
}

function assertExponent(name: string, v: number): void {
  if (!Number.isInteger(v) || v < 0 || v > MAX_EXPONENT) {
    throw new RangeError(`${name} must be an integer 0..${String(MAX_EXPONENT)}, got ${String(v)}`);
  }
}
