/**
 * Assembles the ingest role: tenants and registries from the data
 * directory, the engine and its workers, the TCP and HTTP servers, and the
 * watchers that pick up new tenants, keys and store registries.
 */
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';
import type { Logger } from 'pino';
import type { Config } from '../config/config.js';
import { IngestEngine } from '../ingest/ingest-engine.js';
import { IngestTcpServer } from '../ingest/tcp-server.js';
import { buildHttpServer } from '../api/http-server.js';
import { IngestMetrics } from '../api/metrics.js';
import { DeadLetterService } from '../dlq/dead-letter-service.js';
import { TenantStore, type KeyKind } from '../tenants/tenant-store.js';
import { RegistryStore } from '../tenants/registry-store.js';
import { logTarget } from './adapters.js';
import { lockDataDir } from './data-dir-lock.js';
import { lockRoles } from './role-lock.js';
import type { TenantInfo } from '../ingest/worker-protocol.js';

export interface IngestService {
  engine: IngestEngine;
  tcp: IngestTcpServer;
  tcpPort: number;
  httpPort: number;
  http: FastifyInstance;
  tenants: TenantStore;
  registries: RegistryStore;
  deadLetters: DeadLetterService;
  /** The Prometheus registry behind `/metrics`, for other parts to add to. */
  metrics: Registry;
  close(): Promise<void>;
}

function tenantInfos(tenants: TenantStore, registries: RegistryStore): TenantInfo[] {
  return tenants.list().map((t) => ({ id: t.id, storeIds: registries.get(t.id).map((s) => s.store_id) }));
}

/** Starts ingest on `config`; resolves once both servers listen. */
export interface ExtendContext {
  engine: IngestEngine;
  tenants: TenantStore;
  registries: RegistryStore;
  authenticate: (secret: string, kind: KeyKind) => { tenant: string | null } | undefined;
  /** Tells the running engine about a tenant's new registry now, not at the next poll. */
  reloadTenant: (tenant: string) => void;
}

export interface IngestServiceOptions {
  http?: boolean;
  tcp?: boolean;
  /** The caller holds the data-directory lock (and releases it after close). */
  lockHeld?: boolean;
  /** Adds routes to the HTTP app before it listens (the platform's read and admin API). */
  extendHttp?: (app: FastifyInstance, ctx: ExtendContext) => void;
}

export async function startIngestService(config: Config, logger: Logger, opts: IngestServiceOptions = {}): Promise<IngestService> {
  const release = opts.lockHeld === true ? async (): Promise<void> => undefined : await lockIngest(config.dataDir);
  try {
    const tenants = new TenantStore(config.dataDir);
    const registries = new RegistryStore(config.dataDir);
    const t0 = performance.now();
    const engine = await IngestEngine.start({
      dataDir: config.dataDir,
      workers: config.ingest.workers,
      partitions: config.log.partitions,
      log: logTarget(config),
      durability: config.log.durability,
      sink: config.log.sink,
      maxLineBytes: config.ingest.maxLineBytes,
      dedupIntervalBudget: config.ingest.dedupIntervalBudget,
      snapshotIntervalMs: config.ingest.dedupSnapshotIntervalMs,
      maxInflightBytes: config.ingest.maxInflightBytes,
      tenants: tenantInfos(tenants, registries),
    });
    const replayed = engine.recovery.reduce((n, r) => n + r.replayedRecords, 0);
    logger.info({ ms: Math.round(performance.now() - t0), replayedRecords: replayed, terminals: engine.recovery.reduce((n, r) => n + r.terminals, 0) }, 'ingest engine recovered');
    engine.on('fatal', (err) => logger.fatal({ err }, 'ingest engine failed'));

    const auth = (secret: string, kind: 'ingest' | 'read' | 'admin'): { tenant: string | null } | undefined => {
      const k = tenants.authenticate(secret, kind);
      return k === undefined ? undefined : { tenant: k.tenant };
    };
    const tcp = new IngestTcpServer(engine, (key) => auth(key, 'ingest')?.tenant ?? undefined, {
      host: config.ingest.host,
      port: config.ingest.tcpPort,
      maxLineBytes: config.ingest.maxLineBytes,
      maxConnectionInflightBytes: config.ingest.maxConnectionInflightBytes,
      authTimeoutMs: config.ingest.authTimeoutMs,
    }, logger);
    const tcpPort = opts.tcp === false ? 0 : await tcp.listen();

    const metrics = new IngestMetrics(engine);
    engine.on('batch', (o, ms) => metrics.observe(o, ms / 1000));
    const deadLetters = new DeadLetterService(join(config.dataDir, 'dlq'), engine);
    const http = buildHttpServer({ engine, metrics, deadLetters, authenticate: auth, logger, bodyLimit: config.ingest.httpBodyLimitBytes });
    const reloadTenant = (id: string): void => {
      if (tenants.get(id) !== undefined) engine.updateTenant({ id, storeIds: registries.get(id).map((s) => s.store_id) });
    };
    opts.extendHttp?.(http, { engine, tenants, registries, authenticate: auth, reloadTenant });
    let httpPort = 0;
    if (opts.http !== false) {
      await http.listen({ host: config.api.host, port: config.api.port });
      const addr = http.server.address();
      httpPort = typeof addr === 'object' && addr !== null ? addr.port : config.api.port;
      logger.info({ host: config.api.host, port: httpPort }, 'http listening');
    }

    // New tenants, keys and registries take effect without a restart.
    const watch = setInterval(() => {
      try {
        const tenantsChanged = tenants.reloadIfChanged();
        const changed = new Set(registries.changedTenants());
        if (tenantsChanged) for (const t of tenants.list()) changed.add(t.id);
        for (const id of changed) {
          if (tenants.get(id) === undefined) continue;
          engine.updateTenant({ id, storeIds: registries.get(id).map((s) => s.store_id) });
          logger.info({ tenant: id }, 'tenant registry reloaded');
        }
      } catch (err) {
        logger.error({ err }, 'reloading tenants or registries failed; keeping the previous ones');
      }
    }, 1000);
    watch.unref();

    let closed = false;
    return {
      engine,
      tcp,
      tcpPort,
      httpPort,
      http,
      tenants,
      registries,
      deadLetters,
      metrics: metrics.registry,
      async close() {
        if (closed) return;
        closed = true;
        clearInterval(watch);
        if (opts.tcp !== false) await tcp.close();
        await http.close();
        await engine.close();
        logger.info({ stats: engine.stats }, 'ingest stopped');
        await release();
      },
    };
  } catch (err) {
    await release();
    throw err;
  }
}

/** The ingest role's locks: the role lock (never stale) and the data-directory pid file other commands look at. */
async function lockIngest(dataDir: string): Promise<() => Promise<void>> {
  const releaseDir = lockDataDir(dataDir);
  try {
    const releaseRole = await lockRoles(dataDir, ['ingest']);
    return async () => {
      releaseDir();
      await releaseRole();
    };
  } catch (err) {
    releaseDir();
    throw err;
  }
}
