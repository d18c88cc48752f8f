/**
 * A tenant's past transactions, read from files into the NDJSON lines (or
 * compact frames) live ingest takes, in chunks of about a mebibyte cut at
 * line (frame) ends. Four layouts (docs/history.md):
 *
 * - NDJSON: the live record format, one record per line, as it is;
 * - compact: compact frames back to back (docs/transactions.md), as they are;
 * - CSV: a header of field names, one record per row; integer fields are
 *   written as JSON numbers exactly as in the cell, other fields as strings,
 *   an empty cell is a field not given. The record is then judged by the
 *   same rules as a live line, so a bad cell gets the same code and message;
 * - Parquet: columns named as the record's fields (the warehouse's own
 *   files are such files), read with DuckDB.
 *
 * Each chunk names the line (NDJSON, CSV: the file's line, the header being
 * line 1; Parquet: the row) of its first record, so rejections point into
 * the file.
 */
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { extname } from 'node:path';
import { Readable } from 'node:stream';
import { parse as parseCsv } from 'csv-parse';
import { DuckDBInstance } from '@duckdb/node-api';
import { sqlString } from '../warehouse/duckdb-subset.js';

export const HISTORY_FORMATS = ['ndjson', 'csv', 'parquet', 'compact'] as const;
export type HistoryFormat = (typeof HISTORY_FORMATS)[number];

export function isHistoryFormat(v: unknown): v is HistoryFormat {
  return typeof v === 'string' && (HISTORY_FORMATS as readonly string[]).includes(v);
}

/** NDJSON lines of consecutive records (`data` has no trailing newline), or compact frames for a compact file. */
export interface LineChunk {
  data: Buffer;
  /** Line (or row) number of the chunk's first record in its file. */
  firstLine: number;
  lines: number;
  /** Bytes of the file read so far (for progress). */
  bytesRead: number;
}

