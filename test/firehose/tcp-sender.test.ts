import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Store } from '../../src/domain/store.js';
import { FirehoseAuthError, FirehoseOptionError } from '../../src/firehose/errors.js';
import { LatencyHistogram } from '../../src/firehose/latency-histogram.js';
import { linesSource, type LineChunk } from '../../src/firehose/line-chunk.js';
import { sendTenants } from '../../src/firehose/multi-tenant-sender.js';
import { groundTruth, tenantLineChunks } from '../../src/firehose/records.js';
import type { RecordOptions } from '../../src/firehose/record-options.js';
import { formatProgress, formatReportJson, formatReportText, type SenderProgress, type SenderReport } from '../../src/firehose/report.js';
import { TcpSender, sendLines } from '../../src/firehose/tcp-sender.js';
import { TokenBucket } from '../../src/firehose/token-bucket.js';
import { generateWorld } from '../../src/firehose/world.js';
import { FakeIngestServer } from './fake-ingest-server.js';
import { checkLine } from './record-checker.js';

const world = generateWorld({ seed: 41, stores: 300 });
const NOW = Date.parse('2027-06-01T00:00:00Z');

function registry(tenant: string): Map<string, Store> {
  return new Map(world.tenants.find((t) => t.tenant.tenant_id === tenant)!.stores.map((s) => [s.store_id, s]));
}

/** A server classifying lines exactly like the test checker, i.e. like DOMAIN.md. */
function domainServer(extra: Partial<ConstructorParameters<typeof FakeIngestServer>[0]> = {}): FakeIngestServer {
  const regs = new Map(world.tenants.map((t) => [t.tenant.tenant_id, registry(t.tenant.tenant_id)]));
  return new FakeIngestServer({
    keys: { 'k-acme': 'acme', 'k-globex': 'globex' },
    // The fake serves one tenant's registry per test; acme's and globex's store ids overlap, as real tenants' may.
    classify: (line) => {
      const v = checkLine(line, 'acme', regs.get('acme')!, NOW);
      return v.ok ? null : v.code;
    },
    ...extra,
  });
}

function total(r: SenderReport): number {
  return Object.values(r.rejected).reduce((a, b) => a + b, 0);
}

