/**
 * Query benchmark: a year of 15-minute rollups for thousands of stores,
 * generated straight into the serving store, then a mixed set of dashboard
 * queries (time series at every grain, geo scopes, group-bys, top-N) over
 * HTTP at concurrency 32 from a worker thread. Prints `query_p50_ms`,
 * `query_p99_ms`, `queries_per_s` (medians of --runs), the size of the
 * rollups, and the same queries run in DuckDB over the same rows (the
 * peer) with the latency ratio.
 *
 *   npm run bench:query -- [--stores 5000] [--days 365] [--runs 3] [--seconds 15] [--concurrency 32] [--no-peer]
 */
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import Fastify, { LogController } from 'fastify';
import { registerQueryRoutes } from '../src/api/query-routes.js';
import { HttpError } from '../src/api/http-server.js';
import { DAY_MS } from '../src/domain/time-buckets.js';
import { generateWorld } from '../src/firehose/world.js';
import { ColumnarServingStore } from '../src/serving/columnar-serving-store.js';
import { RestatementLog } from '../src/stream/restatement-log.js';
import { emptyStreamStats } from '../src/stream/stream-processor.js';
import type { LoadInput, LoadOutput, LoadRequest } from './query-load.js';
import { generateRollups, type BenchRow } from './query-data.js';
import { runPeer } from './query-peer.js';
import { arg, median, percentile } from './bench-args.js';


const stores = arg('stores', 5000);
const days = arg('days', 365);
const runs = arg('runs', 3);
const seconds = arg('seconds', 15);
const concurrency = arg('concurrency', 32);
const peer = !process.argv.includes('--no-peer');
/** DuckDB gets the rows of the first --peer-stores stores (all of them would not fit beside ours in memory as CSV). */
const peerStores = arg('peer-stores', 500);
const KEY = 'tpk_read_bench';



const iso = (day: number): string => new Date(day * DAY_MS).toISOString().slice(0, 10);

/** The dashboard mix: what an overview, a map, a time-series panel, a top table and a store page ask. */
export interface BenchQuery {
  name: string;
  req: LoadRequest;
}

