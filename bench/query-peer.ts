/**
 * The peer of the query benchmark: DuckDB (in process, all cores) over the
 * same rollup rows (store × quarter hour × tender/brand/currency) of every
 * store, in a database file of its own (its compressed columns, read
 * through its buffer pool), answering the same dashboard queries in SQL.
 * Queries run one at a time; the figure is the median of `runs` runs.
 */
import { latLngToCell } from 'h3-js';
import { QUARTER_MS } from '../src/domain/time-buckets.js';
import { ZoneOffsets } from '../src/domain/zone-offsets.js';
import type { World } from '../src/firehose/world.js';
import { DOUBLE, DuckDBDataChunk, DuckDBInstance, INTEGER, type DuckDBAppender, type DuckDBConnection, type DuckDBVector } from '@duckdb/node-api';
import { CHUNK_ROWS } from '../src/warehouse/duckdb-subset.js';
import type { BenchRow } from './query-data.js';
import type { BenchQuery } from './query-mix.js';

export const SUMS = ['g', 'rf', 'vd', 'tax_s', 'tax_r', 'tax_v', 'ds', 'sc', 'rc', 'vc', 'items_s', 'items_r'];
export const ORIG = ['og', 'orf', 'ovd', 'ots', 'otr', 'otv', 'ods'];

/** What differs between the peers' SQL: time buckets, literals, the great-circle distance. */
export interface SqlDialect {
  /** The bucket of `col` (a UTC-naive timestamp column) at a benchmark granularity. */
  bucket(granularity: string, col: string): string;
  /** A timestamp literal from `YYYY-MM-DD hh:mm:ss`. */
  timestamp(text: string): string;
  /** Degrees to radians. */
  radians(x: string): string;
  /** Division that is NULL when the divisor is 0. */
  nullIf(x: string): string;
  /** What follows `ORDER BY m DESC` so stores without sales come last. */
  nullsLast: string;
  /** The name a sum column's total takes (ClickHouse's aliases are global: a total cannot take its column's name). */
  total(column: string): string;
}

export const DUCKDB_SQL: SqlDialect = {
  bucket: (g, col) => (g === '15m' ? `time_bucket(INTERVAL 15 MINUTE, ${col})` : `date_trunc('${g === 'hour' ? 'hour' : g}', ${col})`),
  timestamp: (t) => `TIMESTAMP '${t}'`,
  radians: (x) => `radians(${x})`,
  nullIf: (x) => `nullif(${x}, 0)`,
  nullsLast: ' NULLS LAST',
  total: (c) => c,
};

