/**
 * `npm run bench:scale`: the scale-out ratio of stream workers by lease
 * (docs/scale-out.md, "A measured scale-out ratio").
 *
 * Starts nats-server -js and clickhouse-server on loopback, pre-loads one
 * JetStream log (`--partitions`) with `--records` sales of a generated world
 * (not timed), then, `--runs` times, lets 1 and then 2 `tpay stream` worker
 * processes consume it from the start, each worker held to `--quota` cores
 * by a cgroup v1 CFS quota of its own, into a fresh serving database and a
 * fresh lease bucket. Every run's totals are checked against the
 * generator's own brute-force sums: count and net sales in minor units (and
 * gross, refunds, voids) per tenant, currency and UTC day, summed in
 * ClickHouse over the batches the store's reads count (scale-totals.ts);
 * any difference fails the bench.
 *
 * Prints `scale_1_worker_tx_per_s`, `scale_2_workers_tx_per_s` (medians),
 * `scale_ratio` (their ratio) and what the runs spent (worker CPU, CFS
 * throttling, clickhouse-server and nats-server CPU, lease hand-overs);
 * writes bench-output/scale.json. Needs root (cgroups) and both servers
 * (scripts/ensure-system-deps.sh).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { connect } from '@nats-io/transport-node';
import { JetStreamLog } from '../src/log/jetstream-log.js';
import { ClickHouseServingStore } from '../src/serving/clickhouse-serving-store.js';
import { ClickHouseHttp } from '../src/warehouse/clickhouse-http.js';
import { clickHouseBinary, startClickHouse } from '../test/support/clickhouse-server.js';
import { setupWorld, sortedTallies, writeSales, type Tallies } from '../test/support/jetstream-sales.js';
import { startNatsServer } from '../test/support/nats-server.js';
import { tempDir } from '../test/support/temp-dir.js';
import { arg, median } from './bench-args.js';
import { servingDayTotals } from './scale-totals.js';
import { runWorkers, type RunResult, type WorkerSettings } from './scale-workers.js';

const RECORDS = arg('records', 800_000);
const PARTITIONS = arg('partitions', 8);
const QUOTA = arg('quota', 0.5);
const RUNS = arg('runs', 3);
const TENANTS = arg('tenants', 2);
const STORES = arg('stores', 400);
// The product's defaults unless asked otherwise (src/config/config.ts, stream.lease).
const BATCH_RECORDS = arg('batch-records', 20_000);
const BATCH_MS = arg('batch-ms', 500);
const TTL_MS = arg('ttl-ms', 6000);
const SCAN_MS = arg('scan-ms', 0);
const LOG_STREAM = 'TPAY_SCALE';

const log = (s: string): void => {
  process.stdout.write(`# ${s}\n`);
};

/** Throws, naming the first differences, unless `got` equals `want` key for key. */
function checkTotals(what: string, got: Tallies, want: Tallies): void {
  const diffs: string[] = [];
  for (const [key, w] of sortedTallies(want)) {
    const g = got.get(key);
    const net = (t: typeof w): number => t.grossMinor - t.refundsMinor - t.voidsMinor;
    if (g === undefined) diffs.push(`${key}: missing (want ${String(w.sales + w.refunds + w.voids)} tx, net ${String(net(w))})`);
    else if (JSON.stringify(g) !== JSON.stringify(w) || net(g) !== net(w)) diffs.push(`${key}: got ${JSON.stringify(g)}, want ${JSON.stringify(w)}`);
  }
  for (const key of got.keys()) if (!want.has(key)) diffs.push(`${key}: counted, never written`);
  if (diffs.length > 0) throw new Error(`${what}: totals differ from the generated records in ${String(diffs.length)} tenant/currency/day keys:\n${diffs.slice(0, 10).join('\n')}`);
}

const binary = clickHouseBinary();
if (binary === null) throw new Error('clickhouse-server is not installed (scripts/ensure-system-deps.sh)');
if (!Number.isInteger(PARTITIONS) || PARTITIONS < 2 || PARTITIONS > 256) throw new Error(`--partitions is ${String(PARTITIONS)}; expected an integer from 2 to 256`);
if (!Number.isInteger(RECORDS) || RECORDS < TENANTS) throw new Error(`--records is ${String(RECORDS)}; expected an integer of at least --tenants (${String(TENANTS)})`);
if (!Number.isInteger(RUNS) || RUNS < 1) throw new Error(`--runs is ${String(RUNS)}; expected a positive integer`);

