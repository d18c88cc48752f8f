/**
 * Stream workers by lease, as real processes (`node dist/src/cli/main.js
 * stream` with `stream.lease`), on a real nats-server (the JetStream log and
 * the lease bucket) and a real clickhouse-server (the shared serving store):
 * three workers split the partitions while sales keep arriving, one is
 * killed with SIGKILL, the others take its partitions over from their last
 * commits within 10 s (the time is printed), and the totals in ClickHouse
 * equal a brute-force tally of every record written: nothing lost, nothing
 * counted twice. A worker stopped with SIGTERM hands its leases back.
 *
 * Without nats-server or clickhouse-server installed the file is skipped,
 * except with CI=true, where a server that cannot start fails it.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { JetStreamLeases } from '../../src/log/jetstream-leases.js';
import { JetStreamLog } from '../../src/log/jetstream-log.js';
import { ClickHouseServingStore } from '../../src/serving/clickhouse-serving-store.js';
import { PARTITION_LEASE } from '../../src/stream/leased-stream.js';
import { TenantDirectory } from '../../src/stream/tenant-directory.js';
import { FxStore } from '../../src/tenants/fx-store.js';
import { RegistryStore } from '../../src/tenants/registry-store.js';
import { TenantStore } from '../../src/tenants/tenant-store.js';
import { ClickHouseHttp } from '../../src/warehouse/clickhouse-http.js';
import { clickHouseBinary, startClickHouse } from '../support/clickhouse-server.js';
import { startIngestProcess, type IngestProcess } from '../support/ingest-process.js';
import { servingTallies, setupWorld, sortedTallies, writeSales, type Tallies } from '../support/jetstream-sales.js';
import { skipUnlessCi, startNatsServer } from '../support/nats-server.js';
import { tempDir } from '../support/temp-dir.js';

const PARTITIONS = 8;
const STREAM = 'TPAY_LEASE_T';
const TTL_MS = 5000;
const DAY = 86_400_000;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

const chBinary = clickHouseBinary();
const nats = chBinary === null ? null : await startNatsServer().catch(skipUnlessCi);
const skip = chBinary === null ? 'clickhouse-server is not installed' : nats === null ? 'nats-server is not installed' : false;
after(async () => {
  await nats?.stop();
});

async function until(what: string, timeoutMs: number, ok: () => Promise<boolean>): Promise<void> {
  const t0 = Date.now();
  while (!(await ok())) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`${what}: not within ${String(timeoutMs)} ms`);
    await sleep(100);
  }
}

describe('stream workers by lease', { skip }, () => {
  it('take a killed worker’s partitions over within 10 s, with exact totals', async () => {
    await using dir = tempDir();
    const ch = await startClickHouse(chBinary!);
    const database = ch.freshDatabase();
    const workers: IngestProcess[] = [];
    let nc: NatsConnection | null = null;
    let load: Promise<number> | null = null;
    let stopLoad = false;
    try {
      nc = await connect({ servers: nats!.url });
      // A long writer lease: this process also generates the sales, and a busy machine can hold its event loop for seconds.
      const log = await JetStreamLog.open(nc, { stream: STREAM, partitions: PARTITIONS, leaseTtlMs: 60_000 });
      const writer = await log.openWriter([...Array(PARTITIONS).keys()]);
      const world = setupWorld(dir.path, { seed: 21, tenants: 2, stores: 60 });
      const tally: Tallies = new Map();
      const preloaded = await writeSales(writer, PARTITIONS, world, { start: '2026-11-02T00:00:00Z', durationMs: 3 * DAY, salesPerStoreDay: 120 }, tally);
      const config = join(dir.path, 'stream.json');
      writeFileSync(
        config,
        JSON.stringify({
          adapters: { log: 'jetstream', serving: 'clickhouse' },
          clickhouse: { url: ch.url, servingDatabase: database },
          nats: { servers: nats!.url, stream: STREAM },
          stream: { healthPort: 0, lease: { ttlMs: TTL_MS, scanIntervalMs: 500, batchRecords: 4000, batchMs: 200 } },
        }),
      );
      for (let i = 0; i < 3; i++) workers.push(await startIngestProcess(dir.path, ['--health-port', '0'], { TPAY_CONFIG: config }, 'stream'));
      const leases = await JetStreamLeases.open(nc, { bucket: `${STREAM}_STREAM_LEASES`, ttlMs: TTL_MS });
      const holders = async (): Promise<(string | null)[]> => Promise.all([...Array(PARTITIONS).keys()].map((p) => leases.holderOf(PARTITION_LEASE(p))));
      const raw = new ClickHouseHttp({ url: ch.url });
      const maxEpochs = async (): Promise<Map<number, number>> => {
        const body = (await raw.query(`SELECT log_partition, max(epoch) FROM ${database}.rollup_commits GROUP BY log_partition FORMAT TabSeparated`)).toString();
        return new Map(body.trim().split('\n').filter((l) => l !== '').map((l) => l.split('\t').map(Number) as [number, number]));
      };

      // Sales keep arriving while the workers run and while one of them dies.
      let loadDone = false;
      load = writeSales(writer, PARTITIONS, world, { start: '2026-11-05T00:00:00Z', durationMs: 40 * DAY, salesPerStoreDay: 120, seqBase: 1e9 }, tally, {
        commitEvery: 1000,
        pace: () => sleep(20),
        stop: () => stopLoad,
      }).finally(() => {
        loadDone = true;
      });

      await until('every partition owned, by three workers', 30_000, async () => {
        const h = await holders();
        const counts = new Map<string | null, number>();
        for (const x of h) counts.set(x, (counts.get(x) ?? 0) + 1);
        return !counts.has(null) && counts.size === 3 && [...counts.values()].every((n) => n <= Math.ceil(PARTITIONS / 3));
      });
      const owners = await holders();
      const victim = workers[1]!;
      const mine = owners.flatMap((h, p) => (h !== null && h.includes(`-${String(victim.proc.pid)}-`) ? [p] : []));
      assert.ok(mine.length >= 2 && mine.length <= 3, `the victim owns ${String(mine.length)} partitions (fair share of 8 over 3 is at most 3)`);
      await until('the victim has committed batches', 30_000, async () => {
        const e = await maxEpochs();
        return mine.every((p) => e.has(p));
      });
      const epochsAtKill = await maxEpochs();
      const t0 = performance.now();
      await victim.kill9();
      await until('the victim’s partitions claimed by another worker', 20_000, async () => {
        const e = await maxEpochs();
        return mine.every((p) => (e.get(p) ?? 0) > epochsAtKill.get(p)!);
      });
      const takeoverMs = performance.now() - t0;
      process.stdout.write(`# killed at ${new Date(Date.now() - takeoverMs).toISOString()}\n`);

      process.stdout.write(`# stream_lease_takeover_ms: ${takeoverMs.toFixed(0)} ms (lease TTL ${String(TTL_MS)} ms; busy machine)\n`);
      assert.ok(takeoverMs <= 10_000, `take-over took ${takeoverMs.toFixed(0)} ms`);
      assert.ok(!loadDone, 'the take-over happened under load');
      const heldNow = await holders();
      for (const p of mine) {
        const h = heldNow[p] ?? null;
        assert.ok(h !== null && !h.includes(`-${String(victim.proc.pid)}-`), `partition ${String(p)} now held by ${String(h)}`);
      }

      // Two more seconds of sales after the take-over, then the end of the load.
      await sleep(2000);
      stopLoad = true;
      const written = preloaded + (await load);
      await writer.close();
      const serving = await ClickHouseServingStore.open({ url: ch.url, database });
      const directory = new TenantDirectory(new TenantStore(dir.path), new RegistryStore(dir.path), new FxStore(dir.path));
      await until('every record committed', 180_000, async () => {
        for (let p = 0; p < PARTITIONS; p++) if ((await serving.appliedOffset(p)) < (await log.endOffset(p))) return false;
        return true;
      });
      const tenants = directory.ids();
      for (const id of tenants) serving.setTenant(id, directory.get(id)!.settings);
      const counted = await servingTallies(serving, tenants, Date.UTC(2026, 0, 1), Date.UTC(2027, 0, 1));
      let logEnd = 0;
      for (let p = 0; p < PARTITIONS; p++) logEnd += await log.endOffset(p);
      const countedRecords = [...counted.values()].reduce((n, t) => n + t.sales + t.refunds + t.voids, 0);
      const tallied = [...tally.values()].reduce((n, t) => n + t.sales + t.refunds + t.voids, 0);
      process.stdout.write(`# written ${String(written)}, tallied ${String(tallied)}, log end ${String(logEnd)}, counted ${String(countedRecords)}\n`);
      if (countedRecords !== written) {
        const body = (await raw.query(`SELECT log_partition, epoch, min(from_offset), max(to_offset), count() FROM ${database}.rollup_commits GROUP BY log_partition, epoch ORDER BY log_partition, epoch FORMAT TabSeparated`)).toString();
        process.stdout.write(body.split('\n').map((l) => `# ${l}`).join('\n'));
      }
      for (const [key, want] of sortedTallies(tally)) assert.deepEqual(counted.get(key), want, key);
      assert.deepEqual(sortedTallies(counted).map(([k]) => k), sortedTallies(tally).map(([k]) => k));
      const records = [...counted.values()].reduce((n, t) => n + t.sales + t.refunds + t.voids, 0);
      assert.equal(records, written, 'every record counted once');

      // SIGTERM: the survivors finish their batches and hand their leases back.
      for (const w of [workers[0]!, workers[2]!]) assert.equal(await w.stop(), 0);
      workers.length = 0;
      assert.deepEqual(await holders(), Array<null>(PARTITIONS).fill(null));
      await serving.close();
      await raw.close();
      await log.close();
    } finally {
      for (const w of workers) for (const l of w.stderr) process.stdout.write(`# ${String(w.proc.pid)} ${l}\n`);
      stopLoad = true;
      await load?.catch(() => 0);
      for (const w of workers) if (w.proc.exitCode === null && w.proc.signalCode === null) await w.kill9();
      await nc?.close();
      await ch.stop();
    }
  });
});
