/**
 * Ingest benchmark: a firehose replaying a pre-generated file (so record
 * generation does not eat the CPU) into a separate `tpay ingest` process on
 * loopback, durability on (fdatasync group commit), dedup on. The same
 * records are sent again as compact records (converted once, before
 * timing), same harness and durability, so the two wire formats compare
 * side by side; and once more as NDJSON with the log replaced by a no-op
 * sink, so the cost of durability shows as a ratio. Prints `name: value
 * unit` lines (medians over --runs) and writes bench-output/ingest.json.
 *
 *   npm run bench:ingest -- [--records-per-tenant 2500000] [--runs 3] [--connections 2] [--workers 2] [--window 512] [--durable-only] [--profile DIR]
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { writeFirehoseFiles } from '../src/firehose/files.js';
import { toCompactChunk, type CompactConversion } from '../src/firehose/compact-chunks.js';
import { sendTenants } from '../src/firehose/multi-tenant-sender.js';
import type { LineChunk } from '../src/firehose/line-chunk.js';
import { preloadLineChunks, readLineChunks } from '../src/firehose/replay.js';
import { generateWorld } from '../src/firehose/world.js';
import { provision } from '../src/cli/firehose-commands.js';
import { arg, median, processCpuSeconds, threadCpuSeconds } from './bench-args.js';

const CLI = fileURLToPath(new URL('../src/cli/main.js', import.meta.url));


const recordsPerTenant = arg('records-per-tenant', 2_500_000);
const runs = arg('runs', 3);
const connections = arg('connections', 2);
const workers = arg('workers', 2);
/** Unacknowledged lines per connection: by Little's law this, not the server, sets ack latency. */
const windowLines = arg('window', 512);
const seed = 42;
/** --durable-only: skip the no-op sink runs (for A/B comparisons of the durable path). */
const durableOnly = process.argv.includes('--durable-only');
/** --profile DIR: the server writes V8 CPU profiles (one per thread) into DIR. */
const profileIdx = process.argv.indexOf('--profile');
const profileDir = profileIdx === -1 ? null : process.argv[profileIdx + 1] ?? 'bench-output/profiles';


