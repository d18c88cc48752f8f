/**
 * The batch role's jobs on a real data directory, as `tpay batch …`
 * processes: `reconcile` from the last serving snapshot answers what the
 * live API answered; `compact` applies log retention, leaves the warehouse
 * to a running stream role and compacts it when none runs, every row still
 * there; a job's health port answers while it runs.
 */
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { loadConfig } from '../../src/config/config.js';
import { startPlatform } from '../../src/platform/platform.js';
import { lockRoles } from '../../src/platform/role-lock.js';
import { ParquetWarehouse } from '../../src/warehouse/parquet-warehouse.js';
import { apiCaller } from '../support/api-call.js';
import { seedTenants } from '../support/fixtures.js';
import { freePort } from '../support/ingest-process.js';
import { tempDir } from '../support/temp-dir.js';
import { DAY, mt940, pastWeekday, ymd } from '../support/treasury-fixtures.js';

const CLI = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
const run = promisify(execFile);

const SETUP = {
  acquirers: [{ id: 'acq-eu', settlement_lag_days: 1, payout_currency: null, reference_format: 'ACQ-{merchant_account}-{payout_date}' }],
  fee_plans: [{ id: 'standard', rules: [{ tender: 'card', card_brand: '*', bps: 150, fixed_minor: 10 }] }],
};

async function tpay(dataDir: string, args: string[]): Promise<string> {
  const { stdout } = await run(process.execPath, [CLI, '--data-dir', dataDir, '--log-level', 'warn', ...args], { env: { ...process.env, TPAY_LOG__SEGMENT_BYTES: String(1 << 16) } });
  return stdout;
}

