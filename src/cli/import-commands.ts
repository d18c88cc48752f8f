/**
 * `tpay import history`: a tenant's past transactions from NDJSON, CSV or
 * Parquet files (or directories of them) into the platform, with a progress
 * bar and a summary. On the data directory when no server runs (the
 * platform is started without listeners, the records go through its ingest
 * engine into the log and the rollups, and a snapshot is written at the
 * end); with `--url` and an admin key, into a running server over
 * `POST /v1/admin/tenants/{id}/history`, file by file in parts.
 */
import { basename } from 'node:path';
import type { Command } from 'commander';
import { historyFiles, importHistory, type FileSummary, type HistoryProgress, type HistorySummary } from '../history/history-import.js';
import { COMPACT_CONTENT_TYPE } from '../domain/compact-record.js';
import { detectFormat, fileChunks, isHistoryFormat, type HistoryFormat } from '../history/history-sources.js';
import { startPlatform } from '../platform/platform.js';
import { TenantStore } from '../tenants/tenant-store.js';
import { action, configFrom, loggerFor } from './context.js';

interface ImportOptions {
  tenant: string;
  format?: string;
  url?: string;
  key?: string;
  json?: boolean;
}

export function registerImportCommands(program: Command): void {
  const imp = program.command('import').description("bulk imports: a tenant's history");
  imp
    .command('history')
    .description("import a tenant's past transactions (NDJSON, CSV or Parquet files, or directories of them): same validation, dedup and dead letters as live ingest")
    .argument('<paths...>', 'files or directories (their .ndjson, .jsonl, .json, .csv and .parquet files)')
    .requiredOption('--tenant <id>', 'tenant the records belong to')
    .option('--format <format>', 'ndjson, csv, parquet or compact (default: from each file; .tpc is compact)')
    .option('--url <url>', 'send to a running server (e.g. http://127.0.0.1:7401) instead of opening the data directory')
    .option('--key <secret>', 'admin key, with --url')
    .option('--json', 'print the summary as JSON')
    .action(
      action(async (paths: string[], o: ImportOptions, cmd: Command) => {
        if (o.format !== undefined && !isHistoryFormat(o.format)) throw new Error(`--format must be ndjson, csv, parquet or compact, got '${o.format}'`);
        const format = o.format as HistoryFormat | undefined;
        const files = historyFiles(paths);
        if (files.length === 0) throw new Error(`no NDJSON, CSV, Parquet or compact files in ${paths.join(', ')}`);
        const bar = progressBar();
        let summary: HistorySummary;
        if (o.url !== undefined) {
          if (o.key === undefined) throw new Error('--url needs --key with an admin key');
          summary = await importOverHttp(o.url, o.key, o.tenant, files, format, bar);
        } else {
          const config = configFrom(cmd);
          if (new TenantStore(config.dataDir).get(o.tenant) === undefined) throw new Error(`unknown tenant '${o.tenant}'`);
          const platform = await startPlatform(config, loggerFor(config), { listen: false });
          try {
            summary = await importHistory(platform.ingest.engine, o.tenant, files.map((path) => ({ path, format })), { onProgress: bar });
            await platform.stream.caughtUp(30 * 60_000);
          } finally {
            await platform.close();
          }
        }
        bar.done();
        process.stdout.write(o.json === true ? `${JSON.stringify(summary)}\n` : summaryText(summary));
        if (summary.files.some((f) => f.error !== undefined)) process.exitCode = 1;
      }),
    );
}

/** Progress on stderr when it is a terminal: one line, redrawn at most ten times a second. */
function progressBar(): ((p: HistoryProgress) => void) & { done(): void } {
  const tty = process.stderr.isTTY;
  const t0 = Date.now();
  let last = 0;
  let drawn = false;
  const fn = (p: HistoryProgress): void => {
    const now = Date.now();
    if (!tty || now - last < 100) return;
    last = now;
    const share = p.fileBytes > 0 ? Math.min(1, p.bytesRead / p.fileBytes) : 0;
    const width = 24;
    const full = Math.round(share * width);
    const rate = Math.round(((p.accepted + p.duplicates + p.rejected) * 1000) / Math.max(1, now - t0));
    process.stderr.write(`\r[${'#'.repeat(full)}${'.'.repeat(width - full)}] ${String(Math.round(share * 100)).padStart(3)}%  file ${String(p.fileIndex + 1)}/${String(p.files)} ${basename(p.file)}  ${p.lines.toLocaleString('en-US')} records  ${rate.toLocaleString('en-US')} tx/s   `);
    drawn = true;
  };
  return Object.assign(fn, {
    done(): void {
      if (drawn) process.stderr.write('\n');
    },
  });
}

