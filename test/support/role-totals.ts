/**
 * What the role-process tests check against: a brute-force reference of
 * the sales sent (the first copy of every valid line, per tenant and
 * store), the API's totals per store over all time, and the roles' probes.
 */
import { strict as assert } from 'node:assert';
import { setTimeout as sleep } from 'node:timers/promises';
import { currencyExponent } from '../../src/domain/currency.js';
import { DEFAULT_USD_PER_UNIT } from '../../src/domain/fx-defaults.js';
import { decodeTransaction } from '../../src/domain/transaction-decoder.js';
import { sendTenants } from '../../src/firehose/multi-tenant-sender.js';
import type { RecordOptions } from '../../src/firehose/record-options.js';
import { tenantLineChunks } from '../../src/firehose/records.js';
import type { generateWorld } from '../../src/firehose/world.js';
import { RegistryStore } from '../../src/tenants/registry-store.js';
import { TenantStore } from '../../src/tenants/tenant-store.js';
import { startIngestProcess, type IngestProcess } from './ingest-process.js';
import { ALL_METRICS, refMetrics, refTxnOf, type ParsedLine, type RefTxn } from '../serving/reference.js';

export type World = ReturnType<typeof generateWorld>;
type Totals = Record<string, Record<string, number | null>>;

/** Per tenant and store, the additive metrics of the first copy of every valid line. */
export function addReference(world: World, opts: RecordOptions, into: Map<string, RefTxn[]>): void {
  for (const t of world.tenants) {
    const id = t.tenant.tenant_id;
    const stores = new Map(t.stores.map((s) => [s.store_id, s]));
    const seen = new Set<string>();
    const list = into.get(id) ?? [];
    const ctx = { tenant: id, nowMs: Date.now(), maxLineBytes: 4096, hasStore: (s: string) => stores.has(s) };
    for (const chunk of tenantLineChunks(world, id, opts)) {
      for (const line of chunk.data.toString('utf8').split('\n')) {
        const b = Buffer.from(line);
        if (line === '' || !decodeTransaction(b, 0, b.length, ctx).ok) continue;
        const p = JSON.parse(line) as ParsedLine;
        const k = `${p.terminal_id}/${String(p.seq)}`;
        if (seen.has(k)) continue;
        seen.add(k);
        list.push(refTxnOf(id, p, stores.get(p.store_id)!, t.tenant.reporting_currency, 0, DEFAULT_USD_PER_UNIT, (c) => currencyExponent(c)!));
      }
    }
    into.set(id, list);
  }
}

function wantTotals(list: readonly RefTxn[]): Totals {
  const perStore = new Map<string, RefTxn[]>();
  for (const x of list) perStore.set(x.store.store_id, [...(perStore.get(x.store.store_id) ?? []), x]);
  return Object.fromEntries(
    [...perStore].map(([s, l]) => {
      const m = refMetrics(l);
      delete m['avg_basket'];
      return [s, m];
    }),
  );
}

export async function apiTotals(port: number, readKey: string): Promise<Totals> {
  const qs = new URLSearchParams({ metrics: ALL_METRICS.join(','), granularity: 'month', tz: 'UTC', from: '2020-01-01', to: '2030-01-01', group_by: 'store' });
  const res = await fetch(`http://127.0.0.1:${String(port)}/v1/series?${qs.toString()}`, { headers: { authorization: `Bearer ${readKey}` } });
  assert.equal(res.status, 200, await res.clone().text());
  const body = (await res.json()) as { groups: { key: { store: string }; points: Record<string, number | null>[] }[] };
  const out: Totals = {};
  for (const g of body.groups) {
    const sums: Record<string, number | null> = {};
    for (const m of ALL_METRICS) if (m !== 'avg_basket') sums[m] = g.points.reduce((n, p) => n + (p[m] as number), 0);
    out[g.key.store] = sums;
  }
  return out;
}

