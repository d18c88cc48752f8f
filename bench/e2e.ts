/**
 * End-to-end benchmark: a firehose replaying pre-generated live sales (event
 * time ≈ now) at a target rate into a separate `tpay run` process (ingest,
 * log, stream, serving and API in one), while this process polls each
 * tenant's `/v1/status` every 100 ms. Freshness is how far the newest
 * record visible in the API lags the wall clock: its ingest time to now,
 * which covers acknowledgement → visible and a little more.
 * Prints `name: value unit` lines (medians over --runs) and writes
 * bench-output/e2e.json.
 *
 * With `--format compact` the firehose sends the same records as compact
 * records (converted once, before the clock starts).
 *
 * Meanwhile a dashboard asks the server the query benchmark's mix (series
 * at every grain, geo scopes, top-N; query-mix.ts) at --query-rate per
 * second from --query-connections keep-alive connections, the first tenant's
 * read key: `query_under_load_p50_ms` / `_p99_ms` is what a dashboard
 * waits while ingest runs at the target rate (--query-rate 0: none).
 *
 *   npm run bench:e2e -- [--rate 100000] [--seconds 60] [--runs 1] [--connections 2] [--window 2048] [--format ndjson|compact] [--profile DIR] [--query-rate 50] [--query-connections 8]
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { provision } from '../src/cli/firehose-commands.js';
import { toCompactChunk } from '../src/firehose/compact-chunks.js';
import { writeFirehoseFiles } from '../src/firehose/files.js';
import type { LineChunk } from '../src/firehose/line-chunk.js';
import { sendTenants } from '../src/firehose/multi-tenant-sender.js';
import { preloadLineChunks, readLineChunks } from '../src/firehose/replay.js';
import { generateWorld } from '../src/firehose/world.js';
import { TenantStore } from '../src/tenants/tenant-store.js';
import { arg, median, percentile, processCpuSeconds, threadCpuSeconds } from './bench-args.js';
import { runLoad } from './query-load.js';
import { dashboardQueries } from './query-mix.js';

const CLI = fileURLToPath(new URL('../src/cli/main.js', import.meta.url));


const rate = arg('rate', 100_000);
const seconds = arg('seconds', 60);
const runs = arg('runs', 1);
const queryRate = arg('query-rate', 50);
const queryConnections = arg('query-connections', 8);
const TENANTS = 3;
/** Per tenant, as a point-of-sale fleet would (many terminals behind few gateways). */
const connections = arg('connections', 2);
/** Lines a connection may have unacknowledged: bounded, so the ack latency is the server's, not a queue in the sender. */
const windowLines = arg('window', 2048);
/** --profile DIR: the server writes V8 CPU profiles (one per thread) into DIR. */
const profileIdx = process.argv.indexOf('--profile');
const profileDir = profileIdx === -1 ? null : (process.argv[profileIdx + 1] ?? 'bench-output/profiles');
const formatIdx = process.argv.indexOf('--format');
const formatArg = formatIdx === -1 ? 'ndjson' : process.argv[formatIdx + 1];
if (formatArg !== 'ndjson' && formatArg !== 'compact') throw new Error(`--format must be ndjson or compact, got '${String(formatArg)}'`);
const format: 'ndjson' | 'compact' = formatArg;



interface Result {
  txPerS: number;
  freshP50: number;
  freshP99: number;
  freshMax: number;
  ackP99: number;
  peakRssMb: number;
  serverCpuCores: number;
  /** CPU of this process (the firehose sender and the dashboard client) over the run, in cores. */
  benchCpuCores: number;
  /** CPU µs per accepted transaction of the main thread (sockets, serving store, API) and of every other thread together. */
  mainCpuUs: number;
  otherCpuUs: number;
  /** The busiest threads other than main (ingest workers, stream worker, …), µs per transaction, busiest first. */
  topThreadsUs: number[];
  queryP50: number;
  queryP99: number;
  queriesPerS: number;
  queryErrors: number;
}

