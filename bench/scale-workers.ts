/**
 * One measured run of `bench:scale`: `n` real `tpay stream` worker
 * processes (lease mode), each in a cpu cgroup of its own held to the same
 * quota, consume the whole pre-loaded JetStream log into a fresh ClickHouse
 * serving database and a fresh lease bucket. The time is read from the
 * commit table the workers write: from the first claim (the first record
 * read follows it) to the last commit (`at_ms`, the workers' clocks on this
 * machine).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { JetStreamLeases } from '../src/log/jetstream-leases.js';
import { PARTITION_LEASE } from '../src/stream/leased-stream.js';
import { ClickHouseHttp } from '../src/warehouse/clickhouse-http.js';
import { startIngestProcess, type IngestProcess } from '../test/support/ingest-process.js';
import { processCpuSeconds } from './bench-args.js';
import { createCpuGroup, type CpuGroup } from './scale-cgroup.js';

export interface WorkerSettings {
  natsUrl: string;
  logStream: string;
  /** The log's partition count (the stream was created with it). */
  partitions: number;
  clickhouseUrl: string;
  servingDatabase: string;
  ttlMs: number;
  /** Null: the product's default (ttlMs / 3). */
  scanIntervalMs: number | null;
  batchRecords: number;
  batchMs: number;
}

/**
 * The workers' config file: the only place the bench spells config keys, so
 * a move of the NATS settings is a change here alone.
 */
export function workerConfig(s: WorkerSettings): Record<string, unknown> {
  return {
    adapters: { log: 'jetstream', serving: 'clickhouse' },
    nats: { servers: s.natsUrl, stream: s.logStream },
    log: { partitions: s.partitions },
    clickhouse: { url: s.clickhouseUrl, servingDatabase: s.servingDatabase },
    stream: {
      healthPort: 0,
      lease: { ttlMs: s.ttlMs, scanIntervalMs: s.scanIntervalMs, batchRecords: s.batchRecords, batchMs: s.batchMs },
    },
  };
}

export interface RunResult {
  workers: number;
  records: number;
  seconds: number;
  txPerS: number;
  /** ms after the first claim at which each worker was first seen holding a partition lease (polled every 200 ms). */
  firstHeldMs: number[];
  /** Changes of a partition lease's holder seen by that poll (start-up takes and re-balance hand-overs). */
  handOvers: number;
  /** ms after the first claim at which each partition's last batch committed. */
  partitionDoneMs: number[];
  /** Claims (each gain of a partition counts; hand-overs on re-balance add to the partition count). */
  claims: number;
  batches: number;
  /** CPU seconds each worker used (process total, start-up included), and its quota's share of the run. */
  workerCpuS: number[];
  throttledShare: number[];
  clickhouseCpuS: number;
  natsCpuS: number;
  /** Workers that did not exit within 30 s of SIGTERM after the run (killed). */
  stopHangs: number;
}