/** Waits (at most 90 s) until the API's totals equal the reference, then asserts they do. */
export async function expectTotals(port: number, world: World, readKeys: Record<string, string>, reference: Map<string, RefTxn[]>, when: string): Promise<void> {
  for (const t of world.tenants) {
    const id = t.tenant.tenant_id;
    const want = wantTotals(reference.get(id)!);
    let got: Totals = {};
    for (let i = 0; i < 450; i++) {
      got = await apiTotals(port, readKeys[id]!);
      if (JSON.stringify(Object.entries(got).sort()) === JSON.stringify(Object.entries(want).sort())) break;
      await sleep(200);
    }
    assert.deepEqual(got, want, `${when}: ${id}: totals per store`);
  }
}

export async function probes(port: number, role: string): Promise<void> {
  for (const path of ['/healthz', '/readyz']) {
    let status = 0;
    // Readiness comes once the replay has caught up.
    for (let i = 0; i < 300 && status !== 200; i++) {
      status = (await fetch(`http://127.0.0.1:${String(port)}${path}`)).status;
      if (status !== 200) await sleep(100);
    }
    assert.equal(status, 200, `${role} ${path}`);
  }
}

/** The world's tenants created in `dataDir` (business day cut-off 04:00) with their registries, and an ingest and a read key each. */
export function provisionTenants(dataDir: string, world: World): { keys: Record<string, string>; readKeys: Record<string, string> } {
  const tenants = new TenantStore(dataDir);
  const registries = new RegistryStore(dataDir);
  const keys: Record<string, string> = {};
  const readKeys: Record<string, string> = {};
  for (const t of world.tenants) {
    const id = t.tenant.tenant_id;
    tenants.createTenant({ id, reportingCurrency: t.tenant.reporting_currency, businessDayCutoff: '04:00' });
    registries.put(id, t.stores);
    keys[id] = tenants.createKey(id, 'ingest').secret;
    readKeys[id] = tenants.createKey(id, 'read').secret;
  }
  return { keys, readKeys };
}

/**
 * Sends phases of sales with faults (duplicates, out of order, late,
 * malformed) to the ingest TCP port `port()` at 3,000 lines/s, adding each
 * phase to `reference`; `during` runs while a phase is sent (a kill, a
 * restart). Each phase numbers its sales above the last one's, so they are
 * new, not duplicates. Every line must be acknowledged.
 */
export function phasedSender(world: World, keys: Record<string, string>, reference: Map<string, RefTxn[]>, port: () => number): (records: number, during?: () => Promise<void>) => Promise<void> {
  let phase = 0;
  return async (records, during) => {
    const opts: RecordOptions = { start: Date.now() - 4 * 86_400_000, records, seqBase: ++phase * 1_000_000, faults: { duplicates: 0.05, outOfOrder: 0.02, late: 0.3, malformed: 0.01 } };
    addReference(world, opts, reference);
    const sources: Record<string, ReturnType<typeof tenantLineChunks>> = {};
    for (const t of world.tenants) sources[t.tenant.tenant_id] = tenantLineChunks(world, t.tenant.tenant_id, opts, { chunkLines: 200 });
    const sending = sendTenants({ port: port(), keys, sources, connections: 1, ratePerS: 3_000, reconnectDelayMs: [20, 300], maxRetries: 1000 });
    if (during !== undefined) await during();
    const report = await sending;
    assert.equal(report.total.unacked, 0, 'every line acknowledged');
  };
}

/** Starters of the three role processes on `dataDir`: ingest on `tcpPort`, the others on free ports, each with `env`. */
export function roleStarters(dataDir: string, tcpPort: number, env: Record<string, string>): Record<'ingest' | 'stream' | 'api', () => Promise<IngestProcess>> {
  return {
    ingest: () => startIngestProcess(dataDir, ['--tcp-port', String(tcpPort), '--http-port', '0'], env, 'ingest'),
    stream: () => startIngestProcess(dataDir, ['--health-port', '0'], env, 'stream'),
    api: () => startIngestProcess(dataDir, ['--http-port', '0'], env, 'api'),
  };
}