async function dataset(): Promise<string> {
  const dir = join('bench-output', `ingest-data-s${seed}-r${recordsPerTenant}`);
  if (existsSync(join(dir, 'truth.json'))) return dir;
  process.stderr.write(`generating ${recordsPerTenant} records per tenant into ${dir} (once; reused by later runs)\n`);
  const t0 = performance.now();
  const world = generateWorld({ seed, tenants: 3, stores: 3000 });
  // Event time ends about now so no record is "in the future".
  const days = 60;
  await writeFirehoseFiles({ dir, world, records: { start: Date.now() - days * 86_400_000, records: recordsPerTenant, salesPerStoreDay: (recordsPerTenant / 1000 / days) * 1.2 } });
  process.stderr.write(`generated in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
  return dir;
}

interface RunResult {
  txPerS: number;
  /** CPU time of the server process (all threads) and of this sending process, per second of the run. */
  serverCpuCores: number;
  senderCpuCores: number;
  /** Share of the run each thread was busy (0..1). */
  mainBusy: number;
  workersBusy: number;
  accepted: number;
  elapsedS: number;
  ackP50: number;
  ackP99: number;
  ackMax: number;
  peakRssMb: number;
  /** CPU µs per accepted transaction (user + system): the main thread, the ingest workers together, every other thread (V8 helpers, libuv's pool). */
  mainCpuUs: number;
  workerCpuUs: number;
  otherCpuUs: number;
  /** System (kernel) share of the whole server's CPU. */
  systemShare: number;
}

/**
 * Splits the CPU the server used between runs into threads: the main
 * thread by its id, the `workers` busiest others as the ingest workers,
 * the rest together.
 */
function cpuByThread(pid: number, before: ReturnType<typeof threadCpuSeconds>, after: ReturnType<typeof threadCpuSeconds>): { main: number; workers: number; other: number; system: number } {
  const used = [...after].map(([tid, a]) => {
    const b = before.get(tid) ?? { user: 0, system: 0 };
    return { tid, cpu: a.user - b.user + a.system - b.system, system: a.system - b.system };
  });
  const main = used.find((u) => u.tid === pid)?.cpu ?? 0;
  const rest = used.filter((u) => u.tid !== pid).sort((a, b) => b.cpu - a.cpu);
  const sum = (xs: { cpu: number }[]): number => xs.reduce((n, x) => n + x.cpu, 0);
  return { main, workers: sum(rest.slice(0, workers)), other: sum(rest.slice(workers)), system: used.reduce((n, u) => n + u.system, 0) };
}

/** CPU seconds (user + system, all threads) of a process, from /proc/<pid>/stat (Linux; USER_HZ = 100). */

/** Busy seconds per thread from the server's Prometheus metrics. */
async function threadActive(httpPort: number): Promise<Map<string, number>> {
  const text = await (await fetch(`http://127.0.0.1:${httpPort}/metrics`)).text();
  const out = new Map<string, number>();
  for (const m of text.matchAll(/^tpay_ingest_thread_active_seconds_total\{thread="([^"]+)"\} ([0-9.e+-]+)$/gm)) out.set(m[1]!, Number(m[2]));
  return out;
}

type Mode = 'ndjson' | 'compact' | 'noop';

async function runOnce(setDir: string, dataDir: string, chunks: Record<string, LineChunk[]>, mode: Mode): Promise<RunResult> {
  const keys = provision(dataDir, setDir);
  const sink = mode === 'noop' ? 'none' : 'log';
  const profile = profileDir === null ? [] : ['--cpu-prof', '--cpu-prof-dir', join(profileDir, mode)];
  const proc = spawn(process.execPath, [...profile, CLI, '--data-dir', dataDir, '--log-level', 'warn', 'ingest', '--tcp-port', '0', '--http-port', '0', '--workers', String(workers)], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, TPAY_LOG__SINK: sink, TPAY_LOG__DURABILITY: 'fsync' },
  });
  const { port, httpPort } = await new Promise<{ port: number; httpPort: number }>((resolve, reject) => {
    createInterface({ input: proc.stdout }).once('line', (l) => {
      const m = JSON.parse(l) as { tcp_port: number; http_port: number };
      resolve({ port: m.tcp_port, httpPort: m.http_port });
    });
    proc.once('exit', (c) => reject(new Error(`ingest exited ${c}`)));
  });
  const before = await threadActive(httpPort);
  const cpuBefore = processCpuSeconds(proc.pid!);
  const threadsBefore = threadCpuSeconds(proc.pid!);
  const selfBefore = process.cpuUsage();
  const report = await sendTenants({ port, keys, sources: chunks, connections, ratePerS: 0, maxUnackedLines: windowLines, format: mode === 'compact' ? 'compact' : 'ndjson' });
  const self = process.cpuUsage(selfBefore);
  const cpuAfter = processCpuSeconds(proc.pid!);
  const threads = cpuByThread(proc.pid!, threadsBefore, threadCpuSeconds(proc.pid!));
  const after = await threadActive(httpPort);
  const status = readFileSync(`/proc/${proc.pid}/status`, 'utf8');
  const hwm = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
  proc.kill('SIGTERM');
  await new Promise((r) => proc.once('exit', r));
  const t = report.total;
  const busy = (thread: string): number => ((after.get(thread) ?? 0) - (before.get(thread) ?? 0)) / (t.elapsedMs / 1000);
  const workerThreads = [...after.keys()].filter((k) => k.startsWith('worker-'));
  const seconds = t.elapsedMs / 1000;
  return {
    serverCpuCores: (cpuAfter - cpuBefore) / seconds,
    senderCpuCores: (self.user + self.system) / 1e6 / seconds,
    mainBusy: busy('main'),
    workersBusy: workerThreads.reduce((n, k) => n + busy(k), 0) / Math.max(1, workerThreads.length),
    txPerS: (t.accepted * 1000) / t.elapsedMs,
    accepted: t.accepted,
    elapsedS: t.elapsedMs / 1000,
    ackP50: t.ackLatencyMs.p50,
    ackP99: t.ackLatencyMs.p99,
    ackMax: t.ackLatencyMs.max,
    peakRssMb: hwm / 1024,
    mainCpuUs: (threads.main * 1e6) / t.accepted,
    workerCpuUs: (threads.workers * 1e6) / t.accepted,
    otherCpuUs: (threads.other * 1e6) / t.accepted,
    systemShare: threads.system / Math.max(1e-9, threads.main + threads.workers + threads.other),
  };
}

