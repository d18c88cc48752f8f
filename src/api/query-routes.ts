/**
 * The read API for dashboards: time series, top-N, stores, restatements and
 * the platform's freshness. Every route takes a tenant read key; the tenant
 * always comes from the key, so one tenant's key never sees another's data.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { currencyExponent } from '../domain/currency.js';
import { GeoScopeError } from '../domain/geo.js';
import { SumOverflowError } from '../domain/metrics.js';
import { formatBucket } from '../domain/time-buckets.js';
import type { KeyKind } from '../tenants/tenant-store.js';
import { ServingSnapshotError } from '../serving/block-check.js';
import { QueryError, type SeriesGroup } from '../serving/series-query.js';
import { ColumnarServingStore } from '../serving/columnar-serving-store.js';
import { memoryQueryServing, type QueryServing } from '../serving/query-serving.js';
import { ServingClosedError, ServingCorruptError, ServingIoError } from '../serving/serving-errors.js';
import type { RestatementLog } from '../stream/restatement-log.js';
import type { StreamStats } from '../stream/stream-processor.js';
import { WarehouseInvalidCursorError } from '../warehouse/errors.js';
import { MAX_PAGE_LIMIT, type Warehouse, type WarehouseRecord } from '../warehouse/warehouse.js';
import { HttpError, requireTenantKey } from './http-server.js';
import { ParamError, parseLocalTime, rangeQuery, seriesQuery, storeFilter, topQuery, type Params } from './query-params.js';

/** A raw transaction as the API shows it: times as RFC 3339, the tenant left out (it is the caller's). */
function rawView(r: WarehouseRecord): Record<string, unknown> {
  const view: Record<string, unknown> = { ...r, ts: new Date(r.ts).toISOString(), received_at: new Date(r.received_at).toISOString() };
  delete view['tenant'];
  return view;
}

