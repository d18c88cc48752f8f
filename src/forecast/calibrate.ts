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
  /**
   * Further daily origins, four weeks apart before the daily ones, whose
   * errors only go to `paired` (how stores miss together, for the
   * roll-ups), not to the interval quantiles. Default 0.
   */
  correlationOrigins?: number;
}

/**
 * The origins a plan backtests, as [origin, dailySteps, weeks, pooled]:
 * `pooled` is whether the errors go to the interval quantiles.
 */
export function calibrationOrigins(p: CalibrationPlan): [origin: number, days: number, weeks: number, pooled: boolean][] {
  const out: [number, number, number, boolean][] = [];
  const daily = p.dailyOrigins ?? 4;
  for (let j = 0; j < daily; j++) out.push([p.asOf - p.days - 7 * j, p.days, 0, true]);
  if (p.weeks > 0) for (let j = 0; j < (p.weeklyOrigins ?? 3); j++) out.push([p.asOf - 7 * (p.weeks + 1) - 28 * j, 0, p.weeks, true]);
  const weekly = p.weeklyOrigins ?? 3;
  for (let j = 1; j <= (p.correlationOrigins ?? 0); j++) {
    out.push([p.asOf - p.days - 7 * (daily - 1) - 28 * j, p.days, 0, false]);
    if (p.weeks > 0) out.push([p.asOf - 7 * (p.weeks + 1) - 28 * (weekly - 1) - 28 * j, 0, p.weeks, false]);
  }
  return out;
}

/** Every k-th series so that at most `n` are taken, spread over the list. */
export function sampleSeries<T>(series: readonly T[], n: number): T[] {
  if (series.length <= n) return [...series];
  const step = series.length / n;
  return Array.from({ length: n }, (_, i) => series[Math.floor(i * step)]!);
}

/** Slots per series of `collectCalibrationErrors`' `paired`: each origin's daily steps, then its weeks. */
export function pairedSlots(p: CalibrationPlan): number {
  return calibrationOrigins(p).reduce((n, [, days, weeks]) => n + days + weeks, 0);
}

/**
 * Collects the standardised errors of `series` into fresh pools (what a
 * worker does for its share), and each one per series, origin and step in
 * `paired` (`pairedSlots(p)` per series, NaN where there is none), so that
 * errors of different series on the same day can be put side by side.
 */
export function collectCalibrationErrors(series: readonly SalesSeries[], p: CalibrationPlan, holidays: HolidayDays): { daily: ErrorPool; weekly: ErrorPool; paired: Float64Array } {
  const daily = new ErrorPool(p.days);
  const weekly = new ErrorPool(Math.max(1, p.weeks));
  const slots = pairedSlots(p);
  const paired = new Float64Array(series.length * slots).fill(NaN);
  const unpooled = { daily: new ErrorPool(p.days), weekly: new ErrorPool(Math.max(1, p.weeks)) };
  let at = 0;
  for (const [origin, days, weeks, pooled] of calibrationOrigins(p)) {
    series.forEach((s, i) => {
      collectErrors(s, origin, p.asOf, days, weeks, p.model, holidays, pooled ? daily : unpooled.daily, weeks === 0 ? null : pooled ? weekly : unpooled.weekly, { values: paired, at: i * slots + at });
    });
    at += days + weeks;
  }
  return { daily, weekly, paired };
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
