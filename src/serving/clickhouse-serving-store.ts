/**
 * ClickHouseServingStore: the `SharedServingStore` port on a ClickHouse
 * server over its HTTP interface (the warehouse's client and TabSeparated
 * code). Tables in clickhouse-serving-schema.ts; visibility in
 * commit-chain.ts.
 *
 * Exactly once without transactions or insert de-duplication (ClickHouse
 * 18.16 has neither for a plain MergeTree): a batch's rows are inserted
 * first, tagged with (partition, epoch, from, to), and a commit row after
 * them. Reads sum only rows of committed batches on each partition's epoch
 * chain. So a crash, a failed insert or a fenced-out owner between the two
 * inserts leaves rows nobody sees; the next owner claims the partition at
 * the chain's end and writes those records again under its own, newer
 * epoch. A writer never retries an insert under the same epoch: after any
 * failure it must claim the partition again, with a new lease.
 *
 * Queries fetch the committed sums of the tenant's quarter hours around the
 * asked range (grouped by store, quarter, tender, brand and currency in SQL)
 * into a `TenantRollups` built for the query, and answer with the same
 * query code as the in-memory store, so time zones, DST days, +05:30 and
 * business-day cut-offs come out identical.
 */
import type { Store } from '../domain/store.js';
import { DAY_MS, QUARTER_MS } from '../domain/time-buckets.js';
import { ClickHouseHttp, ClickHouseHttpError } from '../warehouse/clickhouse-http.js';
import type { ClickHouseConnection } from '../warehouse/clickhouse-http.js';
import { TsvWriter, forEachTsvRow, readInt, readText, sqlString } from '../warehouse/clickhouse-tsv.js';
import { COMMITS, ROWS, ROW_COLUMN_LIST, STORES, SUM_COLUMNS, servingSchemaSql, writeRollupRow } from './clickhouse-serving-schema.js';
import { partitionChain, type EpochCommits, type PartitionChain, type VisibleRange } from './commit-chain.js';
import { runSeries, runTop, type SeriesGroup, type SeriesQuery, type TopQuery, type TopRow } from './series-query.js';
import { ServingClosedError, ServingCorruptError, ServingError, ServingFencedError, ServingInvalidArgumentError, ServingIoError } from './serving-errors.js';
import type { FencedRollupBatch, SharedServingStore } from './shared-serving-store.js';
import { dimsOf, TenantRollups, type TenantSettings } from './tenant-rollups.js';

export interface ClickHouseServingOptions {
  /** Base URL of the HTTP interface, e.g. 'http://127.0.0.1:8123' (unless `connection` is given). */
  url?: string;
  /** Database of the serving tables; created if missing. 1-63 of `[A-Za-z0-9_]`, not starting with a digit. */
  database: string;
  user?: string;
  password?: string;
  connection?: ClickHouseConnection;
  /** Rows per INSERT request (default 100,000). */
  insertRows?: number;
  /** Timeout of one request (default 60 s). */
  timeoutMs?: number;
}

const OPTION_KEYS = ['url', 'database', 'user', 'password', 'connection', 'insertRows', 'timeoutMs'] as const;
export const DATABASE_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;
/**
 * Quarter hours fetched around a query's range: bucket names are local wall
 * clock (±14 h from UTC) and a business day starts up to 24 h after local
 * midnight, so two days each side hold every row any bucket can take.
 */
const PAD_MS = 2 * DAY_MS;
/** A query's rollups keep every quarter hour they are given (the database keeps them all). */
const QUERY_HOT_DAYS = 36_600;
/** Rows staged into a query's rollups before a flush (bounds its staging maps). */
const STAGE_ROWS = 8192;

interface Claimed {
  epoch: number;
  next: number;
}

export class ClickHouseServingStore implements SharedServingStore {
  private closed = false;
  private readonly tenants = new Map<string, TenantSettings>();
  private readonly registry = new Map<string, Map<string, Store>>();
  private readonly claimed = new Map<number, Claimed>();
  /** JSON of each store description this instance wrote, by tenant and id: a store is written again only when it changes. */
  private readonly written = new Map<string, string>();
  private storeVersion = 0;

  private constructor(
    readonly database: string,
    private readonly ch: ClickHouseConnection,
    private readonly insertRows: number,
  ) {}

