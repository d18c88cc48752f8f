/**
 * Tenants and their API keys, kept in `<dataDir>/tenants.json`.
 *
 * A key is shown once when it is made and stored only as its SHA-256 hash.
 * Every record, query and file belongs to the tenant of the key that sent
 * it; an admin key belongs to no tenant.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { isCurrency } from '../domain/currency.js';
import { parseCutoff } from '../domain/time-buckets.js';
import { writeFileAtomicSync } from '../util/atomic-file.js';

export const KEY_KINDS = ['ingest', 'read', 'admin'] as const;
export type KeyKind = (typeof KEY_KINDS)[number];

const TENANT_ID = /^[a-z0-9][a-z0-9_-]{0,62}$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** A calendar date `YYYY-MM-DD` that exists. */
function isDate(v: string): boolean {
  return DATE.test(v) && new Date(`${v}T00:00:00Z`).toISOString().slice(0, 10) === v;
}

/** The tenant's go-live date: set, or the day it was created. */
export function goLiveOf(t: Tenant): string {
  return t.go_live ?? t.created_at.slice(0, 10);
}

const tenantSchema = z
  .object({
    id: z.string().regex(TENANT_ID),
    name: z.string().min(1).max(200),
    reporting_currency: z.string().length(3),
    business_day_cutoff: z.string().refine((v) => parseCutoff(v) !== null, 'must be HH:MM on a quarter hour'),
    created_at: z.string(),
    /** First day of live trading (YYYY-MM-DD): records of earlier business days are history. Absent in older files: the creation day. */
    go_live: z.string().regex(DATE).optional(),
  })
  .strict();
const keySchema = z
  .object({
    id: z.string(),
    tenant: z.string().nullable(),
    kind: z.enum(KEY_KINDS),
    sha256: z.string().length(64),
    created_at: z.string(),
    revoked_at: z.string().nullable(),
  })
  .strict();
const fileSchema = z.object({ version: z.literal(1), tenants: z.array(tenantSchema), keys: z.array(keySchema) }).strict();

export type Tenant = z.infer<typeof tenantSchema>;
export type ApiKey = z.infer<typeof keySchema>;

export class TenantError extends Error {
  override readonly name = 'TenantError';
  constructor(
    readonly code: 'tenant_exists' | 'tenant_unknown' | 'tenant_invalid' | 'key_unknown' | 'tenants_file_corrupt',
    message: string,
  ) {
    super(message);
  }
}

export interface NewTenant {
  id: string;
  name?: string;
  reportingCurrency: string;
  businessDayCutoff?: string;
  /** `YYYY-MM-DD`; default today (UTC). */
  goLive?: string;
}

export function hashKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

/** The tenant store of one data directory. Reloads when the file changes on disk. */
export class TenantStore {
  private tenants = new Map<string, Tenant>();
  private keysByHash = new Map<string, ApiKey>();
  private keys: ApiKey[] = [];
  private mtimeMs = -1;
  readonly path: string;

  constructor(dataDir: string) {
    mkdirSync(dataDir, { recursive: true });
    this.path = join(dataDir, 'tenants.json');
    this.reloadIfChanged();
  }

  /** Re-reads the file if another process changed it. Returns true when it did. */
  reloadIfChanged(): boolean {
    if (!existsSync(this.path)) return false;
    const m = statSync(this.path).mtimeMs;
    if (m === this.mtimeMs) return false;
    let parsed: z.infer<typeof fileSchema>;
    try {
      parsed = fileSchema.parse(JSON.parse(readFileSync(this.path, 'utf8')));
    } catch (err) {
      throw new TenantError('tenants_file_corrupt', `${this.path}: ${(err as Error).message}`);
    }
    this.tenants = new Map(parsed.tenants.map((t) => [t.id, t]));
    this.keys = parsed.keys;
    this.keysByHash = new Map(parsed.keys.map((k) => [k.sha256, k]));
    this.mtimeMs = m;
    return true;
  }

  private save(): void {
    const body = { version: 1 as const, tenants: [...this.tenants.values()], keys: this.keys };
    writeFileAtomicSync(this.path, `${JSON.stringify(body, null, 2)}\n`);
    this.mtimeMs = statSync(this.path).mtimeMs;
  }

  list(): Tenant[] {
    return [...this.tenants.values()];
  }

  get(id: string): Tenant | undefined {
    return this.tenants.get(id);
  }

  listKeys(): ApiKey[] {
    return [...this.keys];
  }

