/**
 * The read side of the Parquet warehouse: drill-down queries planned on the
 * in-memory index (which files, which store) and run by DuckDB on exactly
 * those files. A query pins the file-set generation it planned on, so
 * compaction and retention never delete a file under it.
 */
import type { ConnectionPool } from './connection-pool.js';
import type { SqlValue } from './duckdb-subset.js';
import { WarehouseIoError } from './errors.js';
import { storesOfTxn } from './file-index.js';
import { MAX_MS, MIN_MS } from './parquet-batch.js';
import { READ_SELECT, recordOfRow } from './parquet-columns.js';
import type { DataFile, FileSet } from './parquet-file-set.js';
import { fileList } from './parquet-files.js';
import { utcDate } from './parquet-layout.js';
import { checkInteger, checkTenant } from './parquet-warehouse-options.js';
import { decodeCursor, encodeCursor } from './page-cursor.js';
import type { PageKey } from './page-cursor.js';
import { storeSlices, windowEnd } from './store-page-plan.js';
import { MAX_PAGE_LIMIT } from './warehouse.js';
import type { Page, PageRequest, WarehouseRecord } from './warehouse.js';

export class ParquetReader {
  constructor(
    private readonly dir: string,
    private readonly files: FileSet,
    private readonly pool: ConnectionPool,
  ) {}

  /** See `Warehouse.storeTransactions`. */
  async storeTransactions(tenant: string, storeId: string, fromMs: number, toMs: number, page: PageRequest): Promise<Page<WarehouseRecord>> {
    checkTenant(tenant);
    checkInteger('fromMs', fromMs, -Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
    checkInteger('toMs', toMs, -Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
    checkInteger('limit', page.limit, 1, MAX_PAGE_LIMIT);
    const key = page.cursor === undefined || page.cursor === null ? null : decodeCursor(page.cursor);
    const lower = key === null ? fromMs : Math.max(fromMs, key.ts);
    if (lower >= toMs) return { items: [], nextCursor: null };
    const generation = this.files.pin();
    try {
      const candidates = this.files.filesOf(tenant, dateOf(lower), dateOf(toMs - 1));
      const slices = storeSlices(candidates, storeId, lower, toMs);
      const items: WarehouseRecord[] = [];
      for (let i = 0; i < slices.length && items.length <= page.limit; ) {
        const need = page.limit + 1 - items.length;
        const end = windowEnd(slices, i, need);
        const files = slices.slice(i, end).map((s) => s.file);
        items.push(...(await this.readStoreWindow(files, storeId, lower, toMs, key, need)));
        i = end;
      }
      if (items.length <= page.limit) return { items, nextCursor: null };
      items.length = page.limit;
      const last = items[page.limit - 1]!;
      return { items, nextCursor: encodeCursor({ ts: last.ts, txnId: last.txn_id, partition: last.log_partition, offset: last.log_offset }) };
    } finally {
      this.files.unpin(generation);
    }
  }

  private async readStoreWindow(files: readonly DataFile[], storeId: string, lower: number, upper: number, key: PageKey | null, need: number): Promise<WarehouseRecord[]> {
    const where = ['f.store_id = $1', 'f.ts >= make_timestamptz($2::BIGINT * 1000)', 'f.ts < make_timestamptz($3::BIGINT * 1000)'];
    const values: SqlValue[] = [storeId, lower, upper];
    if (key !== null) {
      // Strictly after the cursor row in (ts, txn_id, log_partition, log_offset) order.
      where.push(
        '(f.ts > make_timestamptz($4::BIGINT * 1000) OR (f.ts = make_timestamptz($4::BIGINT * 1000) AND (f.txn_id > $5 OR (f.txn_id = $5 AND (f.log_partition > $6 OR (f.log_partition = $6 AND f.log_offset > $7::BIGINT))))))',
      );
      values.push(key.ts, key.txnId, key.partition, key.offset);
    }
    const sql = `SELECT ${READ_SELECT} FROM ${fileList(files)} AS f WHERE ${where.join(' AND ')} ORDER BY f.ts, f.txn_id, f.log_partition, f.log_offset LIMIT ${String(need)}`;
    return this.query(sql, values);
  }

  /** See `Warehouse.findTransaction`. */
  async findTransaction(tenant: string, txnId: string): Promise<WarehouseRecord[]> {
    checkTenant(tenant);
    const generation = this.files.pin();
    try {
      const files: DataFile[] = [];
      const stores = new Set<string>();
      for (const f of this.files.filesOf(tenant, '0000-01-01', '9999-12-31')) {
        const s = storesOfTxn(f.index, txnId);
        if (s.length === 0) continue;
        files.push(f);
        for (const id of s) stores.add(id);
      }
      if (files.length === 0) return [];
      // The index names the store too: `store_id IN (…)` lets row-group statistics skip all but one row group.
      const storeParams = [...stores].map((_, i) => `$${String(i + 2)}`).join(', ');
      return await this.query(
        `SELECT ${READ_SELECT} FROM ${fileList(files)} AS f WHERE f.txn_id = $1 AND f.store_id IN (${storeParams}) ORDER BY f.log_partition, f.log_offset`,
        [txnId, ...stores],
      );
    } finally {
      this.files.unpin(generation);
    }
  }

  private async query(sql: string, values: SqlValue[]): Promise<WarehouseRecord[]> {
    let rows: readonly (readonly unknown[])[];
    try {
      rows = await this.pool.use(async (c) => (await c.runAndReadAll(sql, values)).getRowsJS());
    } catch (err) {
      throw new WarehouseIoError('warehouse query', err);
    }
    return rows.map((r) => recordOfRow(r, this.dir));
  }
}

/** The UTC date of `ms`, clamped to the dates a directory can name. */
function dateOf(ms: number): string {
  return utcDate(Math.min(MAX_MS, Math.max(MIN_MS, ms)));
}
