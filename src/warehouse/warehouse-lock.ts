/**
 * One open writer per warehouse directory, across threads and processes: a
 * second one would clean up the first one's uncommitted files on open.
 *
 * Same mechanism as the log's partition locks (src/log/partition-lock.ts):
 * a listening Unix socket, which the kernel closes when its process dies, so
 * the lock is never stale after `kill -9`. Abstract namespace on Linux, a
 * socket file in the directory elsewhere.
 */
import { createHash } from 'node:crypto';
import { realpath, unlink } from 'node:fs/promises';
import { createServer } from 'node:net';
import type { Server } from 'node:net';
import { join } from 'node:path';
import { WarehouseLockedError, isErrno } from './errors.js';
import { listenExclusive, socketAnswers } from '../util/socket-lock.js';

export class WarehouseLock {
  private constructor(private readonly server: Server) {}

  /** Take the lock of `dir` (which must exist) or throw `WarehouseLockedError`. */
  static async acquire(dir: string): Promise<WarehouseLock> {
    const path = await lockAddress(dir);
    const server = createServer((socket) => socket.destroy());
    try {
      await listenExclusive(server, path);
    } catch (err) {
      if (!isErrno(err, 'EADDRINUSE')) throw err;
      if (path.startsWith('\0') || (await socketAnswers(path))) throw new WarehouseLockedError(dir, { cause: err });
      // A socket file nobody listens on: its owner died. Take it over.
      await unlink(path);
      try {
        await listenExclusive(server, path);
      } catch (again) {
        if (isErrno(again, 'EADDRINUSE')) throw new WarehouseLockedError(dir, { cause: again });
        throw again;
      }
    }
    // The lock must not keep a finished process alive.
    server.unref();
    return new WarehouseLock(server);
  }

  release(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => {
        resolve();
      });
    });
  }
}

async function lockAddress(dir: string): Promise<string> {
  if (process.platform === 'linux') {
    const id = createHash('sha256').update(await realpath(dir)).digest('hex').slice(0, 32);
    return `\0treasury-pay-warehouse/${id}`;
  }
  return join(dir, '_writer.sock');
}
