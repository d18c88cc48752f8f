/**
 * The payload ingest writes to the log for each accepted transaction.
 *
 * Version 2 (written since the compact wire format): the decoded
 * transaction as a compact record (compact-record.ts), so the stream and
 * the warehouse read fixed offsets instead of parsing JSON again, and the
 * raw NDJSON line only when it had fields outside the record table (they
 * are kept, as the record specification promises, with the line they came in).
 *
 *   u8   version (2)
 *   u8   tenant length in bytes
 *   u16  compact record length in bytes (LE)
 *   f64  received_at, epoch ms (LE)
 *   ...  tenant (UTF-8), compact record, raw line (to the end; often empty)
 *
 * Version 1 (still read: existing logs): a header with the dedup key, then
 * the raw line exactly as received.
 *
 *   u8   version (1)
 *   u8   tenant length in bytes
 *   u16  terminal_id length in bytes (LE)
 *   f64  seq (LE)
 *   f64  received_at, epoch ms (LE)
 *   ...  tenant (UTF-8), terminal_id (UTF-8), raw line (no newline)
 */
import { COMPACT_HEADER, O_SEQ, O_TERMINAL_LEN, encodeCompactRecord, i64At, u16At } from './compact-record.js';
import { compactLineMaxSize, encodeCompactLine, type LineFields } from './line-fields.js';
import type { Transaction } from './transaction.js';

export const INGESTED_RECORD_VERSION = 1;
export const INGESTED_RECORD_VERSION_2 = 2;
const HEADER = 20;
const HEADER_2 = 12;

export interface IngestedRecord {
  tenant: string;
  terminalId: string;
  seq: number;
  receivedAt: number;
  /** The raw NDJSON line (a view into the payload); empty when a v2 record kept none. */
  line: Uint8Array;
  /** v2: the compact record (a view into the payload); null for v1. */
  compact: Uint8Array | null;
}

/** Upper bound of the encoded size, for sizing scratch buffers. */
export function ingestedRecordMaxSize(tenantBytes: number, terminalId: string, lineBytes: number): number {
  return HEADER + tenantBytes + terminalId.length * 3 + lineBytes;
}

/**
 * Encodes a version-1 payload (header and raw line) into `out` at offset 0
 * and returns the byte length. Ingest writes v2 now; this stays for tools
 * and tests that produce the logs older versions wrote. `tenant` is passed
 * pre-encoded: it is the same for a whole batch.
 * @example const n = encodeIngestedRecord(scratch, Buffer.from('acme'), 'T1', 42, Date.now(), line, 0, line.length)
 */
export function encodeIngestedRecord(
  out: Buffer,
  tenant: Uint8Array,
  terminalId: string,
  seq: number,
  receivedAt: number,
  line: Buffer,
  lineStart: number,
  lineEnd: number,
): number {
  out[0] = INGESTED_RECORD_VERSION;
  out[1] = tenant.length;
  out.writeDoubleLE(seq, 4);
  out.writeDoubleLE(receivedAt, 12);
  out.set(tenant, HEADER);
  let at = HEADER + tenant.length;
  // Terminal ids are nearly always ASCII: a byte loop beats a native
  // utf8Write call for ~10 characters.
  let ascii = true;
  for (let i = 0; i < terminalId.length; i++) {
    const c = terminalId.charCodeAt(i);
    if (c >= 0x80) {
      ascii = false;
      break;
    }
    out[at + i] = c;
  }
  const kLen = ascii ? terminalId.length : out.write(terminalId, at, 'utf8');
  out.writeUInt16LE(kLen, 2);
  at += kLen;
  line.copy(out, at, lineStart, lineEnd);
  return at + (lineEnd - lineStart);
}

export class IngestedRecordError extends Error {
  override readonly name = 'IngestedRecordError';
  readonly code = 'ingested_record_invalid';
}

/** Upper bound of a v2 payload's size for a transaction from a line of `lineBytes` kept beside it (0 if none). */
export function ingestedRecordV2MaxSize(tenantBytes: number, t: Transaction, lineBytes: number): number {
  return HEADER_2 + tenantBytes + 64 + 3 * (t.txn_id.length + t.store_id.length + t.terminal_id.length + (t.ref_txn_id?.length ?? 0)) + lineBytes;
}

