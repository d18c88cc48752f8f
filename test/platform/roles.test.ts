/**
 * The roles as three processes on one data directory: `tpay ingest` (TCP),
 * `tpay stream` and `tpay api`. Sales go in over TCP; the API's totals
 * equal the brute-force reference exactly. Then each role in turn is killed
 * with SIGKILL and restarted while more sales arrive: after every restart
 * the totals equal the reference again (nothing lost, nothing counted
 * twice). The API has no raw-transaction drill-down beside a Parquet
 * warehouse, and says why. While the stream role is down the API still follows the log, and
 * neither the stream's checkpoints nor its snapshot move: the API writes
 * neither.
 */
import { strict as assert } from 'node:assert';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, it } from 'node:test';
import { generateWorld } from '../../src/firehose/world.js';
import type { RefTxn } from '../serving/reference.js';
import { freePort, startIngestProcess, type IngestProcess } from '../support/ingest-process.js';
import { expectTotals, phasedSender, probes, provisionTenants, roleStarters } from '../support/role-totals.js';
import { tempDir } from '../support/temp-dir.js';

/** The stream's durable marks: its checkpoints and its serving snapshot. */
function streamMarks(dataDir: string): string {
  const dir = join(dataDir, 'log', 'checkpoints', 'rollups');
  const checkpoints = existsSync(dir) ? readdirSync(dir).sort().map((f) => `${f}=${readFileSync(join(dir, f), 'utf8').trim()}`) : [];
  const snap = join(dataDir, 'serving', 'snapshot.bin');
  return `${checkpoints.join(',')} snapshot@${existsSync(snap) ? String(statSync(snap).mtimeMs) : '-'}`;
}

describe('roles as processes on one data directory', () => {
  it('ingest, stream and api: totals equal the reference, and again after kill -9 and restart of each', { timeout: 600_000 }, async () => {
    await using dir = tempDir();
    const world = generateWorld({ seed: 41, tenants: 2, stores: 20 });
    const { keys, readKeys } = provisionTenants(dir.path, world);
    const reference = new Map<string, RefTxn[]>();
    const tcpPort = await freePort();
    const send = phasedSender(world, keys, reference, () => tcpPort);
    const env = { TPAY_INGEST__DEDUP_SNAPSHOT_INTERVAL_MS: '300', TPAY_LOG__SEGMENT_BYTES: String(1 << 20), TPAY_SERVING__SNAPSHOT_INTERVAL_MS: '1000', TPAY_FORECAST__CHECK_INTERVAL_MS: '0' };
    const { ingest: startIngest, stream: startStream, api: startApi } = roleStarters(dir.path, tcpPort, env);
    let ingest = await startIngest();
    let stream: IngestProcess | null = null;
    let api: IngestProcess | null = null;
    try {
      stream = await startStream();
      api = await startApi();
      await probes(ingest.httpPort, 'ingest');
      await probes(stream.httpPort, 'stream');
      await probes(api.httpPort, 'api');

      await send(3_000);
      await expectTotals(api.httpPort, world, readKeys, reference, 'three roles');

      // A role runs once per data directory, and `tpay run` never beside one.
      const second: [string, string[], string][] = [
        ['stream', ['--health-port', '0'], 'role_running'],
        ['api', ['--http-port', '0'], 'role_running'],
        ['run', ['--tcp-port', '0', '--http-port', '0'], 'data_dir_locked'],
      ];
      for (const [command, args, code] of second) {
        await assert.rejects(startIngestProcess(dir.path, args, env, command), (e: unknown) => (e as Error).message.includes(`error: ${code}:`), `a second '${command}'`);
      }

      // The stream role dies: the API follows the log on its own and writes none of the stream's state.
      await stream.kill9();
      await sleep(300);
      const marks = streamMarks(dir.path);
      await send(2_000);
      await expectTotals(api.httpPort, world, readKeys, reference, 'stream down');
      await sleep(1500);
      assert.equal(streamMarks(dir.path), marks, 'with the stream down, no checkpoint of group rollups and no snapshot was written');
      stream = await startStream();
      await probes(stream.httpPort, 'stream');
      await send(2_000);
      await expectTotals(api.httpPort, world, readKeys, reference, 'stream restarted');

      // The API dies and starts again from the stream's snapshot plus the log.
      await api.kill9();
      await send(2_000);
      const apiStart = performance.now();
      api = await startApi();
      await probes(api.httpPort, 'api');
      const apiReadyMs = Math.round(performance.now() - apiStart);
      const drill = await fetch(`http://127.0.0.1:${String(api.httpPort)}/v1/transactions/T1`, { headers: { authorization: `Bearer ${readKeys[world.tenants[0]!.tenant.tenant_id]!}` } });
      assert.equal(drill.status, 404);
      assert.match(((await drill.json()) as { error: { message: string } }).error.message, /adapters\.warehouse 'parquet' has one owner, the stream role/);
      await expectTotals(api.httpPort, world, readKeys, reference, 'api restarted');

      // Ingest dies in the middle of a stream of sales; the sender reconnects and resends.
      await send(4_000, async () => {
        await sleep(600);
        await ingest.kill9();
        ingest = await startIngest();
      });
      await probes(ingest.httpPort, 'ingest');
      await expectTotals(api.httpPort, world, readKeys, reference, 'ingest restarted');

      // A stopped stream leaves a snapshot that holds everything: its restart replays nothing it already had.
      assert.equal(await stream.stop(), 0, 'the stream role stops cleanly on SIGTERM');
      stream = await startStream();
      await probes(stream.httpPort, 'stream');
      const total = [...reference.values()].reduce((n, l) => n + l.length, 0);
      process.stdout.write(`# roles test: ${String(total)} distinct valid sales over 5 phases; kill -9 of stream, api and ingest; totals equal the reference; api ready ${String(apiReadyMs)} ms after its restart\n`);
    } finally {
      // Never leave a process behind, whatever failed.
      await api?.kill9();
      await stream?.kill9();
      await ingest.kill9();
    }
  });
});
