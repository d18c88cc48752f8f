/**
 * The forecast API (a tenant read key; the tenant comes from the key):
 * `GET|POST /v1/forecasts` answers stored batches (forecast-store.ts) for
 * any geo scope, grouped or not, by day or ISO week; a past `as_of` with
 * no stored batch is computed on demand from the rollups before it (a
 * bounded number of stores). `GET /v1/forecasts/backtest` answers the
 * stored levels backtest.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { currencyExponent } from '../domain/currency.js';
import { GeoScopeError } from '../domain/geo.js';
import { answerForecast, FORECAST_GROUP_BYS, type ForecastGroupBy } from '../forecast/forecast-answer.js';
import { FORECAST_GRANULARITIES, type BacktestAnswer, type BacktestRow, type ForecastAnswer, type ForecastGranularity } from '../forecast/forecast-answer-types.js';
import { computeForecast, lastClosedBusinessDay } from '../forecast/forecast-job.js';
import type { ForecastPool } from '../forecast/forecast-pool.js';
import { dayLabel, type ForecastStore, type StoredForecast } from '../forecast/forecast-store.js';
import { isLevel, LEVELS, type Level } from '../forecast/hierarchy.js';
import type { LevelScores } from '../forecast/level-backtest.js';
import { MAX_DAILY_HORIZON, MAX_WEEKLY_HORIZON } from '../forecast/series.js';
import type { ColumnarServingStore } from '../serving/columnar-serving-store.js';
import { selectStores } from '../serving/series-query.js';
import type { KeyKind } from '../tenants/tenant-store.js';
import { HttpError, requireTenantKey } from './http-server.js';
import { ParamError, storeFilter, type Params } from './query-params.js';

/** Stores a forecast computed on request may have at most (a stored batch has no limit). */
export const MAX_ON_DEMAND_STORES = 1000;
export const DEFAULT_DAILY_HORIZON = 28;
export const DEFAULT_WEEKLY_HORIZON = 13;

export interface ForecastRouteDeps {
  serving: ColumnarServingStore;
  forecasts: ForecastStore;
  /** The worker pool for forecasts computed on request. */
  pool(): ForecastPool;
  authenticate(secret: string, kind: KeyKind): { tenant: string | null } | undefined;
  now?: () => number;
}

/** Singular aliases of the scope parameters (`store=S1` is `stores=S1`). */
const ALIASES: Record<string, string> = { store: 'stores', city: 'cities', region: 'regions', country: 'countries' };
export const FORECAST_SCOPE_KEYS = ['bbox', 'lat', 'lon', 'radius_km', 'polygon', 'countries', 'regions', 'cities', 'stores'];

function params(req: FastifyRequest): Params {
  const q = (req.query ?? {}) as Params;
  const b = req.body;
  let p: Params = q;
  if (b !== undefined && b !== null) {
    if (typeof b !== 'object' || Array.isArray(b) || Buffer.isBuffer(b)) throw new HttpError(400, 'invalid_parameter', 'the body must be a JSON object of query parameters');
    p = { ...q, ...(b as Params) };
  }
  const out: Params = {};
  for (const [k, v] of Object.entries(p)) {
    const name = ALIASES[k] ?? k;
    if (out[name] !== undefined) throw new HttpError(400, 'invalid_parameter', `${k} and ${name} are the same parameter: give one`);
    out[name] = v;
  }
  return out;
}

function text(p: Params, name: string): string | undefined {
  const v = p[name];
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  throw new HttpError(400, 'invalid_parameter', `${name} must be a string, got ${JSON.stringify(v).slice(0, 80)}`);
}

function oneOf<T extends string>(p: Params, name: string, values: readonly T[], fallback: T): T {
  const v = text(p, name) ?? fallback;
  if (!(values as readonly string[]).includes(v)) throw new HttpError(400, 'invalid_parameter', `${name} must be one of ${values.join(', ')}, got '${v.slice(0, 40)}'`);
  return v as T;
}

