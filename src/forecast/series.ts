/**
 * What the forecasting room reads and writes. A series is one store's (or
 * one roll-up node's) `net_sales` per store-local business day, in minor
 * units of the tenant's reporting currency, so that stores add up to the
 * levels above them. Days are day numbers (days since 1970-01-01 of the
 * local business date, as in `domain/business-calendar.ts`); the business
 * day cut-off has already been applied by whoever built the series.
 */

/** Why a forecast is less certain than usual, one flag per reason. */
export const FORECAST_FLAGS = [
  /** No sale before `as_of`: the forecast is zero. */
  'no_history',
  /** Fewer than 8 weeks of trading: weekday pattern only, wider intervals. */
  'short_history',
  /** Under a year of trading: the yearly cycle fitted in part (from 0.7 years) or not at all. */
  'no_yearly_cycle',
  /** The store closes on some weekdays or public holidays: those days are forecast as zero. */
  'closed_days',
  /** Many zero days on days the store normally trades: the point is scaled by the chance of trading. */
  'zero_heavy',
  /** Days of the last 13 weeks were far from the pattern and were clipped before fitting (older ones are clipped silently). */
  'outliers_clipped',
  /** No sale in the last 14 days although the store used to trade: forecast zero until it trades again. */
  'recently_closed',
] as const;
export type ForecastFlag = (typeof FORECAST_FLAGS)[number];

export function isForecastFlag(x: string): x is ForecastFlag {
  return (FORECAST_FLAGS as readonly string[]).includes(x);
}

/** One daily series. */
export interface SalesSeries {
  /** The store id (or node key of a roll-up). */
  id: string;
  /** ISO 3166-1 alpha-2 of the store: picks the holiday calendar. */
  country: string;
  /** Day number of `values[0]`. */
  first: number;
  /** `net_sales` per day in minor units (integers); a day without sales is 0. */
  values: Float64Array;
}

/** Point and 80 % / 95 % bounds per day, integers in minor units. */
export interface ForecastBands {
  /** Day number of `point[0]` (the `as_of` day). */
  first: number;
  point: Float64Array;
  lo80: Float64Array;
  hi80: Float64Array;
  lo95: Float64Array;
  hi95: Float64Array;
}

export interface SeriesForecast extends ForecastBands {
  id: string;
  flags: ForecastFlag[];
}

export const BAND_NAMES = ['point', 'lo80', 'hi80', 'lo95', 'hi95'] as const;
export type BandName = (typeof BAND_NAMES)[number];

/** Longest daily horizon the product offers (DOMAIN.md, "Forecasting"). */
export const MAX_DAILY_HORIZON = 56;
/** Longest weekly horizon, in ISO weeks. */
export const MAX_WEEKLY_HORIZON = 26;

export function emptyBands(first: number, horizon: number): ForecastBands {
  return {
    first,
    point: new Float64Array(horizon),
    lo80: new Float64Array(horizon),
    hi80: new Float64Array(horizon),
    lo95: new Float64Array(horizon),
    hi95: new Float64Array(horizon),
  };
}

/** The values of `s` on days before `asOf` (the `as_of` rule: nothing on or after it is seen). */
export function valuesBefore(s: SalesSeries, asOf: number): Float64Array {
  return s.values.subarray(0, Math.max(0, Math.min(s.values.length, asOf - s.first)));
}
