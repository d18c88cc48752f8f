/**
 * Crash recovery, run by a writer when it takes a partition.
 *
 * Only the last segment can hold a torn tail: a segment is fdatasynced before
 * its successor is created (see segment-writer.ts). Its frames are checked
 * from the start; the first one that is missing, short, of the wrong offset or
 * CRC-bad marks the end. Everything after the end is then zeroed and synced
 * before any append: otherwise bytes of a torn or stale frame could line up
 * with a later write and be read as valid by a future recovery.
 */
import { mkdir, open } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { CommittedEnd } from './committed-end.js';
import { fsyncDir } from '../util/atomic-file.js';
import { LogCorruptError } from './errors.js';
import type { FrameFault } from './frame.js';
import { FrameScanner } from './frame-scanner.js';
import type { Preallocation } from './segment-log-options.js';
import {
  SEGMENT_HEADER_BYTES,
  checkSegmentHeader,
  claimSpare,
  hasSpare,
  listSegments,
  partitionDirName,
  preallocateSpare,
  readFully,
  removeSpareLeftovers,
  segmentFileName,
  writeFully,
} from './segment-file.js';

/** What recovery found in a partition; logged when anything was cut. */
export interface RecoveryReport {
  partition: number;
  /** Base offset of the segment that was scanned (the last one). */
  segmentBase: number;
  /** The next record gets this offset. */
  endOffset: number;
  /** Byte position in the segment where the next frame goes. */
  endPosition: number;
  /** Why the scan stopped: 'end' (zeros) after a clean shutdown. */
  stoppedAt: FrameFault;
  /** Non-zero bytes after the end, now zeroed (a torn write, garbage, stale frames). */
  truncatedBytes: number;
  /** Records in whole, checksum-valid frames right after the end that were dropped (stale or mis-numbered frames). */
  truncatedRecords: number;
  /**
   * Records readers had been told were committed but that are gone: only
   * possible after power loss in 'write' mode, or when the disk lost data.
   */
  lostCommittedRecords: number;
}

export interface ActiveSegment {
  fh: FileHandle;
  path: string;
  base: number;
  size: number;
  /** Where the next byte goes. */
  writePos: number;
}

export interface RecoveredPartition {
  dir: string;
  segment: ActiveSegment;
  committed: CommittedEnd;
  report: RecoveryReport;
}

const SCAN_BLOCK = 4 << 20;

/**
 * Open `partition` for writing: create it, or find and clean its end. The
 * caller holds its lock. The returned segment handle is opened with
 * `writeFlags` (O_DSYNC in 'fsync' mode).
 */
export async function recoverPartition(
  settings: { root: string; segmentBytes: number; preallocation: Preallocation },
  partition: number,
  writeFlags: number,
): Promise<RecoveredPartition> {
  const { root, segmentBytes } = settings;
  const dir = join(root, partitionDirName(partition));
  if ((await mkdir(dir, { recursive: true })) !== undefined) await fsyncDir(root);
  await removeSpareLeftovers(dir);
  const committed = await CommittedEnd.openForWriter(dir);
  let fh: FileHandle | null = null;
  try {
    const stored = await committed.read();
    const storedEnd = stored?.end ?? null;
    let bases = await listSegments(dir);
    if (bases.length === 0) {
      if (storedEnd !== null && storedEnd > 0) {
        throw new LogCorruptError(`committed end is ${String(storedEnd)} but no segment file exists`, dir);
      }
      if (!(await hasSpare(dir, segmentBytes))) await preallocateSpare(dir, segmentBytes, settings.preallocation, new AbortController().signal);
      await claimSpare(dir, 0);
      bases = [0];
    }
    const base = bases[bases.length - 1]!;
    const path = join(dir, segmentFileName(base));
    fh = await open(path, writeFlags);
    await checkSegmentHeader(fh, path);
    const size = (await fh.stat()).size;
    const scan = await scanSegment(fh, size, base);
    const tail = await clearTail(fh, size, scan.endPosition);
    if (stored?.end !== scan.endOffset || stored.segmentBase !== base || stored.position !== scan.endPosition) {
      committed.write({ end: scan.endOffset, segmentBase: base, position: scan.endPosition });
    }
    return {
      dir,
      segment: { fh, path, base, size, writePos: scan.endPosition },
      committed,
      report: {
        partition,
        segmentBase: base,
        endOffset: scan.endOffset,
        endPosition: scan.endPosition,
        stoppedAt: scan.fault,
        truncatedBytes: tail.bytes,
        truncatedRecords: tail.records,
        lostCommittedRecords: storedEnd !== null && storedEnd > scan.endOffset ? storedEnd - scan.endOffset : 0,
      },
    };
  } catch (err) {
    await fh?.close();
    await committed.close();
    throw err;
  }
}

async function scanSegment(fh: FileHandle, size: number, base: number): Promise<{ endPosition: number; endOffset: number; fault: FrameFault }> {
  const scanner = new FrameScanner(fh, size, SEGMENT_HEADER_BYTES, SCAN_BLOCK);
  let expected = base;
  for (;;) {
    const head = await scanner.header(expected, SCAN_BLOCK);
    if (!head.ok) return { endPosition: scanner.pos, endOffset: expected, fault: head.fault };
    const body = await scanner.body(head);
    if (!body.ok) return { endPosition: scanner.pos, endOffset: expected, fault: body.fault };
    scanner.advance(head.frameBytes);
    expected += head.count;
  }
}

/** Count stale whole frames after the end, then zero every non-zero byte after it and sync. */
async function clearTail(fh: FileHandle, size: number, endPosition: number): Promise<{ bytes: number; records: number }> {
  let records = 0;
  const stale = new FrameScanner(fh, size, endPosition, SCAN_BLOCK);
  for (;;) {
    const head = await stale.header(null, SCAN_BLOCK);
    if (!head.ok) break;
    const body = await stale.body(head);
    if (!body.ok) break;
    records += head.count;
    stale.advance(head.frameBytes);
  }

  const zeros = Buffer.alloc(Math.min(SCAN_BLOCK, size - endPosition));
  const chunk = Buffer.allocUnsafe(zeros.length);
  let lastNonZero = -1;
  for (let pos = endPosition; pos < size; pos += chunk.length) {
    const n = await readFully(fh, chunk, 0, Math.min(chunk.length, size - pos), pos);
    // memcmp against zeros first: a clean tail is all zeros and a JS byte loop over 64 MiB would cost ~50 ms.
    if (chunk.subarray(0, n).equals(zeros.subarray(0, n))) continue;
    for (let i = n - 1; i >= 0; i--) {
      if (chunk[i] !== 0) {
        lastNonZero = pos + i;
        break;
      }
    }
  }
  if (lastNonZero < 0) return { bytes: 0, records };
  const bytes = lastNonZero + 1 - endPosition;
  for (let done = 0; done < bytes; done += zeros.length) {
    await writeFully(fh, zeros, Math.min(zeros.length, bytes - done), endPosition + done);
  }
  await fh.datasync();
  return { bytes, records };
}