await using dir = tempDir('tpay-scale-');
const nats = await startNatsServer();
const ch = await startClickHouse(binary);
const nc = await connect({ servers: nats.url });
try {
  // Pre-load, not timed. A long writer lease: generating the sales holds this event loop for a while.
  const t0 = performance.now();
  const world = setupWorld(dir.path, { seed: 14, tenants: TENANTS, stores: STORES });
  const wlog = await JetStreamLog.open(nc, { stream: LOG_STREAM, partitions: PARTITIONS, leaseTtlMs: 600_000 });
  const writer = await wlog.openWriter([...Array(PARTITIONS).keys()]);
  const days: Tallies = new Map();
  const written = await writeSales(writer, PARTITIONS, world, { start: '2026-10-01T00:00:00Z', records: Math.ceil(RECORDS / TENANTS) }, new Map(), { days, commitEvery: 10_000 });
  await writer.close();
  const ends: number[] = [];
  for (let p = 0; p < PARTITIONS; p++) ends.push(await wlog.endOffset(p));
  await wlog.close();
  if (ends.reduce((a, b) => a + b, 0) !== written) throw new Error(`log ends ${JSON.stringify(ends)} do not add up to the ${String(written)} records written`);
  log(`pre-loaded ${String(written)} records (${String(TENANTS)} tenants, ${String(STORES)} stores, ${String(days.size)} tenant/currency/days) in ${((performance.now() - t0) / 1000).toFixed(1)} s; per partition ${ends.join(' ')}`);

  const settingsFor = (servingDatabase: string): WorkerSettings => ({
    natsUrl: nats.url,
    logStream: LOG_STREAM,
    partitions: PARTITIONS,
    clickhouseUrl: ch.url,
    servingDatabase,
    ttlMs: TTL_MS,
    scanIntervalMs: SCAN_MS === 0 ? null : SCAN_MS,
    batchRecords: BATCH_RECORDS,
    batchMs: BATCH_MS,
  });
  const results: RunResult[] = [];
  const raw = new ClickHouseHttp({ url: ch.url });
  for (let run = 1; run <= RUNS; run++) {
    for (const n of [1, 2]) {
      const database = ch.freshDatabase('tpay_scale');
      const r = await runWorkers(n, {
        dataDir: dir.path,
        nc,
        settings: settingsFor(database),
        ends,
        quotaCores: QUOTA,
        clickhousePid: ch.pid()!,
        natsPid: nats.pid(),
        timeoutMs: 600_000,
      });
      const serving = await ClickHouseServingStore.open({ url: ch.url, database });
      const tc = performance.now();
      checkTotals(`run ${String(run)}, ${String(n)} worker(s)`, await servingDayTotals(ch.url, serving), days);
      process.stderr.write(`# totals checked in ${((performance.now() - tc) / 1000).toFixed(1)} s\n`);
      await serving.close();
      await raw.query(`DROP DATABASE ${database}`);
      results.push(r);
      log(
        `run ${String(run)}: ${String(n)} worker(s) ${r.txPerS.toFixed(0)} tx/s over ${r.seconds.toFixed(2)} s; totals exact; ` +
          `worker CPU ${r.workerCpuS.map((s) => s.toFixed(1)).join('+')} s (quota ${(QUOTA * r.seconds).toFixed(1)} s each), throttled in ${r.throttledShare.map((x) => `${(x * 100).toFixed(0)}%`).join('/')} of periods; ` +
          `clickhouse ${r.clickhouseCpuS.toFixed(1)} s, nats ${r.natsCpuS.toFixed(1)} s CPU; ${String(r.batches)} batches, ${String(r.claims)} claims, ${String(r.handOvers)} lease holder changes; ` +
          `workers first held a lease at +${r.firstHeldMs.map((x) => x.toFixed(0)).join('/+')} ms; partitions done at +${r.partitionDoneMs.map((x) => (x / 1000).toFixed(1)).join(' ')} s`,
      );
    }
  }
  await raw.close();
  const one = results.filter((r) => r.workers === 1).map((r) => r.txPerS);
  const two = results.filter((r) => r.workers === 2).map((r) => r.txPerS);
  const ratios = one.map((x, i) => two[i]! / x);
  const out = {
    scale_1_worker_tx_per_s: median(one),
    scale_2_workers_tx_per_s: median(two),
    scale_ratio: median(two) / median(one),
    scale_ratio_per_run: ratios,
    cpu_quota_cores_per_worker: QUOTA,
    partitions: PARTITIONS,
    records: written,
    runs: RUNS,
    load_average: loadavg(),
    results,
  };
  console.log(`scale_1_worker_tx_per_s: ${out.scale_1_worker_tx_per_s.toFixed(0)} tx/s (median of ${String(RUNS)})`);
  console.log(`scale_2_workers_tx_per_s: ${out.scale_2_workers_tx_per_s.toFixed(0)} tx/s (median of ${String(RUNS)})`);
  console.log(`scale_ratio: ${out.scale_ratio.toFixed(2)} (target >= 1.8; per run ${ratios.map((x) => x.toFixed(2)).join(' ')})`);
  console.log(`cpu_quota_cores_per_worker: ${String(QUOTA)} cores`);
  console.log(`scale_partitions: ${String(PARTITIONS)} partitions`);
  console.log(`scale_records: ${String(written)} records`);
  console.log(`scale_sigterm_hangs: ${String(results.reduce((n, r) => n + r.stopHangs, 0))} of ${String(RUNS * 3)} workers (did not exit within 30 s of SIGTERM)`);
  console.log(`load_average: ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  mkdirSync('bench-output', { recursive: true });
  writeFileSync('bench-output/scale.json', `${JSON.stringify(out, null, 2)}\n`);
} finally {
  await nc.close();
  await ch.stop();
  await nats.stop();
}