async function main(): Promise<void> {
  const setDir = await dataset();
  const tenants = (JSON.parse(readFileSync(join(setDir, 'tenants.json'), 'utf8')) as { tenants: { tenant_id: string }[] }).tenants.map((t) => t.tenant_id);
  const chunks: Record<string, LineChunk[]> = {};
  let lines = 0;
  for (const t of tenants) {
    chunks[t] = await preloadLineChunks(readLineChunks(join(setDir, t, 'transactions.ndjson'), { chunkBytes: 4 << 20 }));
    lines += chunks[t].reduce((n, c) => n + c.lines, 0);
  }
  // The same records as compact frames, converted once here so the sender's CPU is not measured.
  const conversion: CompactConversion = { lines: 0, unconverted: 0 };
  const compactChunks: Record<string, LineChunk[]> = {};
  for (const t of tenants) compactChunks[t] = chunks[t]!.map((c) => toCompactChunk(c, t, conversion));
  const bytes = (cs: Record<string, LineChunk[]>): number => Object.values(cs).reduce((n, l) => n + l.reduce((m, c) => m + c.data.length, 0), 0);
  process.stderr.write(`compact: ${conversion.lines - conversion.unconverted} of ${conversion.lines} lines converted, ${(bytes(compactChunks) / 1e6).toFixed(0)} MB against ${(bytes(chunks) / 1e6).toFixed(0)} MB of NDJSON\n`);
  process.stderr.write(`replaying ${lines} preloaded lines, ${tenants.length} tenants × ${connections} connections (window ${windowLines} lines each), ${workers} ingest workers, ${runs} run(s) per mode\n`);
  const results: Record<Mode, RunResult[]> = { ndjson: [], compact: [], noop: [] };
  const names: Record<Mode, string> = { ndjson: 'durable NDJSON', compact: 'durable compact', noop: 'no-op sink NDJSON' };
  for (let r = 0; r < runs; r++) {
    // Alternate the modes so drift on a shared machine hits all alike.
    for (const mode of durableOnly ? (['ndjson', 'compact'] as const) : (['ndjson', 'compact', 'noop'] as const)) {
      const dir = mkdtempSync(join(tmpdir(), 'tpay-bench-'));
      try {
        const res = await runOnce(setDir, dir, mode === 'compact' ? compactChunks : chunks, mode);
        results[mode].push(res);
        process.stderr.write(
          `run ${r + 1} ${names[mode]}: ${Math.round(res.txPerS)} tx/s over ${res.elapsedS.toFixed(1)} s, ack p99 ${res.ackP99.toFixed(1)} ms, peak RSS ${res.peakRssMb.toFixed(0)} MB, CPU cores: server ${res.serverCpuCores.toFixed(2)}, sender ${res.senderCpuCores.toFixed(2)}; CPU µs/tx: main ${res.mainCpuUs.toFixed(2)}, workers ${res.workerCpuUs.toFixed(2)}, other threads ${res.otherCpuUs.toFixed(2)} (${(res.systemShare * 100).toFixed(0)} % system)\n`,
        );
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
  }
  const m = (mode: 'segment' | 'compact' | 'none', k: keyof RunResult): number => median(results[mode === 'segment' ? 'ndjson' : mode === 'none' ? 'noop' : 'compact'].map((x) => x[k]));
  const out = {
    ingest_tx_per_s: Math.round(m('segment', 'txPerS')),
    ingest_compact_tx_per_s: Math.round(m('compact', 'txPerS')),
    compact_vs_ndjson_ratio: +(m('compact', 'txPerS') / m('segment', 'txPerS')).toFixed(3),
    compact_ack_p50_ms: +m('compact', 'ackP50').toFixed(2),
    compact_ack_p99_ms: +m('compact', 'ackP99').toFixed(2),
    compact_server_cpu_us_per_tx: +((m('compact', 'serverCpuCores') / m('compact', 'txPerS')) * 1e6).toFixed(2),
    compact_server_cpu_cores: +m('compact', 'serverCpuCores').toFixed(2),
    compact_server_peak_rss_mb: Math.round(m('compact', 'peakRssMb')),
    ack_p50_ms: +m('segment', 'ackP50').toFixed(2),
    ack_p99_ms: +m('segment', 'ackP99').toFixed(2),
    ack_max_ms: +m('segment', 'ackMax').toFixed(2),
    server_peak_rss_mb: Math.round(m('segment', 'peakRssMb')),
    run_seconds: +m('segment', 'elapsedS').toFixed(1),
    noop_ingest_tx_per_s: Math.round(m('none', 'txPerS')),
    noop_ack_p50_ms: +m('none', 'ackP50').toFixed(2),
    noop_ack_p99_ms: +m('none', 'ackP99').toFixed(2),
    noop_server_peak_rss_mb: Math.round(m('none', 'peakRssMb')),
    durable_vs_noop_ratio: +(m('segment', 'txPerS') / m('none', 'txPerS')).toFixed(3),
    main_thread_busy_ratio: +m('segment', 'mainBusy').toFixed(3),
    worker_busy_ratio: +m('segment', 'workersBusy').toFixed(3),
    server_cpu_cores: +m('segment', 'serverCpuCores').toFixed(2),
    sender_cpu_cores: +m('segment', 'senderCpuCores').toFixed(2),
    noop_server_cpu_cores: +m('none', 'serverCpuCores').toFixed(2),
    server_cpu_us_per_tx: +((m('segment', 'serverCpuCores') / m('segment', 'txPerS')) * 1e6).toFixed(2),
    main_cpu_us_per_tx: +m('segment', 'mainCpuUs').toFixed(2),
    worker_cpu_us_per_tx: +m('segment', 'workerCpuUs').toFixed(2),
    other_threads_cpu_us_per_tx: +m('segment', 'otherCpuUs').toFixed(2),
    compact_worker_cpu_us_per_tx: +m('compact', 'workerCpuUs').toFixed(2),
    noop_server_cpu_us_per_tx: +((m('none', 'serverCpuCores') / m('none', 'txPerS')) * 1e6).toFixed(2),
  };
  const units: Record<string, string> = { ms: 'ms', mb: 'MB', tx_per_s: 'tx/s', seconds: 's', ratio: '' };
  for (const [k, v] of Object.entries(out)) {
    if (!Number.isFinite(v)) continue;
    const unit = Object.entries(units).find(([suffix]) => k.endsWith(suffix))?.[1] ?? '';
    process.stdout.write(`${k}: ${v}${unit === '' ? '' : ` ${unit}`}\n`);
  }
  mkdirSync('bench-output', { recursive: true });
  writeFileSync('bench-output/ingest.json', `${JSON.stringify({ ...out, runs: results }, null, 2)}\n`);
}

await main();
