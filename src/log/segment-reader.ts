/**
 * The SegmentLog reader: one partition, forward from an offset, safe beside a
 * writer in another thread or process. It only reads, never repairs.
 *
 * It reads the partition's `committed` file on every call and never reads a
 * byte past the committed end, so it sees exactly the committed records and
 * never meets a half-written frame. Its place (segment, byte, frame) is kept
 * between calls: reading from a checkpoint in the middle of a segment seeks
 * once, by hopping frame headers, and then only moves forward.
 */
import type { FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { CommittedEnd } from './committed-end.js';
import type { Tip } from './committed-end.js';
import { LogClosedError, LogCorruptError, LogInvalidArgumentError, LogOffsetOutOfRangeError } from './errors.js';
import { FRAME_HEADER_BYTES, RECORD_HEADER_BYTES } from './frame.js';
import type { FrameFault } from './frame.js';
import { FrameScanner } from './frame-scanner.js';
import type { LogReader, LogRecord } from './log.js';
import { SEGMENT_HEADER_BYTES, checkSegmentHeader, listSegments, openIfExists, partitionDirName, segmentFileName } from './segment-file.js';

/** Reads ahead this much when sequential: ~5 frames of a busy writer per pread. */
const READ_AHEAD = 1 << 20;

/** The frame records are being taken from. */
interface OpenFrame {
  buf: Buffer;
  /** Position of the next record's length field in `buf`. */
  at: number;
  remaining: number;
}

interface OpenSegment {
  fh: FileHandle;
  path: string;
  base: number;
  size: number;
}

export class SegmentLogReader implements LogReader {
  private committed: CommittedEnd | null = null;
  private tip: Tip = { end: 0, segmentBase: 0, position: 0 };
  private segment: OpenSegment | null = null;
  private scanner: FrameScanner | null = null;
  /** Offset of the first record of the frame at `scanner.pos`. */
  private frameBase = 0;
  private frame: OpenFrame | null = null;
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;

  private constructor(
    readonly partition: number,
    private readonly dir: string,
    private next: number,
    private readonly onClosed: (reader: SegmentLogReader) => void,
  ) {}

  /** Check that `fromOffset` is retained and not past the end, then open lazily from there. */
  static async open(root: string, partition: number, fromOffset: number, onClosed: (r: SegmentLogReader) => void): Promise<SegmentLogReader> {
    const dir = join(root, partitionDirName(partition));
    const reader = new SegmentLogReader(partition, dir, fromOffset, onClosed);
    const end = await reader.refreshTip();
    const oldest = (await listSegments(dir))[0] ?? 0;
    if (fromOffset < oldest || fromOffset > end) {
      await reader.committed?.close();
      throw new LogOffsetOutOfRangeError(partition, fromOffset, oldest, end);
    }
    return reader;
  }

  get position(): number {
    return this.next;
  }

  read(maxRecords: number, maxBytes: number): Promise<LogRecord[]> {
    if (this.closed) return Promise.reject(new LogClosedError('log reader'));
    if (!Number.isSafeInteger(maxRecords) || maxRecords < 1 || !Number.isSafeInteger(maxBytes) || maxBytes < 1) {
      return Promise.reject(
        new LogInvalidArgumentError(`read limits must be positive integers, got maxRecords=${String(maxRecords)} maxBytes=${String(maxBytes)}`),
      );
    }
    // One read at a time, each continuing where the previous one stopped.
    const result = this.queue.then(() => this.readNow(maxRecords, maxBytes));
    this.queue = result.catch(() => undefined);
    return result;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.queue;
    await this.segment?.fh.close();
    await this.committed?.close();
    this.onClosed(this);
  }

  private async readNow(maxRecords: number, maxBytes: number): Promise<LogRecord[]> {
    if (this.closed) throw new LogClosedError('log reader');
    const end = await this.refreshTip();
    if (this.next >= end) return [];
    if (this.segment !== null && this.scanner !== null) this.scanner.limit = this.readableBytes(this.segment);
    const out: LogRecord[] = [];
    let bytes = 0;
    while (out.length < maxRecords && this.next < end) {
      if (this.frame === null) {
        try {
          this.frame = await this.loadFrame();
        } catch (err) {
          // Hand over what was read; the next call meets the error again (loadFrame kept its place).
          if (out.length > 0) return out;
          throw err;
        }
      }
      const f = this.frame;
      while (f.remaining > 0 && out.length < maxRecords) {
        const length = f.buf.readUInt32LE(f.at);
        if (out.length > 0 && bytes + length > maxBytes) return out;
        const start = f.at + RECORD_HEADER_BYTES;
        // A view into the block read from disk: one allocation per block, not per record.
        out.push({ offset: this.next, payload: f.buf.subarray(start, start + length) });
        bytes += length;
        f.at = start + length;
        f.remaining--;
        this.next++;
      }
      if (f.remaining === 0) this.frame = null;
    }
    return out;
  }

  /** Re-read the committed end; 0 while no writer has created the partition. */
  private async refreshTip(): Promise<number> {
    this.committed ??= await CommittedEnd.openForReader(this.dir);
    const tip = await this.committed?.read();
    if (tip) this.tip = tip;
    return this.tip.end;
  }

  private readableBytes(segment: OpenSegment): number {
    return segment.base === this.tip.segmentBase ? Math.min(segment.size, this.tip.position) : segment.size;
  }

  /** The frame holding offset `next` (called only when next < committed end), records before `next` skipped. */
  private async loadFrame(): Promise<OpenFrame> {
    for (;;) {
      const scanner = this.scanner ?? (await this.openSegmentAt(this.next));
      const seeking = this.frameBase < this.next;
      const head = await scanner.header(this.frameBase, seeking ? FRAME_HEADER_BYTES : READ_AHEAD);
      if (!head.ok) {
        await this.nextSegment(head.fault);
        continue;
      }
      if (this.frameBase + head.count <= this.next) {
        scanner.advance(head.frameBytes);
        this.frameBase += head.count;
        continue;
      }
      const body = await scanner.body(head);
      if (!body.ok) {
        throw new LogCorruptError(
          `committed frame of offsets ${String(this.frameBase)}.. at byte ${String(scanner.pos)} is damaged (${body.fault})`,
          this.segment?.path ?? this.dir,
        );
      }
      const frame: OpenFrame = { buf: body.buf, at: body.at + FRAME_HEADER_BYTES, remaining: head.count };
      for (let skip = this.next - this.frameBase; skip > 0; skip--) {
        frame.at += RECORD_HEADER_BYTES + frame.buf.readUInt32LE(frame.at);
        frame.remaining--;
      }
      scanner.advance(head.frameBytes);
      this.frameBase += head.count;
      return frame;
    }
  }

  /** Open the segment holding `offset`: the one with the largest base ≤ offset. */
  private async openSegmentAt(offset: number): Promise<FrameScanner> {
    // Retention may delete the chosen file between listing and opening: list again once.
    for (let attempt = 0; attempt < 2; attempt++) {
      const bases = await listSegments(this.dir);
      const base = bases.findLast((b) => b <= offset);
      if (base === undefined) throw new LogOffsetOutOfRangeError(this.partition, offset, bases[0] ?? 0, this.tip.end);
      const scanner = await this.openSegment(base);
      if (scanner !== null) return scanner;
    }
    throw new LogOffsetOutOfRangeError(this.partition, offset, (await listSegments(this.dir))[0] ?? 0, this.tip.end);
  }

  /** Switch to segment `base`; null if it does not exist. */
  private async openSegment(base: number): Promise<FrameScanner | null> {
    const path = join(this.dir, segmentFileName(base));
    const fh = await openIfExists(path);
    if (fh === null) return null;
    let size: number;
    try {
      await checkSegmentHeader(fh, path);
      size = (await fh.stat()).size;
    } catch (err) {
      await fh.close();
      throw err;
    }
    await this.segment?.fh.close();
    const segment: OpenSegment = { fh, path, base, size };
    this.segment = segment;
    this.frameBase = base;
    this.scanner = new FrameScanner(fh, this.readableBytes(segment), SEGMENT_HEADER_BYTES, READ_AHEAD);
    return this.scanner;
  }

  /**
   * No frame where one must be (next < committed end): the segment is full and
   * the records go on in the segment named after `frameBase`.
   */
  private async nextSegment(fault: FrameFault): Promise<void> {
    const here = this.segment;
    const at = this.scanner?.pos ?? 0;
    if (here !== null && here.base !== this.frameBase && (await this.openSegment(this.frameBase)) !== null) return;
    const oldest = (await listSegments(this.dir))[0] ?? 0;
    if (oldest > this.next) throw new LogOffsetOutOfRangeError(this.partition, this.next, oldest, this.tip.end);
    throw new LogCorruptError(
      `no frame for committed offset ${String(this.frameBase)} at byte ${String(at)} (${fault}) and no segment starts there`,
      here?.path ?? this.dir,
    );
  }
}
