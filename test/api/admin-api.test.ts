/**
 * The admin API end to end on a real `tpay run` platform: a tenant, its
 * keys, registry and FX rates set up over HTTP; transactions in; dashboards
 * out, converted at the uploaded rate; keys rotated and revoked. Also: the
 * OpenAPI document describes exactly the routes the server has.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pino from 'pino';
import { loadConfig } from '../../src/config/config.js';
import { registeredRoutes } from '../../src/api/http-server.js';
import { OPENAPI } from '../../src/api/openapi.js';
import { startPlatform, type Platform } from '../../src/platform/platform.js';
import { TenantStore } from '../../src/tenants/tenant-store.js';
import { tempDir, type TempDir } from '../support/temp-dir.js';
import { apiCaller } from '../support/api-call.js';

describe('admin API and OpenAPI', () => {
  let dir: TempDir;
  let platform: Platform;
  let api: string;
  let admin: string;

  before(async () => {
    dir = tempDir();
    admin = new TenantStore(dir.path).createKey(null, 'admin').secret;
    const config = loadConfig({ env: {}, overrides: { dataDir: dir.path, logLevel: 'silent', 'ingest.tcpPort': 0, 'api.port': 0, 'log.segmentBytes': 1 << 20 } });
    platform = await startPlatform(config, pino({ level: 'silent' }));
    api = `http://127.0.0.1:${String(platform.ingest.httpPort)}`;
  });
  after(async () => {
    await platform.close();
    await dir[Symbol.asyncDispose]();
  });

  const call = apiCaller(() => api);
  const code = (r: { body: Record<string, unknown> }): string => (r.body['error'] as { code: string }).code;

  it('describes every route in /openapi.json, and nothing that is not a route', async () => {
    const routes = registeredRoutes(platform.ingest.http).map((r) => `${r.method} ${r.url.replace(/:(\w+)/g, '{$1}')}`).sort();
    const documented = Object.entries(OPENAPI.paths).flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`)).sort();
    assert.deepEqual(routes, documented);
    const doc = await call('GET', '/openapi.json', 'none');
    assert.equal(doc.body['openapi'], '3.1.0');
    const page = await fetch(`${api}/docs`);
    assert.match(page.headers.get('content-type') ?? '', /text\/html/);
    const html = await page.text();
    for (const p of Object.keys(OPENAPI.paths)) assert.ok(html.includes(p.replace(/&/g, '&amp;')), `docs page shows ${p}`);
  });

  it('sets up a tenant over HTTP and serves its numbers at the uploaded FX rate', async () => {
    const t = await call('POST', '/v1/admin/tenants', admin, { id: 'shop', reporting_currency: 'EUR', business_day_cutoff: '04:00' });
    assert.equal(t.status, 201, JSON.stringify(t.body));
    assert.equal(code(await call('POST', '/v1/admin/tenants', admin, { id: 'shop', reporting_currency: 'EUR' })), 'tenant_exists');
    assert.equal(code(await call('POST', '/v1/admin/tenants', admin, { id: 'x', reporting_currency: 'EURO' })), 'tenant_invalid');
    const ingest = (await call('POST', '/v1/admin/tenants/shop/keys', admin, { kind: 'ingest' })).body['secret'] as string;
    const readMade = await call('POST', '/v1/admin/tenants/shop/keys', admin, { kind: 'read' });
    const read = readMade.body['secret'] as string;
    const readId = (readMade.body['key'] as { id: string }).id;

    const csv = 'store_id,name,lat,lon,country,region,city,timezone,currency,acquirer,merchant_account,bank_account,fee_plan\n' + 'NY1,Fifth Avenue,40.7648,-73.9733,US,AMER-North,New York,America/New_York,USD,acq-us,M-NY1,US-1,standard\n';
    const reg = await call('PUT', '/v1/admin/tenants/shop/stores', admin, csv, 'text/csv');
    assert.deepEqual(reg.body, { tenant: 'shop', stores: 1 });
    assert.equal(code(await call('PUT', '/v1/admin/tenants/shop/stores', admin, 'store_id\nX\n', 'text/csv')), 'registry_invalid');
    // 1 USD = 0.8 EUR from June 1st; before that the default table answers.
    const fx = await call('PUT', '/v1/admin/tenants/shop/fx', admin, { rates: [{ date: '2026-06-01', currency: 'USD', rate: '0.8' }] });
    assert.deepEqual(fx.body, { tenant: 'shop', rates: 1 });
    assert.equal(code(await call('PUT', '/v1/admin/tenants/shop/fx', admin, { rates: [{ date: '2026-06-31', currency: 'USD', rate: '0.8' }] })), 'fx_invalid');

    const line = (seq: number, amount: number): string =>
      JSON.stringify({ txn_id: `T${String(seq)}`, store_id: 'NY1', terminal_id: 'NY1-1', seq, ts: '2026-07-04T12:00:05-04:00', type: 'sale', amount_minor: amount, currency: 'USD', tax_minor: 0, tender: 'cash' });
    const sent = await call('POST', '/v1/transactions', ingest, `${line(1, 1001)}\n${line(2, 2)}\n`, 'application/x-ndjson');
    assert.deepEqual(sent.body, { accepted: 2, duplicates: 0, rejected: [] });
    await platform.stream.caughtUp();
    const s = await call('GET', '/v1/series?metrics=gross_sales,sale_count&granularity=day&from=2026-07-04&to=2026-07-05', read);
    // 1001 × 0.8 = 800.8 → 801; 2 × 0.8 = 1.6 → 2 (each transaction rounded half to even on its own).
    assert.deepEqual(s.body['groups'], [{ key: {}, points: [{ bucket: '2026-07-04T00:00', gross_sales: 803, sale_count: 2 }] }]);
    assert.equal(s.body['currency'], 'EUR');
    // Drill-down: the raw records, from the Parquet warehouse.
    await platform.feeder.flush();
    const page = await call('GET', '/v1/stores/NY1/transactions?from=2026-07-04T00:00:00-04:00&to=2026-07-05&limit=1', read);
    assert.equal(page.status, 200, JSON.stringify(page.body));
    const first = (page.body['items'] as Record<string, unknown>[])[0]!;
    assert.deepEqual([first['txn_id'], first['amount_minor'], first['currency'], first['ts']], ['T1', 1001, 'USD', '2026-07-04T16:00:05.000Z']);
    const next = await call('GET', `/v1/stores/NY1/transactions?from=2026-07-04&to=2026-07-05&limit=1&cursor=${encodeURIComponent(page.body['next_cursor'] as string)}`, read);
    assert.deepEqual((next.body['items'] as { txn_id: string }[]).map((i) => i.txn_id), ['T2']);
    const one = await call('GET', '/v1/transactions/T2', read);
    assert.equal((one.body['items'] as { amount_minor: number }[])[0]!.amount_minor, 2);
    assert.equal((await call('GET', '/v1/transactions/NOPE', read)).status, 404);
    assert.equal(code(await call('GET', '/v1/stores/NY1/transactions?from=2026-07-04&to=2026-07-05&cursor=bogus', read)), 'warehouse_invalid_cursor');
    const metrics = await (await fetch(`${api}/metrics`)).text();
    assert.match(metrics, /^tpay_stream_records_total 2$/m);
    assert.match(metrics, /^tpay_stream_freshness_seconds \d/m);
    assert.match(metrics, /^tpay_serving_store_quarter_hours 1$/m);

    const rotated = await call('POST', `/v1/admin/keys/${readId}/rotate`, admin);
    assert.equal(rotated.status, 201);
    const fresh = rotated.body['secret'] as string;
    assert.equal((await call('GET', '/v1/status', read)).status, 401);
    assert.equal((await call('GET', '/v1/status', fresh)).status, 200);
    const freshId = (rotated.body['key'] as { id: string }).id;
    assert.equal((await call('DELETE', `/v1/admin/keys/${freshId}`, admin)).status, 200);
    assert.equal((await call('GET', '/v1/status', fresh)).status, 401);
    const keys = (await call('GET', '/v1/admin/keys?tenant=shop', admin)).body['keys'] as { id: string; revoked_at: string | null }[];
    assert.equal(keys.length, 3);
    assert.equal(keys.filter((k) => k.revoked_at === null).length, 1);
  });

  it('refuses admin routes without an admin key, naming the problem', async () => {
    const r = await call('GET', '/v1/admin/tenants', 'tpk_read_nope');
    assert.equal(r.status, 401);
    assert.equal(code(r), 'unauthorized');
    assert.equal(code(await call('POST', '/v1/admin/tenants/nobody/keys', admin, { kind: 'read' })), 'tenant_unknown');
    assert.equal(code(await call('POST', '/v1/admin/tenants', admin, { id: 'a', reporting_currency: 'EUR', colour: 'red' })), 'invalid_parameter');
    assert.equal(code(await call('PUT', '/v1/admin/tenants/shop/fx', admin, 'date,currency,rate\n', 'application/xml')), 'unsupported_media_type');
  });

  it('answers bad query parameters with a stable code that names them', async () => {
    const read = (await call('POST', '/v1/admin/tenants/shop/keys', admin, { kind: 'read' })).body['secret'] as string;
    const cases: [string, string, RegExp][] = [
      ['/v1/series?from=2026-07-01', 'invalid_parameter', /from and to are required/],
      ['/v1/series?from=2026-07-01&to=2026-07-02&granularity=minute', 'invalid_parameter', /granularity .* 'minute'/],
      ['/v1/series?from=2026-07-01&to=2026-07-02&tz=Mars/Base', 'invalid_parameter', /tz .*'Mars\/Base'/],
      ['/v1/series?from=2026-07-01&to=2026-07-02&metrics=profit', 'invalid_parameter', /unknown metric 'profit'/],
      ['/v1/series?from=2026-07-01&to=2026-07-02&group_by=planet', 'invalid_group_by', /'planet'/],
      ['/v1/series?from=2026-07-01&to=2026-07-02&bbox=1,2,3', 'invalid_geo_scope', /bbox/],
      ['/v1/series?from=2026-07-01&to=2026-07-02&lat=10&lon=10', 'invalid_parameter', /radius_km/],
      ['/v1/series?from=2026-02-30&to=2026-07-02', 'invalid_parameter', /from .*'2026-02-30'/],
      ['/v1/top?from=2026-07-01&to=2026-07-02&by=tender', 'invalid_query', /places/],
      ['/v1/top?from=2026-07-01&to=2026-07-02&limit=0', 'invalid_parameter', /limit/],
    ];
    for (const [path, c, message] of cases) {
      const r = await call('GET', path, read);
      assert.equal(r.status, 400, path);
      assert.equal(code(r), c, path);
      assert.match((r.body['error'] as { message: string }).message, message, path);
    }
    const poly = await call('POST', '/v1/series', read, { from: '2026-07-01', to: '2026-07-02', polygon: { type: 'Polygon', coordinates: [[[0, 0], [1, 0], [1, 1]]] } });
    assert.equal(code(poly), 'invalid_geo_scope');
    assert.equal((await call('GET', '/v1/stores/NOPE', read)).status, 404);
  });
});
