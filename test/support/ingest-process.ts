/**
 * Runs `tpay ingest` as a separate OS process, so tests can `kill -9` it
 * for real and start it again on the same data directory and ports.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';

const CLI = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));

export interface IngestProcess {
  proc: ChildProcess;
  tcpPort: number;
  httpPort: number;
  stderr: string[];
  /** SIGKILL and wait for the exit. */
  kill9(): Promise<void>;
  /** SIGTERM and wait for a graceful exit. */
  stop(): Promise<number | null>;
}

/**
 * Starts `tpay ingest` (or another serving command, such as `run`) and waits
 * for its listening line. `wrap` is a command line the node process is
 * appended to and that must exec it, keeping the pid (e.g. a shell that
 * first moves itself into a cgroup).
 */
export async function startIngestProcess(dataDir: string, args: string[] = [], env: NodeJS.ProcessEnv = {}, command = 'ingest', wrap: readonly string[] = []): Promise<IngestProcess> {
  const argv = [process.execPath, CLI, '--data-dir', dataDir, '--log-level', 'warn', command, ...args];
  const [file, ...rest] = [...wrap, ...argv] as [string, ...string[]];
  const proc = spawn(file, rest, {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  const stderr: string[] = [];
  createInterface({ input: proc.stderr! }).on('line', (l) => {
    stderr.push(l);
    if (stderr.length > 200) stderr.shift();
  });
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  const ports = await new Promise<{ tcp: number; http: number }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${command} did not start in 60 s: ${stderr.join('\n')}`)), 60_000);
    createInterface({ input: proc.stdout! }).on('line', (l) => {
      // `tpay run` also prints plain lines for people.
      if (!l.startsWith('{')) return;
      const m = JSON.parse(l) as { event?: string; tcp_port: number; http_port: number };
      if (m.event === 'listening') {
        clearTimeout(timer);
        resolve({ tcp: m.tcp_port, http: m.http_port });
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`ingest exited with ${code} before listening: ${stderr.join('\n')}`));
    });
  });
  return {
    proc,
    tcpPort: ports.tcp,
    httpPort: ports.http,
    stderr,
    async kill9() {
      proc.kill('SIGKILL');
      await exited;
    },
    async stop() {
      proc.kill('SIGTERM');
      return exited;
    },
  };
}

/** A free loopback port (bound and released), for restarts on a fixed port. */
export async function freePort(): Promise<number> {
  const { createServer } = await import('node:net');
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      const port = typeof a === 'object' && a !== null ? a.port : 0;
      s.close(() => resolve(port));
    });
  });
}
