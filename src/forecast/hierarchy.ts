/**
 * The place hierarchy of a tenant's stores and coherent roll-ups
 * (DOMAIN.md: "forecasts of stores add up to the levels above").
 *
 * Method: bottom-up for the point. A node's point forecast is the sum of
 * its stores' point forecasts, to the minor unit, so every level adds up by
 * construction (store → city → region → country → tenant). Summing bounds
 * would give intervals far too wide (it assumes every store misses in the
 * same direction on the same day), so a node's interval comes from a model
 * fitted to the node's own total, calibrated on backtests of node totals,
 * and is then moved to sit around the bottom-up point: each bound keeps its
 * ratio to the node model's own point.
 */
import type { ForecastBands, SalesSeries } from './series.js';
import { BAND_NAMES, emptyBands } from './series.js';

export const LEVELS = ['store', 'city', 'region', 'country', 'tenant'] as const;
export type Level = (typeof LEVELS)[number];
export type NodeLevel = Exclude<Level, 'store'>;

export function isLevel(x: string): x is Level {
  return (LEVELS as readonly string[]).includes(x);
}

/** A store's series with its place. */
export interface StoreSeries extends SalesSeries {
  city: string;
  region: string;
}

export interface HierarchyNode {
  level: NodeLevel;
  /** `city`: `country/city`; `region`, `country`: the name; `tenant`: `tenant`. */
  key: string;
  /** Indexes into the store list. */
  members: number[];
  /** The country with most member stores: its holidays are the node's. */
  country: string;
}

/**
 * @example
 * buildHierarchy(stores).filter((n) => n.level === 'country').map((n) => n.key) // ['DE', 'FR', …]
 */
export function buildHierarchy(stores: readonly StoreSeries[]): HierarchyNode[] {
  const keyOf: Record<NodeLevel, (s: StoreSeries) => string> = {
    city: (s) => `${s.country}/${s.city}`,
    region: (s) => s.region,
    country: (s) => s.country,
    tenant: () => 'tenant',
  };
  const out: HierarchyNode[] = [];
  for (const level of ['city', 'region', 'country', 'tenant'] as const) {
    const groups = new Map<string, number[]>();
    stores.forEach((s, i) => {
      const k = keyOf[level](s);
      let g = groups.get(k);
      if (g === undefined) groups.set(k, (g = []));
      g.push(i);
    });
    for (const [key, members] of [...groups].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))) {
      const byCountry = new Map<string, number>();
      for (const i of members) byCountry.set(stores[i]!.country, (byCountry.get(stores[i]!.country) ?? 0) + 1);
      const country = [...byCountry].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0]![0];
      out.push({ level, key, members, country });
    }
  }
  return out;
}

/** The node's daily total: the sum of its stores' series, over the union of their days. */
export function nodeSeries(node: HierarchyNode, stores: readonly SalesSeries[]): SalesSeries {
  let first = Infinity;
  let end = -Infinity;
  for (const i of node.members) {
    const s = stores[i]!;
    first = Math.min(first, s.first);
    end = Math.max(end, s.first + s.values.length);
  }
  if (!Number.isFinite(first)) return { id: `${node.level}:${node.key}`, country: node.country, first: 0, values: new Float64Array(0) };
  const values = new Float64Array(end - first);
  for (const i of node.members) {
    const s = stores[i]!;
    const off = s.first - first;
    for (let d = 0; d < s.values.length; d++) values[off + d]! += s.values[d]!;
  }
  return { id: `${node.level}:${node.key}`, country: node.country, first, values };
}

/**
 * Coherent bands of a node: the point is the sum of the stores' points;
 * each bound is the point times the ratio of that bound to the point in
 * the node's own forecast (`own`). Where the node's own model has no point
 * (it expects the node closed, or has no history), the bounds are the sums
 * of the stores' bounds.
 */
export function rollUp(members: readonly ForecastBands[], own: ForecastBands): ForecastBands {
  const n = own.point.length;
  const sum = emptyBands(own.first, n);
  for (const m of members) for (const b of BAND_NAMES) for (let h = 0; h < n; h++) sum[b][h]! += m[b][h]!;
  const out = emptyBands(own.first, n);
  for (let h = 0; h < n; h++) {
    const p = sum.point[h]!;
    const op = own.point[h]!;
    out.point[h] = p;
    if (op > 0 && p > 0) {
      out.lo95[h] = Math.min(p, Math.floor((p * own.lo95[h]!) / op));
      out.lo80[h] = Math.min(p, Math.floor((p * own.lo80[h]!) / op));
      out.hi80[h] = Math.max(p, Math.ceil((p * own.hi80[h]!) / op));
      out.hi95[h] = Math.max(out.hi80[h]!, Math.ceil((p * own.hi95[h]!) / op));
    } else {
      out.lo95[h] = sum.lo95[h]!;
      out.lo80[h] = sum.lo80[h]!;
      out.hi80[h] = sum.hi80[h]!;
      out.hi95[h] = sum.hi95[h]!;
    }
  }
  return out;
}
