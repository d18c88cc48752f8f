/**
 * Dedup state per partition survives restarts as a snapshot plus a replay
 * of the log after it. A snapshot file is `<dir>/p<NN>.snap`:
 *
 *   f64  log offset the state covers (every record below it is in it)
 *   ...  snapshotDedupIndex() bytes (domain/dedup-snapshot.ts)
 *
 * A snapshot is captured when the in-memory state covers exactly the
 * records appended so far, and written only after those records are
 * committed, so a snapshot never claims a record the log does not hold.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DedupIndex } from '../domain/dedup-index.js';
import { dedupSnapshotVersion, restoreDedupIndex } from '../domain/dedup-snapshot.js';
import { writeFileAtomic } from '../util/atomic-file.js';

export function snapshotPath(dir: string, partition: number): string {
  return join(dir, `p${String(partition).padStart(3, '0')}.snap`);
}

export interface DedupSnapshot {
  /** Log offset the index covers. */
  offset: number;
  index: DedupIndex;
  /**
   * True for a snapshot of the fixed window of earlier releases: it knew
   * nothing below each terminal's window, so a caller that still holds the
   * partition's log from offset 0 should rebuild from the log instead.
   */
  legacy: boolean;
}

/**
 * Reads a partition's snapshot with the configured interval budget; an
 * empty index at offset 0 when there is none.
 * @example const { offset, index } = readDedupSnapshot(dir, 3, 1024)
 */
export function readDedupSnapshot(dir: string, partition: number, intervalBudget: number): DedupSnapshot {
  const p = snapshotPath(dir, partition);
  if (!existsSync(p)) return { offset: 0, index: new DedupIndex(intervalBudget), legacy: false };
  const bytes = readFileSync(p);
  const offset = bytes.readDoubleLE(0);
  const state = bytes.subarray(8);
  const index = restoreDedupIndex(state, intervalBudget);
  return { offset, index, legacy: dedupSnapshotVersion(state) === 1 };
}

export async function writeDedupSnapshot(dir: string, partition: number, offset: number, state: Uint8Array): Promise<void> {
  mkdirSync(dir, { recursive: true });
  const out = Buffer.allocUnsafe(8 + state.byteLength);
  out.writeDoubleLE(offset, 0);
  out.set(state, 8);
  await writeFileAtomic(snapshotPath(dir, partition), out);
}
