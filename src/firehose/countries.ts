/**
 * Country profiles of the firehose's world: currency, standard VAT / GST /
 * sales-tax rate, the region label stores get, how people pay, when shops
 * open, which days are the weekend, and a typical item price.
 *
 * Tax rates are the standard rates in force in 2026 as published by each tax
 * authority (OECD "Consumption Tax Trends" for the cross-check); where the
 * rate depends on the city (US sales tax, Canadian HST/PST, Spain's Canary
 * Islands IGIC, Mexico's border zone), the city overrides it in `cities.ts`.
 */
import type { FirehoseCurrency } from './currencies.js';
import type { OpeningHoursName } from './opening-hours.js';
import type { PaymentMixName } from './payment-mix.js';

export const CONTINENTS = ['Africa', 'Antarctica', 'Asia', 'Europe', 'North America', 'Oceania', 'South America'] as const;
export type Continent = (typeof CONTINENTS)[number];

export const REGIONS = [
  'AMER-North',
  'AMER-South',
  'EMEA-North',
  'EMEA-South',
  'EMEA-MiddleEast',
  'EMEA-Africa',
  'APAC-North',
  'APAC-South',
  'APAC-Oceania',
] as const;
export type Region = (typeof REGIONS)[number];

export interface Country {
  /** ISO 3166-1 alpha-2. */
  code: string;
  name: string;
  continent: Continent;
  currency: FirehoseCurrency;
  /** Standard consumption-tax rate in basis points (1900 = 19 %), included in prices. */
  taxBp: number;
  region: Region;
  payments: PaymentMixName;
  hours: OpeningHoursName;
  /** Weekend days (0 = Sunday … 6 = Saturday): busier shopping days. */
  weekend: readonly [number, number];
  /** Mean price of one basket item, in minor units of `currency`. */
  itemPriceMinor: number;
  /** Share of stores that are open around the clock (convenience stores). */
  allDayShare: number;
}

const SAT_SUN = [6, 0] as const;
const FRI_SAT = [5, 6] as const;

/** Shorthand so the table stays one line per country. */
function c(
  code: string, name: string, continent: Continent, currency: FirehoseCurrency, taxBp: number, region: Region,
  payments: PaymentMixName, hours: OpeningHoursName, itemPriceMinor: number,
  weekend: readonly [number, number] = SAT_SUN, allDayShare = 0,
): Country {
  return { code, name, continent, currency, taxBp, region, payments, hours, weekend, itemPriceMinor, allDayShare };
}

