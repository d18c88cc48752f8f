/**
 * Compact record, version 1: a transaction in a fixed binary layout, for
 * POS gateways and bulk senders that can afford to skip JSON, and the form
 * every accepted transaction takes in the log (ingested-record.ts, v2).
 * The layout, byte by byte, is in docs/transactions.md ("Compact records").
 *
 *   0  u8   version (1)
 *   1  u8   flags: which optional fields follow (FLAG_*)
 *   2  u16  terminal_id length in bytes
 *   4  u8   type (index in TXN_TYPES)
 *   5  u8   tender (index in TENDERS)
 *   6  u8   card_brand (index in CARD_BRANDS; 0 when absent)
 *   7  3×u8 currency (ASCII)
 *   10 i16  ts offset, minutes east of UTC
 *   12 i64  seq
 *   20 i64  ts, epoch ms UTC
 *   28 i64  amount_minor
 *   36 i64  tax_minor
 *   44 …    terminal_id, then u16+txn_id, u16+store_id, and per flag in
 *           this order: u16+tenant, i64 discount_minor, i64 items,
 *           u16+ref_txn_id, u16+extra (a JSON object of fields outside
 *           the record table)
 *
 * All integers little-endian; strings UTF-8 with a u16 byte length.
 * Fixed-width fields rather than varints: the decoder reads each with a
 * few loads at a known offset, and the terminal_id sits at a fixed offset
 * so the ingest front routes a record without decoding it. On the wire a
 * record travels in a frame: a u16 body length, then the body.
 */
import { CARD_BRANDS, TENDERS, TXN_TYPES, type Transaction } from './transaction.js';

export const COMPACT_VERSION = 1;
/** Bytes before terminal_id. */
export const COMPACT_HEADER = 44;
/** Shortest valid body: the header, an empty terminal_id and two empty length-prefixed ids. */
export const COMPACT_MIN_BYTES = COMPACT_HEADER + 4;
/** Longest body a frame can carry (u16 length). */
export const COMPACT_MAX_BYTES = 0xffff;
/** Bytes of the frame length before each body on the wire. */
export const COMPACT_FRAME_HEADER = 2;

export const FLAG_TENANT = 1;
export const FLAG_DISCOUNT = 2;
export const FLAG_CARD_BRAND = 4;
export const FLAG_ITEMS = 8;
export const FLAG_REF_TXN_ID = 16;
export const FLAG_EXTRA = 32;
export const KNOWN_FLAGS = 63;

export const O_VERSION = 0;
export const O_FLAGS = 1;
export const O_TERMINAL_LEN = 2;
export const O_TYPE = 4;
export const O_TENDER = 5;
export const O_CARD_BRAND = 6;
export const O_CURRENCY = 7;
export const O_TS_OFFSET = 10;
export const O_SEQ = 12;
export const O_TS = 20;
export const O_AMOUNT = 28;
export const O_TAX = 36;

/** How records travel: NDJSON lines or compact frames. */
export const WIRE_FORMATS = ['ndjson', 'compact'] as const;
export type WireFormat = (typeof WIRE_FORMATS)[number];

/** Content type of compact records over HTTP, and the AUTH option on TCP (docs/ingest-protocol.md). */
export const COMPACT_CONTENT_TYPE = 'application/vnd.tpay.compact-v1';

/** What the encoder writes: a Transaction, plus the two fields a Transaction does not keep. */
export interface CompactRecordInput extends Transaction {
  /** Written only when given (it must then equal the sender's tenant). */
  tenant?: string | null;
  /** Fields outside the record table, as the text of one JSON object. */
  extra?: string | null;
}

const TWO_32 = 4294967296;

export function u16At(b: Uint8Array, o: number): number {
  return b[o]! | (b[o + 1]! << 8);
}

/**
 * The i64 at `o` as a number when it is a safe integer; NaN otherwise (the
 * caller then shows it with {@link i64Text} in its reject message).
 */
export function i64At(b: Uint8Array, o: number): number {
  const lo = (b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16) | (b[o + 3]! << 24)) >>> 0;
  const hi = b[o + 4]! | (b[o + 5]! << 8) | (b[o + 6]! << 16) | (b[o + 7]! << 24);
  // |hi| < 2^21 keeps hi·2^32 + lo within ±2^53: exact.
  if (hi >= 0x200000 || hi < -0x200000) return NaN;
  const v = hi * TWO_32 + lo;
  return Number.isSafeInteger(v) ? v : NaN;
}

/** The exact decimal text of the i64 at `o` (for messages). */
export function i64Text(b: Uint8Array, o: number): string {
  let v = 0n;
  for (let k = 7; k >= 0; k--) v = (v << 8n) | BigInt(b[o + k]!);
  return BigInt.asIntN(64, v).toString();
}

/** Whether the i64 at `o` is negative (its top bit). */
export function i64Negative(b: Uint8Array, o: number): boolean {
  return (b[o + 7]! & 0x80) !== 0;
}

/** Writes integer `v` as a little-endian i64 at `o`. */
export function writeI64(b: Uint8Array, o: number, v: number): void {
  if (!Number.isInteger(v)) throw new RangeError(`compact record: ${String(v)} is not an integer`);
  if (Number.isSafeInteger(v)) {
    const hi = Math.floor(v / TWO_32);
    const lo = v - hi * TWO_32;
    b[o] = lo & 0xff;
    b[o + 1] = (lo >>> 8) & 0xff;
    b[o + 2] = (lo >>> 16) & 0xff;
    b[o + 3] = lo >>> 24;
    b[o + 4] = hi & 0xff;
    b[o + 5] = (hi >> 8) & 0xff;
    b[o + 6] = (hi >> 16) & 0xff;
    b[o + 7] = (hi >> 24) & 0xff;
    return;
  }
  let x = BigInt.asUintN(64, BigInt(v));
  for (let k = 0; k < 8; k++) {
    b[o + k] = Number(x & 0xffn);
    x >>= 8n;
  }
}

