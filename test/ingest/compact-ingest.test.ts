import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, it } from 'node:test';
import { COMPACT_CONTENT_TYPE, compactFrame, type CompactRecordInput } from '../../src/domain/compact-record.js';
import { decodeIngestedRecord } from '../../src/domain/ingested-record.js';
import { decodeIngestedTransaction } from '../../src/domain/ingested-transaction.js';
import { listDeadLetters } from '../../src/dlq/dead-letter-store.js';
import { auditLog } from '../../src/ingest/log-audit.js';
import { SegmentLog } from '../../src/log/segment-log.js';
import { RegistryStore } from '../../src/tenants/registry-store.js';
import { seedTenants, store, txnLine } from '../support/fixtures.js';
import { TestIngestClient } from '../support/ingest-client.js';
import { startService } from '../support/service.js';
import { tempDir } from '../support/temp-dir.js';

/** The compact twin of `txnLine`: the same sale of 45.99 EUR at S1. */
function txn(over: Partial<CompactRecordInput> = {}): CompactRecordInput {
  const seq = over.seq ?? 1;
  const terminal = over.terminal_id ?? 'T1';
  return {
    txn_id: `R-${terminal}-${String(seq)}`,
    store_id: 'S1',
    terminal_id: terminal,
    seq,
    ts: Date.UTC(2026, 2, 1, 9, 15),
    ts_offset_min: 60,
    type: 'sale',
    amount_minor: 4599,
    currency: 'EUR',
    tax_minor: 734,
    discount_minor: null,
    tender: 'card',
    card_brand: 'visa',
    items: null,
    ref_txn_id: null,
    ...over,
  };
}

function frames(...ts: (CompactRecordInput | Uint8Array)[]): Buffer {
  return Buffer.concat(ts.map((t) => (t instanceof Uint8Array ? t : compactFrame(t))));
}

async function connectCompact(port: number, key: string): Promise<TestIngestClient> {
  const c = await TestIngestClient.connect(port);
  c.write(`AUTH ${key} format=compact\n`);
  await c.waitFor(() => c.answers.length > 0 || c.closed);
  return c;
}

/** Every record in the log: its key and amount, decoded whichever version wrote it. */
async function logged(dataDir: string): Promise<{ keys: string[]; amount: number; duplicates: number }> {
  const log = await SegmentLog.open(join(dataDir, 'log'));
  const keys: string[] = [];
  let amount = 0;
  try {
    const audit = await auditLog(log);
    for (let p = 0; p < log.partitions; p++) {
      const r = await log.openReader(p, 0);
      for (let batch = await r.read(10_000, 1 << 24); batch.length > 0; batch = await r.read(10_000, 1 << 24)) {
        for (const x of batch) {
          const rec = decodeIngestedRecord(x.payload);
          const d = decodeIngestedTransaction(rec, { tenant: rec.tenant, nowMs: rec.receivedAt, hasStore: () => true, maxLineBytes: 1 << 20 });
          assert.ok(d.ok, d.ok ? '' : d.message);
          keys.push(`${rec.tenant}/${rec.terminalId}/${String(rec.seq)}`);
          amount += d.txn.amount_minor;
        }
      }
      await r.close();
    }
    return { keys: keys.sort(), amount, duplicates: audit.duplicateCount };
  } finally {
    await log.close();
  }
}