/** `YYYY-MM-DD` as a day number, or a 400 naming the parameter and value. */
function day(name: string, v: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(v);
  const ms = m === null ? NaN : Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  if (Number.isNaN(ms) || dayLabel(ms / 86_400_000) !== v) throw new HttpError(400, 'invalid_parameter', `${name} must be a date YYYY-MM-DD, got '${v.slice(0, 40)}'`);
  return ms / 86_400_000;
}

interface ForecastRequest {
  granularity: ForecastGranularity;
  horizon: number;
  groupBy: ForecastGroupBy;
  level: Level;
  asOf: number | null;
}

function forecastRequest(p: Params): ForecastRequest {
  const granularity = oneOf(p, 'granularity', FORECAST_GRANULARITIES, 'day');
  const max = granularity === 'day' ? MAX_DAILY_HORIZON : MAX_WEEKLY_HORIZON;
  const h = text(p, 'horizon');
  const horizon = h === undefined ? (granularity === 'day' ? DEFAULT_DAILY_HORIZON : DEFAULT_WEEKLY_HORIZON) : Number(h);
  if (!Number.isInteger(horizon) || horizon < 1 || horizon > max || (h !== undefined && !/^\d+$/.test(h))) throw new HttpError(400, 'invalid_parameter', `horizon must be an integer from 1 to ${String(max)} for granularity=${granularity}, got '${String(h).slice(0, 40)}'`);
  const groupBy = oneOf(p, 'group_by', FORECAST_GROUP_BYS, 'none');
  const lv = text(p, 'level') ?? 'tenant';
  if (!isLevel(lv)) throw new HttpError(400, 'invalid_parameter', `level must be one of ${LEVELS.join(', ')}, got '${lv.slice(0, 40)}'`);
  const a = text(p, 'as_of');
  return { granularity, horizon, groupBy, level: lv, asOf: a === undefined ? null : day('as_of', a) };
}

/** A score with nothing to score (NaN) is null, as JSON would write it anyway. */
const score = (x: number): number | null => (Number.isFinite(x) ? x : null);

const backtestRow = (r: LevelScores): BacktestRow => ({
  level: r.level,
  grain: r.grain,
  series: r.series,
  forecasts: r.forecasts,
  mase: score(r.mase),
  baseline_mase: score(r.baselineMase),
  smape: score(r.smape),
  baseline_smape: score(r.baselineSmape),
  coverage_80: score(r.coverage80),
  coverage_95: score(r.coverage95),
});

