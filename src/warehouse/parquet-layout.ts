/**
 * Where the Parquet warehouse puts things (see docs/warehouse.md):
 *
 *   <dir>/_manifest.json                                  the committed state
 *   <dir>/tenant=<id>/date=<YYYY-MM-DD>/<name>.parquet     data (Hive partitioning)
 *   <dir>/tenant=<id>/date=<YYYY-MM-DD>/_<name>.idx        in-memory index, saved
 *   …/_<name>.parquet.tmp, _<name>.idx.tmp                 not yet committed
 *
 * `<name>` is `p<partition>-<from>-<to>` for the rows of log offsets
 * `from <= offset < to` of one partition, or `m<seq>` for a file merged by
 * compaction. Names starting with `_` or `.` are skipped by Spark, Hive,
 * pyarrow datasets and `*.parquet` globs alike.
 */
import { join } from 'node:path';

export const MANIFEST_FILE = '_manifest.json';
export const DAY_MS = 86_400_000;

/** The UTC date of an epoch-ms instant, `YYYY-MM-DD` (years 0000–9999, which is all RFC 3339 allows). */
export function utcDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** Epoch ms of 00:00 UTC of a `YYYY-MM-DD` date. */
export function dateStartMs(date: string): number {
  return Date.parse(`${date}T00:00:00.000Z`);
}

const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;
const NAME_RE = /^(p\d{4,}-\d{12,}-\d{12,}|m\d{12,})$/;

export function isDate(s: string): boolean {
  return DATE_RE.test(s) && utcDate(dateStartMs(s)) === s;
}

export function isFileName(s: string): boolean {
  return NAME_RE.test(s);
}

/** Name of the file holding offsets `[from, to)` of `partition` for one tenant and date. */
export function batchFileName(partition: number, from: number, to: number): string {
  return `p${String(partition).padStart(4, '0')}-${String(from).padStart(12, '0')}-${String(to).padStart(12, '0')}`;
}

/** Name of the `seq`-th file written by compaction. */
export function mergedFileName(seq: number): string {
  return `m${String(seq).padStart(12, '0')}`;
}

export function dayDir(root: string, tenant: string, date: string): string {
  return join(root, `tenant=${tenant}`, `date=${date}`);
}

export function tenantDir(root: string, tenant: string): string {
  return join(root, `tenant=${tenant}`);
}

export interface FilePaths {
  dir: string;
  parquet: string;
  index: string;
  parquetTmp: string;
  indexTmp: string;
}

export function filePaths(root: string, tenant: string, date: string, name: string): FilePaths {
  const dir = dayDir(root, tenant, date);
  return {
    dir,
    parquet: join(dir, `${name}.parquet`),
    index: join(dir, `_${name}.idx`),
    parquetTmp: join(dir, `_${name}.parquet.tmp`),
    indexTmp: join(dir, `_${name}.idx.tmp`),
  };
}
