/**
 * Rolling-origin backtests: forecast from several past origins, each time
 * from the data before the origin only (its intervals calibrated on data
 * before it too), and score the forecasts against what happened. The same
 * origins score seasonal naive, the baseline the model must beat.
 */
import { coverage, mase, maseScale, smape } from './accuracy.js';
import { calibrate } from './calibrate.js';
import { forecastSeries, type ModelName } from './forecaster.js';
import type { HolidayDays } from './holiday-days.js';
import { seasonalNaive } from './seasonal-naive.js';
import { valuesBefore, type ForecastBands, type SalesSeries } from './series.js';

export interface BacktestPlan {
  /** Forecast origins (day numbers); each needs `days` actual days after it. */
  origins: readonly number[];
  days: number;
  model: Exclude<ModelName, 'seasonal_naive'>;
  /** Series sampled for each origin's interval calibration. Default 400. */
  calibrationSample?: number;
}

/** Sums of one backtest, so that workers' shares add up before the means are taken. */
export interface BacktestTally {
  /** Series × origins scored. */
  forecasts: number;
  maseSum: number;
  baselineMaseSum: number;
  smapeSum: number;
  baselineSmapeSum: number;
  hits80: number;
  hits95: number;
  covered: number;
}

export interface BacktestScores {
  forecasts: number;
  mase: number;
  baselineMase: number;
  /** 1 − mase / baselineMase: how much better than seasonal naive. */
  maseGain: number;
  smape: number;
  baselineSmape: number;
  coverage80: number;
  coverage95: number;
}

export function emptyTally(): BacktestTally {
  return { forecasts: 0, maseSum: 0, baselineMaseSum: 0, smapeSum: 0, baselineSmapeSum: 0, hits80: 0, hits95: 0, covered: 0 };
}

export function addTally(a: BacktestTally, b: BacktestTally): void {
  a.forecasts += b.forecasts;
  a.maseSum += b.maseSum;
  a.baselineMaseSum += b.baselineMaseSum;
  a.smapeSum += b.smapeSum;
  a.baselineSmapeSum += b.baselineSmapeSum;
  a.hits80 += b.hits80;
  a.hits95 += b.hits95;
  a.covered += b.covered;
}

export function scores(t: BacktestTally): BacktestScores {
  const n = Math.max(1, t.forecasts);
  const c = Math.max(1, t.covered);
  const m = t.maseSum / n;
  const b = t.baselineMaseSum / n;
  return {
    forecasts: t.forecasts,
    mase: m,
    baselineMase: b,
    maseGain: b > 0 ? 1 - m / b : 0,
    smape: t.smapeSum / n,
    baselineSmape: t.baselineSmapeSum / n,
    coverage80: t.hits80 / c,
    coverage95: t.hits95 / c,
  };
}

/**
 * Scores `series` forecast from one origin with given calibrations. A
 * series with no day before the origin, or without `days` actual days after
 * it, is not scored.
 */
export function scoreOrigin(series: readonly SalesSeries[], origin: number, days: number, model: Exclude<ModelName, 'seasonal_naive'>, cal: ReturnType<typeof calibrate>, holidays: HolidayDays, tally: BacktestTally): void {
  for (const s of series) {
    const at = origin - s.first;
    if (at < 1 || at + days > s.values.length) continue;
    const hist = valuesBefore(s, origin);
    const actual = s.values.subarray(at, at + days);
    const f = forecastSeries(s, { asOf: origin, days, weeks: 0, model, daily: cal.daily, weekly: null, holidays }).daily;
    scoreBands(tally, hist, actual, f);
  }
}

/**
 * Adds one forecast's scores (and seasonal naive's from the same history) to
 * `tally`. `period` is the baseline's season: 7 for days, 52 for ISO weeks.
 * A history without any sale is not scored (MASE has no scale for it).
 */
export function scoreBands(tally: BacktestTally, history: ArrayLike<number>, actual: ArrayLike<number>, f: ForecastBands, period = 7): void {
  // A series is scored from its first sale: days before a store opened say
  // nothing about its scale, and a store with no sale yet has none.
  let start = 0;
  while (start < history.length && !(history[start]! > 0)) start++;
  if (start === history.length) return;
  const hist = Array.prototype.slice.call(history, start) as number[];
  const naive = seasonalNaive(hist, period, actual.length);
  const scale = maseScale(hist, period);
  tally.forecasts++;
  tally.maseSum += mase(actual, f.point, scale);
  tally.baselineMaseSum += mase(actual, naive, scale);
  tally.smapeSum += smape(actual, f.point);
  tally.baselineSmapeSum += smape(actual, naive);
  const c80 = coverage(actual, f.lo80, f.hi80);
  const c95 = coverage(actual, f.lo95, f.hi95);
  tally.hits80 += c80.hits;
  tally.hits95 += c95.hits;
  tally.covered += c80.count;
}

/**
 * @example
 * const s = backtest(series, { origins: [d - 56, d - 112], days: 56, model: 'log_linear' }, new HolidayDays());
 * s.maseGain // 0.2 = 20 % better than seasonal naive
 */
export function backtest(series: readonly SalesSeries[], p: BacktestPlan, holidays: HolidayDays): BacktestScores {
  const tally = emptyTally();
  for (const origin of p.origins) {
    const cal = calibrate(series, { asOf: origin, days: p.days, weeks: 0, model: p.model, sample: p.calibrationSample ?? 400 }, holidays);
    scoreOrigin(series, origin, p.days, p.model, cal, holidays, tally);
  }
  return scores(tally);
}
