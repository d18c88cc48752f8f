/**
 * Settings of ParquetWarehouse, validated when it opens: unknown keys and
 * out-of-range values are errors that name the key, the value and the limit.
 */
import type { DuckDBInstanceLike } from './duckdb-subset.js';
import { WarehouseInvalidArgumentError } from './errors.js';
import { isTenantId } from './warehouse.js';

export interface ParquetWarehouseOptions {
  /** A DuckDB instance to use for everything (and not close); default: two in-memory instances of its own. */
  duckdb?: DuckDBInstanceLike;
  /** Worker threads of its DuckDB instance for appends and compaction (default: DuckDB's, one per core). */
  threads?: number;
  /**
   * Worker threads of its DuckDB instance for drill-down queries (default 1).
   * A page reads one row group of one to three files; with ingest keeping the
   * cores busy, one thread measured p99 52 ms against 111 ms with two.
   */
  queryThreads?: number;
  /** DuckDB `memory_limit` of the instance it creates, e.g. '1GB' (default: DuckDB's, 80% of RAM). */
  memoryLimit?: string;
  /**
   * Rows per Parquet row group (default 8192). A drill-down decodes one row
   * group per file: 8192 measured p99 36 ms against 44 ms with 16384 on the
   * benchmark's store pages, for 1.4% more bytes; 4096 gained nothing more.
   */
  rowGroupRows?: number;
  /** `compact()` merges a tenant/date once it has this many files (default 2). */
  compactMinFiles?: number;
  /** Connections for concurrent read queries (default 2). */
  queryConnections?: number;
}

export interface ResolvedOptions {
  duckdb: DuckDBInstanceLike | undefined;
  threads: number | undefined;
  queryThreads: number;
  memoryLimit: string | undefined;
  rowGroupRows: number;
  compactMinFiles: number;
  queryConnections: number;
}

const OPTION_KEYS = ['duckdb', 'threads', 'queryThreads', 'memoryLimit', 'rowGroupRows', 'compactMinFiles', 'queryConnections'] as const;

export function resolveOptions(options: ParquetWarehouseOptions): ResolvedOptions {
  for (const key of Object.keys(options)) {
    if (!(OPTION_KEYS as readonly string[]).includes(key)) {
      throw new WarehouseInvalidArgumentError(`unknown ParquetWarehouse option '${key}' (known: ${OPTION_KEYS.join(', ')})`);
    }
  }
  const { duckdb, threads, queryThreads = 1, memoryLimit, rowGroupRows = 8192, compactMinFiles = 2, queryConnections = 2 } = options;
  if (threads !== undefined) checkInteger('threads', threads, 1, 256);
  checkInteger('queryThreads', queryThreads, 1, 256);
  checkInteger('rowGroupRows', rowGroupRows, 2048, 1_000_000);
  checkInteger('compactMinFiles', compactMinFiles, 2, 1_000_000);
  checkInteger('queryConnections', queryConnections, 1, 64);
  return { duckdb, threads, queryThreads, memoryLimit, rowGroupRows, compactMinFiles, queryConnections };
}

/** Throws `WarehouseInvalidArgumentError` unless `v` is an integer in `[min, max]`. */
export function checkInteger(name: string, v: number, min: number, max: number): void {
  if (!Number.isSafeInteger(v) || v < min || v > max) {
    throw new WarehouseInvalidArgumentError(`${name} must be an integer from ${String(min)} to ${String(max)}, got ${String(v)}`);
  }
}

export function checkTenant(tenant: string): void {
  if (!isTenantId(tenant)) throw new WarehouseInvalidArgumentError(`tenant ${JSON.stringify(tenant)} is not a tenant id (1-63 of [a-z0-9_-])`);
}
