/**
 * SlabReader: reads a file front to back in large slabs and hands out
 * aligned views into them, so a snapshot of many gigabytes (more than one
 * Buffer may hold) loads with a few hundred reads and no copy per array.
 * It keeps the CRC-32 of every byte `take` hands out, and reads the next
 * slab while the current one is handed out.
 */
import type { FileHandle } from 'node:fs/promises';
import { crc32 } from 'node:zlib';
import { crc32Continue } from '../domain/crc32.js';

/**
 * Why so large: each slab is external memory to V8, and every few dozen MB
 * of it started a full collection of a heap that grows with the blocks
 * read; 64 MiB slabs made collection 27 % of start-up at 1,000 stores,
 * 512 MiB slabs 9 %.
 */
const SLAB_BYTES = 512 * 1024 * 1024;
/** How far before a slab's end the next one starts (blocks are far smaller: a larger one is read afresh). */
const OVERLAP = 16 * 1024 * 1024;
/** Pieces of a slab read at once (the thread pool has four threads). */
const READ_PARTS = 4;
const MIN_PART_BYTES = 8 * 1024 * 1024;

interface Slab {
  /** File position of bytes[0]. */
  at: number;
  bytes: Buffer;
}

export class SlabReader {
  private slab: Buffer = Buffer.alloc(0);
  /** File position of slab[0]. */
  private slabAt = 0;
  /** File position of the next byte to hand out. */
  pos = 0;
  crc = 0;
  /** The slab after this one, being read. */
  private ahead: Promise<Slab> | null = null;
  /** Little-endian reads of the current slab (made once per slab). */
  private dataView: DataView | null = null;

  constructor(
    private readonly fh: FileHandle,
    readonly size: number,
    private readonly slabBytes: number = SLAB_BYTES,
  ) {}

  /** Whether the next `n` bytes are in memory already (`want` would not read). */
  has(n: number): boolean {
    return this.pos + n <= this.slabAt + this.slab.length;
  }

  /** The slab's memory, for views made with `skip`'s offsets. */
  get memory(): ArrayBuffer {
    return this.slab.buffer as ArrayBuffer;
  }

  /** Where the next byte to hand out is in `memory`. */
  memoryAt(): number {
    return this.slab.byteOffset + this.pos - this.slabAt;
  }

  /**
   * Hands out the next `n` bytes (made available by `want`) as an offset
   * into `memory`, without making a Buffer or adding them to `crc`: a
   * snapshot of 5,000 stores has about a million arrays, and a Buffer each
   * was most of start-up's garbage.
   */
  skip(n: number): number {
    if (this.pos + n > this.slabAt + this.slab.length) throw new RangeError(`bytes ${String(this.pos)}+${String(n)} were not read ahead`);
    const at = this.memoryAt();
    this.pos += n;
    return at;
  }

  /** The current slab for reading numbers at `memory` offsets (valid until the next `want` that reads). */
  get view(): DataView {
    this.dataView ??= new DataView(this.slab.buffer, this.slab.byteOffset, this.slab.length);
    return this.dataView;
  }

  /**
   * Hands out the next `n` bytes (made available by `want`) as an offset
   * into `view`, adding them to `crc`: for the small heads of a snapshot's
   * blocks (a million of them at 5,000 stores, and a Buffer and a native
   * call each were garbage and time at start-up).
   */
  takeAt(n: number): number {
    if (this.pos + n > this.slabAt + this.slab.length) throw new RangeError(`bytes ${String(this.pos)}+${String(n)} were not read ahead`);
    const from = this.pos - this.slabAt;
    this.crc = crc32Continue(this.crc, this.slab, from, from + n);
    this.pos += n;
    return from;
  }

  /** Makes the next `n` bytes available to `take`, reading a new slab when they are not. */
  async want(n: number): Promise<void> {
    if (this.pos + n > this.size) throw new RangeError(`the file ends at byte ${String(this.size)}, ${String(this.pos + n - this.size)} bytes short`);
    if (this.pos + n > this.slabAt + this.slab.length) await this.refill(n);
  }

  /**
   * The next `n` bytes, made available by `want` (a view; valid for as long
   * as the caller keeps it), 8-aligned in memory when the position is
   * 8-aligned in the file.
   */
  take(n: number): Buffer {
    if (this.pos + n > this.slabAt + this.slab.length) throw new RangeError(`bytes ${String(this.pos)}+${String(n)} were not read ahead`);
    const from = this.pos - this.slabAt;
    const out = this.slab.subarray(from, from + n);
    this.crc = crc32(out, this.crc);
    this.pos += n;
    return out;
  }

  /** Reads a new slab from the current position holding at least `n` bytes: the one read ahead when it does. */
  private async refill(n: number): Promise<void> {
    const ahead = this.ahead;
    this.ahead = null;
    let next: Slab | null = null;
    if (ahead !== null) {
      const got = await ahead;
      if (got.at <= this.pos && this.pos + n <= got.at + got.bytes.length) next = got;
    }
    next ??= await this.read(this.pos, Math.min(Math.max(this.slabBytes, n), this.size - this.pos));
    this.slab = next.bytes;
    this.slabAt = next.at;
    this.dataView = null;
    // The next slab is read while this one is handed out (start-up spent a fifth of its time waiting for reads).
    // It starts `OVERLAP` before this one ends, so a block that begins near the end is whole in it.
    const end = this.slabAt + this.slab.length;
    if (end < this.size) {
      const back = end - Math.min(OVERLAP, this.slabBytes >> 1);
      // 8-aligned in the file, so 8-aligned positions stay 8-aligned in memory.
      const at = Math.max(this.slabAt, back - (back % 8));
      this.ahead = this.read(at, Math.min(this.slabBytes, this.size - at));
      // Awaited by the next refill; a failure here surfaces there (or nowhere, when the file is not read that far).
      this.ahead.catch(() => undefined);
    }
  }

  /**
   * `length` bytes from file position `at`, in a slab of its own (not the
   * shared pool, so its views start where the file's bytes do), read in
   * up to `READ_PARTS` pieces at once: the pieces are copied from the page
   * cache by the thread pool in parallel.
   */
  private async read(at: number, length: number): Promise<Slab> {
    const bytes = Buffer.allocUnsafeSlow(length);
    const part = Math.max(MIN_PART_BYTES, Math.ceil(length / READ_PARTS / 4096) * 4096);
    const pieces: Promise<void>[] = [];
    for (let from = 0; from < length; from += part) pieces.push(this.readRange(bytes, from, Math.min(length, from + part), at));
    await Promise.all(pieces);
    return { at, bytes };
  }

  private async readRange(into: Buffer, from: number, to: number, fileAt: number): Promise<void> {
    let done = from;
    while (done < to) {
      const { bytesRead } = await this.fh.read(into, done, to - done, fileAt + done);
      if (bytesRead === 0) throw new RangeError(`the file ended early, at byte ${String(fileAt + done)}`);
      done += bytesRead;
    }
  }
}
