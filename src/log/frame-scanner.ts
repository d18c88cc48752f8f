/**
 * Walks the frames of one segment file forward with few, large preads.
 *
 * Bytes are read in blocks and frames that lie inside a block are served from
 * it: records handed to callers are views into the block, so a block is never
 * reused once read (one allocation per block, none per record). Seeking asks
 * for header-only reads, so hopping to an offset deep inside a 64 MiB segment
 * reads ~24 bytes per frame instead of the whole file.
 */
import type { FileHandle } from 'node:fs/promises';
import { FRAME_HEADER_BYTES, checkFrame, checkFrameHeader, frameBaseOffset } from './frame.js';
import type { FrameFault } from './frame.js';
import { readFully } from './segment-file.js';

export interface FrameAt {
  ok: true;
  /** Buffer holding the frame (a block) and the frame's index in it. */
  buf: Buffer;
  at: number;
  frameBytes: number;
  count: number;
  base: number;
}
export type ScanStep = FrameAt | { ok: false; fault: FrameFault };

const EMPTY = Buffer.alloc(0);

export class FrameScanner {
  private block: Buffer = EMPTY;
  /** File position of block[0]. */
  private blockPos = 0;

  constructor(
    private readonly fh: FileHandle,
    /**
     * Bytes of the file that may be read: its size, or for the segment a
     * writer is filling, the committed end (bytes past it may be half-written).
     */
    public limit: number,
    /** File position of the next frame. */
    public pos: number,
    private readonly blockBytes: number,
  ) {}

  /**
   * Check the header of the frame at `pos`. `expectedBase` null accepts any
   * base offset (used to recognise stale frames after a torn tail).
   * `readAhead` is how much to read if the header is not buffered yet.
   */
  async header(expectedBase: number | null, readAhead: number): Promise<ScanStep> {
    const room = this.limit - this.pos;
    if (room < FRAME_HEADER_BYTES) return { ok: false, fault: 'end' };
    if (!(await this.ensure(FRAME_HEADER_BYTES, readAhead))) return { ok: false, fault: 'end' };
    const at = this.pos - this.blockPos;
    const base = expectedBase ?? frameBaseOffset(this.block, at);
    const head = checkFrameHeader(this.block, at, room, base);
    if (!head.ok) return head;
    return { ok: true, buf: this.block, at, frameBytes: head.frameBytes, count: head.count, base };
  }

  /** Load the whole frame whose header `header()` accepted and verify its CRC and record lengths. */
  async body(head: FrameAt): Promise<ScanStep> {
    if (!(await this.ensure(head.frameBytes, Math.max(this.blockBytes, head.frameBytes)))) return { ok: false, fault: 'bad_length' };
    const at = this.pos - this.blockPos;
    const check = checkFrame(this.block, at, this.limit - this.pos, head.base);
    if (!check.ok) return check;
    return { ...head, buf: this.block, at };
  }

  advance(frameBytes: number): void {
    this.pos += frameBytes;
  }

  /** Make `need` bytes from `pos` available in the block; false at end of file. */
  private async ensure(need: number, readAhead: number): Promise<boolean> {
    if (this.pos >= this.blockPos && this.pos + need <= this.blockPos + this.block.length) return true;
    const length = Math.min(Math.max(need, readAhead), this.limit - this.pos);
    const block = Buffer.allocUnsafe(length);
    const n = await readFully(this.fh, block, 0, length, this.pos);
    this.block = block.subarray(0, n);
    this.blockPos = this.pos;
    return n >= need;
  }
}
