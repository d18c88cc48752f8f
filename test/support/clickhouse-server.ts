/**
 * A real clickhouse-server for tests: a child process on 127.0.0.1 with a
 * config of its own (free HTTP and TCP ports, fresh data, tmp and log
 * directories under a temp dir), started, waited on through `/ping`, and
 * stopped (and its directory removed) on dispose.
 *
 * @example
 * const bin = clickHouseBinary();                   // null when not installed (throws under CI=true)
 * await using ch = await startClickHouse(bin!);
 * const wh = await ClickHouseWarehouse.open({ url: ch.url, database: ch.freshDatabase() });
 * await ch.restart({ signal: 'SIGKILL' });          // same data, same ports
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { get } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Where Debian's package (and ClickHouse's own packages) put the server; `CLICKHOUSE_SERVER` overrides. */
const CANDIDATES = ['/usr/sbin/clickhouse-server', '/usr/bin/clickhouse-server'];
/** 18.16 starts in well under a second on a quiet machine; a busy one gets much longer. */
const START_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 30_000;

/**
 * The server binary, or null when it is not installed. With `CI=true` a
 * missing server is an error: CI installs it (scripts/ensure-system-deps.sh),
 * so its absence must fail the run, not skip the tests.
 */
export function clickHouseBinary(): string | null {
  const override = process.env.CLICKHOUSE_SERVER;
  const found = override !== undefined && override !== '' ? (existsSync(override) ? override : null) : (CANDIDATES.find((p) => existsSync(p)) ?? null);
  if (found === null && process.env.CI === 'true') throw new Error(`clickhouse-server not found (looked for ${override ?? CANDIDATES.join(', ')}); run scripts/ensure-system-deps.sh`);
  return found;
}

export interface ClickHouseServer extends AsyncDisposable {
  /** Base URL of the HTTP interface, e.g. http://127.0.0.1:40123 */
  readonly url: string;
  readonly httpPort: number;
  /** The server's own directory (config, data, logs). */
  readonly dir: string;
  /** The server's process id now (a restart changes it), or null while stopped: for a benchmark's CPU accounting. */
  pid(): number | null;
  /** A database name no test of this server used before. */
  freshDatabase(prefix?: string): string;
  /** Stops the server (`SIGTERM`, or `SIGKILL` for a crash) and starts it again on the same data and ports. */
  restart(options?: { signal?: 'SIGTERM' | 'SIGKILL' }): Promise<void>;
  /** Stops the server and removes its directory. */
  stop(): Promise<void>;
}

/** A TCP port free on 127.0.0.1 right now. */
async function freePort(): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      const port = typeof addr === 'object' && addr !== null ? addr.port : 0;
      s.close(() => {
        resolve(port);
      });
    });
  });
}

function configXml(dir: string, httpPort: number, tcpPort: number): string {
  // <yandex> is the root 18.16 reads; current servers still accept it.
  return `<?xml version="1.0"?>
<yandex>
  <logger>
    <level>warning</level>
    <log>${dir}/log/server.log</log>
    <errorlog>${dir}/log/error.log</errorlog>
    <size>10M</size>
    <count>1</count>
  </logger>
  <listen_host>127.0.0.1</listen_host>
  <http_port>${String(httpPort)}</http_port>
  <tcp_port>${String(tcpPort)}</tcp_port>
  <keep_alive_timeout>3</keep_alive_timeout>
  <max_concurrent_queries>50</max_concurrent_queries>
  <path>${dir}/data/</path>
  <tmp_path>${dir}/tmp/</tmp_path>
  <user_files_path>${dir}/user_files/</user_files_path>
  <mark_cache_size>67108864</mark_cache_size>
  <uncompressed_cache_size>67108864</uncompressed_cache_size>
  <timezone>UTC</timezone>
  <users_config>${dir}/users.xml</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
</yandex>
`;
}

const USERS_XML = `<?xml version="1.0"?>
<yandex>
  <profiles>
    <default>
      <!-- The test machine is shared: two query threads, not one per core. -->
      <max_threads>2</max_threads>
    </default>
  </profiles>
  <users>
    <default>
      <password></password>
      <networks><ip>127.0.0.1</ip><ip>::1</ip></networks>
      <profile>default</profile>
      <quota>default</quota>
    </default>
  </users>
  <quotas><default></default></quotas>
</yandex>
`;

