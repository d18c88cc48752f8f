/**
 * ISO 4217 currencies in circulation, with their minor-unit exponents.
 *
 * Source: ISO 4217 "List One" (current currency & funds), as published by
 * the maintenance agency (SIX) on 2026-01-01: all 165 codes with a numeric
 * minor unit are here. The 13 whose minor unit is "N.A." (precious metals
 * XAU XAG XPD XPT, bond-market units XBA–XBD, XDR, XSU, XUA, the testing
 * code XTS and "no currency" XXX) are left out on purpose: an amount "in minor units" has no meaning for
 * them, so a transaction in one of them cannot be stored exactly.
 *
 * Withdrawn codes are not accepted (e.g. BGN since Bulgaria joined the euro
 * on 2026-01-01, ANG replaced by XCG, HRK, SLL, ZWL, CUC): a record that still
 * carries one is rejected as `unknown_currency` rather than guessed.
 */

/** Code → exponent. Kept as one literal so a diff against the ISO list is easy to review. */
const EXPONENTS: Readonly<Record<string, number>> = {
  AED: 2, AFN: 2, ALL: 2, AMD: 2, AOA: 2, ARS: 2, AUD: 2, AWG: 2, AZN: 2,
  BAM: 2, BBD: 2, BDT: 2, BHD: 3, BIF: 0, BMD: 2, BND: 2, BOB: 2, BOV: 2,
  BRL: 2, BSD: 2, BTN: 2, BWP: 2, BYN: 2, BZD: 2,
  CAD: 2, CDF: 2, CHE: 2, CHF: 2, CHW: 2, CLF: 4, CLP: 0, CNY: 2, COP: 2,
  COU: 2, CRC: 2, CUP: 2, CVE: 2, CZK: 2,
  DJF: 0, DKK: 2, DOP: 2, DZD: 2,
  EGP: 2, ERN: 2, ETB: 2, EUR: 2,
  FJD: 2, FKP: 2,
  GBP: 2, GEL: 2, GHS: 2, GIP: 2, GMD: 2, GNF: 0, GTQ: 2, GYD: 2,
  HKD: 2, HNL: 2, HTG: 2, HUF: 2,
  IDR: 2, ILS: 2, INR: 2, IQD: 3, IRR: 2, ISK: 0,
  JMD: 2, JOD: 3, JPY: 0,
  KES: 2, KGS: 2, KHR: 2, KMF: 0, KPW: 2, KRW: 0, KWD: 3, KYD: 2, KZT: 2,
  LAK: 2, LBP: 2, LKR: 2, LRD: 2, LSL: 2, LYD: 3,
  MAD: 2, MDL: 2, MGA: 2, MKD: 2, MMK: 2, MNT: 2, MOP: 2, MRU: 2, MUR: 2,
  MVR: 2, MWK: 2, MXN: 2, MXV: 2, MYR: 2, MZN: 2,
  NAD: 2, NGN: 2, NIO: 2, NOK: 2, NPR: 2, NZD: 2,
  OMR: 3,
  PAB: 2, PEN: 2, PGK: 2, PHP: 2, PKR: 2, PLN: 2, PYG: 0,
  QAR: 2,
  RON: 2, RSD: 2, RUB: 2, RWF: 0,
  SAR: 2, SBD: 2, SCR: 2, SDG: 2, SEK: 2, SGD: 2, SHP: 2, SLE: 2, SOS: 2,
  SRD: 2, SSP: 2, STN: 2, SVC: 2, SYP: 2, SZL: 2,
  THB: 2, TJS: 2, TMT: 2, TND: 3, TOP: 2, TRY: 2, TTD: 2, TWD: 2, TZS: 2,
  UAH: 2, UGX: 0, USD: 2, USN: 2, UYI: 0, UYU: 2, UYW: 4, UZS: 2,
  VED: 2, VES: 2, VND: 0, VUV: 0,
  WST: 2,
  XAD: 2, XAF: 0, XCD: 2, XCG: 2, XOF: 0, XPF: 0,
  YER: 2,
  ZAR: 2, ZMW: 2, ZWG: 2,
};

// A Map rather than the record for lookups: `'toString' in EXPONENTS` style
// prototype hits are impossible and the lookup is a single hash probe.
const EXPONENT_BY_CODE: ReadonlyMap<string, number> = new Map(Object.entries(EXPONENTS));

/** Every accepted code, sorted. */
export const CURRENCY_CODES: readonly string[] = Object.freeze([...EXPONENT_BY_CODE.keys()].sort());

/**
 * Minor-unit exponent of an ISO 4217 code, or `undefined` if the code is not
 * an active currency. Codes are upper case; `'eur'` is not a code.
 * @example currencyExponent('JPY') // 0
 * @example currencyExponent('BHD') // 3
 * @example currencyExponent('XAU') // undefined (no minor unit)
 */
export function currencyExponent(code: string): number | undefined {
  return EXPONENT_BY_CODE.get(code);
}

/**
 * Whether `code` is an active ISO 4217 currency with a minor unit.
 * @example isCurrency('EUR') // true
 * @example isCurrency('BGN') // false (withdrawn 2026-01-01)
 */
export function isCurrency(code: string): boolean {
  return EXPONENT_BY_CODE.has(code);
}

/**
 * Currency codes by their three upper-case letters (base 26), so a decoder
 * can match a code by bytes and get the shared string without building one.
 * Pre-sized: filling a `[]` at sparse indexes would leave V8 with a slow
 * dictionary-mode array.
 */
const CURRENCY_BY_LETTERS = new Array<string | undefined>(26 * 26 * 26).fill(undefined);
for (const code of CURRENCY_CODES) CURRENCY_BY_LETTERS[letters3(code.charCodeAt(0), code.charCodeAt(1), code.charCodeAt(2))] = code;

function letters3(a: number, b: number, c: number): number {
  return ((a - 0x41) * 26 + (b - 0x41)) * 26 + (c - 0x41);
}

function isUpper(c: number): boolean {
  return c >= 0x41 && c <= 0x5a;
}

/**
 * The active currency whose code is the three bytes at `buf[at]`, or undefined.
 * @example currencyOfBytes(new TextEncoder().encode('EUR'), 0) // 'EUR'
 */
export function currencyOfBytes(buf: Uint8Array, at: number): string | undefined {
  const a = buf[at]!;
  const b = buf[at + 1]!;
  const c = buf[at + 2]!;
  if (!(isUpper(a) && isUpper(b) && isUpper(c))) return undefined;
  return CURRENCY_BY_LETTERS[letters3(a, b, c)];
}
