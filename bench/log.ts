/**
 * SegmentLog throughput in the shape ingest uses it: 8 partitions, writer
 * threads that each open their own SegmentLog on one directory and write the
 * partitions p mod W == w, each behaving like a busy ingest worker (batches
 * of 5,000 records of ~330 bytes, commit() after each batch without waiting
 * for it, so calls coalesce while one is in flight; back-pressure at 4 MiB
 * staged). Per round, side by side: 'fsync' with 2 writers (the default
 * deployment), 'write' with 2 writers, 'fsync' with 1 writer; then one
 * reader thread catches up on everything the fsync round wrote.
 *
 *   node dist-log/bench/log.js [--rounds 3] [--records 3000000] [--json out.json]
 *   node dist/bench/log.js --log jetstream [--nats-url nats://…] [--records 500000]
 *
 * `--log jetstream` measures JetStreamLog instead (bench/log-jetstream.ts):
 * `jetstream_append_tx_per_s` counts records whose commits JetStream acked.
 *
 * Prints medians over rounds as `name: value`; --json writes every figure.
 * Each round uses fresh directories (OS temp dir) and default 64 MiB
 * segments, so roll-over and background pre-allocation are measured too.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import type { MessagePort } from 'node:worker_threads';
import { SegmentLog } from '../src/log/segment-log.js';
import { runJetStreamBench } from './log-jetstream.js';
import type { Durability } from '../src/log/segment-log-options.js';

const PARTITIONS = 8;
const BATCH = 5_000;
const PAYLOAD_BYTES = 330;
/** Staged bytes at which a writer waits for its commit: ~2.5 batches. */
const BACKPRESSURE_BYTES = 4 << 20;

interface WriterJob {
  dir: string;
  durability: Durability;
  partitions: number[];
  records: number;
}

interface WriterResult {
  latenciesMs: number[];
  commits: number;
}

interface Run {
  recordsPerS: number;
  commitP50Ms: number;
  commitP99Ms: number;
  recordsPerCommit: number;
}

/** Distinct JSON-like payloads of ~330 bytes, built once so the loop measures the log, not a generator. */
function payloads(count: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 0; i < count; i++) {
    const head = `{"tenant":"acme","terminal_id":"T-${String(i % 977).padStart(4, '0')}","seq":${String(i)},"ts":"2025-11-26T10:00:00.000Z","store_id":"S-${String(i % 50)}","amount_minor":${String(1000 + i)},"currency":"EUR","items":[`;
    out.push(Buffer.from(`${head}${'{"sku":"A-1","qty":1},'.repeat(20)}`.slice(0, PAYLOAD_BYTES - 2) + ']}'));
  }
  return out;
}

function quantile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
}

function median(values: readonly number[]): number {
  return quantile([...values].sort((a, b) => a - b), 0.5);
}

/** Worker thread: one ingest-like writer. Opens, says ready, writes on 'go', reports. */
async function writerThread(job: WriterJob, port: MessagePort): Promise<void> {
  const data = payloads(4096);
  const log = await SegmentLog.open(job.dir, { durability: job.durability });
  const writer = await log.openWriter(job.partitions);
  port.postMessage('ready');
  await new Promise((resolve) => port.once('message', resolve));
  const latenciesMs: number[] = [];
  const commits = new Set<ReadonlyMap<number, number>>();
  const mine = job.partitions;
  let last: Promise<unknown> = Promise.resolve();
  for (let done = 0; done < job.records; done += BATCH) {
    for (let i = done; i < done + BATCH; i++) writer.append(mine[i % mine.length]!, data[i % data.length]!);
    const t = performance.now();
    last = writer.commit().then((ends) => {
      latenciesMs.push(performance.now() - t);
      commits.add(ends);
    });
    // An ingest worker replies when the commit resolves but keeps decoding
    // meanwhile; it waits only under back-pressure.
    if (writer.stagedBytes >= BACKPRESSURE_BYTES) await last;
    else await new Promise((resolve) => setImmediate(resolve));
  }
  await last;
  const result: WriterResult = { latenciesMs, commits: commits.size };
  port.postMessage(result);
  await log.close();
}

async function writeRun(durability: Durability, writers: number, records: number): Promise<{ run: Run; dir: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'tpay-log-bench-'));
  await (await SegmentLog.open(dir, { partitions: PARTITIONS })).close();
  const threads = Array.from({ length: writers }, (_, w) => {
    const job: WriterJob = {
      dir,
      durability,
      partitions: [...Array(PARTITIONS).keys()].filter((p) => p % writers === w),
      records: Math.ceil(records / writers / BATCH) * BATCH,
    };
    return new Worker(new URL(import.meta.url), { workerData: job });
  });
  // Listen for exits now: a fast writer may exit before a slow one reports.
  const exited = Promise.all(threads.map((t) => new Promise((resolve) => t.once('exit', resolve))));
  const next = (): Promise<unknown[]> =>
    Promise.all(threads.map((t) => new Promise((resolve, reject) => t.once('message', resolve).once('error', reject))));
  await next();
  const started = performance.now();
  const done = next();
  for (const t of threads) t.postMessage('go');
  const results = (await done) as WriterResult[];
  const seconds = (performance.now() - started) / 1000;
  await exited;
  const latencies = results.flatMap((r) => r.latenciesMs).sort((a, b) => a - b);
  const total = Math.ceil(records / writers / BATCH) * BATCH * writers;
  const commits = results.reduce((n, r) => n + r.commits, 0);
  return {
    run: { recordsPerS: total / seconds, commitP50Ms: quantile(latencies, 0.5), commitP99Ms: quantile(latencies, 0.99), recordsPerCommit: total / commits },
    dir,
  };
}

