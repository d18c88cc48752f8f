/**
 * File-level helpers of the Parquet warehouse: the `read_parquet` source of
 * a file list, rebuilding an index from a data file, and the directory
 * chores around writing and deleting files.
 */
import { mkdir, rmdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { sqlString } from './duckdb-subset.js';
import type { DuckDBConnectionLike } from './duckdb-subset.js';
import { WarehouseCorruptError, isErrno } from './errors.js';
import { buildFileIndex } from './file-index.js';
import type { FileIndex } from './file-index.js';
import type { DataFile } from './parquet-file-set.js';
import { tenantDir } from './parquet-layout.js';
import type { FilePaths } from './parquet-layout.js';
import { fsyncDir } from '../util/atomic-file.js';
import { unlinkIfExists } from './parquet-recovery.js';

/** `read_parquet` over exact files; Hive columns off, the files carry `tenant` themselves. */
export function fileList(files: readonly (DataFile | string)[]): string {
  const paths = files.map((f) => sqlString(typeof f === 'string' ? f : f.paths.parquet));
  return `read_parquet([${paths.join(', ')}], hive_partitioning = false)`;
}

/** The index of a data file, read back from the file itself. */
export async function rebuildIndex(c: DuckDBConnectionLike, parquet: string): Promise<FileIndex> {
  const rows = (await c.runAndReadAll(`SELECT store_id, txn_id, epoch_ms(ts)::DOUBLE FROM ${fileList([parquet])}`)).getRowsJS();
  const stores: string[] = [];
  const txns: string[] = [];
  const ts: number[] = [];
  for (const [s, t, at] of rows) {
    if (typeof s !== 'string' || typeof t !== 'string' || typeof at !== 'number') throw new WarehouseCorruptError('unexpected store_id, txn_id or ts', parquet);
    stores.push(s);
    txns.push(t);
    ts.push(at);
  }
  return buildFileIndex(stores, txns, ts);
}

/** mkdir -p the day directory; fsync the parents of directories it created so they survive a power loss. */
export async function makeDayDir(root: string, paths: FilePaths): Promise<void> {
  const first = await mkdir(paths.dir, { recursive: true });
  if (first === undefined) return;
  if (first !== paths.dir) await fsyncDir(root);
  await fsyncDir(dirname(paths.dir));
}

/** Delete a file's temp names (best effort: the next open deletes leftovers). */
export async function removeTemps(paths: FilePaths): Promise<void> {
  try {
    await unlinkIfExists(paths.parquetTmp);
    await unlinkIfExists(paths.indexTmp);
  } catch {
    // Left for the next open to remove.
  }
}

/** Remove day (and tenant) directories emptied by retention; busy ones stay until next time. */
export async function removeEmptyDirs(root: string, files: readonly DataFile[]): Promise<void> {
  const days = new Set(files.map((f) => f.paths.dir));
  const tenants = new Set(files.map((f) => tenantDir(root, f.tenant)));
  for (const dir of [...days, ...tenants]) {
    try {
      await rmdir(dir);
    } catch (err) {
      if (!isErrno(err, 'ENOTEMPTY') && !isErrno(err, 'ENOENT') && !isErrno(err, 'EEXIST')) throw err;
    }
  }
}
