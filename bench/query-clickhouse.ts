/**
 * The second peer of the query benchmark: ClickHouse (Debian's 18.16 here,
 * a server of its own on 127.0.0.1 with its data kept under --dir) over
 * exactly the rows the DuckDB peer holds — every rollup row of every store —
 * in a MergeTree table partitioned by month and sorted by time and store,
 * answering the same dashboard queries (toSql with ClickHouse's dialect)
 * over its HTTP interface, one at a time.
 *
 * Checked before timing: the row count and the totals of gross sales and
 * sale counts equal DuckDB's.
 *
 * The rows move from DuckDB's file to ClickHouse without JavaScript touching
 * a row: DuckDB writes CSV into a named pipe on its own threads, and the
 * pipe is streamed as the body of one `INSERT … FORMAT CSV`. A table that
 * already holds the DuckDB peer's row count is reused.
 */
import { execFileSync } from 'node:child_process';
import { createReadStream, existsSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { DuckDBInstance } from '@duckdb/node-api';
import { clickHouseBinary, startClickHouse, type ClickHouseServer } from '../test/support/clickhouse-server.js';
import { ORIG, SUMS, toSql, type PeerResult, type SqlDialect } from './query-peer.js';
import type { BenchQuery } from './query-mix.js';

export const CLICKHOUSE_SQL: SqlDialect = {
  bucket: (g, col) =>
    g === '15m' ? `toStartOfFifteenMinutes(${col})` : g === 'hour' ? `toStartOfHour(${col})` : g === 'day' ? `toStartOfDay(${col})` : g === 'week' ? `toDateTime(toMonday(${col}))` : `toDateTime(toStartOfMonth(${col}))`,
  timestamp: (t) => `toDateTime('${t}')`,
  radians: (x) => `((${x}) * pi() / 180)`,
  nullIf: (x) => `nullIf(${x}, 0)`,
  nullsLast: ' NULLS LAST',
  total: (c) => `t_${c}`,
};

const TEXT = ['store_id', 'country', 'region', 'city'];
const TIMES = ['utc_ts', 'local_ts', 'ny_ts'];
const DIMS = ['tender', 'brand', 'currency'];
const SUM_COLUMNS = [...SUMS, ...ORIG];

function ddl(db: string): string {
  const cols = [...TEXT.map((c) => `${c} String`), 'lat Float64', 'lon Float64', 'h3_3 String', ...TIMES.map((c) => `${c} DateTime`), ...DIMS.map((c) => `${c} String`), ...SUM_COLUMNS.map((c) => `${c} Int64`)];
  return `CREATE TABLE ${db}.rollups (${cols.join(', ')}) ENGINE = MergeTree() PARTITION BY toYYYYMM(utc_ts) ORDER BY (utc_ts, store_id)`;
}

/** The DuckDB peer's rows in the ClickHouse table's column order, as CSV text (NULL brand or region as ''). */
function exportSql(): string {
  const cols = [
    ...TEXT.map((c) => `coalesce(${c}, '')`),
    'lat',
    'lon',
    "coalesce(h3_3, '')",
    ...TIMES.map((c) => `strftime(${c}, '%Y-%m-%d %H:%M:%S')`),
    ...DIMS.map((c) => `coalesce(${c}, '')`),
    ...SUM_COLUMNS,
  ];
  return `SELECT ${cols.join(', ')} FROM rollups`;
}

async function query(server: ClickHouseServer, sql: string): Promise<string> {
  const res = await fetch(`${server.url}/`, { method: 'POST', body: sql });
  const text = await res.text();
  if (!res.ok) throw new Error(`ClickHouse answered ${String(res.status)} to ${sql.slice(0, 200)}: ${text.slice(0, 500)}`);
  return text;
}

/** Streams `file` (a named pipe) as the body of `sql`. */
async function insertFrom(server: ClickHouseServer, sql: string, file: string): Promise<void> {
  const url = new URL(`${server.url}/?query=${encodeURIComponent(sql)}`);
  await new Promise<void>((resolve, reject) => {
    const req = request(url, { method: 'POST', headers: { 'transfer-encoding': 'chunked' } }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`ClickHouse refused the insert (${String(res.statusCode)}): ${body.slice(0, 500)}`))));
    });
    req.on('error', reject);
    pipeline(createReadStream(file), req).catch(reject);
  });
}

