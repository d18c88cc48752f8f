/**
 * The part of `@duckdb/node-api` the Parquet warehouse uses, typed as the
 * subset it needs (so a test, a pool or a future version can stand in, and
 * nothing else of the library leaks into the adapter's signatures).
 *
 * @example
 * import { DOUBLE, DuckDBDataChunk, DuckDBInstance, INTEGER, VARCHAR } from '@duckdb/node-api';
 * const instance: DuckDBInstanceLike = await DuckDBInstance.create(':memory:', { threads: '2' });
 * const wh = await ParquetWarehouse.open(dir, { duckdb: instance });
 */
import { DOUBLE, DuckDBDataChunk, DuckDBInstance, INTEGER, VARCHAR } from '@duckdb/node-api';

/** A value bound to a `$n` parameter. */
export type SqlValue = string | number | bigint | boolean | null;

/** Rows of a finished query, values converted to plain JS (DOUBLE → number, BIGINT → bigint, NULL → null). */
export interface DuckDBReaderLike {
  getRowsJS(): readonly (readonly unknown[])[];
}

/** One column of a data chunk: values are set in JS memory and copied to DuckDB by `flush`. */
export interface DuckDBVectorLike {
  setItem(index: number, value: string | number | null): void;
  flush(): void;
}

/** Up to 2048 rows, column-wise. */
export interface DuckDBChunkLike {
  getColumnVector(column: number): DuckDBVectorLike;
}

/** Bulk loading into a table, a data chunk at a time. */
export interface DuckDBAppenderLike {
  appendDataChunk(chunk: DuckDBChunkLike): void;
  flushSync(): void;
  closeSync(): void;
}

export interface DuckDBConnectionLike {
  run(sql: string, values?: SqlValue[]): Promise<unknown>;
  runAndReadAll(sql: string, values?: SqlValue[]): Promise<DuckDBReaderLike>;
  createAppender(table: string): Promise<DuckDBAppenderLike>;
  closeSync(): void;
}

export interface DuckDBInstanceLike {
  connect(): Promise<DuckDBConnectionLike>;
  closeSync(): void;
}

/**
 * A fresh in-memory DuckDB instance (the warehouse keeps its data in Parquet
 * files, never in a DuckDB database file).
 * @example const db = await createDuckDB({ threads: 2 });
 */
export async function createDuckDB(options: { threads?: number; memoryLimit?: string } = {}): Promise<DuckDBInstanceLike> {
  const config: Record<string, string> = {};
  if (options.threads !== undefined) config.threads = String(options.threads);
  if (options.memoryLimit !== undefined) config.memory_limit = options.memoryLimit;
  return DuckDBInstance.create(':memory:', config);
}

export type ChunkColumnType = 'VARCHAR' | 'DOUBLE' | 'INTEGER';

/** Rows per data chunk: DuckDB's vector size. */
export const CHUNK_ROWS = 2048;

/**
 * An empty data chunk of `rows` rows with these column types.
 * @example const chunk = createChunk(['VARCHAR', 'DOUBLE'], 2048);
 */
export function createChunk(types: readonly ChunkColumnType[], rows: number): DuckDBChunkLike {
  return DuckDBDataChunk.create(
    types.map((t) => (t === 'VARCHAR' ? VARCHAR : t === 'DOUBLE' ? DOUBLE : INTEGER)),
    rows,
  );
}

/** A SQL string literal: quotes doubled. Only for paths the warehouse built itself; values go in `$n` parameters. */
export function sqlString(s: string): string {
  return `'${s.replaceAll("'", "''")}'`;
}
