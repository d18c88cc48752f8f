/**
 * The payload ingest writes to the log for each accepted transaction: a
 * small binary header with the dedup key (so recovery and audits need no
 * JSON parsing) followed by the raw line exactly as received (so unknown
 * fields and the original text are kept).
 *
 *   u8   version (1)
 *   u8   tenant length in bytes
 *   u16  terminal_id length in bytes (LE)
 *   f64  seq (LE)
 *   f64  received_at, epoch ms (LE)
 *   ...  tenant (UTF-8), terminal_id (UTF-8), raw line (no newline)
 */

export const INGESTED_RECORD_VERSION = 1;
const HEADER = 20;

export interface IngestedRecord {
  tenant: string;
  terminalId: string;
  seq: number;
  receivedAt: number;
  /** The raw NDJSON line (a view into the payload). */
  line: Uint8Array;
}

/** Upper bound of the encoded size, for sizing scratch buffers. */
export function ingestedRecordMaxSize(tenantBytes: number, terminalId: string, lineBytes: number): number {
  return HEADER + tenantBytes + terminalId.length * 3 + lineBytes;
}

/**
 * Encodes into `out` at offset 0 and returns the byte length. `tenant` is
 * passed pre-encoded: it is the same for a whole batch.
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

/** Decodes a payload written by `encodeIngestedRecord`. */
export function decodeIngestedRecord(payload: Uint8Array): IngestedRecord {
  const b = Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength);
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
  };
}
