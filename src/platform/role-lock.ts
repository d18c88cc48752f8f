/**
 * One process per role per data directory: `tpay ingest`, `tpay stream`,
 * `tpay api` and the batch jobs each hold the lock of their role; `tpay run`
 * holds those of ingest, stream and api at once, so it never runs beside a
 * role process on the same directory.
 *
 * Same mechanism as the log's partition locks (src/log/partition-lock.ts): a
 * listening Unix socket, closed by the kernel when its process dies, so a
 * role restarted after `kill -9` never finds a stale lock (a pid file would be
 * wrong in a container, where the restarted process is pid 1 again).
 * Abstract namespace on Linux, a socket file under `<dataDir>/locks` elsewhere.
 * Limit: abstract sockets are per network namespace; two pods that share a
 * volume but not a network namespace are not kept apart (docs/scale-out.md).
 */
import { createHash } from 'node:crypto';
import { mkdirSync, realpathSync, unlinkSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { listenExclusive, socketAnswers } from '../util/socket-lock.js';

export const ROLES = ['ingest', 'stream', 'api', 'batch-forecasts', 'batch-reconcile', 'batch-compact'] as const;
export type Role = (typeof ROLES)[number];

export class RoleRunningError extends Error {
  override readonly name = 'RoleRunningError';
  readonly code = 'role_running';
}

/** How long a held lock is retried: the kernel may close a SIGKILLed owner's socket a moment after its parent saw it exit. */
const WAIT_MS = 2000;

function address(dataDir: string, role: Role): string {
  if (process.platform === 'linux') {
    const id = createHash('sha256').update(realpathSync(dataDir)).digest('hex').slice(0, 32);
    return `\0treasury-pay-role/${id}/${role}`;
  }
  const dir = join(dataDir, 'locks');
  mkdirSync(dir, { recursive: true });
  return join(dir, `${role}.sock`);
}

async function acquire(dataDir: string, role: Role): Promise<Server> {
  const path = address(dataDir, role);
  const deadline = performance.now() + WAIT_MS;
  for (;;) {
    // A fresh server per attempt: a failed listen leaves its callback on the old one.
    const server = createServer((socket) => socket.destroy());
    try {
      await listenExclusive(server, path);
      // The lock must not keep a finished process alive.
      server.unref();
      return server;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err;
      if (!path.startsWith('\0') && !(await socketAnswers(path))) {
        // A socket file nobody listens on: its owner died.
        unlinkSync(path);
        continue;
      }
      if (performance.now() >= deadline) {
        throw new RoleRunningError(`role '${role}' already runs on data directory '${dataDir}' (in another process: one per role per data directory)`, { cause: err });
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

/**
 * Takes the locks of `roles` on `dataDir`, all or none; resolves to the release function.
 * @example
 * const release = await lockRoles('/var/lib/tpay', ['stream']);
 * // … run the stream role …
 * await release();
 */
export async function lockRoles(dataDir: string, roles: readonly Role[]): Promise<() => Promise<void>> {
  mkdirSync(dataDir, { recursive: true });
  const held: Server[] = [];
  const release = async (): Promise<void> => {
    await Promise.all(held.splice(0).map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  };
  try {
    for (const role of roles) held.push(await acquire(dataDir, role));
  } catch (err) {
    await release();
    throw err;
  }
  return release;
}
