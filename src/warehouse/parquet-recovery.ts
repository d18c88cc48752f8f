/**
 * Opening a Parquet warehouse after a crash: finish what the manifest
 * committed, throw away what it did not.
 *
 * - A file the manifest lists but that is still under its temp name was
 *   committed just before the crash: rename it into place (roll forward).
 * - A temp file, or a data or index file the manifest does not list, belongs
 *   to an append, compaction or retention run that never committed (or to
 *   files a committed compaction or retention replaced): delete it. A replay
 *   of the same log offsets then writes the rows again exactly once.
 * - A missing or damaged index file is rebuilt from its Parquet file.
 */
import { access, readFile, readdir, rename, rmdir, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { WarehouseCorruptError, isErrno } from './errors.js';
import { parseFileIndex, serializeFileIndex } from './file-index.js';
import type { FileIndex } from './file-index.js';
import { MANIFEST_FILE, filePaths } from './parquet-layout.js';
import type { FilePaths } from './parquet-layout.js';
import type { Manifest } from './parquet-manifest.js';
import { fsyncDir, writeDurably } from '../util/atomic-file.js';

/** Roll committed files forward and delete everything uncommitted; returns the number of files deleted. */
export async function recoverFiles(root: string, manifest: Manifest): Promise<number> {
  const keep = new Set<string>();
  const dirty = new Set<string>();
  for (const f of manifest.files) {
    const p = filePaths(root, f.tenant, f.date, f.name);
    if (!(await exists(p.parquet))) {
      if (!(await exists(p.parquetTmp))) throw new WarehouseCorruptError(`committed file ${f.name}.parquet is missing`, p.dir);
      await rename(p.parquetTmp, p.parquet);
      dirty.add(p.dir);
    }
    if (!(await exists(p.index)) && (await exists(p.indexTmp))) {
      await rename(p.indexTmp, p.index);
      dirty.add(p.dir);
    }
    keep.add(p.parquet).add(p.index);
  }
  let deleted = 0;
  await unlinkIfExists(join(root, `${MANIFEST_FILE}.tmp`));
  for (const t of await listDirs(root, 'tenant=')) {
    const tenantPath = join(root, t);
    for (const d of await listDirs(tenantPath, 'date=')) {
      const dayPath = join(tenantPath, d);
      let left = 0;
      for (const name of await readdir(dayPath)) {
        const path = join(dayPath, name);
        const ours = name.endsWith('.parquet') || (name.startsWith('_') && (name.endsWith('.tmp') || name.endsWith('.idx')));
        if (!ours || keep.has(path)) {
          left++;
          continue;
        }
        await unlink(path);
        deleted++;
        dirty.add(dayPath);
      }
      if (left === 0) {
        await rmdir(dayPath);
        dirty.add(tenantPath);
      }
    }
    if ((await readdir(tenantPath)).length === 0) {
      await rmdir(tenantPath);
      dirty.add(root);
    }
  }
  for (const dir of dirty) await fsyncDir(dir);
  return deleted;
}

/**
 * The saved index of a data file, or (if it is missing, damaged or does not
 * match the file's row count) one rebuilt by `rebuild` and saved again.
 */
export async function loadIndex(paths: FilePaths, rows: number, rebuild: () => Promise<FileIndex>): Promise<FileIndex> {
  try {
    const ix = parseFileIndex(await readFile(paths.index));
    if (ix !== null && ix.rows === rows) return ix;
  } catch (err) {
    if (!isErrno(err, 'ENOENT')) throw err;
  }
  const ix = await rebuild();
  await writeDurably(paths.indexTmp, serializeFileIndex(ix));
  await rename(paths.indexTmp, paths.index);
  await fsyncDir(paths.dir);
  return ix;
}

async function listDirs(dir: string, prefix: string): Promise<string[]> {
  try {
    return (await readdir(dir, { withFileTypes: true })).filter((e) => e.isDirectory() && e.name.startsWith(prefix)).map((e) => e.name);
  } catch (err) {
    if (isErrno(err, 'ENOENT')) return [];
    throw err;
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch (err) {
    if (isErrno(err, 'ENOENT')) return false;
    throw err;
  }
}

export async function unlinkIfExists(path: string): Promise<void> {
  try {
    await unlink(path);
  } catch (err) {
    if (!isErrno(err, 'ENOENT')) throw err;
  }
}
