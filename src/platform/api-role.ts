/**
 * `tpay api`: the read, admin, treasury and forecast API and the dashboard,
 * in a process of its own. With `serving: memory` it holds its own copy of
 * the serving store: it loads the stream role's latest snapshot and follows
 * the log read-only from the offsets that snapshot holds, the way a
 * real-time replica of Pinot or Druid follows its stream. It writes no log
 * checkpoint, serving snapshot or restatement; so it keeps no state a
 * restart needs, and any number of them can follow one log.
 *
 * Raw-transaction drill-down needs a warehouse other processes can read;
 * Parquet has one owner (the stream role), so with it those routes answer
 * 404 here (`tpay run` serves them).
 */
import type { Logger } from 'pino';
import type { Config } from '../config/config.js';
import { TenantDirectory } from '../stream/tenant-directory.js';
import { FxStore } from '../tenants/fx-store.js';
import { RegistryStore } from '../tenants/registry-store.js';
import { TenantStore } from '../tenants/tenant-store.js';
import { openLog, openWarehouseReader } from './adapters.js';
import { registerPlatformMetrics } from './platform-metrics.js';
import { registerReadApi, type ReadApi } from './read-api.js';
import { Closers, roleApp, watchTenantFiles } from './role-app.js';
import { lockRoles } from './role-lock.js';
import { openRollups, type RollupsService } from './rollups-service.js';

export interface ApiRole {
  rollups: RollupsService;
  api: ReadApi;
  httpPort: number;
  failed(): Error | null;
  close(): Promise<void>;
}

export async function startApiRole(config: Config, logger: Logger): Promise<ApiRole> {
  const release = await lockRoles(config.dataDir, ['api']);
  /** Closed in reverse order. */
  const closers = new Closers(release);
  try {
    const { service: rollups } = await openRollups(config, logger, 'follower');
    const failed = (): Error | null => rollups.processor?.failed ?? null;
    const tenants = new TenantStore(config.dataDir);
    const registries = new RegistryStore(config.dataDir);
    const fx = new FxStore(config.dataDir);
    const warehouse = await openWarehouseReader(config);
    if (warehouse !== null) closers.push(() => warehouse.close());
    const http = roleApp(logger, config.ingest.httpBodyLimitBytes, {
      notReady: () => (failed() !== null ? 'failed' : rollups.ready ? null : 'replaying'),
      notLive: () => (failed() !== null ? 'failed' : null),
    });
    registerPlatformMetrics(http.metrics, () => rollups.stats(), rollups.serving);
    const api = registerReadApi(http.app, config, logger, {
      serving: rollups.serving,
      restatements: rollups.restatements,
      ...(warehouse !== null ? { warehouse } : { noWarehouse: `this API process reads no raw transactions: adapters.warehouse '${config.adapters.warehouse}' has one owner, the stream role (tpay run serves drill-down)` }),
      stream: () => rollups.stats(),
      tenants,
      registries,
      fx,
      authenticate: (secret, kind) => {
        const k = tenants.authenticate(secret, kind);
        return k === undefined ? undefined : { tenant: k.tenant };
      },
    });
    closers.push(() => api.close());
    const log = await openLog(config, 'tpay-api');
    closers.push(() => log.close());
    closers.push(() => rollups.close(0));
    // Probes answer during the replay: alive, not ready.
    const httpPort = await http.listen(config.api.host, config.api.port);
    closers.push(() => http.close());
    await rollups.start(log, new TenantDirectory(tenants, registries, fx));
    closers.push(watchTenantFiles(tenants, logger));
    return {
      rollups,
      api,
      httpPort,
      failed,
      close: () => closers.close(),
    };
  } catch (err) {
    await closers.close();
    throw err;
  }
}
