/**
 * History import (backfill): a tenant's past transactions through the same
 * ingest engine as live records — the same validation, dedup on
 * (terminal, seq), dead letters and durable acknowledgement — so history
 * and live data are counted by one set of rules, exactly once. The stream
 * folds the log into the rollups as it does for live records (it applies
 * tens of thousands of records per batch, so a year of history is built in
 * bulk, not record by record); days before the tenant's go-live date are
 * history, never restatements.
 *
 * Memory stays bounded: at most `maxInflight` chunks of about a mebibyte
 * are in the engine at once, and a busy engine is waited for.
 */
import { readdirSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { BatchOutcome, SubmitOptions } from '../ingest/ingest-engine.js';
import type { LineReject } from '../ingest/worker-protocol.js';
import { detectFormat, fileChunks, type HistoryFormat, type LineChunk } from './history-sources.js';

/** What the importer needs of the ingest engine. */
export interface HistoryEngine {
  submit(tenant: string, source: string, data: Uint8Array, firstLine: number, opts?: SubmitOptions): { lines: number; done: Promise<BatchOutcome> };
  readonly overloaded: boolean;
  once(event: 'drain', listener: () => void): unknown;
}

export interface FileSummary {
  file: string;
  format: HistoryFormat;
  lines: number;
  accepted: number;
  duplicates: number;
  rejected: number;
  /** Error of a file that could not be read at all (nothing of it went in after the error). */
  error?: { code: string; message: string };
}

export interface HistorySummary {
  tenant: string;
  files: FileSummary[];
  lines: number;
  accepted: number;
  duplicates: number;
  rejected: number;
  rejectedByCode: Record<string, number>;
  /** The first rejections, with their file and line, to show. */
  examples: (LineReject & { file: string })[];
  ms: number;
  txPerS: number;
}

export interface HistoryProgress {
  file: string;
  fileIndex: number;
  files: number;
  lines: number;
  accepted: number;
  duplicates: number;
  rejected: number;
  bytesRead: number;
  fileBytes: number;
}

export interface HistoryOptions {
  maxInflight?: number;
  onProgress?: (p: HistoryProgress) => void;
  /** Rejections kept as examples in the summary. */
  examples?: number;
}

/** One source to import: a file on disk, or chunks already made (an HTTP body). */
export type HistoryInput = { path: string; format?: HistoryFormat } | { name: string; format: HistoryFormat; bytes: number; chunks: AsyncIterable<LineChunk> };

/** Files of the given paths; a directory stands for its NDJSON, CSV, Parquet and compact (.tpc) files (recursively, sorted). */
export function historyFiles(paths: readonly string[]): string[] {
  const out: string[] = [];
  const walk = (p: string): void => {
    if (statSync(p).isDirectory()) {
      for (const name of readdirSync(p).sort()) {
        const child = join(p, name);
        if (statSync(child).isDirectory()) walk(child);
        else if (/\.(ndjson|jsonl|json|csv|parquet|tpc)$/i.test(name)) out.push(child);
      }
    } else out.push(p);
  };
  for (const p of paths) walk(p);
  return out;
}

export async function importHistory(engine: HistoryEngine, tenant: string, inputs: readonly HistoryInput[], opts: HistoryOptions = {}): Promise<HistorySummary> {
  const t0 = performance.now();
  const maxInflight = opts.maxInflight ?? 8;
  const exampleCount = opts.examples ?? 20;
  const summary: HistorySummary = { tenant, files: [], lines: 0, accepted: 0, duplicates: 0, rejected: 0, rejectedByCode: {}, examples: [], ms: 0, txPerS: 0 };
  for (const [fileIndex, input] of inputs.entries()) {
    const name = 'path' in input ? input.path : input.name;
    const format = 'path' in input ? (input.format ?? (await detectFormat(input.path))) : input.format;
    const fileBytes = 'path' in input ? statSync(input.path).size : input.bytes;
    const chunks = 'path' in input ? fileChunks(input.path, format, basename(input.path)) : input.chunks;
    const file: FileSummary = { file: name, format, lines: 0, accepted: 0, duplicates: 0, rejected: 0 };
    summary.files.push(file);
    const inflight = new Set<Promise<void>>();
    let failure: unknown = null;
    let bytesRead = 0;
    const progress = (): void => opts.onProgress?.({ file: name, fileIndex, files: inputs.length, lines: file.lines, accepted: file.accepted, duplicates: file.duplicates, rejected: file.rejected, bytesRead, fileBytes });
    try {
      for await (const chunk of chunks) {
        while (engine.overloaded) await new Promise<void>((r) => engine.once('drain', r));
        const { done } = engine.submit(tenant, 'history', chunk.data, chunk.firstLine, format === 'compact' ? { format: 'compact' } : {});
        file.lines += chunk.lines;
        bytesRead = chunk.bytesRead > 0 ? chunk.bytesRead : bytesRead;
        const p: Promise<void> = done.then(
          (o) => {
            file.accepted += o.accepted;
            file.duplicates += o.duplicates;
            file.rejected += o.rejects.length;
            for (const r of o.rejects) {
              summary.rejectedByCode[r.code] = (summary.rejectedByCode[r.code] ?? 0) + 1;
              if (summary.examples.length < exampleCount) summary.examples.push({ ...r, file: name });
            }
            inflight.delete(p);
            progress();
          },
          (err: unknown) => {
            failure ??= err;
            inflight.delete(p);
          },
        );
        inflight.add(p);
        if (inflight.size >= maxInflight) await Promise.race(inflight);
        if (failure !== null) throw failure;
      }
    } catch (err) {
      await Promise.allSettled(inflight);
      // An engine failure stops the import; a file that cannot be read is reported and the next goes on.
      if (!isFileError(err)) throw err;
      file.error = { code: err.code, message: err.message };
    }
    await Promise.all(inflight);
    if (failure !== null) throw failure;
    bytesRead = fileBytes;
    progress();
    summary.lines += file.lines;
    summary.accepted += file.accepted;
    summary.duplicates += file.duplicates;
    summary.rejected += file.rejected;
  }
  summary.examples.sort((a, b) => (a.file === b.file ? a.line - b.line : a.file < b.file ? -1 : 1));
  summary.ms = performance.now() - t0;
  summary.txPerS = summary.ms > 0 ? Math.round((summary.lines * 1000) / summary.ms) : 0;
  return summary;
}

function isFileError(err: unknown): err is { code: string; message: string } {
  return err instanceof Error && err.name === 'HistoryFileError';
}
