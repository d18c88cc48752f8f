/** How many items and entries ended in each status, by method: what the matcher (MatchResult.counts) and its DuckDB peer must agree on. */
export interface MatchCounts {
  /** `status/method` → count (method `none` when there is none). */
  items: Record<string, number>;
  entries: Record<string, number>;
}

/** Counts with keys in code-unit order, so two counts compare as JSON. */
export function sortedCounts(m: ReadonlyMap<string, number>): Record<string, number> {
  return Object.fromEntries([...m.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1)));
}