async function readAll(dir: string): Promise<number> {
  const log = await SegmentLog.open(dir);
  let count = 0;
  const started = performance.now();
  for (let p = 0; p < PARTITIONS; p++) {
    const reader = await log.openReader(p, 0);
    for (let batch = await reader.read(10_000, 4 << 20); batch.length > 0; batch = await reader.read(10_000, 4 << 20)) count += batch.length;
  }
  const seconds = (performance.now() - started) / 1000;
  await log.close();
  return count / seconds;
}

function describe(name: string, run: Run): string {
  return `${name}: ${run.recordsPerS.toFixed(0)} records/s, commit p50 ${run.commitP50Ms.toFixed(2)} ms, p99 ${run.commitP99Ms.toFixed(2)} ms, ${run.recordsPerCommit.toFixed(0)} records/commit`;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      rounds: { type: 'string', default: '3' },
      records: { type: 'string' },
      json: { type: 'string' },
      log: { type: 'string', default: 'segment' },
      'nats-url': { type: 'string' },
    },
  });
  const rounds = Number(values.rounds);
  if (values.log === 'jetstream') {
    await jetstreamMain(rounds, Number(values.records ?? '500000'), values['nats-url'], values.json);
    return;
  }
  if (values.log !== 'segment') throw new Error(`--log is ${values.log}; expected segment or jetstream`);
  const records = Number(values.records ?? '3000000');
  const runs = { fsync: [] as Run[], write: [] as Run[], fsyncOneWriter: [] as Run[], readRecordsPerS: [] as number[] };
  for (let r = 1; r <= rounds; r++) {
    const fsync = await writeRun('fsync', 2, records);
    runs.fsync.push(fsync.run);
    console.log(describe(`round ${String(r)} fsync, 2 writers`, fsync.run));
    runs.readRecordsPerS.push(await readAll(fsync.dir));
    console.log(`round ${String(r)} read, 1 reader: ${runs.readRecordsPerS.at(-1)!.toFixed(0)} records/s`);
    await rm(fsync.dir, { recursive: true, force: true });
    for (const [key, durability, writers] of [
      ['write', 'write', 2],
      ['fsyncOneWriter', 'fsync', 1],
    ] as const) {
      const { run, dir } = await writeRun(durability, writers, records);
      runs[key].push(run);
      console.log(describe(`round ${String(r)} ${durability}, ${String(writers)} writer${writers > 1 ? 's' : ''}`, run));
      await rm(dir, { recursive: true, force: true });
    }
  }
  const figures = {
    log_fsync_records_per_s: Math.round(median(runs.fsync.map((x) => x.recordsPerS))),
    log_write_records_per_s: Math.round(median(runs.write.map((x) => x.recordsPerS))),
    log_commit_p50_ms: Number(median(runs.fsync.map((x) => x.commitP50Ms)).toFixed(2)),
    log_commit_p99_ms: Number(median(runs.fsync.map((x) => x.commitP99Ms)).toFixed(2)),
    log_read_records_per_s: Math.round(median(runs.readRecordsPerS)),
    log_fsync_one_writer_records_per_s: Math.round(median(runs.fsyncOneWriter.map((x) => x.recordsPerS))),
  };
  for (const [name, value] of Object.entries(figures)) console.log(`${name}: ${String(value)}`);
  console.log(`log_fsync_two_writers_over_one: ${(figures.log_fsync_records_per_s / figures.log_fsync_one_writer_records_per_s).toFixed(2)}`);
  console.log(`log_write_over_fsync: ${(figures.log_write_records_per_s / figures.log_fsync_records_per_s).toFixed(2)}`);
  if (values.json !== undefined) {
    const meta = { records, rounds, partitions: PARTITIONS, batch: BATCH, payloadBytes: PAYLOAD_BYTES };
    await writeFile(values.json, `${JSON.stringify({ ...meta, figures, runs }, null, 2)}\n`);
  }
}

async function jetstreamMain(rounds: number, records: number, url: string | undefined, json: string | undefined): Promise<void> {
  const runs = await runJetStreamBench({ url, rounds, records, payloads: payloads(4096) }, (line) => {
    console.log(line);
  });
  const figures = {
    jetstream_append_tx_per_s: Math.round(median(runs.map((r) => r.recordsPerS))),
    jetstream_commit_p50_ms: Number(median(runs.map((r) => r.commitP50Ms)).toFixed(1)),
    jetstream_commit_p99_ms: Number(median(runs.map((r) => r.commitP99Ms)).toFixed(1)),
    jetstream_records_per_message: Math.round(median(runs.map((r) => r.recordsPerMessage))),
    jetstream_one_message_per_tx_per_s: Math.round(median(runs.map((r) => r.oneMessagePerRecordPerS))),
    jetstream_read_records_per_s: Math.round(median(runs.map((r) => r.readRecordsPerS))),
  };
  for (const [name, value] of Object.entries(figures)) console.log(`${name}: ${String(value)}`);
  console.log(`jetstream_batched_over_one_message_per_tx: ${(figures.jetstream_append_tx_per_s / figures.jetstream_one_message_per_tx_per_s).toFixed(2)}`);
  if (json !== undefined) {
    const meta = { records, rounds, partitions: PARTITIONS, batch: BATCH, payloadBytes: PAYLOAD_BYTES };
    await writeFile(json, `${JSON.stringify({ ...meta, figures, runs }, null, 2)}\n`);
  }
}

if (isMainThread) await main();
else if (parentPort !== null) await writerThread(workerData as WriterJob, parentPort);
