/**
 * `tpay run` killed with SIGKILL during ingest, again and again, then
 * restarted: the API's totals equal the brute-force reference over the
 * valid records of the stream exactly, to the minor unit. Snapshots are
 * taken every second, so crashes land before, during and after them.
 */
import { strict as assert } from 'node:assert';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, it } from 'node:test';
import { sendTenants } from '../../src/firehose/multi-tenant-sender.js';
import { Prng } from '../../src/firehose/prng.js';
import type { RecordOptions } from '../../src/firehose/record-options.js';
import { tenantLineChunks } from '../../src/firehose/records.js';
import { generateWorld } from '../../src/firehose/world.js';
import { freePort, startIngestProcess, type IngestProcess } from '../support/ingest-process.js';
import { addReference, provisionTenants } from '../support/role-totals.js';
import { tempDir } from '../support/temp-dir.js';
import { ALL_METRICS, refMetrics, type RefTxn } from '../serving/reference.js';


/** Sums of the additive metrics over a group's points. */
function sumPoints(points: Record<string, number | null>[]): Record<string, number | null> {
  const out: Record<string, number | null> = {};
  for (const m of ALL_METRICS) if (m !== 'avg_basket') out[m] = points.reduce((n, p) => n + (p[m] as number), 0);
  return out;
}

function totals(list: RefTxn[]): Record<string, number | null> {
  const m = refMetrics(list);
  delete m['avg_basket'];
  return m;
}

describe('crash safety of tpay run', () => {
  it('kill -9 during ingest, restart: every total equals the reference exactly', { timeout: 240_000 }, async () => {
    await using dir = tempDir();
    const world = generateWorld({ seed: 23, tenants: 2, stores: 40 });
    const { keys, readKeys } = provisionTenants(dir.path, world);
    const opts: RecordOptions = { start: Date.now() - 5 * 86_400_000, records: 12_000, faults: { duplicates: 0.05, outOfOrder: 0.02, late: 0.3, malformed: 0.01 } };

    // The reference: every valid line, first copy of each (terminal, seq), converted the long way.
    const reference = new Map<string, RefTxn[]>();
    addReference(world, opts, reference);

    const port = await freePort();
    const args = ['--tcp-port', String(port), '--http-port', '0'];
    const env = { TPAY_INGEST__DEDUP_SNAPSHOT_INTERVAL_MS: '300', TPAY_LOG__SEGMENT_BYTES: String(1 << 20), TPAY_SERVING__SNAPSHOT_INTERVAL_MS: '1000' };
    let run: IngestProcess = await startIngestProcess(dir.path, args, env, 'run');
    try {
      const sources: Record<string, ReturnType<typeof tenantLineChunks>> = {};
      for (const t of world.tenants) sources[t.tenant.tenant_id] = tenantLineChunks(world, t.tenant.tenant_id, opts, { chunkLines: 500 });
      const sending = sendTenants({ port, keys, sources, connections: 1, ratePerS: 2_500, reconnectDelayMs: [20, 300], maxRetries: 1000 });
      let finished = false;
      const markDone = (): void => {
        finished = true;
      };
      sending.then(markDone, markDone);
      const rng = new Prng(77);
      let kills = 0;
      while (kills < 5 && !finished) {
        await sleep(400 + rng.int(900));
        if (finished) break;
        await run.kill9();
        kills++;
        run = await startIngestProcess(dir.path, args, env, 'run');
      }
      const report = await sending;
      assert.ok(kills >= 3, `only ${String(kills)} kills before the stream ended`);
      assert.equal(report.total.unacked, 0);
      await run.kill9();
      run = await startIngestProcess(dir.path, args, env, 'run');
      const api = `http://127.0.0.1:${String(run.httpPort)}`;
      for (const t of world.tenants) {
        const id = t.tenant.tenant_id;
        const qs = new URLSearchParams({ metrics: ALL_METRICS.join(','), granularity: 'month', tz: 'UTC', from: '2020-01-01', to: '2030-01-01', group_by: 'store' });
        const res = await fetch(`${api}/v1/series?${qs.toString()}`, { headers: { authorization: `Bearer ${readKeys[id]!}` } });
        assert.equal(res.status, 200);
        const body = (await res.json()) as { groups: { key: { store: string }; points: Record<string, number | null>[] }[] };
        const perStore = new Map<string, RefTxn[]>();
        for (const x of reference.get(id)!) perStore.set(x.store.store_id, [...(perStore.get(x.store.store_id) ?? []), x]);
        const got = Object.fromEntries(body.groups.map((g) => [g.key.store, sumPoints(g.points)]));
        const want = Object.fromEntries([...perStore].map(([s, list]) => [s, totals(list)]));
        assert.deepEqual(got, want, `${id}: totals per store`);
      }
      process.stdout.write(`# tpay run crash test: ${String(kills + 1)} kill -9, ${String(report.total.reconnects)} reconnects, ${String(report.total.resent)} lines resent; totals equal the reference\n`);
    } finally {
      // Never leave a server behind, whatever failed.
      await run.kill9();
    }
  });
});
