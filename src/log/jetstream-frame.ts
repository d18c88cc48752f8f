/**
 * The body of one JetStream message of the log: many records of one
 * partition, framed so a reader can check them end to end.
 *
 * All integers little-endian:
 *
 * | offset | size | field |
 * |---|---|---|
 * | 0 | 2 | magic `TL` (0x54 0x4c) |
 * | 2 | 1 | format version, 1 |
 * | 3 | 1 | flags, 0 |
 * | 4 | 4 | `count`: records in the message (≥ 1) |
 * | 8 | 8 | `firstOffset`: offset of the first record |
 * | 16 | 4 | CRC-32 of bytes 20 … end, then of bytes 0 … 16 |
 * | 20 | … | `count` records: u32 payload length, then the payload |
 *
 * The first offset is also in the `Tpay-First-Offset` header, so an index
 * can be built from headers alone; the copy here is covered by the CRC.
 * JetStream checksums what it stores; the CRC also covers the client, the
 * network and any mirror or source on the way.
 */
import { crc32 } from 'node:zlib';

export const JS_FRAME_HEADER_BYTES = 20;
export const JS_RECORD_HEADER_BYTES = 4;
export const JS_FRAME_VERSION = 1;
const MAGIC_0 = 0x54;
const MAGIC_1 = 0x4c;

/** Header carrying the offset of a message's first record (decimal). */
export const FIRST_OFFSET_HEADER = 'Tpay-First-Offset';
/** Header carrying the number of records in a message (decimal). */
export const RECORD_COUNT_HEADER = 'Tpay-Records';

/** Write the frame header of `buf[0, used)`, whose records start at byte 20. */
export function sealJsFrame(buf: Buffer, used: number, firstOffset: number, count: number): void {
  buf[0] = MAGIC_0;
  buf[1] = MAGIC_1;
  buf[2] = JS_FRAME_VERSION;
  buf[3] = 0;
  buf.writeUInt32LE(count, 4);
  buf.writeBigUInt64LE(BigInt(firstOffset), 8);
  const crc = crc32(buf.subarray(0, 16), crc32(buf.subarray(JS_FRAME_HEADER_BYTES, used)));
  buf.writeUInt32LE(crc, 16);
}

export interface DecodedFrame {
  firstOffset: number;
  /** Payloads in offset order; views into the message body. */
  payloads: Uint8Array[];
}

/** Decode a message body, or say why it is not a valid frame. */
export function decodeJsFrame(body: Uint8Array): { ok: true; frame: DecodedFrame } | { ok: false; reason: string } {
  if (body.byteLength < JS_FRAME_HEADER_BYTES) return { ok: false, reason: `body of ${String(body.byteLength)} bytes is shorter than a frame header` };
  const buf = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  if (buf[0] !== MAGIC_0 || buf[1] !== MAGIC_1) return { ok: false, reason: 'bad magic' };
  if (buf[2] !== JS_FRAME_VERSION) return { ok: false, reason: `frame version ${String(buf[2])} is not ${String(JS_FRAME_VERSION)}` };
  const count = buf.readUInt32LE(4);
  const first = buf.readBigUInt64LE(8);
  if (count < 1) return { ok: false, reason: 'frame holds no records' };
  if (first > BigInt(Number.MAX_SAFE_INTEGER)) return { ok: false, reason: `first offset ${String(first)} is too large` };
  const crc = crc32(buf.subarray(0, 16), crc32(buf.subarray(JS_FRAME_HEADER_BYTES)));
  if (crc !== buf.readUInt32LE(16)) return { ok: false, reason: 'CRC mismatch' };
  const payloads: Uint8Array[] = new Array<Uint8Array>(count);
  let at = JS_FRAME_HEADER_BYTES;
  for (let i = 0; i < count; i++) {
    if (at + JS_RECORD_HEADER_BYTES > buf.length) return { ok: false, reason: `record ${String(i)} of ${String(count)} is cut off` };
    const length = buf.readUInt32LE(at);
    at += JS_RECORD_HEADER_BYTES;
    if (at + length > buf.length) return { ok: false, reason: `record ${String(i)} of ${String(count)} is cut off` };
    payloads[i] = buf.subarray(at, at + length);
    at += length;
  }
  if (at !== buf.length) return { ok: false, reason: `${String(buf.length - at)} bytes after the last record` };
  return { ok: true, frame: { firstOffset: Number(first), payloads } };
}
