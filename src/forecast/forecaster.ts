/**
 * One series from history to forecast: the model's log-scale forecast,
 * the calibrated intervals, integer minor units, flags. Daily forecasts
 * start on the `as_of` day and see only days before it; weekly forecasts
 * are the sums of the daily ones over whole ISO weeks (so daily and weekly
 * agree), with their own calibrated intervals.
 */
import type { HolidayDays } from './holiday-days.js';
import { meanFactor, type ErrorPool, type IntervalCalibration } from './interval-calibration.js';
import { fitLogLinear, type LogForecast, type LogLinearOptions } from './log-linear-model.js';
import { seasonalNaive } from './seasonal-naive.js';
import { emptyBands, valuesBefore, type ForecastBands, type SalesSeries, type SeriesForecast } from './series.js';

/** The models the engine can run; `log_linear` is the product, the others are for comparison. */
export const MODEL_NAMES = ['log_linear', 'weekday_level', 'calendar_regression', 'seasonal_naive'] as const;
export type ModelName = (typeof MODEL_NAMES)[number];

export function isModelName(x: string): x is ModelName {
  return (MODEL_NAMES as readonly string[]).includes(x);
}

const MODEL_OPTIONS: Record<Exclude<ModelName, 'seasonal_naive'>, LogLinearOptions> = {
  log_linear: {},
  /** Weekday pattern and a local level only: no trend, yearly cycle or holidays. */
  weekday_level: { yearly: 0, trend: false, holidays: false },
  /** The calendar regression without the local level. */
  calendar_regression: { level: false },
};

/** Largest log value turned back into money: e^36 ≈ 4.3e15, still an exact integer in float64. */
const MAX_LOG = 36;

/** Days of daily forecast needed for `weeks` whole ISO weeks from `asOf`. */
export function daysForWeeks(asOf: number, weeks: number): number {
  return firstMonday(asOf) - asOf + 7 * weeks;
}

/** The first Monday on or after `day` (day numbers; 1970-01-01 was a Thursday). */
export function firstMonday(day: number): number {
  return day + ((8 - ((day + 4) % 7)) % 7);
}

export interface ForecastRequest {
  asOf: number;
  /** Daily steps. */
  days: number;
  /** ISO weeks (0 = none). */
  weeks: number;
  model: ModelName;
  daily: IntervalCalibration;
  weekly: IntervalCalibration | null;
  holidays: HolidayDays;
}

export interface StoreForecast {
  daily: SeriesForecast;
  /** `first` is the Monday of the first week; one entry per ISO week. */
  weekly: ForecastBands | null;
}

/** Runs the model on the history before `asOf` for `steps` days. */
export function logForecast(s: SalesSeries, asOf: number, steps: number, model: Exclude<ModelName, 'seasonal_naive'>, holidays: HolidayDays): LogForecast {
  const hist = valuesBefore(s, asOf);
  return fitLogLinear(hist, s.first, holidays.flags(s.country, s.first, hist.length + steps), steps, MODEL_OPTIONS[model]);
}

/**
 * Forecast of one series.
 * @example
 * const f = forecastSeries(series, { asOf, days: 56, weeks: 26, model: 'log_linear', daily, weekly, holidays });
 * f.daily.point[0] // minor units on the as_of day
 */
export function forecastSeries(s: SalesSeries, r: ForecastRequest): StoreForecast {
  const steps = Math.max(r.days, r.weeks > 0 ? daysForWeeks(r.asOf, r.weeks) : 0);
  if (r.model === 'seasonal_naive') {
    // The daily baseline, without intervals; its weeks are the sums of its
    // days. (Weekly backtests score against the same week of last year.)
    const point = seasonalNaive(valuesBefore(s, r.asOf), 7, steps);
    const b = emptyBands(r.asOf, steps);
    b.point.set(point);
    b.lo80.set(point);
    b.hi80.set(point);
    b.lo95.set(point);
    b.hi95.set(point);
    return { daily: { id: s.id, flags: [], ...truncate(b, r.days) }, weekly: r.weeks > 0 ? weeklyPoint(b, r.weeks) : null };
  }
  const lf = logForecast(s, r.asOf, steps, r.model, r.holidays);
  const bands = dailyBands(lf, r.daily, r.asOf);
  return {
    daily: { id: s.id, flags: lf.flags, ...truncate(bands, r.days) },
    weekly: r.weeks > 0 ? weeklyBands(lf, bands, r.weekly ?? r.daily, r.weeks) : null,
  };
}

/**
 * Integer bands from a log forecast: the point is the mean under the
 * calibrated errors (rounded), the bounds their quantiles (lower floored,
 * upper ceiled).
 */
export function dailyBands(lf: LogForecast, cal: IntervalCalibration, first: number): ForecastBands {
  const steps = lf.mu.length;
  const b = emptyBands(first, steps);
  const pClosed = 1 - lf.openChance;
  for (let h = 0; h < steps; h++) {
    if (lf.trading[h] !== 1) continue;
    const m = lf.mu[h]!;
    const q = cal.q.subarray(Math.min(h, cal.steps - 1) * 4);
    const sg = lf.sigma * lf.widen[h]!;
    const point = Math.round(lf.openChance * Math.exp(Math.min(m, MAX_LOG)) * meanFactor(cal, h, lf.pointSigma));
    b.point[h] = point;
    // A zero-heavy store may not trade at all: the lower bound is 0 when the
    // chance of a zero day is above the tail the interval leaves out.
    b.lo95[h] = pClosed >= 0.025 ? 0 : Math.min(point, Math.floor(Math.exp(Math.min(m + q[0]! * sg, MAX_LOG))));
    b.lo80[h] = pClosed >= 0.1 ? 0 : Math.min(point, Math.floor(Math.exp(Math.min(m + q[1]! * sg, MAX_LOG))));
    b.hi80[h] = Math.max(point, Math.ceil(Math.exp(Math.min(m + q[2]! * sg, MAX_LOG))));
    b.hi95[h] = Math.max(b.hi80[h]!, Math.ceil(Math.exp(Math.min(m + q[3]! * sg, MAX_LOG))));
  }
  return b;
}

