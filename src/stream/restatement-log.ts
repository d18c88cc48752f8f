/**
 * The restatement log (DOMAIN.md, "Late data"): one NDJSON line for every
 * record that changed a business day after it closed: which store, which
 * day, by how much.
 *
 * Exactly once: each entry carries the log partition and offset of its
 * record. On open the log learns the highest offset it holds per partition
 * and later appends skip anything at or below it, so a stream that replays
 * after a crash does not write an entry twice. A torn last line (a crash
 * mid-write) is cut off on open.
 */
import { closeSync, existsSync, fsyncSync, ftruncateSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

export interface Restatement {
  tenant: string;
  store_id: string;
  /** The business day changed, `YYYY-MM-DD` in the store's zone and the tenant's cut-off. */
  business_day: string;
  txn_id: string;
  type: 'sale' | 'refund' | 'void';
  /** Event time and ingest time, RFC 3339 UTC. */
  ts: string;
  received_at: string;
  /** What the record adds to the day, in minor units of the reporting currency. */
  net_sales: number;
  tax: number;
  currency: string;
  partition: number;
  offset: number;
}

/** Most entries kept in memory per tenant for the API (the file keeps all of them). */
const MEMORY_LIMIT = 100_000;

export interface RestatementLogOptions {
  /**
   * Read the file, never write it: a follower (an API process keeping its own
   * serving copy) lists what the stream role wrote and keeps the entries of
   * its own replay in memory only. A torn last line is skipped, not cut.
   */
  readOnly?: boolean;
}

export class RestatementLog {
  private readonly fd: number | null;
  private readonly maxOffset = new Map<number, number>();
  private readonly recent = new Map<string, Restatement[]>();

  constructor(
    readonly path: string,
    opts: RestatementLogOptions = {},
  ) {
    let text = existsSync(path) ? readFileSync(path, 'utf8') : '';
    const end = text.lastIndexOf('\n') + 1;
    if (opts.readOnly === true) {
      this.fd = null;
      text = text.slice(0, end);
    } else {
      mkdirSync(dirname(path), { recursive: true });
      this.fd = openSync(path, 'a+');
      if (end < text.length) {
        // A torn last line: the crash came before its newline.
        ftruncateSync(this.fd, Buffer.byteLength(text.slice(0, end)));
        fsyncSync(this.fd);
        text = text.slice(0, end);
      }
    }
    for (const line of text.split('\n')) {
      if (line === '') continue;
      this.remember(JSON.parse(line) as Restatement);
    }
  }

  private remember(r: Restatement): void {
    if (r.offset > (this.maxOffset.get(r.partition) ?? -1)) this.maxOffset.set(r.partition, r.offset);
    let list = this.recent.get(r.tenant);
    if (list === undefined) this.recent.set(r.tenant, (list = []));
    list.push(r);
    if (list.length > MEMORY_LIMIT) list.splice(0, list.length - MEMORY_LIMIT);
  }

  /** Appends entries not yet written (by partition and offset) and makes them durable (read-only: keeps them in memory). */
  append(entries: readonly Restatement[]): number {
    const fresh = entries.filter((r) => r.offset > (this.maxOffset.get(r.partition) ?? -1));
    if (fresh.length === 0) return 0;
    if (this.fd !== null) {
      writeSync(this.fd, fresh.map((r) => `${JSON.stringify(r)}\n`).join(''));
      fsyncSync(this.fd);
    }
    for (const r of fresh) this.remember(r);
    return fresh.length;
  }

  /** A tenant's most recent entries, newest first, optionally from a business day on. */
  list(tenant: string, opts: { limit: number; fromDay?: string; storeId?: string }): Restatement[] {
    const all = this.recent.get(tenant) ?? [];
    const out: Restatement[] = [];
    for (let i = all.length - 1; i >= 0 && out.length < opts.limit; i--) {
      const r = all[i]!;
      if (opts.fromDay !== undefined && r.business_day < opts.fromDay) continue;
      if (opts.storeId !== undefined && r.store_id !== opts.storeId) continue;
      out.push(r);
    }
    return out;
  }

  close(): void {
    if (this.fd !== null) closeSync(this.fd);
  }
}