/** Starts a server from `binary` (see `clickHouseBinary`); throws, with the tail of its error log, if it does not answer `/ping`. */
export async function startClickHouse(binary: string, options: { dir?: string } = {}): Promise<ClickHouseServer> {
  // A given directory is kept, data and all (a benchmark's loaded tables); a temporary one is removed on stop.
  const kept = options.dir !== undefined;
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'tpay-clickhouse-'));
  for (const sub of ['data', 'tmp', 'log', 'user_files']) await mkdir(join(dir, sub), { recursive: true });
  const httpPort = await freePort();
  const tcpPort = await freePort();
  await writeFile(join(dir, 'config.xml'), configXml(dir, httpPort, tcpPort));
  await writeFile(join(dir, 'users.xml'), USERS_XML);
  const url = `http://127.0.0.1:${String(httpPort)}`;
  let child: ChildProcess | null = null;
  let databases = 0;

  const launch = async (): Promise<void> => {
    const c = spawn(binary, [`--config-file=${join(dir, 'config.xml')}`], { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
    child = c;
    let stderr = '';
    c.stderr?.on('data', (b: Buffer) => {
      stderr = (stderr + b.toString('utf8')).slice(-4000);
    });
    const exited = new Promise<number | null>((resolve) => c.once('exit', (code) => { resolve(code); }));
    const deadline = Date.now() + START_TIMEOUT_MS;
    for (;;) {
      const gone = await Promise.race([exited, new Promise<'alive'>((resolve) => setTimeout(() => { resolve('alive'); }, 100))]);
      if (gone !== 'alive') throw new Error(`clickhouse-server exited with ${String(gone)} while starting: ${stderr}${await errorLog(dir)}`);
      if (await ping(url)) return;
      if (Date.now() > deadline) {
        await terminate(c, 'SIGKILL');
        throw new Error(`clickhouse-server did not answer ${url}/ping within ${String(START_TIMEOUT_MS)} ms: ${stderr}${await errorLog(dir)}`);
      }
    }
  };

  const halt = async (signal: 'SIGTERM' | 'SIGKILL'): Promise<void> => {
    const c = child;
    child = null;
    if (c !== null) await terminate(c, signal);
  };

  try {
    await launch();
  } catch (err) {
    if (!kept) await rm(dir, { recursive: true, force: true });
    throw err;
  }
  const stop = async (): Promise<void> => {
    await halt('SIGTERM');
    if (!kept) await rm(dir, { recursive: true, force: true });
  };
  return {
    url,
    httpPort,
    dir,
    pid: () => (child as ChildProcess | null)?.pid ?? null,
    freshDatabase: (prefix = 'tpay_test') => `${prefix}_${String(process.pid)}_${String(++databases)}`,
    restart: async (options = {}) => {
      await halt(options.signal ?? 'SIGTERM');
      await launch();
    },
    stop,
    [Symbol.asyncDispose]: stop,
  };
}

/** One `/ping` on a fresh connection (no keep-alive socket outlives the test). */
function ping(url: string): Promise<boolean> {
  return new Promise<boolean>((resolve) => {
    const req = get(`${url}/ping`, { agent: false, timeout: 2000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => {
        resolve(res.statusCode === 200 && body === 'Ok.\n');
      });
      res.on('error', () => {
        resolve(false);
      });
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => {
      resolve(false);
    });
  });
}

/** Sends `signal` and waits for the exit; escalates to SIGKILL after STOP_TIMEOUT_MS. */
async function terminate(c: ChildProcess, signal: 'SIGTERM' | 'SIGKILL'): Promise<void> {
  if (c.exitCode !== null || c.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => c.once('exit', () => { resolve(); }));
  c.kill(signal);
  const timer = setTimeout(() => c.kill('SIGKILL'), STOP_TIMEOUT_MS);
  await exited;
  clearTimeout(timer);
}

async function errorLog(dir: string): Promise<string> {
  try {
    return `\n--- error.log ---\n${(await readFile(join(dir, 'log', 'error.log'), 'utf8')).slice(-4000)}`;
  } catch {
    return '';
  }
}
