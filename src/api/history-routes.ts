/**
 * `POST /v1/admin/tenants/{id}/history` (admin key): a file of the tenant's
 * past transactions (NDJSON, CSV or Parquet) as the body, imported through
 * the ingest engine like `tpay import history`; the answer is the import's
 * summary once every accepted record is durable.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { COMPACT_CONTENT_TYPE } from '../domain/compact-record.js';
import { importHistory, type HistoryEngine, type HistoryInput } from '../history/history-import.js';
import { compactChunks, csvChunks, formatOfBytes, HistoryFileError, isHistoryFormat, ndjsonChunks, parquetChunks, type HistoryFormat, type LineChunk } from '../history/history-sources.js';
import type { KeyKind, TenantStore } from '../tenants/tenant-store.js';
import { HttpError, requireKey } from './http-server.js';

export interface HistoryRouteDeps {
  engine: HistoryEngine;
  tenants: TenantStore;
  authenticate(secret: string, kind: KeyKind): { tenant: string | null } | undefined;
  /** Where a Parquet body is put while DuckDB reads it. */
  tmpDir: string;
  bodyLimit: number;
}

const FORMAT_OF_TYPE: Record<string, HistoryFormat> = {
  'application/x-ndjson': 'ndjson',
  'application/ndjson': 'ndjson',
  'text/csv': 'csv',
  'application/vnd.apache.parquet': 'parquet',
  [COMPACT_CONTENT_TYPE]: 'compact',
};

async function* once(b: Buffer): AsyncGenerator<Buffer> {
  yield b;
}

/** Chunks whose line numbers start at `firstLine` (a client sending a big file in parts says where each part starts). */
async function* shifted(chunks: AsyncIterable<LineChunk>, by: number): AsyncGenerator<LineChunk> {
  for await (const c of chunks) yield { ...c, firstLine: c.firstLine + by };
}

export function registerHistoryRoutes(app: FastifyInstance, deps: HistoryRouteDeps): void {
  app.addContentTypeParser('application/vnd.apache.parquet', { parseAs: 'buffer', bodyLimit: deps.bodyLimit }, (_req, body, done) => done(null, body));

  app.post('/v1/admin/tenants/:id/history', { bodyLimit: deps.bodyLimit }, async (req) => {
    requireKey(deps, req, 'admin');
    const tenant = (req.params as { id: string }).id;
    if (deps.tenants.get(tenant) === undefined) throw new HttpError(404, 'tenant_unknown', `unknown tenant '${tenant.slice(0, 64)}'`);
    const q = req.query as Record<string, string | undefined>;
    const body = req.body;
    if (!Buffer.isBuffer(body)) throw new HttpError(415, 'unsupported_media_type', 'send the file as application/x-ndjson, text/csv, application/vnd.apache.parquet, ${COMPACT_CONTENT_TYPE} or application/octet-stream');
    const name = (q['name'] ?? 'body').slice(0, 200);
    const firstLine = q['first_line'] === undefined ? 1 : Number(q['first_line']);
    if (!Number.isInteger(firstLine) || firstLine < 1) throw new HttpError(400, 'invalid_parameter', `first_line must be a positive integer, got '${String(q['first_line']).slice(0, 40)}'`);
    const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim();
    let format: HistoryFormat;
    try {
      const given = q['format'];
      if (given !== undefined && !isHistoryFormat(given)) throw new HttpError(400, 'invalid_parameter', `format must be ndjson, csv, parquet or compact, got '${given.slice(0, 40)}'`);
      format = given ?? FORMAT_OF_TYPE[type] ?? formatOfBytes(body.subarray(0, 64), name);
    } catch (err) {
      if (err instanceof HistoryFileError) throw new HttpError(400, err.code, err.message);
      throw err;
    }
    let tmp: string | null = null;
    try {
      let chunks: AsyncIterable<LineChunk>;
      if (format === 'parquet') {
        mkdirSync(deps.tmpDir, { recursive: true });
        tmp = join(deps.tmpDir, `history-${randomBytes(8).toString('hex')}.parquet`);
        writeFileSync(tmp, body);
        chunks = parquetChunks(tmp, name);
      } else {
        chunks = format === 'csv' ? csvChunks(once(body), name) : format === 'compact' ? compactChunks(once(body)) : ndjsonChunks(once(body));
      }
      const input: HistoryInput = { name, format, bytes: body.length, chunks: shifted(chunks, firstLine - 1) };
      const summary = await importHistory(deps.engine, tenant, [input]);
      const file = summary.files[0]!;
      if (file.error !== undefined && file.lines === 0) throw new HttpError(400, file.error.code, file.error.message);
      return summary;
    } finally {
      if (tmp !== null) rmSync(tmp, { force: true });
    }
  });
}