export function writeU16(b: Uint8Array, o: number, v: number): void {
  b[o] = v & 0xff;
  b[o + 1] = v >>> 8;
}

const utf8 = new TextEncoder();

/**
 * Writes `s` as UTF-8 at `o` and returns its byte length. Ids are nearly
 * always ASCII: a byte loop beats the encoder call for ~10 characters.
 */
export function writeText(b: Uint8Array, o: number, s: string): number {
  const n = s.length;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x80) return utf8.encodeInto(s, b.subarray(o)).written;
    b[o + i] = c;
  }
  return n;
}

/** Writes a u16 length and the text; returns the next offset. */
function writeString(b: Uint8Array, o: number, s: string, field: string): number {
  const n = writeText(b, o + 2, s);
  if (n > COMPACT_MAX_BYTES) throw new RangeError(`compact record: ${field} is ${String(n)} bytes, over ${String(COMPACT_MAX_BYTES)}`);
  writeU16(b, o, n);
  return o + 2 + n;
}

/** Upper bound of the body size of `t`, for sizing buffers. */
export function compactRecordMaxSize(t: CompactRecordInput): number {
  let n = COMPACT_MIN_BYTES + 3 * (t.terminal_id.length + t.txn_id.length + t.store_id.length) + 16;
  if (t.tenant != null) n += 2 + 3 * t.tenant.length;
  if (t.ref_txn_id !== null) n += 2 + 3 * t.ref_txn_id.length;
  if (t.extra != null) n += 2 + 3 * t.extra.length;
  return n;
}

/**
 * Writes the body of `t` at `b[o…]` and returns the offset after it. The
 * caller sizes `b` with {@link compactRecordMaxSize}. Values are written as
 * given (a negative amount stays negative): validation is the decoder's.
 * @example
 * const buf = new Uint8Array(compactRecordMaxSize(t));
 * const end = encodeCompactRecord(buf, 0, t);
 */
export function encodeCompactRecord(b: Uint8Array, o: number, t: CompactRecordInput): number {
  const type = TXN_TYPES.indexOf(t.type);
  const tender = TENDERS.indexOf(t.tender);
  const brand = t.card_brand === null ? 0 : CARD_BRANDS.indexOf(t.card_brand);
  if (type < 0 || tender < 0 || brand < 0) throw new RangeError(`compact record: unknown type, tender or card_brand in ${t.txn_id}`);
  if (t.currency.length !== 3) throw new RangeError(`compact record: currency '${t.currency}' is not three letters`);
  let flags = 0;
  if (t.tenant != null) flags |= FLAG_TENANT;
  if (t.discount_minor !== null) flags |= FLAG_DISCOUNT;
  if (t.card_brand !== null) flags |= FLAG_CARD_BRAND;
  if (t.items !== null) flags |= FLAG_ITEMS;
  if (t.ref_txn_id !== null) flags |= FLAG_REF_TXN_ID;
  if (t.extra != null) flags |= FLAG_EXTRA;
  b[o + O_VERSION] = COMPACT_VERSION;
  b[o + O_FLAGS] = flags;
  b[o + O_TYPE] = type;
  b[o + O_TENDER] = tender;
  b[o + O_CARD_BRAND] = brand;
  b[o + O_CURRENCY] = t.currency.charCodeAt(0);
  b[o + O_CURRENCY + 1] = t.currency.charCodeAt(1);
  b[o + O_CURRENCY + 2] = t.currency.charCodeAt(2);
  const off = t.ts_offset_min & 0xffff;
  writeU16(b, o + O_TS_OFFSET, off);
  writeI64(b, o + O_SEQ, t.seq);
  writeI64(b, o + O_TS, t.ts);
  writeI64(b, o + O_AMOUNT, t.amount_minor);
  writeI64(b, o + O_TAX, t.tax_minor);
  const k = writeText(b, o + COMPACT_HEADER, t.terminal_id);
  writeU16(b, o + O_TERMINAL_LEN, k);
  let at = o + COMPACT_HEADER + k;
  at = writeString(b, at, t.txn_id, 'txn_id');
  at = writeString(b, at, t.store_id, 'store_id');
  if (t.tenant != null) at = writeString(b, at, t.tenant, 'tenant');
  if (t.discount_minor !== null) {
    writeI64(b, at, t.discount_minor);
    at += 8;
  }
  if (t.items !== null) {
    writeI64(b, at, t.items);
    at += 8;
  }
  if (t.ref_txn_id !== null) at = writeString(b, at, t.ref_txn_id, 'ref_txn_id');
  if (t.extra != null) at = writeString(b, at, t.extra, 'extra');
  if (at - o > COMPACT_MAX_BYTES) throw new RangeError(`compact record: ${String(at - o)} bytes, over ${String(COMPACT_MAX_BYTES)}`);
  return at;
}

/**
 * One record as it travels on the wire: a u16 length, then the body.
 * @example socket.write(compactFrame(t))
 */
export function compactFrame(t: CompactRecordInput): Uint8Array {
  const b = new Uint8Array(COMPACT_FRAME_HEADER + compactRecordMaxSize(t));
  const end = encodeCompactRecord(b, COMPACT_FRAME_HEADER, t);
  writeU16(b, 0, end - COMPACT_FRAME_HEADER);
  return b.subarray(0, end);
}

/** Writes the frame length of a body already at `b[o + 2, end)`. */
export function writeFrameLength(b: Uint8Array, o: number, end: number): void {
  writeU16(b, o, end - o - COMPACT_FRAME_HEADER);
}
