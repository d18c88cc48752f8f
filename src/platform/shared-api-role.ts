/**
 * `tpay api` with `adapters.serving: clickhouse`: the read API on the
 * serving store that stream workers by lease write (docs/scale-out.md,
 * "The API on the shared store"). It holds no copy of the sums and follows
 * no log: every answer reads the committed rollups from the server, so any
 * number of these processes serve one cluster, and none keeps state a
 * restart needs (no role lock). Tenant settings, keys and registries come
 * from the data directory's files, as for the stream workers.
 *
 * Ready once the server has answered; not ready again (503
 * `serving_unreachable`) while a probe of the server fails.
 */
import type { Logger } from 'pino';
import type { Config } from '../config/config.js';
import { sharedQueryServing } from '../serving/query-serving.js';
import { RestatementLog } from '../stream/restatement-log.js';
import { TenantDirectory } from '../stream/tenant-directory.js';
import { FxStore } from '../tenants/fx-store.js';
import { RegistryStore } from '../tenants/registry-store.js';
import { TenantStore } from '../tenants/tenant-store.js';
import { openSharedServing, openWarehouseReader } from './adapters.js';
import { registerSharedReadApi, restatementsPath } from './read-api.js';
import { Closers, roleApp, watchTenantFiles } from './role-app.js';

export interface SharedApiRole {
  httpPort: number;
  /** Never fails on its own: a server that stops answering makes it not ready, not dead. */
  failed(): Error | null;
  close(): Promise<void>;
}

/** How often the server is probed for `/readyz`. */
const PROBE_MS = 2000;

export async function startSharedApiRole(config: Config, logger: Logger): Promise<SharedApiRole> {
  const closers = new Closers();
  try {
    const serving = await openSharedServing(config);
    closers.push(() => serving.close());
    const tenants = new TenantStore(config.dataDir);
    const registries = new RegistryStore(config.dataDir);
    const fx = new FxStore(config.dataDir);
    const warehouse = await openWarehouseReader(config);
    if (warehouse !== null) closers.push(() => warehouse.close());
    let unreachable: string | null = null;
    const http = roleApp(logger, config.ingest.httpBodyLimitBytes, { notReady: () => unreachable });
    registerSharedReadApi(http.app, config, logger, {
      serving: sharedQueryServing(serving, new TenantDirectory(tenants, registries, fx)),
      // The stream workers by lease keep no restatements file: this lists what a stream role on this data directory wrote.
      restatements: new RestatementLog(restatementsPath(config), { readOnly: true }),
      ...(warehouse !== null ? { warehouse } : { noWarehouse: `this API process reads no raw transactions: adapters.warehouse '${config.adapters.warehouse}' has one owner, the stream role` }),
      tenants,
      registries,
      fx,
      authenticate: (secret, kind) => {
        const k = tenants.authenticate(secret, kind);
        return k === undefined ? undefined : { tenant: k.tenant };
      },
    });
    const httpPort = await http.listen(config.api.host, config.api.port);
    closers.push(() => http.close());
    let probing = false;
    const probe = setInterval(() => {
      if (probing) return;
      probing = true;
      serving
        .appliedOffset(0)
        .then(
          () => {
            if (unreachable !== null) logger.info('serving store answers again');
            unreachable = null;
          },
          (err: unknown) => {
            if (unreachable === null) logger.warn({ err }, 'serving store does not answer');
            unreachable = 'serving_unreachable';
          },
        )
        .finally(() => (probing = false));
    }, PROBE_MS);
    probe.unref();
    closers.push(async () => clearInterval(probe));
    closers.push(watchTenantFiles(tenants, logger));
    return {
      httpPort,
      failed: () => null,
      close: () => closers.close(),
    };
  } catch (err) {
    await closers.close();
    throw err;
  }
}
