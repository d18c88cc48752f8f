/**
 * The peer of the query benchmark: DuckDB (in process, all cores) over the
 * same rollup rows (store × quarter hour × tender/brand/currency) of every
 * store, in a database file of its own (its compressed columns, read
 * through its buffer pool), answering the same dashboard queries in SQL.
 * Queries run one at a time; the figure is the median of `runs` runs.
 */
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { latLngToCell } from 'h3-js';
import { QUARTER_MS } from '../src/domain/time-buckets.js';
import { ZoneOffsets } from '../src/domain/zone-offsets.js';
import type { World } from '../src/firehose/world.js';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import type { BenchRow } from './query-data.js';
import type { BenchQuery } from './query-mix.js';

const SUMS = ['g', 'rf', 'vd', 'tax_s', 'tax_r', 'tax_v', 'ds', 'sc', 'rc', 'vc', 'items_s', 'items_r'];
const ORIG = ['og', 'orf', 'ovd', 'ots', 'otr', 'otv', 'ods'];

/** SQL for one benchmark query, from its parameters. */
export function toSql(q: BenchQuery): string {
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
      `2 * 6371.0088 * asin(sqrt(pow(sin(radians(lat - ${String(lat)}) / 2), 2) + cos(radians(${String(lat)})) * cos(radians(lat)) * pow(sin(radians(lon - ${String(lon)}) / 2), 2))) <= ${String(km)}`,
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
  const sums = SUMS.map((c, i) => `sum(${original && i < 7 ? ORIG[i]! : c}) AS ${c}`).join(', ');
  if (q.req.path.startsWith('/v1/top')) {
    const by = s('by') === 'city' ? 'country, city' : 'store_id';
    where.push(`${col} >= TIMESTAMP '${from}' AND ${col} < TIMESTAMP '${to}'`);
    const metric = s('metric') === 'avg_basket' ? '(sum(g) - sum(rf) - sum(vd)) / nullif(sum(sc), 0)' : 'sum(g) - sum(rf) - sum(vd)';
    return `SELECT ${by}, ${sums}, ${metric} AS m FROM rollups WHERE ${where.join(' AND ')} GROUP BY ${by} ORDER BY m DESC NULLS LAST LIMIT ${s('limit') ?? '10'}`;
  }
  const g = s('granularity') ?? 'day';
  const bucket = g === '15m' ? `time_bucket(INTERVAL 15 MINUTE, ${col})` : `date_trunc('${g === 'hour' ? 'hour' : g}', ${col})`;
  where.push(`${bucket} >= TIMESTAMP '${from}' AND ${bucket} < TIMESTAMP '${to}'`);
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

/** Rows per CSV chunk handed to DuckDB while the data is generated (about 200 MB of text). */
const CHUNK_ROWS = 1_000_000;

/**
 * Loads rollup rows into the peer's DuckDB database file while they are
 * generated: every row the serving store is given. Rows go out in CSV
 * chunks of a million, each inserted (while the next is generated) and
 * deleted, so neither the rows nor the text pile up in memory or on disk;
 * DuckDB's own file holds its compressed columns. Rows stay in time order,
 * as a fact table fills, so DuckDB's zone maps on the time columns hold.
 */
export class PeerLoader {
  private buf: string[] = [];
  private readonly attrs: { head: string; zone: ZoneOffsets }[];
  private readonly ny = ZoneOffsets.of('America/New_York');
  private chunks = 0;
  private inserting: Promise<void> = Promise.resolve();
  rows = 0;

  private constructor(
    private readonly conn: DuckDBConnection,
    private readonly db: DuckDBInstance,
    world: World,
    private readonly dir: string,
  ) {
    this.attrs = world.tenants[0]!.stores.map((st) => ({
      head: `${st.store_id},${st.country},${st.region},"${st.city.replaceAll('"', '""')}",${String(st.lat)},${String(st.lon)},${latLngToCell(st.lat, st.lon, 3)}`,
      zone: ZoneOffsets.of(st.timezone),
    }));
  }

  /** A new database at `path`; chunks are written in `dir`. */
  static async create(world: World, path: string, dir: string): Promise<PeerLoader> {
    const db = await DuckDBInstance.create(path, { memory_limit: '2GB' });
    const conn = await db.connect();
    const sums = [...SUMS, ...ORIG].map((c) => `${c} BIGINT`).join(', ');
    await conn.run(`CREATE TABLE rollups (store_id VARCHAR, country VARCHAR, region VARCHAR, city VARCHAR, lat DOUBLE, lon DOUBLE, h3_3 VARCHAR, utc_ts TIMESTAMP, local_ts TIMESTAMP, ny_ts TIMESTAMP, tender VARCHAR, brand VARCHAR, currency VARCHAR, ${sums})`);
    return new PeerLoader(conn, db, world, dir);
  }

  add(r: BenchRow): void {
    const a = this.attrs[r.store]!;
    const ms = r.quarter * QUARTER_MS;
    let line = `${a.head},${String(r.quarter)},${String(a.zone.offsetMinutes(ms))},${String(this.ny.offsetMinutes(ms))},${r.tender},${r.brand ?? ''},${r.currency}`;
    for (let i = 0; i < SUMS.length; i++) line += `,${String(r.rep[i])}`;
    for (let i = 0; i < ORIG.length; i++) line += `,${String(r.orig[i])}`;
    this.buf.push(line);
    this.rows++;
  }

  /** Starts inserting the rows added so far when they make a chunk (or when `all`), once the previous chunk is in. */
  async drain(all = false): Promise<void> {
    if (this.buf.length === 0 || (!all && this.buf.length < CHUNK_ROWS)) return;
    const file = join(this.dir, `peer-chunk-${String(this.chunks++)}.csv`);
    writeFileSync(file, `${this.buf.join('\n')}\n`);
    this.buf = [];
    await this.inserting;
    const columns = ['store_id VARCHAR', 'country VARCHAR', 'region VARCHAR', 'city VARCHAR', 'lat DOUBLE', 'lon DOUBLE', 'h3_3 VARCHAR', 'q BIGINT', 'lo INTEGER', 'ny INTEGER', 'tender VARCHAR', 'brand VARCHAR', 'currency VARCHAR', ...[...SUMS, ...ORIG].map((c) => `${c} BIGINT`)];
    const spec = columns.map((c) => c.split(' ')).map(([n, t]) => `'${n!}': '${t!}'`).join(', ');
    const at = (offset: string): string => `make_timestamp((q * 900 + ${offset} * 60) * 1000000)`;
    this.inserting = this.conn
      .run(
        `INSERT INTO rollups SELECT store_id, country, region, city, lat, lon, h3_3, make_timestamp(q * 900000000), ${at('lo')}, ${at('ny')}, tender, brand, currency, ${[...SUMS, ...ORIG].join(', ')} ` +
          `FROM read_csv('${file}', header = false, quote = '"', columns = {${spec}})`,
      )
      .then(() => rmSync(file));
  }

  async close(): Promise<void> {
    await this.drain(true);
    await this.inserting;
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
