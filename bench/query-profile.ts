/**
 * Where the serving store's bytes and query time go: bytes by node kind and
 * resolution, and each query of the dashboard mix timed in process, once
 * through the HTTP routes (Fastify inject: parameters, query, JSON, no
 * socket) and once as the store's own call. The data is generated (or read
 * back from the snapshot in `--dir`, kept between runs).
 *
 *   node --max-old-space-size=8192 dist/bench/query-profile.js [--stores 1000] [--days 365] [--dir DIR] [--reps 20]
 */
import { existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify from 'fastify';
import { registerQueryRoutes } from '../src/api/query-routes.js';
import { seriesQuery, topQuery } from '../src/api/query-params.js';
import { generateWorld } from '../src/firehose/world.js';
import { ColumnarServingStore } from '../src/serving/columnar-serving-store.js';
import { DaySeries } from '../src/serving/day-series.js';
import { RestatementLog } from '../src/stream/restatement-log.js';
import { emptyStreamStats } from '../src/stream/stream-processor.js';
import { arg, median } from './bench-args.js';
import { generateRollups } from './query-data.js';
import { dashboardQueries } from './query-mix.js';

const stores = arg('stores', 1000);
const days = arg('days', 365);
const reps = arg('reps', 20);
const at = process.argv.indexOf('--dir');
const dir = at >= 0 ? process.argv[at + 1]! : mkdtempSync(join(tmpdir(), 'tpay-query-profile-'));
const KEY = 'tpk_read_profile';

const world = generateWorld({ seed: 1, tenants: 1, stores });
const tenant = world.tenants[0]!.tenant.tenant_id;
const servingDir = join(dir, 'serving');
if (!existsSync(join(servingDir, 'snapshot.bin'))) {
  mkdirSync(servingDir, { recursive: true });
  const gen = await ColumnarServingStore.open(servingDir);
  gen.setTenant(tenant, { reportingCurrency: world.tenants[0]!.tenant.reporting_currency, cutoffMinutes: 0 });
  const t0 = performance.now();
  await generateRollups(world, gen.rollups(tenant), days);
  process.stdout.write(`generated: ${((performance.now() - t0) / 1000).toFixed(0)} s\n`);
  await gen.snapshot();
}
const t1 = performance.now();
const serving = await ColumnarServingStore.open(servingDir);
process.stdout.write(`startup_load_ms: ${(performance.now() - t1).toFixed(0)}\n`);
const t = serving.rollups(tenant);
const stats = serving.stats();
const sq = stats.storeQuarters;
process.stdout.write(`store_quarter_hours: ${String(sq)}\nbytes_per_store_quarter_hour: ${(stats.bytes / sq).toFixed(1)}\nrss_mb: ${(process.memoryUsage().rss / 1e6).toFixed(0)}\n`);

// Bytes by node kind and series, per store-quarter-hour.
const names = ['aUtc', 'aLocal', 'bUtc', 'bLocal', 'cUtc', 'cLocal', 'dUtc', 'dLocal'] as const;
const table = new Map<string, { bytes: number; rows: number; nodes: number }>();
for (const n of t.nodes()) {
  for (const name of names) {
    const s = n[name];
    if (s === null) continue;
    const key = `${n.kind} ${name}`;
    const e = table.get(key) ?? { bytes: 0, rows: 0, nodes: 0 };
    e.bytes += s.bytes();
    e.rows += s instanceof DaySeries ? s.rows() : s.days;
    e.nodes++;
    table.set(key, e);
  }
}
for (const [k, e] of [...table].sort((x, y) => y[1].bytes - x[1].bytes)) {
  process.stdout.write(`  ${k.padEnd(16)} ${(e.bytes / sq).toFixed(2).padStart(7)} B/sqh  ${(e.bytes / 1e6).toFixed(0).padStart(6)} MB  ${String(e.rows).padStart(10)} rows  ${String(e.nodes)} nodes\n`);
}

// Each query of the mix: through the routes (inject) and the store alone.
const app = Fastify();
const restatements = new RestatementLog(join(dir, 'restatements.ndjson'));
registerQueryRoutes(app, { serving, restatements, authenticate: (secret, kind) => (secret === KEY && kind === 'read' ? { tenant } : undefined), stream: emptyStreamStats });
await app.ready();
let httpSum = 0;
let storeSum = 0;
for (const q of dashboardQueries(world)) {
  const url = new URL(`http://x${q.req.path}`);
  const p: Record<string, unknown> = Object.fromEntries(url.searchParams.entries());
  if (q.req.body !== undefined) Object.assign(p, JSON.parse(q.req.body) as Record<string, unknown>);
  const isTop = url.pathname === '/v1/top';
  const http: number[] = [];
  const own: number[] = [];
  let bytes = 0;
  for (let i = 0; i < reps + 2; i++) {
    const t0 = performance.now();
    const res = await app.inject({ method: q.req.method, url: q.req.path, headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' }, ...(q.req.body === undefined ? {} : { payload: q.req.body }) });
    const t2 = performance.now();
    if (res.statusCode !== 200) throw new Error(`${q.name}: ${String(res.statusCode)} ${res.body.slice(0, 200)}`);
    bytes = res.rawPayload.length;
    if (isTop) serving.top(tenant, topQuery(p));
    else serving.series(tenant, seriesQuery(p));
    const t3 = performance.now();
    if (i >= 2) {
      http.push(t2 - t0);
      own.push(t3 - t2);
    }
  }
  httpSum += median(http);
  storeSum += median(own);
  process.stdout.write(`  ${median(http).toFixed(3).padStart(8)} ms http  ${median(own).toFixed(3).padStart(8)} ms store  ${String(bytes).padStart(7)} B  ${q.name}\n`);
}
process.stdout.write(`mix_http_ms_sum: ${httpSum.toFixed(1)}\nmix_store_ms_sum: ${storeSum.toFixed(1)}\n`);
await app.close();
restatements.close();
