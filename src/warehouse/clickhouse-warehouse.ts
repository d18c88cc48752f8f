/**
 * ClickHouseWarehouse: the `Warehouse` port on a ClickHouse server, over
 * its HTTP interface (clickhouse-http.ts). Rows live in one MergeTree table
 * partitioned by tenant and UTC month, with a receipt index table beside it;
 * committed offsets and the retention floor in two small tables
 * (clickhouse-schema.ts, docs/warehouse.md).
 *
 * Exactly once without transactions (ClickHouse 18.16 has none): an append
 * inserts its rows first and the partition's new committed offset after, as
 * two inserts (the index rows go with the rows). Reads show a row only if
 * its offset is below the committed offset of its partition, and only one
 * row per `(log_partition, log_offset)` (`LIMIT 1 BY`). So a crash between the inserts leaves rows
 * nobody sees, and the replay from `committedOffset` that follows writes
 * the same rows again (a log offset names one record forever), which reads
 * collapse to one and merges of the ReplacingMergeTree remove. No state
 * needs repair on open, and no insert needs to know whether an earlier one
 * reached the server.
 *
 * One instance writes a database at a time (as one process holds a Parquet
 * warehouse directory): committed offsets and the retention floor are read
 * on open and then kept in memory, where `committedOffset` and the read
 * filter take them from.
 */
import { ClickHouseHttp } from './clickhouse-http.js';
import type { ClickHouseConnection } from './clickhouse-http.js';
import { COLUMN_COUNT, COLUMN_LIST, INDEX_COLUMN_LIST, OFFSETS, RETENTION, TRANSACTIONS, TXN_INDEX, recordOfRow, schemaSql, writeIndexRow, writeRow } from './clickhouse-schema.js';
import { TsvWriter, forEachTsvRow, readInt, readText, sqlString } from './clickhouse-tsv.js';
import { WarehouseClosedError, WarehouseCorruptError, WarehouseError, WarehouseInvalidArgumentError, WarehouseIoError, WarehouseOffsetGapError } from './errors.js';
import { Mutex } from './mutex.js';
import { decodeCursor, encodeCursor } from './page-cursor.js';
import { checkInteger, checkTenant } from './parquet-warehouse-options.js';
import { checkRecords, checkText } from './clickhouse-checks.js';
import { MAX_PAGE_LIMIT } from './warehouse.js';
import type { CompactionResult, Page, PageRequest, Warehouse, WarehouseRecord, WarehouseRetentionResult } from './warehouse.js';

export interface ClickHouseWarehouseOptions {
  /** Base URL of the server's HTTP interface, e.g. 'http://127.0.0.1:8123' (unless `connection` is given). */
  url?: string;
  /** Database holding the warehouse tables; created if missing. 1-63 of `[A-Za-z0-9_]`, not starting with a digit. */
  database: string;
  user?: string;
  password?: string;
  /** A connection to use (and close) instead of one made from `url`. */
  connection?: ClickHouseConnection;
  /** Rows per INSERT request (default 100,000): bounds the request body an append builds at once. */
  insertRows?: number;
  /** Timeout of one request (default 60 s); `compact` allows each OPTIMIZE ten times as long. */
  timeoutMs?: number;
}

const OPTION_KEYS = ['url', 'database', 'user', 'password', 'connection', 'insertRows', 'timeoutMs'] as const;
const DAY_MS = 86_400_000;
const OPTIMIZE_ATTEMPTS = 5;

export class ClickHouseWarehouse implements Warehouse {
  private closing = false;
  private readonly appendLock = new Mutex();
  private readonly compactLock = new Mutex();
  private readonly writer = new TsvWriter(1 << 20);
  private readonly indexWriter = new TsvWriter(1 << 18);

  private constructor(
    readonly database: string,
    private readonly ch: ClickHouseConnection,
    private readonly offsets: Map<number, number>,
    /** Rows with `ts` below it were deleted by retention. */
    private floorMs: number,
    private readonly insertRows: number,
    private readonly timeoutMs: number,
  ) {}

