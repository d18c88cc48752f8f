/**
 * The stored `net_sales` forecasts and their backtest accuracy, as the
 * public API serves them (`GET /v1/forecasts`, `GET /v1/forecasts/backtest`).
 * "Nothing stored yet" (a 404, or no group) is a value, `null`, not an
 * error: the pages show it as an empty state.
 */
import { ApiError, type Api, type Params } from './api.js';

/** One forecast day (or ISO week: `date` is its Monday), integers in minor units of the reporting currency. */
export interface ForecastPoint {
  date: string;
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
  flags: string[];
  points: ForecastPoint[];
}

export interface ForecastAnswer {
  currency: string;
  /** The reporting currency's decimals (as on `/v1/series`). */
  exponent: number;
  /** The last business day the forecast has seen: its first day is the one after. */
  as_of: string;
  granularity: 'day' | 'week';
  horizon: number;
  /** The level whose bands answer (`store` … `tenant`), or `scope` for a set of stores that is no stored level. */
  level: string;
  model: string;
  groups: ForecastGroup[];
}

export interface BacktestRow {
  level: string;
  grain: string;
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
  model?: string;
  /** The forecast origins scored, `YYYY-MM-DD`. */
  origins?: string[];
  rows: BacktestRow[];
}

async function orNone<T>(load: Promise<T>): Promise<T | null> {
  try {
    return await load;
  } catch (err) {
    if (err instanceof ApiError && err.status === 404) return null;
    throw err;
  }
}

/**
 * The forecast of one scope (`group_by=none`), or `null` when none is stored.
 * @example
 * await loadForecast(api, { granularity: 'day', horizon: 14, bbox: '-12,34,30,62' })
 */
export async function loadForecast(api: Api, p: Params): Promise<ForecastAnswer | null> {
  const a = await orNone(api.get<ForecastAnswer>('/v1/forecasts', { group_by: 'none', ...p }));
  return a === null || a.groups.length === 0 || (a.groups[0]?.points.length ?? 0) === 0 ? null : a;
}

/** The stored backtest, or `null` when none is stored. */
export async function loadBacktest(api: Api): Promise<BacktestAnswer | null> {
  const a = await orNone(api.get<BacktestAnswer>('/v1/forecasts/backtest'));
  return a === null || a.rows.length === 0 ? null : a;
}