export function registerForecastRoutes(app: FastifyInstance, deps: ForecastRouteDeps): void {
  const now = deps.now ?? Date.now;
  const tenantOf = (req: FastifyRequest): string => requireTenantKey(deps, req, 'read');
  const money = (tenant: string): { currency: string; exponent: number } => {
    const c = deps.serving.settings(tenant)?.reportingCurrency ?? 'USD';
    return { currency: c, exponent: currencyExponent(c) ?? 2 };
  };
  // Forecasts computed on request, by tenant, as-of and the rollups' version (a change of the data recomputes).
  const computed = new Map<string, Promise<StoredForecast>>();

  const lastClosed = (tenant: string): number => lastClosedBusinessDay(now(), deps.serving.stores(tenant).map((s) => s.timezone), deps.serving.settings(tenant)?.cutoffMinutes ?? 0);

  /** The batch for a request: stored, else (a past as_of) computed. */
  const batchFor = async (tenant: string, asOf: number | null, backtest: boolean, recompute = false): Promise<StoredForecast> => {
    if (deps.serving.settings(tenant) === undefined || deps.serving.businessDayRange(tenant) === null) throw new HttpError(404, 'forecast_not_found', 'this tenant has no sales yet, so no forecast');
    if (asOf === null) {
      const f = deps.forecasts.latest(tenant);
      if (f === undefined) throw new HttpError(404, 'forecast_not_found', 'no forecast is stored for this tenant yet: run `tpay batch forecast`, or wait for the first business-day close');
      if (!recompute) return f;
      asOf = f.asOf;
    }
    if (!recompute) {
      const stored = deps.forecasts.get(tenant, asOf);
      if (stored !== undefined && (!backtest || stored.backtest !== null)) return stored;
    }
    const closed = lastClosed(tenant);
    if (asOf > closed) throw new HttpError(400, 'invalid_parameter', `as_of must be a closed business day, on or before ${dayLabel(closed)}, got '${dayLabel(asOf)}'`);
    const stores = deps.serving.stores(tenant).length;
    if (stores > MAX_ON_DEMAND_STORES) throw new HttpError(422, 'forecast_too_large', `no forecast is stored as of ${dayLabel(asOf)} and this tenant has ${String(stores)} stores, more than the ${String(MAX_ON_DEMAND_STORES)} a forecast computed on request may have: run \`tpay batch forecast --as-of ${dayLabel(asOf)}\``);
    const key = `${tenant}\u0000${String(asOf)}\u0000${String(deps.serving.version())}\u0000${String(backtest)}`;
    let p = computed.get(key);
    if (p === undefined) {
      p = computeForecast(deps.pool(), deps.serving, tenant, { asOf, backtest });
      computed.set(key, p);
      p.catch(() => computed.delete(key));
      // A few recent answers are enough: a dashboard asks the same as_of for several scopes.
      while (computed.size > 4) computed.delete(computed.keys().next().value!);
    }
    return p;
  };

  const forecasts = async (req: FastifyRequest): Promise<ForecastAnswer> => {
    const tenant = tenantOf(req);
    const p = params(req);
    const r = forecastRequest(p);
    let storeIds: string[] | null = null;
    if (FORECAST_SCOPE_KEYS.some((k) => p[k] !== undefined)) {
      const filter = (() => {
        try {
          return storeFilter(p);
        } catch (err) {
          if (err instanceof ParamError) throw new HttpError(400, err.code, err.message);
          if (err instanceof GeoScopeError) throw new HttpError(400, err.code, err.message);
          throw err;
        }
      })();
      storeIds = deps.serving.settings(tenant) === undefined ? [] : selectStores(deps.serving.rollups(tenant), filter).map((s) => s.store.store_id);
    }
    const f = await batchFor(tenant, r.asOf, false);
    const stored = r.granularity === 'day' ? f.days : f.weeks;
    if (r.horizon > stored) throw new HttpError(400, 'invalid_parameter', `horizon must be at most ${String(stored)} ${r.granularity === 'day' ? 'days' : 'weeks'}: the forecast as of ${dayLabel(f.asOf)} goes no further, got ${String(r.horizon)}`);
    const a = answerForecast(f, { storeIds, groupBy: r.groupBy, level: r.level, granularity: r.granularity, horizon: r.horizon });
    return { ...money(tenant), as_of: dayLabel(f.asOf), granularity: r.granularity, horizon: r.horizon, level: a.level, model: f.model, groups: a.groups };
  };
  app.get('/v1/forecasts', async (req) => forecasts(req));
  app.post('/v1/forecasts', async (req) => forecasts(req));

  app.get('/v1/forecasts/backtest', async (req): Promise<BacktestAnswer> => {
    const tenant = tenantOf(req);
    const p = params(req);
    const a = text(p, 'as_of');
    const recompute = oneOf(p, 'recompute', ['true', 'false'], 'false') === 'true';
    const f = await batchFor(tenant, a === undefined ? null : day('as_of', a), true, recompute);
    return { as_of: dayLabel(f.asOf), model: f.model, origins: (f.backtest?.origins ?? []).map(dayLabel), rows: (f.backtest?.rows ?? []).map(backtestRow) };
  });
}
