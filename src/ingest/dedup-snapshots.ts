/**
 * Dedup state per partition survives restarts as a snapshot plus a replay
 * of the log after it. A snapshot file is `<dir>/p<NN>.snap`:
 *
 *   f64  log offset the state covers (every record below it is in it)
 *   ...  DedupIndex.snapshot()
 *
 * A snapshot is captured when the in-memory state covers exactly the
 * records appended so far, and written only after those records are
 * committed, so a snapshot never claims a record the log does not hold.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DedupIndex } from '../domain/dedup-window.js';
import { writeFileAtomic } from '../util/atomic-file.js';

export function snapshotPath(dir: string, partition: number): string {
  return join(dir, `p${String(partition).padStart(3, '0')}.snap`);
}

export function readDedupSnapshot(dir: string, partition: number, windowSize: number): { offset: number; index: DedupIndex } {
  const p = snapshotPath(dir, partition);
  if (!existsSync(p)) return { offset: 0, index: new DedupIndex(windowSize) };
  const bytes = readFileSync(p);
  const offset = bytes.readDoubleLE(0);
  const index = DedupIndex.restore(bytes.subarray(8));
  return { offset, index };
}

export async function writeDedupSnapshot(dir: string, partition: number, offset: number, state: Uint8Array): Promise<void> {
  mkdirSync(dir, { recursive: true });
  const out = Buffer.allocUnsafe(8 + state.byteLength);
  out.writeDoubleLE(offset, 0);
  out.set(state, 8);
  await writeFileAtomic(snapshotPath(dir, partition), out);
}
