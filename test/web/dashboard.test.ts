/**
 * The dashboard end to end in Debian's Chromium against a real platform:
 * sign in with a read key, watch today's numbers move while sales arrive,
 * draw a box on the map and find the API's own numbers for that box in the
 * top-stores table and the time series, open a store, sign out. Any console
 * error, page error or request to another origin fails the test.
 * Screenshots are written to test-output/dashboard/.
 */
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import pino from 'pino';
import { loadConfig } from '../../src/config/config.js';
import { hiddenRoutes } from '../../src/api/http-server.js';
import type { Store } from '../../src/domain/store.js';
import { startPlatform, type Platform } from '../../src/platform/platform.js';
import { RegistryStore } from '../../src/tenants/registry-store.js';
import { TenantStore } from '../../src/tenants/tenant-store.js';
import { tempDir, type TempDir } from '../support/temp-dir.js';
import { eventually, launchOrSkip } from './browser.js';

const SHOTS = join('test-output', 'dashboard');

const store = (store_id: string, name: string, lat: number, lon: number, country: string, city: string, timezone: string, currency: string): Store => ({
  store_id, name, lat, lon, country, region: 'R', city, timezone, currency, acquirer: 'acq', merchant_account: `M-${store_id}`, bank_account: `B-${store_id}`, fee_plan: 'standard',
});
const STORES: Store[] = [
  store('BER1', 'Berlin Mitte', 52.52, 13.405, 'DE', 'Berlin', 'Europe/Berlin', 'EUR'),
  store('PAR1', 'Paris Opéra', 48.8719, 2.3316, 'FR', 'Paris', 'Europe/Paris', 'EUR'),
  store('MAD1', 'Madrid Sol', 40.4168, -3.7038, 'ES', 'Madrid', 'Europe/Madrid', 'EUR'),
  store('LON1', 'London Strand', 51.5101, -0.1198, 'GB', 'London', 'Europe/London', 'GBP'),
  store('NYC1', 'Fifth Avenue', 40.7648, -73.9733, 'US', 'New York', 'America/New_York', 'USD'),
  store('LAX1', 'Santa Monica', 34.0195, -118.4912, 'US', 'Los Angeles', 'America/Los_Angeles', 'USD'),
  store('TYO1', 'Ginza', 35.6717, 139.765, 'JP', 'Tokyo', 'Asia/Tokyo', 'JPY'),
  store('BOM1', 'Colaba', 18.9067, 72.8147, 'IN', 'Mumbai', 'Asia/Kolkata', 'INR'),
];
const EUROPE = new Set(['BER1', 'PAR1', 'MAD1', 'LON1']);
const TENDERS = ['card', 'cash', 'wallet', 'gift_card'] as const;

let seq = 0;
/** `count` sales per store at `ts`; amounts differ per store and per sale so sums are not symmetric. */
function sales(ts: number, count: number): string {
  const lines: string[] = [];
  STORES.forEach((s, si) => {
    for (let i = 0; i < count; i++) {
      seq++;
      const amount = s.currency === 'JPY' ? 1200 + 37 * si + 11 * i : 1999 + 531 * si + 97 * i;
      const tender = TENDERS[(si + i) % TENDERS.length]!;
      lines.push(JSON.stringify({ txn_id: `R-${String(seq)}`, store_id: s.store_id, terminal_id: `${s.store_id}-T1`, seq, ts: new Date(ts).toISOString(), type: 'sale', amount_minor: amount, currency: s.currency, tax_minor: Math.floor(amount / 10), tender, ...(tender === 'card' ? { card_brand: 'visa' } : {}), items: 1 + (i % 3) }));
    }
  });
  return `${lines.join('\n')}\n`;
}