function summaryText(s: HistorySummary): string {
  const lines = [`imported history of ${s.tenant}: ${s.lines} records in ${String(s.files.length)} file(s), ${(s.ms / 1000).toFixed(1)} s (${s.txPerS.toLocaleString('en-US')} tx/s)`, `  accepted ${s.accepted}  duplicates ${s.duplicates}  rejected ${s.rejected}`];
  for (const [code, n] of Object.entries(s.rejectedByCode).sort()) lines.push(`  rejected ${code}: ${n}`);
  for (const e of s.examples.slice(0, 5)) lines.push(`  e.g. ${e.file} line ${String(e.line)}: ${e.code}: ${e.message}`);
  if (s.rejected > 0) lines.push('  rejected records are kept as dead letters: tpay dlq list --tenant … ; fix the cause, then tpay dlq replay');
  for (const f of s.files) if (f.error !== undefined) lines.push(`  ${f.file}: ${f.error.code}: ${f.error.message}`);
  return `${lines.join('\n')}\n`;
}

/** Each file in parts of about a mebibyte of NDJSON lines, posted in order; the server's summaries added up. */
async function importOverHttp(url: string, key: string, tenant: string, files: readonly string[], format: HistoryFormat | undefined, bar: (p: HistoryProgress) => void): Promise<HistorySummary> {
  const t0 = performance.now();
  const total: HistorySummary = { tenant, files: [], lines: 0, accepted: 0, duplicates: 0, rejected: 0, rejectedByCode: {}, examples: [], ms: 0, txPerS: 0 };
  const endpoint = `${url.replace(/\/$/, '')}/v1/admin/tenants/${encodeURIComponent(tenant)}/history`;
  for (const [fileIndex, path] of files.entries()) {
    const f = format ?? (await detectFormat(path));
    const file: FileSummary = { file: path, format: f, lines: 0, accepted: 0, duplicates: 0, rejected: 0 };
    total.files.push(file);
    try {
      for await (const chunk of fileChunks(path, f, basename(path))) {
        // CSV and Parquet travel as the NDJSON lines they were read into; compact frames as they are.
        const wire = f === 'compact' ? 'compact' : 'ndjson';
        const q = new URLSearchParams({ format: wire, name: path, first_line: String(chunk.firstLine) });
        const type = wire === 'compact' ? COMPACT_CONTENT_TYPE : 'application/x-ndjson';
        const res = await fetch(`${endpoint}?${q.toString()}`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': type }, body: chunk.data });
        const body = (await res.json()) as HistorySummary & { error?: { code: string; message: string } };
        if (!res.ok) throw Object.assign(new Error(body.error?.message ?? `HTTP ${String(res.status)}`), { code: body.error?.code ?? 'http_error' });
        file.lines += body.lines;
        file.accepted += body.accepted;
        file.duplicates += body.duplicates;
        file.rejected += body.rejected;
        for (const [code, n] of Object.entries(body.rejectedByCode)) total.rejectedByCode[code] = (total.rejectedByCode[code] ?? 0) + n;
        for (const e of body.examples) if (total.examples.length < 20) total.examples.push(e);
        bar({ file: path, fileIndex, files: files.length, lines: file.lines, accepted: file.accepted, duplicates: file.duplicates, rejected: file.rejected, bytesRead: chunk.bytesRead, fileBytes: 0 });
      }
    } catch (err) {
      if ((err as Error).name !== 'HistoryFileError') throw err;
      file.error = { code: (err as { code: string }).code, message: (err as Error).message };
    }
    total.lines += file.lines;
    total.accepted += file.accepted;
    total.duplicates += file.duplicates;
    total.rejected += file.rejected;
  }
  total.ms = performance.now() - t0;
  total.txPerS = Math.round((total.lines * 1000) / Math.max(1, total.ms));
  return total;
}
