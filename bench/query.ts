/**
 * Query benchmark: a year of 15-minute rollups for thousands of stores,
 * generated straight into a serving store by a child process that writes
 * its snapshot and exits (query-generate.ts); this process then starts from
 * the snapshot as a restarted server would (timed), and serves a mixed set of dashboard
 * queries (time series at every grain, geo scopes, group-bys, top-N) over
 * HTTP from a worker thread, twice: in a closed loop at concurrency 32
 * (`queries_per_s`, the most it serves, and `query_closed_p50_ms`,
 * `query_closed_p99_ms`), and in an open loop at --rate queries/s
 * (`query_p50_ms`, `query_p99_ms`: latency from each request's due time,
 * so stalls are counted as wrk2 counts them); medians of --runs. Also the size of the
 * rollups, and the same queries run in DuckDB over the same rows (the
 * peer: every row of every store, or of the first --peer-stores) with the
 * latency ratio of each query, and again in ClickHouse over the DuckDB
 * peer's rows (bench/query-clickhouse.ts). With --dir the generated data is kept there
 * and used by later runs of the same size (generating 5,000 stores × 365
 * days takes a quarter of an hour or more).
 *
 *   npm run bench:query -- [--stores 5000] [--days 365] [--runs 3] [--seconds 15] [--concurrency 32] [--rate 2000] [--peer-stores N] [--no-peer] [--no-clickhouse-peer] [--dir DIR]
 */
