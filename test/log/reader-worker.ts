/**
 * Worker-thread side of the "reader in another thread" test: opens its own
 * SegmentLog on the directory, checks that it cannot take the partition the
 * main thread writes, then reads until it has `count` records, checking each
 * one's bytes. Does nothing when run as a main module.
 */
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { SegmentLog } from '../../src/log/segment-log.js';

export interface ReaderWorkerInput {
  dir: string;
  partition: number;
  count: number;
}

export interface ReaderWorkerResult {
  ownedCode: string;
  records: number;
  mismatches: number;
  position: number;
}

/** The payload the test writes at `offset`. */
export function workerPayload(offset: number): string {
  return `rec-${String(offset)}-${'y'.repeat(offset % 61)}`;
}

async function run(input: ReaderWorkerInput): Promise<ReaderWorkerResult> {
  const log = await SegmentLog.open(input.dir);
  let ownedCode = 'none';
  try {
    await (await log.openWriter([input.partition])).close();
  } catch (err) {
    ownedCode = (err as { code?: string }).code ?? String(err);
  }
  const reader = await log.openReader(input.partition, 0);
  let records = 0;
  let mismatches = 0;
  while (reader.position < input.count) {
    const batch = await reader.read(97, 4096);
    if (batch.length === 0) {
      await new Promise((resolve) => setTimeout(resolve, 1));
      continue;
    }
    for (const r of batch) {
      if (r.offset !== records || Buffer.from(r.payload).toString('latin1') !== workerPayload(r.offset)) mismatches++;
      records++;
    }
  }
  const position = reader.position;
  await log.close();
  return { ownedCode, records, mismatches, position };
}

if (!isMainThread && parentPort !== null) {
  const port = parentPort;
  run(workerData as ReaderWorkerInput).then(
    (result) => {
      port.postMessage(result);
    },
    (err: unknown) => {
      port.postMessage({ error: String(err) });
    },
  );
}
