/**
 * The `Warehouse` port: raw transactions kept for the long term, written
 * from the log in offset ranges and read back by drill-down queries.
 *
 * Exactly-once is part of the contract: an adapter stores the rows of a log
 * offset range and the new committed offset of that partition atomically, so
 * a consumer that resumes from `committedOffset(p)` after a crash neither
 * loses nor duplicates a row. Nothing here knows about files, so a
 * ClickHouse adapter (a MergeTree table plus an offsets table) implements the
 * same port.
 *
 * @example
 * const wh: Warehouse = await ParquetWarehouse.open('/var/lib/tpay/warehouse');
 * const from = wh.committedOffset(3);                     // resume point of partition 3
 * await wh.append(3, from, from + batch.length, records);  // durable, exactly once
 * const page = await wh.storeTransactions('acme', 'S0042', dayStart, dayEnd, { limit: 100 });
 * const next = await wh.storeTransactions('acme', 'S0042', dayStart, dayEnd, { limit: 100, cursor: page.nextCursor });
 * const [sale] = await wh.findTransaction('acme', 'S0042-T1-000123');
 */
import type { Transaction } from '../domain/transaction.js';

/**
 * One stored row: every field of the validated transaction, plus where it
 * came from. `(log_partition, log_offset)` is unique across the warehouse.
 */
export interface WarehouseRecord extends Transaction {
  /** Tenant the record was ingested for. */
  tenant: string;
  /** Ingest receive time, epoch ms UTC. */
  received_at: number;
  /** Log partition the record was read from. */
  log_partition: number;
  /** Offset of the record in its log partition. */
  log_offset: number;
}

/** A page request: at most `limit` rows, starting after `cursor` (a `nextCursor` of an earlier page). */
export interface PageRequest {
  limit: number;
  cursor?: string | null;
}

/** One page of rows and the cursor of the next page (`null` on the last page). */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** Outcome of `compact`. */
export interface CompactionResult {
  /** Groups of rows (for Parquet: tenant/date directories) that were merged. */
  merged: number;
  /** Storage units that replaced them (files, parts). */
  unitsWritten: number;
  /** Storage units removed. */
  unitsRemoved: number;
}

/** Outcome of `applyRetention`. */
export interface WarehouseRetentionResult {
  /** Distinct (tenant, UTC date) pairs deleted. */
  deletedDays: number;
  deletedRows: number;
  freedBytes: number;
}

/** Largest page `storeTransactions` serves. */
export const MAX_PAGE_LIMIT = 10_000;

/**
 * Tenant ids as the tenant registry issues them: 1–63 of `[a-z0-9_-]`,
 * starting with a letter or digit. Adapters may rely on it (a tenant id is a
 * safe directory or table-name component).
 */
export function isTenantId(s: string): boolean {
  const n = s.length;
  if (n === 0 || n > 63) return false;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    const alnum = (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39);
    if (!alnum && (i === 0 || (c !== 0x5f && c !== 0x2d))) return false;
  }
  return true;
}

/**
 * The warehouse. Time ranges are half-open, `[fromMs, toMs)`, on `ts`
 * (event time, epoch ms).
 *
 * @example
 * await wh.append(0, 0, 3, [r0, r1, r2]);    // offsets 0, 1, 2 of partition 0
 * wh.committedOffset(0);                      // 3
 * await wh.append(0, 0, 3, [r0, r1, r2]);    // replay: stored already, no-op
 * await wh.compact();                         // merge small units
 * await wh.applyRetention(400, Date.now());   // drop days older than 400 days
 */
export interface Warehouse {
  /**
   * Durably store `records`, the decodable records of log offsets
   * `[fromOffset, toOffset)` of `partition`, and advance
   * `committedOffset(partition)` to `toOffset`, all or nothing. Records with
   * offsets already committed are skipped (a replay after a crash is a
   * no-op); `fromOffset > committedOffset(partition)` rejects with
   * `WarehouseOffsetGapError`. Every record must carry `log_partition ===
   * partition` and an offset in the range.
   */
  append(partition: number, fromOffset: number, toOffset: number, records: readonly WarehouseRecord[]): Promise<void>;
  /** The next log offset of `partition` not yet in the warehouse (0 when none). */
  committedOffset(partition: number): number;
  /**
   * Rows of one store with `fromMs <= ts < toMs`, ordered by `ts`, then
   * `txn_id` (then log position, so the order is total), paged with an
   * opaque cursor. Pages are stable: rows appended later with a `ts` before
   * the cursor are not returned by later pages.
   */
  storeTransactions(tenant: string, storeId: string, fromMs: number, toMs: number, page: PageRequest): Promise<Page<WarehouseRecord>>;
  /**
   * Every row of `tenant` with this `txn_id`, in log order: usually none or
   * one (a void or refund has its own `txn_id`), more if a till reused an id.
   */
  findTransaction(tenant: string, txnId: string): Promise<WarehouseRecord[]>;
  /** Merge small storage units into larger ones; rows stay exactly the same. */
  compact(): Promise<CompactionResult>;
  /** Delete the rows of every UTC day that ended more than `maxAgeDays` days before `nowMs`. */
  applyRetention(maxAgeDays: number, nowMs: number): Promise<WarehouseRetentionResult>;
  /** Wait for running writes, then release everything. */
  close(): Promise<void>;
}
