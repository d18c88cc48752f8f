/**
 * Reuses SharedArrayBuffers for batch bytes. Allocating (and zeroing) a
 * fresh SharedArrayBuffer per socket read showed up as ~0.5 µs a record on
 * the main thread; batches are bounded in flight, so a few slabs per size
 * class are enough to recycle.
 */

const MIN_CLASS = 16; // 64 KiB
const MAX_POOLED_CLASS = 24; // 16 MiB
const KEEP_PER_CLASS = 32;

export class SharedSlabPool {
  private readonly free: SharedArrayBuffer[][] = [];

  /** A slab of at least `bytes` (a power of two from 64 KiB). */
  acquire(bytes: number): SharedArrayBuffer {
    const cls = Math.max(MIN_CLASS, 32 - Math.clz32(Math.max(1, bytes) - 1));
    const list = this.free[cls];
    if (list !== undefined && list.length > 0) return list.pop()!;
    return new SharedArrayBuffer(2 ** cls);
  }

  /** Gives a slab back once no worker reads it any more. */
  release(slab: SharedArrayBuffer): void {
    const cls = 31 - Math.clz32(slab.byteLength);
    if (cls > MAX_POOLED_CLASS || 2 ** cls !== slab.byteLength) return;
    const list = (this.free[cls] ??= []);
    if (list.length < KEEP_PER_CLASS) list.push(slab);
  }
}