describe('compact records over TCP', () => {
  it('negotiates the format on the AUTH line, acknowledges durable records and counts resends as duplicates', async () => {
    await using dir = tempDir();
    const { acme } = seedTenants(dir.path);
    await using s = await startService(dir.path);
    const c = await connectCompact(s.svc.tcpPort, acme.ingestKey);
    assert.deepEqual(c.answers[0], { type: 'ready', tenant: 'acme', protocol: 1, format: 'compact', max_line_bytes: 4096 });
    c.write(frames(txn({ seq: 1 }), txn({ seq: 2 }), txn({ seq: 3 })));
    await c.waitForAck(3);
    assert.deepEqual(c.totals(), { accepted: 3, duplicates: 0, rejected: 0 });
    c.write(frames(txn({ seq: 2 }), txn({ seq: 4 })));
    await c.waitForAck(5);
    assert.deepEqual(c.totals(), { accepted: 4, duplicates: 1, rejected: 0 });
    c.close();
    const bad = await TestIngestClient.connect(s.svc.tcpPort);
    bad.write(`AUTH ${acme.ingestKey} format=xml\n`);
    await bad.waitFor(() => bad.closed);
    assert.deepEqual(bad.answers, [{ type: 'error', code: 'unsupported_option', message: "format must be ndjson or compact, got 'xml'" }]);
  });

  it('reassembles frames split across many chunks', async () => {
    await using dir = tempDir();
    const { acme } = seedTenants(dir.path);
    await using s = await startService(dir.path);
    const c = await connectCompact(s.svc.tcpPort, acme.ingestKey);
    const data = frames(txn({ seq: 10 }), txn({ seq: 11, terminal_id: 'T2' }), txn({ seq: 12 }));
    for (let i = 0; i < data.length; i += 7) {
      c.write(data.subarray(i, i + 7));
      if (i % 70 === 0) await sleep(2);
    }
    await c.waitForAck(3);
    assert.deepEqual(c.totals(), { accepted: 3, duplicates: 0, rejected: 0 });
    c.close();
  });

  it('rejects malformed records by number with clear messages, keeps the good ones and stores the bad ones for replay', async () => {
    await using dir = tempDir();
    const { acme } = seedTenants(dir.path);
    {
      await using s = await startService(dir.path);
      const c = await connectCompact(s.svc.tcpPort, acme.ingestKey);
      const badVersion = compactFrame(txn({ seq: 2 }));
      badVersion[2] = 9;
      const badLength = compactFrame(txn({ seq: 3 }));
      badLength[4] = 200; // terminal_id length far past the record
      const good = compactFrame(txn({ seq: 6 }));
      c.write(frames(txn({ seq: 1 }), badVersion, badLength, txn({ seq: 4, store_id: 'S-404' }), txn({ seq: 5, amount_minor: -5 }), good));
      // The stream ends inside the last frame.
      c.write(Buffer.from(compactFrame(txn({ seq: 7 })).subarray(0, 40)));
      c.socket.end();
      await c.waitForAck(7);
      assert.deepEqual(
        c.rejects().map((r) => [r.line, r.code, r.message]),
        [
          [2, 'invalid_record', 'record version 9 is not supported (this server reads version 1)'],
          [3, 'invalid_record', `terminal_id at byte 2 overruns the record of ${String(badLength.length - 2)} bytes`],
          [4, 'unknown_store', "store_id 'S-404' is not in tenant 'acme''s registry"],
          [5, 'invalid_value', 'amount_minor must be an integer > 0, got -5'],
          [7, 'invalid_record', `record is truncated: its frame declares ${String(good.length - 2)} bytes, the stream ended after 38`],
        ],
      );
      assert.deepEqual(c.totals(), { accepted: 2, duplicates: 0, rejected: 5 });
      const dead = await listDeadLetters(join(dir.path, 'dlq'), { tenant: 'acme' });
      assert.deepEqual(dead.map((d) => [d.line, d.code, d.format]), [
        [2, 'invalid_record', 'compact'],
        [3, 'invalid_record', 'compact'],
        [4, 'unknown_store', 'compact'],
        [5, 'invalid_value', 'compact'],
        [7, 'invalid_record', 'compact'],
      ]);
      // The store arrives: its record replays as a compact record and is accepted; the others are rejected again.
      new RegistryStore(dir.path).put('acme', [store('S1'), store('S2'), store('S3'), store('S-404')]);
      await sleep(1500); // the registry watcher polls every second
      const replay = await s.svc.deadLetters.replay('acme');
      assert.deepEqual([replay.attempted, replay.accepted, replay.rejected], [5, 1, { invalid_record: 3, invalid_value: 1 }]);
    }
    const log = await logged(dir.path);
    assert.deepEqual(log.keys, ['acme/T1/1', 'acme/T1/4', 'acme/T1/6']);
    assert.equal(log.amount, 3 * 4599);
  });

  it('one tenant sending NDJSON and compact for the same tills is counted exactly once, to the minor unit', async () => {
    await using dir = tempDir();
    const { acme } = seedTenants(dir.path);
    const amounts = (seq: number): number => 1000 + seq * 7;
    let expected = 0;
    {
      await using s = await startService(dir.path);
      const json = await TestIngestClient.connect(s.svc.tcpPort, acme.ingestKey);
      const compact = await connectCompact(s.svc.tcpPort, acme.ingestKey);
      // Seqs 1..200 of T1..T4: odd seqs as NDJSON, even as compact, then everything again the other way round.
      const jsonLines: string[] = [];
      const compactRecords: CompactRecordInput[] = [];
      const again: string[] = [];
      const againCompact: CompactRecordInput[] = [];
      for (const terminal of ['T1', 'T2', 'T3', 'T4']) {
        for (let seq = 1; seq <= 200; seq++) {
          const amount = amounts(seq);
          expected += amount;
          const line = txnLine({ terminal_id: terminal, seq, amount_minor: amount, tax_minor: 100 });
          const rec = txn({ terminal_id: terminal, seq, amount_minor: amount, tax_minor: 100 });
          if (seq % 2 === 1) {
            jsonLines.push(line);
            againCompact.push(rec);
          } else {
            compactRecords.push(rec);
            again.push(line);
          }
        }
      }
      json.write(`${jsonLines.join('\n')}\n`);
      compact.write(frames(...compactRecords));
      await json.waitForAck(400);
      await compact.waitForAck(400);
      json.write(`${again.join('\n')}\n`);
      compact.write(frames(...againCompact));
      await json.waitForAck(800);
      await compact.waitForAck(800);
      assert.deepEqual(json.totals(), { accepted: 400, duplicates: 400, rejected: 0 });
      assert.deepEqual(compact.totals(), { accepted: 400, duplicates: 400, rejected: 0 });
      json.close();
      compact.close();
    }
    const log = await logged(dir.path);
    assert.equal(log.keys.length, 800);
    assert.equal(log.duplicates, 0);
    assert.equal(log.amount, expected);
  });
});

describe('compact records over HTTP', () => {
  it(`takes ${COMPACT_CONTENT_TYPE} bodies with records counted from 1`, async () => {
    await using dir = tempDir();
    const { acme } = seedTenants(dir.path);
    await using s = await startService(dir.path);
    const post = async (body: Buffer): Promise<unknown> => {
      const res = await fetch(`${s.http}/v1/transactions`, { method: 'POST', headers: { 'content-type': COMPACT_CONTENT_TYPE, authorization: `Bearer ${acme.ingestKey}` }, body });
      assert.equal(res.status, 200);
      return res.json();
    };
    assert.deepEqual(await post(frames(txn({ seq: 1 }), txn({ seq: 2, tenant: 'globex' }), txn({ seq: 3 }))), {
      accepted: 2,
      duplicates: 0,
      rejected: [{ line: 2, code: 'tenant_mismatch', message: "tenant 'globex' does not match the credential's tenant 'acme'" }],
    });
    assert.deepEqual(await post(frames(txn({ seq: 3 }))), { accepted: 0, duplicates: 1, rejected: [] });
  });
});
