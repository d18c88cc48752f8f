/**
 * Locks made of listening Unix sockets (see log/partition-lock.ts for why:
 * the kernel closes a dead process's sockets, so such a lock is never stale).
 */
import { createConnection, type Server } from 'node:net';

/** Listens on `path` (an abstract name on Linux, or a socket file); rejects with EADDRINUSE when held. */
export function listenExclusive(server: Server, path: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    // exclusive: in a cluster worker, never share the handle through the primary.
    server.listen({ path, exclusive: true }, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

/** Whether anything listens on the socket file `path` (a file nobody answers on is left by a dead owner). */
export function socketAnswers(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ path });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => {
      resolve(false);
    });
  });
}
