/**
 * The place hierarchy of a tenant's stores and coherent roll-ups
 * (DOMAIN.md: "forecasts of stores add up to the levels above").
 *
 * Method: bottom-up for the point. A node's point forecast is the sum of
 * its stores' point forecasts, to the minor unit, so every level adds up by
 * construction (store → city → region → country → tenant). Summing bounds
 * would give intervals far too wide (it assumes every store misses in the
 * same direction on the same day), treating them as independent far too
 * narrow (a holiday, a season misread, miss in every store of a country):
 * a node's interval combines its stores' with the correlation their
 * calibration errors show (`level-correlation.ts`).
 */
import type { ForecastBands, SalesSeries } from './series.js';
import { emptyBands } from './series.js';

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

/** The key of the node of `level` a store belongs to. */
export function nodeKey(level: NodeLevel, s: StoreSeries): string {
  switch (level) {
    case 'city':
      return `${s.country}/${s.city}`;
    case 'region':
      return s.region;
    case 'country':
      return s.country;
    case 'tenant':
      return 'tenant';
  }
}

/**
 * @example
 * buildHierarchy(stores).filter((n) => n.level === 'country').map((n) => n.key) // ['DE', 'FR', …]
 */
export function buildHierarchy(stores: readonly StoreSeries[]): HierarchyNode[] {
  const out: HierarchyNode[] = [];
  for (const level of ['city', 'region', 'country', 'tenant'] as const) {
    const groups = new Map<string, number[]>();
    stores.forEach((s, i) => {
      const k = nodeKey(level, s);
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
 * each bound is the point plus (upper) or minus (lower, floored at 0) the
 * stores' distances from their points to that bound, combined as errors
 * of correlation `rho[step]`: √((1 − ρ)·Σdᵢ² + ρ·(Σdᵢ)²). ρ = 0 is the
 * independent errors' √Σdᵢ² (what the API does for any other set of
 * stores), ρ = 1 the sum of the stores' bounds.
 * @example
 * rollUp([a, b], rho.city.daily).hi80[0] // a.point[0] + b.point[0] + √(…)
 */
export function rollUp(members: readonly ForecastBands[], rho: Float64Array): ForecastBands {
  const n = members[0]?.point.length ?? 0;
  const out = emptyBands(members[0]?.first ?? 0, n);
  for (let h = 0; h < n; h++) {
    const r = rho[Math.min(h, rho.length - 1)] ?? 0;
    let p = 0;
    for (const m of members) p += m.point[h]!;
    out.point[h] = p;
    for (const b of ['lo95', 'lo80', 'hi80', 'hi95'] as const) {
      let sum = 0;
      let sq = 0;
      for (const m of members) {
        const d = Math.abs(m[b][h]! - m.point[h]!);
        sum += d;
        sq += d * d;
      }
      const dev = Math.sqrt(Math.max(0, (1 - r) * sq + r * sum * sum));
      out[b][h] = b.startsWith('lo') ? Math.max(0, Math.floor(p - dev)) : Math.ceil(p + dev);
    }
  }
  return out;
}