export interface RunContext {
  dataDir: string;
  nc: NatsConnection;
  settings: WorkerSettings;
  /** Log end offset of each partition (the pre-load). */
  ends: readonly number[];
  quotaCores: number;
  clickhousePid: number;
  natsPid: number;
  timeoutMs: number;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
/** A worker finishes its batches in hand and releases its leases on SIGTERM; longer than this is a failure. */
const STOP_TIMEOUT_MS = 30_000;

/** Runs `n` workers until every partition's commits reach the log end; stops them with SIGTERM. */
export async function runWorkers(n: number, ctx: RunContext): Promise<RunResult> {
  const { settings, ends } = ctx;
  // A fresh lease bucket: revisions (the epochs) start again, so the serving database must be fresh too.
  const jsm = await jetstreamManager(ctx.nc);
  await jsm.streams.delete(`KV_${settings.logStream}_STREAM_LEASES`).catch(() => false);
  const config = join(ctx.dataDir, `stream-${settings.servingDatabase}.json`);
  writeFileSync(config, JSON.stringify(workerConfig(settings)));
  const raw = new ClickHouseHttp({ url: settings.clickhouseUrl });
  await raw.query(`CREATE DATABASE IF NOT EXISTS ${settings.servingDatabase}`);
  const groups: CpuGroup[] = [];
  const workers: IngestProcess[] = [];
  const leases = await JetStreamLeases.open(ctx.nc, { bucket: `${settings.logStream}_STREAM_LEASES`, ttlMs: settings.ttlMs });
  const firstHeld = new Map<string, number>();
  const lastHolder = new Map<number, string | null>();
  let handOvers = 0;
  const cpu0 = { ch: processCpuSeconds(ctx.clickhousePid), nats: processCpuSeconds(ctx.natsPid) };
  try {
    for (let i = 0; i < n; i++) groups.push(createCpuGroup(`tpay-scale-${String(process.pid)}-w${String(i)}`, ctx.quotaCores));
    // Started together, as a deployment of n replicas would be; the first ones take every partition and hand some back.
    process.stderr.write(`# starting ${String(n)} worker(s)\n`);
    workers.push(...(await Promise.all(groups.map((g) => startIngestProcess(ctx.dataDir, [...(process.env['SCALE_WORKER_LOG'] === 'info' ? ['--log-level', 'info'] : []), '--health-port', '0'], { TPAY_CONFIG: config }, 'stream', g.wrap)))));
    process.stderr.write(`# ${String(n)} worker(s) listening\n`);
    const commits = `${settings.servingDatabase}.rollup_commits`;
    const deadline = Date.now() + ctx.timeoutMs;
    for (;;) {
      const body = (await raw.query(`SELECT log_partition, max(to_offset) FROM ${commits} GROUP BY log_partition FORMAT TabSeparated`).catch(() => Buffer.alloc(0))).toString();
      const at = new Map(body.trim().split('\n').filter((l) => l !== '').map((l) => l.split('\t').map(Number) as [number, number]));
      if (ends.every((end, p) => (at.get(p) ?? 0) >= end)) break;
      const now = Date.now();
      for (let p = 0; p < ends.length; p++) {
        const h = await leases.holderOf(PARTITION_LEASE(p));
        if (h !== null && !firstHeld.has(h)) firstHeld.set(h, now);
        if (h !== null && lastHolder.get(p) !== h) handOvers++;
        if (h !== null) lastHolder.set(p, h);
      }
      for (const w of workers) if (w.proc.exitCode !== null) throw new Error(`worker ${String(w.proc.pid)} exited with ${String(w.proc.exitCode)}: ${w.stderr.slice(-20).join('\n')}`);
      if (Date.now() > deadline) throw new Error(`${String(n)} workers: not every partition committed within ${String(ctx.timeoutMs)} ms (at ${JSON.stringify([...at])})`);
      await sleep(200);
    }
    const workerCpuS = workers.map((w) => processCpuSeconds(w.proc.pid!));
    const throttling = groups.map((g) => g.throttling());
    const clickhouseCpuS = processCpuSeconds(ctx.clickhousePid) - cpu0.ch;
    const natsCpuS = processCpuSeconds(ctx.natsPid) - cpu0.nats;
    // Stopped after the measurement: a worker that does not exit on SIGTERM is reported (and killed), not a failed measurement.
    const stopHangs = (
      await Promise.all(
        workers.map(async (w) => {
          const code = await Promise.race([w.stop(), sleep(STOP_TIMEOUT_MS).then(() => 'hung' as const)]);
          if (code === 'hung') {
            process.stderr.write(`# worker ${String(w.proc.pid)} did not exit within ${String(STOP_TIMEOUT_MS)} ms of SIGTERM; killed. Its last lines:\n${w.stderr.slice(-20).join('\n')}\n`);
            await w.kill9();
            return 1;
          }
          if (code !== 0) throw new Error(`worker ${String(w.proc.pid)} exited with ${String(code)} on SIGTERM: ${w.stderr.slice(-40).join('\n')}`);
          return 0;
        }),
      )
    ).reduce((a: number, b) => a + b, 0);
    // SCALE_WORKER_LOG=info|warn: the workers' log lines after the run (the last 200 of each), to see what a run's claims were about.
    if (process.env['SCALE_WORKER_LOG'] !== undefined) for (const w of workers) for (const l of w.stderr) process.stderr.write(`# ${String(w.proc.pid)} ${l}\n`);
    workers.length = 0;
    const rows = (await raw.query(`SELECT log_partition, epoch, from_offset, to_offset, at_ms FROM ${commits} ORDER BY at_ms FORMAT TabSeparated`)).toString();
    const commitRows = rows.trim().split('\n').map((l) => l.split('\t').map(Number) as [number, number, number, number, number]);
    const claimsOf = commitRows.filter(([, , from, to]) => from === to);
    const t0 = claimsOf[0]![4];
    const t1 = Math.max(...commitRows.map((r) => r[4]));
    const partitionDoneMs = ends.map((_, p) => Math.max(...commitRows.filter((r) => r[0] === p).map((r) => r[4])) - t0);
    const records = ends.reduce((a, b) => a + b, 0);
    const seconds = (t1 - t0) / 1000;
    return {
      workers: n,
      records,
      seconds,
      txPerS: records / seconds,
      firstHeldMs: [...firstHeld.values()].sort((a, b) => a - b).map((t) => t - t0),
      handOvers,
      partitionDoneMs,
      claims: new Set(claimsOf.map(([p, epoch]) => `${String(p)}/${String(epoch)}`)).size,
      batches: commitRows.length - claimsOf.length,
      workerCpuS,
      throttledShare: throttling.map((t) => (t.periods === 0 ? 0 : t.throttled / t.periods)),
      clickhouseCpuS,
      natsCpuS,
      stopHangs,
    };
  } finally {
    for (const w of workers) if (w.proc.exitCode === null && w.proc.signalCode === null) await w.kill9();
    for (const g of groups) g.remove();
    await raw.close();
  }
}
