/**
 * Crash safety, for real: the firehose streams (with resends, late and
 * out-of-order records and malformed lines) into a separate `tpay ingest`
 * process that is killed with SIGKILL at random moments and restarted on
 * the same data directory and port. At the end the log must hold every
 * valid record of the stream exactly once: nothing acknowledged lost,
 * nothing counted twice.
 */
import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, it } from 'node:test';
import { decodeTransaction } from '../../src/domain/transaction-decoder.js';
import { tenantLineChunks } from '../../src/firehose/records.js';
import type { RecordOptions } from '../../src/firehose/record-options.js';
import { sendTenants } from '../../src/firehose/multi-tenant-sender.js';
import { generateWorld } from '../../src/firehose/world.js';
import { auditLog } from '../../src/ingest/log-audit.js';
import { listDeadLetters } from '../../src/dlq/dead-letter-store.js';
import { SegmentLog } from '../../src/log/segment-log.js';
import { RegistryStore } from '../../src/tenants/registry-store.js';
import { TenantStore } from '../../src/tenants/tenant-store.js';
import { Prng } from '../../src/firehose/prng.js';
import { freePort, startIngestProcess, type IngestProcess } from '../support/ingest-process.js';
import { tempDir } from '../support/temp-dir.js';

/** Keys of the valid records in a tenant's stream, computed by decoding every line (brute force). */
function expectedKeys(world: ReturnType<typeof generateWorld>, tenant: string, opts: RecordOptions, stores: Set<string>): Set<string> {
  const keys = new Set<string>();
  const ctx = { tenant, nowMs: Date.now(), maxLineBytes: 4096, hasStore: (id: string) => stores.has(id) };
  for (const chunk of tenantLineChunks(world, tenant, opts)) {
    const buf = chunk.data;
    let pos = 0;
    while (pos < buf.length) {
      let end = buf.indexOf(10, pos);
      if (end === -1) end = buf.length;
      const r = decodeTransaction(buf, pos, end, ctx);
      if (r.ok) keys.add(`${r.txn.terminal_id}/${r.txn.seq}`);
      pos = end + 1;
    }
  }
  return keys;
}

describe('crash safety of ingest', () => {
  it('kill -9 at random moments loses no acknowledged record and stores none twice', { timeout: 180_000 }, async () => {
    await using dir = tempDir();
    const world = generateWorld({ seed: 11, tenants: 3, stores: 60 });
    const tenants = new TenantStore(dir.path);
    const registries = new RegistryStore(dir.path);
    const keys: Record<string, string> = {};
    for (const t of world.tenants) {
      tenants.createTenant({ id: t.tenant.tenant_id, reportingCurrency: t.tenant.reporting_currency });
      registries.put(t.tenant.tenant_id, t.stores);
      keys[t.tenant.tenant_id] = tenants.createKey(t.tenant.tenant_id, 'ingest').secret;
    }
    const opts: RecordOptions = {
      start: Date.now() - 10 * 86_400_000,
      records: 25_000,
      faults: { duplicates: 0.05, outOfOrder: 0.02, late: 0.5, malformed: 0.01 },
    };
    const port = await freePort();
    const args = ['--tcp-port', String(port), '--http-port', '0'];
    const env = { TPAY_INGEST__DEDUP_SNAPSHOT_INTERVAL_MS: '300', TPAY_LOG__SEGMENT_BYTES: String(1 << 20) };
    let ingest: IngestProcess = await startIngestProcess(dir.path, args, env);

    const sources: Record<string, ReturnType<typeof tenantLineChunks>> = {};
    for (const t of world.tenants) sources[t.tenant.tenant_id] = tenantLineChunks(world, t.tenant.tenant_id, opts, { chunkLines: 500 });
    const sending = sendTenants({
      port,
      keys,
      sources,
      // One connection per tenant keeps each terminal's records in order
      // across resends; see "Ordering" in docs/ingest-protocol.md.
      connections: 1,
      ratePerS: 15_000,
      reconnectDelayMs: [20, 300],
      maxRetries: 1000,
    });

    const rng = new Prng(2024);
    let kills = 0;
    let finished = false;
    const markDone = (): void => {
      finished = true;
    };
    sending.then(markDone, markDone);
    while (kills < 6 && !finished) {
      await sleep(100 + rng.int(600));
      if (finished) break;
      await ingest.kill9();
      kills++;
      await sleep(rng.int(200));
      ingest = await startIngestProcess(dir.path, args, env);
    }
    const report = await sending;
    await ingest.kill9(); // a last crash after everything was acknowledged
    kills++;
    assert.ok(kills >= 6, `only ${kills} kills happened before the stream ended; slow the stream down`);
    assert.equal(report.total.unacked, 0);
    assert.ok(report.total.reconnects >= 5, `reconnects: ${report.total.reconnects}`);

    const log = await SegmentLog.open(join(dir.path, 'log'));
    const seen = new Map<string, Set<string>>();
    const audit = await auditLog(log, {
      onRecord: (tenant, terminal, seq) => {
        let s = seen.get(tenant);
        if (s === undefined) seen.set(tenant, (s = new Set()));
        s.add(`${terminal}/${seq}`);
      },
    });
    await log.close();
    assert.equal(audit.duplicateCount, 0, `stored twice: ${audit.duplicates.slice(0, 5).join(', ')}`);
    for (const t of world.tenants) {
      const id = t.tenant.tenant_id;
      const want = expectedKeys(world, id, opts, new Set(t.stores.map((s) => s.store_id)));
      const got = seen.get(id) ?? new Set<string>();
      const missing = [...want].filter((k) => !got.has(k));
      const extra = [...got].filter((k) => !want.has(k));
      if (missing.length > 0) {
        // Say why: were the missing records rejected, and with what code?
        const dead = await listDeadLetters(join(dir.path, 'dlq'), { tenant: id });
        const why = dead.filter((d) => missing.some((k) => d.raw?.includes(`"terminal_id":"${k.split('/')[0]!}","seq":${k.split('/')[1]!},`) === true));
        process.stdout.write(`# ${id}: ${missing.length} missing; dead letters among them: ${JSON.stringify(why.slice(0, 3).map((d) => [d.code, d.message]))}\n`);
      }
      assert.deepEqual({ tenant: id, missing: missing.slice(0, 5), extra: extra.slice(0, 5) }, { tenant: id, missing: [], extra: [] });
      assert.equal(got.size, want.size);
      assert.equal(audit.perTenant[id], want.size);
    }
    process.stdout.write(`# crash test: ${kills} kill -9, ${report.total.reconnects} reconnects, ${report.total.resent} lines resent, ${audit.records} records in the log, 0 duplicates\n`);
  });
});
