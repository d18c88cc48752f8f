/**
 * A fixed set of DuckDB connections for read queries. A connection runs one
 * query at a time; a few let the API's concurrent drill-downs overlap while
 * appends and compaction use connections of their own.
 */
import type { DuckDBConnectionLike } from './duckdb-subset.js';

export class ConnectionPool {
  private readonly idle: DuckDBConnectionLike[];
  private readonly waiters: ((c: DuckDBConnectionLike) => void)[] = [];
  private busy = 0;
  private drained: (() => void) | null = null;

  constructor(connections: readonly DuckDBConnectionLike[]) {
    this.idle = [...connections];
  }

  /**
   * Runs `fn` with a connection of its own.
   * @example const rows = await pool.use((c) => c.runAndReadAll('SELECT 42'));
   */
  async use<T>(fn: (c: DuckDBConnectionLike) => Promise<T>): Promise<T> {
    let c = this.idle.pop();
    // A connection handed over by a finishing query stays counted as busy.
    if (c === undefined) c = await new Promise<DuckDBConnectionLike>((resolve) => this.waiters.push(resolve));
    else this.busy++;
    try {
      return await fn(c);
    } finally {
      const next = this.waiters.shift();
      if (next !== undefined) next(c);
      else {
        this.busy--;
        this.idle.push(c);
        if (this.busy === 0) this.drained?.();
      }
    }
  }

  /** Waits for running queries, then closes every connection. */
  async close(): Promise<void> {
    if (this.busy > 0 || this.waiters.length > 0) {
      await new Promise<void>((resolve) => {
        this.drained = resolve;
      });
    }
    for (const c of this.idle.splice(0)) c.closeSync();
  }
}
