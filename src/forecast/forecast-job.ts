/**
 * One tenant's forecast batch from the serving rollups, as `tpay batch
 * forecast` and the running platform do it: read every store's daily
 * `net_sales` up to and including the as-of day, forecast stores and
 * roll-up nodes on the worker pool, backtest the levels on one earlier
 * origin, and store the result (forecast-store.ts).
 */
import { clockFor, businessDay, localTime } from '../domain/time-buckets.js';
import { forecastBatch } from './forecast-batch.js';
import type { ForecastPool } from './forecast-pool.js';
import { storedForecast, type ForecastStore, type StoredForecast } from './forecast-store.js';
import { backtestLevels } from './level-backtest.js';
import { storeSeriesFromServing, type ServingSource } from './serving-series.js';
import { MAX_DAILY_HORIZON, MAX_WEEKLY_HORIZON } from './series.js';

/** Days of history a batch reads before its as-of day (two yearly cycles). */
export const HISTORY_DAYS = 730;
const MODEL = 'log_linear';

export interface ForecastJobOptions {
  /** The last business day seen (day number); forecasts start the day after. */
  asOf: number;
  days?: number;
  weeks?: number;
  /** Whether to backtest the levels (one origin, one horizon back). Default true. */
  backtest?: boolean;
  calibrationSample?: number;
}

export interface ForecastJobSource extends ServingSource {
  businessDayRange(tenant: string): { first: number; last: number } | null;
}

/**
 * The forecast of `tenant` as of `o.asOf`, not stored.
 * @example const f = await computeForecast(pool, serving, 'acme', { asOf: dayNumber('2026-12-06') });
 */
export async function computeForecast(pool: ForecastPool, serving: ForecastJobSource, tenant: string, o: ForecastJobOptions): Promise<StoredForecast> {
  const t0 = performance.now();
  const days = o.days ?? MAX_DAILY_HORIZON;
  const weeks = o.weeks ?? MAX_WEEKLY_HORIZON;
  // The engine's as-of is the first forecast day: it reads days before it only.
  const start = o.asOf + 1;
  const range = serving.businessDayRange(tenant);
  const from = Math.min(start - 1, Math.max(start - HISTORY_DAYS, range?.first ?? start - 1));
  const stores = storeSeriesFromServing(serving, tenant, from, start);
  const request = { asOf: start, days, weeks, model: MODEL, ...(o.calibrationSample === undefined ? {} : { calibrationSample: o.calibrationSample }) } as const;
  const batch = await forecastBatch(pool, stores, request);
  let backtest = null;
  if ((o.backtest ?? true) && stores.length > 0) {
    const btWeeks = Math.min(weeks, 4);
    const span = Math.max(days, btWeeks > 0 ? 7 * (btWeeks + 1) : 0);
    const origins = [start - span];
    const rows = await backtestLevels(pool, stores, { origins, days, weeks: btWeeks, model: MODEL, ...(o.calibrationSample === undefined ? {} : { calibrationSample: o.calibrationSample }) });
    backtest = { origins, rows };
  }
  return storedForecast(tenant, o.asOf, MODEL, stores, batch, backtest, performance.now() - t0);
}

/** Computes and stores; returns what was stored. */
export async function runForecastJob(pool: ForecastPool, serving: ForecastJobSource, store: ForecastStore, tenant: string, o: ForecastJobOptions): Promise<StoredForecast> {
  const f = await computeForecast(pool, serving, tenant, o);
  store.save(f);
  return f;
}

/**
 * The last business day that has closed in every one of the stores' zones
 * at `nowMs` (the tenant's cut-off applied): the day before the earliest
 * "today" among them. With no stores, the day before today in UTC.
 * @example lastClosedBusinessDay(Date.UTC(2026, 11, 7, 9), ['Europe/Berlin'], 0) // dayNumber('2026-12-06')
 */
export function lastClosedBusinessDay(nowMs: number, zones: readonly string[], cutoffMinutes: number): number {
  let today = Infinity;
  for (const z of new Set(zones)) {
    let clock;
    try {
      clock = clockFor('store', z, cutoffMinutes);
    } catch {
      continue;
    }
    today = Math.min(today, businessDay(localTime(nowMs, clock), cutoffMinutes));
  }
  if (!Number.isFinite(today)) today = businessDay(nowMs, cutoffMinutes);
  return today - 1;
}
