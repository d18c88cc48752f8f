/**
 * The admin API (admin key): tenants, keys (create, rotate, revoke), store
 * registry upload and FX upload. The same operations as `tpay tenant`,
 * `tpay key`, `tpay registry` and `tpay fx`; running servers pick changes
 * up within a second.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { FxTableError } from '../domain/fx.js';
import type { FxStore } from '../tenants/fx-store.js';
import { parseFxText } from '../tenants/fx-store.js';
import { parseRegistryText, RegistryLoadError, type RegistryStore } from '../tenants/registry-store.js';
import { TenantError, type KeyKind, type TenantStore } from '../tenants/tenant-store.js';
import { HttpError, requireKey } from './http-server.js';

export interface AdminDeps {
  tenants: TenantStore;
  registries: RegistryStore;
  fx: FxStore;
  authenticate(secret: string, kind: KeyKind): { tenant: string | null } | undefined;
  /** Called after a tenant was created or its registry replaced (ingest takes it up at once). */
  onTenantChange?(tenant: string): void;
}

const STATUS: Record<TenantError['code'], number> = { tenant_exists: 409, tenant_unknown: 404, tenant_invalid: 400, key_unknown: 404, tenants_file_corrupt: 500 };

function tenantErrors<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof TenantError) throw new HttpError(STATUS[err.code], err.code, err.message);
    if (err instanceof RegistryLoadError) throw new HttpError(400, err.code, err.message);
    if (err instanceof FxTableError) throw new HttpError(400, 'fx_invalid', err.message);
    throw err;
  }
}

/** A JSON or CSV upload: the body as text and its format, from the content type. */
function upload(req: FastifyRequest): { text: string; format: 'json' | 'csv' } {
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim();
  if (type === 'text/csv') return { text: Buffer.isBuffer(req.body) ? req.body.toString('utf8') : String(req.body), format: 'csv' };
  if (type === 'application/json') return { text: JSON.stringify(req.body), format: 'json' };
  throw new HttpError(415, 'unsupported_media_type', `send application/json or text/csv, not '${type}'`);
}

export function registerAdminRoutes(app: FastifyInstance, deps: AdminDeps): void {
  app.addContentTypeParser('text/csv', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
  const admin = (req: FastifyRequest): void => {
    requireKey(deps, req, 'admin');
  };
  const tenantParam = (req: FastifyRequest): string => {
    const id = (req.params as { id: string }).id;
    if (deps.tenants.get(id) === undefined) throw new HttpError(404, 'tenant_unknown', `unknown tenant '${id.slice(0, 64)}'`);
    return id;
  };

  app.get('/v1/admin/tenants', async (req) => {
    admin(req);
    return { tenants: deps.tenants.list() };
  });

  app.post('/v1/admin/tenants', async (req, reply) => {
    admin(req);
    const b = (req.body ?? {}) as Record<string, unknown>;
    for (const k of Object.keys(b)) {
      if (!['id', 'name', 'reporting_currency', 'business_day_cutoff', 'go_live'].includes(k)) throw new HttpError(400, 'invalid_parameter', `unknown field '${k.slice(0, 40)}' (fields: id, name, reporting_currency, business_day_cutoff, go_live)`);
    }
    if (typeof b['id'] !== 'string' || typeof b['reporting_currency'] !== 'string') throw new HttpError(400, 'invalid_parameter', 'id and reporting_currency are required strings');
    const t = { id: b['id'], reportingCurrency: b['reporting_currency'] } as { id: string; reportingCurrency: string; name?: string; businessDayCutoff?: string; goLive?: string };
    if (typeof b['name'] === 'string') t.name = b['name'];
    if (typeof b['business_day_cutoff'] === 'string') t.businessDayCutoff = b['business_day_cutoff'];
    if (typeof b['go_live'] === 'string') t.goLive = b['go_live'];
    const tenant = tenantErrors(() => deps.tenants.createTenant(t));
    deps.onTenantChange?.(tenant.id);
    void reply.status(201);
    return { tenant };
  });

  app.patch('/v1/admin/tenants/:id', async (req) => {
    admin(req);
    const id = tenantParam(req);
    const b = (req.body ?? {}) as Record<string, unknown>;
    for (const k of Object.keys(b)) if (k !== 'go_live') throw new HttpError(400, 'invalid_parameter', `unknown field '${k.slice(0, 40)}' (fields: go_live)`);
    if (typeof b['go_live'] !== 'string') throw new HttpError(400, 'invalid_parameter', `go_live must be a date YYYY-MM-DD, got ${JSON.stringify(b['go_live'] ?? null).slice(0, 40)}`);
    const goLive = b['go_live'];
    return { tenant: tenantErrors(() => deps.tenants.setGoLive(id, goLive)) };
  });

  app.get('/v1/admin/keys', async (req) => {
    admin(req);
    const tenant = (req.query as Record<string, string | undefined>)['tenant'];
    return { keys: deps.tenants.listKeys().filter((k) => tenant === undefined || k.tenant === tenant) };
  });

  app.post('/v1/admin/tenants/:id/keys', async (req, reply) => {
    admin(req);
    const id = tenantParam(req);
    const kind = ((req.body ?? {}) as { kind?: unknown }).kind;
    if (kind !== 'ingest' && kind !== 'read') throw new HttpError(400, 'invalid_parameter', `kind must be ingest or read, got ${JSON.stringify(kind)?.slice(0, 40) ?? 'nothing'}`);
    const made = tenantErrors(() => deps.tenants.createKey(id, kind));
    void reply.status(201);
    return { key: made.key, secret: made.secret };
  });

  app.post('/v1/admin/keys/:keyId/rotate', async (req, reply) => {
    admin(req);
    const made = tenantErrors(() => deps.tenants.rotateKey((req.params as { keyId: string }).keyId));
    void reply.status(201);
    return { key: made.key, secret: made.secret, revoked: made.revoked };
  });

  app.delete('/v1/admin/keys/:keyId', async (req) => {
    admin(req);
    return { key: tenantErrors(() => deps.tenants.revokeKey((req.params as { keyId: string }).keyId)) };
  });

  app.put('/v1/admin/tenants/:id/stores', async (req) => {
    admin(req);
    const id = tenantParam(req);
    const { text, format } = upload(req);
    const stores = tenantErrors(() => parseRegistryText(text, format, 'upload'));
    deps.registries.put(id, stores);
    deps.onTenantChange?.(id);
    return { tenant: id, stores: stores.length };
  });

  app.put('/v1/admin/tenants/:id/fx', async (req) => {
    admin(req);
    const id = tenantParam(req);
    const { text, format } = upload(req);
    const rows = tenantErrors(() => parseFxText(text, format));
    tenantErrors(() => deps.fx.put(id, deps.tenants.get(id)!.reporting_currency, rows));
    return { tenant: id, rates: rows.length };
  });
}


