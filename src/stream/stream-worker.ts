/**
 * The stream worker thread: reads every log partition, builds rollup deltas
 * and restatements (rollup-builder.ts) and posts them to the main thread,
 * which applies them to the serving store. At most MAX_IN_FLIGHT batches
 * wait for the main thread at a time, so a slow main thread slows the
 * worker instead of growing memory.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { openLogTarget } from '../log/log-target.js';
import type { LogReader } from '../log/log.js';
import { FxStore } from '../tenants/fx-store.js';
import { RegistryStore } from '../tenants/registry-store.js';
import { TenantStore } from '../tenants/tenant-store.js';
import { RollupBuilder } from './rollup-builder.js';
import { type BatchMessage, type FromWorker, type StreamWorkerInit, type ToWorker } from './stream-protocol.js';
import { TenantDirectory } from './tenant-directory.js';

const MAX_IN_FLIGHT = 4;
/** A batch is posted once it holds this many records, however young (bounds its memory). */
const MAX_BATCH_RECORDS = 1 << 17;

async function main(init: StreamWorkerInit): Promise<void> {
  const port = parentPort!;
  const post = (m: FromWorker, transfer: ArrayBuffer[] = []): void => port.postMessage(m, transfer);
  let inFlight = 0;
  let stopping = false;
  let wake: (() => void) | null = null;
  port.on('message', (m: ToWorker) => {
    if (m.type === 'applied') inFlight--;
    else stopping = true;
    wake?.();
  });
  const sleep = (ms: number): Promise<void> =>
    new Promise<void>((resolve) => {
      const t = setTimeout(resolve, ms);
      wake = () => {
        clearTimeout(t);
        resolve();
      };
    }).then(() => {
      wake = null;
    });

  const log = await openLogTarget(init.log, 'tpay-stream-reader');
  const directory = new TenantDirectory(new TenantStore(init.dataDir), new RegistryStore(init.dataDir), new FxStore(init.dataDir));
  const builder = new RollupBuilder(directory, init.closeGraceMs);
  const readers: LogReader[] = [];
  for (let p = 0; p < init.partitions; p++) readers.push(await log.openReader(p, init.offsets[p] ?? 0));
  let lastRefresh = 0;
  // One batch collects every partition's new records for up to batchMs: the
  // main thread's cost is per delta and per apply, not per record.
  let batch = builder.batch();
  let ends = new Map<number, number>();
  let batchStarted = performance.now();
  const postBatch = (): void => {
    const built = batch.finish();
    const data = built.deltas;
    const msg: BatchMessage = {
      type: 'batch',
      ends: [...ends].sort((a, b) => a[0] - b[0]),
      records: built.records,
      tenants: built.tenants,
      stores: built.stores,
      words: built.words,
      deltas: data,
      restatements: built.restatements,
      skipped: built.skipped,
      examples: built.examples,
      perTenant: [...built.perTenant].map(([t, v]) => [t, v.records, v.maxReceivedAt]),
      maxReceivedAt: built.maxReceivedAt,
    };
    inFlight++;
    post(msg, [data.buffer]);
    batch = builder.batch();
    ends = new Map();
  };
  while (!stopping) {
    if (performance.now() - lastRefresh > 1000) {
      directory.refresh();
      lastRefresh = performance.now();
    }
    let read = 0;
    for (const reader of readers) {
      if (stopping) break;
      const records = await reader.read(init.batchRecords, 8 << 20);
      if (records.length === 0) continue;
      if (batch.records === 0) batchStarted = performance.now();
      read += records.length;
      batch.add(reader.partition, records);
      ends.set(reader.partition, reader.position);
      if (batch.records >= MAX_BATCH_RECORDS) break;
    }
    if (stopping) break;
    const due = batch.records > 0 && (batch.records >= MAX_BATCH_RECORDS || performance.now() - batchStarted >= init.batchMs);
    if (due) {
      while (inFlight >= MAX_IN_FLIGHT && !stopping) await sleep(50);
      if (stopping) break;
      postBatch();
    } else if (read === 0) {
      await sleep(batch.records > 0 ? Math.min(init.pollMs, Math.max(1, init.batchMs - (performance.now() - batchStarted))) : init.pollMs);
    }
  }
  for (const r of readers) await r.close();
  await log.close();
  post({ type: 'stopped' });
}

main(workerData as StreamWorkerInit).catch((err: unknown) => {
  const e = err as Error;
  parentPort!.postMessage({ type: 'failed', message: e.message, stack: e.stack } satisfies FromWorker);
});
