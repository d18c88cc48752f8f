/**
 * The ISO 4217 currencies the firehose's world uses, with their minor-unit
 * exponents (ISO 4217 List One). The firehose keeps its own table so it
 * never depends on the domain's full list: it only needs the currencies its
 * cities sell in. Note CLP, KRW, VND and JPY have exponent 0 (amounts are
 * whole units) and BHD, KWD, JOD have 3 (fils).
 */
const EXPONENTS = {
  AED: 2, ARS: 2, AUD: 2, BHD: 3, BRL: 2, CAD: 2, CHF: 2, CLP: 0, CNY: 2,
  COP: 2, DKK: 2, EGP: 2, EUR: 2, FJD: 2, GBP: 2, GHS: 2, HKD: 2, IDR: 2,
  ILS: 2, INR: 2, JOD: 3, JPY: 0, KES: 2, KRW: 0, KWD: 3, MAD: 2, MXN: 2,
  MYR: 2, NGN: 2, NOK: 2, NPR: 2, NZD: 2, PEN: 2, PHP: 2, PLN: 2, SAR: 2,
  SEK: 2, SGD: 2, THB: 2, TRY: 2, TWD: 2, USD: 2, VND: 0, ZAR: 2,
} as const;

export type FirehoseCurrency = keyof typeof EXPONENTS;

const BY_CODE: ReadonlyMap<string, number> = new Map(Object.entries(EXPONENTS));

/** Every code in the table, sorted. */
export const FIREHOSE_CURRENCIES: readonly FirehoseCurrency[] = Object.freeze(
  (Object.keys(EXPONENTS) as FirehoseCurrency[]).sort(),
);

/**
 * Minor-unit exponent of a currency the firehose uses.
 * @example minorUnitExponent('JPY') // 0
 * @example minorUnitExponent('BHD') // 3
 */
export function minorUnitExponent(code: FirehoseCurrency): number {
  return EXPONENTS[code];
}

/**
 * Whether `code` is in the firehose's table (for checking records read back).
 * @example isFirehoseCurrency('EUR') // true
 */
export function isFirehoseCurrency(code: string): code is FirehoseCurrency {
  return BY_CODE.has(code);
}

/**
 * A code that is not, and never was, an ISO 4217 currency: what malformed
 * `unknown_currency` lines carry. (`XXX` and `XTS` are reserved ISO codes,
 * so they are avoided on purpose.)
 */
export const NOT_A_CURRENCY = 'ZZZ';
