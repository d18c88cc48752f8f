import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, it } from 'node:test';
import { listDeadLetters } from '../../src/dlq/dead-letter-store.js';
import { RegistryStore } from '../../src/tenants/registry-store.js';
import { seedTenants, store, txnLine } from '../support/fixtures.js';
import { TestIngestClient } from '../support/ingest-client.js';
import { startService } from '../support/service.js';
import { tempDir } from '../support/temp-dir.js';

describe('TCP ingest protocol', () => {
  it('authenticates, acknowledges durable records and counts resends as duplicates', async () => {
    await using dir = tempDir();
    const { acme } = seedTenants(dir.path);
    await using s = await startService(dir.path);
    const c = await TestIngestClient.connect(s.svc.tcpPort, acme.ingestKey);
    assert.deepEqual(c.answers[0], { type: 'ready', tenant: 'acme', protocol: 1, max_line_bytes: 4096 });
    c.write(`${txnLine({ seq: 1 })}\n${txnLine({ seq: 2 })}\n${txnLine({ seq: 3 })}\n`);
    await c.waitForAck(3);
    assert.deepEqual(c.totals(), { accepted: 3, duplicates: 0, rejected: 0 });
    c.write(`${txnLine({ seq: 2 })}\n${txnLine({ seq: 4 })}\n`);
    await c.waitForAck(5);
    assert.deepEqual(c.totals(), { accepted: 4, duplicates: 1, rejected: 0 });
    c.close();
  });

  it('rejects an unknown key and closes the connection', async () => {
    await using dir = tempDir();
    seedTenants(dir.path);
    await using s = await startService(dir.path);
    const c = await TestIngestClient.connect(s.svc.tcpPort, 'tpk_ingest_nope');
    await c.waitFor(() => c.closed);
    assert.deepEqual(c.answers, [{ type: 'error', code: 'unauthorized', message: 'unknown or revoked ingest key' }]);
    const raw = await TestIngestClient.connect(s.svc.tcpPort);
    raw.write('HELLO there\n');
    await raw.waitFor(() => raw.closed);
    assert.deepEqual(raw.answers, [{ type: 'error', code: 'unauthorized', message: 'the first line must be AUTH <ingest-key>' }]);
  });

  it('a read key is not an ingest key', async () => {
    await using dir = tempDir();
    const { acme } = seedTenants(dir.path);
    await using s = await startService(dir.path);
    const c = await TestIngestClient.connect(s.svc.tcpPort, acme.readKey);
    await c.waitFor(() => c.closed);
    assert.equal(c.answers[0]?.['code'], 'unauthorized');
  });

  it('reassembles a line split across many chunks', async () => {
    await using dir = tempDir();
    const { acme } = seedTenants(dir.path);
    await using s = await startService(dir.path);
    const c = await TestIngestClient.connect(s.svc.tcpPort, acme.ingestKey);
    const data = `${txnLine({ seq: 10 })}\n${txnLine({ seq: 11 })}\n`;
    for (let i = 0; i < data.length; i += 7) {
      c.write(data.slice(i, i + 7));
      if (i % 70 === 0) await sleep(2);
    }
    await c.waitForAck(2);
    assert.deepEqual(c.totals(), { accepted: 2, duplicates: 0, rejected: 0 });
    c.close();
  });

  it('rejects bad lines by number and code while the good lines in the same batch go through', async () => {
    await using dir = tempDir();
    const { acme } = seedTenants(dir.path);
    await using s = await startService(dir.path);
    const c = await TestIngestClient.connect(s.svc.tcpPort, acme.ingestKey);
    const lines = [
      txnLine({ seq: 1 }),
      '{"txn_id": broken',
      txnLine({ seq: 2, store_id: 'S-404' }),
      '',
      txnLine({ seq: 3, amount_minor: -5 }),
      txnLine({ seq: 4, currency: 'XQQ' }),
      txnLine({ seq: 5 }),
      `{"pad":"${'x'.repeat(5000)}"}`,
      txnLine({ seq: 6 }),
    ];
    c.write(`${lines.join('\n')}\n`);
    await c.waitForAck(9);
    assert.deepEqual(
      c.rejects().map((r) => [r.line, r.code]),
      [
        [2, 'invalid_json'],
        [3, 'unknown_store'],
        [5, 'invalid_value'],
        [6, 'unknown_currency'],
        [8, 'line_too_long'],
      ],
    );
    assert.match(c.rejects()[1]!.message, /S-404/);
    assert.match(c.rejects()[2]!.message, /amount_minor/);
    assert.equal(c.rejects()[4]!.message, 'line is 5010 bytes, over the 4096-byte limit');
    assert.deepEqual(c.totals(), { accepted: 3, duplicates: 0, rejected: 5 });
    c.close();
    const dead = await listDeadLetters(join(dir.path, 'dlq'), { tenant: 'acme' });
    assert.deepEqual(
      dead.map((d) => [d.line, d.code, d.length, d.truncated]),
      [
        [2, 'invalid_json', 17, false],
        [3, 'unknown_store', txnLine({ seq: 2, store_id: 'S-404' }).length, false],
        [5, 'invalid_value', txnLine({ seq: 3, amount_minor: -5 }).length, false],
        [6, 'unknown_currency', txnLine({ seq: 4, currency: 'XQQ' }).length, false],
        [8, 'line_too_long', 5010, true],
      ].sort((a, b) => (a[0] as number) - (b[0] as number)),
    );
    assert.equal(dead[0]!.raw, '{"txn_id": broken');
    assert.equal(dead[4]!.raw!.length, 4097);
  });

  it('skips an over-long line streamed in pieces without buffering it whole', async () => {
    await using dir = tempDir();
    const { acme } = seedTenants(dir.path);
    await using s = await startService(dir.path);
    const c = await TestIngestClient.connect(s.svc.tcpPort, acme.ingestKey);
    c.write(`${txnLine({ seq: 1 })}\n{"pad":"`);
    for (let i = 0; i < 40; i++) {
      c.write('y'.repeat(50_000));
      await sleep(1);
    }
    c.write(`"}\n${txnLine({ seq: 2 })}\n`);
    await c.waitForAck(3);
    assert.deepEqual(c.rejects().map((r) => [r.line, r.code, r.message]), [[2, 'line_too_long', 'line is 2000010 bytes, over the 4096-byte limit']]);
    assert.deepEqual(c.totals(), { accepted: 2, duplicates: 0, rejected: 1 });
    c.close();
  });

  it('keeps a rejected unknown-store line and replays it once the store exists', async () => {
    await using dir = tempDir();
    const { acme } = seedTenants(dir.path);
    await using s = await startService(dir.path);
    const c = await TestIngestClient.connect(s.svc.tcpPort, acme.ingestKey);
    c.write(`${txnLine({ seq: 1, store_id: 'S9' })}\n`);
    await c.waitForAck(1);
    assert.deepEqual(c.rejects().map((r) => r.code), ['unknown_store']);
    const first = await s.svc.deadLetters.replay('acme');
    assert.deepEqual(first, { tenant: 'acme', attempted: 1, accepted: 0, duplicates: 0, rejected: { unknown_store: 1 } });
    new RegistryStore(dir.path).put('acme', [store('S1'), store('S2'), store('S3'), store('S9')]);
    await sleep(1500); // the registry watcher polls every second
    const second = await s.svc.deadLetters.replay('acme');
    assert.deepEqual(second, { tenant: 'acme', attempted: 1, accepted: 1, duplicates: 0, rejected: {} });
    const third = await s.svc.deadLetters.replay('acme');
    assert.equal(third.attempted, 0);
    const dead = await listDeadLetters(join(dir.path, 'dlq'), { tenant: 'acme', status: 'all' });
    assert.deepEqual(dead.map((d) => [d.code, d.status]), [['unknown_store', 'replayed']]);
    c.write(`${txnLine({ seq: 1, store_id: 'S9' })}\n`);
    await c.waitForAck(2);
    assert.equal(c.acks().at(-1)!.duplicates, 1);
    c.close();
  });

  it('a slow reader that never reads its answers cannot grow server memory', async () => {
    await using dir = tempDir();
    const { acme } = seedTenants(dir.path);
    await using s = await startService(dir.path, { 'ingest.maxConnectionInflightBytes': 1 << 16 });
    const c = await TestIngestClient.connect(s.svc.tcpPort, acme.ingestKey);
    c.socket.pause(); // stop reading answers
    // Many rejected lines make long answers that pile up unread.
    const bad = `${'{"x":1}\n'.repeat(5000)}`;
    let lines = 0;
    let peakInflight = 0;
    let peakUnread = 0;
    const deadline = Date.now() + 3000;
    while (Date.now() < deadline) {
      if (c.socket.writableLength < 2 << 20) {
        c.write(bad);
        lines += 5000;
      }
      peakInflight = Math.max(peakInflight, s.svc.engine.inflightBytes);
      for (const st of s.svc.tcp.connectionStats()) peakUnread = Math.max(peakUnread, st.unreadAnswerBytes);
      await sleep(5);
    }
    const [conn] = s.svc.tcp.connectionStats();
    assert.equal(conn?.paused, true, 'the server stopped reading the connection');
    // What the client could not send piles up on the client, not the server.
    assert.ok(c.socket.writableLength > 1 << 20, `client-side backlog ${c.socket.writableLength} bytes`);
    assert.ok(peakInflight <= (1 << 16) + (1 << 17), `server in-flight peaked at ${peakInflight} bytes`);
    assert.ok(peakUnread <= (1 << 20) + (1 << 21), `unread answers peaked at ${peakUnread} bytes`);
    // Once the client reads again, everything it sent is answered.
    c.socket.resume();
    await c.waitForAck(lines, 30_000);
    assert.deepEqual(c.totals(), { accepted: 0, duplicates: 0, rejected: lines });
    c.close();
  });
});
