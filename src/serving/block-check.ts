/**
 * The checksum of one snapshot block, verified when the block is first
 * touched instead of at start-up.
 *
 * Why: a whole-file CRC-32 pass was a fifth of start-up, and every byte of
 * the file had to be checked before the store could answer. A block's
 * bytes are now checked the first time a read, a write or a snapshot uses
 * them (and by a sweep in the background after start-up), so no number is
 * ever served from bytes that were not verified, and start-up reads only
 * the heads (whose own CRC is checked before the store opens).
 */
import { crc32 } from 'node:zlib';

export class ServingSnapshotError extends Error {
  override readonly name = 'ServingSnapshotError';
  readonly code = 'serving_snapshot_corrupt';
}

/** The file a block came from (one object per file, shared by its blocks). */
export interface SnapshotSource {
  file: string;
}

/** A block's bytes in memory and the CRC-32 they had when written. */
export class BlockCheck {
  constructor(
    private readonly memory: ArrayBuffer,
    private readonly offset: number,
    private readonly length: number,
    private readonly crc: number,
    private readonly source: SnapshotSource,
    /** The block's position in the file, for the message. */
    private readonly index: number,
  ) {}

  /** Throws ServingSnapshotError when the bytes differ from what was written. */
  verify(): void {
    if (crc32(new Uint8Array(this.memory, this.offset, this.length)) !== this.crc) throw new ServingSnapshotError(`${this.source.file}: block ${String(this.index)} fails its checksum: the file was damaged after it was written`);
  }
}