export interface ClickHousePeer {
  rows: number;
  /** Seconds to copy the rows in (0 when the table was there already). */
  loadS: number;
  run(mix: readonly BenchQuery[], runs: number): Promise<PeerResult>;
  close(): Promise<void>;
}

/** Null when clickhouse-server is not installed (the benchmark then prints no ClickHouse row). */
export async function openClickHousePeer(dir: string, duckdbPath: string, expectRows: number): Promise<ClickHousePeer | null> {
  const binary = clickHouseBinary();
  if (binary === null) return null;
  const server = await startClickHouse(binary, { dir: join(dir, 'clickhouse') });
  const db = 'bench_peer';
  try {
    await query(server, `CREATE DATABASE IF NOT EXISTS ${db}`);
    const count = async (): Promise<number> => Number((await query(server, `SELECT count() FROM ${db}.rollups`).catch(() => '-1')).trim());
    let loadS = 0;
    if ((await count()) !== expectRows) {
      await query(server, `DROP TABLE IF EXISTS ${db}.rollups`);
      await query(server, ddl(db));
      const fifo = join(dir, 'clickhouse-peer.fifo');
      if (existsSync(fifo)) rmSync(fifo);
      execFileSync('mkfifo', [fifo]);
      const t0 = performance.now();
      const duck = await DuckDBInstance.create(duckdbPath, { access_mode: 'READ_ONLY', memory_limit: '2GB' });
      const conn = await duck.connect();
      try {
        // The reader first: DuckDB's open of the pipe waits for it.
        const inserted = insertFrom(server, `INSERT INTO ${db}.rollups FORMAT CSV`, fifo);
        await conn.run(`COPY (${exportSql()}) TO '${fifo}' (FORMAT CSV, HEADER false)`);
        await inserted;
      } finally {
        conn.closeSync();
        duck.closeSync();
        rmSync(fifo, { force: true });
      }
      await query(server, `OPTIMIZE TABLE ${db}.rollups FINAL`);
      loadS = (performance.now() - t0) / 1000;
    }
    const rows = await count();
    if (rows !== expectRows) throw new Error(`ClickHouse holds ${String(rows)} rows, the DuckDB peer ${String(expectRows)}`);
    // The same rows, not just as many: the totals of two sums agree with DuckDB's to the unit.
    const duck = await DuckDBInstance.create(duckdbPath, { access_mode: 'READ_ONLY', memory_limit: '2GB' });
    const conn = await duck.connect();
    const want = (await conn.runAndReadAll('SELECT sum(g)::VARCHAR, sum(sc)::VARCHAR FROM rollups')).getRows()[0]!.map(String).join('\t');
    conn.closeSync();
    duck.closeSync();
    const got = (await query(server, `SELECT toString(sum(g)), toString(sum(sc)) FROM ${db}.rollups FORMAT TabSeparated`)).trim();
    if (got !== want) throw new Error(`ClickHouse's totals (gross, sales) ${got} differ from DuckDB's ${want}`);
    return {
      rows,
      loadS,
      async run(mix, runs) {
        const t0 = performance.now();
        await query(server, `SELECT count() FROM ${db}.rollups`);
        const perQueryMs: number[] = [];
        for (const q of mix) {
          // The database's default: the table name unqualified, as the DuckDB SQL has it.
          const sql = toSql(q, CLICKHOUSE_SQL).replace(' FROM rollups ', ` FROM ${db}.rollups `);
          const times: number[] = [];
          for (let i = 0; i < runs + 1; i++) {
            const t = performance.now();
            await query(server, `${sql} FORMAT TabSeparated`);
            if (i > 0) times.push(performance.now() - t); // the first run warms caches
          }
          times.sort((x, y) => x - y);
          perQueryMs.push(times[times.length >> 1]!);
        }
        return { loadS: (performance.now() - t0) / 1000, perQueryMs, rows };
      },
      close: () => server.stop(),
    };
  } catch (err) {
    await server.stop();
    throw err;
  }
}
