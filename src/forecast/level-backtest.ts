/**
 * Rolling-origin backtests per level of the hierarchy: at each origin the
 * whole batch (calibration, stores, roll-ups) runs as of that origin, and
 * each store and each node is scored on the days after it, with seasonal
 * naive of the same series as the baseline. Node forecasts are the
 * coherent (bottom-up) ones the product serves, not the nodes' own fits.
 */
import { addTally, emptyTally, scoreBands, scores, type BacktestScores, type BacktestTally } from './backtest.js';
import { forecastBatch } from './forecast-batch.js';
import type { ForecastPool } from './forecast-pool.js';
import { firstMonday, type ModelName } from './forecaster.js';
import { LEVELS, buildHierarchy, nodeSeries, type Level, type StoreSeries } from './hierarchy.js';
import { valuesBefore, type ForecastBands, type SalesSeries } from './series.js';

export interface LevelBacktestPlan {
  origins: readonly number[];
  days: number;
  /** ISO weeks to score as well (0 = daily only). Default 0. */
  weeks?: number;
  model?: Exclude<ModelName, 'seasonal_naive'>;
  calibrationSample?: number;
}

export interface LevelScores extends BacktestScores {
  level: Level;
  grain: 'day' | 'week';
  /** Series of this level (stores or nodes). */
  series: number;
}

/**
 * @example
 * const rows = await backtestLevels(pool, stores, { origins: [asOf - 56, asOf - 112], days: 56 });
 * rows.find((r) => r.level === 'tenant')!.mase
 */
export async function backtestLevels(pool: ForecastPool, stores: readonly StoreSeries[], p: LevelBacktestPlan): Promise<LevelScores[]> {
  const nodes = buildHierarchy(stores);
  const totals = nodes.map((n) => nodeSeries(n, stores));
  const weeks = p.weeks ?? 0;
  const tallies = new Map<string, BacktestTally>();
  const tally = (level: Level, grain: 'day' | 'week'): BacktestTally => {
    let t = tallies.get(`${level}/${grain}`);
    if (t === undefined) tallies.set(`${level}/${grain}`, (t = emptyTally()));
    return t;
  };
  for (const origin of p.origins) {
    const f = await forecastBatch(pool, stores, { asOf: origin, days: p.days, weeks, model: p.model ?? 'log_linear', calibrationSample: p.calibrationSample ?? 400 });
    const storeTally = emptyTally();
    f.stores.forEach((sf, i) => {
      score(storeTally, stores[i]!, origin, sf.daily);
      if (sf.weekly !== null) scoreWeekly(tally('store', 'week'), stores[i]!, origin, sf.weekly);
    });
    addTally(tally('store', 'day'), storeTally);
    f.nodes.forEach((nf, i) => {
      score(tally(nf.level, 'day'), totals[i]!, origin, nf.daily);
      if (nf.weekly !== null) scoreWeekly(tally(nf.level, 'week'), totals[i]!, origin, nf.weekly);
    });
  }
  const count = (l: Level): number => (l === 'store' ? stores.length : nodes.filter((n) => n.level === l).length);
  const grains = weeks > 0 ? (['day', 'week'] as const) : (['day'] as const);
  return grains.flatMap((grain) => LEVELS.map((level) => ({ level, grain, series: count(level), ...scores(tally(level, grain)) })));
}

/**
 * Scores weekly bands against the ISO-week totals of the days after the
 * origin; the history is the whole ISO weeks before the origin, and the
 * baseline the same week of last year (52 weeks back).
 */
function scoreWeekly(t: BacktestTally, s: SalesSeries, origin: number, f: ForecastBands): void {
  const n = f.point.length;
  if (f.first + 7 * n > s.first + s.values.length) return;
  // Whole weeks that end before the origin, counted back from its Monday.
  const lastHistMonday = firstMonday(origin) - 7 * (origin === firstMonday(origin) ? 1 : 2);
  const histWeeks = Math.floor((lastHistMonday - s.first) / 7) + 1;
  if (histWeeks < 1) return;
  const weekTotal = (monday: number): number => {
    let v = 0;
    for (let d = 0; d < 7; d++) v += s.values[monday + d - s.first] ?? 0;
    return v;
  };
  const hist = Array.from({ length: histWeeks }, (_, k) => weekTotal(lastHistMonday - 7 * (histWeeks - 1 - k)));
  const actual = Array.from({ length: n }, (_, w) => weekTotal(f.first + 7 * w));
  scoreBands(t, hist, actual, f, 52);
}

/** Scores `f` when the series has history before the origin and every forecast day is known. */
function score(t: BacktestTally, s: SalesSeries, origin: number, f: ForecastBands): void {
  const at = origin - s.first;
  if (at < 1 || at + f.point.length > s.values.length) return;
  scoreBands(t, valuesBefore(s, origin), s.values.subarray(at, at + f.point.length), f);
}
