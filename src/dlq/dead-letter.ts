/**
 * Dead letters: every rejected line, kept durably with its reason so that
 * nothing sent to us is lost. Stored as NDJSON under `<dataDir>/dlq/`, one
 * append-only file per ingest worker, plus a ledger of replays.
 */
import { isUtf8 } from 'node:buffer';
import type { RejectCode } from '../domain/reject-codes.js';
import type { WireFormat } from '../domain/compact-record.js';

/** One rejected line as stored. `raw` holds the line when it is UTF-8, `raw_base64` otherwise. */
export interface DeadLetter {
  id: string;
  tenant: string;
  code: RejectCode;
  message: string;
  field: string | null;
  /** Line number within the batch or connection it came in. */
  line: number;
  /** Where it came from, e.g. `tcp 127.0.0.1:50412`, `http`, `dlq-replay`. */
  source: string;
  /** Epoch milliseconds when it was received. */
  received_at: number;
  /** Length in bytes of the original line. */
  length: number;
  /** True when only a prefix of an over-long line is kept. */
  truncated: boolean;
  /** `compact` for a compact record (its bytes without the frame length); absent for an NDJSON line. */
  format?: 'compact';
  raw?: string;
  raw_base64?: string;
}

export interface DeadLetterInput {
  tenant: string;
  code: RejectCode;
  message: string;
  field: string | null;
  line: number;
  source: string;
  receivedAt: number;
  bytes: Uint8Array;
  /** Original length when `bytes` is only a prefix. */
  length: number;
  /** How the record came; absent means NDJSON. */
  format?: WireFormat;
}

/** Encodes one dead letter as an NDJSON line (with trailing newline). */
export function encodeDeadLetter(id: string, d: DeadLetterInput): string {
  const buf = Buffer.from(d.bytes.buffer, d.bytes.byteOffset, d.bytes.byteLength);
  const entry: DeadLetter = {
    id,
    tenant: d.tenant,
    code: d.code,
    message: d.message,
    field: d.field,
    line: d.line,
    source: d.source,
    received_at: d.receivedAt,
    length: d.length,
    truncated: d.length > d.bytes.byteLength,
  };
  if (d.format === 'compact') {
    // Binary: base64 always, so the entry never reads as a text line.
    entry.format = 'compact';
    entry.raw_base64 = buf.toString('base64');
  } else if (isUtf8(buf)) entry.raw = buf.toString('utf8');
  else entry.raw_base64 = buf.toString('base64');
  return `${JSON.stringify(entry)}\n`;
}

/** The original bytes of a dead letter. */
export function deadLetterBytes(d: DeadLetter): Buffer {
  return d.raw !== undefined ? Buffer.from(d.raw, 'utf8') : Buffer.from(d.raw_base64 ?? '', 'base64');
}