/** Minutes after midnight as `HH:MM`. */
function cutoffText(minutes: number): string {
  return `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
}

export interface QueryDeps {
  /** The serving store of this process (its freshness from `stream`), or any adapter of the read port. */
  serving: ColumnarServingStore | QueryServing;
  restatements: RestatementLog;
  /** Raw transactions for drill-down (absent: those routes answer 404). */
  warehouse?: Warehouse;
  /** Why there is no warehouse here, for the 404 of the drill-down routes (default: this server keeps none). */
  noWarehouse?: string;
  /** The stream feeding an in-process store (its per-tenant freshness for /v1/status). */
  stream?: () => StreamStats;
  authenticate(secret: string, kind: KeyKind): { tenant: string | null } | undefined;
}

/** Query-layer errors as HTTP errors with their stable codes (anything else unchanged). */
function httpError(err: unknown): unknown {
  if (err instanceof ParamError || err instanceof QueryError) return new HttpError(err instanceof QueryError && err.code === 'too_many_points' ? 422 : 400, err.code, err.message);
  if (err instanceof GeoScopeError) return new HttpError(400, err.code, err.message);
  if (err instanceof SumOverflowError) return new HttpError(422, err.code, err.message);
  // A damaged snapshot block: the store serves no number from the file any more (block-check.ts).
  if (err instanceof ServingSnapshotError) return new HttpError(503, err.code, err.message);
  // A shared store that cannot answer (server down, corrupt rows): the store's code, and nothing half-read.
  if (err instanceof ServingIoError || err instanceof ServingCorruptError || err instanceof ServingClosedError) return new HttpError(503, err.code, err.message);
  return err;
}

function answer<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    throw httpError(err);
  }
}

async function answerAsync<T>(p: Promise<T>): Promise<T> {
  try {
    return await p;
  } catch (err) {
    throw httpError(err);
  }
}

function queryServing(deps: QueryDeps): QueryServing {
  if (!(deps.serving instanceof ColumnarServingStore)) return deps.serving;
  const stream = deps.stream;
  return memoryQueryServing(deps.serving, (tenant) => {
    const s = stream?.().tenants.get(tenant);
    return { records: s?.records ?? 0, visibleReceivedAt: s?.visibleReceivedAt ?? null };
  });
}

function params(req: FastifyRequest): Params {
  const q = (req.query ?? {}) as Params;
  const b = req.body;
  if (b === undefined || b === null) return q;
  if (typeof b !== 'object' || Array.isArray(b) || Buffer.isBuffer(b)) throw new HttpError(400, 'invalid_parameter', 'the body must be a JSON object of query parameters');
  return { ...q, ...(b as Params) };
}

/** `{"bucket":"…"` by bucket, for every answer (a profile at load spent 3 % formatting the same dates again). */
const bucketNames = new Map<number, string>();
/** A year of quarter hours and then some: past this the names start again. */
const MAX_BUCKET_NAMES = 50_000;

/**
 * The series answer as JSON text, written directly: a large answer is
 * thousands of points of the same shape, and building an object for each
 * only to stringify it again costs more than the query.
 */
export function seriesJson(head: Record<string, unknown>, metrics: readonly string[], groups: readonly SeriesGroup[]): string {
  // Bucket names repeat across answers (the same days and hours, query after query): kept between them.
  if (bucketNames.size > MAX_BUCKET_NAMES) bucketNames.clear();
  const names = bucketNames;
  const fields = metrics.map((m) => `,${JSON.stringify(m)}:`);
  const parts: string[] = [JSON.stringify(head).slice(0, -1), ',"groups":['];
  groups.forEach((g, gi) => {
    parts.push(`${gi === 0 ? '' : ','}{"key":${JSON.stringify(g.key)},"points":[`);
    g.points.forEach((p, pi) => {
      let name = names.get(p.bucket);
      if (name === undefined) names.set(p.bucket, (name = `{"bucket":"${formatBucket(p.bucket)}"`));
      let text = pi === 0 ? name : `,${name}`;
      for (let i = 0; i < fields.length; i++) text += fields[i]! + String(p.values[i]);
      parts.push(`${text}}`);
    });
    parts.push(']}');
  });
  parts.push(']}');
  return parts.join('');
}

export function registerQueryRoutes(app: FastifyInstance, deps: QueryDeps): void {
  const tenantOf = (req: FastifyRequest): string => requireTenantKey(deps, req, 'read');
  const serving = queryServing(deps);
  const money = (tenant: string): { currency: string; exponent: number } => {
    const c = serving.settings(tenant)?.reportingCurrency ?? 'USD';
    return { currency: c, exponent: currencyExponent(c) ?? 2 };
  };
  const ready = (tenant: string): boolean => serving.settings(tenant) !== undefined;

  const series = async (req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> => {
    const tenant = tenantOf(req);
    const q = answer(() => seriesQuery(params(req)));
    const groups = ready(tenant) ? await answerAsync(serving.series(tenant, q)) : [];
    const head = { ...money(tenant), granularity: q.granularity, tz: q.tz, from: formatBucket(q.from), to: formatBucket(q.to), metrics: q.metrics, amounts: q.currency };
    return reply.type('application/json; charset=utf-8').send(seriesJson(head, q.metrics, groups));
  };
  app.get('/v1/series', (req, reply) => series(req, reply));
  app.post('/v1/series', (req, reply) => series(req, reply));

  const top = async (req: FastifyRequest): Promise<unknown> => {
    const tenant = tenantOf(req);
    const q = answer(() => topQuery(params(req)));
    const rows = ready(tenant) ? await answerAsync(serving.top(tenant, q)) : [];
    return {
      ...money(tenant),
      metric: q.metric,
      by: q.by.kind === 'h3' ? `h3:${String(q.by.resolution)}` : q.by.kind,
      from: formatBucket(q.from),
      to: formatBucket(q.to),
      tz: q.tz,
      rows: rows.map((r) => {
        const row: Record<string, unknown> = { key: r.key };
        q.metrics.forEach((m, i) => (row[m] = r.values[i]));
        return row;
      }),
    };
  };
  app.get('/v1/top', async (req) => top(req));
  app.post('/v1/top', async (req) => top(req));

  const stores = async (req: FastifyRequest): Promise<unknown> => {
    const tenant = tenantOf(req);
    const f = answer(() => storeFilter(params(req)));
    if (!ready(tenant)) return { stores: [] };
    return { stores: await answerAsync(serving.stores(tenant, f)) };
  };
  app.get('/v1/stores', async (req) => stores(req));
  app.post('/v1/stores/search', async (req) => stores(req));

  app.get('/v1/stores/:id', async (req) => {
    const tenant = tenantOf(req);
    const id = (req.params as { id: string }).id;
    const store = ready(tenant) ? await answerAsync(serving.store(tenant, id)) : undefined;
    if (store === undefined) throw new HttpError(404, 'store_unknown', `no store '${id.slice(0, 64)}' in this tenant`);
    const p = params(req);
    if (p['from'] === undefined && p['to'] === undefined) return { store };
    const q = answer(() => rangeQuery(p));
    const rows = await answerAsync(serving.top(tenant, { ...q, metric: q.metrics[0]!, by: { kind: 'store' }, limit: 1, order: 'desc', scopes: [], storeIds: [id] }));
    const totals: Record<string, number | null> = {};
    q.metrics.forEach((m, i) => (totals[m] = rows[0]?.values[i] ?? (m === 'avg_basket' ? null : 0)));
    return { store, ...money(tenant), from: formatBucket(q.from), to: formatBucket(q.to), tz: q.tz, totals };
  });

  /** An instant: RFC 3339 with an offset, or a date (UTC midnight). */
  const instant = (name: string, v: string | undefined): number => {
    if (v === undefined) throw new HttpError(400, 'invalid_parameter', `${name} is required: an RFC 3339 time such as 2026-07-04T09:00:00Z, or a date (UTC midnight)`);
    const date = /^\d{4}-\d{2}-\d{2}$/.test(v);
    const ms = date ? parseLocalTime(name, v) : /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/.test(v) ? Date.parse(v) : NaN;
    if (Number.isNaN(ms)) throw new HttpError(400, 'invalid_parameter', `${name} must be an RFC 3339 time with an offset or a date YYYY-MM-DD, got '${v.slice(0, 40)}'`);
    return ms;
  };
  const drill = async <T>(fn: (w: Warehouse) => Promise<T>): Promise<T> => {
    if (deps.warehouse === undefined) throw new HttpError(404, 'not_found', deps.noWarehouse ?? 'this server keeps no raw transactions');
    try {
      return await fn(deps.warehouse);
    } catch (err) {
      if (err instanceof WarehouseInvalidCursorError) throw new HttpError(400, err.code, err.message);
      throw err;
    }
  };

  app.get('/v1/stores/:id/transactions', async (req) => {
    const tenant = tenantOf(req);
    const id = (req.params as { id: string }).id;
    const q = req.query as Record<string, string | undefined>;
    const from = instant('from', q['from']);
    const to = instant('to', q['to']);
    if (from >= to) throw new HttpError(400, 'invalid_parameter', `from (${String(q['from'])}) must be before to (${String(q['to'])})`);
    const limit = q['limit'] === undefined ? 100 : Number(q['limit']);
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_LIMIT) throw new HttpError(400, 'invalid_parameter', `limit must be an integer 1..${String(MAX_PAGE_LIMIT)}, got '${String(q['limit'])}'`);
    const page = await drill((w) => w.storeTransactions(tenant, id, from, to, { limit, cursor: q['cursor'] ?? null }));
    return { store: id, items: page.items.map(rawView), next_cursor: page.nextCursor };
  });

  app.get('/v1/transactions/:txnId', async (req) => {
    const tenant = tenantOf(req);
    const id = (req.params as { txnId: string }).txnId;
    const rows = await drill((w) => w.findTransaction(tenant, id));
    if (rows.length === 0) throw new HttpError(404, 'transaction_unknown', `no transaction '${id.slice(0, 64)}' in this tenant`);
    return { items: rows.map(rawView) };
  });

  app.get('/v1/restatements', async (req) => {
    const tenant = tenantOf(req);
    const q = req.query as Record<string, string | undefined>;
    const limit = q['limit'] === undefined ? 100 : Number(q['limit']);
    if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) throw new HttpError(400, 'invalid_parameter', `limit must be an integer 1..10000, got '${String(q['limit'])}'`);
    const fromDay = q['from_day'];
    if (fromDay !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(fromDay)) throw new HttpError(400, 'invalid_parameter', `from_day must be YYYY-MM-DD, got '${fromDay.slice(0, 40)}'`);
    const opts: { limit: number; fromDay?: string; storeId?: string } = { limit };
    if (fromDay !== undefined) opts.fromDay = fromDay;
    if (q['store'] !== undefined) opts.storeId = q['store'];
    return { items: deps.restatements.list(tenant, opts) };
  });

  app.get('/v1/status', async (req) => {
    const tenant = tenantOf(req);
    const f = serving.freshness(tenant);
    return {
      tenant,
      ...money(tenant),
      // This tenant's own figures only: other tenants' volumes are theirs.
      records: f.records,
      visible_received_at: f.visibleReceivedAt === null ? null : new Date(f.visibleReceivedAt).toISOString(),
      stores: await answerAsync(serving.storeCount(tenant)),
      // Which business day is "today" in a store's zone (dashboards need it to ask for today so far).
      business_day_cutoff: cutoffText(serving.settings(tenant)?.cutoffMinutes ?? 0),
      serving: serving.kind,
    };
  });
}
