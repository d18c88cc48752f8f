/**
 * The transaction of a log record, whichever version wrote it: v2 carries a
 * compact record (read at fixed offsets), v1 only the raw NDJSON line (a
 * full JSON decode). Both run the ingest rules again under the context the
 * caller gives, so a payload that did not come from ingest cannot slip
 * through unchecked.
 */
import { decodeCompactTransaction } from './compact-decoder.js';
import type { IngestedRecord } from './ingested-record.js';
import { decodeTransaction, type DecodeContext, type DecodeResult } from './transaction-decoder.js';

/**
 * @example
 * const rec = decodeIngestedRecord(payload);
 * const d = decodeIngestedTransaction(rec, { tenant: rec.tenant, nowMs: rec.receivedAt, hasStore: () => true, maxLineBytes: 1 << 20 });
 */
export function decodeIngestedTransaction(rec: IngestedRecord, ctx: DecodeContext): DecodeResult {
  const c = rec.compact;
  return c !== null ? decodeCompactTransaction(c, 0, c.length, ctx) : decodeTransaction(rec.line, 0, rec.line.length, ctx);
}