  /**
   * Creates a tenant.
   * @example store.createTenant({ id: 'acme', reportingCurrency: 'EUR', businessDayCutoff: '04:00' })
   */
  createTenant(t: NewTenant): Tenant {
    this.reloadIfChanged();
    if (!TENANT_ID.test(t.id)) {
      throw new TenantError('tenant_invalid', `tenant id '${t.id}' must be 1-63 chars of [a-z0-9_-], starting with a letter or digit`);
    }
    if (this.tenants.has(t.id)) throw new TenantError('tenant_exists', `tenant '${t.id}' already exists`);
    if (!isCurrency(t.reportingCurrency)) {
      throw new TenantError('tenant_invalid', `reporting currency '${t.reportingCurrency}' is not an ISO 4217 code`);
    }
    const cutoff = t.businessDayCutoff ?? '00:00';
    if (parseCutoff(cutoff) === null) {
      throw new TenantError('tenant_invalid', `business-day cut-off '${cutoff}' must be HH:MM on a quarter hour (00, 15, 30 or 45), from 00:00 to 23:45`);
    }
    if (t.goLive !== undefined && !isDate(t.goLive)) throw new TenantError('tenant_invalid', `go-live date '${t.goLive}' must be a date YYYY-MM-DD`);
    const createdAt = new Date().toISOString();
    const tenant: Tenant = {
      id: t.id,
      name: t.name ?? t.id,
      reporting_currency: t.reportingCurrency,
      business_day_cutoff: cutoff,
      created_at: createdAt,
      go_live: t.goLive ?? createdAt.slice(0, 10),
    };
    this.tenants.set(t.id, tenant);
    this.save();
    return tenant;
  }

  /** Moves a tenant's go-live date: business days before it are history (never restatements). */
  setGoLive(id: string, date: string): Tenant {
    this.reloadIfChanged();
    const t = this.tenants.get(id);
    if (t === undefined) throw new TenantError('tenant_unknown', `unknown tenant '${id}'`);
    if (!isDate(date)) throw new TenantError('tenant_invalid', `go-live date '${date}' must be a date YYYY-MM-DD`);
    t.go_live = date;
    this.save();
    return t;
  }

  /** Makes a key; the returned `secret` is never stored and cannot be shown again. */
  createKey(tenant: string | null, kind: KeyKind): { key: ApiKey; secret: string } {
    this.reloadIfChanged();
    if (kind === 'admin' ? tenant !== null : tenant === null || !this.tenants.has(tenant)) {
      throw new TenantError('tenant_unknown', kind === 'admin' ? 'an admin key belongs to no tenant' : `unknown tenant '${String(tenant)}'`);
    }
    const secret = `tpk_${kind}_${randomBytes(24).toString('base64url')}`;
    const key: ApiKey = {
      id: `key_${randomBytes(6).toString('hex')}`,
      tenant,
      kind,
      sha256: hashKey(secret),
      created_at: new Date().toISOString(),
      revoked_at: null,
    };
    this.keys.push(key);
    this.keysByHash.set(key.sha256, key);
    this.save();
    return { key, secret };
  }

  revokeKey(id: string): ApiKey {
    this.reloadIfChanged();
    const key = this.keys.find((k) => k.id === id);
    if (key === undefined) throw new TenantError('key_unknown', `unknown key id '${id}'`);
    key.revoked_at ??= new Date().toISOString();
    this.save();
    return key;
  }

  /**
   * Replaces a key: a new key of the same tenant and kind, and the old one
   * revoked, in one write. The new secret is shown once.
   */
  rotateKey(id: string): { key: ApiKey; secret: string; revoked: ApiKey } {
    this.reloadIfChanged();
    const old = this.keys.find((k) => k.id === id);
    if (old === undefined) throw new TenantError('key_unknown', `unknown key id '${id}'`);
    if (old.revoked_at !== null) throw new TenantError('key_unknown', `key '${id}' is already revoked`);
    const made = this.createKey(old.tenant, old.kind);
    old.revoked_at = new Date().toISOString();
    this.save();
    return { ...made, revoked: old };
  }

  /** The live key for a secret, if it exists, is not revoked and is of `kind`. */
  authenticate(secret: string, kind: KeyKind): ApiKey | undefined {
    const key = this.keysByHash.get(hashKey(secret));
    if (key === undefined || key.revoked_at !== null || key.kind !== kind) return undefined;
    return key;
  }
}
