/**
 * A tenant's forecast as a batch: calibrate intervals on backtests of a
 * sample of the stores, forecast every store on the worker pool, then the
 * roll-up nodes (city, region, country, tenant) the same way on their own
 * totals, made coherent with the stores by `rollUp`. Everything reads only
 * days before `asOf`.
 */
import { sampleSeries } from './calibrate.js';
import { ForecastInvalidArgumentError } from './errors.js';
import type { ForecastPool, PoolForecast } from './forecast-pool.js';
import type { ModelName } from './forecaster.js';
import { buildHierarchy, nodeSeries, rollUp, type HierarchyNode, type NodeLevel, type StoreSeries } from './hierarchy.js';
import type { IntervalCalibration } from './interval-calibration.js';
import { MAX_DAILY_HORIZON, MAX_WEEKLY_HORIZON, type ForecastBands, type ForecastFlag } from './series.js';

export interface BatchRequest {
  asOf: number;
  /** Daily horizon, 1–56. Default 56. */
  days?: number;
  /** Weekly horizon in ISO weeks, 0–26. Default 26. */
  weeks?: number;
  model?: Exclude<ModelName, 'seasonal_naive'>;
  /** Stores sampled for the interval calibration. Default 400. */
  calibrationSample?: number;
  /** Whether to forecast the roll-up nodes. Default true. */
  rollUps?: boolean;
}

export interface NodeForecast {
  level: NodeLevel;
  key: string;
  stores: number;
  daily: ForecastBands;
  weekly: ForecastBands | null;
  /** Flags of the node's own total (its stores carry their own). */
  flags: ForecastFlag[];
}

export interface BatchForecast {
  asOf: number;
  days: number;
  weeks: number;
  stores: PoolForecast[];
  nodes: NodeForecast[];
  calibration: { stores: LevelCalibration; nodes: Partial<Record<NodeLevel, LevelCalibration>> };
}

export interface LevelCalibration {
  daily: IntervalCalibration;
  weekly: IntervalCalibration;
}

function checkRequest(r: BatchRequest): Required<BatchRequest> {
  const days = r.days ?? MAX_DAILY_HORIZON;
  const weeks = r.weeks ?? MAX_WEEKLY_HORIZON;
  if (!Number.isInteger(r.asOf)) throw new ForecastInvalidArgumentError('asOf', r.asOf, 'a day number (integer)');
  if (!Number.isInteger(days) || days < 1 || days > MAX_DAILY_HORIZON) throw new ForecastInvalidArgumentError('days', days, `an integer from 1 to ${MAX_DAILY_HORIZON}`);
  if (!Number.isInteger(weeks) || weeks < 0 || weeks > MAX_WEEKLY_HORIZON) throw new ForecastInvalidArgumentError('weeks', weeks, `an integer from 0 to ${MAX_WEEKLY_HORIZON}`);
  return { asOf: r.asOf, days, weeks, model: r.model ?? 'log_linear', calibrationSample: r.calibrationSample ?? 400, rollUps: r.rollUps ?? true };
}

/**
 * @example
 * await using pool = new ForecastPool();
 * const f = await forecastBatch(pool, stores, { asOf: dayNumber('2026-03-02') });
 * f.nodes.find((n) => n.level === 'tenant')!.daily.point[0] // = Σ stores' point[0]
 */
export async function forecastBatch(pool: ForecastPool, stores: readonly StoreSeries[], request: BatchRequest): Promise<BatchForecast> {
  const r = checkRequest(request);
  const plan = { asOf: r.asOf, days: r.days, weeks: r.weeks, model: r.model };
  const storeErrors = await pool.errors(sampleSeries(stores, r.calibrationSample), plan);
  const storeCal = { daily: storeErrors.daily.calibrate(), weekly: storeErrors.weekly.calibrate() };
  const out = await pool.forecast(stores, { ...plan, ...storeCal });
  if (!r.rollUps) return { asOf: r.asOf, days: r.days, weeks: r.weeks, stores: out, nodes: [], calibration: { stores: storeCal, nodes: {} } };
  const nodes = buildHierarchy(stores);
  const totals = nodes.map((n) => nodeSeries(n, stores));
  const nodeOut: NodeForecast[] = [];
  const nodeCal: Partial<Record<NodeLevel, LevelCalibration>> = {};
  for (const level of ['city', 'region', 'country', 'tenant'] as const) {
    const idx = nodes.flatMap((n, i) => (n.level === level ? [i] : []));
    if (idx.length === 0) continue;
    const series = idx.map((i) => totals[i]!);
    // Each level is calibrated on its own errors: a tenant total is smooth
    // and its misses are the ones every store shares, unlike a city's. A
    // level with few nodes backtests more origins (a week apart) so that
    // each horizon step still has a few hundred errors.
    const errors = await pool.errors(series, { ...plan, dailyOrigins: Math.min(26, Math.max(4, Math.ceil(240 / idx.length))), weeklyOrigins: Math.min(12, Math.max(3, Math.ceil(60 / idx.length))) });
    const cal = { daily: errors.daily.calibrate(), weekly: errors.weekly.calibrate() };
    nodeCal[level] = cal;
    const own = await pool.forecast(series, { ...plan, ...cal });
    idx.forEach((i, k) => nodeOut.push(nodeForecast(nodes[i]!, out, own[k]!)));
  }
  return { asOf: r.asOf, days: r.days, weeks: r.weeks, stores: out, nodes: nodeOut, calibration: { stores: storeCal, nodes: nodeCal } };
}

function nodeForecast(n: HierarchyNode, stores: readonly PoolForecast[], own: PoolForecast): NodeForecast {
  const members = n.members.map((i) => stores[i]!);
  return {
    level: n.level,
    key: n.key,
    stores: n.members.length,
    daily: rollUp(
      members.map((m) => m.daily),
      own.daily,
    ),
    weekly:
      own.weekly === null
        ? null
        : rollUp(
            members.map((m) => m.weekly!),
            own.weekly,
          ),
    flags: own.daily.flags,
  };
}
