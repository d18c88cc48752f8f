/**
 * Store registries, one per tenant, kept as `<dataDir>/registry/<tenant>.json`.
 * Uploading a registry replaces the tenant's whole store list; a running
 * ingest picks the change up within a second (see `changedSince`).
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import { parseStoreRegistry, type RegistryError } from '../domain/registry.js';
import type { Store } from '../domain/store.js';
import { writeFileAtomicSync } from '../util/atomic-file.js';

export class RegistryLoadError extends Error {
  override readonly name = 'RegistryLoadError';
  readonly code = 'registry_invalid';
  constructor(
    message: string,
    readonly errors: readonly RegistryError[],
  ) {
    super(message);
  }
}

/** Parses a registry file (JSON or CSV by extension, or `format`), throwing with every row error. */
export function readRegistryFile(path: string, format?: 'json' | 'csv'): Store[] {
  const fmt = format ?? (extname(path).toLowerCase() === '.csv' ? 'csv' : 'json');
  return parseRegistryText(readFileSync(path, 'utf8'), fmt, path);
}

export function parseRegistryText(text: string, format: 'json' | 'csv', source = 'registry'): Store[] {
  const { stores, errors } = parseStoreRegistry(text, format);
  if (errors.length > 0) {
    const shown = errors.slice(0, 20).map((e) => `row ${e.row}: ${e.message}`);
    const more = errors.length > 20 ? `; and ${errors.length - 20} more` : '';
    throw new RegistryLoadError(`${source}: ${errors.length} invalid row(s): ${shown.join('; ')}${more}`, errors);
  }
  return stores;
}

export class RegistryStore {
  private readonly dir: string;
  private readonly cache = new Map<string, { mtimeMs: number; stores: Store[] }>();

  constructor(dataDir: string) {
    this.dir = join(dataDir, 'registry');
    mkdirSync(this.dir, { recursive: true });
  }

  private path(tenant: string): string {
    return join(this.dir, `${tenant}.json`);
  }

  /** Replaces a tenant's registry. */
  put(tenant: string, stores: readonly Store[]): void {
    writeFileAtomicSync(this.path(tenant), `${JSON.stringify({ stores }, null, 0)}\n`);
    this.cache.delete(tenant);
  }

  /** The tenant's stores ([] when none were loaded). */
  get(tenant: string): Store[] {
    const p = this.path(tenant);
    if (!existsSync(p)) return [];
    const m = statSync(p).mtimeMs;
    const hit = this.cache.get(tenant);
    if (hit !== undefined && hit.mtimeMs === m) return hit.stores;
    const stores = parseRegistryText(readFileSync(p, 'utf8'), 'json', p);
    this.cache.set(tenant, { mtimeMs: m, stores });
    return stores;
  }

  /** Tenants whose registry file changed since the last call (or were never seen). */
  changedTenants(): string[] {
    const out: string[] = [];
    for (const name of readdirSync(this.dir)) {
      if (!name.endsWith('.json')) continue;
      const tenant = name.slice(0, -5);
      const m = statSync(join(this.dir, name)).mtimeMs;
      if (this.cache.get(tenant)?.mtimeMs !== m) out.push(tenant);
    }
    return out;
  }
}