  /**
   * Connects and creates the database and tables if missing.
   * @example
   * const serving = await ClickHouseServingStore.open({ url: 'http://127.0.0.1:8123', database: 'tpay' });
   */
  static async open(options: ClickHouseServingOptions): Promise<ClickHouseServingStore> {
    for (const key of Object.keys(options)) {
      if (!(OPTION_KEYS as readonly string[]).includes(key)) throw new ServingInvalidArgumentError(`unknown ClickHouseServingStore option '${key}' (known: ${OPTION_KEYS.join(', ')})`);
    }
    const { database, url, connection, insertRows = 100_000, timeoutMs = 60_000 } = options;
    if (typeof database !== 'string' || !DATABASE_NAME.test(database)) {
      throw new ServingInvalidArgumentError(`ClickHouseServingStore option database is ${JSON.stringify(database)}; expected 1-63 of [A-Za-z0-9_] not starting with a digit`);
    }
    checkInteger('insertRows', insertRows, 1, 10_000_000);
    checkInteger('timeoutMs', timeoutMs, 1, 86_400_000);
    if (connection === undefined && url === undefined) throw new ServingInvalidArgumentError('ClickHouseServingStore needs either url or connection');
    let ch: ClickHouseConnection;
    try {
      ch = connection ?? new ClickHouseHttp({ url: url!, user: options.user, password: options.password, timeoutMs });
    } catch (err) {
      throw new ServingInvalidArgumentError(`ClickHouseServingStore option url is ${JSON.stringify(url)}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
    try {
      await ch.query(`CREATE DATABASE IF NOT EXISTS ${database}`);
      for (const sql of servingSchemaSql(database)) await ch.query(sql);
    } catch (err) {
      await ch.close();
      throw asServingError(`opening the ClickHouse serving store ${database}`, err);
    }
    return new ClickHouseServingStore(database, ch, insertRows);
  }

  async claim(partition: number, epoch: number): Promise<number> {
    this.checkOpen();
    checkInteger('partition', partition, 0, 2 ** 31 - 1);
    checkInteger('epoch', epoch, 1, Number.MAX_SAFE_INTEGER);
    this.claimed.delete(partition);
    const chain = await this.chain(partition);
    if (chain.lastEpoch >= epoch) throw new ServingFencedError(partition, epoch, chain.lastEpoch);
    await this.commitRow(partition, epoch, chain.end, chain.end, 'claim');
    this.claimed.set(partition, { epoch, next: chain.end });
    return chain.end;
  }

  async appliedOffset(partition: number): Promise<number> {
    this.checkOpen();
    checkInteger('partition', partition, 0, 2 ** 31 - 1);
    return (await this.chain(partition)).end;
  }

  async apply(batch: FencedRollupBatch): Promise<void> {
    this.checkOpen();
    const { partition, epoch, fromOffset, endOffset, deltas } = batch;
    const c = this.claimed.get(partition);
    if (c === undefined || c.epoch !== epoch) {
      throw new ServingInvalidArgumentError(`partition ${String(partition)} is not claimed by epoch ${String(epoch)} here${c === undefined ? '' : ` (claimed by ${String(c.epoch)})`}`);
    }
    if (fromOffset !== c.next || !Number.isSafeInteger(endOffset) || endOffset < fromOffset) {
      throw new ServingInvalidArgumentError(`partition ${String(partition)}: batch [${String(fromOffset)}, ${String(endOffset)}) does not continue at ${String(c.next)}`);
    }
    // Whatever fails below, this epoch writes no more: a retry under it could count a batch twice.
    this.claimed.delete(partition);
    if (endOffset === fromOffset) {
      this.claimed.set(partition, c);
      return;
    }
    await this.writeStores(deltas);
    // One buffer per call: the partitions of a worker apply concurrently.
    const w = new TsvWriter(Math.min(1 << 20, 256 + deltas.length * 256));
    try {
      let rows = 0;
      for (const d of deltas) {
        writeRollupRow(w, d, partition, epoch, fromOffset, endOffset);
        if (++rows === this.insertRows) {
          await this.ch.insert(`INSERT INTO ${this.database}.${ROWS} (${ROW_COLUMN_LIST}) FORMAT TabSeparated`, w.bytes());
          w.reset();
          rows = 0;
        }
      }
      if (rows > 0) await this.ch.insert(`INSERT INTO ${this.database}.${ROWS} (${ROW_COLUMN_LIST}) FORMAT TabSeparated`, w.bytes());
    } catch (err) {
      throw asServingError(`inserting the rollups of partition ${String(partition)} [${String(fromOffset)}, ${String(endOffset)})`, err);
    }
    // The commit point: only once every row above is on the server.
    await this.commitRow(partition, epoch, fromOffset, endOffset, 'commit');
    this.claimed.set(partition, { epoch, next: endOffset });
  }

  setTenant(tenant: string, settings: TenantSettings): void {
    this.tenants.set(tenant, settings);
  }

  settings(tenant: string): TenantSettings | undefined {
    return this.tenants.get(tenant);
  }

  upsertStores(tenant: string, stores: readonly Store[]): void {
    let m = this.registry.get(tenant);
    if (m === undefined) this.registry.set(tenant, (m = new Map()));
    for (const s of stores) m.set(s.store_id, s);
  }

  async stores(tenant: string): Promise<Store[]> {
    this.checkOpen();
    const byId = new Map<string, Store>();
    for (const s of await this.storedStores(tenant)) byId.set(s.store_id, s);
    for (const s of this.registry.get(tenant)?.values() ?? []) byId.set(s.store_id, s);
    return [...byId.values()];
  }

  async series(tenant: string, q: SeriesQuery): Promise<SeriesGroup[]> {
    return runSeries(await this.rollupsFor(tenant, q.from, q.to), q);
  }

  async top(tenant: string, q: TopQuery): Promise<TopRow[]> {
    return runTop(await this.rollupsFor(tenant, q.from, q.to), q);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.ch.close();
  }

  /** The tenant's committed sums around [from, to) (bucket names), in rollups of their own. */
  private async rollupsFor(tenant: string, from: number, to: number): Promise<TenantRollups> {
    this.checkOpen();
    const settings = this.tenants.get(tenant);
    if (settings === undefined) throw new ServingInvalidArgumentError(`tenant '${tenant}' has no serving state: it was never set up`);
    const t = new TenantRollups(tenant, settings, QUERY_HOT_DAYS);
    for (const s of await this.stores(tenant)) t.upsertStore(s);
    const ranges = await this.visible();
    if (ranges.length === 0 || !Number.isFinite(from) || !Number.isFinite(to)) return t;
    const q0 = Math.floor((from - PAD_MS) / QUARTER_MS);
    const q1 = Math.ceil((to + PAD_MS) / QUARTER_MS);
    const sums = SUM_COLUMNS.map((c) => `sum(${c})`).join(', ');
    const body = await this.query(
      `SELECT store_id, quarter, tender, card_brand, currency, ${sums} FROM ${this.database}.${ROWS} ` +
        `WHERE tenant = ${sqlString(tenant)} AND quarter >= ${String(q0)} AND quarter < ${String(q1)} AND (${visibleSql(ranges)}) ` +
        `GROUP BY store_id, quarter, tender, card_brand, currency FORMAT TabSeparated`,
      `reading the rollups of tenant '${tenant}'`,
    );
    const rep = new Float64Array(12);
    const orig = new Float64Array(7);
    let staged = 0;
    forEachTsvRow(body, 5 + SUM_COLUMNS.length, (f) => {
      const id = readText(body, f[0]!);
      const s = t.storeById(id);
      if (s === undefined) throw new ServingCorruptError(`rollups of tenant '${tenant}' name store '${id}', which has no description in ${this.database}.${STORES}`);
      const quarter = readInt(body, f[1]!);
      const brand = readText(body, f[3]!);
      for (let i = 0; i < 12; i++) rep[i] = readInt(body, f[5 + i]!);
      for (let i = 0; i < 7; i++) orig[i] = readInt(body, f[17 + i]!);
      t.stage(s, quarter, dimsOf(readText(body, f[2]!), brand === '' ? null : brand, readText(body, f[4]!)), rep, orig);
      if (++staged % STAGE_ROWS === 0) t.flush();
    });
    t.flush();
    return t;
  }

  /**
   * The batches reads count, every partition's (commit-chain.ts): for
   * checks that sum the rollup rows in SQL, beside the query path, with
   * `visibleSql(ranges)`.
   * @example const where = visibleSql(await serving.visibleRanges());
   */
  async visibleRanges(): Promise<VisibleRange[]> {
    this.checkOpen();
    return this.visible();
  }

  /** Every partition's visible ranges. */
  private async visible(): Promise<VisibleRange[]> {
    const chains = await this.chains(null);
    return [...chains.values()].flatMap((c) => c.ranges);
  }

  private async chain(partition: number): Promise<PartitionChain> {
    return (await this.chains(partition)).get(partition) ?? { ranges: [], end: 0, lastEpoch: 0, needDetails: [] };
  }

  /** The chains of one partition or all, from per-epoch summaries (and the commits of fenced-out tails). */
  private async chains(partition: number | null): Promise<Map<number, PartitionChain>> {
    const where = partition === null ? '' : ` WHERE log_partition = ${String(partition)}`;
    const body = await this.query(
      `SELECT log_partition, epoch, min(from_offset), max(to_offset), sum(to_offset - from_offset) ` +
        `FROM (SELECT DISTINCT log_partition, epoch, from_offset, to_offset FROM ${this.database}.${COMMITS}${where}) ` +
        `GROUP BY log_partition, epoch FORMAT TabSeparated`,
      'reading the commits',
    );
    const byPartition = new Map<number, EpochCommits[]>();
    forEachTsvRow(body, 5, (f) => {
      const [p, epoch, start, end, covered] = [0, 1, 2, 3, 4].map((i) => readInt(body, f[i]!)) as [number, number, number, number, number];
      if (![p, epoch, start, end, covered].every(Number.isSafeInteger)) throw new ServingCorruptError(`commit summary row ${body.toString('utf8', f[0]!.start, f[4]!.end)}`);
      let list = byPartition.get(p);
      if (list === undefined) byPartition.set(p, (list = []));
      list.push({ epoch, start, end, covered });
    });
    const out = new Map<number, PartitionChain>();
    for (const [p, epochs] of byPartition) {
      let chain = partitionChain(p, epochs);
      if (chain.needDetails.length > 0) {
        for (const e of epochs) if (chain.needDetails.includes(e.epoch)) e.details = await this.commitsOf(p, e.epoch);
        chain = partitionChain(p, epochs);
      }
      out.set(p, chain);
    }
    return out;
  }

  private async commitsOf(partition: number, epoch: number): Promise<[number, number][]> {
    const body = await this.query(
      `SELECT DISTINCT from_offset, to_offset FROM ${this.database}.${COMMITS} WHERE log_partition = ${String(partition)} AND epoch = ${String(epoch)} ORDER BY from_offset FORMAT TabSeparated`,
      `reading the commits of partition ${String(partition)}`,
    );
    const out: [number, number][] = [];
    forEachTsvRow(body, 2, (f) => out.push([readInt(body, f[0]!), readInt(body, f[1]!)]));
    return out;
  }

  private async commitRow(partition: number, epoch: number, from: number, to: number, what: string): Promise<void> {
    try {
      await this.ch.insert(
        `INSERT INTO ${this.database}.${COMMITS} (log_partition, epoch, from_offset, to_offset, at_ms) FORMAT TabSeparated`,
        Buffer.from(`${String(partition)}\t${String(epoch)}\t${String(from)}\t${String(to)}\t${String(Date.now())}\n`),
      );
    } catch (err) {
      throw asServingError(`${what} of partition ${String(partition)} [${String(from)}, ${String(to)}) under epoch ${String(epoch)}`, err);
    }
  }

  /** Descriptions of the batch's stores this instance has not written as they are now. */
  private async writeStores(deltas: FencedRollupBatch['deltas']): Promise<void> {
    const w = new TsvWriter(1 << 12);
    const fresh: [string, string][] = [];
    for (const d of deltas) {
      const key = `${d.tenant}\u0000${d.store.store_id}`;
      const json = JSON.stringify(d.store);
      if (this.written.get(key) === json || fresh.some(([k, j]) => k === key && j === json)) continue;
      fresh.push([key, json]);
      // Milliseconds times 1000 plus a counter: a later description of a store wins over an earlier one, across writers.
      const version = Date.now() * 1000 + (this.storeVersion++ % 1000);
      w.text(d.tenant);
      w.tab();
      w.text(d.store.store_id);
      w.tab();
      w.int(version);
      w.tab();
      w.text(json);
      w.newline();
    }
    if (fresh.length === 0) return;
    try {
      await this.ch.insert(`INSERT INTO ${this.database}.${STORES} (tenant, store_id, version, store) FORMAT TabSeparated`, w.bytes());
    } catch (err) {
      throw asServingError('writing store descriptions', err);
    }
    for (const [k, j] of fresh) this.written.set(k, j);
  }

  private async storedStores(tenant: string): Promise<Store[]> {
    const body = await this.query(
      `SELECT argMax(store, version) FROM ${this.database}.${STORES} WHERE tenant = ${sqlString(tenant)} GROUP BY store_id ORDER BY store_id FORMAT TabSeparated`,
      `reading the stores of tenant '${tenant}'`,
    );
    const out: Store[] = [];
    forEachTsvRow(body, 1, (f) => out.push(JSON.parse(readText(body, f[0]!)) as Store));
    return out;
  }

  private async query(sql: string, what: string): Promise<Buffer> {
    try {
      return await this.ch.query(sql);
    } catch (err) {
      throw asServingError(what, err);
    }
  }

  private checkOpen(): void {
    if (this.closed) throw new ServingClosedError();
  }
}

/** The WHERE term that keeps rows of visible batches only. */
export function visibleSql(ranges: readonly VisibleRange[]): string {
  return ranges
    .map((r) => `(log_partition = ${String(r.partition)} AND epoch = ${String(r.epoch)} AND from_offset >= ${String(r.from)} AND from_offset < ${String(r.to)})`)
    .join(' OR ');
}

function checkInteger(key: string, v: number, min: number, max: number): void {
  if (!Number.isSafeInteger(v) || v < min || v > max) {
    throw new ServingInvalidArgumentError(`ClickHouseServingStore ${key} is ${String(v)}; expected an integer from ${String(min)} to ${String(max)}`);
  }
}

function asServingError(what: string, err: unknown): ServingError {
  if (err instanceof ServingError) return err;
  const text = err instanceof ClickHouseHttpError || err instanceof Error ? err.message : String(err);
  return new ServingIoError(`${what}: ${text}`, { cause: err });
}
