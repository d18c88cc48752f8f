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
import type { ModelName } from './forecaster.js';
import { LEVELS, buildHierarchy, nodeSeries, type Level, type StoreSeries } from './hierarchy.js';
import { valuesBefore, type ForecastBands, type SalesSeries } from './series.js';

export interface LevelBacktestPlan {
  origins: readonly number[];
  days: number;
  model?: Exclude<ModelName, 'seasonal_naive'>;
  calibrationSample?: number;
}

export interface LevelScores extends BacktestScores {
  level: Level;
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
  const tallies = new Map<Level, BacktestTally>(LEVELS.map((l) => [l, emptyTally()]));
  for (const origin of p.origins) {
    const f = await forecastBatch(pool, stores, { asOf: origin, days: p.days, weeks: 0, model: p.model ?? 'log_linear', calibrationSample: p.calibrationSample ?? 400 });
    const storeTally = emptyTally();
    f.stores.forEach((sf, i) => {
      score(storeTally, stores[i]!, origin, sf.daily);
    });
    addTally(tallies.get('store')!, storeTally);
    f.nodes.forEach((nf, i) => {
      score(tallies.get(nf.level)!, totals[i]!, origin, nf.daily);
    });
  }
  const count = (l: Level): number => (l === 'store' ? stores.length : nodes.filter((n) => n.level === l).length);
  return LEVELS.map((level) => ({ level, series: count(level), ...scores(tallies.get(level)!) }));
}

/** Scores `f` when the series has history before the origin and every forecast day is known. */
function score(t: BacktestTally, s: SalesSeries, origin: number, f: ForecastBands): void {
  const at = origin - s.first;
  if (at < 1 || at + f.point.length > s.values.length) return;
  scoreBands(t, valuesBefore(s, origin), s.values.subarray(at, at + f.point.length), f);
}