/** Weekly points: sums of the daily points over each ISO week. */
function weeklyPoint(daily: ForecastBands, weeks: number): ForecastBands {
  const monday = firstMonday(daily.first);
  const off = monday - daily.first;
  const b = emptyBands(monday, weeks);
  for (let w = 0; w < weeks; w++) {
    let s = 0;
    for (let d = 0; d < 7; d++) s += daily.point[off + 7 * w + d] ?? 0;
    b.point[w] = s;
    b.lo80[w] = s;
    b.hi80[w] = s;
    b.lo95[w] = s;
    b.hi95[w] = s;
  }
  return b;
}

/**
 * Weekly bands: the point is the sum of the daily points; the bounds are
 * the week's median (the sum of the daily medians, what the weekly errors
 * are measured against) times e^(q·σ) with the weekly quantiles.
 */
function weeklyBands(lf: LogForecast, daily: ForecastBands, cal: IntervalCalibration, weeks: number): ForecastBands {
  const b = weeklyPoint(daily, weeks);
  const off = b.first - daily.first;
  for (let w = 0; w < weeks; w++) {
    const p = b.point[w]!;
    if (p <= 0) continue;
    const m = weekMedian(lf, off + 7 * w);
    const q = cal.q.subarray(Math.min(w, cal.steps - 1) * 4);
    let wf = 0;
    for (let d = 0; d < 7; d++) wf += lf.widen[off + 7 * w + d] ?? 1;
    const sg = (lf.sigma * wf) / 7;
    b.lo95[w] = Math.min(p, Math.floor(m * Math.exp(q[0]! * sg)));
    b.lo80[w] = Math.min(p, Math.floor(m * Math.exp(q[1]! * sg)));
    b.hi80[w] = Math.max(p, Math.ceil(m * Math.exp(q[2]! * sg)));
    b.hi95[w] = Math.max(b.hi80[w]!, Math.ceil(m * Math.exp(q[3]! * sg)));
  }
  return b;
}

/** Sum of the daily medians (chance of trading × e^μ) of the 7 days from step `from`. */
function weekMedian(lf: LogForecast, from: number): number {
  let m = 0;
  for (let h = from; h < from + 7; h++) if (lf.trading[h] === 1) m += lf.openChance * Math.exp(Math.min(lf.mu[h]!, MAX_LOG));
  return m;
}

function truncate(b: ForecastBands, n: number): ForecastBands {
  return { first: b.first, point: b.point.slice(0, n), lo80: b.lo80.slice(0, n), hi80: b.hi80.slice(0, n), lo95: b.lo95.slice(0, n), hi95: b.hi95.slice(0, n) };
}

/**
 * Adds the standardised errors of a forecast made at `origin` against the
 * actual days after it to the calibration pools: daily per step, weekly per
 * ISO week. Only days before `limit` are read (the `as_of` of the forecast
 * being calibrated), so a calibration never sees its own future. With
 * `paired`, each error is also written at `paired.at + step` (daily) and
 * `paired.at + steps + week` (weekly), where nothing is written for a step
 * without an error: what the roll-ups measure how stores miss together on.
 */
export function collectErrors(
  s: SalesSeries,
  origin: number,
  limit: number,
  steps: number,
  weeks: number,
  model: Exclude<ModelName, 'seasonal_naive'>,
  holidays: HolidayDays,
  daily: ErrorPool,
  weekly: ErrorPool | null,
  paired?: { values: Float64Array; at: number },
): void {
  if (origin <= s.first) return;
  const totalSteps = Math.max(steps, weeks > 0 ? daysForWeeks(origin, weeks) : 0);
  const lf = logForecast(s, origin, totalSteps, model, holidays);
  if (lf.sigma <= 0) return;
  const at = origin - s.first;
  const known = valuesBefore(s, limit);
  for (let h = 0; h < steps; h++) {
    const a = known[at + h];
    if (a === undefined || lf.trading[h] !== 1 || !(a > 0)) continue;
    // In σ, not in the widened σ of days in an unseen part of the year: the
    // widening is for the season a forecast cannot know, and the errors of
    // an earlier origin's unseen months (an unseen October is flat) are no
    // measure of an unseen December.
    const u = (Math.log(a) - lf.mu[h]!) / lf.sigma;
    daily.add(h, u);
    if (paired !== undefined) paired.values[paired.at + h] = u;
  }
  if (weekly === null) return;
  const off = firstMonday(origin) - origin;
  for (let w = 0; w < weeks; w++) {
    let actual = 0;
    let complete = true;
    for (let d = 0; d < 7; d++) {
      const a = known[at + off + 7 * w + d];
      if (a === undefined) complete = false;
      else actual += a;
    }
    const point = weekMedian(lf, off + 7 * w);
    if (!complete || actual <= 0 || point <= 0) continue;
    const u = Math.log(actual / point) / lf.sigma;
    weekly.add(w, u);
    if (paired !== undefined) paired.values[paired.at + steps + w] = u;
  }
}
