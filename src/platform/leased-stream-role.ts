/**
 * `tpay stream` with `stream.lease` set: one of any number of stream worker
 * processes that split the JetStream log's partitions between them by lease
 * (src/stream/leased-stream.ts) and write the rollups to the shared
 * ClickHouse serving store; with `adapters.warehouse: clickhouse`, also
 * the raw transactions of the partitions each one owns. Several run on one
 * data directory (they only read its tenant, registry and FX files), so no
 * role lock is taken. Its port answers `/healthz`, `/readyz`, `/metrics`.
 */
import { connect } from '@nats-io/transport-node';
import type { Logger } from 'pino';
import type { Config } from '../config/config.js';
import { JetStreamLeases } from '../log/jetstream-leases.js';
import { LeasedStream } from '../stream/leased-stream.js';
import { TenantDirectory } from '../stream/tenant-directory.js';
import { FxStore } from '../tenants/fx-store.js';
import { RegistryStore } from '../tenants/registry-store.js';
import { TenantStore } from '../tenants/tenant-store.js';
import { ClickHouseWarehouse } from '../warehouse/clickhouse-warehouse.js';
import { WarehouseFeeder } from '../warehouse/warehouse-feeder.js';
import { openLog, openSharedServing, openWarehouse } from './adapters.js';
import { Closers, roleApp } from './role-app.js';

export interface LeasedStreamRole {
  stream: LeasedStream;
  healthPort: number;
  failed(): Error | null;
  close(): Promise<void>;
}

export async function startLeasedStreamRole(config: Config, logger: Logger): Promise<LeasedStreamRole> {
  const lease = config.stream.lease;
  if (lease === null) throw new Error('stream.lease is not set');
  const closers = new Closers();
  try {
    let stream: LeasedStream | null = null;
    const health = roleApp(logger, 1 << 16, {
      notReady: () => (stream?.failed != null ? 'failed' : stream?.ready === true ? null : 'starting'),
      notLive: () => (stream?.failed != null ? 'failed' : null),
    });
    const healthPort = await health.listen(config.api.host, config.stream.healthPort);
    closers.push(() => health.close());
    // adapters.log is 'jetstream' (the configuration says so whenever stream.lease is set).
    const log = await openLog(config, 'tpay-stream');
    closers.push(() => log.close());
    // Leases on a connection of their own: a renewal never waits behind the log's bulk reads.
    const leaseNc = await connect({ servers: config.nats.servers.split(','), name: 'tpay-stream-leases' });
    closers.push(() => leaseNc.close());
    const leases = await JetStreamLeases.open(leaseNc, { bucket: `${config.nats.stream}_STREAM_LEASES`, ttlMs: lease.ttlMs, replicas: config.nats.replicas });
    const serving = await openSharedServing(config);
    closers.push(() => serving.close());
    const feeders = new Map<number, WarehouseFeeder>();
    let warehouse: ClickHouseWarehouse | null = null;
    if (config.adapters.warehouse === 'clickhouse') {
      const wh = await openWarehouse(config);
      if (!(wh instanceof ClickHouseWarehouse)) throw new Error('adapters.warehouse clickhouse opened another adapter');
      warehouse = wh;
      closers.push(() => wh.close());
    }
    const directory = new TenantDirectory(new TenantStore(config.dataDir), new RegistryStore(config.dataDir), new FxStore(config.dataDir));
    const s = new LeasedStream({
      log,
      leases,
      serving,
      directory,
      logger,
      scanIntervalMs: lease.scanIntervalMs ?? Math.max(100, Math.floor(leases.ttlMs / 3)),
      batchRecords: lease.batchRecords,
      batchMs: lease.batchMs,
      closeGraceMs: config.stream.closeGraceHours * 3_600_000,
      // The warehouse group follows the rollups' ownership: the same worker feeds a partition's raw rows.
      ...(warehouse === null
        ? {}
        : {
            onGained: async (p: number) => {
              await warehouse.reloadCommittedOffset(p);
              const f = new WarehouseFeeder({ log, warehouse, partitions: [p], logger, maxDelayMs: config.warehouse.maxDelayMs });
              await f.start();
              feeders.set(p, f);
            },
            onReleased: async (p: number) => {
              const f = feeders.get(p);
              feeders.delete(p);
              await f?.stop();
            },
          }),
    });
    stream = s;
    await s.start();
    closers.push(() => s.close());
    logger.info({ holder: s.holder, partitions: s.partitions(), ttlMs: leases.ttlMs }, 'stream worker started');
    return {
      stream: s,
      healthPort,
      failed: () => s.failed,
      close: () => closers.close(),
    };
  } catch (err) {
    await closers.close();
    throw err;
  }
}
