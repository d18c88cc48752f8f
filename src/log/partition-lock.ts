/**
 * One writer per partition, across threads and processes.
 *
 * The lock is a listening Unix socket named after the directory and the
 * partition. Why not a lock file: after `kill -9` a lock file stays behind,
 * and a PID check is wrong in containers, where the restarted server is PID 1
 * again. The kernel closes a dead process's sockets, so this lock can never
 * be stale. On Linux the socket lives in the abstract namespace (no file, no
 * path-length limit); elsewhere it is a socket file in the partition
 * directory, taken over when nothing answers on it.
 * Limit: abstract sockets are per network namespace, so two containers that
 * share a log directory but not a network namespace are not kept apart.
 */
import { createHash } from 'node:crypto';
import { mkdir, realpath, unlink } from 'node:fs/promises';
import { createServer } from 'node:net';
import type { Server } from 'node:net';
import { join } from 'node:path';
import { LogPartitionOwnedError, isErrno } from './errors.js';
import { partitionDirName } from './segment-file.js';
import { listenExclusive, socketAnswers } from '../util/socket-lock.js';

/** How long a held lock is retried before the partition counts as owned. */
const LOCK_WAIT_MS = 2000;

export class PartitionLock {
  private constructor(
    readonly partition: number,
    private readonly server: Server,
  ) {}

  /**
   * Take the lock of `partition` under `root` or throw LogPartitionOwnedError.
   * A lock still held is retried for up to `waitMs`: the kernel may close a
   * SIGKILLed owner's socket a moment after its parent has seen it exit (its
   * io_uring work is torn down asynchronously), and a restart must not fail on that.
   */
  static async acquire(root: string, partition: number, waitMs = LOCK_WAIT_MS): Promise<PartitionLock> {
    const path = await lockAddress(root, partition);
    const server = createServer((socket) => socket.destroy());
    const deadline = performance.now() + waitMs;
    try {
      for (;;) {
        try {
          await listenExclusive(server, path);
          break;
        } catch (err) {
          if (!isErrno(err, 'EADDRINUSE') || !path.startsWith('\0') || performance.now() >= deadline) throw err;
          await new Promise((r) => setTimeout(r, 50));
        }
      }
    } catch (err) {
      if (!isErrno(err, 'EADDRINUSE')) throw err;
      if (path.startsWith('\0') || (await socketAnswers(path))) throw new LogPartitionOwnedError(partition, { cause: err });
      // A socket file nobody listens on: its owner died. Take it over.
      await unlink(path);
      try {
        await listenExclusive(server, path);
      } catch (again) {
        if (isErrno(again, 'EADDRINUSE')) throw new LogPartitionOwnedError(partition, { cause: again });
        throw again;
      }
    }
    // The lock must not keep a finished process alive.
    server.unref();
    return new PartitionLock(partition, server);
  }

  async release(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.server.close(() => {
        resolve();
      });
    });
  }
}

/** Locks for all of `partitions`, or none (and the error of the first that failed). */
export async function acquirePartitionLocks(root: string, partitions: readonly number[]): Promise<PartitionLock[]> {
  const results = await Promise.allSettled(partitions.map((p) => PartitionLock.acquire(root, p)));
  const locks: PartitionLock[] = [];
  let failure: unknown = null;
  for (const r of results) {
    if (r.status === 'fulfilled') locks.push(r.value);
    else failure ??= r.reason;
  }
  if (failure === null) return locks;
  await Promise.all(locks.map((l) => l.release()));
  throw failure;
}

async function lockAddress(root: string, partition: number): Promise<string> {
  if (process.platform === 'linux') {
    const id = createHash('sha256').update(await realpath(root)).digest('hex').slice(0, 32);
    return `\0treasury-pay-log/${id}/${partitionDirName(partition)}`;
  }
  const dir = join(root, partitionDirName(partition));
  await mkdir(dir, { recursive: true });
  return join(dir, 'writer.sock');
}
