/**
 * Decimal text in major units → integer minor units, never through a float.
 * The rule for more decimals than the currency has (e.g. `8.850` EUR, as in
 * the camt sample `five.decimals`): extra digits are accepted when they are
 * all zeros and rejected otherwise, because dropping a non-zero digit would
 * change the amount.
 */
import { currencyExponent } from '../../domain/currency.js';
import { parseDecimal, DecimalSyntaxError } from '../../domain/money.js';
import { isAsciiSpace } from './statement-bytes.js';
import { fail, show, type WhereArg } from './statement-error.js';

/** Longest amount text read: 15 digits plus separator is SWIFT's limit, camt allows 18 + 5; this leaves room without inviting huge BigInts. */
const MAX_AMOUNT_LENGTH = 40;

/** Exponent of `code`, or a `statement_invalid_currency` failure. */
export function exponentOf(code: string, where: WhereArg): number {
  const e = currencyExponent(code);
  if (e === undefined) fail('statement_invalid_currency', `${show(code)} is not an ISO 4217 currency with a minor unit`, where);
  return e;
}

/**
 * `text` (plain decimal with `.`, optional leading `-` when `signed`) in
 * major units of `currency` → minor units as a safe integer.
 * @example decimalToMinor('8.850', 'EUR', {}) // 885
 * @example decimalToMinor('8.855', 'EUR', {}) // statement_invalid_amount
 */
export function decimalToMinor(text: string, currency: string, where: WhereArg, signed = false): number {
  const exponent = exponentOf(currency, where);
  const plain = plainMinor(text, exponent);
  if (plain !== -1) return plain;
  if (text.length > MAX_AMOUNT_LENGTH) fail('statement_invalid_amount', `amount ${show(text)} is too long`, where);
  if (!signed && text.charCodeAt(0) === 0x2d) fail('statement_invalid_amount', `amount ${show(text)} must not be negative (the sign is given by credit/debit)`, where);
  let units: bigint;
  let scale: number;
  try {
    ({ units, scale } = parseDecimal(text));
  } catch (e) {
    if (e instanceof DecimalSyntaxError) fail('statement_invalid_amount', `amount ${show(text)} is not a decimal number`, where);
    throw e;
  }
  if (scale > exponent) {
    const drop = 10n ** BigInt(scale - exponent);
    if (units % drop !== 0n) {
      fail('statement_invalid_amount', `amount ${show(text)} has ${String(scale)} decimals; ${currency} has ${String(exponent)} and the extra digits are not zeros`, where);
    }
    units /= drop;
  } else if (scale < exponent) {
    units *= 10n ** BigInt(exponent - scale);
  }
  if (units > BigInt(Number.MAX_SAFE_INTEGER) || units < -BigInt(Number.MAX_SAFE_INTEGER)) {
    fail('statement_invalid_amount', `amount ${show(text)} is too large`, where);
  }
  return Number(units);
}

/** Where {@link plainMinor} puts a string's bytes: one buffer, as plain amounts are at most 16 characters. */
const SCRATCH = Buffer.alloc(64);

/**
 * The common case of {@link decimalToMinor} without BigInts: unsigned
 * `digits[.digits]` of at most 15 digits, extra decimals zeros, read into
 * an exact integer (15 digits < 2^53). -1 for anything else, which the
 * full reader then accepts or names.
 * @example plainMinor('8.850', 2) // 885
 */
export function plainMinor(text: string, exponent: number): number {
  if (text.length === 0 || text.length > 16) return -1;
  // UTF-8 keeps ASCII as it is and turns anything else into bytes ≥ 0x80, which are no digits.
  return plainMinorRange(SCRATCH, 0, SCRATCH.write(text, 'utf8'), exponent);
}

/**
 * {@link plainMinor} of the bytes `b[from, to)`, ASCII whitespace around
 * them trimmed: the camt.053 reader takes amounts from the file's bytes
 * without making a string of them.
 * @example plainMinorBytes(Buffer.from(' 8.850 '), 0, 7, 2) // 885
 */
export function plainMinorBytes(b: Uint8Array, from: number, to: number, exponent: number): number {
  while (from < to && isAsciiSpace(b[from]!)) from++;
  while (to > from && isAsciiSpace(b[to - 1]!)) to--;
  return plainMinorRange(b, from, to, exponent);
}

function plainMinorRange(b: Uint8Array, from: number, to: number, exponent: number): number {
  const n = to - from;
  if (n === 0 || n > 16 || exponent < 0) return -1;
  let v = 0;
  let dot = -1;
  for (let i = 0; i < n; i++) {
    const c = b[from + i]!;
    if (c === 0x2e && dot === -1 && i > 0 && i < n - 1) {
      dot = i;
      continue;
    }
    const d = c - 0x30;
    if (d < 0 || d > 9) return -1;
    if (dot !== -1 && i - dot > exponent) {
      if (d !== 0) return -1;
      continue;
    }
    v = v * 10 + d;
  }
  const decimals = dot === -1 ? 0 : Math.min(n - dot - 1, exponent);
  for (let k = decimals; k < exponent; k++) v *= 10;
  // Every step was exact if the result is a safe integer; beyond that the full reader says "too large".
  return v <= Number.MAX_SAFE_INTEGER ? v : -1;
}