export const COUNTRIES: readonly Country[] = [
  // North America
  c('US', 'United States', 'North America', 'USD', 0, 'AMER-North', 'us', 'northAmerica', 700, SAT_SUN, 0.08),
  c('CA', 'Canada', 'North America', 'CAD', 500, 'AMER-North', 'us', 'northAmerica', 800, SAT_SUN, 0.05),
  c('MX', 'Mexico', 'North America', 'MXN', 1600, 'AMER-North', 'latam', 'latam', 6000, SAT_SUN, 0.1),
  // South America
  c('BR', 'Brazil', 'South America', 'BRL', 1700, 'AMER-South', 'latam', 'latam', 2500),
  c('AR', 'Argentina', 'South America', 'ARS', 2100, 'AMER-South', 'latam', 'latam', 750000),
  c('CL', 'Chile', 'South America', 'CLP', 1900, 'AMER-South', 'latam', 'latam', 3500),
  c('CO', 'Colombia', 'South America', 'COP', 1900, 'AMER-South', 'latam', 'latam', 1500000),
  c('PE', 'Peru', 'South America', 'PEN', 1800, 'AMER-South', 'latam', 'latam', 1500),
  // Europe
  c('GB', 'United Kingdom', 'Europe', 'GBP', 2000, 'EMEA-North', 'uk', 'uk', 500, SAT_SUN, 0.03),
  c('IE', 'Ireland', 'Europe', 'EUR', 2300, 'EMEA-North', 'uk', 'europe', 520),
  c('DE', 'Germany', 'Europe', 'EUR', 1900, 'EMEA-North', 'cashEurope', 'sundayClosed', 450),
  c('AT', 'Austria', 'Europe', 'EUR', 2000, 'EMEA-North', 'cashEurope', 'sundayClosed', 480),
  c('CH', 'Switzerland', 'Europe', 'CHF', 810, 'EMEA-North', 'europe', 'europe', 900),
  c('NL', 'Netherlands', 'Europe', 'EUR', 2100, 'EMEA-North', 'europe', 'europe', 480),
  c('PL', 'Poland', 'Europe', 'PLN', 2300, 'EMEA-North', 'europe', 'sundayClosed', 2000),
  c('SE', 'Sweden', 'Europe', 'SEK', 2500, 'EMEA-North', 'nordic', 'europe', 5500),
  c('NO', 'Norway', 'Europe', 'NOK', 2500, 'EMEA-North', 'nordic', 'sundayClosed', 6000),
  c('DK', 'Denmark', 'Europe', 'DKK', 2500, 'EMEA-North', 'nordic', 'europe', 4000),
  c('FI', 'Finland', 'Europe', 'EUR', 2550, 'EMEA-North', 'nordic', 'europe', 520),
  c('FR', 'France', 'Europe', 'EUR', 2000, 'EMEA-South', 'europe', 'europe', 520),
  c('ES', 'Spain', 'Europe', 'EUR', 2100, 'EMEA-South', 'europe', 'europe', 420),
  c('PT', 'Portugal', 'Europe', 'EUR', 2300, 'EMEA-South', 'europe', 'europe', 380),
  c('IT', 'Italy', 'Europe', 'EUR', 2200, 'EMEA-South', 'europe', 'europe', 480),
  c('TR', 'Türkiye', 'Europe', 'TRY', 2000, 'EMEA-South', 'middleEast', 'europe', 15000),
  // Middle East
  c('AE', 'United Arab Emirates', 'Asia', 'AED', 500, 'EMEA-MiddleEast', 'middleEast', 'gulf', 2500),
  c('SA', 'Saudi Arabia', 'Asia', 'SAR', 1500, 'EMEA-MiddleEast', 'middleEast', 'gulf', 2500, FRI_SAT),
  c('BH', 'Bahrain', 'Asia', 'BHD', 1000, 'EMEA-MiddleEast', 'middleEast', 'gulf', 2500, FRI_SAT),
  c('KW', 'Kuwait', 'Asia', 'KWD', 0, 'EMEA-MiddleEast', 'middleEast', 'gulf', 2000, FRI_SAT),
  c('JO', 'Jordan', 'Asia', 'JOD', 1600, 'EMEA-MiddleEast', 'middleEast', 'highStreet', 4000, FRI_SAT),
  c('IL', 'Israel', 'Asia', 'ILS', 1800, 'EMEA-MiddleEast', 'middleEast', 'israel', 2500, FRI_SAT),
  // Africa
  c('EG', 'Egypt', 'Africa', 'EGP', 1400, 'EMEA-Africa', 'africa', 'highStreet', 15000, FRI_SAT),
  c('MA', 'Morocco', 'Africa', 'MAD', 2000, 'EMEA-Africa', 'africa', 'highStreet', 5000),
  c('NG', 'Nigeria', 'Africa', 'NGN', 750, 'EMEA-Africa', 'africa', 'highStreet', 400000),
  c('GH', 'Ghana', 'Africa', 'GHS', 1500, 'EMEA-Africa', 'africa', 'highStreet', 6000),
  c('KE', 'Kenya', 'Africa', 'KES', 1600, 'EMEA-Africa', 'africa', 'highStreet', 50000),
  c('ZA', 'South Africa', 'Africa', 'ZAR', 1500, 'EMEA-Africa', 'asiaPacific', 'europe', 8000),
  // East Asia
  c('JP', 'Japan', 'Asia', 'JPY', 1000, 'APAC-North', 'japan', 'eastAsia', 650, SAT_SUN, 0.25),
  c('CN', 'China', 'Asia', 'CNY', 1300, 'APAC-North', 'china', 'eastAsia', 3500, SAT_SUN, 0.05),
  c('HK', 'Hong Kong', 'Asia', 'HKD', 0, 'APAC-North', 'asiaPacific', 'eastAsia', 6000, SAT_SUN, 0.15),
  c('TW', 'Taiwan', 'Asia', 'TWD', 500, 'APAC-North', 'asiaPacific', 'eastAsia', 15000, SAT_SUN, 0.2),
  c('KR', 'South Korea', 'Asia', 'KRW', 1000, 'APAC-North', 'asiaPacific', 'eastAsia', 7000, SAT_SUN, 0.15),
  // South and South-East Asia
  c('IN', 'India', 'Asia', 'INR', 1800, 'APAC-South', 'southAsia', 'highStreet', 20000),
  c('NP', 'Nepal', 'Asia', 'NPR', 1300, 'APAC-South', 'southAsia', 'highStreet', 30000),
  c('SG', 'Singapore', 'Asia', 'SGD', 900, 'APAC-South', 'asiaPacific', 'eastAsia', 800, SAT_SUN, 0.1),
  c('MY', 'Malaysia', 'Asia', 'MYR', 800, 'APAC-South', 'southEastAsia', 'eastAsia', 1500),
  c('TH', 'Thailand', 'Asia', 'THB', 700, 'APAC-South', 'southEastAsia', 'eastAsia', 12000, SAT_SUN, 0.15),
  c('VN', 'Vietnam', 'Asia', 'VND', 1000, 'APAC-South', 'southEastAsia', 'eastAsia', 60000),
  c('ID', 'Indonesia', 'Asia', 'IDR', 1100, 'APAC-South', 'southEastAsia', 'eastAsia', 4000000),
  c('PH', 'Philippines', 'Asia', 'PHP', 1200, 'APAC-South', 'southEastAsia', 'eastAsia', 20000),
  // Oceania and Antarctica
  c('AU', 'Australia', 'Oceania', 'AUD', 1000, 'APAC-Oceania', 'asiaPacific', 'oceania', 800),
  c('NZ', 'New Zealand', 'Oceania', 'NZD', 1500, 'APAC-Oceania', 'asiaPacific', 'oceania', 900),
  c('FJ', 'Fiji', 'Oceania', 'FJD', 1250, 'APAC-Oceania', 'asiaPacific', 'oceania', 1200),
  // McMurdo Station's store sells in US dollars, tax-free.
  c('AQ', 'Antarctica', 'Antarctica', 'USD', 0, 'APAC-Oceania', 'us', 'station', 500),
];

const BY_CODE: ReadonlyMap<string, Country> = new Map(COUNTRIES.map((x) => [x.code, x]));

/**
 * The profile of a country in the firehose's world.
 * @example countryProfile('JP').currency // 'JPY'
 */
export function countryProfile(code: string): Country {
  const found = BY_CODE.get(code);
  if (found === undefined) throw new RangeError(`country '${code}' is not in the firehose world`);
  return found;
}
