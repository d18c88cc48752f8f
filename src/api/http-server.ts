/**
 * The HTTP front. `buildApp` is what every role's app has: errors as JSON
 * `{ "error": { "code", "message" } }` with a stable code, health,
 * readiness, metrics and the API description. `buildHttpServer` adds the
 * ingest role's NDJSON ingest and dead-letter endpoints.
 */
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { COMPACT_CONTENT_TYPE } from '../domain/compact-record.js';
import type { IngestEngine } from '../ingest/ingest-engine.js';
import type { Registry } from 'prom-client';
import type { KeyKind } from '../tenants/tenant-store.js';
import type { IngestMetrics } from './metrics.js';
import type { DeadLetterService } from '../dlq/dead-letter-service.js';
import { docsPage, OPENAPI } from './openapi.js';

export interface HttpServerDeps {
  engine: IngestEngine;
  metrics: IngestMetrics;
  deadLetters: DeadLetterService;
  /** The key's tenant (null for admin keys), or undefined when invalid for `kind`. */
  authenticate(secret: string, kind: KeyKind): { tenant: string | null } | undefined;
  logger: FastifyBaseLogger;
  bodyLimit: number;
}

export class HttpError extends Error {
  override readonly name = 'HttpError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

function bearer(req: FastifyRequest): string | undefined {
  const h = req.headers.authorization;
  if (h === undefined) return undefined;
  const m = /^Bearer ([!-~]{1,200})$/.exec(h);
  return m?.[1];
}

/** Authenticates the request's bearer key for `kind`; 401 otherwise. */
export function requireKey(deps: Pick<HttpServerDeps, 'authenticate'>, req: FastifyRequest, kind: KeyKind): { tenant: string | null } {
  const secret = bearer(req);
  if (secret === undefined) throw new HttpError(401, 'unauthorized', 'missing Authorization: Bearer <key> header');
  const who = deps.authenticate(secret, kind);
  if (who === undefined) throw new HttpError(401, 'unauthorized', `unknown or revoked ${kind} key`);
  return who;
}

/** The tenant of the request's `kind` key; 401 for a bad key, 403 for an admin key. */
export function requireTenantKey(deps: Pick<HttpServerDeps, 'authenticate'>, req: FastifyRequest, kind: KeyKind): string {
  const who = requireKey(deps, req, kind);
  if (who.tenant === null) throw new HttpError(403, 'forbidden', `a ${kind} key of a tenant is required`);
  return who.tenant;
}

function sendError(reply: FastifyReply, status: number, code: string, message: string): void {
  void reply.status(status).send({ error: { code, message } });
}

const ROUTES = new WeakMap<FastifyInstance, { api: { method: string; url: string }[]; hidden: { method: string; url: string }[] }>();

/**
 * Every API route registered on an app built here, as `{ method, url }` (for
 * the OpenAPI check). Routes registered with `schema: { hide: true }` are
 * not API routes (the dashboard's static files): `hiddenRoutes` lists them.
 */
export function registeredRoutes(app: FastifyInstance): readonly { method: string; url: string }[] {
  return ROUTES.get(app)?.api ?? [];
}

/** The routes kept out of the API description (`schema.hide`): the dashboard's files. */
export function hiddenRoutes(app: FastifyInstance): readonly { method: string; url: string }[] {
  return ROUTES.get(app)?.hidden ?? [];
}

/** What every role's HTTP app has: errors as JSON, health, readiness, metrics, the API description. */
export interface AppDeps {
  logger: FastifyBaseLogger;
  bodyLimit: number;
  /** The Prometheus registry behind `/metrics`. */
  metrics: Registry;
  /** Null when ready; otherwise the status `/readyz` answers 503 with (e.g. `overloaded`, `starting`). */
  notReady(): string | null;
  /** Null while alive; otherwise the status `/healthz` answers 503 with (e.g. `failed`), so a supervisor restarts the process. */
  notLive?(): string | null;
}

/**
 * The Fastify app of a role, before its own routes (not listening yet).
 * @example
 * const app = buildApp({ logger, bodyLimit: 1 << 20, metrics: new Registry(), notReady: () => (caughtUp ? null : 'starting') });
 * registerQueryRoutes(app, deps);
 * await app.listen({ host: '127.0.0.1', port: 0 });
 */
export function buildApp(deps: AppDeps): FastifyInstance {
  // Per-request log lines would cost more than the ingest itself; metrics cover requests.
  const app = Fastify({ loggerInstance: deps.logger, bodyLimit: deps.bodyLimit, logController: new LogController({ disableRequestLogging: true }) });
  const routes = { api: [] as { method: string; url: string }[], hidden: [] as { method: string; url: string }[] };
  ROUTES.set(app, routes);
  app.addHook('onRoute', (r) => {
    const list = (r.schema as { hide?: boolean } | undefined)?.hide === true ? routes.hidden : routes.api;
    for (const m of Array.isArray(r.method) ? r.method : [r.method]) if (m !== 'HEAD') list.push({ method: m, url: r.url });
  });

  // NDJSON bodies stay bytes: the engine scans them without decoding to text.
  app.addContentTypeParser(['application/x-ndjson', 'application/ndjson', 'text/plain', 'application/octet-stream', COMPACT_CONTENT_TYPE], { parseAs: 'buffer', bodyLimit: deps.bodyLimit }, (_req, body, done) => done(null, body));

  app.setErrorHandler((err: { statusCode?: number; code?: string; message: string }, _req, reply) => {
    if (err instanceof HttpError) return sendError(reply, err.status, err.code, err.message);
    if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      return sendError(reply, 413, 'body_too_large', `request body is over the ${deps.bodyLimit}-byte limit`);
    }
    if (err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
      return sendError(reply, 415, 'unsupported_media_type', 'send NDJSON as application/x-ndjson');
    }
    const status = err.statusCode ?? 500;
    if (status >= 500) deps.logger.error({ err }, 'request failed');
    return sendError(reply, status, status >= 500 ? 'internal' : 'bad_request', err.message);
  });

