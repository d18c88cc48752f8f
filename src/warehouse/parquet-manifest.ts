/**
 * `_manifest.json`: the committed state of a Parquet warehouse, replaced
 * atomically (temp file, fsync, rename, fsync directory) at every commit.
 *
 * It is the single source of truth: a data file is part of the warehouse if
 * and only if the manifest lists it, and `committedOffset(p)` is the
 * manifest's `offsets[p]`. Writing the manifest *is* the commit of an
 * append, a compaction or a retention run; everything before it can be
 * thrown away after a crash, everything after it is redone on open.
 *
 * @example
 * { "format": 1, "generation": 42, "mergeSeq": 3, "offsets": { "0": 1500 },
 *   "files": [{ "tenant": "acme", "date": "2026-03-01", "name": "p0000-000000001200-000000001500", "rows": 298, "bytes": 21034 }] }
 */
import { open, readFile, rename } from 'node:fs/promises';
import { fsyncDir } from '../util/atomic-file.js';
import { dirname, join } from 'node:path';
import { WarehouseCorruptError, isErrno } from './errors.js';
import { MANIFEST_FILE, isDate, isFileName } from './parquet-layout.js';
import { isTenantId } from './warehouse.js';

export const MANIFEST_FORMAT = 1;

export interface ManifestFile {
  tenant: string;
  date: string;
  name: string;
  rows: number;
  bytes: number;
}

export interface Manifest {
  /** Bumped by every commit. */
  generation: number;
  /** Number of files compaction has written so far (names `m<seq>`). */
  mergeSeq: number;
  offsets: ReadonlyMap<number, number>;
  files: readonly ManifestFile[];
}

export const EMPTY_MANIFEST: Manifest = { generation: 0, mergeSeq: 0, offsets: new Map(), files: [] };

/** The manifest in `root`, or the empty one when there is none yet. */
export async function readManifest(root: string): Promise<Manifest> {
  const path = join(root, MANIFEST_FILE);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if (isErrno(err, 'ENOENT')) return EMPTY_MANIFEST;
    throw err;
  }
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (err) {
    throw new WarehouseCorruptError('the manifest is not valid JSON', path, { cause: err });
  }
  return parseManifest(v, path);
}

function parseManifest(v: unknown, path: string): Manifest {
  const fail = (what: string): never => {
    throw new WarehouseCorruptError(`bad manifest: ${what}`, path);
  };
  if (typeof v !== 'object' || v === null) return fail('not an object');
  const m = v as Record<string, unknown>;
  if (m.format !== MANIFEST_FORMAT) return fail(`format ${JSON.stringify(m.format)}, expected ${String(MANIFEST_FORMAT)}`);
  if (!Number.isSafeInteger(m.generation) || !Number.isSafeInteger(m.mergeSeq)) return fail('generation or mergeSeq');
  if (typeof m.offsets !== 'object' || m.offsets === null || !Array.isArray(m.files)) return fail('offsets or files');
  const offsets = new Map<number, number>();
  for (const [k, off] of Object.entries(m.offsets)) {
    const p = Number(k);
    if (!Number.isSafeInteger(p) || p < 0 || !Number.isSafeInteger(off) || (off as number) < 0) return fail(`offset ${k}`);
    offsets.set(p, off as number);
  }
  const files: ManifestFile[] = [];
  for (const f of m.files as unknown[]) {
    if (typeof f !== 'object' || f === null) return fail('file entry');
    const e = f as Record<string, unknown>;
    const { tenant, date, name, rows, bytes } = e;
    if (typeof tenant !== 'string' || !isTenantId(tenant)) return fail(`file tenant ${JSON.stringify(tenant)}`);
    if (typeof date !== 'string' || !isDate(date)) return fail(`file date ${JSON.stringify(date)}`);
    if (typeof name !== 'string' || !isFileName(name)) return fail(`file name ${JSON.stringify(name)}`);
    if (!Number.isSafeInteger(rows) || !Number.isSafeInteger(bytes)) return fail(`rows or bytes of ${name}`);
    files.push({ tenant, date, name, rows: rows as number, bytes: bytes as number });
  }
  return { generation: m.generation as number, mergeSeq: m.mergeSeq as number, offsets, files };
}

/**
 * First half of a commit: write `m` to the manifest's temp file and fsync
 * it. Nothing is committed yet; a failure here leaves the warehouse as it was.
 */
export async function stageManifest(root: string, m: Manifest): Promise<void> {
  const body = {
    format: MANIFEST_FORMAT,
    generation: m.generation,
    mergeSeq: m.mergeSeq,
    offsets: Object.fromEntries([...m.offsets].sort((a, b) => a[0] - b[0]).map(([p, o]) => [String(p), o])),
    files: m.files.map((f) => ({ tenant: f.tenant, date: f.date, name: f.name, rows: f.rows, bytes: f.bytes })),
  };
  const fh = await open(join(root, `${MANIFEST_FILE}.tmp`), 'w');
  try {
    await fh.writeFile(`${JSON.stringify(body)}\n`);
    await fh.datasync();
  } finally {
    await fh.close();
  }
}

/** Second half: rename the staged manifest into place and fsync the directory. This is the commit point. */
export async function publishManifest(root: string): Promise<void> {
  const path = join(root, MANIFEST_FILE);
  await rename(`${path}.tmp`, path);
  await fsyncDir(dirname(path));
}