/** `new Intl.NumberFormat('en-US')` of an exact minor-unit amount: what the page must show in an en-US browser. */
const eur = (minor: number): string => new Intl.NumberFormat('en-US', { style: 'currency', currency: 'EUR', minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(`${(minor / 100).toFixed(2)}` as Intl.StringNumericLiteral);
const count = (n: number): string => new Intl.NumberFormat('en-US').format(n);
const utcDay = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

/** Web Mercator of the map's first view (760×440 user units, world width, shifted 60 down), in the SVG's user units. */
function mapPoint(lon: number, lat: number): [number, number] {
  const s = 760 / (2 * Math.PI);
  return [380 + s * ((lon * Math.PI) / 180), 280 - s * Math.log(Math.tan(Math.PI / 4 + (lat * Math.PI) / 360))];
}

describe('dashboard in Chromium', () => {
  let dir: TempDir;
  let platform: Platform;
  let origin: string;
  let ingestKey: string;
  let readKey: string;

  before(async () => {
    dir = tempDir();
    const tenants = new TenantStore(dir.path);
    tenants.createTenant({ id: 'shop', reportingCurrency: 'EUR', businessDayCutoff: '04:00', goLive: '2020-01-01' });
    new RegistryStore(dir.path).put('shop', STORES);
    ingestKey = tenants.createKey('shop', 'ingest').secret;
    readKey = tenants.createKey('shop', 'read').secret;
    const config = loadConfig({ env: {}, overrides: { dataDir: dir.path, logLevel: 'silent', 'ingest.tcpPort': 0, 'api.port': 0, 'log.segmentBytes': 1 << 20, 'warehouse.maxDelayMs': 200, 'forecast.checkIntervalMs': 0 } });
    platform = await startPlatform(config, pino({ level: 'silent' }));
    origin = `http://127.0.0.1:${String(platform.ingest.httpPort)}`;
    mkdirSync(SHOTS, { recursive: true });
  });
  after(async () => {
    await platform.close();
    await dir[Symbol.asyncDispose]();
  });

  const ingest = async (body: string): Promise<void> => {
    const res = await fetch(`${origin}/v1/transactions`, { method: 'POST', headers: { authorization: `Bearer ${ingestKey}`, 'content-type': 'application/x-ndjson' }, body });
    assert.equal(res.status, 200, await res.text());
    await platform.stream.caughtUp();
    await platform.feeder.flush();
  };
  const read = async <T>(path: string): Promise<T> => {
    const res = await fetch(`${origin}${path}`, { headers: { authorization: `Bearer ${readKey}` } });
    assert.equal(res.status, 200, path);
    return (await res.json()) as T;
  };
  /** Today's sales and net sales: every "now" sale is on today's business day of its store, and nothing else lies within a day of now. */
  const todayTotals = async (): Promise<{ sale_count: number; net_sales: number }> => {
    const now = Date.now();
    const s = await read<{ groups: { points: { sale_count: number; net_sales: number }[] }[] }>(`/v1/series?metrics=sale_count,net_sales&granularity=day&tz=UTC&from=${utcDay(now - 86_400_000)}&to=${utcDay(now + 2 * 86_400_000)}`);
    const pts = s.groups.flatMap((g) => g.points);
    return { sale_count: pts.reduce((n, p) => n + p.sale_count, 0), net_sales: pts.reduce((n, p) => n + p.net_sales, 0) };
  };

  it('serves the dashboard at / as files kept out of the API description', async () => {
    const res = await fetch(`${origin}/`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /text\/html/);
    assert.match(res.headers.get('content-security-policy') ?? '', /default-src 'self'/);
    const html = await res.text();
    const asset = /src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    assert.ok(asset !== undefined, 'index.html loads a bundled script from /assets/');
    assert.equal((await fetch(`${origin}${asset}`)).status, 200);
    assert.deepEqual(hiddenRoutes(platform.ingest.http).map((r) => `${r.method} ${r.url}`), ['GET /*']);
    // API paths stay JSON, not the dashboard.
    assert.equal((await fetch(`${origin}/v1/series`)).status, 401);
  });

  it('sign in, live numbers, box on the map, a store, sign out', { timeout: 180_000 }, async (t) => {
    const now = Date.now();
    // Today (a few per store), the same weekday last week (late: it restates a closed day), three days ago, and one line for an unknown store.
    await ingest(sales(now - 2000, 3) + sales(now - 7 * 86_400_000 - 20 * 60_000, 2) + sales(now - 3 * 86_400_000, 2) + JSON.stringify({ txn_id: 'BAD-1', store_id: 'NOPE', terminal_id: 'X', seq: 1, ts: new Date(now).toISOString(), type: 'sale', amount_minor: 100, currency: 'EUR', tax_minor: 0, tender: 'cash' }) + '\n');

    // No forecast is stored for this tenant: the time series asks, and the API's 404 says so.
    const browser = await launchOrSkip(origin, t, { expected404: (path) => path === '/v1/forecasts' });
    if (browser === null) return;
    await using b = browser;
    const page = b.page;
    const shot = async (name: string): Promise<void> => {
      await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
    };

    // Sign in: a wrong key is refused with a message, the read key is accepted.
    await page.goto(`${origin}/`);
    await page.getByLabel('Read key').fill('tpk_read_wrong');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').filter({ hasText: 'not a valid read key' }).waitFor();
    // Chromium logs every refused request; the refused key's 401 is the one expected line.
    assert.deepEqual(b.problems.splice(0), ['console error: Failed to load resource: the server responded with a status of 401 (Unauthorized)']);
    await page.getByLabel('Read key').fill(readKey);
    await shot('1-sign-in');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByTestId('tenant').filter({ hasText: 'shop' }).waitFor();

    // Today so far equals the API's own totals, and moves as sales arrive.
    const kpi = async (id: string): Promise<string> => (await page.getByTestId(`kpi-${id}`).textContent()) ?? '';
    const first = await todayTotals();
    assert.equal(first.sale_count, 3 * STORES.length);
    await eventually(async () => assert.equal(await kpi('sale-count'), count(first.sale_count)));
    assert.equal(await kpi('net-sales'), eur(first.net_sales));
    await page.getByTestId('overview-countries').locator('tr[data-country="JP"]').waitFor();
    await ingest(sales(Date.now() - 1000, 2));
    const second = await todayTotals();
    assert.equal(second.sale_count, 5 * STORES.length);
    await eventually(async () => assert.equal(await kpi('sale-count'), count(second.sale_count)), 20_000);
    await eventually(async () => assert.equal(await kpi('net-sales'), eur(second.net_sales)));

    // Data quality: the unknown store's line by its code, and the late sales as restatements.
    await page.getByTestId('dead-letters').locator('tr[data-code="unknown_store"]').waitFor();
    assert.ok((await page.getByTestId('restatements').locator('tbody tr').count()) >= STORES.length);
    await shot('2-dashboard');

    // Draw a box around Europe: the table and the series become the API's numbers for that box.
    const seriesValues = async (): Promise<Map<string, number>> => {
      const rows = await page.getByTestId('series-table').locator('tbody tr').evaluateAll((trs) => trs.map((tr) => [tr.getAttribute('data-bucket') ?? '', Number(tr.querySelector('td')?.getAttribute('data-value'))] as const));
      return new Map(rows);
    };
    const tableRows = async (): Promise<{ store: string; net: string | null }[]> =>
      page.getByTestId('top-table').locator('tbody tr[data-store]').evaluateAll((trs) => trs.map((tr) => ({ store: tr.getAttribute('data-store') ?? '', net: tr.querySelector('td[data-metric="net_sales"]')?.getAttribute('data-value') ?? null })));
    await eventually(async () => assert.equal((await tableRows()).length, STORES.length));
    const before = await seriesValues();

    await page.getByRole('radio', { name: 'Draw box' }).click();
    const box = (await page.getByTestId('map').boundingBox())!;
    const px = ([x, y]: [number, number]): [number, number] => [box.x + (x / 760) * box.width, box.y + (y / 440) * box.height];
    const [x0, y0] = px(mapPoint(-12, 62));
    const [x1, y1] = px(mapPoint(30, 34));
    await page.mouse.move(x0, y0);
    await page.mouse.down();
    await page.mouse.move(x1, y1, { steps: 8 });
    await page.mouse.up();
    const scope = JSON.parse((await page.getByTestId('scope').getAttribute('data-scope'))!) as { kind: string; west: number; south: number; east: number; north: number };
    assert.equal(scope.kind, 'bbox');
    assert.ok(Math.abs(scope.west + 12) < 1 && Math.abs(scope.east - 30) < 1 && Math.abs(scope.north - 62) < 1 && Math.abs(scope.south - 34) < 1, JSON.stringify(scope));
    const bbox = [scope.west, scope.south, scope.east, scope.north].join(',');

    const today = utcDay(Date.now());
    const range = `from=${utcDay(Date.parse(today) - 6 * 86_400_000)}&to=${utcDay(Date.parse(today) + 86_400_000)}&tz=store`;
    const top = await read<{ rows: { key: { store: string }; net_sales: number }[] }>(`/v1/top?metric=net_sales&order=desc&metrics=net_sales,sale_count,avg_basket,refunds&by=store&limit=20&${range}&bbox=${bbox}`);
    assert.deepEqual(new Set(top.rows.map((r) => r.key.store)), EUROPE);
    await eventually(async () => assert.deepEqual(await tableRows(), top.rows.map((r) => ({ store: r.key.store, net: String(r.net_sales) }))));
    const series = await read<{ groups: { points: { bucket: string; net_sales: number }[] }[] }>(`/v1/series?metrics=net_sales&granularity=day&${range}&bbox=${bbox}`);
    const expected = new Map((series.groups[0]?.points ?? []).map((p) => [p.bucket, p.net_sales]));
    assert.ok(expected.size >= 2, 'the box has sales on several days');
    await eventually(async () => {
      const shown = await seriesValues();
      for (const [bucket, v] of shown) assert.equal(v, expected.get(bucket) ?? 0, bucket);
      for (const [bucket, v] of expected) assert.equal(shown.get(bucket), v, bucket);
    });
    assert.notDeepEqual(await seriesValues(), before);
    await shot('3-box-over-europe');

    // Open the top store: its details, its totals and its first page of raw transactions, as the API has them.
    const best = top.rows[0]!.key.store;
    await page.getByTestId('top-table').locator(`tr[data-store="${best}"] a`).click();
    await page.getByTestId('store-title').filter({ hasText: best }).waitFor();
    const info = await read<{ totals: Record<string, number | null> }>(`/v1/stores/${best}?${range}&metrics=net_sales,gross_sales,refunds,sale_count,avg_basket,items`);
    await eventually(async () => assert.equal(await page.getByTestId('store-totals').locator('[data-metric="net_sales"]').getAttribute('data-value'), String(info.totals['net_sales'])));
    assert.equal(await page.getByTestId('store-totals').locator('[data-metric="sale_count"]').textContent(), count(info.totals['sale_count']!));
    const txns = await eventually(async () => {
      const ids = await page.getByTestId('transactions').locator('tbody tr[data-txn]').evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-txn')));
      assert.ok(ids.length > 0);
      return ids;
    });
    const table = page.getByTestId('transactions');
    const from = (await table.getAttribute('data-from'))!;
    const to = (await table.getAttribute('data-to'))!;
    assert.ok(from.startsWith(utcDay(Date.parse(today) - 6 * 86_400_000)) && from.length === 25, from);
    const raw = await read<{ items: { txn_id: string }[] }>(`/v1/stores/${best}/transactions?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}&limit=25`);
    assert.deepEqual(txns, raw.items.map((i) => i.txn_id));
    assert.doesNotMatch((await table.textContent()) ?? '', /null|undefined|NaN/);
    await shot('4-store');

    // Sign out: the key is forgotten, a reload asks for one again.
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('Read key').waitFor();
    assert.equal(await page.evaluate('sessionStorage.length'), 0);
    await page.reload();
    await page.getByLabel('Read key').waitFor();
    await shot('5-signed-out');

    assert.deepEqual(b.problems, []);
  });
});
