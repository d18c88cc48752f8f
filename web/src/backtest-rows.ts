/**
 * The Forecast page's accuracy table: one row per level and grain of the
 * stored backtest, in hierarchy order, with the model's gain over the
 * seasonal-naive baseline and the intervals' coverage against their
 * nominal 80 % and 95 %.
 */
import type { BacktestRow } from './forecast-api.js';

export const BACKTEST_LEVELS = ['store', 'city', 'region', 'country', 'tenant'] as const;
export const BACKTEST_GRAINS = ['day', 'week'] as const;

export interface AccuracyRow extends BacktestRow {
  /** 1 − mase / baseline_mase: 0.2 is 20 % better than seasonal naive; null when either is missing or the baseline is 0. */
  mase_gain: number | null;
  smape_gain: number | null;
  /** coverage_80 − 0.80 (negative: intervals too narrow). */
  coverage_80_gap: number | null;
  coverage_95_gap: number | null;
}

const gain = (model: number | null, baseline: number | null): number | null => (model === null || baseline === null || !Number.isFinite(model) || !Number.isFinite(baseline) || baseline <= 0 ? null : 1 - model / baseline);
const gap = (coverage: number | null, nominal: number): number | null => (coverage === null || !Number.isFinite(coverage) ? null : coverage - nominal);
const rank = (list: readonly string[], x: string): number => {
  const i = list.indexOf(x);
  return i < 0 ? list.length : i;
};

/**
 * @example
 * accuracyRows([{ level: 'tenant', grain: 'day', mase: 0.6, baseline_mase: 0.8, … }])[0].mase_gain // 0.25
 */
export function accuracyRows(rows: readonly BacktestRow[]): AccuracyRow[] {
  return [...rows]
    .sort((a, b) => rank(BACKTEST_GRAINS, a.grain) - rank(BACKTEST_GRAINS, b.grain) || rank(BACKTEST_LEVELS, a.level) - rank(BACKTEST_LEVELS, b.level) || (a.level < b.level ? -1 : a.level > b.level ? 1 : 0))
    .map((r) => ({
      ...r,
      mase_gain: gain(r.mase, r.baseline_mase),
      smape_gain: gain(r.smape, r.baseline_smape),
      coverage_80_gap: gap(r.coverage_80, 0.8),
      coverage_95_gap: gap(r.coverage_95, 0.95),
    }));
}

/** The largest error of a column (model or baseline), so bars of one column share a scale. */
export function scaleOf(rows: readonly AccuracyRow[], model: 'mase' | 'smape'): number {
  let max = 0;
  for (const r of rows) max = Math.max(max, r[model] ?? 0, r[`baseline_${model}`] ?? 0);
  return max;
}
