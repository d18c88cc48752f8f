/**
 * One error class per failure mode of forecasting. Callers branch on
 * `code`; messages are for people.
 */

export const FORECAST_ERROR_CODES = [
  /** A bad horizon, as_of, model or option: a caller bug. */
  'forecast_invalid_argument',
  /** A pool worker failed or the pool was closed under a task. */
  'forecast_worker_failed',
] as const;
export type ForecastErrorCode = (typeof FORECAST_ERROR_CODES)[number];

export abstract class ForecastError extends Error {
  abstract readonly code: ForecastErrorCode;
}

export class ForecastInvalidArgumentError extends ForecastError {
  override readonly name = 'ForecastInvalidArgumentError';
  readonly code = 'forecast_invalid_argument';
  constructor(field: string, value: unknown, limit: string) {
    super(`${field} = ${JSON.stringify(value)} is invalid: ${limit}`);
  }
}

export class ForecastWorkerError extends ForecastError {
  override readonly name = 'ForecastWorkerError';
  readonly code = 'forecast_worker_failed';
}
