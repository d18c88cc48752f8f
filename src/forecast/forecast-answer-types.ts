/**
 * The forecast answers of the public API (`GET|POST /v1/forecasts`,
 * `GET /v1/forecasts/backtest`, docs/forecasting.md) as the engine builds
 * them and the dashboard reads them: one definition for both. Pure: no
 * I/O, and only types and constants of the forecasting room's other pure
 * modules, so the browser bundle can import it.
 */
import type { Level } from './hierarchy.js';
import type { ForecastFlag } from './series.js';

export const FORECAST_GRANULARITIES = ['day', 'week'] as const;
export type ForecastGranularity = (typeof FORECAST_GRANULARITIES)[number];

export function isForecastGranularity(g: string): g is ForecastGranularity {
  return (FORECAST_GRANULARITIES as readonly string[]).includes(g);
}

/** One forecast day (or ISO week: `date` is its Monday), integers in minor units of the reporting currency. */
export interface ForecastPoint {
  date: string;
  /** The ISO week, e.g. `2026-W50` (weekly answers only). */
  week?: string;
  mean: number;
  lo80: number;
  hi80: number;
  lo95: number;
  hi95: number;
}

export interface ForecastGroup {
  key: string | null;
  stores: number;
  flags: ForecastFlag[];
  points: ForecastPoint[];
}

/** `level` of an answer: the level of the stored bands that answer, or `scope` for a set of stores that is no stored node. */
export type AnswerLevel = Level | 'scope';

export interface ForecastAnswer {
  currency: string;
  /** The reporting currency's decimals (as on `/v1/series`). */
  exponent: number;
  /** The last business day the forecast has seen: its first day is the one after. */
  as_of: string;
  granularity: ForecastGranularity;
  horizon: number;
  level: AnswerLevel;
  model: string;
  groups: ForecastGroup[];
}

/** One level and grain of a backtest; a score with nothing to score is `null`. */
export interface BacktestRow {
  level: Level;
  grain: 'day' | 'week';
  series: number;
  forecasts: number;
  mase: number | null;
  baseline_mase: number | null;
  smape: number | null;
  baseline_smape: number | null;
  coverage_80: number | null;
  coverage_95: number | null;
}

export interface BacktestAnswer {
  as_of: string;
  model: string;
  /** The forecast origins scored, `YYYY-MM-DD`. */
  origins: string[];
  rows: BacktestRow[];
}
