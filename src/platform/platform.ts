/**
 * `tpay run`: the whole embedded platform in one process. Ingest (worker
 * threads) writes the log; the stream reads it into the serving store; the
 * HTTP API serves ingest, queries and admin on one port. All data lives
 * under the configured data directory.
 *
 * Start-up loads the serving snapshot and replays the log from the offsets
 * it holds; shutdown stops ingest, lets the stream catch up, and writes a
 * snapshot, so the next start replays little.
 */
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { Config } from '../config/config.js';
import { SegmentLog } from '../log/segment-log.js';
import { registerAdminRoutes } from '../api/admin-routes.js';
import { registerForecastRoutes } from '../api/forecast-routes.js';
import { ForecastPool } from '../forecast/forecast-pool.js';
import { ForecastScheduler } from '../forecast/forecast-scheduler.js';
import { ForecastStore } from '../forecast/forecast-store.js';
import { DashboardNotBuiltError, registerDashboard } from '../api/dashboard-routes.js';
import { registerHistoryRoutes } from '../api/history-routes.js';
import { registerQueryRoutes } from '../api/query-routes.js';
import { registerTreasuryRoutes } from '../api/treasury-routes.js';
import { parseStatementFile } from '../treasury/statement-import.js';
import { TreasuryService } from '../treasury/treasury-service.js';
import { TreasuryStore } from '../treasury/treasury-store.js';
import { ColumnarServingStore } from '../serving/columnar-serving-store.js';
import { ParquetWarehouse } from '../warehouse/parquet-warehouse.js';
import { WarehouseFeeder } from '../warehouse/warehouse-feeder.js';
import type { SnapshotInfo } from '../serving/serving-store.js';
import { RestatementLog } from '../stream/restatement-log.js';
import { emptyStreamStats, StreamProcessor } from '../stream/stream-processor.js';
import { TenantDirectory } from '../stream/tenant-directory.js';
import { FxStore } from '../tenants/fx-store.js';
import { cashForecastSource } from './cash-forecast-source.js';
import { lockDataDir } from './data-dir-lock.js';
import { registerPlatformMetrics } from './platform-metrics.js';
import { startIngestService, type IngestService } from './ingest-service.js';

export interface Platform {
  ingest: IngestService;
  warehouse: ParquetWarehouse;
  feeder: WarehouseFeeder;
  serving: ColumnarServingStore;
  stream: StreamProcessor;
  restatements: RestatementLog;
  treasury: TreasuryService;
  forecasts: ForecastStore;
  forecastScheduler: ForecastScheduler;
  /** Snapshot load and log replay at start, in ms, and how many records the replay read. */
  startup: { snapshotMs: number; replayMs: number; replayedRecords: number };
  /** Writes a serving snapshot now and moves the log checkpoint to it. */
  snapshot(): Promise<SnapshotInfo>;
  close(): Promise<void>;
}

export interface PlatformOptions {
  /** False: no TCP or HTTP listener (a CLI job on the data directory, e.g. a history import). Default true. */
  listen?: boolean;
}

export async function startPlatform(config: Config, logger: Logger, opts: PlatformOptions = {}): Promise<Platform> {
  const release = lockDataDir(config.dataDir);
  try {
    return await start(config, logger, release, opts.listen ?? true);
  } catch (err) {
    release();
    throw err;
  }
}

