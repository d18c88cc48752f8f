/**
 * `tpay run`: the whole embedded platform in one process, composed of the
 * same parts the role commands start one at a time (docs/scale-out.md):
 * ingest (worker threads) writes the log; the rollups part reads it into the
 * serving store and owns its snapshot; the warehouse part feeds Parquet; the
 * read API shares the ingest HTTP port. All data lives under the configured
 * data directory.
 *
 * Start-up loads the serving snapshot and replays the log from the offsets
 * it holds; shutdown stops ingest, lets the stream catch up, and writes a
 * snapshot, so the next start replays little.
 */
import type { Logger } from 'pino';
import type { Config } from '../config/config.js';
import { registerHistoryRoutes } from '../api/history-routes.js';
import { ForecastScheduler } from '../forecast/forecast-scheduler.js';
import type { ForecastStore } from '../forecast/forecast-store.js';
import type { ColumnarServingStore } from '../serving/columnar-serving-store.js';
import type { SnapshotInfo } from '../serving/serving-store.js';
import type { RestatementLog } from '../stream/restatement-log.js';
import type { StreamProcessor } from '../stream/stream-processor.js';
import { TenantDirectory } from '../stream/tenant-directory.js';
import type { TreasuryService } from '../treasury/treasury-service.js';
import type { Warehouse } from '../warehouse/warehouse.js';
import type { WarehouseFeeder } from '../warehouse/warehouse-feeder.js';
import { join } from 'node:path';
import { openLog } from './adapters.js';
import { lockDataDir } from './data-dir-lock.js';
import { registerPlatformMetrics } from './platform-metrics.js';
import { startIngestService, type IngestService } from './ingest-service.js';
import { registerReadApi, type ReadApi } from './read-api.js';
import { lockRoles } from './role-lock.js';
import { openRollups, type StartupFigures } from './rollups-service.js';
import { openWarehouseService } from './warehouse-service.js';

export interface Platform {
  ingest: IngestService;
  warehouse: Warehouse;
  feeder: WarehouseFeeder;
  serving: ColumnarServingStore;
  stream: StreamProcessor;
  restatements: RestatementLog;
  treasury: TreasuryService;
  forecasts: ForecastStore;
  forecastScheduler: ForecastScheduler;
  /** Snapshot load and log replay at start, in ms, and how many records the replay read. */
  startup: StartupFigures;
  /** Writes a serving snapshot now and moves the log checkpoint to it. */
  snapshot(): Promise<SnapshotInfo>;
  close(): Promise<void>;
}

export interface PlatformOptions {
  /** False: no TCP or HTTP listener (a CLI job on the data directory, e.g. a history import). Default true. */
  listen?: boolean;
}

export async function startPlatform(config: Config, logger: Logger, opts: PlatformOptions = {}): Promise<Platform> {
  const releaseDir = lockDataDir(config.dataDir);
  let releaseRoles: (() => Promise<void>) | null = null;
  try {
    // The three long-running roles at once: no role process may run beside this one.
    releaseRoles = await lockRoles(config.dataDir, ['ingest', 'stream', 'api']);
    const roles = releaseRoles;
    return await start(config, logger, async () => {
      releaseDir();
      await roles();
    }, opts.listen ?? true);
  } catch (err) {
    releaseDir();
    await releaseRoles?.();
    throw err;
  }
}

async function start(config: Config, logger: Logger, release: () => Promise<void>, listen: boolean): Promise<Platform> {
  const { service: rollups } = await openRollups(config, logger, 'owner');
  const { serving, restatements } = rollups;
  const warehouse = await openWarehouseService(config, logger);
  let api: ReadApi | null = null;
  let tenantIds: () => string[] = () => [];
  const ingest = await startIngestService(config, logger, {
    lockHeld: true,
    tcp: listen,
    http: listen,
    extendHttp: (app, ctx) => {
      api = registerReadApi(app, config, logger, {
        serving,
        restatements,
        warehouse: warehouse.warehouse,
        stream: () => rollups.stats(),
        tenants: ctx.tenants,
        registries: ctx.registries,
        authenticate: ctx.authenticate,
        reloadTenant: ctx.reloadTenant,
      });
      registerHistoryRoutes(app, { engine: ctx.engine, tenants: ctx.tenants, authenticate: ctx.authenticate, tmpDir: join(config.dataDir, 'tmp'), bodyLimit: config.ingest.historyBodyLimitBytes });
      tenantIds = () => ctx.tenants.list().map((t) => t.id);
    },
  });
  const readApi = api as ReadApi | null;
  if (readApi === null) throw new Error('the read API was not registered');
  const log = await openLog(config, 'tpay-run');
  registerPlatformMetrics(ingest.metrics, () => rollups.stats(), serving);
  const startup = await rollups.start(log, new TenantDirectory(ingest.tenants, ingest.registries, readApi.fx));
  const feeder = await warehouse.start(log);
  const forecastScheduler = new ForecastScheduler({ serving, forecasts: readApi.forecasts, pool: readApi.pool, tenants: () => tenantIds(), logger, intervalMs: config.forecast.checkIntervalMs });
  if (listen) forecastScheduler.start();

  let closed = false;
  return {
    ingest,
    warehouse: warehouse.warehouse,
    feeder,
    serving,
    stream: rollups.processor!,
    restatements,
    treasury: readApi.treasury,
    forecasts: readApi.forecasts,
    forecastScheduler,
    startup,
    snapshot: () => rollups.snapshot(),
    async close() {
      if (closed) return;
      closed = true;
      forecastScheduler.stop();
      await readApi.close();
      await forecastScheduler.idle();
      await ingest.close();
      await rollups.close(30_000);
      await warehouse.close();
      await log.close();
      await release();
    },
  };
}