  /**
   * Connects, creates the database and tables if missing, and loads the
   * committed offsets.
   * @example
   * const wh = await ClickHouseWarehouse.open({ url: 'http://127.0.0.1:8123', database: 'tpay' });
   * wh.committedOffset(0); // where the feeder resumes partition 0
   */
  static async open(options: ClickHouseWarehouseOptions): Promise<ClickHouseWarehouse> {
    for (const key of Object.keys(options)) {
      if (!(OPTION_KEYS as readonly string[]).includes(key)) {
        throw new WarehouseInvalidArgumentError(`unknown ClickHouseWarehouse option '${key}' (known: ${OPTION_KEYS.join(', ')})`);
      }
    }
    const { database, url, connection, insertRows = 100_000, timeoutMs = 60_000 } = options;
    if (typeof database !== 'string' || !/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(database)) {
      throw new WarehouseInvalidArgumentError(`database must be 1-63 of [A-Za-z0-9_] not starting with a digit, got ${JSON.stringify(database)}`);
    }
    checkInteger('insertRows', insertRows, 1, 10_000_000);
    checkInteger('timeoutMs', timeoutMs, 1, 86_400_000);
    if (connection === undefined && url === undefined) throw new WarehouseInvalidArgumentError('either url or connection must be given');
    let ch: ClickHouseConnection;
    try {
      ch = connection ?? new ClickHouseHttp({ url: url!, user: options.user, password: options.password, timeoutMs });
    } catch (err) {
      throw new WarehouseInvalidArgumentError(`url ${JSON.stringify(url)}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
    try {
      await ch.query(`CREATE DATABASE IF NOT EXISTS ${database}`);
      for (const sql of schemaSql(database)) await ch.query(sql);
      const offsets = new Map<number, number>();
      const body = await ch.query(`SELECT log_partition, max(committed) FROM ${database}.${OFFSETS} GROUP BY log_partition FORMAT TabSeparated`);
      forEachTsvRow(body, 2, (f) => {
        const p = readInt(body, f[0]!);
        const c = readInt(body, f[1]!);
        if (!Number.isSafeInteger(p) || !Number.isSafeInteger(c)) throw new WarehouseCorruptError(`committed offset row ${readText(body, f[0]!)} ${readText(body, f[1]!)}`, `${database}.${OFFSETS}`);
        offsets.set(p, c);
      });
      const floor = await ch.query(`SELECT max(floor_ms) FROM ${database}.${RETENTION} FORMAT TabSeparated`);
      const floorMs = readInt(floor, { start: 0, end: Math.max(0, floor.length - 1) });
      if (!Number.isSafeInteger(floorMs)) throw new WarehouseCorruptError(`retention floor ${floor.toString('utf8').trim()}`, `${database}.${RETENTION}`);
      return new ClickHouseWarehouse(database, ch, offsets, floorMs, insertRows, timeoutMs);
    } catch (err) {
      await ch.close();
      throw asWarehouseError(`opening ClickHouse warehouse ${database}`, err);
    }
  }

  /**
   * Reads `partition`'s committed offset from the server again: a stream
   * worker that gains the partition by lease continues where its last owner
   * committed, not where this instance last saw it.
   */
  async reloadCommittedOffset(partition: number): Promise<number> {
    this.checkOpen();
    checkInteger('partition', partition, 0, 2 ** 31 - 1);
    return this.appendLock.run(async () => {
      let body: Buffer;
      try {
        body = await this.ch.query(`SELECT max(committed) FROM ${this.database}.${OFFSETS} WHERE log_partition = ${String(partition)} FORMAT TabSeparated`);
      } catch (err) {
        throw asWarehouseError(`reading the committed offset of partition ${String(partition)}`, err);
      }
      const c = readInt(body, { start: 0, end: Math.max(0, body.length - 1) });
      if (!Number.isSafeInteger(c)) throw new WarehouseCorruptError(`committed offset ${body.toString('utf8').trim()} of partition ${String(partition)}`, `${this.database}.${OFFSETS}`);
      if (c > (this.offsets.get(partition) ?? 0)) this.offsets.set(partition, c);
      return this.offsets.get(partition) ?? 0;
    });
  }

  committedOffset(partition: number): number {
    checkInteger('partition', partition, 0, 2 ** 31 - 1);
    return this.offsets.get(partition) ?? 0;
  }

  async append(partition: number, fromOffset: number, toOffset: number, records: readonly WarehouseRecord[]): Promise<void> {
    this.checkOpen();
    checkInteger('partition', partition, 0, 2 ** 31 - 1);
    checkInteger('fromOffset', fromOffset, 0, Number.MAX_SAFE_INTEGER);
    checkInteger('toOffset', toOffset, fromOffset, Number.MAX_SAFE_INTEGER);
    await this.appendLock.run(() => this.appendLocked(partition, fromOffset, toOffset, records));
  }

  private async appendLocked(partition: number, from: number, to: number, records: readonly WarehouseRecord[]): Promise<void> {
    const committed = this.offsets.get(partition) ?? 0;
    if (to <= committed) return;
    if (from > committed) throw new WarehouseOffsetGapError(partition, from, committed);
    const first = checkRecords(records, partition, committed, to);
    try {
      const w = this.writer;
      const x = this.indexWriter;
      const flush = async (): Promise<void> => {
        await this.ch.insert(`INSERT INTO ${this.database}.${TRANSACTIONS} (${COLUMN_LIST}) FORMAT TabSeparated`, w.bytes());
        await this.ch.insert(`INSERT INTO ${this.database}.${TXN_INDEX} (${INDEX_COLUMN_LIST}) FORMAT TabSeparated`, x.bytes());
        w.reset();
        x.reset();
      };
      let rows = 0;
      for (let i = first; i < records.length; i++) {
        const r = records[i]!;
        writeRow(w, r);
        writeIndexRow(x, r);
        if (++rows === this.insertRows) {
          await flush();
          rows = 0;
        }
      }
      if (rows > 0) await flush();
      // The commit point: only once every row above is on the server.
      await this.ch.insert(`INSERT INTO ${this.database}.${OFFSETS} (log_partition, committed) FORMAT TabSeparated`, Buffer.from(`${String(partition)}\t${String(to)}\n`));
    } catch (err) {
      throw asWarehouseError(`append to partition ${String(partition)}`, err);
    } finally {
      this.writer.reset();
      this.indexWriter.reset();
    }
    this.offsets.set(partition, to);
  }

  async storeTransactions(tenant: string, storeId: string, fromMs: number, toMs: number, page: PageRequest): Promise<Page<WarehouseRecord>> {
    this.checkOpen();
    checkTenant(tenant);
    checkText('storeId', storeId);
    checkInteger('fromMs', fromMs, -Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
    checkInteger('toMs', toMs, -Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
    checkInteger('limit', page.limit, 1, MAX_PAGE_LIMIT);
    const key = page.cursor === undefined || page.cursor === null ? null : decodeCursor(page.cursor);
    const lower = Math.max(fromMs, key?.ts ?? fromMs, this.floorMs);
    const visible = this.visibleSql();
    if (lower >= toMs || visible === null) return { items: [], nextCursor: null };
    const where = [`tenant = ${sqlString(tenant)}`, `store_id = ${sqlString(storeId)}`, `ts >= ${String(lower)}`, `ts < ${String(toMs)}`, visible];
    if (key !== null) {
      // Strictly after the cursor row in (ts, txn_id, log_partition, log_offset) order.
      const [ts, txn, p, o] = [String(key.ts), sqlString(key.txnId), String(key.partition), String(key.offset)];
      where.push(`(ts > ${ts} OR (ts = ${ts} AND (txn_id > ${txn} OR (txn_id = ${txn} AND (log_partition > ${p} OR (log_partition = ${p} AND log_offset > ${o}))))))`);
    }
    const items = await this.select(
      `SELECT ${COLUMN_LIST} FROM ${this.database}.${TRANSACTIONS} WHERE ${where.join(' AND ')} ` +
        `ORDER BY ts, txn_id, log_partition, log_offset LIMIT 1 BY log_partition, log_offset LIMIT ${String(page.limit + 1)}`,
    );
    if (items.length <= page.limit) return { items, nextCursor: null };
    items.length = page.limit;
    const last = items[page.limit - 1]!;
    return { items, nextCursor: encodeCursor({ ts: last.ts, txnId: last.txn_id, partition: last.log_partition, offset: last.log_offset }) };
  }

  async findTransaction(tenant: string, txnId: string): Promise<WarehouseRecord[]> {
    this.checkOpen();
    checkTenant(tenant);
    checkText('txnId', txnId);
    const visible = this.visibleSql();
    if (visible === null) return [];
    const t = sqlString(tenant);
    const id = sqlString(txnId);
    // The index says which stores (and times) hold the id: the rows table is then read in
    // one primary-key range per store instead of a scan of the tenant's txn_id column.
    const where = `tenant = ${t} AND txn_id = ${id} AND ts >= ${String(this.floorMs)} AND ${visible}`;
    let body: Buffer;
    try {
      body = await this.ch.query(`SELECT store_id, min(ts), max(ts) FROM ${this.database}.${TXN_INDEX} WHERE ${where} GROUP BY store_id FORMAT TabSeparated`);
    } catch (err) {
      throw asWarehouseError('warehouse query', err);
    }
    const stores: string[] = [];
    let minTs = Number.MAX_SAFE_INTEGER;
    let maxTs = -1;
    forEachTsvRow(body, 3, (f) => {
      stores.push(sqlString(readText(body, f[0]!)));
      minTs = Math.min(minTs, readInt(body, f[1]!));
      maxTs = Math.max(maxTs, readInt(body, f[2]!));
    });
    if (stores.length === 0) return [];
    return this.select(
      `SELECT ${COLUMN_LIST} FROM ${this.database}.${TRANSACTIONS} ` +
        `WHERE store_id IN (${stores.join(', ')}) AND ts >= ${String(minTs)} AND ts <= ${String(maxTs)} AND ${where} ` +
        `ORDER BY log_partition, log_offset LIMIT 1 BY log_partition, log_offset`,
    );
  }

  /**
   * `OPTIMIZE … FINAL` of every (tenant, month) partition that has more
   * than one part: one part per partition, and rows written twice by a
   * replay stored once.
   */
  async compact(): Promise<CompactionResult> {
    this.checkOpen();
    return this.compactLock.run(async () => {
      try {
        const before = await this.partsByPartition();
        const merged = [...before].filter(([, n]) => n > 1).map(([id]) => id);
        for (const id of merged) {
          if (this.closing) break;
          // OPTIMIZE does nothing (and says nothing) while a background merge holds some of the
          // partition's parts; that merge ends soon, so try again a few times.
          for (let attempt = 0; attempt < OPTIMIZE_ATTEMPTS; attempt++) {
            if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 200 * attempt));
            await this.ch.query(`OPTIMIZE TABLE ${this.database}.${TRANSACTIONS} PARTITION ID ${sqlString(id)} FINAL`, { timeoutMs: this.timeoutMs * 10 });
            if ((await this.partsByPartition(id)).get(id) === 1) break;
          }
        }
        await this.optimizeIndex();
        for (const t of [OFFSETS, RETENTION]) await this.ch.query(`OPTIMIZE TABLE ${this.database}.${t} FINAL`);
        const after = await this.partsByPartition();
        return {
          merged: merged.length,
          unitsWritten: merged.reduce((n, id) => n + (after.get(id) ?? 0), 0),
          unitsRemoved: merged.reduce((n, id) => n + (before.get(id) ?? 0), 0),
        };
      } catch (err) {
        throw asWarehouseError('compaction', err);
      }
    });
  }

  /**
   * Deletes every UTC day that ended at least `maxAgeDays` days before
   * `nowMs`: the retention floor rises to the start of the first kept day,
   * so reads stop showing older rows at once, and (tenant, month)
   * partitions wholly below it are dropped. Rows below the floor in a month
   * that is partly kept stay on disk, unseen, until the whole month is
   * below the floor: deleting them now would be a mutation, and on 18.16 a
   * mutation rewrites every part of the table.
   * @example await wh.applyRetention(400, Date.now()); // { deletedDays: 3, deletedRows: 1204332, freedBytes: 26498012 }
   */
  async applyRetention(maxAgeDays: number, nowMs: number): Promise<WarehouseRetentionResult> {
    this.checkOpen();
    checkInteger('maxAgeDays', maxAgeDays, 0, 1_000_000);
    checkInteger('nowMs', nowMs, 0, Number.MAX_SAFE_INTEGER);
    const floor = Math.floor((nowMs - maxAgeDays * DAY_MS) / DAY_MS) * DAY_MS;
    return this.appendLock.run(async () => {
      const result: WarehouseRetentionResult = { deletedDays: 0, deletedRows: 0, freedBytes: 0 };
      if (floor <= this.floorMs) return result;
      try {
        const visible = this.visibleSql();
        if (visible !== null) {
          const body = await this.ch.query(
            `SELECT uniqExact(tenant, intDiv(ts, ${String(DAY_MS)})), uniqExact(log_partition, log_offset) FROM ${this.database}.${TRANSACTIONS} ` +
              `WHERE ts >= ${String(this.floorMs)} AND ts < ${String(floor)} AND ${visible} FORMAT TabSeparated`,
          );
          forEachTsvRow(body, 2, (f) => {
            result.deletedDays = readInt(body, f[0]!);
            result.deletedRows = readInt(body, f[1]!);
          });
        }
        await this.ch.insert(`INSERT INTO ${this.database}.${RETENTION} (id, floor_ms) FORMAT TabSeparated`, Buffer.from(`0\t${String(floor)}\n`));
        this.floorMs = floor;
        const parts = await this.ch.query(
          `SELECT partition_id, partition, sum(bytes_on_disk) FROM system.parts WHERE database = ${sqlString(this.database)} AND table = '${TRANSACTIONS}' AND active ` +
            `GROUP BY partition_id, partition FORMAT TabSeparated`,
        );
        const drop: string[] = [];
        forEachTsvRow(parts, 3, (f) => {
          // `partition` prints as ('acme',202602): the month ends at the start of the next one.
          const m = /,(\d{4})(\d{2})\)$/.exec(readText(parts, f[1]!));
          if (m === null) return;
          const monthEnd = Date.UTC(Number(m[1]), Number(m[2]), 1);
          if (monthEnd > floor) return;
          drop.push(readText(parts, f[0]!));
          result.freedBytes += readInt(parts, f[2]!);
        });
        for (const id of drop) {
          await this.ch.query(`ALTER TABLE ${this.database}.${TRANSACTIONS} DROP PARTITION ID ${sqlString(id)}`);
          // Same partition expression, so the same id names the same (tenant, month) there.
          await this.ch.query(`ALTER TABLE ${this.database}.${TXN_INDEX} DROP PARTITION ID ${sqlString(id)}`);
        }
      } catch (err) {
        throw asWarehouseError('retention', err);
      }
      return result;
    });
  }

  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    await this.appendLock.idle();
    await this.compactLock.idle();
    await this.ch.close();
  }

  /** One part per partition of the receipt index too (best effort: it holds no row the port returns). */
  private async optimizeIndex(): Promise<void> {
    for (const [id, n] of await this.partsByPartition(undefined, TXN_INDEX)) {
      if (n > 1 && !this.closing) await this.ch.query(`OPTIMIZE TABLE ${this.database}.${TXN_INDEX} PARTITION ID ${sqlString(id)} FINAL`, { timeoutMs: this.timeoutMs * 10 });
    }
  }

  /** Active parts per partition id of the rows table (or `table`). */
  private async partsByPartition(only?: string, table = TRANSACTIONS): Promise<Map<string, number>> {
    const one = only === undefined ? '' : ` AND partition_id = ${sqlString(only)}`;
    const body = await this.ch.query(
      `SELECT partition_id, count() FROM system.parts WHERE database = ${sqlString(this.database)} AND table = '${table}' AND active${one} GROUP BY partition_id FORMAT TabSeparated`,
    );
    const out = new Map<string, number>();
    forEachTsvRow(body, 2, (f) => out.set(readText(body, f[0]!), readInt(body, f[1]!)));
    return out;
  }

  /**
   * The condition that a row is committed: its offset is below the
   * committed offset of its partition (rows of a partition never committed
   * map to 0). `null` when nothing is committed, so nothing is visible.
   */
  private visibleSql(): string | null {
    if (this.offsets.size === 0) return null;
    const ps: string[] = [];
    const cs: string[] = [];
    for (const [p, c] of this.offsets) {
      ps.push(String(p));
      cs.push(String(c));
    }
    return `log_offset < transform(log_partition, CAST([${ps.join(',')}] AS Array(UInt32)), CAST([${cs.join(',')}] AS Array(UInt64)), toUInt64(0))`;
  }

  private async select(sql: string): Promise<WarehouseRecord[]> {
    let body: Buffer;
    try {
      body = await this.ch.query(`${sql} FORMAT TabSeparated`);
    } catch (err) {
      throw asWarehouseError('warehouse query', err);
    }
    const out: WarehouseRecord[] = [];
    const source = `${this.database}.${TRANSACTIONS}`;
    forEachTsvRow(body, COLUMN_COUNT, (f) => out.push(recordOfRow(body, f, source)));
    return out;
  }

  private checkOpen(): void {
    if (this.closing) throw new WarehouseClosedError();
  }
}

function asWarehouseError(op: string, err: unknown): WarehouseError {
  return err instanceof WarehouseError ? err : new WarehouseIoError(op, err);
}
