/**
 * Record framing inside a segment file (see docs/log.md, "Record format").
 *
 * Records are stored in frames: one frame holds the records one commit wrote
 * to one partition (split at ~1 MiB), behind a single header and CRC:
 *
 *   offset size field
 *   0      4    crc32     CRC-32 (IEEE, as zlib) of the records (bytes 24 ..
 *                         frameBytes) followed by header bytes 4 .. 24
 *   4      4    frameBytes total frame length, header included; 0 = end of data
 *   8      8    baseOffset offset of the first record (u64; < 2^53)
 *   16     4    count      number of records (≥ 1)
 *   20     4    reserved   0
 *   24     …    count × { u32 payloadLength, payload }
 *
 * All integers little-endian. Why frames instead of a CRC per record: on these
 * machines a zlib `crc32` call costs ~100 ns plus ~0.5 ns/byte, i.e. ~450–700
 * ns for a 330-byte record, more than the whole per-record budget at 1.5M
 * records/s; over a frame the call cost vanishes and ~0.5 ns/byte remains. A
 * JS slice-by-8 table CRC was slower (~1.7 ns/byte). The records come first in
 * the CRC so the writer can fold them in while staging (see partition-stage),
 * keeping the checksum work off the commit's critical path. The offset in the
 * header means stale bytes from an earlier run never pass for the next frame;
 * the CRC covers the header fields too, so zeros never validate.
 */
import { crc32 } from 'node:zlib';

export const FRAME_HEADER_BYTES = 24;
export const RECORD_HEADER_BYTES = 4;
/** A frame is closed once adding a record would pass this size (a single larger record gets a frame of its own). */
export const FRAME_TARGET_BYTES = 1 << 20;

const LENGTH_AT = 4;
const BASE_LO_AT = 8;
const BASE_HI_AT = 12;
const COUNT_AT = 16;
const RESERVED_AT = 20;
const TWO_32 = 0x1_0000_0000;

/** Why a frame was not accepted. 'end' is the normal case: zeros where the next frame would be. */
export const FRAME_FAULTS = ['end', 'bad_length', 'bad_count', 'offset_mismatch', 'bad_crc'] as const;
export type FrameFault = (typeof FRAME_FAULTS)[number];

export type FrameCheck = { ok: true; frameBytes: number; count: number } | { ok: false; fault: FrameFault };

/**
 * Fill in the header of the frame at `buf[pos, pos + frameBytes)`, whose
 * records are in place and whose record bytes have CRC `recordsCrc` (zlib
 * `crc32` of them, possibly computed in pieces).
 */
export function sealFrame(buf: Buffer, pos: number, frameBytes: number, baseOffset: number, count: number, recordsCrc: number): void {
  buf.writeUInt32LE(frameBytes, pos + LENGTH_AT);
  buf.writeUInt32LE(baseOffset % TWO_32, pos + BASE_LO_AT);
  buf.writeUInt32LE(Math.floor(baseOffset / TWO_32), pos + BASE_HI_AT);
  buf.writeUInt32LE(count, pos + COUNT_AT);
  buf.writeUInt32LE(0, pos + RESERVED_AT);
  buf.writeUInt32LE(crc32(buf.subarray(pos + LENGTH_AT, pos + FRAME_HEADER_BYTES), recordsCrc), pos);
}

/** Seal a frame whose records' CRC is not known yet (tests, tools). */
export function sealFrameComputingCrc(buf: Buffer, pos: number, frameBytes: number, baseOffset: number, count: number): void {
  sealFrame(buf, pos, frameBytes, baseOffset, count, crc32(buf.subarray(pos + FRAME_HEADER_BYTES, pos + frameBytes)));
}

export function frameBaseOffset(buf: Buffer, pos: number): number {
  return buf.readUInt32LE(pos + BASE_LO_AT) + buf.readUInt32LE(pos + BASE_HI_AT) * TWO_32;
}

/**
 * Check the header at `buf[pos]` (at least FRAME_HEADER_BYTES available) for a
 * frame that must start at `expectedBase` and fit in `room` bytes of segment.
 * Does not check the CRC: seeking hops over headers without reading bodies.
 */
export function checkFrameHeader(buf: Buffer, pos: number, room: number, expectedBase: number): FrameCheck {
  const frameBytes = buf.readUInt32LE(pos + LENGTH_AT);
  if (frameBytes === 0) return { ok: false, fault: 'end' };
  if (frameBytes < FRAME_HEADER_BYTES + RECORD_HEADER_BYTES || frameBytes > room) return { ok: false, fault: 'bad_length' };
  const count = buf.readUInt32LE(pos + COUNT_AT);
  const maxCount = (frameBytes - FRAME_HEADER_BYTES) / RECORD_HEADER_BYTES;
  if (count < 1 || count > maxCount || buf.readUInt32LE(pos + RESERVED_AT) !== 0) return { ok: false, fault: 'bad_count' };
  if (frameBaseOffset(buf, pos) !== expectedBase) return { ok: false, fault: 'offset_mismatch' };
  return { ok: true, frameBytes, count };
}

/** True when the stored CRC matches the frame at `buf[pos]` (records, then header bytes 4 .. 24). */
export function frameCrcMatches(buf: Buffer, pos: number, frameBytes: number): boolean {
  const records = crc32(buf.subarray(pos + FRAME_HEADER_BYTES, pos + frameBytes));
  return crc32(buf.subarray(pos + LENGTH_AT, pos + FRAME_HEADER_BYTES), records) === buf.readUInt32LE(pos);
}

/**
 * Full check of a frame entirely inside `buf`: header, CRC, and that its
 * records exactly fill it (a CRC-valid frame that does not is a writer bug,
 * reported as 'bad_count').
 */
export function checkFrame(buf: Buffer, pos: number, room: number, expectedBase: number): FrameCheck {
  const head = checkFrameHeader(buf, pos, room, expectedBase);
  if (!head.ok) return head;
  if (!frameCrcMatches(buf, pos, head.frameBytes)) return { ok: false, fault: 'bad_crc' };
  const end = pos + head.frameBytes;
  let at = pos + FRAME_HEADER_BYTES;
  for (let i = 0; i < head.count; i++) {
    if (at + RECORD_HEADER_BYTES > end) return { ok: false, fault: 'bad_count' };
    at += RECORD_HEADER_BYTES + buf.readUInt32LE(at);
  }
  return at === end ? head : { ok: false, fault: 'bad_count' };
}
