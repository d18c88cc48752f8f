/**
 * Reads the forecast's input from the serving rollups: `net_sales` per
 * store per store-local business day (the tenant's cut-off applied by the
 * rollups' `day` buckets in `store` time), in the reporting currency, with
 * each store's place from the registry the rollups hold.
 */
import { DAY_MS } from '../domain/time-buckets.js';
import { MAX_POINTS } from '../serving/series-query.js';
import type { ServingStore } from '../serving/serving-store.js';
import type { StoreSeries } from './hierarchy.js';

/** The part of the serving port this reader uses. */
export type ServingSource = Pick<ServingStore, 'series' | 'stores'>;

/**
 * Daily series of every store of `tenant` from day `from` to before day
 * `to` (day numbers). A store without any sale in the range still gets a
 * series of zeros (a new store is forecast as `no_history`, not dropped).
 * @example
 * const stores = storeSeriesFromServing(serving, 'acme', dayNumber('2024-01-01'), dayNumber('2026-03-02'));
 */
export function storeSeriesFromServing(serving: ServingSource, tenant: string, from: number, to: number): StoreSeries[] {
  const n = Math.max(0, to - from);
  const stores = serving.stores(tenant);
  const byStore = new Map<string, Float64Array>();
  // A query returns at most MAX_POINTS (store × day) points: ask for as many stores at a time as fit.
  const perQuery = Math.max(1, Math.floor(MAX_POINTS / Math.max(1, n)));
  for (let k = 0; k < stores.length && n > 0; k += perQuery) {
    const groups = serving.series(tenant, {
      metrics: ['net_sales'],
      granularity: 'day',
      tz: 'store',
      from: from * DAY_MS,
      to: to * DAY_MS,
      groupBy: [{ kind: 'store' }],
      scopes: [],
      storeIds: stores.slice(k, k + perQuery).map((s) => s.store_id),
      currency: 'reporting',
    });
    for (const g of groups) {
      const id = g.key.store;
      if (id === undefined) continue;
      const values = new Float64Array(n);
      for (const p of g.points) {
        const i = Math.round(p.bucket / DAY_MS) - from;
        const v = p.values[0];
        if (i >= 0 && i < n && typeof v === 'number') values[i] = v;
      }
      byStore.set(id, values);
    }
  }
  return stores.map((s) => ({
    id: s.store_id,
    country: s.country,
    city: s.city,
    region: s.region,
    first: from,
    values: byStore.get(s.store_id) ?? new Float64Array(n),
  }));
}
