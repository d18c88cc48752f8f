/**
 * JetStreamLog throughput in the shape ingest uses the log: 8 partitions,
 * one writer staging batches of 5,000 records of ~330 bytes and calling
 * commit() after each batch without waiting (calls coalesce while commits
 * are in flight; back-pressure at 4 MiB staged). A record counts once the
 * commit holding it has resolved, i.e. JetStream has acked every message.
 * Side by side in the same run: one JetStream message per record (acked
 * publishes, 8 partitions in parallel, 64 in flight), the shape the batched
 * messages replace; then one reader catching up on a partition.
 *
 * Run by bench/log.ts --log jetstream [--nats-url nats://…]; without a URL
 * it starts a nats-server on 127.0.0.1 with a fresh store and stops it after.
 */
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import type { NatsConnection } from '@nats-io/transport-node';
import { JetStreamLog } from '../src/log/jetstream-log.js';
import { startNatsServer } from '../test/support/nats-server.js';

const PARTITIONS = 8;
const BATCH = 5_000;
const BACKPRESSURE_BYTES = 4 << 20;

export interface JetStreamBenchOptions {
  url: string | undefined;
  rounds: number;
  records: number;
  payloads: readonly Uint8Array[];
}

export interface JetStreamRun {
  recordsPerS: number;
  commitP50Ms: number;
  commitP99Ms: number;
  recordsPerMessage: number;
  oneMessagePerRecordPerS: number;
  readRecordsPerS: number;
}

function quantile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
}

async function appendRun(nc: NatsConnection, stream: string, records: number, data: readonly Uint8Array[]): Promise<Omit<JetStreamRun, 'oneMessagePerRecordPerS' | 'readRecordsPerS'>> {
  const log = await JetStreamLog.open(nc, { stream, subjectPrefix: `bench.${stream.toLowerCase()}`, partitions: PARTITIONS });
  const writer = await log.openWriter([...Array(PARTITIONS).keys()]);
  const latenciesMs: number[] = [];
  let last: Promise<unknown> = Promise.resolve();
  const started = performance.now();
  for (let done = 0; done < records; done += BATCH) {
    for (let i = done; i < done + BATCH; i++) writer.append(i % PARTITIONS, data[i % data.length]!);
    const t = performance.now();
    last = writer.commit().then(() => {
      latenciesMs.push(performance.now() - t);
    });
    if (writer.stagedBytes >= BACKPRESSURE_BYTES) await last;
    else await new Promise((resolve) => setImmediate(resolve));
  }
  await last;
  const seconds = (performance.now() - started) / 1000;
  await log.close();
  const jsm = await jetstreamManager(nc);
  const messages = (await jsm.streams.info(stream)).state.messages;
  latenciesMs.sort((a, b) => a - b);
  const total = Math.ceil(records / BATCH) * BATCH;
  return {
    recordsPerS: total / seconds,
    commitP50Ms: quantile(latenciesMs, 0.5),
    commitP99Ms: quantile(latenciesMs, 0.99),
    recordsPerMessage: total / messages,
  };
}

/** One acked publish per record: 8 partitions, 8 publishes in flight on each. */
async function oneMessagePerRecord(nc: NatsConnection, stream: string, records: number, data: readonly Uint8Array[]): Promise<number> {
  const jsm = await jetstreamManager(nc);
  await jsm.streams.add({ name: stream, subjects: [`${stream.toLowerCase()}.p.*`] });
  const js = jetstream(nc);
  const perLane = Math.ceil(records / (PARTITIONS * 8));
  const started = performance.now();
  await Promise.all(
    Array.from({ length: PARTITIONS * 8 }, async (_, lane) => {
      for (let i = 0; i < perLane; i++) await js.publish(`${stream.toLowerCase()}.p.${String(lane % PARTITIONS)}`, data[(lane * perLane + i) % data.length]!);
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  await jsm.streams.delete(stream);
  return (perLane * PARTITIONS * 8) / seconds;
}

async function readRun(nc: NatsConnection, stream: string): Promise<number> {
  const log = await JetStreamLog.open(nc, { stream });
  const reader = await log.openReader(0, 0);
  let count = 0;
  const started = performance.now();
  for (let batch = await reader.read(10_000, 4 << 20); batch.length > 0; batch = await reader.read(10_000, 4 << 20)) count += batch.length;
  const seconds = (performance.now() - started) / 1000;
  await log.close();
  return count / seconds;
}

async function deleteLog(nc: NatsConnection, stream: string): Promise<void> {
  const jsm = await jetstreamManager(nc);
  for (const name of [stream, `KV_${stream}_STATE`, `KV_${stream}_LEASES`]) await jsm.streams.delete(name);
}

export async function runJetStreamBench(options: JetStreamBenchOptions, print: (line: string) => void): Promise<JetStreamRun[]> {
  const server = options.url === undefined ? await startNatsServer() : null;
  const nc = await connect({ servers: options.url ?? server!.url });
  const runs: JetStreamRun[] = [];
  try {
    for (let r = 1; r <= options.rounds; r++) {
      const stream = `TPAY_LOG_BENCH_${String(r)}`;
      const append = await appendRun(nc, stream, options.records, options.payloads);
      const readRecordsPerS = await readRun(nc, stream);
      await deleteLog(nc, stream);
      const single = await oneMessagePerRecord(nc, `TPAY_SINGLE_BENCH_${String(r)}`, Math.min(options.records, 40_000), options.payloads);
      const run = { ...append, readRecordsPerS, oneMessagePerRecordPerS: single };
      runs.push(run);
      print(
        `round ${String(r)} jetstream: ${run.recordsPerS.toFixed(0)} records/s, commit p50 ${run.commitP50Ms.toFixed(1)} ms, p99 ${run.commitP99Ms.toFixed(1)} ms, ` +
          `${run.recordsPerMessage.toFixed(0)} records/message; one message per record ${single.toFixed(0)} records/s; read ${readRecordsPerS.toFixed(0)} records/s`,
      );
    }
  } finally {
    await nc.close();
    await server?.stop();
  }
  return runs;
}
