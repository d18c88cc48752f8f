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
import { ErrorPool, type IntervalCalibration } from './interval-calibration.js';
import { MAX_DAILY_HORIZON, MAX_WEEKLY_HORIZON, type ForecastBands, type ForecastFlag } from './series.js';

/** Roll-up levels with fewer nodes than this (the tenant; a one-country tenant's country) are calibrated on every roll-up level's errors. */
const SPARSE_LEVEL = 3;

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
  const levels = (['city', 'region', 'country', 'tenant'] as const)
    .map((level) => ({ level, idx: nodes.flatMap((n, i) => (n.level === level ? [i] : [])) }))
    .filter((l) => l.idx.length > 0);
  const errors = [];
  for (const { idx } of levels) {
    // A level with few nodes backtests more origins (a week apart) so that
    // each horizon step still has a few hundred errors.
    const plan2 = { ...plan, dailyOrigins: Math.min(26, Math.max(4, Math.ceil(240 / idx.length))), weeklyOrigins: Math.min(12, Math.max(3, Math.ceil(60 / idx.length))) };
    errors.push(await pool.errors(idx.map((i) => totals[i]!), plan2));
  }
  for (const [k, { level, idx }] of levels.entries()) {
    // Each level is calibrated on its own errors: a tenant total is smooth
    // and its misses are the ones every store shares, unlike a city's. A
    // level of fewer than SPARSE_LEVEL nodes borrows the errors of the
    // other roll-up levels too: one series' recent half year is too
    // narrow a sample of how it can miss.
    const own = errors[k]!;
    let daily = own.daily;
    let weekly = own.weekly;
    if (idx.length < SPARSE_LEVEL) {
      daily = new ErrorPool(own.daily.steps);
      weekly = new ErrorPool(own.weekly.steps);
      for (const e of errors) {
        daily.merge(e.daily.pack());
        weekly.merge(e.weekly.pack());
      }
    }
    const cal = { daily: daily.calibrate(), weekly: weekly.calibrate() };
    nodeCal[level] = cal;
    const fc = await pool.forecast(
      idx.map((i) => totals[i]!),
      { ...plan, ...cal },
    );
    idx.forEach((i, j) => nodeOut.push(nodeForecast(nodes[i]!, out, fc[j]!)));
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
