/**
 * Retention: delete whole segments that every registered consumer group has
 * read past. A segment is deletable when the next segment's base offset (the
 * first offset it does not hold) is ≤ the lowest checkpoint of the partition,
 * so the last (active) segment is never deleted and the end offset is always
 * known from the files.
 *
 * Safe beside a writer: the writer only ever adds a segment after the last
 * one, and a deletion decision only needs a successor to exist. Safe beside
 * readers: a reader holding a deleted segment open keeps reading it.
 */
import { stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { CheckpointStore } from './checkpoints.js';
import { isErrno } from './errors.js';
import type { RetentionResult } from './log.js';
import { listSegments, partitionDirName, segmentFileName } from './segment-file.js';
import { fsyncDir } from '../util/atomic-file.js';

export async function applyRetention(root: string, partitions: number, checkpoints: CheckpointStore): Promise<RetentionResult> {
  const result: RetentionResult = { deletedSegments: 0, freedBytes: 0 };
  const groups = await checkpoints.groups();
  // Nobody has said what is safe to drop: keep everything.
  if (groups.length === 0) return result;
  for (let p = 0; p < partitions; p++) {
    const floors = await Promise.all(groups.map((g) => checkpoints.load(g, p)));
    const floor = Math.min(...floors);
    const dir = join(root, partitionDirName(p));
    const bases = await listSegments(dir);
    let deleted = 0;
    for (let i = 0; i + 1 < bases.length && bases[i + 1]! <= floor; i++) {
      const path = join(dir, segmentFileName(bases[i]!));
      try {
        const { size } = await stat(path);
        await unlink(path);
        result.freedBytes += size;
        deleted++;
      } catch (err) {
        // Another process applying retention got there first.
        if (!isErrno(err, 'ENOENT')) throw err;
      }
    }
    if (deleted > 0) await fsyncDir(dir);
    result.deletedSegments += deleted;
  }
  return result;
}
