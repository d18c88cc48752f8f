/**
 * Writes a generated world to disk: per tenant the transactions as NDJSON
 * and the store registry as JSON and CSV, plus `tenants.json` and the
 * ground truth.
 *
 *   <dir>/tenants.json
 *   <dir>/truth.json
 *   <dir>/<tenant_id>/stores.json          {"stores":[…]}
 *   <dir>/<tenant_id>/stores.csv           header = STORE_FIELDS, RFC 4180
 *   <dir>/<tenant_id>/transactions.ndjson
 */
import { mkdir, open, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { STORE_FIELDS, type Store } from '../domain/store.js';
import type { RecordOptions, TenantTruth } from './record-options.js';
import { TenantRecordGenerator } from './record-generator.js';
import type { World } from './world.js';

/**
 * One CSV field per RFC 4180: quoted when it holds a comma, a double quote,
 * CR or LF, with inner quotes doubled.
 * @example csvField('Acme "Flagship", Berlin') // '"Acme ""Flagship"", Berlin"'
 */
export function csvField(v: string): string {
  return /[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

/**
 * The registry as CSV: header row `STORE_FIELDS`, CRLF line ends (RFC 4180).
 * @example storesToCsv(world.tenants[0]!.stores).split('\r\n')[0] // 'store_id,name,lat,…'
 */
export function storesToCsv(stores: readonly Store[]): string {
  const rows = [STORE_FIELDS.join(',')];
  for (const s of stores) rows.push(STORE_FIELDS.map((f) => csvField(String(s[f] ?? ''))).join(','));
  return rows.join('\r\n') + '\r\n';
}

/**
 * The registry as JSON, `{"stores":[…]}`, fields in `STORE_FIELDS` order.
 * @example JSON.parse(storesToJson(stores)).stores.length
 */
export function storesToJson(stores: readonly Store[]): string {
  const ordered = stores.map((s) => Object.fromEntries(STORE_FIELDS.map((f) => [f, s[f]])));
  return JSON.stringify({ stores: ordered }, null, 1) + '\n';
}

export interface WriteFilesOptions {
  dir: string;
  world: World;
  records: RecordOptions;
  /** Lines per write. Default 16384 (≈ 4 MB). */
  chunkLines?: number;
}

export interface TenantFiles {
  tenant_id: string;
  transactions: string;
  storesJson: string;
  storesCsv: string;
  bytes: number;
  truth: TenantTruth;
}

export interface WrittenFiles {
  dir: string;
  tenantsJson: string;
  truthJson: string;
  tenants: TenantFiles[];
}

async function writeTransactions(path: string, o: WriteFilesOptions, tenantId: string): Promise<{ bytes: number; truth: TenantTruth }> {
  const gen = new TenantRecordGenerator(o.world, tenantId, o.records);
  const per = o.chunkLines ?? 16_384;
  const fh = await open(path, 'w');
  let bytes = 0;
  try {
    // One awaited write per ~4 MB chunk: the generator never runs ahead of the disk by more than one chunk.
    for (let c = gen.nextChunk(per); c !== null; c = gen.nextChunk(per)) {
      await fh.write(c.data);
      bytes += c.data.length;
    }
  } finally {
    await fh.close();
  }
  return { bytes, truth: gen.truth };
}

/**
 * Generates and writes every tenant's files; returns paths and ground truth.
 * @example
 * const out = await writeFirehoseFiles({ dir: 'out', world: generateWorld({ seed: 1 }), records: { start: '2026-11-01T00:00:00Z', durationMs: 7 * 86_400_000 } });
 * out.tenants[0]!.truth.valid;
 */
export async function writeFirehoseFiles(o: WriteFilesOptions): Promise<WrittenFiles> {
  await mkdir(o.dir, { recursive: true });
  const tenants: TenantFiles[] = [];
  for (const tw of o.world.tenants) {
    const id = tw.tenant.tenant_id;
    const dir = join(o.dir, id);
    await mkdir(dir, { recursive: true });
    const storesJson = join(dir, 'stores.json');
    const storesCsv = join(dir, 'stores.csv');
    const transactions = join(dir, 'transactions.ndjson');
    await writeFile(storesJson, storesToJson(tw.stores));
    await writeFile(storesCsv, storesToCsv(tw.stores));
    const { bytes, truth } = await writeTransactions(transactions, o, id);
    tenants.push({ tenant_id: id, transactions, storesJson, storesCsv, bytes, truth });
  }
  const tenantsJson = join(o.dir, 'tenants.json');
  const truthJson = join(o.dir, 'truth.json');
  await writeFile(tenantsJson, JSON.stringify({ tenants: o.world.tenants.map((t) => t.tenant) }, null, 2) + '\n');
  await writeFile(truthJson, JSON.stringify({ seed: o.world.seed, tenants: tenants.map((t) => t.truth) }, null, 2) + '\n');
  return { dir: o.dir, tenantsJson, truthJson, tenants };
}
