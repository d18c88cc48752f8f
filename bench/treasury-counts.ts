/** How many items and entries ended in each status, by method: what the matcher and its DuckDB peer must agree on. */
import type { MatchResult } from '../src/domain/reconciliation.js';

export interface MatchCounts {
  /** `status/method` → count (method `none` when there is none). */
  items: Record<string, number>;
  entries: Record<string, number>;
}

/** Counts with keys in code-unit order, so two counts compare as JSON. */
export function sortedCounts(m: ReadonlyMap<string, number>): Record<string, number> {
  return Object.fromEntries([...m.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1)));
}

export function matchCounts(r: MatchResult): MatchCounts {
  const items = new Map<string, number>();
  const entries = new Map<string, number>();
  for (const x of r.items) {
    const k = `${x.status}/${x.method ?? 'none'}`;
    items.set(k, (items.get(k) ?? 0) + 1);
  }
  for (const x of r.entries) {
    const k = `${x.status}/${x.method ?? 'none'}`;
    entries.set(k, (entries.get(k) ?? 0) + 1);
  }
  return { items: sortedCounts(items), entries: sortedCounts(entries) };
}
