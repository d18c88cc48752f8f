/**
 * ParquetWarehouse: the embedded `Warehouse` adapter. Rows live in Parquet
 * files partitioned Hive-style by tenant and UTC date of `ts`, written and
 * read with an in-process DuckDB; `_manifest.json` says which files and
 * which log offsets are committed (see docs/warehouse.md).
 *
 * Write path (one append): rows go into a DuckDB staging table in data
 * chunks, one `COPY … ORDER BY store_id, ts` per tenant/date writes
 * `_<name>.parquet.tmp`, the index goes to `_<name>.idx.tmp`, both are
 * fsynced, then the manifest is replaced (the commit), then the temp files
 * are renamed into place. Read path: the in-memory index picks the files
 * (file-index.ts, store-page-plan.ts), DuckDB reads only those.
 */
import { mkdir, rename, stat } from 'node:fs/promises';
import { ConnectionPool } from './connection-pool.js';
import { createDuckDB, sqlString } from './duckdb-subset.js';
import type { DuckDBConnectionLike, DuckDBInstanceLike } from './duckdb-subset.js';
import { WarehouseClosedError, WarehouseCorruptError, WarehouseError, WarehouseIoError, WarehouseOffsetGapError } from './errors.js';
import { buildFileIndex, mergeFileIndexes, serializeFileIndex } from './file-index.js';
import type { FileIndex } from './file-index.js';
import { Mutex } from './mutex.js';
import { groupByDay } from './parquet-batch.js';
import type { DayGroup } from './parquet-batch.js';
import { FILE_ORDER, fileSelect, stageRecords, stagingTableSql } from './parquet-columns.js';
import { FileSet } from './parquet-file-set.js';
import type { DataFile } from './parquet-file-set.js';
import { fileList, makeDayDir, rebuildIndex, removeEmptyDirs, removeTemps } from './parquet-files.js';
import { ParquetReader } from './parquet-reader.js';
import { DAY_MS, batchFileName, dateStartMs, filePaths, mergedFileName } from './parquet-layout.js';
import type { FilePaths } from './parquet-layout.js';
import { fsyncDir, fsyncFile } from '../util/atomic-file.js';
import { publishManifest, readManifest, stageManifest } from './parquet-manifest.js';
import type { Manifest } from './parquet-manifest.js';
import { loadIndex, recoverFiles, unlinkIfExists } from './parquet-recovery.js';
import { writeDurably } from '../util/atomic-file.js';
import { checkInteger, resolveOptions } from './parquet-warehouse-options.js';
import type { ParquetWarehouseOptions, ResolvedOptions } from './parquet-warehouse-options.js';
import type { CompactionResult, Page, PageRequest, Warehouse, WarehouseRecord, WarehouseRetentionResult } from './warehouse.js';
import { WarehouseLock } from './warehouse-lock.js';

export type { ParquetWarehouseOptions } from './parquet-warehouse-options.js';

const STAGING = 'warehouse_staging';

interface Change {
  add: DataFile[];
  remove: DataFile[];
  offset?: [number, number];
  mergeSeq?: number;
}

const yieldToLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export class ParquetWarehouse implements Warehouse {
  private closing = false;
  /** Set when a commit failed after its commit point: memory and disk may differ until reopened. */
  private failure: unknown = null;
  private readonly appendLock = new Mutex();
  private readonly commitLock = new Mutex();
  private readonly compactLock = new Mutex();
  private readonly reader: ParquetReader;

  private constructor(
    readonly dir: string,
    private readonly files: FileSet,
    private offsets: ReadonlyMap<number, number>,
    private mergeSeq: number,
    /** DuckDB instances this warehouse created and closes. */
    private readonly owned: readonly DuckDBInstanceLike[],
    private readonly writer: DuckDBConnectionLike,
    private readonly compactor: DuckDBConnectionLike,
    private readonly pool: ConnectionPool,
    private readonly lock: WarehouseLock,
    private readonly opts: ResolvedOptions,
  ) {
    this.reader = new ParquetReader(dir, files, pool);
  }

  /**
   * Open (creating if needed) the warehouse in `dir`: takes the directory
   * lock, finishes or discards whatever a crash left, loads the indexes.
   * @example
   * const wh = await ParquetWarehouse.open('/var/lib/tpay/warehouse', { threads: 2 });
   * wh.committedOffset(0); // where the feeder resumes partition 0
   */
  static async open(dir: string, options: ParquetWarehouseOptions = {}): Promise<ParquetWarehouse> {
    const opts = resolveOptions(options);
    await mkdir(dir, { recursive: true });
    const lock = await WarehouseLock.acquire(dir);
    const owned: DuckDBInstanceLike[] = [];
    const opened: DuckDBConnectionLike[] = [];
    const connect = async (db: DuckDBInstanceLike): Promise<DuckDBConnectionLike> => {
      const c = await db.connect();
      opened.push(c);
      // Footers are parsed once per file, not once per query. A session
      // setting, hence set on every connection.
      await c.run('SET parquet_metadata_cache = true');
      return c;
    };
    const instance = async (threads: number | undefined): Promise<DuckDBInstanceLike> => {
      if (opts.duckdb !== undefined) return opts.duckdb;
      const db = await createDuckDB({ threads, memoryLimit: opts.memoryLimit });
      owned.push(db);
      return db;
    };
    try {
      const manifest = await readManifest(dir);
      await recoverFiles(dir, manifest);
      // Writes and queries get instances of their own so each has its own thread count.
      const writeDb = await instance(opts.threads);
      const queryDb = await instance(opts.queryThreads);
      const writer = await connect(writeDb);
      const compactor = await connect(writeDb);
      const readers: DuckDBConnectionLike[] = [];
      for (let i = 0; i < opts.queryConnections; i++) readers.push(await connect(queryDb));
      const files = new FileSet(manifest.generation);
      for (const f of manifest.files) {
        const paths = filePaths(dir, f.tenant, f.date, f.name);
        const index = await loadIndex(paths, f.rows, () => rebuildIndex(compactor, paths.parquet));
        files.add({ ...f, paths, index });
      }
      return new ParquetWarehouse(dir, files, manifest.offsets, manifest.mergeSeq, owned, writer, compactor, new ConnectionPool(readers), lock, opts);
    } catch (err) {
      for (const c of opened) c.closeSync();
      for (const db of owned) db.closeSync();
      await lock.release();
      throw err instanceof WarehouseError ? err : new WarehouseIoError(`opening warehouse ${dir}`, err);
    }
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
    this.checkHealthy();
    const committed = this.offsets.get(partition) ?? 0;
    if (to <= committed) return;
    if (from > committed) throw new WarehouseOffsetGapError(partition, from, committed);
    const groups = groupByDay(records, partition, committed, to);
    const name = batchFileName(partition, committed, to);
    const added: DataFile[] = [];
    let staged = false;
    try {
      if (groups.length > 0) {
        staged = true;
        await this.stage(groups);
        for (let g = 0; g < groups.length; g++) {
          const { tenant, date, rows } = groups[g]!;
          const paths = filePaths(this.dir, tenant, date, name);
          await makeDayDir(this.dir, paths);
          await this.writer.run(
            `COPY (SELECT ${fileSelect(tenant, partition)} FROM ${STAGING} WHERE grp = ${String(g)} ORDER BY ${FILE_ORDER}) TO ${sqlString(paths.parquetTmp)} ${this.copyOptions()}`,
          );
          const index = buildFileIndex(
            rows.map((r) => r.store_id),
            rows.map((r) => r.txn_id),
            rows.map((r) => r.ts),
          );
          added.push(await this.sealFile(tenant, date, name, paths, index));
          await yieldToLoop();
        }
      }
      await this.commit(() => ({ add: added, remove: [], offset: [partition, to] }));
    } catch (err) {
      if (this.failure === null) for (const f of added) await removeTemps(f.paths);
      throw asWarehouseError(`append to partition ${String(partition)}`, err);
    } finally {
      // Dropped, not emptied: DuckDB keeps the memory of deleted rows (measured ~12 MB per 50,000-row append).
      if (staged) await this.writer.run(`DROP TABLE IF EXISTS ${STAGING}`);
    }
  }

  /** Rows into the staging table, tagged with their group; yields to the event loop between chunks. */
  private async stage(groups: readonly DayGroup[]): Promise<void> {
    await this.writer.run(stagingTableSql(STAGING));
    const a = await this.writer.createAppender(STAGING);
    try {
      await stageRecords(
        a,
        groups.map((g) => g.rows),
        yieldToLoop,
      );
    } finally {
      a.closeSync();
    }
  }

  /** fsync a freshly written temp data file, write and fsync its index, and describe it. */
  private async sealFile(tenant: string, date: string, name: string, paths: FilePaths, index: FileIndex): Promise<DataFile> {
    await writeDurably(paths.indexTmp, serializeFileIndex(index));
    await fsyncFile(paths.parquetTmp);
    // The temp names must survive a power loss: the manifest will point at them.
    await fsyncDir(paths.dir);
    const bytes = (await stat(paths.parquetTmp)).size;
    return { tenant, date, name, rows: index.rows, bytes, paths, index };
  }

  private copyOptions(): string {
    return `(FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE ${String(this.opts.rowGroupRows)})`;
  }

  /**
   * The one way state changes: `plan` (run under the commit lock, so it sees
   * the latest state) says what to add and remove; the manifest is replaced;
   * new files are renamed into place; memory follows. Returns false if the
   * plan was dropped because files it removes are already gone.
   */
  private async commit(plan: () => Change | null): Promise<boolean> {
    const done = await this.commitLock.run(async () => {
      this.checkHealthy();
      const change = plan();
      if (change === null || !this.files.hasAll(change.remove)) return false;
      const offsets = new Map(this.offsets);
      if (change.offset !== undefined) offsets.set(change.offset[0], change.offset[1]);
      const removed = new Set(change.remove);
      const next: Manifest = {
        generation: this.files.generation + 1,
        mergeSeq: change.mergeSeq ?? this.mergeSeq,
        offsets,
        files: [...this.files.all().filter((f) => !removed.has(f)), ...change.add],
      };
      await stageManifest(this.dir, next);
      try {
        await publishManifest(this.dir);
        // Committed. A lost rename is redone on open (parquet-recovery.ts).
        for (const f of change.add) {
          await rename(f.paths.parquetTmp, f.paths.parquet);
          await rename(f.paths.indexTmp, f.paths.index);
        }
      } catch (err) {
        this.failure = err;
        throw err;
      }
      this.offsets = offsets;
      this.mergeSeq = next.mergeSeq;
      this.files.generation = next.generation;
      for (const f of change.add) this.files.add(f);
      this.files.retire(change.remove, next.generation);
      return true;
    });
    await this.reap();
    return done;
  }

  /** Delete retired files no running query can still read. Failures leave orphans that the next open removes. */
  private async reap(): Promise<void> {
    for (const f of this.files.takeReapable()) {
      try {
        await unlinkIfExists(f.paths.parquet);
        await unlinkIfExists(f.paths.index);
      } catch {
        // Not fatal: the file is out of the manifest.
      }
    }
  }

  async storeTransactions(tenant: string, storeId: string, fromMs: number, toMs: number, page: PageRequest): Promise<Page<WarehouseRecord>> {
    this.checkOpen();
    try {
      return await this.reader.storeTransactions(tenant, storeId, fromMs, toMs, page);
    } finally {
      await this.reap();
    }
  }

  async findTransaction(tenant: string, txnId: string): Promise<WarehouseRecord[]> {
    this.checkOpen();
    try {
      return await this.reader.findTransaction(tenant, txnId);
    } finally {
      await this.reap();
    }
  }

  /**
   * Merge the files of every tenant/date that has at least `compactMinFiles`
   * of them into one file sorted by store and time. Readers see either the
   * old files or the new one, never both: the manifest switches atomically
   * and old files are deleted only after queries that planned on them end.
   */
  async compact(): Promise<CompactionResult> {
    this.checkOpen();
    return this.compactLock.run(async () => {
      const result: CompactionResult = { merged: 0, unitsWritten: 0, unitsRemoved: 0 };
      const days = [...this.files.days()].filter((d) => d.files.length >= this.opts.compactMinFiles).map((d) => ({ ...d, files: [...d.files] }));
      for (const day of days) {
        if (this.closing) break;
        this.checkHealthy();
        const seq = this.mergeSeq + 1;
        const name = mergedFileName(seq);
        const paths = filePaths(this.dir, day.tenant, day.date, name);
        let merged: DataFile;
        try {
          await this.compactor.run(
            `COPY (SELECT * FROM ${fileList(day.files)} ORDER BY ${FILE_ORDER}) TO ${sqlString(paths.parquetTmp)} ${this.copyOptions()}`,
          );
          merged = await this.sealFile(day.tenant, day.date, name, paths, mergeFileIndexes(day.files.map((f) => f.index)));
          await this.checkRowCount(paths.parquetTmp, merged.rows);
          const committed = await this.commit(() => ({ add: [merged], remove: day.files, mergeSeq: seq }));
          if (!committed) {
            await removeTemps(paths);
            continue;
          }
        } catch (err) {
          if (this.failure === null) await removeTemps(paths);
          throw asWarehouseError(`compacting tenant ${day.tenant} date ${day.date}`, err);
        }
        result.merged++;
        result.unitsWritten++;
        result.unitsRemoved += day.files.length;
      }
      return result;
    });
  }

  /** A merged file must hold exactly the rows of the files it replaces. */
  private async checkRowCount(path: string, rows: number): Promise<void> {
    const got = (await this.compactor.runAndReadAll(`SELECT count(*)::DOUBLE FROM ${fileList([path])}`)).getRowsJS()[0]?.[0];
    if (got !== rows) throw new WarehouseCorruptError(`merged file has ${String(got)} rows, expected ${String(rows)}`, path);
  }

  /**
   * Delete every tenant/date whose whole UTC day is older than `maxAgeDays`
   * days before `nowMs` (a day is kept while any of it is younger).
   * @example await wh.applyRetention(400, Date.now()); // { deletedDays: 3, deletedRows: 1204332, freedBytes: 26498012 }
   */
  async applyRetention(maxAgeDays: number, nowMs: number): Promise<WarehouseRetentionResult> {
    this.checkOpen();
    checkInteger('maxAgeDays', maxAgeDays, 0, 1_000_000);
    checkInteger('nowMs', nowMs, 0, Number.MAX_SAFE_INTEGER);
    const cutoff = nowMs - maxAgeDays * DAY_MS;
    // Under the append lock, so no append creates a file in a directory being removed.
    return this.appendLock.run(async () => {
      let removed: DataFile[] = [];
      try {
        await this.commit(() => {
          removed = this.files.all().filter((f) => dateStartMs(f.date) + DAY_MS <= cutoff);
          return removed.length === 0 ? null : { add: [], remove: removed };
        });
      } catch (err) {
        throw asWarehouseError('retention', err);
      }
      await removeEmptyDirs(this.dir, removed);
      return {
        deletedDays: new Set(removed.map((f) => `${f.tenant}/${f.date}`)).size,
        deletedRows: removed.reduce((n, f) => n + f.rows, 0),
        freedBytes: removed.reduce((n, f) => n + f.bytes, 0),
      };
    });
  }

  /** Committed files, rows and Parquet bytes (for metrics and benchmarks). */
  stats(): { files: number; rows: number; bytes: number; indexBytesInMemory: number } {
    let files = 0;
    let rows = 0;
    let bytes = 0;
    let mem = 0;
    for (const f of this.files.all()) {
      files++;
      rows += f.rows;
      bytes += f.bytes;
      mem += f.index.hashes.byteLength + f.index.hashStores.byteLength + f.index.storeRows.byteLength * 5;
    }
    return { files, rows, bytes, indexBytesInMemory: mem };
  }

  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    await this.appendLock.idle();
    await this.compactLock.idle();
    await this.commitLock.idle();
    await this.pool.close();
    await this.reap();
    this.writer.closeSync();
    this.compactor.closeSync();
    for (const db of this.owned) db.closeSync();
    await this.lock.release();
  }

  private checkOpen(): void {
    if (this.closing) throw new WarehouseClosedError();
  }

  private checkHealthy(): void {
    if (this.failure !== null) throw new WarehouseIoError('an earlier commit failed after its commit point; reopen the warehouse', this.failure);
  }
}

function asWarehouseError(op: string, err: unknown): WarehouseError {
  return err instanceof WarehouseError ? err : new WarehouseIoError(op, err);
}