import { existsSync, mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import Fastify, { LogController } from 'fastify';
import { registerQueryRoutes } from '../src/api/query-routes.js';
import { HttpError } from '../src/api/http-server.js';
import { generateWorld } from '../src/firehose/world.js';
import { ColumnarServingStore } from '../src/serving/columnar-serving-store.js';
import { RestatementLog } from '../src/stream/restatement-log.js';
import { emptyStreamStats } from '../src/stream/stream-processor.js';
import { runLoad as load, type LoadOutput } from './query-load.js';
import { dashboardQueries, type BenchQuery } from './query-mix.js';
import type { Generated } from './query-generate.js';
import { openClickHousePeer } from './query-clickhouse.js';
import { runPeer } from './query-peer.js';
import { arg, median, percentile } from './bench-args.js';


const stores = arg('stores', 5000);
const days = arg('days', 365);
const runs = arg('runs', 3);
const seconds = arg('seconds', 15);
const concurrency = arg('concurrency', 32);
/** The open loop's schedule, queries per second (the target's load). */
const rate = arg('rate', 2000);
const peer = !process.argv.includes('--no-peer');
/** ClickHouse, the second peer, over the DuckDB peer's rows (skipped with --no-clickhouse-peer or without clickhouse-server). */
const clickhousePeer = !process.argv.includes('--no-clickhouse-peer');
/** DuckDB gets the rows of the first --peer-stores stores (default: all of them, every row the serving store holds). */
const peerStores = Math.min(stores, arg('peer-stores', stores));
const keepAt = process.argv.indexOf('--dir');
const keepDir = keepAt >= 0 ? process.argv[keepAt + 1]! : null;
const KEY = 'tpk_read_bench';




/** The dashboard mix over HTTP in a closed loop at the given concurrency and in an open loop at `rate` (`runs` times each), then each query alone. */
async function measure(world: ReturnType<typeof generateWorld>, tenant: string, serving: ColumnarServingStore): Promise<{ results: LoadOutput[]; openResults: LoadOutput[]; oursSingleMs: number[]; mix: BenchQuery[] }> {
  const dir = mkdtempSync(join(tmpdir(), 'tpay-bench-query-api-'));
  try {
    const app = Fastify({ logController: new LogController({ disableRequestLogging: true }) });
    app.setErrorHandler((err: { statusCode?: number; code?: string; message: string }, _req, reply) => {
      if (err instanceof HttpError) return reply.status(err.status).send({ error: { code: err.code, message: err.message } });
      return reply.status(err.statusCode ?? 500).send({ error: { code: 'internal', message: err.message } });
    });
    const restatements = new RestatementLog(join(dir, 'restatements.ndjson'));
    registerQueryRoutes(app, {
      serving,
      restatements,
      authenticate: (secret, kind) => (secret === KEY && kind === 'read' ? { tenant } : undefined),
      stream: emptyStreamStats,
    });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const addr = app.server.address();
    const port = typeof addr === 'object' && addr !== null ? addr.port : 0;
    const mix = dashboardQueries(world);
    const requests = mix.map((q) => q.req);

    await load({ port, key: KEY, requests, concurrency, seconds: Math.min(3, seconds) }); // warm-up (JIT)
    const results: LoadOutput[] = [];
    for (let r = 0; r < runs; r++) {
      const out = await load({ port, key: KEY, requests, concurrency, seconds });
      if (out.errors > 0) throw new Error(`${String(out.errors)} queries failed; first: ${String(out.firstError)}`);
      results.push(out);
      process.stderr.write(`closed loop, run ${String(r + 1)}: ${String(out.latencies.length)} queries (${(out.latencies.length / out.elapsedS).toFixed(0)}/s), p50 ${percentile(out.latencies, 50).toFixed(2)} ms, p99 ${percentile(out.latencies, 99).toFixed(2)} ms\n`);
    }
    // The same connections, requests sent on a schedule of `rate` a second whatever the answers do.
    const openResults: LoadOutput[] = [];
    for (let r = 0; r < runs; r++) {
      const out = await load({ port, key: KEY, requests, concurrency, seconds, ratePerS: rate });
      if (out.errors > 0) throw new Error(`${String(out.errors)} queries failed; first: ${String(out.firstError)}`);
      openResults.push(out);
      process.stderr.write(
        `open loop at ${String(rate)}/s, run ${String(r + 1)}: ${String(out.latencies.length)} queries (${(out.latencies.length / out.elapsedS).toFixed(0)}/s), from due time p50 ${percentile(out.latencies, 50).toFixed(2)} ms, p99 ${percentile(out.latencies, 99).toFixed(2)} ms, max ${Math.max(...out.latencies).toFixed(2)} ms; from send p99 ${percentile(out.sendLatencies, 99).toFixed(2)} ms\n`,
      );
    }
    // Each query alone, one at a time (as the peer runs them), HTTP included: median of 10 after a warm-up.
    const oursSingleMs: number[] = [];
    for (const q of mix) {
      const times: number[] = [];
      for (let i = 0; i < 11; i++) {
        const t = performance.now();
        const res = await fetch(`http://127.0.0.1:${String(port)}${q.req.path}`, { method: q.req.method, headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' }, body: q.req.body ?? null });
        await res.arrayBuffer();
        if (i > 0) times.push(performance.now() - t);
      }
      oursSingleMs.push(median(times));
    }
    await app.close();
    restatements.close();
    return { results, openResults, oursSingleMs, mix };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs query-generate.js in a child process into `dir`, unless `dir` holds data of this size already. */
function generate(dir: string): Promise<Generated> {
  const done = join(dir, 'generated.json');
  if (existsSync(done)) {
    const g = JSON.parse(readFileSync(done, 'utf8')) as Generated;
    // Without the peer, data generated with one does as well.
    if (g.stores === stores && g.days === days && (!peer || g.peerStores === peerStores)) return Promise.resolve(g);
    throw new Error(`${dir} holds ${String(g.stores)} stores × ${String(g.days)} days (peer: ${String(g.peerStores)} stores): use another --dir`);
  }
  return new Promise((resolve, reject) => {
    const script = fileURLToPath(new URL('./query-generate.js', import.meta.url));
    const args = ['--max-old-space-size=8192', script, '--dir', dir, '--stores', String(stores), '--days', String(days), '--peer-stores', String(peer ? peerStores : 0)];
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code !== 0) return reject(new Error(`query-generate exited ${String(code)}`));
      writeFileSync(done, out);
      resolve(JSON.parse(out) as Generated);
    });
  });
}

/** The ClickHouse peer's row: the same rows as DuckDB's, the same queries one at a time, the ratio of its time over ours. */
async function clickHouseFigures(dir: string, rows: number, mix: readonly BenchQuery[], oursSingleMs: readonly number[]): Promise<Record<string, number>> {
  const ch = await openClickHousePeer(dir, join(dir, 'peer.duckdb'), rows);
  if (ch === null) {
    process.stderr.write('clickhouse-server is not installed: no ClickHouse peer row\n');
    return {};
  }
  try {
    const r = await ch.run(mix, runs);
    const ratios = mix.map((q, i) => ({ name: q.name, ms: r.perQueryMs[i]!, ratio: r.perQueryMs[i]! / oursSingleMs[i]! }));
    process.stderr.write('per query, one at a time: ClickHouse, ratio to ours\n');
    for (const x of ratios) process.stderr.write(`  ${x.ms.toFixed(2).padStart(10)} ms ${x.ratio.toFixed(1).padStart(8)}×  ${x.name}\n`);
    const worst = ratios.reduce((a, b) => (b.ratio < a.ratio ? b : a));
    process.stderr.write(`worst ClickHouse ratio: ${worst.ratio.toFixed(2)} (${worst.name})\n`);
    return {
      peer_clickhouse_rows: r.rows,
      peer_clickhouse_load_s: Number(ch.loadS.toFixed(1)),
      peer_clickhouse_single_p50_ms: Number(median(r.perQueryMs).toFixed(2)),
      peer_clickhouse_latency_ratio: Number(median(ratios.map((x) => x.ratio)).toFixed(1)),
      peer_clickhouse_latency_ratio_worst: Number(worst.ratio.toFixed(2)),
    };
  } finally {
    await ch.close();
  }
}

async function main(): Promise<void> {
  const dir = keepDir ?? mkdtempSync(join(tmpdir(), 'tpay-bench-query-'));
  mkdirSync(dir, { recursive: true });
  try {
    const world = generateWorld({ seed: 1, tenants: 1, stores });
    const tenant = world.tenants[0]!.tenant.tenant_id;
    // The data is made in a process of its own, which writes the snapshot and exits;
    // this process then starts from the snapshot as a restarted server would.
    const gen = await generate(dir);
    process.stderr.write(`generated ${String(gen.rows)} rollup rows for ${String(stores)} stores × ${String(days)} days in ${gen.genS.toFixed(0)} s\n`);
    const tLoad = performance.now();
    const serving = await ColumnarServingStore.open(join(dir, 'serving'));
    const loadMs = performance.now() - tLoad;
    // Every block's CRC is checked in the background after the open (block-check.ts): how long until all are.
    const verified = (async (): Promise<number> => {
      while (serving.verifyingSnapshot) await new Promise((r) => setTimeout(r, 5));
      return performance.now() - tLoad;
    })();
    const size = serving.stats();
    if (size.storeQuarters !== gen.storeQuarters) throw new Error('the snapshot opened differs from the store written');
    const { results, openResults, oursSingleMs, mix } = await measure(world, tenant, serving);

    const pct = (xs: LoadOutput[], q: number, of: (o: LoadOutput) => number[] = (o) => o.latencies): number => Number(median(xs.map((o) => percentile(of(o), q))).toFixed(2));
    const figures: Record<string, number> = {
      // Open loop at the target rate, latency from each request's due time.
      query_p50_ms: pct(openResults, 50),
      query_p99_ms: pct(openResults, 99),
      query_open_rate_per_s: rate,
      query_open_achieved_per_s: Math.round(median(openResults.map((o) => o.latencies.length / o.elapsedS))),
      query_open_send_p99_ms: pct(openResults, 99, (o) => o.sendLatencies),
      // Closed loop at --concurrency: the most the server answers.
      queries_per_s: Math.round(median(results.map((o) => o.latencies.length / o.elapsedS))),
      query_closed_concurrency: concurrency,
      query_closed_p50_ms: pct(results, 50),
      query_closed_p99_ms: pct(results, 99),
      serving_stores: stores,
      serving_days: days,
      serving_store_quarter_hours: size.storeQuarters,
      serving_bytes_per_store_quarter_hour: Number((size.bytes / size.storeQuarters).toFixed(1)),
      serving_bytes_mb: Math.round(size.bytes / 1e6),
      serving_rss_mb: Math.round(process.memoryUsage().rss / 1e6),
      serving_snapshot_mb: Math.round(gen.snapshotBytes / 1e6),
      serving_snapshot_write_ms: Math.round(gen.snapshotMs),
      serving_startup_load_ms: Math.round(loadMs),
      serving_snapshot_verified_ms: Math.round(await verified),
    };
    // Per query: our latency at load (median over runs of each template's p50), for the peer ratio.
    const ours = mix.map((_q, i) => median(results.map((o) => percentile(o.perRequest[i]!, 50))));
    mkdirSync('bench-output', { recursive: true });
    figures['query_single_p50_ms'] = Number(median(oursSingleMs).toFixed(2));
    for (const [i, q] of mix.entries()) process.stderr.write(`  ${oursSingleMs[i]!.toFixed(2).padStart(9)} ms  ${q.name}\n`);
    if (peer) {
      const p = await runPeer(join(dir, 'peer.duckdb'), mix, runs);
      if (p.rows !== gen.peerRows || (peerStores === stores && p.rows !== gen.rows)) throw new Error(`the peer holds ${String(p.rows)} rows, the serving store was given ${String(gen.rows)}`);
      figures['peer_stores'] = peerStores;
      figures['peer_rows'] = p.rows;
      figures['peer_duckdb_open_s'] = Number(p.loadS.toFixed(1));
      figures['peer_duckdb_single_p50_ms'] = Number(median(p.perQueryMs).toFixed(2));
      figures['peer_duckdb_single_max_ms'] = Number(Math.max(...p.perQueryMs).toFixed(2));
      // Same query, one at a time in each engine: DuckDB's time over ours (above 1: we are faster); the median over the queries.
      const perQuery = mix.map((q, i) => ({ name: q.name, ours_at_load_p50_ms: ours[i], ours_single_ms: oursSingleMs[i], duckdb_single_ms: p.perQueryMs[i], ratio: p.perQueryMs[i]! / oursSingleMs[i]! }));
      process.stderr.write('per query, one at a time: ours, DuckDB, ratio\n');
      for (const x of perQuery) process.stderr.write(`  ${x.ours_single_ms!.toFixed(2).padStart(9)} ms ${x.duckdb_single_ms!.toFixed(2).padStart(10)} ms ${x.ratio.toFixed(1).padStart(8)}×  ${x.name}\n`);
      figures['peer_latency_ratio'] = Number(median(perQuery.map((x) => x.ratio)).toFixed(1));
      // The query where we lead DuckDB least (below 1: DuckDB is faster on it).
      figures['peer_latency_ratio_worst'] = Number(Math.min(...perQuery.map((x) => x.ratio)).toFixed(2));
      const worst = perQuery.reduce((a, b) => (b.ratio < a.ratio ? b : a));
      process.stderr.write(`worst ratio: ${worst.ratio.toFixed(2)} (${worst.name})\n`);
      writeFileSync(join('bench-output', 'query-per-query.json'), `${JSON.stringify(perQuery, null, 2)}\n`);
      if (clickhousePeer) Object.assign(figures, await clickHouseFigures(dir, p.rows, mix, oursSingleMs));
    }
    process.stderr.write(`query_p50_ms, query_p99_ms: open loop at ${String(rate)} queries/s (${String(concurrency)} connections), from each request's due time; queries_per_s, query_closed_*: closed loop at concurrency ${String(concurrency)}\n`);
    for (const [k, v] of Object.entries(figures)) process.stdout.write(`${k}: ${String(v)}\n`);
    writeFileSync(join('bench-output', 'query.json'), `${JSON.stringify(figures, null, 2)}\n`);
  } finally {
    if (keepDir === null) rmSync(dir, { recursive: true, force: true });
  }
}

await main();
