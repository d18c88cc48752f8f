/**
 * Opens the adapter of each port that the configuration names
 * (`adapters.log`, `adapters.warehouse`, `adapters.serving`). Every role opens
 * its ports here, so an adapter added to the build (a JetStream log, a
 * ClickHouse warehouse) is one more case in one switch, plus its name in the
 * tuple of src/config/config.ts; the compiler then points at every switch
 * that lacks it.
 *
 * @example
 * const log = await openLog(config);             // SegmentLog under <dataDir>/log, or JetStreamLog on nats.servers
 * const wh = await openWarehouse(config);        // ParquetWarehouse under <dataDir>/warehouse
 * const serving = await openServing(config);     // in-memory rollups from <dataDir>/serving
 */
import { join } from 'node:path';
import type { Config } from '../config/config.js';
import type { Log } from '../log/log.js';
import { openLogTarget } from '../log/log-target.js';
import type { LogTarget } from '../log/log-target.js';
import { ColumnarServingStore } from '../serving/columnar-serving-store.js';
import { ClickHouseServingStore } from '../serving/clickhouse-serving-store.js';
import { ClickHouseWarehouse } from '../warehouse/clickhouse-warehouse.js';
import { ParquetWarehouse } from '../warehouse/parquet-warehouse.js';
import type { Warehouse } from '../warehouse/warehouse.js';

/** Unreachable for a validated config; the `never` parameter makes a missing case a compile error. */
function unknownAdapter(port: string, name: never): never {
  throw new Error(`no ${port} adapter '${String(name)}' in this build`);
}

/**
 * The configured log as plain data, for threads that open it themselves:
 * ingest's workers write it (by `log.sink`), the stream's worker reads it.
 * @example
 * logTarget(config) // { adapter: 'jetstream', servers: ['nats://127.0.0.1:4222'], options: { stream: 'TPAY_LOG', partitions: 8, … } }
 */
export function logTarget(config: Config): LogTarget {
  const name = config.adapters.log;
  switch (name) {
    case 'segment':
      return { adapter: 'segment', dir: join(config.dataDir, 'log'), partitions: config.log.partitions, segmentBytes: config.log.segmentBytes, durability: config.log.durability };
    case 'jetstream': {
      const n = config.nats;
      return {
        adapter: 'jetstream',
        servers: n.servers.split(','),
        options: {
          stream: n.stream,
          subjectPrefix: n.subjectPrefix,
          partitions: config.log.partitions,
          messageBytes: n.messageBytes,
          replicas: n.replicas,
          ackTimeoutMs: n.ackTimeoutMs,
          publishAttempts: n.publishAttempts,
          leaseTtlMs: n.writerLeaseTtlMs,
        },
      };
    }
    default:
      return unknownAdapter('log', name);
  }
}

/**
 * The configured log: readers, checkpoints, retention. `name` tells a NATS
 * server which role is connected.
 */
export async function openLog(config: Config, name = 'tpay'): Promise<Log> {
  return openLogTarget(logTarget(config), name);
}

/** The configured warehouse, opened as its writer (Parquet: one process at a time). */
export async function openWarehouse(config: Config): Promise<Warehouse> {
  const name = config.adapters.warehouse;
  switch (name) {
    case 'parquet':
      return ParquetWarehouse.open(join(config.dataDir, 'warehouse'));
    case 'clickhouse':
      return openClickHouseWarehouse(config);
    default:
      return unknownAdapter('warehouse', name);
  }
}

/**
 * The configured warehouse for a process that does not write it (the API
 * role's drill-down), or null when the adapter cannot be read beside its
 * writer: Parquet's files have one owner, the stream role. A shared
 * database (ClickHouse) returns a client here.
 */
export async function openWarehouseReader(config: Config): Promise<Warehouse | null> {
  const name = config.adapters.warehouse;
  switch (name) {
    case 'parquet':
      return Promise.resolve(null);
    case 'clickhouse':
      return openClickHouseWarehouse(config);
    default:
      return unknownAdapter('warehouse', name);
  }
}

/**
 * The configured serving store, loaded from the last snapshot the stream
 * role wrote. `memory` is a copy in this process: the stream role owns the
 * snapshot file, an API process follows the log into its own copy.
 */
export async function openServing(config: Config): Promise<ColumnarServingStore> {
  const name = config.adapters.serving;
  switch (name) {
    case 'memory':
      return ColumnarServingStore.open(join(config.dataDir, 'serving'), { hotDays: config.serving.hotDays });
    case 'clickhouse':
      throw new Error("adapters.serving 'clickhouse' is shared by every process: open it with openSharedServing (stream workers with stream.lease write it)");
    default:
      return unknownAdapter('serving', name);
  }
}

/**
 * The serving store in ClickHouse that lease-mode stream workers write
 * (fenced by their lease epochs) and any process reads.
 * @example
 * const serving = await openSharedServing(config); // ClickHouse tables in clickhouse.servingDatabase
 */
export async function openSharedServing(config: Config): Promise<ClickHouseServingStore> {
  const name = config.adapters.serving;
  if (name !== 'clickhouse') throw new Error(`adapters.serving is '${name}': a store in one process's memory is not shared`);
  const c = config.clickhouse;
  return ClickHouseServingStore.open({ url: c.url, database: c.servingDatabase, ...credentials(config), timeoutMs: c.timeoutMs });
}

function credentials(config: Config): { user?: string; password?: string } {
  const { user, password } = config.clickhouse;
  return { ...(user === null ? {} : { user }), ...(password === null ? {} : { password }) };
}

function openClickHouseWarehouse(config: Config): Promise<ClickHouseWarehouse> {
  const c = config.clickhouse;
  return ClickHouseWarehouse.open({ url: c.url, database: c.database, ...credentials(config), timeoutMs: c.timeoutMs });
}