export class HistoryFileError extends Error {
  override readonly name = 'HistoryFileError';
  constructor(
    readonly code: 'history_format_unknown' | 'history_csv_header' | 'history_csv_invalid' | 'history_parquet_invalid',
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

const CHUNK_BYTES = 1 << 20;

/** The format of a file: from its extension, else from its first bytes. */
export async function detectFormat(path: string): Promise<HistoryFormat> {
  const ext = extname(path).toLowerCase();
  if (ext === '.parquet') return 'parquet';
  if (ext === '.csv') return 'csv';
  if (ext === '.tpc') return 'compact';
  if (ext === '.ndjson' || ext === '.jsonl' || ext === '.json') return 'ndjson';
  const fh = await open(path, 'r');
  try {
    const head = Buffer.alloc(64);
    const { bytesRead } = await fh.read(head, 0, head.length, 0);
    return formatOfBytes(head.subarray(0, bytesRead), path);
  } finally {
    await fh.close();
  }
}

/** The format of a body from its first bytes: `PAR1` is Parquet, `{` NDJSON, a header line CSV. */
export function formatOfBytes(head: Uint8Array, name: string): HistoryFormat {
  if (head.length >= 4 && head[0] === 0x50 && head[1] === 0x41 && head[2] === 0x52 && head[3] === 0x31) return 'parquet';
  let i = 0;
  if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) i = 3;
  while (i < head.length && (head[i] === 0x20 || head[i] === 0x0a || head[i] === 0x0d || head[i] === 0x09)) i++;
  if (i < head.length && head[i] === 0x7b) return 'ndjson';
  if (i < head.length && /[A-Za-z_"]/.test(String.fromCharCode(head[i]!))) return 'csv';
  throw new HistoryFileError('history_format_unknown', `${name}: not NDJSON, CSV or Parquet (give the format: ndjson, csv or parquet)`);
}

/** Chunks of an NDJSON byte stream, cut at newlines (the file's lines, unchanged). */
export async function* ndjsonChunks(input: AsyncIterable<Buffer>): AsyncGenerator<LineChunk> {
  let carry: Buffer = Buffer.alloc(0);
  let line = 1;
  let bytesRead = 0;
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  const flush = (upto: Buffer): LineChunk | null => {
    if (upto.length === 0) return null;
    const data = upto[upto.length - 1] === 0x0a ? upto.subarray(0, upto.length - 1) : upto;
    const lines = countNewlines(data) + 1;
    const chunk = { data, firstLine: line, lines, bytesRead };
    line += lines;
    return chunk;
  };
  for await (const piece of input) {
    bytesRead += piece.length;
    pending.push(piece);
    pendingBytes += piece.length;
    if (pendingBytes + carry.length < CHUNK_BYTES) continue;
    const all = Buffer.concat([carry, ...pending]);
    pending = [];
    pendingBytes = 0;
    const nl = all.lastIndexOf(0x0a);
    if (nl < 0) {
      carry = all;
      continue;
    }
    carry = all.subarray(nl + 1);
    const c = flush(all.subarray(0, nl + 1));
    if (c !== null) yield c;
  }
  const rest = Buffer.concat([carry, ...pending]);
  const c = flush(rest);
  if (c !== null && !(c.lines === 1 && c.data.length === 0)) yield c;
}

function countNewlines(b: Buffer): number {
  let n = 0;
  for (let i = b.indexOf(0x0a); i >= 0; i = b.indexOf(0x0a, i + 1)) n++;
  return n;
}

/** Fields written as JSON numbers when a CSV cell holds an integer. */
const INTEGER_FIELDS = new Set(['seq', 'amount_minor', 'tax_minor', 'discount_minor', 'items']);
const REQUIRED = ['txn_id', 'store_id', 'terminal_id', 'seq', 'ts', 'type', 'amount_minor', 'currency', 'tax_minor', 'tender'];
const INTEGER = /^-?\d+$/;

/** Chunks of NDJSON lines from a CSV byte stream: one record per data row. */
export async function* csvChunks(input: AsyncIterable<Buffer>, name: string): AsyncGenerator<LineChunk> {
  const parser = Readable.from(input).pipe(parseCsv({ bom: true, relax_column_count: false, skip_empty_lines: true, info: true }));
  let header: string[] | null = null;
  let parts: string[] = [];
  let bytes = 0;
  let firstLine = 0;
  let lines = 0;
  let lastBytes = 0;
  try {
    for await (const rec of parser as AsyncIterable<{ record: string[]; info: { lines: number; bytes: number } }>) {
      if (header === null) {
        header = rec.record.map((h) => h.trim());
        const missing = REQUIRED.filter((f) => !header!.includes(f));
        if (missing.length > 0) throw new HistoryFileError('history_csv_header', `${name}: line 1: the header lacks ${missing.join(', ')} (a header of the record's field names is required: ${REQUIRED.join(',')},…)`);
        const dup = header.find((h, i) => header!.indexOf(h) !== i);
        if (dup !== undefined) throw new HistoryFileError('history_csv_header', `${name}: line 1: column '${dup}' appears twice`);
        continue;
      }
      lastBytes = rec.info.bytes;
      if (lines === 0) firstLine = rec.info.lines;
      parts.push(csvRecordJson(header, rec.record));
      lines++;
      bytes += parts[parts.length - 1]!.length + 1;
      if (bytes >= CHUNK_BYTES) {
        yield { data: Buffer.from(parts.join('\n')), firstLine, lines, bytesRead: rec.info.bytes };
        parts = [];
        bytes = 0;
        lines = 0;
      }
    }
  } catch (err) {
    if (err instanceof HistoryFileError) throw err;
    throw new HistoryFileError('history_csv_invalid', `${name}: ${(err as Error).message}`, { cause: err });
  } finally {
    parser.destroy();
  }
  if (header === null) throw new HistoryFileError('history_csv_header', `${name}: empty file: a header of the record's field names is required`);
  if (lines > 0) yield { data: Buffer.from(parts.join('\n')), firstLine, lines, bytesRead: lastBytes };
}

/** One CSV row as the JSON record live ingest would have been sent. */
export function csvRecordJson(header: readonly string[], cells: readonly string[]): string {
  const out: string[] = [];
  for (let i = 0; i < header.length; i++) {
    const cell = cells[i] ?? '';
    if (cell === '') continue;
    const field = header[i]!;
    out.push(`${JSON.stringify(field)}:${INTEGER_FIELDS.has(field) && INTEGER.test(cell) ? cell : JSON.stringify(cell)}`);
  }
  return `{${out.join(',')}}`;
}

const PARQUET_ROWS = 8_192;

/** Chunks of NDJSON lines from a Parquet file, one record per row (DuckDB renders each row as JSON). */
export async function* parquetChunks(path: string, name: string): AsyncGenerator<LineChunk> {
  const db = await DuckDBInstance.create(':memory:', { threads: '1' });
  const conn = await db.connect();
  try {
    const file = `read_parquet(${sqlString(path)})`;
    let columns: { name: string; type: string }[];
    try {
      columns = (await conn.runAndReadAll(`DESCRIBE SELECT * FROM ${file}`)).getRowsJS().map((r) => ({ name: String(r[0]), type: String(r[1]) }));
    } catch (err) {
      throw new HistoryFileError('history_parquet_invalid', `${name}: cannot be read as Parquet: ${(err as Error).message}`, { cause: err });
    }
    const ts = columns.find((c) => c.name === 'ts');
    if (ts === undefined) throw new HistoryFileError('history_parquet_invalid', `${name}: no column 'ts' (columns are named as the record's fields)`);
    const hasOffset = columns.some((c) => c.name === 'ts_offset_min');
    const skip = new Set(['ts', 'ts_offset_min', 'received_at', 'log_partition', 'log_offset']);
    const fields = columns.filter((c) => !skip.has(c.name));
    const pairs = fields.map((c) => `${sqlString(c.name)}, ${quoteIdent(c.name)}`).join(', ');
    const timeTyped = ts.type.startsWith('TIMESTAMP');
    // A timestamp column is rendered from epoch milliseconds with its offset below; text goes in as written.
    const tsSql = timeTyped ? `epoch_ms(${quoteIdent('ts')})` : `CAST(${quoteIdent('ts')} AS VARCHAR)`;
    const offSql = hasOffset ? `CAST(${quoteIdent('ts_offset_min')} AS INTEGER)` : 'NULL';
    const sql = `SELECT CAST(json_object(${pairs}) AS VARCHAR), ${tsSql}, ${offSql} FROM ${file}`;
    const result = await conn.stream(sql);
    let row = 1;
    let parts: string[] = [];
    let first = 1;
    for (;;) {
      const chunk = await result.fetchChunk();
      if (chunk === null || chunk.rowCount === 0) break;
      for (const r of chunk.getRows()) {
        const json = String(r[0]);
        const t = r[1];
        const tsText = t === null ? null : timeTyped ? rfc3339(Number(t), r[2] === null ? 0 : Number(r[2])) : String(t);
        const tsField = tsText === null ? '' : `"ts":${JSON.stringify(tsText)}`;
        parts.push(json === '{}' ? `{${tsField}}` : tsField === '' ? json : `{${tsField},${json.slice(1)}`);
        row++;
        if (parts.length >= PARQUET_ROWS) {
          yield { data: Buffer.from(parts.join('\n')), firstLine: first, lines: parts.length, bytesRead: 0 };
          first = row;
          parts = [];
        }
      }
    }
    if (parts.length > 0) yield { data: Buffer.from(parts.join('\n')), firstLine: first, lines: parts.length, bytesRead: 0 };
  } finally {
    conn.closeSync();
    db.closeSync();
  }
}

function quoteIdent(s: string): string {
  return `"${s.replaceAll('"', '""')}"`;
}

/** `ms` as RFC 3339 in the zone `offsetMin` minutes east of UTC, with milliseconds. */
export function rfc3339(ms: number, offsetMin: number): string {
  const local = new Date(ms + offsetMin * 60_000).toISOString().slice(0, 23);
  if (offsetMin === 0) return `${local}Z`;
  const a = Math.abs(offsetMin);
  return `${local}${offsetMin < 0 ? '-' : '+'}${String(Math.floor(a / 60)).padStart(2, '0')}:${String(a % 60).padStart(2, '0')}`;
}

/**
 * Chunks of a stream of compact frames, cut at frame ends; `lines` counts
 * records. A last frame cut short goes in the last chunk as it is (ingest
 * rejects it as truncated, so it is reported, not dropped).
 */
export async function* compactChunks(input: AsyncIterable<Buffer>): AsyncGenerator<LineChunk> {
  let carry: Buffer = Buffer.alloc(0);
  let record = 1;
  let bytesRead = 0;
  for await (const piece of input) {
    bytesRead += piece.length;
    const all = carry.length === 0 ? piece : Buffer.concat([carry, piece]);
    if (all.length < CHUNK_BYTES) {
      carry = all;
      continue;
    }
    let pos = 0;
    let n = 0;
    while (pos + 2 <= all.length) {
      const end = pos + 2 + (all[pos]! | (all[pos + 1]! << 8));
      if (end > all.length) break;
      pos = end;
      n++;
    }
    carry = all.subarray(pos);
    if (n === 0) continue;
    yield { data: all.subarray(0, pos), firstLine: record, lines: n, bytesRead };
    record += n;
  }
  if (carry.length === 0) return;
  let pos = 0;
  let n = 0;
  while (pos < carry.length) {
    pos += 2 + (pos + 2 <= carry.length ? carry[pos]! | (carry[pos + 1]! << 8) : 0);
    n++;
  }
  yield { data: carry, firstLine: record, lines: n, bytesRead };
}

/** The chunks of one file in its format. */
export function fileChunks(path: string, format: HistoryFormat, name = path): AsyncGenerator<LineChunk> {
  if (format === 'parquet') return parquetChunks(path, name);
  const stream = createReadStream(path, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>;
  if (format === 'compact') return compactChunks(stream);
  return format === 'csv' ? csvChunks(stream, name) : ndjsonChunks(stream);
}
