/**
 * Interval calibration for a forecast as of `asOf`: rolling-origin
 * backtests on a sample of the series, all of them inside the history
 * (every actual read is before `asOf`). Daily errors come from origins one
 * to four weeks before the last possible one; weekly errors from origins a
 * whole weekly horizon back, four weeks apart.
 */
import { ErrorPool, type IntervalCalibration } from './interval-calibration.js';
import { collectErrors, type ModelName } from './forecaster.js';
import type { HolidayDays } from './holiday-days.js';
import type { SalesSeries } from './series.js';

export interface CalibrationPlan {
  asOf: number;
  days: number;
  weeks: number;
  model: Exclude<ModelName, 'seasonal_naive'>;
  /** Series sampled at most (evenly spaced through the list). Default 400. */
  sample?: number;
  /** Daily origins, a week apart. Default 4. */
  dailyOrigins?: number;
  /** Weekly origins, four weeks apart. Default 3. */
  weeklyOrigins?: number;
}

/** The origins a plan backtests, as [origin, dailySteps, weeks] triples. */
export function calibrationOrigins(p: CalibrationPlan): [origin: number, days: number, weeks: number][] {
  const out: [number, number, number][] = [];
  for (let j = 0; j < (p.dailyOrigins ?? 4); j++) out.push([p.asOf - p.days - 7 * j, p.days, 0]);
  if (p.weeks > 0) for (let j = 0; j < (p.weeklyOrigins ?? 3); j++) out.push([p.asOf - 7 * (p.weeks + 1) - 28 * j, 0, p.weeks]);
  return out;
}

/** Every k-th series so that at most `n` are taken, spread over the list. */
export function sampleSeries<T>(series: readonly T[], n: number): T[] {
  if (series.length <= n) return [...series];
  const step = series.length / n;
  return Array.from({ length: n }, (_, i) => series[Math.floor(i * step)]!);
}

/** Collects the standardised errors of `series` into fresh pools (what a worker does for its share). */
export function collectCalibrationErrors(series: readonly SalesSeries[], p: CalibrationPlan, holidays: HolidayDays): { daily: ErrorPool; weekly: ErrorPool } {
  const daily = new ErrorPool(p.days);
  const weekly = new ErrorPool(Math.max(1, p.weeks));
  for (const [origin, days, weeks] of calibrationOrigins(p)) {
    for (const s of series) collectErrors(s, origin, p.asOf, days, weeks, p.model, holidays, daily, weeks > 0 ? weekly : null);
  }
  return { daily, weekly };
}

/**
 * @example
 * const cal = calibrate(series, { asOf, days: 56, weeks: 26, model: 'log_linear' }, new HolidayDays());
 * cal.daily.q[0 * 4 + 1] // lower 80 % quantile of step 0, in σ
 */
export function calibrate(series: readonly SalesSeries[], p: CalibrationPlan, holidays: HolidayDays): { daily: IntervalCalibration; weekly: IntervalCalibration } {
  const pools = collectCalibrationErrors(sampleSeries(series, p.sample ?? 400), p, holidays);
  return { daily: pools.daily.calibrate(), weekly: pools.weekly.calibrate() };
}