describe('TCP sender', () => {
  it('streams every line, and the acks account for each exactly once', async () => {
    await using srv = domainServer();
    const port = await srv.listen();
    const opts: RecordOptions = { start: '2026-11-01T00:00:00Z', records: 30_000 };
    const truth = groundTruth(world, opts)[0]!;
    const progress: SenderProgress[] = [];
    const r = await sendLines(tenantLineChunks(world, 'acme', opts, { chunkLines: 1000 }), {
      port,
      key: 'k-acme',
      connections: 3,
      onProgress: (p) => progress.push(p),
      progressIntervalMs: 50,
    });
    assert.equal(r.sent, truth.lines);
    assert.equal(r.accepted, truth.valid);
    assert.equal(r.duplicates, 0);
    assert.deepEqual(r.rejected, {});
    assert.equal(r.unacked, 0);
    assert.equal(r.aborted, false);
    assert.equal(srv.accepted.size, truth.valid);
    assert.equal(srv.connections, 3);
    assert.ok(r.ackLatencyMs.p50 > 0 && r.ackLatencyMs.p50 <= r.ackLatencyMs.p99 && r.ackLatencyMs.p99 <= r.ackLatencyMs.max);
    assert.ok(r.achievedRatePerS > 0);
    assert.ok(progress.length > 0 && progress.every((p) => p.inFlight >= 0 && p.acked <= p.sent));
  });

  it('counts rejects by code and duplicates as the server answers them', async () => {
    await using srv = domainServer();
    const port = await srv.listen();
    const opts: RecordOptions = { start: '2026-11-01T00:00:00Z', records: 20_000, faults: { malformed: 0.02, duplicates: 0.02 } };
    const truth = groundTruth(world, opts)[0]!;
    const r = await sendLines(tenantLineChunks(world, 'acme', opts, { chunkLines: 700 }), { port, key: 'k-acme', connections: 2 });
    assert.deepEqual(r.rejected, truth.malformed);
    assert.equal(r.duplicates, truth.duplicates);
    assert.equal(r.accepted, truth.valid);
    assert.equal(r.accepted + r.duplicates + total(r), r.sent);
  });

  it('reconnects after a drop, resends what was not acknowledged, and the server ends up with every line once', async () => {
    await using srv = domainServer({ dropAfterLines: 4000 });
    const port = await srv.listen();
    const opts: RecordOptions = { start: '2026-11-01T00:00:00Z', records: 20_000, faults: { malformed: 0.01 } };
    const truth = groundTruth(world, opts)[0]!;
    const r = await sendLines(tenantLineChunks(world, 'acme', opts, { chunkLines: 500 }), {
      port,
      key: 'k-acme',
      connections: 2,
      reconnectDelayMs: [20, 200],
    });
    assert.ok(r.reconnects >= 1, 'reconnected');
    assert.ok(r.resent > 0, 'resent unacknowledged lines');
    assert.equal(srv.accepted.size, truth.valid, 'every valid line reached the server');
    // Lines decided before the drop but never acknowledged come back as duplicates; nothing is counted twice.
    assert.equal(r.accepted + r.duplicates, truth.valid);
    assert.deepEqual(r.rejected, truth.malformed);
    assert.equal(r.accepted + r.duplicates + total(r), r.sent);
    assert.equal(r.unacked, 0);
  });

  it('sends several tenants with their own keys and adds up one report', async () => {
    await using srv = new FakeIngestServer({ keys: { 'k-acme': 'acme', 'k-globex': 'globex' } });
    const port = await srv.listen();
    const opts: RecordOptions = { start: '2026-11-01T00:00:00Z', records: 5000 };
    const { total: sum, tenants } = await sendTenants({
      port,
      keys: { acme: 'k-acme', globex: 'k-globex' },
      sources: { acme: tenantLineChunks(world, 'acme', opts), globex: tenantLineChunks(world, 'globex', opts) },
      connections: 2,
    });
    assert.equal(tenants.acme!.accepted, 5000);
    assert.equal(tenants.globex!.accepted, 5000);
    assert.equal(sum.accepted, 10_000);
    assert.equal(sum.sent, 10_000);
    assert.equal([...srv.accepted].filter((k) => k.startsWith('globex|')).length, 5000);
    await assert.rejects(sendTenants({ port, keys: {}, sources: { acme: [] } }), FirehoseOptionError);
  });

  it('fails fast on a refused key', async () => {
    await using srv = new FakeIngestServer({ keys: { good: 'acme' } });
    const port = await srv.listen();
    await assert.rejects(sendLines(linesSource(['{}']), { port, key: 'bad', connections: 2 }), FirehoseAuthError);
  });

  it('holds the target rate (functional check: ±10 % over ~2 s)', async () => {
    await using srv = new FakeIngestServer({ keys: { k: 'acme' } });
    const port = await srv.listen();
    const lines = Array.from({ length: 10_000 }, (_, i) => `{"terminal_id":"T-1","seq":${i + 1}}`);
    const r = await sendLines(linesSource(lines, 1000), { port, key: 'k', connections: 2, ratePerS: 5000 });
    assert.equal(r.accepted, 10_000);
    assert.ok(r.achievedRatePerS > 4500 && r.achievedRatePerS < 5500, `${r.achievedRatePerS} lines/s`);
  });

  it('stops taking lines when the server stops reading: memory stays within the unacked limit', async () => {
    await using srv = new FakeIngestServer({ keys: { k: 'acme' }, stallAfterAuth: true });
    const port = await srv.listen();
    let pulled = 0;
    const line = `{"terminal_id":"T-1","seq":1,"pad":"${'x'.repeat(200)}"}`;
    function* endless(): Generator<LineChunk> {
      const chunk = Buffer.from(`${line}\n`.repeat(100));
      for (;;) {
        pulled += 100;
        yield { data: chunk, lines: 100 };
      }
    }
    const ac = new AbortController();
    let maxInFlight = 0;
    const sender = new TcpSender(endless(), {
      port,
      key: 'k',
      connections: 2,
      maxUnackedLines: 1000,
      signal: ac.signal,
      progressIntervalMs: 20,
      onProgress: (p) => (maxInFlight = Math.max(maxInFlight, p.inFlight)),
    });
    const run = sender.run();
    await new Promise((resolve) => setTimeout(resolve, 800));
    assert.ok(sender.inFlight() <= 2000, `${sender.inFlight()} in flight`);
    assert.ok(pulled <= 2000 + 100, `${pulled} lines taken from the source`);
    assert.ok(pulled >= 2000, 'filled both connections up to their limit');
    ac.abort();
    const r = await run;
    assert.equal(r.aborted, true);
    assert.ok(r.unacked <= 2000);
    assert.ok(maxInFlight <= 2000);
  });

  it('rejects bad options naming the key', () => {
    assert.throws(() => new TcpSender([], { key: 'k', connections: 0 }), (e: unknown) => e instanceof FirehoseOptionError && e.key === 'connections');
    assert.throws(() => new TcpSender([], { key: 'has space' }), /'key'/);
    assert.throws(() => new TcpSender([], { key: 'k', ratePerS: -1 }), /'ratePerS'/);
  });
});