describe('tpay batch jobs', () => {
  it('reconcile and compact on the data directory a platform left', { timeout: 180_000 }, async () => {
    await using dir = tempDir();
    const { acme } = seedTenants(dir.path);
    const config = loadConfig({ env: {}, overrides: { dataDir: dir.path, logLevel: 'silent', 'ingest.tcpPort': 0, 'api.port': 0, 'log.segmentBytes': 1 << 16, 'treasury.refreshMs': 0, 'warehouse.maxDelayMs': 0 } });
    const platform = await startPlatform(config, pino({ level: 'silent' }));
    const call = apiCaller(() => `http://127.0.0.1:${String(platform.ingest.httpPort)}`);
    const day = pastWeekday();
    const noon = day * DAY + 12 * 3_600_000;
    let seq = 0;
    const sale = (storeId: string, ts: number, amount: number, tender: 'card' | 'cash'): string =>
      JSON.stringify({ txn_id: `T${String(++seq)}`, store_id: storeId, terminal_id: `${storeId}-1`, seq, ts: new Date(ts).toISOString(), type: 'sale', amount_minor: amount, currency: 'EUR', tax_minor: 0, tender, ...(tender === 'card' ? { card_brand: 'visa' } : {}) });
    let api: { items: number; matched: number };
    try {
      assert.equal((await call('PUT', `/v1/admin/tenants/${acme.tenant}/treasury/setup`, acme.adminKey, SETUP)).status, 200);
      // Two appends of one day: two Parquet files for compaction to merge.
      const first = [sale('S1', noon, 10_000, 'card'), sale('S1', noon + 60_000, 5_000, 'card'), sale('S2', noon, 7_000, 'card'), sale('S1', noon, 3_000, 'cash')];
      const second = Array.from({ length: 1500 }, (_, i) => sale('S3', noon + i * 1000, 100 + i, 'cash'));
      for (const lines of [first, second]) {
        const r = await call('POST', '/v1/transactions', acme.ingestKey, `${lines.join('\n')}\n`, 'application/x-ndjson');
        assert.equal(r.body['accepted'], lines.length, JSON.stringify(r.body));
        await platform.stream.caughtUp();
        await platform.feeder.flush();
      }
      const file = mt940('DE89370400440532013000', day + 1, 100_000, [{ amount: 14_755, ref: 'NONREF', text: `PAYOUT ACQ-M-S1-${ymd(day + 1).replaceAll('-', '')}` }]);
      assert.equal((await call('POST', '/v1/statements?name=day.sta', acme.ingestKey, file, 'text/plain')).status, 201);
      const rec = (await call('GET', '/v1/treasury/reconciliation', acme.readKey)).body;
      const items = rec['items'] as { status: string }[];
      api = { items: items.length, matched: items.filter((x) => x['status'] === 'matched').length };
      assert.ok(api.matched >= 1, 'the payout of S1 matched');

      // A stream role (here: the platform) holds the warehouse: compact leaves it and says why.
      const held = JSON.parse(await tpay(dir.path, ['batch', 'compact', '--json'])) as { warehouse: unknown; warehouseNote: string };
      assert.equal(held.warehouse, null);
      assert.match(held.warehouseNote, /held by a running stream role/);
      await platform.snapshot();
    } finally {
      await platform.close();
    }

    // Reconcile from the snapshot the platform wrote: the same answer as the live API.
    const rows = (JSON.parse(await tpay(dir.path, ['batch', 'reconcile', '--json'])) as { tenants: { tenant: string; items: number; matched: number; unmatched: number; entries: number }[] }).tenants;
    assert.deepEqual(
      rows.map((r) => [r.tenant, r.items, r.matched, r.unmatched, r.entries]),
      [[acme.tenant, api.items, api.matched, api.items - api.matched, 1]],
    );

    // No stream role: compact merges the day's two files; every row is still there, once.
    const out = JSON.parse(await tpay(dir.path, ['batch', 'compact', '--json'])) as { log: { deletedSegments: number }; warehouse: { merged: number; unitsRemoved: number } };
    assert.equal(out.warehouse.merged, 1, JSON.stringify(out));
    assert.ok(out.warehouse.unitsRemoved >= 2);
    assert.ok(out.log.deletedSegments >= 1, `log retention dropped segments both groups had read past: ${JSON.stringify(out)}`);
    const wh = await ParquetWarehouse.open(join(dir.path, 'warehouse'));
    try {
      const page = await wh.storeTransactions(acme.tenant, 'S3', noon - DAY, noon + DAY, { limit: 10_000 });
      assert.equal(page.items.length, 1500);
      assert.equal(page.items.reduce((n, r) => n + r.amount_minor, 0), 1500 * 100 + (1499 * 1500) / 2);
    } finally {
      await wh.close();
    }
    assert.match(await tpay(dir.path, ['batch', 'compact']), /^log: deleted \d+ segment\(s\), freed \d+ bytes\nwarehouse: merged 0 day\(s\)/);
  });

  it('a job answers /healthz and /readyz on its health port while it runs, and runs once at a time', { timeout: 60_000 }, async () => {
    await using dir = tempDir();
    seedTenants(dir.path);
    const port = await freePort();
    const release = await lockRoles(dir.path, ['batch-compact']);
    try {
      await assert.rejects(tpay(dir.path, ['batch', 'compact']), (e: unknown) => /role_running: role 'batch-compact' already runs/.test((e as { stderr: string }).stderr));
    } finally {
      await release();
    }
    // The port is up before the job starts and until it ends (opening the warehouse alone takes longer than a poll).
    const child = spawn(process.execPath, [CLI, '--data-dir', dir.path, '--log-level', 'warn', 'batch', 'compact', '--health-port', String(port)], { stdio: 'ignore', env: { ...process.env } });
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    const seen = new Set<string>();
    for (let i = 0; i < 400 && seen.size < 2 && child.exitCode === null; i++) {
      for (const path of ['/healthz', '/readyz']) {
        const status = await fetch(`http://127.0.0.1:${String(port)}${path}`).then((r) => r.status, () => 0);
        if (status === 200) seen.add(path);
      }
      await new Promise((r) => setTimeout(r, 5));
    }
    assert.equal(await exited, 0);
    assert.deepEqual([...seen].sort(), ['/healthz', '/readyz']);
  });
});
