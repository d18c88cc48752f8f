/**
 * A real nats-server with JetStream for tests: on 127.0.0.1, on a free
 * port, with a fresh store directory, stopped (and its directory removed)
 * by `stop()`. `kill9()` and `restart()` crash it and bring it back on the
 * same port and store, as an operator's restart would.
 *
 * The binary is Debian's `nats-server` (scripts/ensure-system-deps.sh
 * installs it). When it is missing or does not start, `startNatsServer`
 * throws `NatsServerUnavailableError`; `skipUnlessCi` turns that into a
 * skip on a developer's machine and keeps it a failure with `CI=true`.
 *
 * @example
 * const nats = await startNatsServer().catch(skipUnlessCi);
 * if (nats !== null) { const nc = await connect({ servers: nats.url }); … await nats.stop(); }
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

export interface NatsServer {
  readonly url: string;
  readonly port: number;
  readonly storeDir: string;
  /** The server's process id now (a restart changes it): for a benchmark's CPU accounting. */
  pid(): number;
  /** SIGKILL, as a crash would: nothing is flushed or shut down cleanly. */
  kill9(): Promise<void>;
  /** SIGSTOP / SIGCONT: the server holds every request (and its socket buffers them) until resumed. */
  pause(): Promise<void>;
  resume(): void;
  /** Start again on the same port and store directory (after kill9). */
  restart(): Promise<void>;
  /** Stop the server and delete its store directory. */
  stop(): Promise<void>;
}

export class NatsServerUnavailableError extends Error {
  override readonly name = 'NatsServerUnavailableError';
}

/** On a developer's machine a missing nats-server skips (null); with CI=true it fails. */
export function skipUnlessCi(err: unknown): null {
  if (err instanceof NatsServerUnavailableError && process.env['CI'] !== 'true') return null;
  throw err;
}

const READY_LINE = 'Server is ready';
const START_TIMEOUT_MS = 15_000;

function findBinary(): string | null {
  const explicit = process.env['NATS_SERVER'];
  if (explicit !== undefined && explicit !== '') return explicit;
  // Debian installs it in /usr/sbin, which a non-root PATH may lack.
  const dirs = [...(process.env['PATH'] ?? '').split(delimiter), '/usr/sbin', '/usr/local/sbin'];
  for (const dir of dirs) {
    if (dir !== '' && existsSync(join(dir, 'nats-server'))) return join(dir, 'nats-server');
  }
  return null;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      srv.close(() => {
        resolve(port);
      });
    });
  });
}

/** Servers still running when the process exits are killed, so a failed test leaves none behind. */
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

async function launch(binary: string, port: number, storeDir: string): Promise<ChildProcess> {
  const child = spawn(binary, ['-js', '-a', '127.0.0.1', '-p', String(port), '-sd', storeDir], { stdio: ['ignore', 'ignore', 'pipe'] });
  running.add(child);
  child.once('exit', () => running.delete(child));
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      fail(`did not say "${READY_LINE}" within ${String(START_TIMEOUT_MS)} ms`);
    }, START_TIMEOUT_MS);
    const fail = (why: string): void => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new NatsServerUnavailableError(`nats-server on port ${String(port)} ${why}; its log:\n${output.slice(-2000)}`));
    };
    child.once('error', (err) => {
      fail(`could not be started: ${err.message}`);
    });
    const onExit = (code: number | null, signal: NodeJS.Signals | null): void => {
      fail(`exited with ${String(code ?? signal)}`);
    };
    child.once('exit', onExit);
    child.stderr!.setEncoding('utf8');
    const onData = (chunk: string): void => {
      output += chunk;
      if (!output.includes(READY_LINE)) return;
      clearTimeout(timer);
      child.off('exit', onExit);
      child.stderr!.off('data', onData);
      resolve();
    };
    child.stderr!.on('data', onData);
  });
  // Keep draining its log so the pipe never fills up and blocks the server.
  child.stderr!.resume();
  return child;
}

async function terminate(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill(signal);
  // A paused server must run again to act on SIGTERM.
  child.kill('SIGCONT');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

/**
 * Resolves once every thread of `pid` is stopped: SIGSTOP takes effect
 * asynchronously, and a thread running on another core could otherwise
 * still answer a request sent right after it.
 */
async function stopped(pid: number): Promise<void> {
  const deadline = Date.now() + 5000;
  for (;;) {
    const tasks = await readdir(`/proc/${String(pid)}/task`);
    const states = await Promise.all(
      tasks.map(async (t) => {
        const stat = await readFile(`/proc/${String(pid)}/task/${t}/stat`, 'utf8').catch(() => ') T');
        return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
      }),
    );
    if (states.every((state) => state === 'T' || state === 't')) return;
    if (Date.now() > deadline) throw new Error(`nats-server ${String(pid)} did not stop: thread states ${states.join('')}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

export async function startNatsServer(): Promise<NatsServer> {
  const binary = findBinary();
  if (binary === null) throw new NatsServerUnavailableError('nats-server is not installed (run scripts/ensure-system-deps.sh)');
  const storeDir = await mkdtemp(join(tmpdir(), 'tpay-nats-'));
  const port = await freePort();
  let child: ChildProcess;
  try {
    child = await launch(binary, port, storeDir);
  } catch (err) {
    await rm(storeDir, { recursive: true, force: true });
    throw err;
  }
  return {
    url: `nats://127.0.0.1:${String(port)}`,
    port,
    storeDir,
    pid: () => child.pid!,
    kill9: () => terminate(child, 'SIGKILL'),
    pause: async () => {
      child.kill('SIGSTOP');
      await stopped(child.pid!);
    },
    resume: () => {
      child.kill('SIGCONT');
    },
    restart: async () => {
      await terminate(child, 'SIGKILL');
      child = await launch(binary, port, storeDir);
    },
    stop: async () => {
      await terminate(child, 'SIGTERM');
      await rm(storeDir, { recursive: true, force: true });
    },
  };
}
