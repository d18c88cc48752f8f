import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeCompactTransaction } from '../../src/domain/compact-decoder.js';
import { decodeTransaction } from '../../src/domain/transaction-decoder.js';
import { compactSource, toCompactChunk, type CompactConversion } from '../../src/firehose/compact-chunks.js';
import { linesToChunk, offsetAfterFrames, splitChunk, type LineChunk } from '../../src/firehose/line-chunk.js';
import { groundTruth, tenantLineChunks } from '../../src/firehose/records.js';
import type { RecordOptions } from '../../src/firehose/record-options.js';
import { sendLines } from '../../src/firehose/tcp-sender.js';
import { generateWorld } from '../../src/firehose/world.js';
import { RegistryStore } from '../../src/tenants/registry-store.js';
import { TenantStore } from '../../src/tenants/tenant-store.js';
import { startService } from '../support/service.js';
import { tempDir } from '../support/temp-dir.js';

const world = generateWorld({ seed: 43, stores: 200 });
const ctx = { tenant: 'acme', nowMs: Infinity, hasStore: () => true, maxLineBytes: 4096 };

/** The records of a compact chunk, decoded. */
function records(c: LineChunk): unknown[] {
  const out: unknown[] = [];
  for (let at = 0; at < c.data.length; ) {
    const end = at + 2 + c.data.readUInt16LE(at);
    const r = decodeCompactTransaction(c.data, at + 2, end, ctx);
    assert.ok(r.ok);
    out.push(r.txn);
    at = end;
  }
  return out;
}

void describe('compact chunks', () => {
  void it('converts generated lines to frames that decode to the same transactions', () => {
    const lines = [...tenantLineChunks(world, 'acme', { start: '2026-11-01T00:00:00Z', records: 2000 }, { chunkLines: 500 })];
    const stats: CompactConversion = { lines: 0, unconverted: 0 };
    for (const chunk of lines) {
      const c = toCompactChunk(chunk, 'acme', stats);
      assert.equal(c.format, 'compact');
      assert.equal(c.lines, chunk.lines);
      assert.ok(c.data.length * 2 < chunk.data.length);
      const want = chunk.data.toString().trimEnd().split('\n').map((l) => {
        const b = Buffer.from(l);
        const r = decodeTransaction(b, 0, b.length, ctx);
        assert.ok(r.ok);
        return r.txn;
      });
      assert.deepStrictEqual(records(c), want);
    }
    assert.deepEqual(stats, { lines: 2000, unconverted: 0 });
  });

  void it('leaves out, and counts, lines with no compact form', () => {
    const good = [...tenantLineChunks(world, 'acme', { start: '2026-11-01T00:00:00Z', records: 2 })][0]!.data.toString().trimEnd().split('\n');
    const withExtra = `${good[1]!.slice(0, -1)},"pos":"7.2"}`;
    const stats: CompactConversion = { lines: 0, unconverted: 0 };
    const c = toCompactChunk(linesToChunk([good[0]!, '{broken', withExtra]), 'acme', stats);
    assert.equal(c.lines, 1);
    assert.deepEqual(stats, { lines: 3, unconverted: 2 });
  });

  void it('splits at frame ends', () => {
    const c = toCompactChunk([...tenantLineChunks(world, 'acme', { start: '2026-11-01T00:00:00Z', records: 10 })][0]!, 'acme');
    const [head, tail] = splitChunk(c, 4);
    assert.deepEqual([head.lines, tail.lines, head.format, tail.format], [4, 6, 'compact', 'compact']);
    assert.equal(head.data.length, offsetAfterFrames(c.data, 4));
    assert.deepStrictEqual([...records(head), ...records(tail)], records(c));
    assert.equal(offsetAfterFrames(c.data, 11), -1);
  });

  void it('streams compact records to a real ingest server: every valid record once, resends as duplicates', async () => {
    await using dir = tempDir();
    const tenant = world.tenants[0]!.tenant.tenant_id;
    const tenants = new TenantStore(dir.path);
    tenants.createTenant({ id: tenant, reportingCurrency: world.tenants[0]!.tenant.reporting_currency });
    new RegistryStore(dir.path).put(tenant, world.tenants[0]!.stores);
    const key = tenants.createKey(tenant, 'ingest').secret;
    await using s = await startService(dir.path);
    const opts: RecordOptions = { start: new Date(Date.now() - 3 * 86_400_000).toISOString(), records: 5000 };
    const truth = groundTruth(world, opts)[0]!;
    const source = (): AsyncGenerator<LineChunk> => compactSource(tenantLineChunks(world, tenant, opts, { chunkLines: 700 }), tenant);
    // Small batches and windows: chunks are split and acks cover parts of batches.
    const send = { port: s.svc.tcpPort, key, connections: 2, maxBatchLines: 300, maxUnackedLines: 450, format: 'compact' as const };
    const first = await sendLines(source(), send);
    assert.deepEqual([first.sent, first.accepted, first.duplicates, first.rejected], [truth.lines, truth.valid, 0, {}]);
    const again = await sendLines(source(), send);
    assert.deepEqual([again.accepted, again.duplicates], [0, truth.valid]);
  });
});
