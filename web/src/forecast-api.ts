/**
 * The stored `net_sales` forecasts and their backtest accuracy, as the
 * public API serves them (`GET /v1/forecasts`, `GET /v1/forecasts/backtest`).
 * "Nothing stored yet" (a 404, or no group) is a value, `null`, not an
 * error: the pages show it as an empty state. The answers' types are the
 * engine's own (`src/forecast/forecast-answer-types.ts`).
 */
import type { BacktestAnswer, ForecastAnswer } from '../../src/forecast/forecast-answer-types.js';
import { ApiError, type Api, type Params } from './api.js';

export type { AnswerLevel, BacktestAnswer, BacktestRow, ForecastAnswer, ForecastGroup, ForecastPoint } from '../../src/forecast/forecast-answer-types.js';

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
