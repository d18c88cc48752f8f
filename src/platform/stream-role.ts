/**
 * `tpay stream`: the stream role on its own. It reads the log (group
 * `rollups` and group `warehouse`), owns the serving snapshot, the
 * restatements file and the warehouse, and runs the forecast scheduler; a
 * small HTTP port answers `/healthz`, `/readyz` and `/metrics`. It writes
 * nothing to the log and needs no ingest beside it: on start it loads its
 * snapshot and replays the log from the offsets that snapshot holds.
 */
import type { Logger } from 'pino';
import type { Config } from '../config/config.js';
import { ForecastPool } from '../forecast/forecast-pool.js';
import { ForecastScheduler } from '../forecast/forecast-scheduler.js';
import { ForecastStore } from '../forecast/forecast-store.js';
import { TenantDirectory } from '../stream/tenant-directory.js';
import { FxStore } from '../tenants/fx-store.js';
import { RegistryStore } from '../tenants/registry-store.js';
import { TenantStore } from '../tenants/tenant-store.js';
import { openLog } from './adapters.js';
import { registerPlatformMetrics } from './platform-metrics.js';
import { Closers, roleApp, watchTenantFiles } from './role-app.js';
import { lockRoles } from './role-lock.js';
import { openRollups, type RollupsService } from './rollups-service.js';
import { openWarehouseService } from './warehouse-service.js';

export interface StreamRole {
  rollups: RollupsService;
  healthPort: number;
  /** The stream's failure, once it has failed (the process should exit: a restart resumes exactly). */
  failed(): Error | null;
  close(): Promise<void>;
}

export async function startStreamRole(config: Config, logger: Logger): Promise<StreamRole> {
  const release = await lockRoles(config.dataDir, ['stream']);
  /** Closed in reverse order. */
  const closers = new Closers(release);
  try {
    const { service: rollups } = await openRollups(config, logger, 'owner');
    const failed = (): Error | null => rollups.processor?.failed ?? null;
    const health = roleApp(logger, 1 << 16, {
      notReady: () => (failed() !== null ? 'failed' : rollups.ready ? null : 'replaying'),
      notLive: () => (failed() !== null ? 'failed' : null),
    });
    registerPlatformMetrics(health.metrics, () => rollups.stats(), rollups.serving);
    // Probes answer during a long replay: alive, not ready.
    const healthPort = await health.listen(config.api.host, config.stream.healthPort);
    closers.push(() => health.close());
    const log = await openLog(config, 'tpay-stream');
    closers.push(() => log.close());
    const warehouse = await openWarehouseService(config, logger);
    closers.push(() => warehouse.close());
    // Closed before the log: its last snapshot saves the checkpoint there.
    closers.push(() => rollups.close(30_000));
    const tenants = new TenantStore(config.dataDir);
    const registries = new RegistryStore(config.dataDir);
    await rollups.start(log, new TenantDirectory(tenants, registries, new FxStore(config.dataDir)));
    await warehouse.start(log);
    closers.push(watchTenantFiles(tenants, logger));
    // One scheduler per data directory: the stream role is the one process of its kind.
    let pool: ForecastPool | null = null;
    const scheduler = new ForecastScheduler({
      serving: rollups.serving,
      forecasts: new ForecastStore(config.dataDir),
      pool: () => (pool ??= new ForecastPool(config.forecast.workers > 0 ? { workers: config.forecast.workers } : {})),
      tenants: () => tenants.list().map((t) => t.id),
      logger,
      intervalMs: config.forecast.checkIntervalMs,
    });
    scheduler.start();
    closers.push(async () => {
      scheduler.stop();
      await scheduler.idle();
      await pool?.close();
    });
    return {
      rollups,
      healthPort,
      failed,
      close: () => closers.close(),
    };
  } catch (err) {
    await closers.close();
    throw err;
  }
}