async function start(config: Config, logger: Logger, release: () => void, listen: boolean): Promise<Platform> {
  const t0 = performance.now();
  const serving = await ColumnarServingStore.open(join(config.dataDir, 'serving'), { hotDays: config.serving.hotDays });
  const snapshotMs = performance.now() - t0;
  const restatements = new RestatementLog(join(config.dataDir, 'restatements', 'restatements.ndjson'));
  const warehouse = await ParquetWarehouse.open(join(config.dataDir, 'warehouse'));
  let stream: StreamProcessor | null = null;
  const fx = new FxStore(config.dataDir);
  let treasury: TreasuryService | null = null;
  const forecasts = new ForecastStore(config.dataDir);
  // Worker threads start on first use: a platform that never forecasts never pays for them.
  let forecastPool: ForecastPool | null = null;
  let poolClosed = false;
  const pool = (): ForecastPool => {
    if (poolClosed) throw new Error('the forecast pool is closed: the platform is shutting down');
    return (forecastPool ??= new ForecastPool(config.forecast.workers > 0 ? { workers: config.forecast.workers } : {}));
  };
  let tenantIds: () => string[] = () => [];
  const ingest = await startIngestService(config, logger, {
    lockHeld: true,
    tcp: listen,
    http: listen,
    extendHttp: (app, ctx) => {
      registerQueryRoutes(app, {
        serving,
        restatements,
        warehouse,
        authenticate: ctx.authenticate,
        stream: () => stream?.stats ?? emptyStreamStats(),
      });
      registerAdminRoutes(app, { tenants: ctx.tenants, registries: ctx.registries, fx, authenticate: ctx.authenticate, onTenantChange: ctx.reloadTenant });
      registerHistoryRoutes(app, { engine: ctx.engine, tenants: ctx.tenants, authenticate: ctx.authenticate, tmpDir: join(config.dataDir, 'tmp'), bodyLimit: config.ingest.historyBodyLimitBytes });
      treasury = new TreasuryService({
        store: new TreasuryStore(config.dataDir),
        source: serving,
        parse: parseStatementFile,
        fx: (tenant) => {
          const t = ctx.tenants.get(tenant);
          return t === undefined ? null : fx.table(tenant, t.reporting_currency);
        },
        refreshMs: config.treasury.refreshMs,
        match: { amountToleranceMinor: config.treasury.amountToleranceMinor, dateWindowDays: config.treasury.dateWindowDays, missingAfterDays: config.treasury.missingAfterDays },
      });
      registerTreasuryRoutes(app, { treasury, source: serving, tenants: ctx.tenants, authenticate: ctx.authenticate, cashForecast: cashForecastSource({ serving, forecasts, treasury: () => treasury! }) });
      registerForecastRoutes(app, { serving, forecasts, pool, authenticate: ctx.authenticate });
      tenantIds = () => ctx.tenants.list().map((t) => t.id);
      try {
        registerDashboard(app);
      } catch (err) {
        // The API works without the dashboard (e.g. after a bare `tsc`); say so instead of failing.
        if (!(err instanceof DashboardNotBuiltError)) throw err;
        logger.warn({ code: err.code }, err.message);
      }
    },
  });
  const log = await SegmentLog.open(join(config.dataDir, 'log'), { partitions: config.log.partitions, segmentBytes: config.log.segmentBytes });
  const directory = new TenantDirectory(ingest.tenants, ingest.registries, fx);
  const s = new StreamProcessor(log, serving, directory, restatements, logger, {
    dataDir: config.dataDir,
    segmentBytes: config.log.segmentBytes,
    batchRecords: config.stream.batchRecords,
    batchMs: config.stream.batchMs,
    closeGraceMs: config.stream.closeGraceHours * 3_600_000,
  });
  stream = s;
  registerPlatformMetrics(ingest.metrics, () => s.stats, serving);
  const t1 = performance.now();
  await s.start();
  await s.caughtUp(10 * 60_000);
  const replayMs = performance.now() - t1;
  const feeder = new WarehouseFeeder({ log, warehouse, logger, maxDelayMs: config.warehouse.maxDelayMs });
  await feeder.start();
  const maintain = setInterval(() => {
    void (async () => {
      const c = await warehouse.compact();
      if (c.merged > 0) logger.info(c, 'warehouse compacted');
      if (config.warehouse.retentionDays > 0) {
        const r = await warehouse.applyRetention(config.warehouse.retentionDays, Date.now());
        if (r.deletedDays > 0) logger.info(r, 'warehouse retention applied');
      }
    })().catch((err: unknown) => logger.error({ err }, 'warehouse maintenance failed'));
  }, config.warehouse.compactIntervalMs);
  maintain.unref();
  const forecastScheduler = new ForecastScheduler({ serving, forecasts, pool, tenants: () => tenantIds(), logger, intervalMs: config.forecast.checkIntervalMs });
  if (listen) forecastScheduler.start();
  const startup = { snapshotMs, replayMs, replayedRecords: s.stats.records };
  logger.info({ snapshotMs: Math.round(snapshotMs), replayMs: Math.round(replayMs), replayedRecords: s.stats.records, cells: serving.stats().cells }, 'serving ready');

  let snapshotting: Promise<SnapshotInfo> | null = null;
  const snapshot = async (): Promise<SnapshotInfo> => {
    // One at a time: a second caller shares the snapshot in progress.
    snapshotting ??= (async () => {
      try {
        // The stream applies a batch in slices: take the snapshot between batches, never inside one.
        await s.settled();
        serving.age();
        const info = await serving.snapshot();
        await s.checkpoint(info.offsets);
        logger.info({ ms: Math.round(info.ms), bytes: info.bytes, cells: info.cells }, 'serving snapshot written');
        return info;
      } finally {
        snapshotting = null;
      }
    })();
    return snapshotting;
  };
  const timer = setInterval(() => {
    snapshot().catch((err: unknown) => logger.error({ err }, 'serving snapshot failed'));
  }, config.serving.snapshotIntervalMs);
  timer.unref();

  let closed = false;
  return {
    ingest,
    warehouse,
    feeder,
    serving,
    stream: s,
    restatements,
    treasury: treasury!,
    forecasts,
    forecastScheduler,
    startup,
    snapshot,
    async close() {
      if (closed) return;
      closed = true;
      clearInterval(timer);
      clearInterval(maintain);
      forecastScheduler.stop();
      poolClosed = true;
      await forecastPool?.close();
      await forecastScheduler.idle();
      await ingest.close();
      await s.caughtUp(30_000).catch((err: unknown) => logger.warn({ err }, 'stream did not catch up before shutdown'));
      await s.stop();
      await feeder.stop();
      await warehouse.close();
      await snapshot();
      await log.close();
      restatements.close();
      release();
    },
  };
}
