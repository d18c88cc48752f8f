/**
 * The query benchmark's data, made in a process of its own: a year of
 * rollups for the world's first tenant straight into a serving store, its
 * snapshot written to `--dir`/serving, and the same rows (of every store,
 * or the first --peer-stores) into the peer's DuckDB database `--dir`/peer.duckdb.
 * Prints one JSON line of sizes and times. The benchmark then opens the
 * snapshot in its own fresh process, as a restart would.
 *
 *   node dist/bench/query-generate.js --dir DIR --stores 5000 --days 365 [--peer-stores N]
 */
import { join } from 'node:path';
import { generateWorld } from '../src/firehose/world.js';
import { ColumnarServingStore } from '../src/serving/columnar-serving-store.js';
import { arg } from './bench-args.js';
import { generateRollups } from './query-data.js';
import { PeerLoader } from './query-peer.js';

export interface Generated {
  stores: number;
  days: number;
  rows: number;
  genS: number;
  storeQuarters: number;
  bytes: number;
  snapshotBytes: number;
  snapshotMs: number;
  peerStores: number;
  peerRows: number;
}

const dir = process.argv[process.argv.indexOf('--dir') + 1]!;
const stores = arg('stores', 5000);
const days = arg('days', 365);
const peerStores = Math.min(stores, arg('peer-stores', stores));

const world = generateWorld({ seed: 1, tenants: 1, stores });
const tenant = world.tenants[0]!.tenant.tenant_id;
const serving = await ColumnarServingStore.open(join(dir, 'serving'));
serving.setTenant(tenant, { reportingCurrency: world.tenants[0]!.tenant.reporting_currency, cutoffMinutes: 0 });
const peer = peerStores > 0 ? await PeerLoader.create(world, join(dir, 'peer.duckdb')) : null;
const t0 = performance.now();
const rows = await generateRollups(
  world,
  serving.rollups(tenant),
  days,
  peer === null ? undefined : (r) => {
    if (r.store < peerStores) peer.add(r);
  },
  (done, n) => process.stderr.write(`  ${String(done)} days, ${String(n)} rows, ${((performance.now() - t0) / 1000).toFixed(0)} s\n`),
  peer === null ? undefined : () => peer.drain(),
);
const genS = (performance.now() - t0) / 1000;
await peer?.close();
const size = serving.stats();
const snap = await serving.snapshot();
const out: Generated = { stores, days, rows, genS, storeQuarters: size.storeQuarters, bytes: size.bytes, snapshotBytes: snap.bytes, snapshotMs: snap.ms, peerStores, peerRows: peer?.rows ?? 0 };
process.stdout.write(`${JSON.stringify(out)}\n`);