/**
 * Encodes a v2 payload into `out` at offset 0 from a decoded transaction
 * (a record that came as NDJSON) and returns its byte length; `line` is
 * kept after the compact record when given (lineEnd > lineStart).
 * @example const n = encodeIngestedTransaction(scratch, Buffer.from('acme'), Date.now(), txn, line, 0, 0)
 */
export function encodeIngestedTransaction(out: Buffer, tenant: Uint8Array, receivedAt: number, t: Transaction, line: Buffer, lineStart: number, lineEnd: number): number {
  out[0] = INGESTED_RECORD_VERSION_2;
  out[1] = tenant.length;
  out.writeDoubleLE(receivedAt, 4);
  out.set(tenant, HEADER_2);
  const at = HEADER_2 + tenant.length;
  const end = encodeCompactRecord(out, at, t);
  out.writeUInt16LE(end - at, 2);
  if (lineEnd <= lineStart) return end;
  line.copy(out, end, lineStart, lineEnd);
  return end + (lineEnd - lineStart);
}

let lastReceivedAt = NaN;
const receivedAtBytes = Buffer.alloc(8);

/** Upper bound of a v2 payload's size for a decoded line of `lineBytes` bytes, `keptBytes` of it kept beside the record. */
export function ingestedLineMaxSize(tenantBytes: number, lineBytes: number, keptBytes: number): number {
  return HEADER_2 + tenantBytes + compactLineMaxSize(lineBytes) + keptBytes;
}

/**
 * Encodes a v2 payload into `out` at offset 0 from a line's decoded fields
 * (`checkTransactionLine` on `line`), byte for byte what
 * {@link encodeIngestedTransaction} writes for its Transaction, without
 * one: ids are copied from the line. `line[lineStart, lineEnd)` is kept
 * after the record when not empty.
 * @example const n = encodeIngestedLine(scratch, Buffer.from('acme'), Date.now(), r.fields, buf, 0, 0)
 */
export function encodeIngestedLine(out: Buffer, tenant: Uint8Array, receivedAt: number, f: LineFields, line: Buffer, lineStart: number, lineEnd: number): number {
  out[0] = INGESTED_RECORD_VERSION_2;
  out[1] = tenant.length;
  // A whole batch shares receivedAt and tenant: byte stores from a cached
  // encoding beat writeDoubleLE's checks and a native set() call per record.
  if (receivedAt !== lastReceivedAt) {
    lastReceivedAt = receivedAt;
    receivedAtBytes.writeDoubleLE(receivedAt, 0);
  }
  for (let i = 0; i < 8; i++) out[4 + i] = receivedAtBytes[i]!;
  const tl = tenant.length;
  for (let i = 0; i < tl; i++) out[HEADER_2 + i] = tenant[i]!;
  const at = HEADER_2 + tl;
  const end = encodeCompactLine(out, at, f, line);
  out[2] = (end - at) & 0xff;
  out[3] = (end - at) >>> 8;
  if (lineEnd <= lineStart) return end;
  line.copy(out, end, lineStart, lineEnd);
  return end + (lineEnd - lineStart);
}

/**
 * Encodes a v2 payload around a compact record received as such
 * (`body[start, end)`, already validated): a copy, no re-encoding.
 */
export function encodeIngestedCompact(out: Buffer, tenant: Uint8Array, receivedAt: number, body: Buffer, start: number, end: number): number {
  out[0] = INGESTED_RECORD_VERSION_2;
  out[1] = tenant.length;
  out.writeUInt16LE(end - start, 2);
  out.writeDoubleLE(receivedAt, 4);
  out.set(tenant, HEADER_2);
  const at = HEADER_2 + tenant.length;
  body.copy(out, at, start, end);
  return at + (end - start);
}

const EMPTY = new Uint8Array(0);

