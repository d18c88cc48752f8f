/** Small, exact fixtures: a tenant with a handful of stores and record builders. */
import type { Store } from '../../src/domain/store.js';
import { RegistryStore } from '../../src/tenants/registry-store.js';
import { TenantStore } from '../../src/tenants/tenant-store.js';

export function store(id: string, over: Partial<Store> = {}): Store {
  return {
    store_id: id,
    name: `Store ${id}`,
    lat: 52.52,
    lon: 13.405,
    country: 'DE',
    region: 'EMEA-Central',
    city: 'Berlin',
    timezone: 'Europe/Berlin',
    currency: 'EUR',
    acquirer: 'acq-eu',
    merchant_account: `M-${id}`,
    bank_account: 'DE89370400440532013000',
    fee_plan: 'standard',
    ...over,
  };
}

export interface TenantFixture {
  tenant: string;
  ingestKey: string;
  readKey: string;
  adminKey: string;
}

/** Creates tenant `acme` (EUR) with stores S1..S3, and a second tenant `globex` with store G1. */
export function seedTenants(dataDir: string): { acme: TenantFixture; globex: TenantFixture } {
  const tenants = new TenantStore(dataDir);
  const registries = new RegistryStore(dataDir);
  const admin = tenants.createKey(null, 'admin').secret;
  const make = (id: string, currency: string, stores: Store[]): TenantFixture => {
    tenants.createTenant({ id, reportingCurrency: currency });
    registries.put(id, stores);
    return { tenant: id, ingestKey: tenants.createKey(id, 'ingest').secret, readKey: tenants.createKey(id, 'read').secret, adminKey: admin };
  };
  return {
    acme: make('acme', 'EUR', [store('S1'), store('S2'), store('S3')]),
    globex: make('globex', 'USD', [store('G1', { country: 'US', city: 'New York', timezone: 'America/New_York', currency: 'USD', lat: 40.71, lon: -74.0 })]),
  };
}

export interface TxnOver {
  txn_id?: string;
  store_id?: string;
  terminal_id?: string;
  seq?: number;
  ts?: string;
  type?: string;
  amount_minor?: number;
  currency?: string;
  tax_minor?: number;
  tender?: string;
  card_brand?: string;
  ref_txn_id?: string;
}

/** One valid record line (no newline) for store S1 unless overridden. */
export function txnLine(over: TxnOver = {}): string {
  const seq = over.seq ?? 1;
  const rec: Record<string, unknown> = {
    txn_id: `R-${over.terminal_id ?? 'T1'}-${seq}`,
    store_id: 'S1',
    terminal_id: 'T1',
    seq,
    ts: '2026-03-01T10:15:00.000+01:00',
    type: 'sale',
    amount_minor: 4599,
    currency: 'EUR',
    tax_minor: 734,
    tender: 'card',
    card_brand: 'visa',
    ...over,
  };
  return JSON.stringify(rec);
}
