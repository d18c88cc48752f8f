/**
 * SlabReader: reads a file front to back in large slabs and hands out
 * aligned views into them, so a snapshot of many gigabytes (more than one
 * Buffer may hold) loads with a few hundred reads and no copy per array.
 * It keeps the CRC-32 of every byte `take` hands out.
 */
import type { FileHandle } from 'node:fs/promises';
import { crc32 } from 'node:zlib';

/**
 * Why so large: each slab is external memory to V8, and every few dozen MB
 * of it started a full collection of a heap that grows with the blocks
 * read; 64 MiB slabs made collection 27 % of start-up at 1,000 stores,
 * 512 MiB slabs 9 %.
 */
const SLAB_BYTES = 512 * 1024 * 1024;

export class SlabReader {
  private slab = Buffer.alloc(0);
  /** File position of slab[0]. */
  private slabAt = 0;
  /** File position of the next byte to hand out. */
  pos = 0;
  crc = 0;

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

  /** Reads a new slab from the current position holding at least `n` bytes. */
  private async refill(n: number): Promise<void> {
    const length = Math.min(Math.max(this.slabBytes, n), this.size - this.pos);
    // A slab of its own (not the shared pool), so its views start where the file's bytes do.
    const slab = Buffer.allocUnsafeSlow(length);
    let done = 0;
    while (done < length) {
      const { bytesRead } = await this.fh.read(slab, done, length - done, this.pos + done);
      if (bytesRead === 0) throw new RangeError(`the file ended early, at byte ${String(this.pos + done)}`);
      done += bytesRead;
    }
    this.slab = slab;
    this.slabAt = this.pos;
  }
}