/** Decodes a payload written by `encodeIngestedRecord` (v1) or `encodeIngestedTransaction` / `encodeIngestedCompact` (v2). */
export function decodeIngestedRecord(payload: Uint8Array): IngestedRecord {
  const b = Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength);
  if (b.length >= HEADER_2 && b[0] === INGESTED_RECORD_VERSION_2) {
    const tLen = b[1]!;
    const cLen = b.readUInt16LE(2);
    const at = HEADER_2 + tLen;
    if (at + cLen > b.length || cLen < COMPACT_HEADER) throw new IngestedRecordError('ingested record header overruns its payload');
    const compact = b.subarray(at, at + cLen);
    const kLen = u16At(compact, O_TERMINAL_LEN);
    if (COMPACT_HEADER + kLen > cLen) throw new IngestedRecordError('ingested record: terminal_id overruns its compact record');
    return {
      tenant: b.toString('utf8', HEADER_2, at),
      terminalId: compact.toString('utf8', COMPACT_HEADER, COMPACT_HEADER + kLen),
      seq: i64At(compact, O_SEQ),
      receivedAt: b.readDoubleLE(4),
      line: cLen + at === b.length ? EMPTY : b.subarray(at + cLen),
      compact,
    };
  }
  if (b.length < HEADER || b[0] !== INGESTED_RECORD_VERSION) {
    throw new IngestedRecordError(`unsupported ingested record (version ${String(b[0])}, ${b.length} bytes)`);
  }
  const tLen = b[1]!;
  const kLen = b.readUInt16LE(2);
  if (HEADER + tLen + kLen > b.length) throw new IngestedRecordError('ingested record header overruns its payload');
  return {
    tenant: b.toString('utf8', HEADER, HEADER + tLen),
    terminalId: b.toString('utf8', HEADER + tLen, HEADER + tLen + kLen),
    seq: b.readDoubleLE(4),
    receivedAt: b.readDoubleLE(12),
    line: b.subarray(HEADER + tLen + kLen),
    compact: null,
  };
}

/**
 * Reads payloads one after another without allocating per record: the
 * fields of the last one read. The stream reads millions of records a
 * minute, nearly all of one tenant in a row: the tenant's string is reused
 * while its bytes repeat, and the transaction is decoded in place from
 * `bytes` (`compactStart`/`compactEnd` for v2, `lineStart`/`lineEnd` for v1).
 * @example
 * const rd = new IngestedRecordReader();
 * rd.read(payload);
 * const d = rd.compactStart >= 0 ? decodeCompactTransaction(rd.bytes, rd.compactStart, rd.compactEnd, ctx) : decodeTransaction(rd.bytes, rd.lineStart, rd.lineEnd, ctx);
 */
export class IngestedRecordReader {
  tenant = '';
  receivedAt = 0;
  bytes: Uint8Array = EMPTY;
  /** v2: the compact record's range in `bytes`; −1 for v1. */
  compactStart = -1;
  compactEnd = -1;
  /** The raw line's range in `bytes` (empty for most v2 records). */
  lineStart = 0;
  lineEnd = 0;
  private tenantBytes = new Uint8Array(0);

  /** Reads `payload`; throws IngestedRecordError if it is not an ingested record. */
  read(payload: Uint8Array): void {
    const b = payload;
    if (b.length >= HEADER_2 && b[0] === INGESTED_RECORD_VERSION_2) {
      const tLen = b[1]!;
      const cLen = u16At(b, 2);
      const at = HEADER_2 + tLen;
      if (at + cLen > b.length || cLen < COMPACT_HEADER) throw new IngestedRecordError('ingested record header overruns its payload');
      this.readTenant(b, HEADER_2, at);
      this.receivedAt = Buffer.from(b.buffer, b.byteOffset, b.byteLength).readDoubleLE(4);
      this.bytes = b;
      this.compactStart = at;
      this.compactEnd = at + cLen;
      this.lineStart = at + cLen;
      this.lineEnd = b.length;
      return;
    }
    const rec = decodeIngestedRecord(b);
    this.tenant = rec.tenant;
    this.tenantBytes = new Uint8Array(0);
    this.receivedAt = rec.receivedAt;
    this.bytes = rec.line;
    this.compactStart = this.compactEnd = -1;
    this.lineStart = 0;
    this.lineEnd = rec.line.length;
  }

  private readTenant(b: Uint8Array, from: number, to: number): void {
    const last = this.tenantBytes;
    let same = last.length === to - from;
    for (let i = 0; same && i < last.length; i++) same = last[i] === b[from + i];
    if (same) return;
    this.tenantBytes = b.slice(from, to);
    this.tenant = utf8Text.decode(this.tenantBytes);
  }
}

const utf8Text = new TextDecoder();
