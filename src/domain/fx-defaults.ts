/**
 * The default FX table: what one unit of each currency is worth in US
 * dollars, one fixed rate per currency, dated 2000-01-01 so that it applies
 * to every transaction. Round figures near early-2026 market rates, meant
 * to make the demo and a new tenant's dashboards plausible out of the box;
 * they are not market data. A tenant that reports money for real uploads
 * its own rates (`tpay fx load`), which take precedence (docs/fx.md).
 *
 * Any reporting currency works: a cross rate X → R is usd(X) / usd(R),
 * kept as an exact ratio.
 */
export const DEFAULT_FX_DATE = '2000-01-01';

export const DEFAULT_USD_PER_UNIT: Readonly<Record<string, string>> = Object.freeze({
  AED: '0.2723',
  ARS: '0.00095',
  AUD: '0.66',
  BHD: '2.6596',
  BRL: '0.18',
  CAD: '0.73',
  CHF: '1.12',
  CLP: '0.00105',
  CNY: '0.138',
  COP: '0.00024',
  DKK: '0.148',
  EGP: '0.0204',
  EUR: '1.10',
  FJD: '0.44',
  GBP: '1.27',
  GHS: '0.067',
  HKD: '0.128',
  IDR: '0.000062',
  ILS: '0.27',
  INR: '0.0119',
  JOD: '1.41',
  JPY: '0.0067',
  KES: '0.0077',
  KRW: '0.00073',
  KWD: '3.25',
  MAD: '0.10',
  MXN: '0.055',
  MYR: '0.22',
  NGN: '0.00065',
  NOK: '0.094',
  NPR: '0.0074',
  NZD: '0.60',
  PEN: '0.27',
  PHP: '0.0175',
  PLN: '0.25',
  SAR: '0.2667',
  SEK: '0.095',
  SGD: '0.74',
  THB: '0.029',
  TRY: '0.029',
  TWD: '0.031',
  USD: '1',
  VND: '0.000039',
  ZAR: '0.054',
});
