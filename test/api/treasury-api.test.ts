/**
 * The treasury API end to end on a real platform: a settlement set-up over
 * the admin API (every bad field named), past sales in over HTTP, expected
 * payouts and deposits, an MT940 statement in (and again, as a duplicate),
 * reconciliation statuses, fees, cash position, a late sale that moves a
 * matched payout (logged), and tenant isolation on every treasury route.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pino from 'pino';
import { loadConfig } from '../../src/config/config.js';
import { startPlatform, type Platform } from '../../src/platform/platform.js';
import { seedTenants, type TenantFixture } from '../support/fixtures.js';
import { tempDir, type TempDir } from '../support/temp-dir.js';
import { apiCaller } from '../support/api-call.js';
import { DAY, mt940, pastWeekday, ymd } from '../support/treasury-fixtures.js';

const SETUP = {
  acquirers: [{ id: 'acq-eu', settlement_lag_days: 1, payout_currency: null, reference_format: 'ACQ-{merchant_account}-{payout_date}' }],
  fee_plans: [{ id: 'standard', rules: [{ tender: 'card', card_brand: '*', bps: 150, fixed_minor: 10 }] }],
};

void describe('treasury API', () => {
  let dir: TempDir;
  let platform: Platform;
  let api: string;
  let acme: TenantFixture;
  let globex: TenantFixture;
  const day = pastWeekday();
  let seq = 0;

  const call = apiCaller(() => api);
  const sale = (storeId: string, ts: number, amount: number, tender: 'card' | 'cash', type: 'sale' | 'refund' = 'sale'): string =>
    JSON.stringify({ txn_id: `T${String(++seq)}`, store_id: storeId, terminal_id: `${storeId}-1`, seq, ts: new Date(ts).toISOString(), type, amount_minor: amount, currency: 'EUR', tax_minor: 0, tender, ...(tender === 'card' ? { card_brand: 'visa' } : {}) });
  const send = async (lines: string[]): Promise<void> => {
    const r = await call('POST', '/v1/transactions', acme.ingestKey, `${lines.join('\n')}\n`, 'application/x-ndjson');
    assert.equal(r.body['accepted'], lines.length, JSON.stringify(r.body));
  };
  const waitFor = async (fn: () => Promise<boolean>): Promise<void> => {
    for (let i = 0; i < 200; i++) {
      if (await fn()) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.fail('timed out');
  };

  before(async () => {
    dir = tempDir();
    ({ acme, globex } = seedTenants(dir.path));
    const config = loadConfig({ env: {}, overrides: { dataDir: dir.path, logLevel: 'silent', 'ingest.tcpPort': 0, 'api.port': 0, 'log.segmentBytes': 1 << 20, 'treasury.refreshMs': 0 } });
    platform = await startPlatform(config, pino({ level: 'silent' }));
    api = `http://127.0.0.1:${String(platform.ingest.httpPort)}`;
  });
  after(async () => {
    await platform.close();
    await dir[Symbol.asyncDispose]();
  });

  void it('refuses a bad set-up naming every field and value, and keeps nothing of it', async () => {
    const bad = await call('PUT', `/v1/admin/tenants/${acme.tenant}/treasury/setup`, acme.adminKey, { acquirers: [{ id: 'acq-eu', settlement_lag_days: -1, payout_currency: 'EUX', reference_format: '{nope}' }], fee_plans: [{ id: 'standard', rules: [{ tender: 'cash', bps: 1.234 }] }], extra: 1 });
    assert.equal(bad.status, 400);
    const err = bad.body['error'] as { code: string; message: string };
    assert.equal(err.code, 'setup_invalid');
    for (const part of ["extra: unknown field", 'acquirers[0].settlement_lag_days: must be an integer number of business days from 0 to 30, got -1', "acquirers[0].payout_currency: must be an ISO 4217 code or null (pay each sale's currency), got 'EUX'", 'unknown placeholder {nope}', "fee_plans[0].rules[0].tender: must be one of card, wallet (cash is deposited, not settled), got 'cash'", 'fee_plans[0].rules[0].bps: must be basis points from 0 to 10000 with at most two decimals, got 1.234']) {
      assert.ok(err.message.includes(part), `${err.message} should include ${part}`);
    }
    const now = await call('GET', `/v1/admin/tenants/${acme.tenant}/treasury/setup`, acme.adminKey);
    assert.deepEqual(now.body['acquirers'], []);
    assert.equal((await call('PUT', `/v1/admin/tenants/${acme.tenant}/treasury/setup`, acme.readKey, SETUP)).status, 401);
  });

  void it('expects payouts and deposits from past sales, reconciles a statement, and answers a re-import as duplicate', async () => {
    assert.equal((await call('PUT', `/v1/admin/tenants/${acme.tenant}/treasury/setup`, acme.adminKey, SETUP)).status, 200);
    // Noon UTC is 13:00 or 14:00 in Berlin: business day `day`.
    const noon = day * DAY + 12 * 3_600_000;
    await send([sale('S1', noon, 10_000, 'card'), sale('S1', noon + 60_000, 5_000, 'card'), sale('S1', noon + 120_000, 2_000, 'card', 'refund'), sale('S2', noon, 7_000, 'card'), sale('S1', noon, 3_000, 'cash'), sale('S2', noon, 4_500, 'cash')]);
    await waitFor(async () => ((await call('GET', '/v1/treasury/deposits', acme.readKey)).body['total'] as number) === 2);
    const payouts = (await call('GET', '/v1/treasury/payouts', acme.readKey)).body['payouts'] as Record<string, unknown>[];
    // S1 and S2 have merchant accounts M-S1 and M-S2: one payout each, T+1.
    const p1 = payouts.find((p) => p['merchant_account'] === 'M-S1')!;
    const p2 = payouts.find((p) => p['merchant_account'] === 'M-S2')!;
    // S1: charged 15000, fee round(15000 × 1.5 %) + 2 × 10 = 245, refund 2000 → 12755.
    assert.deepEqual([p1['charged'], p1['refunds'], p1['fees'], p1['amount'], p1['payout_date'], p1['reference']], [15_000, 2_000, 245, 12_755, ymd(day + 1), `ACQ-M-S1-${ymd(day + 1).replaceAll('-', '')}`]);
    assert.deepEqual([p2['amount'], p2['status']], [7_000 - 115, 'missing']);
    const one = await call('GET', `/v1/treasury/payouts/${encodeURIComponent(String(p1['id']))}`, acme.readKey);
    assert.deepEqual((one.body['lines'] as Record<string, unknown>[]).map((l) => [l['store_id'], l['business_day'], l['amount']]), [['S1', ymd(day), 12_755]]);

    // The bank pays p1 exactly, S1's cash deposit short by 1.00, and something unexpected; p2 never arrives.
    const account = 'DE89370400440532013000';
    const file = mt940(account, day + 1, 100_000, [
      { amount: 12_755, ref: 'NONREF', text: `PAYOUT ${String(p1['reference'])}` },
      { amount: 2_900, ref: 'NONREF', text: `DEP-S1-${ymd(day).replaceAll('-', '')}` },
      { amount: -4_200, ref: 'NONREF', text: 'RENT DECEMBER' },
    ]);
    const imp = await call('POST', '/v1/statements?name=day.sta', acme.ingestKey, file, 'text/plain');
    assert.equal(imp.status, 201, JSON.stringify(imp.body));
    assert.equal(imp.body['status'], 'imported');
    const again = await call('POST', '/v1/statements?name=day.sta', acme.ingestKey, file, 'text/plain');
    assert.equal(again.status, 200);
    assert.equal(again.body['status'], 'duplicate');
    assert.equal(((await call('GET', '/v1/treasury/statements', acme.readKey)).body['statements'] as unknown[]).length, 1);

    const rec = (await call('GET', '/v1/treasury/reconciliation', acme.readKey)).body;
    const items = rec['items'] as Record<string, unknown>[];
    const byId = new Map(items.map((x) => [x['id'], x]));
    assert.equal(byId.get(p1['id'])!['status'], 'matched');
    assert.equal(byId.get(p2['id'])!['status'], 'missing');
    const dep1 = items.find((x) => x['store_id'] === 'S1')!;
    assert.deepEqual([dep1['status'], dep1['difference']], ['amount_mismatch', -100]);
    const entries = rec['entries'] as Record<string, unknown>[];
    assert.deepEqual(entries.map((e) => [e['amount'], e['status']]).sort(), [[-4_200, 'unexpected'], [12_755, 'matched'], [2_900, 'amount_mismatch']].sort());
    const breaks = (await call('GET', '/v1/treasury/reconciliation?status=breaks', acme.readKey)).body;
    assert.equal((breaks['items'] as unknown[]).length, 3); // p2 missing, S1 deposit short, S2 deposit missing

    // Cash position: balance 100000 + 12755 + 2900 − 4200 on day+1; nothing pending left (all due dates passed).
    const cash = (await call('GET', '/v1/treasury/cash-position', acme.readKey)).body['accounts'] as { account: string; statement: { amount: number } | null; missing: { amount: number; items: number } }[];
    const acc = cash.find((a) => a.account === account)!;
    assert.equal(acc.statement!.amount, 111_455);
    assert.deepEqual(acc.missing, { amount: 6_885 + 4_500, items: 2 });

    const fees = (await call('GET', '/v1/treasury/fees?by=store', acme.readKey)).body['rows'] as Record<string, unknown>[];
    assert.deepEqual(fees.map((f) => [f['key'], f['fees'], f['charged']]).sort(), [['S1', 245, 15_000], ['S2', 115, 7_000]]);
  });

  void it('logs a matched payout whose amount a late sale changes, and judges it again', async () => {
    const payouts = (await call('GET', '/v1/treasury/payouts?status=matched', acme.readKey)).body['payouts'] as Record<string, unknown>[];
    assert.equal(payouts.length, 1);
    const id = String(payouts[0]!['id']);
    await send([sale('S1', day * DAY + 13 * 3_600_000, 1_000, 'card')]);
    await waitFor(async () => ((await call('GET', `/v1/treasury/payouts/${encodeURIComponent(id)}`, acme.readKey)).body['payout'] as Record<string, unknown>)['amount'] === 12_755 + 1_000 - 25);
    const one = (await call('GET', `/v1/treasury/payouts/${encodeURIComponent(id)}`, acme.readKey)).body;
    assert.equal((one['payout'] as Record<string, unknown>)['status'], 'amount_mismatch');
    assert.deepEqual((one['history'] as Record<string, unknown>[]).map((h) => [h['fromAmount'], h['toAmount']]), [[12_755, 13_730]]);
  });

  void it("another tenant's keys see nothing of it on every treasury route", async () => {
    for (const path of ['/v1/treasury/payouts', '/v1/treasury/deposits', '/v1/treasury/reconciliation', '/v1/treasury/fees', '/v1/treasury/cash-position', '/v1/treasury/statements', '/v1/treasury/unsettled']) {
      const r = await call('GET', path, globex.readKey);
      assert.equal(r.status, 200, path);
      for (const k of ['payouts', 'deposits', 'items', 'entries', 'rows', 'accounts', 'statements']) {
        if (k in r.body) assert.deepEqual(r.body[k], [], `${path} ${k}`);
      }
      assert.equal((await call('GET', path, acme.ingestKey)).status, 401, `${path} needs a read key`);
    }
    const acmePayout = ((await call('GET', '/v1/treasury/payouts', acme.readKey)).body['payouts'] as Record<string, unknown>[])[0]!;
    assert.equal((await call('GET', `/v1/treasury/payouts/${encodeURIComponent(String(acmePayout['id']))}`, globex.readKey)).status, 404);
    assert.equal((await call('GET', `/v1/admin/tenants/${acme.tenant}/treasury/setup`, globex.readKey)).status, 401);
  });

  void it('refuses a broken statement file with a code and the line, keeping nothing', async () => {
    const r = await call('POST', '/v1/statements?name=bad.sta', acme.ingestKey, ':20:X\r\n:25:DE89370400440532013000\r\n:28C:1\r\n:60F:C261301EUR1,00\r\n-', 'text/plain');
    assert.equal(r.status, 422);
    const err = r.body['error'] as { code: string; message: string };
    assert.equal(err.code, 'statement_invalid');
    assert.match(err.message, /bad\.sta: statement_\w+ \(line \d+\)/);
    assert.equal(((await call('GET', '/v1/treasury/statements', acme.readKey)).body['statements'] as unknown[]).length, 1);
  });
});
