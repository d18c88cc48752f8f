/**
 * fallocate(1) through one long-lived shell per thread, instead of a new
 * child process per spare segment.
 *
 * Spawning forks the calling process, and a fork copies its page tables:
 * with an ingest process of ~300 MB that held the calling thread (an ingest
 * worker, which is also decoding and committing) for several milliseconds
 * per spare, ~8 % of a worker's profile in the compact benchmark, and every
 * ack waiting on that worker waited with it. The shell is spawned once,
 * when the log opens and the process is still small; each request is two
 * lines on its stdin (length, path), each answer one line (0 = reserved).
 *
 * Requests are answered in order. If the shell cannot start or dies, the
 * requests waiting get `false` (the caller then writes zeros, as when the
 * command is missing) and the next request starts a new shell.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import type { Socket } from 'node:net';

/** Reads (length, path) pairs; answers 0 when fallocate(1) reserved the blocks, 1 otherwise. */
const SCRIPT = 'while IFS= read -r len && IFS= read -r path; do if fallocate --length "$len" -- "$path" 2>/dev/null; then echo 0; else echo 1; fi; done';
/** An answer slower than this is treated as a failure (zeros are written instead), as with the per-call timeout before. */
const TIMEOUT_MS = 60_000;

interface Waiter {
  resolve(ok: boolean): void;
  timer: NodeJS.Timeout;
}

class FallocateShell {
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly waiting: Waiter[] = [];
  private tail = '';
  dead = false;

  constructor(onDead: (s: FallocateShell) => void) {
    this.child = spawn('sh', ['-c', SCRIPT], { stdio: ['pipe', 'pipe', 'ignore'] as const }) as unknown as ChildProcessWithoutNullStreams;
    const die = (): void => {
      if (this.dead) return;
      this.dead = true;
      onDead(this);
      for (const w of this.waiting.splice(0)) {
        clearTimeout(w.timer);
        w.resolve(false);
      }
      this.child.kill();
    };
    this.child.on('error', die);
    this.child.on('exit', die);
    this.child.stdin.on('error', die);
    this.child.stdout.setEncoding('latin1');
    this.child.stdout.on('data', (s: string) => {
      const text = this.tail + s;
      let from = 0;
      for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n', from)) {
        const w = this.waiting.shift();
        if (w !== undefined) {
          clearTimeout(w.timer);
          w.resolve(text.slice(from, nl) === '0');
        }
        from = nl + 1;
      }
      this.tail = text.slice(from);
      this.updateRef();
    });
    this.updateRef();
  }

  /** Holds the event loop open only while an answer is awaited (an idle shell must not keep a process alive). */
  private updateRef(): void {
    // The pipes are sockets; their stream types do not show ref/unref.
    const out = this.child.stdout as unknown as Socket;
    const input = this.child.stdin as unknown as Socket;
    if (this.waiting.length > 0) {
      this.child.ref();
      out.ref();
    } else {
      this.child.unref();
      out.unref();
      input.unref();
    }
  }

  request(path: string, bytes: number): Promise<boolean> {
    if (this.dead || path.includes('\n')) return Promise.resolve(false);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        // An answer that never comes would shift every later one: start over with a new shell.
        this.child.kill();
      }, TIMEOUT_MS);
      timer.unref();
      this.waiting.push({ resolve, timer });
      this.updateRef();
      this.child.stdin.write(`${String(bytes)}\n${path}\n`);
    });
  }
}

let shell: FallocateShell | null = null;

function current(): FallocateShell {
  shell ??= new FallocateShell((s) => {
    if (shell === s) shell = null;
  });
  return shell;
}

/** Starts the shell now (while the process is small), so that later requests do not fork. */
export function startFallocateHelper(): void {
  current();
}

/**
 * Reserves `bytes` for a new file at `path` with fallocate(1).
 * @example await fallocateFile('/data/log/p00/next.spare.tmp', 64 << 20) // true, or false where it cannot
 */
export function fallocateFile(path: string, bytes: number): Promise<boolean> {
  return current().request(path, bytes);
}