  app.get('/healthz', async (_req, reply) => {
    const status = deps.notLive?.() ?? null;
    if (status !== null) return reply.status(503).send({ status });
    return { status: 'ok' };
  });
  app.get('/openapi.json', async () => OPENAPI);
  app.get('/docs', async (_req, reply) => reply.type('text/html; charset=utf-8').send(docsPage()));
  app.get('/readyz', async (_req, reply) => {
    const status = deps.notReady();
    if (status !== null) return reply.status(503).send({ status });
    return { status: 'ready' };
  });
  app.get('/metrics', async (_req, reply) => {
    void reply.header('content-type', deps.metrics.contentType);
    return deps.metrics.metrics();
  });
  return app;
}

/** The ingest role's app (not listening yet): the common part plus NDJSON ingest and dead letters. */
export function buildHttpServer(deps: HttpServerDeps): FastifyInstance {
  const app = buildApp({ logger: deps.logger, bodyLimit: deps.bodyLimit, metrics: deps.metrics.registry, notReady: () => (deps.engine.overloaded ? 'overloaded' : null) });

  app.post('/v1/transactions', async (req, reply) => {
    const tenant = requireTenantKey(deps, req, 'ingest');
    if (deps.engine.overloaded) {
      void reply.header('retry-after', '1');
      throw new HttpError(503, 'overloaded', 'ingest is at its in-flight limit; retry shortly');
    }
    const body = req.body;
    if (!Buffer.isBuffer(body)) throw new HttpError(415, 'unsupported_media_type', 'send NDJSON as application/x-ndjson');
    // Compact frames go as they are; in NDJSON a trailing newline ends the last line, it does not start another.
    const compact = (req.headers['content-type'] ?? '').startsWith(COMPACT_CONTENT_TYPE);
    const data = !compact && body.length > 0 && body[body.length - 1] === 10 ? body.subarray(0, body.length - 1) : body;
    const { done } = deps.engine.submit(tenant, 'http', data, 1, compact ? { format: 'compact' } : {});
    const o = await done;
    return { accepted: o.accepted, duplicates: o.duplicates, rejected: o.rejects };
  });

  app.get('/v1/dead-letters', async (req) => {
    const tenant = requireTenantKey(deps, req, 'read');
    const q = req.query as Record<string, string | undefined>;
    const limit = q['limit'] === undefined ? 100 : Number(q['limit']);
    if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) throw new HttpError(400, 'invalid_parameter', `limit must be an integer 1..10000, got '${q['limit']}'`);
    const status = q['status'];
    if (status !== undefined && status !== 'open' && status !== 'replayed' && status !== 'all') {
      throw new HttpError(400, 'invalid_parameter', `status must be open, replayed or all, got '${status}'`);
    }
    const items = await deps.deadLetters.list({ tenant, code: q['code'], status, limit });
    return { items };
  });

  app.post('/v1/admin/dead-letters/replay', async (req) => {
    requireKey(deps, req, 'admin');
    const b = (req.body ?? {}) as { tenant?: unknown; code?: unknown };
    if (typeof b.tenant !== 'string') throw new HttpError(400, 'invalid_parameter', 'body must name a tenant: {"tenant":"…"}');
    if (b.code !== undefined && typeof b.code !== 'string') throw new HttpError(400, 'invalid_parameter', 'code must be a string');
    return deps.deadLetters.replay(b.tenant, b.code);
  });

  return app;
}
