/**
 * Child process of the crash test: appends and commits batches forever and
 * prints every commit's end offsets, until the parent kills it with SIGKILL.
 *
 *   node crash-child.js <dir> <fsync|write>
 *
 * stdout lines: `ready <ends JSON>` after recovery, then `commit <ends JSON>`
 * once each commit has resolved. Writes to a pipe are synchronous on Linux,
 * so a printed line is never lost to the kill. The payload of a record
 * encodes its partition and offset (see crashPayload), so the parent can
 * check every record's place and bytes. Exits at once without arguments.
 */
import { isLogErrorCode } from '../../src/log/errors.js';
import { SegmentLog } from '../../src/log/segment-log.js';
import { isDurability } from '../../src/log/segment-log-options.js';

export const CRASH_PARTITIONS = 4;
export const CRASH_SEGMENT_BYTES = 64 * 1024;

/** Payload of the record at `offset` in `partition`: ~20–330 bytes, its length varies with the offset. */
export function crashPayload(partition: number, offset: number): string {
  return `${String(partition)}:${String(offset)}:${'z'.repeat((offset * 7) % 311)}`;
}

async function main(dir: string, durability: string): Promise<void> {
  if (!isDurability(durability)) throw new Error(`bad durability ${durability}`);
  const log = await SegmentLog.open(dir, { partitions: CRASH_PARTITIONS, segmentBytes: CRASH_SEGMENT_BYTES, durability });
  const writer = await log.openWriter([...Array(CRASH_PARTITIONS).keys()]);
  const next = writer.recovery.map((r) => r.endOffset);
  process.stdout.write(`ready ${JSON.stringify(next)}\n`);
  let seed = process.pid;
  const random = (n: number): number => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed % n;
  };
  let inFlight: Promise<void> | null = null;
  for (;;) {
    const size = 1 + random(200);
    for (let i = 0; i < size; i++) {
      const p = random(CRASH_PARTITIONS);
      writer.append(p, Buffer.from(crashPayload(p, next[p]!), 'latin1'));
      next[p]!++;
    }
    const done = writer.commit().then((ends) => {
      process.stdout.write(`commit ${JSON.stringify([...ends])}\n`);
    });
    // Like ingest: the next batch is staged while this commit is in flight.
    if (inFlight !== null) await inFlight;
    inFlight = done;
  }
}

const [dir, durability] = process.argv.slice(2);
if (dir !== undefined && durability !== undefined) {
  main(dir, durability).catch((err: unknown) => {
    const code = (err as { code?: unknown }).code;
    process.stderr.write(`crash-child failed${typeof code === 'string' && isLogErrorCode(code) ? ` (${code})` : ''}: ${String(err)}\n`);
    process.exit(1);
  });
}
