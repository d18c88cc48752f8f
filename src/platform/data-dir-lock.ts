/**
 * `<dataDir>/LOCK`: the pid of the process that runs ingest on the data
 * directory (`tpay run` or `tpay ingest`), so commands such as `tpay dlq
 * replay` know to go through it. A lock left by a dead process (kill -9) is
 * taken over. Which role runs where is kept apart by role locks
 * (role-lock.ts), which are never stale.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export class DataDirLockedError extends Error {
  override readonly name = 'DataDirLockedError';
  readonly code = 'data_dir_locked';
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The pid holding `dataDir`, if a live process does. */
export function lockOwner(dataDir: string): number | undefined {
  try {
    const pid = Number(readFileSync(join(dataDir, 'LOCK'), 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 && pid !== process.pid && alive(pid) ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** Takes the lock or throws naming the owner; returns the release function. */
export function lockDataDir(dataDir: string): () => void {
  mkdirSync(dataDir, { recursive: true });
  const owner = lockOwner(dataDir);
  if (owner !== undefined) throw new DataDirLockedError(`data directory '${dataDir}' is in use by process ${owner}`);
  const path = join(dataDir, 'LOCK');
  writeFileSync(path, `${process.pid}\n`);
  return () => rmSync(path, { force: true });
}
