/**
 * The read, admin, treasury and forecast API and the dashboard, registered on
 * a role's HTTP app: `tpay run` adds them to its ingest app, `tpay api` to an
 * app of its own. Everything here reads the serving store it is given (the
 * stream role's in `run`, the API process's own copy in `tpay api`) and
 * writes only the data directory's tenant, FX, treasury and forecast files.
 */
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Config } from '../config/config.js';
import { registerAdminRoutes } from '../api/admin-routes.js';
import { DashboardNotBuiltError, registerDashboard } from '../api/dashboard-routes.js';
import { registerForecastRoutes } from '../api/forecast-routes.js';
import { registerQueryRoutes } from '../api/query-routes.js';
import { registerTreasuryRoutes } from '../api/treasury-routes.js';
import { HttpError } from '../api/http-server.js';
import { ForecastPool } from '../forecast/forecast-pool.js';
import { ForecastStore } from '../forecast/forecast-store.js';
import type { ColumnarServingStore } from '../serving/columnar-serving-store.js';
import type { QueryServing } from '../serving/query-serving.js';
import type { RestatementLog } from '../stream/restatement-log.js';
import type { StreamStats } from '../stream/stream-processor.js';
import { FxStore } from '../tenants/fx-store.js';
import type { RegistryStore } from '../tenants/registry-store.js';
import type { KeyKind, TenantStore } from '../tenants/tenant-store.js';
import { parseStatementFile } from '../treasury/statement-import.js';
import { TreasuryService } from '../treasury/treasury-service.js';
import { TreasuryStore } from '../treasury/treasury-store.js';
import type { Warehouse } from '../warehouse/warehouse.js';
import { cashForecastSource } from './cash-forecast-source.js';

export interface ReadApiDeps {
  serving: ColumnarServingStore;
  restatements: RestatementLog;
  /** Raw transactions for drill-down; absent where the warehouse cannot be read (those routes answer 404). */
  warehouse?: Warehouse;
  /** Why there is no warehouse here (the drill-down routes' 404 says it). */
  noWarehouse?: string;
  stream: () => StreamStats;
  tenants: TenantStore;
  registries: RegistryStore;
  /** The FX store, when the process shares one with its stream (default: one of its own on the data directory). */
  fx?: FxStore;
  authenticate: (secret: string, kind: KeyKind) => { tenant: string | null } | undefined;
  /** Tells a running ingest engine about a tenant's change now (absent: ingest's own poll picks it up within a second). */
  reloadTenant?: (tenant: string) => void;
}

export interface ReadApi {
  treasury: TreasuryService;
  forecasts: ForecastStore;
  fx: FxStore;
  /** The forecast worker pool, started on first use. */
  pool(): ForecastPool;
  /** Closes the forecast pool (later forecasts on request fail). */
  close(): Promise<void>;
}

export function registerReadApi(app: FastifyInstance, config: Config, logger: Logger, deps: ReadApiDeps): ReadApi {
  const fx = deps.fx ?? new FxStore(config.dataDir);
  const forecasts = new ForecastStore(config.dataDir);
  // Worker threads start on first use: a process that never forecasts never pays for them.
  let forecastPool: ForecastPool | null = null;
  let poolClosed = false;
  const pool = (): ForecastPool => {
    if (poolClosed) throw new Error('the forecast pool is closed: the process is shutting down');
    return (forecastPool ??= new ForecastPool(config.forecast.workers > 0 ? { workers: config.forecast.workers } : {}));
  };
  const { serving, authenticate, tenants } = deps;
  registerQueryRoutes(app, { serving, restatements: deps.restatements, ...(deps.warehouse !== undefined ? { warehouse: deps.warehouse } : {}), ...(deps.noWarehouse !== undefined ? { noWarehouse: deps.noWarehouse } : {}), authenticate, stream: deps.stream });
  registerAdminRoutes(app, { tenants, registries: deps.registries, fx, authenticate, ...(deps.reloadTenant !== undefined ? { onTenantChange: deps.reloadTenant } : {}) });
  const treasury = new TreasuryService({
    store: new TreasuryStore(config.dataDir),
    source: serving,
    parse: parseStatementFile,
    fx: (tenant) => {
      const t = tenants.get(tenant);
      return t === undefined ? null : fx.table(tenant, t.reporting_currency);
    },
    refreshMs: config.treasury.refreshMs,
    match: { amountToleranceMinor: config.treasury.amountToleranceMinor, dateWindowDays: config.treasury.dateWindowDays, missingAfterDays: config.treasury.missingAfterDays },
  });
  registerTreasuryRoutes(app, { treasury, source: serving, tenants, authenticate, cashForecast: cashForecastSource({ serving, forecasts, treasury: () => treasury }) });
  registerForecastRoutes(app, { serving, forecasts, pool, authenticate });
  dashboardIfBuilt(app, logger);
  return {
    treasury,
    forecasts,
    fx,
    pool,
    async close() {
      poolClosed = true;
      await forecastPool?.close();
    },
  };
}

function dashboardIfBuilt(app: FastifyInstance, logger: Logger): void {
  try {
    registerDashboard(app);
  } catch (err) {
    // The API works without the dashboard (e.g. after a bare `tsc`); say so instead of failing.
    if (!(err instanceof DashboardNotBuiltError)) throw err;
    logger.warn({ code: err.code }, err.message);
  }
}

export interface SharedReadApiDeps {
  serving: QueryServing;
  restatements: RestatementLog;
  warehouse?: Warehouse;
  noWarehouse?: string;
  tenants: TenantStore;
  registries: RegistryStore;
  fx: FxStore;
  authenticate: (secret: string, kind: KeyKind) => { tenant: string | null } | undefined;
}

/**
 * Routes that read every sum of a tenant at once, from a store in this
 * process: treasury (expected money from business-day lines) and
 * forecasts (the history of every level). On a shared store they answer
 * 501 with what to run instead, rather than a half answer.
 */
const IN_PROCESS_ROUTES = ['/v1/treasury/*', '/v1/statements', '/v1/forecasts', '/v1/forecasts/*', '/v1/admin/tenants/:id/treasury/*'] as const;

/**
 * The read API on a serving store shared by every process (ClickHouse,
 * written by stream workers by lease): dashboards' series, top-N, stores
 * and status, admin and the dashboard, each answer read from the server.
 */
export function registerSharedReadApi(app: FastifyInstance, config: Config, logger: Logger, deps: SharedReadApiDeps): void {
  const { serving, authenticate, tenants } = deps;
  registerQueryRoutes(app, { serving, restatements: deps.restatements, ...(deps.warehouse !== undefined ? { warehouse: deps.warehouse } : {}), ...(deps.noWarehouse !== undefined ? { noWarehouse: deps.noWarehouse } : {}), authenticate });
  registerAdminRoutes(app, { tenants, registries: deps.registries, fx: deps.fx, authenticate });
  const notHere = new HttpError(
    501,
    'not_served_with_shared_serving',
    `treasury and forecasts read the whole serving store in process: adapters.serving is '${config.adapters.serving}', so run them where it is 'memory' (tpay run, or tpay api on a memory store)`,
  );
  for (const url of IN_PROCESS_ROUTES) {
    app.all(url, async () => {
      throw notHere;
    });
  }
  dashboardIfBuilt(app, logger);
}

/** Where restatements live under the data directory (the stream role writes, followers read). */
export function restatementsPath(config: Config): string {
  return join(config.dataDir, 'restatements', 'restatements.ndjson');
}