function queries(world: ReturnType<typeof generateWorld>): BenchQuery[] {
  const today = Math.floor(Date.now() / DAY_MS);
  const st = world.tenants[0]!.stores;
  const d = (n: number): string => iso(today - n);
  const tomorrow = iso(today + 1);
  const cities = [...new Set(st.map((s) => s.city))].slice(0, 12);
  const countries = [...new Set(st.map((s) => s.country))];
  const get = (name: string, qs: Record<string, string>): BenchQuery => ({ name, req: { method: 'GET', path: `/v1/series?${new URLSearchParams(qs).toString()}` } });
  const top = (name: string, qs: Record<string, string>): BenchQuery => ({ name, req: { method: 'GET', path: `/v1/top?${new URLSearchParams(qs).toString()}` } });
  const out: BenchQuery[] = [
    get('overview today vs last week by country', { metrics: 'net_sales,sale_count,avg_basket', granularity: 'day', tz: 'store', from: d(7), to: tomorrow, group_by: 'country' }),
    get('tenant 30 days by day', { metrics: 'net_sales,gross_sales,refunds,sale_count', granularity: 'day', tz: 'store', from: d(30), to: tomorrow }),
    get('tenant 90 days by week, previous period too', { metrics: 'net_sales', granularity: 'week', tz: 'store', from: d(180), to: tomorrow }),
    get('tenant year by month in UTC', { metrics: 'net_sales,net_revenue,tax', granularity: 'month', tz: 'UTC', from: d(365), to: tomorrow }),
    get('tenant today by 15 minutes', { metrics: 'net_sales,sale_count', granularity: '15m', tz: 'store', from: d(1), to: tomorrow }),
    get('tenant 7 days by hour in New York time', { metrics: 'net_sales', granularity: 'hour', tz: 'America/New_York', from: d(7), to: tomorrow }),
    get('tender breakdown 30 days', { metrics: 'net_sales', granularity: 'day', tz: 'store', from: d(30), to: tomorrow, group_by: 'tender' }),
    get('card brands 7 days by hour (hot window)', { metrics: 'net_sales', granularity: 'hour', tz: 'UTC', from: d(7), to: tomorrow, group_by: 'card_brand' }),
    get('currencies unconverted 30 days', { metrics: 'gross_sales', granularity: 'day', tz: 'UTC', from: d(30), to: tomorrow, group_by: 'currency', currency: 'original' }),
    get('countries list by week', { metrics: 'net_sales', granularity: 'week', tz: 'store', from: d(90), to: tomorrow, countries: countries.slice(0, 4).join(',') }),
    get('cities list by day', { metrics: 'net_sales,sale_count', granularity: 'day', tz: 'store', from: d(30), to: tomorrow, cities: cities.slice(0, 5).join(','), group_by: 'city' }),
    get('map: H3 cells over 7 days', { metrics: 'net_sales', granularity: 'week', tz: 'UTC', from: d(14), to: tomorrow, group_by: 'h3:3' }),
    top('top 20 stores 7 days', { metric: 'net_sales', metrics: 'net_sales,sale_count', limit: '20', from: d(7), to: tomorrow }),
    top('top 10 stores 30 days in one country', { metric: 'avg_basket', limit: '10', from: d(30), to: tomorrow, countries: countries[0]! }),
    top('top cities 90 days', { metric: 'net_sales', by: 'city', limit: '25', from: d(90), to: tomorrow }),
  ];
  // Map scopes around stores: boxes and radii of several sizes.
  for (let i = 0; i < 6; i++) {
    const s = st[(i * 997) % st.length]!;
    const half = [0.5, 2, 8][i % 3]!;
    const bbox = `${Math.max(-180, s.lon - half).toFixed(3)},${Math.max(-90, s.lat - half).toFixed(3)},${Math.min(180, s.lon + half).toFixed(3)},${Math.min(90, s.lat + half).toFixed(3)}`;
    out.push(get(`bbox ±${String(half)}° by day`, { metrics: 'net_sales,sale_count', granularity: 'day', tz: 'store', from: d(30), to: tomorrow, bbox }));
    out.push(get(`bbox ±${String(half)}° by hour, 2 days`, { metrics: 'net_sales', granularity: 'hour', tz: 'store', from: d(2), to: tomorrow, bbox }));
    out.push(get(`radius ${String(half * 100)} km by day`, { metrics: 'net_sales', granularity: 'day', tz: 'UTC', from: d(30), to: tomorrow, lat: String(s.lat), lon: String(s.lon), radius_km: String(half * 100) }));
    out.push(top(`top stores in bbox ±${String(half)}°`, { metric: 'net_sales', limit: '10', from: d(7), to: tomorrow, bbox }));
  }
  // A store page: its own series at hour grain, and its tenders.
  for (let i = 0; i < 3; i++) {
    const s = st[(i * 1553) % st.length]!;
    out.push(get('store page by hour', { metrics: 'net_sales,sale_count,avg_basket', granularity: 'hour', tz: 'store', from: d(2), to: tomorrow, stores: s.store_id }));
    out.push(get('store page tenders by day', { metrics: 'net_sales', granularity: 'day', tz: 'store', from: d(30), to: tomorrow, stores: s.store_id, group_by: 'tender' }));
  }
  // A polygon with a hole (POST).
  const c = st[0]!;
  out.push({
    name: 'polygon with a hole by day',
    req: {
      method: 'POST',
      path: '/v1/series',
      body: JSON.stringify({
        metrics: 'net_sales',
        granularity: 'day',
        tz: 'store',
        from: d(30),
        to: tomorrow,
        polygon: {
          type: 'Polygon',
          coordinates: [
            [[c.lon - 10, c.lat - 10], [c.lon + 10, c.lat - 10], [c.lon + 10, c.lat + 10], [c.lon - 10, c.lat + 10], [c.lon - 10, c.lat - 10]].map(([x, y]) => [Math.max(-180, Math.min(180, x!)), Math.max(-90, Math.min(90, y!))]),
            [[c.lon - 1, c.lat - 1], [c.lon + 1, c.lat - 1], [c.lon + 1, c.lat + 1], [c.lon - 1, c.lat + 1], [c.lon - 1, c.lat - 1]],
          ],
        },
      }),
    },
  });
  return out;
}

