/**
 * The peer of the query benchmark: DuckDB (in process, all cores) over the
 * same rollup rows (store × quarter hour × tender/brand/currency), loaded
 * from CSV into a table, answering the same dashboard queries in SQL.
 * Queries run one at a time; the figure is the median of `runs` runs.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { latLngToCell } from 'h3-js';
import { QUARTER_MS } from '../src/domain/time-buckets.js';
import { ZoneOffsets } from '../src/domain/zone-offsets.js';
import type { World } from '../src/firehose/world.js';
import { DuckDBInstance } from '@duckdb/node-api';
import type { BenchRow } from './query-data.js';
import type { BenchQuery } from './query-mix.js';

const SUMS = ['g', 'rf', 'vd', 'tax_s', 'tax_r', 'tax_v', 'ds', 'sc', 'rc', 'vc', 'items_s', 'items_r'];
const ORIG = ['og', 'orf', 'ovd', 'ots', 'otr', 'otv', 'ods'];

function stamp(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
}

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
  loadS: number;
  perQueryMs: number[];
}

/**
 * Writes rollup rows as the peer's CSV while they are generated (the rows
 * never pile up in memory).
 */
export class PeerCsv {
  private readonly fd: number;
  private buf = '';
  private readonly attrs: { s: World['tenants'][number]['stores'][number]; zone: ZoneOffsets; h3: string }[];
  private readonly ny = ZoneOffsets.of('America/New_York');
  rows = 0;

  constructor(
    world: World,
    readonly path: string,
  ) {
    this.attrs = world.tenants[0]!.stores.map((st) => ({ s: st, zone: ZoneOffsets.of(st.timezone), h3: latLngToCell(st.lat, st.lon, 3) }));
    this.fd = openSync(path, 'w');
    const header = ['store_id', 'country', 'region', 'city', 'lat', 'lon', 'h3_3', 'utc_ts', 'local_ts', 'ny_ts', 'tender', 'brand', 'currency', ...SUMS, ...ORIG];
    this.buf = `${header.join(',')}\n`;
  }

  add(r: BenchRow): void {
    const a = this.attrs[r.store]!;
    const ms = r.quarter * QUARTER_MS;
    const sums: number[] = [];
    for (let i = 0; i < SUMS.length; i++) sums.push(r.rep[i]!);
    for (let i = 0; i < ORIG.length; i++) sums.push(r.orig[i]!);
    this.buf += `${[a.s.store_id, a.s.country, a.s.region, `"${a.s.city}"`, a.s.lat, a.s.lon, a.h3, stamp(ms), stamp(a.zone.toLocal(ms)), stamp(this.ny.toLocal(ms)), r.tender, r.brand ?? '', r.currency, ...sums].join(',')}\n`;
    this.rows++;
    if (this.buf.length > 1 << 20) this.flush();
  }

  private flush(): void {
    writeSync(this.fd, this.buf);
    this.buf = '';
  }

  close(): void {
    this.flush();
    closeSync(this.fd);
  }
}

/** Loads the CSV into DuckDB and times each query of `mix` (median of `runs`). */
export async function runPeer(csv: string, mix: readonly BenchQuery[], runs: number): Promise<PeerResult> {
  const t0 = performance.now();
  const db = await DuckDBInstance.create(':memory:');
  const conn = await db.connect();
  await conn.run(`CREATE TABLE rollups AS SELECT * FROM read_csv('${csv}', header = true, auto_detect = true)`);
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
  return { loadS, perQueryMs };
}
