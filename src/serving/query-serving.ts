/**
 * QueryServing: what the dashboard's read routes (src/api/query-routes.ts)
 * ask of a serving store — a tenant's settings, its stores, series and
 * top-N. Two adapters: the columnar store in this process's memory (answers
 * at once) and the shared ClickHouse store (each answer is a round trip to
 * the server), so the same routes run on either `adapters.serving`.
 *
 * @example
 * const serving = memoryQueryServing(columnar);            // tpay run, tpay api with serving: memory
 * const serving = sharedQueryServing(clickhouse, directory); // tpay api with serving: clickhouse
 * const groups = await serving.series('acme', query);
 */
import type { Store } from '../domain/store.js';
import type { TenantDirectory } from '../stream/tenant-directory.js';
import type { ColumnarServingStore } from './columnar-serving-store.js';
import { selectStores, type SeriesGroup, type SeriesQuery, type StoreFilter, type TopQuery, type TopRow } from './series-query.js';
import type { SharedServingStore } from './shared-serving-store.js';
import { TenantRollups, type TenantSettings } from './tenant-rollups.js';

/** How much the serving store behind the routes knows of the stream that feeds it. */
export interface TenantFreshness {
  /** Records of the tenant the stream has counted (null: this store does not know, e.g. one shared by many stream workers). */
  records: number | null;
  /** Newest ingest time (ms) whose record is visible (null: none yet, or unknown). */
  visibleReceivedAt: number | null;
}

export interface QueryServing {
  /** Which adapter answers (`memory` or `clickhouse`). */
  readonly kind: 'memory' | 'clickhouse';
  /** The tenant's serving settings; undefined until the tenant has any (its routes then answer empty). */
  settings(tenant: string): TenantSettings | undefined;
  /** The tenant's stores the filter selects (every store without scopes or ids), in the store's own order. */
  stores(tenant: string, filter: StoreFilter): Promise<Store[]>;
  /** Every store of the tenant. */
  storeCount(tenant: string): Promise<number>;
  store(tenant: string, id: string): Promise<Store | undefined>;
  series(tenant: string, q: SeriesQuery): Promise<SeriesGroup[]>;
  top(tenant: string, q: TopQuery): Promise<TopRow[]>;
  freshness(tenant: string): TenantFreshness;
}

/** The store of this process: every call answers synchronously inside. */
export function memoryQueryServing(serving: ColumnarServingStore, freshness: (tenant: string) => TenantFreshness): QueryServing {
  return {
    kind: 'memory',
    settings: (tenant) => serving.settings(tenant),
    stores: async (tenant, filter) => (serving.settings(tenant) === undefined ? [] : selectStores(serving.rollups(tenant), filter).map((s) => s.store)),
    storeCount: async (tenant) => serving.stores(tenant).length,
    store: async (tenant, id) => (serving.settings(tenant) === undefined ? undefined : serving.rollups(tenant).storeById(id)?.store),
    series: async (tenant, q) => serving.series(tenant, q),
    top: async (tenant, q) => serving.top(tenant, q),
    freshness,
  };
}

/** Stores' rollups (no sums) kept per tenant for store filters, rebuilt when the store list changes. */
interface StoreIndexEntry {
  key: string;
  rollups: TenantRollups;
}

/**
 * The shared store (ClickHouse): tenant settings from the data directory's
 * tenant files (the stream workers enrich with the same), stores and sums
 * from the server. A store filter runs on a sum-less rollups of the
 * tenant's stores, so geo scopes select exactly as in memory.
 */
export function sharedQueryServing(serving: SharedServingStore, directory: TenantDirectory): QueryServing {
  const indexes = new Map<string, StoreIndexEntry>();
  const settings = (tenant: string): TenantSettings | undefined => {
    const view = directory.get(tenant);
    if (view === undefined) return undefined;
    // The store's own copy is what its queries read (cut-off, reporting currency).
    if (serving.settings(tenant) !== view.settings) serving.setTenant(tenant, view.settings);
    return view.settings;
  };
  const storeRollups = async (tenant: string, s: TenantSettings): Promise<TenantRollups> => {
    const stores = await serving.stores(tenant);
    // Store descriptions are immutable values: their ids and JSON say whether the list changed.
    const key = JSON.stringify(stores);
    const hit = indexes.get(tenant);
    if (hit !== undefined && hit.key === key && hit.rollups.settings === s) return hit.rollups;
    const rollups = new TenantRollups(tenant, s, 0);
    for (const st of stores) rollups.upsertStore(st);
    indexes.set(tenant, { key, rollups });
    return rollups;
  };
  return {
    kind: 'clickhouse',
    settings,
    async stores(tenant, filter) {
      const s = settings(tenant);
      return s === undefined ? [] : selectStores(await storeRollups(tenant, s), filter).map((x) => x.store);
    },
    async storeCount(tenant) {
      return settings(tenant) === undefined ? 0 : (await serving.stores(tenant)).length;
    },
    async store(tenant, id) {
      const s = settings(tenant);
      return s === undefined ? undefined : (await storeRollups(tenant, s)).storeById(id)?.store;
    },
    async series(tenant, q) {
      return settings(tenant) === undefined ? [] : serving.series(tenant, q);
    },
    async top(tenant, q) {
      return settings(tenant) === undefined ? [] : serving.top(tenant, q);
    },
    freshness: () => ({ records: null, visibleReceivedAt: null }),
  };
}
