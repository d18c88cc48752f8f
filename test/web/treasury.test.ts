/**
 * The dashboard's Treasury page in Debian's Chromium against a real
 * platform: first with sales but no settlement set-up and no statement
 * (the page says so), then with a set-up and two bank statements — a
 * payout and a deposit paid exactly, a deposit short by 1.00, a payout and
 * a deposit that never came, a rent debit nobody expected. The page's
 * expected/arrived days, open breaks, fees and cash position must be the
 * API's numbers (and the exact amounts below); a missing payout opens to
 * its store/day lines, and a line opens its store on that business day.
 * Any console error, page error or request to another origin fails the
 * test. Screenshots are written to test-output/dashboard/treasury-*.png.
 */
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import pino from 'pino';
import { loadConfig } from '../../src/config/config.js';
import type { Store } from '../../src/domain/store.js';
import { startPlatform, type Platform } from '../../src/platform/platform.js';
import { RegistryStore } from '../../src/tenants/registry-store.js';
import { TenantStore } from '../../src/tenants/tenant-store.js';
import { store } from '../support/fixtures.js';
import { tempDir, type TempDir } from '../support/temp-dir.js';
import { DAY, mt940, pastWeekday, ymd } from '../support/treasury-fixtures.js';
import { eventually, launchOrSkip } from './browser.js';

const SHOTS = join('test-output', 'dashboard');
const ACCOUNT_A = 'DE89370400440532013000';
const ACCOUNT_B = 'DE02120300000000202051';
const STORES: Store[] = [
  store('S1', { name: 'Berlin Mitte', bank_account: ACCOUNT_A }),
  store('S2', { name: 'Berlin Kreuzberg', bank_account: ACCOUNT_A }),
  store('S3', { name: 'München Marienplatz', city: 'Munich', lat: 48.137, lon: 11.575, acquirer: 'acq-two', fee_plan: 'premium', bank_account: ACCOUNT_B }),
];
const SETUP = {
  acquirers: [
    { id: 'acq-eu', settlement_lag_days: 1, payout_currency: null, reference_format: 'ACQ-{merchant_account}-{payout_date}' },
    { id: 'acq-two', settlement_lag_days: 1, payout_currency: null, reference_format: 'TWO-{merchant_account}-{payout_date}' },
  ],
  fee_plans: [
    { id: 'standard', rules: [{ tender: 'card', card_brand: '*', bps: 150, fixed_minor: 10 }] },
    { id: 'premium', rules: [{ tender: 'card', card_brand: '*', bps: 120, fixed_minor: 5 }, { tender: 'card', card_brand: 'amex', bps: 250, fixed_minor: 5 }] },
  ],
};