describe('sender report and helpers', () => {
  const report: SenderReport = {
    sent: 1000,
    accepted: 990,
    duplicates: 5,
    rejected: { unknown_store: 3, invalid_json: 2 },
    achievedRatePerS: 12_345.678,
    ackLatencyMs: { p50: 1.25, p99: 7.5, max: 9 },
    elapsedMs: 81.0004,
    reconnects: 1,
    resent: 40,
    unacked: 0,
    aborted: false,
  };

  it('formats the report as `name: value unit` lines', () => {
    const text = formatReportText(report);
    for (const line of text.trimEnd().split('\n')) assert.match(line, /^[a-z0-9_]+: -?[0-9.]+ [a-z/]+$/);
    assert.ok(text.includes('rejected: 5 lines\n'));
    assert.ok(text.includes('rejected_invalid_json: 2 lines\nrejected_unknown_store: 3 lines\n'));
    assert.ok(text.includes('achieved_rate: 12345.7 lines/s\n'));
    assert.ok(text.includes('ack_latency_p99: 7.500 ms\n'));
  });

  it('formats the report as JSON and a progress line', () => {
    const back = JSON.parse(formatReportJson(report)) as SenderReport;
    assert.deepEqual(back, { ...report, rejected: { invalid_json: 2, unknown_store: 3 } });
    assert.match(formatProgress({ elapsedMs: 1500, ratePerS: 99.6, sent: 1, acked: 9, accepted: 2, duplicates: 3, rejected: 4, inFlight: 5, reconnects: 6 }), /^1\.5 s {2}100 lines\/s {2}sent 1 /);
  });

  it('keeps latency quantiles within 1/16 in a fixed-size histogram', () => {
    const h = new LatencyHistogram();
    for (let i = 1; i <= 1000; i++) h.record(i / 10);
    const s = h.summary();
    assert.ok(Math.abs(s.p50 - 50) / 50 < 1 / 16, `p50 ${s.p50}`);
    assert.ok(Math.abs(s.p99 - 99) / 99 < 1 / 16, `p99 ${s.p99}`);
    assert.equal(s.max, 100);
    const other = new LatencyHistogram();
    other.record(500);
    h.merge(other);
    assert.equal(h.count, 1001);
    assert.equal(h.summary().max, 500);
    assert.deepEqual(new LatencyHistogram().summary(), { p50: 0, p99: 0, max: 0 });
  });

  it('refills tokens from elapsed time and caps the burst', () => {
    const b = new TokenBucket(1000, 0.05, 0);
    b.refill(10);
    assert.equal(b.take(100), 10);
    b.refill(1010);
    assert.equal(b.available(), 50, 'burst cap: 50 ms of tokens');
    assert.equal(b.waitMs(), 0);
    b.take(50);
    assert.equal(b.waitMs(), 1);
  });
});
