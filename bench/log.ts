/**
 * SegmentLog throughput: a busy ingest worker's pattern (5,000 records of ~330
 * bytes per commit over 8 partitions, the next batch staged while a commit is
 * in flight), 'fsync' and 'write' durability side by side in each round, then
 * a catch-up read of everything written.
 *
 *   node dist-log/bench/log.js [--rounds 3] [--records 3000000] [--json out.json]
 *
 * Prints the median over rounds as `name: value`; writes all figures as JSON
 * with --json. Each round uses a fresh directory under the OS temp dir with
 * the default 64 MiB segments, so segment roll-over and the background
 * pre-allocation of the next segment are part of what is measured.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { SegmentLog } from '../src/log/segment-log.js';
import type { Durability, Preallocation } from '../src/log/segment-log-options.js';

const PARTITIONS = 8;
const RECORDS_PER_COMMIT = 5_000;
const PAYLOAD_BYTES = 330;

interface WriteRound {
  recordsPerS: number;
  commitP50Ms: number;
  commitP99Ms: number;
  seconds: number;
}

/** Distinct, JSON-like payloads of ~330 bytes, built once so the loop measures the log, not the generator. */
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

async function writeRound(dir: string, durability: Durability, records: number, data: readonly Uint8Array[]): Promise<WriteRound> {
  const preallocation = (process.env.TPAY_LOG_PREALLOCATION ?? 'fallocate') as Preallocation;
  const log = await SegmentLog.open(dir, { partitions: PARTITIONS, durability, preallocation });
  const writer = await log.openWriter([...Array(PARTITIONS).keys()]);
  const latencies: number[] = [];
  let pending: Promise<unknown> | null = null;
  const started = performance.now();
  for (let done = 0; done < records; done += RECORDS_PER_COMMIT) {
    for (let i = done; i < done + RECORDS_PER_COMMIT; i++) writer.append(i % PARTITIONS, data[i % data.length]!);
    const t = performance.now();
    const commit = writer.commit().then(() => latencies.push(performance.now() - t));
    // Stage the next batch while this commit is in flight, as ingest does.
    if (pending !== null) await pending;
    pending = commit;
  }
  await pending;
  const seconds = (performance.now() - started) / 1000;
  await log.close();
  latencies.sort((a, b) => a - b);
  return { recordsPerS: records / seconds, commitP50Ms: quantile(latencies, 0.5), commitP99Ms: quantile(latencies, 0.99), seconds };
}

async function readAll(dir: string): Promise<number> {
  const log = await SegmentLog.open(dir);
  let count = 0;
  const started = performance.now();
  for (let p = 0; p < PARTITIONS; p++) {
    const reader = await log.openReader(p, 0);
    for (;;) {
      const batch = await reader.read(10_000, 4 << 20);
      if (batch.length === 0) break;
      count += batch.length;
    }
  }
  const seconds = (performance.now() - started) / 1000;
  await log.close();
  return count / seconds;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { rounds: { type: 'string', default: '3' }, records: { type: 'string', default: '3000000' }, json: { type: 'string' } },
  });
  const rounds = Number(values.rounds);
  const records = Math.ceil(Number(values.records) / RECORDS_PER_COMMIT) * RECORDS_PER_COMMIT;
  const data = payloads(4096);
  const fsync: WriteRound[] = [];
  const write: WriteRound[] = [];
  const reads: number[] = [];
  for (let r = 0; r < rounds; r++) {
    for (const durability of ['fsync', 'write'] as const) {
      const dir = await mkdtemp(join(tmpdir(), 'tpay-log-bench-'));
      try {
        const result = await writeRound(dir, durability, records, data);
        (durability === 'fsync' ? fsync : write).push(result);
        console.log(
          `round ${String(r + 1)} ${durability}: ${result.recordsPerS.toFixed(0)} records/s, commit p50 ${result.commitP50Ms.toFixed(2)} ms, p99 ${result.commitP99Ms.toFixed(2)} ms`,
        );
        if (durability === 'fsync') reads.push(await readAll(dir));
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    }
  }
  const figures = {
    log_fsync_records_per_s: Math.round(median(fsync.map((x) => x.recordsPerS))),
    log_write_records_per_s: Math.round(median(write.map((x) => x.recordsPerS))),
    log_commit_p50_ms: Number(median(fsync.map((x) => x.commitP50Ms)).toFixed(2)),
    log_commit_p99_ms: Number(median(fsync.map((x) => x.commitP99Ms)).toFixed(2)),
    log_read_records_per_s: Math.round(median(reads)),
  };
  for (const [name, value] of Object.entries(figures)) console.log(`${name}: ${String(value)}`);
  console.log(`log_write_over_fsync: ${(figures.log_write_records_per_s / figures.log_fsync_records_per_s).toFixed(2)}`);
  if (values.json !== undefined) {
    await writeFile(values.json, `${JSON.stringify({ records, rounds, partitions: PARTITIONS, recordsPerCommit: RECORDS_PER_COMMIT, figures, fsync, write, reads }, null, 2)}\n`);
  }
}

await main();
