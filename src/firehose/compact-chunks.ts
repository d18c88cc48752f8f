/**
 * NDJSON chunks → compact chunks, for senders that speak the compact wire
 * format (docs/ingest-protocol.md#compact-records). Each line is decoded
 * once, here, with the record rules (every store allowed, no clock: the
 * server judges those), and written as a compact frame.
 *
 * A line that does not decode, or that has fields outside the record
 * table, has no compact form: it is counted in `unconverted` and not sent
 * (a compact sender cannot deliver malformed NDJSON for the server to
 * reject, so the firehose's `--malformed` faults do not apply to it).
 */
import { compactRecordMaxSize, encodeCompactRecord } from '../domain/compact-record.js';
import { decodeTransaction, lastLineHadUnknownFields, type DecodeContext } from '../domain/transaction-decoder.js';
import type { LineChunk, LineSource } from './line-chunk.js';

const NL = 0x0a;

/** Lines seen and lines left out by a conversion. */
export interface CompactConversion {
  lines: number;
  unconverted: number;
}

/**
 * The compact form of one NDJSON chunk for `tenant`.
 * @example const c = toCompactChunk(linesToChunk([line]), 'acme', stats)
 */
export function toCompactChunk(chunk: LineChunk, tenant: string, stats: CompactConversion = { lines: 0, unconverted: 0 }): LineChunk {
  const ctx: DecodeContext = { tenant, nowMs: Infinity, hasStore: () => true, maxLineBytes: 1 << 20 };
  const src = chunk.data;
  // Compact frames are well under half the bytes of their lines.
  let out = Buffer.allocUnsafe(Math.max(4096, src.length));
  let at = 0;
  let records = 0;
  let pos = 0;
  while (pos < src.length) {
    let end = src.indexOf(NL, pos);
    if (end === -1) end = src.length;
    const next = end + 1;
    if (end > pos && src[end - 1] === 0x0d) end--;
    if (end > pos) {
      stats.lines++;
      const r = decodeTransaction(src, pos, end, ctx);
      if (!r.ok || lastLineHadUnknownFields()) stats.unconverted++;
      else {
        const need = 2 + compactRecordMaxSize(r.txn);
        if (at + need > out.length) {
          const grown = Buffer.allocUnsafe(Math.max(out.length * 2, at + need));
          out.copy(grown, 0, 0, at);
          out = grown;
        }
        const e = encodeCompactRecord(out, at + 2, r.txn);
        out.writeUInt16LE(e - at - 2, at);
        at = e;
        records++;
      }
    }
    pos = next;
  }
  return { data: out.subarray(0, at), lines: records, format: 'compact' };
}

/**
 * A source's chunks converted as they are read.
 * @example await sendLines(compactSource(readLineChunks(path), 'acme'), { key, format: 'compact' })
 */
export async function* compactSource(source: LineSource, tenant: string, stats: CompactConversion = { lines: 0, unconverted: 0 }): AsyncGenerator<LineChunk> {
  for await (const c of source) {
    const out = toCompactChunk(c, tenant, stats);
    if (out.lines > 0) yield out;
  }
}