function load(input: LoadInput): Promise<LoadOutput> {
  return new Promise((resolve, reject) => {
    const w = new Worker(new URL('./query-load.js', import.meta.url), { workerData: input });
    w.once('message', (m: LoadOutput | { error: string }) => ('error' in m ? reject(new Error(m.error)) : resolve(m)));
    w.once('error', reject);
  });
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'tpay-bench-query-'));
  try {
    const world = generateWorld({ seed: 1, tenants: 1, stores });
    const tenant = world.tenants[0]!.tenant.tenant_id;
    const serving = await ColumnarServingStore.open(join(dir, 'serving'));
    serving.setTenant(tenant, { reportingCurrency: world.tenants[0]!.tenant.reporting_currency, cutoffMinutes: 0 });
    const rows: BenchRow[] | null = peer ? [] : null;
    const t0 = performance.now();
    const count = generateRollups(world, serving.rollups(tenant), days, rows === null ? undefined : (r) => {
      if (r.store < peerStores) rows.push({ ...r, rep: r.rep.slice(0, 12), orig: r.orig.slice(0, 7) });
    });
    const genS = (performance.now() - t0) / 1000;
    const size = serving.stats();
    // Restart cost at this size: write the snapshot, then open it as a fresh start would.
    const snap = await serving.snapshot();
    const tLoad = performance.now();
    const reloaded = await ColumnarServingStore.open(join(dir, 'serving'));
    const loadMs = performance.now() - tLoad;
    if (reloaded.stats().storeQuarters !== size.storeQuarters) throw new Error('the reloaded snapshot differs');
    process.stderr.write(`generated ${String(count)} rollup rows for ${String(stores)} stores × ${String(days)} days in ${genS.toFixed(0)} s\n`);

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
    const mix = queries(world);
    const requests = mix.map((q) => q.req);

    await load({ port, key: KEY, requests, concurrency, seconds: Math.min(3, seconds) }); // warm-up (JIT)
    const results: LoadOutput[] = [];
    for (let r = 0; r < runs; r++) {
      const out = await load({ port, key: KEY, requests, concurrency, seconds });
      if (out.errors > 0) throw new Error(`${String(out.errors)} queries failed; first: ${String(out.firstError)}`);
      results.push(out);
      process.stderr.write(`run ${String(r + 1)}: ${String(out.latencies.length)} queries, p50 ${percentile(out.latencies, 50).toFixed(2)} ms, p99 ${percentile(out.latencies, 99).toFixed(2)} ms\n`);
    }
    // Each query alone, one at a time (as the peer runs them): median of `runs` after a warm-up.
    const oursSingleMs: number[] = [];
    for (const q of mix) {
      const times: number[] = [];
      for (let i = 0; i < runs + 1; i++) {
        const t = performance.now();
        const res = await fetch(`http://127.0.0.1:${String(port)}${q.req.path}`, { method: q.req.method, headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' }, body: q.req.body ?? null });
        await res.arrayBuffer();
        if (i > 0) times.push(performance.now() - t);
      }
      oursSingleMs.push(median(times));
    }
    await app.close();
    restatements.close();

    const figures: Record<string, number> = {
      query_p50_ms: Number(median(results.map((o) => percentile(o.latencies, 50))).toFixed(2)),
      query_p99_ms: Number(median(results.map((o) => percentile(o.latencies, 99))).toFixed(2)),
      queries_per_s: Math.round(median(results.map((o) => o.latencies.length / o.elapsedS))),
      serving_stores: stores,
      serving_days: days,
      serving_store_quarter_hours: size.storeQuarters,
      serving_bytes_per_store_quarter_hour: Number((size.bytes / size.storeQuarters).toFixed(1)),
      serving_bytes_mb: Math.round(size.bytes / 1e6),
      serving_rss_mb: Math.round(process.memoryUsage().rss / 1e6),
      serving_snapshot_mb: Math.round(snap.bytes / 1e6),
      serving_snapshot_write_ms: Math.round(snap.ms),
      serving_startup_load_ms: Math.round(loadMs),
    };
    // Per query: our latency at load (median over runs of each template's p50), for the peer ratio.
    const ours = mix.map((_q, i) => median(results.map((o) => percentile(o.perRequest[i]!, 50))));
    mkdirSync('bench-output', { recursive: true });
    figures['query_single_p50_ms'] = Number(median(oursSingleMs).toFixed(2));
    for (const [i, q] of mix.entries()) process.stderr.write(`  ${oursSingleMs[i]!.toFixed(2).padStart(9)} ms  ${q.name}\n`);
    if (rows !== null) {
      const p = await runPeer(world, rows, mix, runs);
      figures['peer_stores'] = Math.min(stores, peerStores);
      figures['peer_duckdb_load_s'] = Number(p.loadS.toFixed(1));
      figures['peer_duckdb_single_p50_ms'] = Number(median(p.perQueryMs).toFixed(2));
      figures['peer_duckdb_single_max_ms'] = Number(Math.max(...p.perQueryMs).toFixed(2));
      // Same query, one at a time in each engine: DuckDB's median time over ours (above 1: we are faster).
      figures['peer_latency_ratio'] = Number((median(p.perQueryMs) / median(oursSingleMs)).toFixed(1));
      const perQuery = mix.map((q, i) => ({ name: q.name, ours_at_load_p50_ms: ours[i], ours_single_ms: oursSingleMs[i], duckdb_single_ms: p.perQueryMs[i], ratio: p.perQueryMs[i]! / oursSingleMs[i]! }));
      figures['peer_latency_ratio_min'] = Number(Math.min(...perQuery.map((x) => x.ratio)).toFixed(1));
      writeFileSync(join('bench-output', 'query-per-query.json'), `${JSON.stringify(perQuery, null, 2)}\n`);
    }
    for (const [k, v] of Object.entries(figures)) process.stdout.write(`${k}: ${String(v)}\n`);
    writeFileSync(join('bench-output', 'query.json'), `${JSON.stringify(figures, null, 2)}\n`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