/** SQL for one benchmark query, from its parameters. */
export function toSql(q: BenchQuery, dialect: SqlDialect = DUCKDB_SQL): string {
  const url = new URL(`http://x${q.req.path}`);
  const p: Record<string, unknown> = Object.fromEntries(url.searchParams.entries());
  if (q.req.body !== undefined) Object.assign(p, JSON.parse(q.req.body) as Record<string, unknown>);
  const s = (k: string): string | undefined => (p[k] === undefined ? undefined : String(p[k]));
  const tz = s('tz') ?? 'store';
  const col = tz === 'store' ? 'local_ts' : tz === 'UTC' ? 'utc_ts' : 'ny_ts';
  const where: string[] = [];
  const bbox = s('bbox');
  if (bbox !== undefined) {
    const [w, so, e, n] = bbox.split(',').map(Number) as [number, number, number, number];
    where.push(`lat BETWEEN ${String(so)} AND ${String(n)} AND lon BETWEEN ${String(w)} AND ${String(e)}`);
  }
  if (s('radius_km') !== undefined) {
    const [lat, lon, km] = [Number(s('lat')), Number(s('lon')), Number(s('radius_km'))];
    where.push(
      `2 * 6371.0088 * asin(sqrt(pow(sin(${dialect.radians(`lat - ${String(lat)}`)} / 2), 2) + cos(${dialect.radians(String(lat))}) * cos(${dialect.radians('lat')}) * pow(sin(${dialect.radians(`lon - ${String(lon)}`)} / 2), 2))) <= ${String(km)}`,
    );
  }
  const poly = p['polygon'] as { coordinates: number[][][] } | undefined;
  if (poly !== undefined) {
    // The benchmark's polygons are axis-aligned rectangles: inside the outer one, outside the hole.
    const box = (ring: number[][]): string => {
      const xs = ring.map((c) => c[0]!);
      const ys = ring.map((c) => c[1]!);
      return `(lon BETWEEN ${String(Math.min(...xs))} AND ${String(Math.max(...xs))} AND lat BETWEEN ${String(Math.min(...ys))} AND ${String(Math.max(...ys))})`;
    };
    where.push(`${box(poly.coordinates[0]!)} AND NOT ${box(poly.coordinates[1]!)}`);
  }
  const list = (k: string, column: string): void => {
    const v = s(k);
    if (v !== undefined) where.push(`${column} IN (${v.split(',').map((x) => `'${x.replaceAll("'", "''")}'`).join(', ')})`);
  };
  list('countries', 'country');
  list('cities', 'city');
  list('stores', 'store_id');
  const from = `${s('from')!} 00:00:00`;
  const to = `${s('to')!} 00:00:00`;
  const original = s('currency') === 'original';
  const sums = SUMS.map((c, i) => `sum(${original && i < 7 ? ORIG[i]! : c}) AS ${dialect.total(c)}`).join(', ');
  if (q.req.path.startsWith('/v1/top')) {
    const by = s('by') === 'city' ? 'country, city' : 'store_id';
    where.push(`${col} >= ${dialect.timestamp(from)} AND ${col} < ${dialect.timestamp(to)}`);
    const metric = s('metric') === 'avg_basket' ? `(sum(g) - sum(rf) - sum(vd)) / ${dialect.nullIf('sum(sc)')}` : 'sum(g) - sum(rf) - sum(vd)';
    return `SELECT ${by}, ${sums}, ${metric} AS m FROM rollups WHERE ${where.join(' AND ')} GROUP BY ${by} ORDER BY m DESC${dialect.nullsLast} LIMIT ${s('limit') ?? '10'}`;
  }
  const g = s('granularity') ?? 'day';
  const bucket = dialect.bucket(g, col);
  where.push(`${bucket} >= ${dialect.timestamp(from)} AND ${bucket} < ${dialect.timestamp(to)}`);
  const groups = (s('group_by') ?? '')
    .split(',')
    .filter((x) => x !== '')
    .map((x) => (x === 'h3:3' ? 'h3_3' : x === 'card_brand' ? 'brand' : x === 'city' ? 'country, city' : x));
  const keys = ['b', ...groups].join(', ');
  return `SELECT ${bucket} AS b${groups.length > 0 ? `, ${groups.join(', ')}` : ''}, ${sums} FROM rollups WHERE ${where.join(' AND ')} GROUP BY ${keys} ORDER BY ${keys}`;
}

export interface PeerResult {
  /** Opening the database file. */
  loadS: number;
  perQueryMs: number[];
  /** Rows in the peer's table. */
  rows: number;
}

/** Columns of the staging table: store, quarter hour, tender/brand and currency (indexes), the store's and New York's UTC offsets (minutes), then the sums (DOUBLE: exact integers below 2^53). */
const STAGE_INTS = ['s', 'q', 'tb', 'cur', 'lo', 'ny'];
const STAGE_COLUMNS = [...STAGE_INTS, ...SUMS, ...ORIG];
const STAGE_TYPES = STAGE_COLUMNS.map((_, i) => (i < STAGE_INTS.length ? INTEGER : DOUBLE));

/**
 * Loads rollup rows into the peer's DuckDB database file while they are
 * generated: every row the serving store is given. Rows go through DuckDB's
 * appender a data chunk (2,048 rows) at a time as typed columns, store and
 * dimensions as small integers, into a narrow staging table; at the end one
 * `CREATE TABLE … AS SELECT` joins the store attributes on (in DuckDB, on
 * all its threads) and computes the time columns, so no text is made or
 * parsed per row. (The CSV chunks this replaced took about 90 minutes for
 * 5,000 stores × 365 days, formatting and parsing 30 GB of text.) The
 * table is written in time order, as a fact table fills, so DuckDB's zone
 * maps on the time columns hold.
 */
export class PeerLoader {
  private readonly chunk = DuckDBDataChunk.create(STAGE_TYPES, CHUNK_ROWS);
  private readonly vectors: DuckDBVector[];
  private n = 0;
  /** tender → brand ('' for none) → index into `combos`. */
  private readonly comboIndex = new Map<string, Map<string, number>>();
  private readonly combos: [string, string | null][] = [];
  private readonly currencyIndex = new Map<string, number>();
  private readonly zones: ZoneOffsets[];
  private readonly ny = ZoneOffsets.of('America/New_York');
  rows = 0;

  private constructor(
    private readonly conn: DuckDBConnection,
    private readonly db: DuckDBInstance,
    private readonly appender: DuckDBAppender,
    private readonly world: World,
  ) {
    this.vectors = STAGE_COLUMNS.map((_, i) => this.chunk.getColumnVector(i));
    this.zones = world.tenants[0]!.stores.map((st) => ZoneOffsets.of(st.timezone));
  }

  /** A new database at `path`. */
  static async create(world: World, path: string): Promise<PeerLoader> {
    const db = await DuckDBInstance.create(path, { memory_limit: '2GB' });
    const conn = await db.connect();
    await conn.run(`CREATE TABLE stage (${STAGE_COLUMNS.map((c, i) => `${c} ${i < STAGE_INTS.length ? 'INTEGER' : 'DOUBLE'}`).join(', ')})`);
    return new PeerLoader(conn, db, await conn.createAppender('stage'), world);
  }

  add(r: BenchRow): void {
    let brands = this.comboIndex.get(r.tender);
    if (brands === undefined) this.comboIndex.set(r.tender, (brands = new Map()));
    let tb = brands.get(r.brand ?? '');
    if (tb === undefined) {
      tb = this.combos.push([r.tender, r.brand]) - 1;
      brands.set(r.brand ?? '', tb);
    }
    let cur = this.currencyIndex.get(r.currency);
    if (cur === undefined) this.currencyIndex.set(r.currency, (cur = this.currencyIndex.size));
    const ms = r.quarter * QUARTER_MS;
    const v = this.vectors;
    const i = this.n;
    v[0]!.setItem(i, r.store);
    v[1]!.setItem(i, r.quarter);
    v[2]!.setItem(i, tb);
    v[3]!.setItem(i, cur);
    v[4]!.setItem(i, this.zones[r.store]!.offsetMinutes(ms));
    v[5]!.setItem(i, this.ny.offsetMinutes(ms));
    const at = STAGE_INTS.length;
    for (let k = 0; k < SUMS.length; k++) v[at + k]!.setItem(i, r.rep[k]!);
    for (let k = 0; k < ORIG.length; k++) v[at + SUMS.length + k]!.setItem(i, r.orig[k]!);
    this.rows++;
    if (++this.n === CHUNK_ROWS) this.flushChunk();
  }

  /** Hands the rows added so far to the appender (which copies them), and starts the chunk again. */
  private flushChunk(): void {
    if (this.n === 0) return;
    for (const x of this.vectors) x.flush();
    this.chunk.rowCount = this.n;
    this.appender.appendDataChunk(this.chunk);
    this.chunk.rowCount = CHUNK_ROWS;
    this.n = 0;
  }

  /** The appender takes rows as they come: nothing waits between days. */
  drain(): Promise<void> {
    return Promise.resolve();
  }

  async close(): Promise<void> {
    this.flushChunk();
    this.appender.closeSync();
    const stores = this.world.tenants[0]!.stores;
    const q = (s: string | null): string => (s === null ? 'NULL' : `'${s.replaceAll("'", "''")}'`);
    await this.conn.run('CREATE TABLE store_dim (s INTEGER, store_id VARCHAR, country VARCHAR, region VARCHAR, city VARCHAR, lat DOUBLE, lon DOUBLE, h3_3 VARCHAR)');
    for (let at = 0; at < stores.length; at += 500) {
      const values = stores.slice(at, at + 500).map((st, k) => `(${String(at + k)}, ${q(st.store_id)}, ${q(st.country)}, ${q(st.region)}, ${q(st.city)}, ${String(st.lat)}, ${String(st.lon)}, ${q(latLngToCell(st.lat, st.lon, 3))})`);
      await this.conn.run(`INSERT INTO store_dim VALUES ${values.join(', ')}`);
    }
    await this.conn.run(`CREATE TABLE combo_dim AS SELECT * FROM (VALUES ${this.combos.map(([t, b], i) => `(${String(i)}, ${q(t)}, ${q(b)})`).join(', ')}) v(tb, tender, brand)`);
    await this.conn.run(`CREATE TABLE currency_dim AS SELECT * FROM (VALUES ${[...this.currencyIndex].map(([c, i]) => `(${String(i)}, ${q(c)})`).join(', ')}) v(cur, currency)`);
    const sums = [...SUMS, ...ORIG].map((c) => `CAST(r.${c} AS BIGINT) AS ${c}`).join(', ');
    const at = (offset: string): string => `make_timestamp((r.q * 900 + ${offset} * 60) * 1000000::BIGINT)`;
    // The stage holds rows in time order; the join's threads each take whole row groups of it, so the table stays in time order but for their interleaving.
    await this.conn.run(
      `CREATE TABLE rollups AS SELECT d.store_id, d.country, d.region, d.city, d.lat, d.lon, d.h3_3, ${at('0')} AS utc_ts, ${at('r.lo')} AS local_ts, ${at('r.ny')} AS ny_ts, ` +
        `c.tender, c.brand, u.currency, ${sums} ` +
        'FROM stage r JOIN store_dim d ON d.s = r.s JOIN combo_dim c ON c.tb = r.tb JOIN currency_dim u ON u.cur = r.cur',
    );
    await this.conn.run('DROP TABLE stage');
    await this.conn.run('CHECKPOINT');
    this.conn.closeSync();
    this.db.closeSync();
  }
}

/** Opens the peer's database and times each query of `mix` (median of `runs`). */
export async function runPeer(path: string, mix: readonly BenchQuery[], runs: number): Promise<PeerResult> {
  const t0 = performance.now();
  const db = await DuckDBInstance.create(path, { access_mode: 'READ_ONLY', memory_limit: '4GB' });
  const conn = await db.connect();
  const rows = Number((await conn.runAndReadAll('SELECT count(*) FROM rollups')).getRows()[0]![0]);
  const loadS = (performance.now() - t0) / 1000;
  const perQueryMs: number[] = [];
  for (const q of mix) {
    const sql = toSql(q);
    const times: number[] = [];
    for (let i = 0; i < runs + 1; i++) {
      const t = performance.now();
      await conn.runAndReadAll(sql);
      if (i > 0) times.push(performance.now() - t); // the first run warms caches
    }
    times.sort((x, y) => x - y);
    perQueryMs.push(times[times.length >> 1]!);
  }
  conn.closeSync();
  db.closeSync();
  return { loadS, perQueryMs, rows };
}
