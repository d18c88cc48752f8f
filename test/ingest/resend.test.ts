/**
 * Re-sending is a no-op, however old the record (DOMAIN.md, "Idempotency"),
 * for real: a separate `tpay ingest` process gets five days of till files
 * (some tills with gaps in their numbering), then the whole files again in
 * random orders over two connections, while it is killed with SIGKILL at
 * random moments and also restarted gracefully. At the end no line is a
 * dead letter, the log holds every record exactly once, and one more
 * re-send of every file is answered `duplicate`, line for line.
 */
import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, it } from 'node:test';
import { listDeadLetters } from '../../src/dlq/dead-letter-store.js';
import { linesSource, type LineChunk } from '../../src/firehose/line-chunk.js';
import { sendTenants } from '../../src/firehose/multi-tenant-sender.js';
import { Prng } from '../../src/firehose/prng.js';
import { auditLog } from '../../src/ingest/log-audit.js';
import { SegmentLog } from '../../src/log/segment-log.js';
import { seedTenants } from '../support/fixtures.js';
import { freePort, startIngestProcess, type IngestProcess } from '../support/ingest-process.js';
import { tempDir } from '../support/temp-dir.js';
import { shuffled, tillFiles } from '../support/till-files.js';

/** The files in `order`, whole, one after the other. */
function* filesSource(files: readonly string[][], order: readonly number[]): Generator<LineChunk> {
  for (const f of order) yield* linesSource(files[f]!, 500);
}

describe('re-sending whole files, days later, across restarts and kill -9', () => {
  it('answers every re-sent record as duplicate: 0 dead letters, 0 double counts', { timeout: 240_000 }, async () => {
    await using dir = tempDir();
    const { acme } = seedTenants(dir.path);
    // 30 tills, days 9..5 ago, every third till skipping numbers (a few hundred gaps each, under the budget).
    const set = tillFiles({ seed: 5, stores: ['S1', 'S2', 'S3'], tillsPerStore: 10, days: 5, firstDayAgo: 9, perDay: [120, 120], gappyEvery: 3 });
    const lines = set.files.reduce((n, f) => n + f.length, 0);
    assert.equal(set.keys.size, lines);
    const maxGaps = Math.max(...set.gaps.values());
    assert.ok(set.gaps.size === 10 && maxGaps > 100 && maxGaps < 1024, `gaps per gappy till: up to ${String(maxGaps)}`);

    const rng = new Prng(77);
    // First delivery in day order, then three rounds of every file again in a random order.
    const order = [0, 1, 2, 3, 4, ...shuffled([0, 1, 2, 3, 4], rng), ...shuffled([0, 1, 2, 3, 4], rng), ...shuffled([0, 1, 2, 3, 4], rng)];
    const port = await freePort();
    const args = ['--tcp-port', String(port), '--http-port', '0'];
    const env = { TPAY_INGEST__DEDUP_SNAPSHOT_INTERVAL_MS: '300', TPAY_LOG__SEGMENT_BYTES: String(1 << 20) };
    let ingest: IngestProcess = await startIngestProcess(dir.path, args, env);
    // A failed assertion must not leave the server running (it would keep this test process alive).
    try {
      const sending = sendTenants({
        port,
        keys: { acme: acme.ingestKey },
        sources: { acme: filesSource(set.files, order) },
        // Two connections: a till's records interleave across them and, after a
        // reconnect, old lines arrive behind newer ones. Order does not matter.
        connections: 2,
        ratePerS: 12_000,
        reconnectDelayMs: [20, 300],
        maxRetries: 1000,
      });
      let finished = false;
      const markDone = (): void => {
        finished = true;
      };
      sending.then(markDone, markDone);
      let kills = 0;
      let stops = 0;
      while (!finished && kills + stops < 10) {
        await sleep(150 + rng.int(700));
        if (finished) break;
        if (rng.int(4) === 0) {
          assert.equal(await ingest.stop(), 0); // graceful: final snapshot, no replay
          stops++;
        } else {
          await ingest.kill9();
          kills++;
        }
        await sleep(rng.int(200));
        ingest = await startIngestProcess(dir.path, args, env);
      }
      const report = await sending;
      assert.ok(kills >= 4, `only ${String(kills)} kills before the stream ended; slow the stream down`);
      assert.equal(report.total.unacked, 0);
      assert.deepEqual(report.total.rejected, {});
      assert.equal(report.total.sent, lines * order.length / 5);
      // An ack lost in a kill makes its lines come back as duplicates, so accepted can fall short; the log audit below is exact.
      assert.ok(report.total.accepted <= lines && report.total.accepted + report.total.duplicates >= report.total.sent);
      await ingest.kill9();
      kills++;

      // Days later, after one more crash: every file again, in yet another order, on a quiet server.
      ingest = await startIngestProcess(dir.path, args, env);
      const again = await sendTenants({ port, keys: { acme: acme.ingestKey }, sources: { acme: filesSource(set.files, shuffled([0, 1, 2, 3, 4], rng)) }, connections: 2 });
      assert.deepEqual({ accepted: again.total.accepted, duplicates: again.total.duplicates, rejected: again.total.rejected }, { accepted: 0, duplicates: lines, rejected: {} });
      const metrics = await (await fetch(`http://127.0.0.1:${String(ingest.httpPort)}/metrics`)).text();
      const gauge = (name: string): number => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(metrics)?.[1]);
      assert.equal(gauge('tpay_ingest_dedup_terminals'), 30);
      // Exactly one interval per till plus one per gap: nothing merged, nothing lost.
      assert.equal(gauge('tpay_ingest_dedup_intervals'), 30 + [...set.gaps.values()].reduce((a, b) => a + b, 0));
      assert.equal(gauge('tpay_ingest_dedup_terminals_at_budget'), 0);
      assert.equal(gauge('tpay_ingest_dedup_intervals_peak'), maxGaps + 1);
      assert.equal(await ingest.stop(), 0);

      process.stdout.write(`# resend test: ${String(lines)} records (logged exactly once, checked below) in 5 files sent ${String(order.length / 5)} times + once more, ${String(kills)} kill -9, ${String(stops)} graceful restarts, ${String(report.total.reconnects)} reconnects, ${String(report.total.resent)} lines resent, ${String(report.total.duplicates + again.total.duplicates)} duplicates\n`);
    } finally {
      await ingest.kill9();
    }

    const dead = await listDeadLetters(join(dir.path, 'dlq'), {});
    assert.deepEqual(dead.map((d) => d.code), []);
    const log = await SegmentLog.open(join(dir.path, 'log'));
    const got = new Set<string>();
    const audit = await auditLog(log, { onRecord: (_t, terminal, seq) => got.add(`${terminal}/${String(seq)}`) });
    await log.close();
    assert.equal(audit.duplicateCount, 0, `stored twice: ${audit.duplicates.slice(0, 5).join(', ')}`);
    assert.equal(audit.records, lines);
    assert.deepEqual([...set.keys].filter((k) => !got.has(k)).slice(0, 5), []);
  });
});