/** What an en-US browser shows for an exact amount in EUR. */
const eur = (minor: number): string => new Intl.NumberFormat('en-US', { style: 'currency', currency: 'EUR', minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(`${minor < 0 ? '-' : ''}${String(Math.floor(Math.abs(minor) / 100))}.${String(Math.abs(minor) % 100).padStart(2, '0')}` as Intl.StringNumericLiteral);
const compact = (day: string): string => day.replaceAll('-', '');

interface Item { id: string; kind: string; account: string; currency: string; amount: number; expectedDate: string; status: string; difference: number; store_id: string | null }
interface Entry { id: string; account: string; currency: string; amount: number; date: string; status: string }
interface Recon { total_items: number; total_entries: number; items: Item[]; entries: Entry[] }
interface FeeRow { key: string; currency: string; charged: number; fees: number; sales: number }
interface CashAccount { account: string; statement: { amount: number; date: string } | null; missing: { amount: number; items: number }; overdue: { amount: number; items: number }; days: { date: string; owed: number; balance: number | null }[] }

describe('treasury page in Chromium', () => {
  let dir: TempDir;
  let platform: Platform;
  let origin: string;
  let ingestKey: string;
  let readKey: string;
  let adminKey: string;
  let seq = 0;
  const day = pastWeekday();
  const yesterday = Math.floor(Date.now() / DAY) - 1;

  before(async () => {
    dir = tempDir();
    const tenants = new TenantStore(dir.path);
    tenants.createTenant({ id: 'shop', reportingCurrency: 'EUR', goLive: '2020-01-01' });
    new RegistryStore(dir.path).put('shop', STORES);
    ingestKey = tenants.createKey('shop', 'ingest').secret;
    readKey = tenants.createKey('shop', 'read').secret;
    adminKey = tenants.createKey(null, 'admin').secret;
    const config = loadConfig({ env: {}, overrides: { dataDir: dir.path, logLevel: 'silent', 'ingest.tcpPort': 0, 'api.port': 0, 'log.segmentBytes': 1 << 20, 'warehouse.maxDelayMs': 200, 'treasury.refreshMs': 0 } });
    platform = await startPlatform(config, pino({ level: 'silent' }));
    origin = `http://127.0.0.1:${String(platform.ingest.httpPort)}`;
    mkdirSync(SHOTS, { recursive: true });
  });
  after(async () => {
    await platform.close();
    await dir[Symbol.asyncDispose]();
  });

  const call = async (method: string, path: string, key: string, body?: string, type = 'application/json'): Promise<{ status: number; text: string }> => {
    const res = await fetch(`${origin}${path}`, { method, headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': type }) }, ...(body === undefined ? {} : { body }) });
    return { status: res.status, text: await res.text() };
  };
  const read = async <T>(path: string): Promise<T> => {
    const r = await call('GET', path, readKey);
    assert.equal(r.status, 200, `${path}: ${r.text}`);
    return JSON.parse(r.text) as T;
  };
  const sale = (storeId: string, ts: number, amount: number, tender: 'card' | 'cash', brand = 'visa', type: 'sale' | 'refund' = 'sale'): string =>
    JSON.stringify({ txn_id: `T${String(++seq)}`, store_id: storeId, terminal_id: `${storeId}-1`, seq, ts: new Date(ts).toISOString(), type, amount_minor: amount, currency: 'EUR', tax_minor: 0, tender, ...(tender === 'card' ? { card_brand: brand } : {}) });
  const ingest = async (lines: string[]): Promise<void> => {
    const r = await call('POST', '/v1/transactions', ingestKey, `${lines.join('\n')}\n`, 'application/x-ndjson');
    assert.equal(r.status, 200, r.text);
    await platform.stream.caughtUp();
    await platform.feeder.flush();
  };

  it('empty states, expected against arrived, breaks down to a store and day, fees, cash position', { timeout: 180_000 }, async (t) => {
    // The store page's time series asks for a forecast; none is stored, and the API's 404 says so.
    const browser = await launchOrSkip(origin, t, { expected404: (path) => path === '/v1/forecasts' });
    if (browser === null) return;
    await using b = browser;
    const page = b.page;
    const shot = async (name: string): Promise<void> => {
      await page.screenshot({ path: join(SHOTS, `treasury-${name}.png`), fullPage: true });
    };

    // Sign in on the sales page, go to Treasury through the navigation, look at the last 30 days.
    await page.goto(`${origin}/`);
    await page.getByLabel('Read key').fill(readKey);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByTestId('tenant').filter({ hasText: 'shop' }).waitFor();
    await page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: 'Treasury', exact: true }).click();
    await page.getByRole('heading', { name: 'Treasury', exact: true, level: 1 }).waitFor();
    await page.getByTestId('range-preset').selectOption('30d');
    const range = `from=${ymd(Math.floor(Date.now() / DAY) - 29)}&to=${ymd(Math.floor(Date.now() / DAY) + 1)}`;

    // Nothing yet: no expected money, no statement; every panel says it is empty.
    const notices = page.getByTestId('treasury-notices');
    await notices.locator('[data-notice="no-expected-money"]').waitFor();
    await notices.locator('[data-notice="no-statements"]').waitFor();
    await page.getByTestId('flows-empty').waitFor();
    await page.getByTestId('breaks-empty').waitFor();
    await page.getByTestId('cash-empty').waitFor();
    await shot('1-empty');

    // Noon UTC is 13:00 or 14:00 in Berlin: business day `day`, paid out and deposited T+1.
    const noon = day * DAY + 12 * 3_600_000;
    const late = yesterday * DAY + 12 * 3_600_000;
    await ingest([
      sale('S1', noon, 10_000, 'card'), sale('S1', noon + 60_000, 5_000, 'card', 'mastercard'), sale('S1', noon + 120_000, 2_000, 'card', 'visa', 'refund'), sale('S1', noon, 3_000, 'cash'),
      sale('S2', noon, 7_000, 'card'), sale('S2', noon, 4_500, 'cash'),
      sale('S3', noon, 8_000, 'card', 'amex'), sale('S3', noon, 4_000, 'card'), sale('S3', noon, 2_500, 'cash'),
      // Yesterday's sales: owed, not due (or not missing) yet.
      sale('S1', late, 2_000, 'card'), sale('S1', late, 1_000, 'cash'), sale('S3', late, 3_000, 'card', 'amex'),
    ]);
    await eventually(async () => assert.ok((await read<{ total: number }>('/v1/treasury/unsettled')).total > 0));

    // Sales, but no acquirer or fee plan in the set-up: the page names what is unsettled and why (cash is already expected: a bank account is enough).
    await page.reload();
    await page.getByTestId('range-preset').selectOption('30d');
    const unsettled = await read<{ totals: Record<string, Record<string, number>> }>('/v1/treasury/unsettled');
    assert.deepEqual(Object.keys(unsettled.totals), ['unknown_acquirer']);
    await notices.locator('[data-notice="setup"] [data-reason="unknown_acquirer"]').filter({ hasText: eur(unsettled.totals['unknown_acquirer']!['EUR']!) }).waitFor();
    await notices.locator('[data-notice="no-statements"]').waitFor();
    await shot('2-no-setup');

    // The set-up arrives: money is expected, nothing has arrived (no statement yet).
    assert.equal((await call('PUT', '/v1/admin/tenants/shop/treasury/setup', adminKey, JSON.stringify(SETUP))).status, 200);
    await eventually(async () => assert.equal((await read<{ total: number }>('/v1/treasury/payouts')).total, 5));
    const payouts = (await read<{ payouts: { id: string; merchant_account: string; amount: number; reference: string; payout_date: string }[] }>(`/v1/treasury/payouts?from=${ymd(day + 1)}&to=${ymd(day + 2)}`)).payouts;
    const p1 = payouts.find((p) => p.merchant_account === 'M-S1')!;
    const p2 = payouts.find((p) => p.merchant_account === 'M-S2')!;
    const p3 = payouts.find((p) => p.merchant_account === 'M-S3')!;
    // S1: 15000 charged, fees 160 (visa) + 85 (mastercard), refund 2000; S2: 7000 − 115; S3: 12000 − 205 (amex) − 53 (visa).
    assert.deepEqual([p1.amount, p2.amount, p3.amount], [12_755, 6_885, 11_742]);

    // The bank statements: account A pays p1 exactly, S1's cash 1.00 short, a rent debit; p2 and S2's cash never come. Account B is paid in full.
    const fileA = mt940(ACCOUNT_A, day + 1, 100_000, [
      { amount: 12_755, ref: 'NONREF', text: `PAYOUT ${p1.reference}` },
      { amount: 2_900, ref: 'NONREF', text: `DEP-S1-${compact(ymd(day))}` },
      { amount: -4_200, ref: 'NONREF', text: 'RENT' },
    ]);
    const fileB = mt940(ACCOUNT_B, day + 1, 50_000, [
      { amount: 11_742, ref: 'NONREF', text: `PAYOUT ${p3.reference}` },
      { amount: 2_500, ref: 'NONREF', text: `DEP-S3-${compact(ymd(day))}` },
    ]);
    for (const [name, file] of [['a.sta', fileA], ['b.sta', fileB]] as const) assert.equal((await call('POST', `/v1/statements?name=${name}`, ingestKey, file, 'text/plain')).status, 201);
    await page.reload();
    await page.getByTestId('range-preset').selectOption('30d');
    await page.getByTestId('flows-accounts').locator(`tr[data-account="${ACCOUNT_A}"]`).waitFor();
    assert.equal(await notices.locator('[data-notice]').count(), 0);

    // (1) Expected against arrived: per account and day, the API's items by due date and entries by booking date.
    const recon = await read<Recon>(`/v1/treasury/reconciliation?${range}&limit=10000`);
    const paid = new Set(['matched', 'amount_mismatch', 'timing']);
    const apiDays = (account: string): Map<string, { expected: number; arrived: number; notExpected: number }> => {
      const m = new Map<string, { expected: number; arrived: number; notExpected: number }>();
      const at = (d: string): { expected: number; arrived: number; notExpected: number } => m.get(d) ?? (m.set(d, { expected: 0, arrived: 0, notExpected: 0 }), m.get(d)!);
      for (const i of recon.items) if (i.account === account) at(i.expectedDate).expected += i.amount;
      for (const e of recon.entries) if (e.account === account) at(e.date)[paid.has(e.status) ? 'arrived' : 'notExpected'] += e.amount;
      return m;
    };
    const shownDays = async (): Promise<Map<string, { expected: number; arrived: number; notExpected: number }>> =>
      new Map(
        await page.getByTestId('flows-days').locator('tbody tr').evaluateAll((trs) =>
          trs.map((tr) => [tr.getAttribute('data-day') ?? '', { expected: Number(tr.getAttribute('data-expected')), arrived: Number(tr.getAttribute('data-arrived')), notExpected: Number(tr.getAttribute('data-not-expected')) }] as const),
        ),
      );
    const dueA = ymd(day + 1);
    // Accounts are listed in order; the first (B) is open, A is chosen.
    assert.deepEqual(await page.getByTestId('flows-accounts').locator('tbody tr').evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-account'))), [ACCOUNT_B, ACCOUNT_A]);
    await page.getByTestId('flows-accounts').locator(`tr[data-account="${ACCOUNT_A}"] button`).click();
    await page.getByTestId('flows-account').filter({ hasText: ACCOUNT_A }).waitFor();
    assert.deepEqual(apiDays(ACCOUNT_A).get(dueA), { expected: 12_755 + 6_885 + 3_000 + 4_500, arrived: 12_755 + 2_900, notExpected: -4_200 });
    await eventually(async () => assert.deepEqual(await shownDays(), apiDays(ACCOUNT_A)));
    const rowA = page.getByTestId('flows-days').locator(`tr[data-day="${dueA}"]`);
    assert.deepEqual((await rowA.locator('td').allTextContents()).slice(0, 7), [eur(27_140), '4', eur(15_655), '2', eur(15_655 - 27_140), eur(-4_200), '5']);
    // One bar per non-zero amount.
    assert.equal(await page.getByTestId('flows-chart').locator('rect').count(), [...apiDays(ACCOUNT_A).values()].flatMap((v) => [v.expected, v.arrived, v.notExpected]).filter((v) => v !== 0).length);
    await page.getByTestId('flows-accounts').locator(`tr[data-account="${ACCOUNT_B}"] button`).click();
    await page.getByTestId('flows-account').filter({ hasText: ACCOUNT_B }).waitFor();
    await eventually(async () => assert.deepEqual(await shownDays(), apiDays(ACCOUNT_B)));
    assert.deepEqual(apiDays(ACCOUNT_B).get(dueA), { expected: 11_742 + 2_500, arrived: 11_742 + 2_500, notExpected: 0 });
    await page.getByTestId('flows-accounts').locator(`tr[data-account="${ACCOUNT_A}"] button`).click();
    await page.getByTestId('flows-account').filter({ hasText: ACCOUNT_A }).waitFor();
    await page.locator('#flows').screenshot({ path: join(SHOTS, 'treasury-3-flows.png') });

    // (2) Open breaks: the API's list; the short deposit says by how much; a status filter narrows it as the API does.
    const breakRows = async (): Promise<string[]> => page.getByTestId('breaks').locator('tbody tr[data-id]').evaluateAll((trs) => trs.map((tr) => `${tr.getAttribute('data-status') ?? ''} ${tr.getAttribute('data-amount') ?? ''} ${tr.getAttribute('data-id') ?? ''}`));
    const apiBreaks = async (q: string): Promise<string[]> => {
      const r = await read<Recon>(`/v1/treasury/reconciliation?status=${q}&${range}&limit=50`);
      return [...r.items.map((i) => `${i.status} ${String(i.amount)} ${i.id}`), ...r.entries.map((e) => `${e.status} ${String(e.amount)} ${e.id}`)];
    };
    const all = await apiBreaks('breaks');
    assert.deepEqual(all.map((x) => x.split(' ').slice(0, 2).join(' ')).sort(), ['amount_mismatch 2900', 'amount_mismatch 3000', 'missing 4500', 'missing 6885', 'unexpected -4200']);
    await eventually(async () => assert.deepEqual(await breakRows(), all));
    const dep1 = page.getByTestId('breaks').locator('tr[data-kind="deposit"][data-status="amount_mismatch"]');
    assert.equal(await dep1.getByTestId('break-wrong').textContent(), `booked ${eur(2_900)}, difference ${eur(-100)}`);
    assert.equal(await dep1.getByRole('link').getAttribute('href'), `#/store/S1?day=${ymd(day)}`);
    await shot('4-page');
    await page.getByTestId('breaks-status').selectOption('missing');
    const missing = await apiBreaks('missing');
    assert.equal(missing.length, 2);
    await eventually(async () => assert.deepEqual(await breakRows(), missing));
    await page.getByTestId('breaks-kind').selectOption('payout');
    await eventually(async () => assert.deepEqual(await breakRows(), [`missing 6885 ${p2.id}`]));
    await page.locator('#breaks').screenshot({ path: join(SHOTS, 'treasury-5-breaks-missing-payouts.png') });

    // (3) Fees by card brand and by acquirer over the range: the API's rows, and the fee plans' exact sums.
    const feeRows = async (id: string): Promise<string[]> => page.getByTestId(id).locator('tbody tr[data-key]').evaluateAll((trs) => trs.map((tr) => `${tr.getAttribute('data-key') ?? ''} ${tr.getAttribute('data-charged') ?? ''} ${tr.getAttribute('data-fees') ?? ''}`));
    for (const [by, id] of [['card_brand', 'fees-brand'], ['acquirer', 'fees-acquirer']] as const) {
      const api = (await read<{ rows: FeeRow[] }>(`/v1/treasury/fees?by=${by}&period=all&${range}`)).rows;
      await eventually(async () => assert.deepEqual(await feeRows(id), api.map((r) => `${r.key} ${String(r.charged)} ${String(r.fees)}`)));
    }
    // visa 160 + 115 + 53 + yesterday's 40; amex 205 + 80; mastercard 85. acq-eu 245 + 115 + 40; acq-two 258 + 80.
    assert.deepEqual((await feeRows('fees-brand')).sort(), ['amex 11000 285', 'mastercard 5000 85', 'visa 23000 368']);
    assert.deepEqual((await feeRows('fees-acquirer')).sort(), ['acq-eu 24000 400', 'acq-two 15000 338']);
    assert.equal(await page.getByTestId('fees-brand').locator('tr[data-key="visa"] td').nth(2).textContent(), eur(368));

    // (4) Cash position of account A: the statement's closing balance, then yesterday's sales owed by due date; missing money apart.
    const cash = (await read<{ forecast: string; accounts: CashAccount[] }>('/v1/treasury/cash-position')).accounts.find((a) => a.account === ACCOUNT_A)!;
    assert.deepEqual(cash.statement?.amount, 100_000 + 12_755 + 2_900 - 4_200);
    assert.deepEqual(cash.missing, { amount: 6_885 + 4_500, items: 2 });
    assert.equal(cash.days.at(-1)?.balance, 111_455 + (2_000 - 40) + 1_000);
    const position = page.getByTestId('cash-position');
    await position.waitFor();
    assert.equal(await position.getAttribute('data-account'), ACCOUNT_B);
    await page.getByTestId('cash-account').selectOption(`${ACCOUNT_A} EUR`);
    await position.and(page.locator(`[data-account="${ACCOUNT_A}"]`)).waitFor();
    assert.ok(((await position.getByTestId('cash-statement').textContent()) ?? '').startsWith(`${eur(111_455)} at the close of`));
    assert.ok(((await position.getByTestId('cash-missing').textContent()) ?? '').startsWith(`${eur(11_385)} in 2 items`));
    const cashRows = await position.getByTestId('cash-days').locator('tbody tr[data-owed]').evaluateAll((trs) => trs.map((tr) => ({ date: tr.getAttribute('data-day') ?? '', owed: Number(tr.getAttribute('data-owed')), balance: Number(tr.getAttribute('data-balance')) })));
    assert.deepEqual(cashRows, cash.days.map((d) => ({ date: d.date, owed: d.owed, balance: d.balance })));
    assert.equal(await position.getByTestId('cash-chart').locator('circle').count(), cash.days.length + 1);
    await page.locator('#cash').screenshot({ path: join(SHOTS, 'treasury-6-cash-position.png') });

    // Drill-down: the missing payout → its store/day lines and fees → the store on that business day.
    await page.getByTestId('breaks').locator(`tr[data-id="${p2.id}"] a`).click();
    await page.getByTestId('payout-title').filter({ hasText: 'acq-eu' }).waitFor();
    const one = await read<{ payout: { amount: number; fees: number; status: string }; lines: { store_id: string; business_day: string; card_brand: string | null; charged: number; fees: number; amount: number }[] }>(`/v1/treasury/payouts/${encodeURIComponent(p2.id)}`);
    const details = page.getByTestId('payout-details');
    assert.equal(await details.locator('[data-field="status"]').getAttribute('data-value'), one.payout.status);
    assert.equal(one.payout.status, 'missing');
    assert.equal(await details.locator('[data-field="amount"]').textContent(), eur(6_885));
    assert.equal(await details.locator('[data-field="fees"]').textContent(), eur(-115));
    const lines = await page.getByTestId('payout-lines').locator('tbody tr').evaluateAll((trs) => trs.map((tr) => ({ store_id: tr.getAttribute('data-store'), business_day: tr.getAttribute('data-day'), card_brand: tr.getAttribute('data-brand'), charged: Number(tr.getAttribute('data-charged')), fees: Number(tr.getAttribute('data-fees')), amount: Number(tr.getAttribute('data-amount')) })));
    assert.deepEqual(lines, one.lines.map((l) => ({ store_id: l.store_id, business_day: l.business_day, card_brand: l.card_brand ?? '', charged: l.charged, fees: l.fees, amount: l.amount })));
    assert.deepEqual(lines, [{ store_id: 'S2', business_day: ymd(day), card_brand: 'visa', charged: 7_000, fees: 115, amount: 6_885 }]);
    await page.getByTestId('payout-no-entries').waitFor();
    await shot('7-payout');

    await page.getByTestId('payout-lines').locator('tbody tr td a').first().click();
    await page.getByTestId('store-title').filter({ hasText: 'S2' }).waitFor();
    assert.equal(await page.getByLabel('From').inputValue(), ymd(day));
    assert.equal(await page.getByLabel('To (inclusive)').inputValue(), ymd(day));
    const totals = await read<{ totals: Record<string, number | null> }>(`/v1/stores/S2?from=${ymd(day)}&to=${ymd(day + 1)}&tz=store&metrics=net_sales,sale_count`);
    assert.equal(totals.totals['net_sales'], 11_500);
    await eventually(async () => assert.equal(await page.getByTestId('store-totals').locator('[data-metric="net_sales"]').getAttribute('data-value'), '11500'));
    await eventually(async () => assert.equal(await page.getByTestId('transactions').locator('tbody tr[data-txn]').count(), 2));
    await shot('8-store-on-the-day');

    assert.deepEqual(b.problems, []);
  });
});