async function runOnce(): Promise<Result> {
  const root = mkdtempSync(join(tmpdir(), 'tpay-bench-e2e-'));
  try {
    // Live sales: event time from a little before now, so no business day is closed (no restatements).
    const perTenant = Math.ceil((rate * seconds) / TENANTS);
    const setDir = join(root, 'set');
    const world = generateWorld({ seed: 42, tenants: TENANTS, stores: 3000 });
    process.stderr.write(`generating ${String(perTenant * TENANTS)} live records\n`);
    await writeFirehoseFiles({ dir: setDir, world, records: { start: Date.now() - 3_600_000, records: perTenant, salesPerStoreDay: 60_000 } });
    const chunks: Record<string, LineChunk[]> = {};
    for (const t of world.tenants) {
      const id = t.tenant.tenant_id;
      const lines = await preloadLineChunks(readLineChunks(join(setDir, id, 'transactions.ndjson'), { chunkBytes: 1 << 20 }));
      chunks[id] = format === 'compact' ? lines.map((c) => toCompactChunk(c, id)) : lines;
    }
    const dataDir = join(root, 'data');
    const keys = provision(dataDir, setDir);
    const store = new TenantStore(dataDir);
    const readKeys = world.tenants.map((t) => store.createKey(t.tenant.tenant_id, 'read').secret);

    const profile = profileDir === null ? [] : ['--cpu-prof', '--cpu-prof-dir', profileDir];
    const proc = spawn(process.execPath, [...profile, CLI, '--data-dir', dataDir, '--log-level', 'warn', 'run', '--tcp-port', '0', '--http-port', '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
    const ports = await new Promise<{ tcp: number; http: number }>((resolve, reject) => {
      createInterface({ input: proc.stdout }).on('line', (l) => {
        if (!l.startsWith('{')) return;
        const m = JSON.parse(l) as { tcp_port: number; http_port: number };
        resolve({ tcp: m.tcp_port, http: m.http_port });
      });
      proc.once('exit', (c) => reject(new Error(`tpay run exited ${String(c)}`)));
    });
    const fresh: number[] = [];
    let sending = true;
    const t0 = performance.now();
    const poll = (async () => {
      while (sending) {
        await new Promise((r) => setTimeout(r, 100));
        const now = Date.now();
        for (const key of readKeys) {
          const res = await fetch(`http://127.0.0.1:${String(ports.http)}/v1/status`, { headers: { authorization: `Bearer ${key}` } });
          const body = (await res.json()) as { visible_received_at: string | null };
          // Skip the first two seconds: the stream has nothing to show yet.
          if (body.visible_received_at !== null && performance.now() - t0 > 2000) fresh.push(now - Date.parse(body.visible_received_at));
        }
      }
    })();
    const cpu0 = processCpuSeconds(proc.pid!);
    // The dashboard starts with the firehose (after the stream has had a second) and stops before it does.
    const queries =
      queryRate > 0
        ? new Promise((r) => setTimeout(r, 1000)).then(() =>
            runLoad({ port: ports.http, key: readKeys[0]!, requests: dashboardQueries(world).map((q) => q.req), concurrency: queryConnections, seconds: Math.max(1, seconds - 3), ratePerS: queryRate }),
          )
        : null;
    const threads0 = threadCpuSeconds(proc.pid!);
    const own0 = process.cpuUsage();
    const report = await sendTenants({ port: ports.tcp, keys, sources: chunks, connections, ratePerS: rate, maxUnackedLines: windowLines, format });
    const cpu1 = processCpuSeconds(proc.pid!);
    const threads1 = threadCpuSeconds(proc.pid!);
    const own = process.cpuUsage(own0);
    const q = queries === null ? null : await queries;
    if (q !== null && q.errors > 0) process.stderr.write(`${String(q.errors)} dashboard queries failed; first: ${String(q.firstError)}\n`);
    sending = false;
    await poll;
    const status = readFileSync(`/proc/${String(proc.pid)}/status`, 'utf8');
    const hwm = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
    proc.kill('SIGTERM');
    await new Promise((r) => proc.once('exit', r));
    const t = report.total;
    const perTx = (seconds: number): number => (seconds * 1e6) / Math.max(1, t.accepted);
    const used = [...threads1].map(([tid, a]) => {
      const b = threads0.get(tid) ?? { user: 0, system: 0 };
      return { tid, cpu: a.user - b.user + a.system - b.system };
    });
    const others = used.filter((u) => u.tid !== proc.pid).sort((a, b) => b.cpu - a.cpu);
    return {
      mainCpuUs: perTx(used.find((u) => u.tid === proc.pid)?.cpu ?? 0),
      otherCpuUs: perTx(others.reduce((n, u) => n + u.cpu, 0)),
      topThreadsUs: others.slice(0, 4).map((u) => +perTx(u.cpu).toFixed(2)),
      txPerS: (t.accepted * 1000) / t.elapsedMs,
      freshP50: percentile(fresh, 50),
      freshP99: percentile(fresh, 99),
      freshMax: Math.max(...fresh),
      ackP99: t.ackLatencyMs.p99,
      peakRssMb: hwm / 1024,
      serverCpuCores: (cpu1 - cpu0) / (t.elapsedMs / 1000),
      benchCpuCores: (own.user + own.system) / 1e3 / t.elapsedMs,
      queryP50: q === null ? NaN : percentile(q.latencies, 50),
      queryP99: q === null ? NaN : percentile(q.latencies, 99),
      queriesPerS: q === null ? 0 : q.latencies.length / q.elapsedS,
      queryErrors: q === null ? 0 : q.errors,
    };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const results: Result[] = [];
  for (let r = 0; r < runs; r++) {
    const res = await runOnce();
    results.push(res);
    process.stderr.write(
      `run ${String(r + 1)}: ${Math.round(res.txPerS)} tx/s, freshness p99 ${res.freshP99.toFixed(0)} ms, ack p99 ${res.ackP99.toFixed(0)} ms, server CPU ${res.serverCpuCores.toFixed(2)} cores, sender and dashboard ${res.benchCpuCores.toFixed(2)} cores; CPU µs/tx: main ${res.mainCpuUs.toFixed(2)}, other threads ${res.otherCpuUs.toFixed(2)} (busiest ${res.topThreadsUs.join(', ')})\n`,
    );
  }
  const m = (k: Exclude<keyof Result, 'topThreadsUs'>): number => median(results.map((x) => x[k]));
  const out: Record<string, string> = {
    e2e_format: format,
    e2e_target_tx_per_s: `${String(rate)} tx/s`,
    e2e_tx_per_s: `${String(Math.round(m('txPerS')))} tx/s`,
    freshness_p50_ms: `${m('freshP50').toFixed(0)} ms`,
    freshness_p99_ms: `${m('freshP99').toFixed(0)} ms`,
    freshness_max_ms: `${m('freshMax').toFixed(0)} ms`,
    ack_p99_ms: `${m('ackP99').toFixed(1)} ms`,
    server_peak_rss_mb: `${m('peakRssMb').toFixed(0)} MB`,
    server_cpu_cores: m('serverCpuCores').toFixed(2),
    // The firehose sender and the dashboard client, in this process: the same two cores.
    bench_cpu_cores: m('benchCpuCores').toFixed(2),
    main_cpu_us_per_tx: `${m('mainCpuUs').toFixed(2)} µs`,
    other_threads_cpu_us_per_tx: `${m('otherCpuUs').toFixed(2)} µs`,
    ...(queryRate > 0
      ? {
          query_under_load_p50_ms: `${m('queryP50').toFixed(1)} ms`,
          query_under_load_p99_ms: `${m('queryP99').toFixed(1)} ms`,
          queries_under_load_per_s: `${m('queriesPerS').toFixed(0)} q/s`,
          query_under_load_errors: String(m('queryErrors')),
        }
      : {}),
  };
  for (const [k, v] of Object.entries(out)) process.stdout.write(`${k}: ${v}\n`);
  mkdirSync('bench-output', { recursive: true });
  writeFileSync('bench-output/e2e.json', `${JSON.stringify({ ...out, runs: results }, null, 2)}\n`);
}

await main();
