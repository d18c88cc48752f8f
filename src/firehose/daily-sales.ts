/**
 * Daily `net_sales` per store of a generated world, with the firehose's
 * demand semantics but one value per store-local business day instead of
 * one record per sale: the weekday shape from each store's opening hours
 * and its market's weekend (`minuteRates`), the year from `MONTHLY_DEMAND`
 * (interpolated between mid-months, so the year is smooth), public holidays
 * of the store's country (closed where Sunday trading is banned, quieter
 * elsewhere, busier the day before), a trend per store, a slowly wandering
 * local level (weather, roadworks, a competitor opening) and day-to-day
 * noise. Some stores are new, some trade erratically, some days are
 * outliers (a bulk order, a till outage).
 *
 * Forecasting's tests and benchmark use it: the seasonality is known, so
 * a model that finds it must beat seasonal naive.
 */
import { BusinessCalendar } from '../domain/business-calendar.js';
import { Prng } from './prng.js';
import { MONTHLY_DEMAND, minuteRates } from './seasonality.js';
import type { StoreSite, TenantWorld } from './world.js';

export interface DailySalesOptions {
  seed: number;
  /** Day number of the first day. */
  start: number;
  days: number;
  /** Mean sales per day of a store of size 1. Default 300. */
  salesPerDay?: number;
  /** Mean ticket in minor units of the reporting currency. Default 2500. */
  ticketMinor?: number;
  /** SD of day-to-day noise on the log scale. Default 0.1. */
  noise?: number;
  /** SD of the wandering level (AR(1), φ = 0.98) on the log scale. Default 0.08. */
  levelSd?: number;
  /** Share of stores that opened in the last 10–70 days. Default 0.03. */
  newStoreShare?: number;
  /** Share of stores with random zero days (30 % of days). Default 0.02. */
  erraticShare?: number;
  /** Chance of an outlier day. Default 0.002. */
  outlierRate?: number;
}

export interface DailySales {
  site: StoreSite;
  /** Day number of `values[0]`; a new store's series starts when it opens. */
  first: number;
  /** Integers in minor units; 0 on closed days. */
  values: Float64Array;
}

const MID_MONTH = [15, 45, 74, 105, 135, 166, 196, 227, 258, 288, 319, 349] as const;

/** The year curve on day-of-year `doy` (0-based): MONTHLY_DEMAND interpolated between mid-months. */
export function yearlyDemand(doy: number): number {
  // Knot i sits at MID_MONTH[i]; before mid-January the previous knot is last mid-December.
  let i = 11;
  while (i >= 0 && MID_MONTH[i]! > doy) i--;
  const a = i >= 0 ? MID_MONTH[i]! : MID_MONTH[11]! - 365;
  const from = MONTHLY_DEMAND[i >= 0 ? i : 11]!;
  const j = i >= 0 ? (i + 1) % 12 : 0;
  const b = j === 0 && i >= 0 ? MID_MONTH[0]! + 365 : MID_MONTH[j]!;
  const to = MONTHLY_DEMAND[j]!;
  const t = (doy - a) / (b - a);
  // Cosine easing: smooth at the mid-month knots.
  return from + ((to - from) * (1 - Math.cos(Math.PI * t))) / 2;
}

/**
 * @example
 * const world = generateWorld({ seed: 1, tenants: 1, stores: 200 });
 * const sales = generateDailySales(world.tenants[0]!, { seed: 1, start: dayNumber('2024-01-01'), days: 730 });
 * sales[0]!.values.length // 730 (fewer for a new store)
 */
export function generateDailySales(tw: TenantWorld, o: DailySalesOptions): DailySales[] {
  const rng = new Prng(o.seed, 0x44415953);
  const cal = new BusinessCalendar();
  const holidayCache = new Map<string, Uint8Array>();
  const holidaysOf = (country: string): Uint8Array => {
    let h = holidayCache.get(country);
    if (h === undefined) {
      h = new Uint8Array(o.days + 1);
      for (let i = 0; i <= o.days; i++) if (cal.holidayName(country, o.start + i) !== undefined) h[i] = 1;
      holidayCache.set(country, h);
    }
    return h;
  };
  const perDay = o.salesPerDay ?? 300;
  const ticket = o.ticketMinor ?? 2500;
  const noise = o.noise ?? 0.1;
  const levelSd = o.levelSd ?? 0.08;
  const phi = 0.98;
  const innov = levelSd * Math.sqrt(1 - phi * phi);
  const out: DailySales[] = [];
  for (const site of tw.sites) {
    const rates = minuteRates(site.hours, site.country.weekend, perDay);
    const weekday = new Float64Array(7);
    for (let d = 0; d < 7; d++) for (let h = 0; h < 24; h++) weekday[d]! += rates[d * 24 + h]! * 60;
    const hol = holidaysOf(site.store.country);
    const closesOnHolidays = site.hours[0] === null || site.hours[0] === undefined;
    const growth = 0.04 + 0.06 * rng.normal();
    const erratic = rng.chance(o.erraticShare ?? 0.02);
    const opened = rng.chance(o.newStoreShare ?? 0.03) ? Math.max(0, o.days - rng.between(10, 70)) : 0;
    const values = new Float64Array(o.days - opened);
    let level = levelSd * rng.normal();
    for (let i = 0; i < o.days; i++) {
      level = phi * level + innov * rng.normal();
      const e = noise * rng.normal();
      if (i < opened) continue;
      const day = o.start + i;
      const wd = (day + 4) % 7;
      let f = weekday[wd]!;
      if (hol[i] === 1) f = closesOnHolidays ? 0 : f * 0.6;
      else if (hol[i + 1] === 1) f *= 1.15;
      if (f === 0 || (erratic && rng.chance(0.3))) continue;
      const date = new Date(day * 86_400_000);
      const doy = Math.floor((day * 86_400_000 - Date.UTC(date.getUTCFullYear(), 0, 1)) / 86_400_000);
      let v = f * site.size * yearlyDemand(Math.min(364, doy)) * Math.exp(growth * ((i - o.days) / 365) + level + e);
      if (rng.chance(o.outlierRate ?? 0.002)) v *= rng.chance(0.5) ? 3 + 3 * rng.float() : 0.2;
      values[i - opened] = Math.max(1, Math.round(v * ticket));
    }
    out.push({ site, first: o.start + opened, values });
  }
  return out;
}
