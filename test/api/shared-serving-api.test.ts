/**
 * `tpay api` on the shared ClickHouse serving store (adapters.serving:
 * clickhouse) against a real clickhouse-server on 127.0.0.1, and the same
 * routes on the in-memory store fed the same batches: every series, top-N,
 * store list and store page answers with the same JSON, tenant isolation
 * holds, treasury and forecasts say where to run them, and a server that
 * stops answering makes the API not ready and its queries 503 — never a
 * half answer.
 *
 * Without clickhouse-server installed the file is skipped, except with
 * CI=true, where `clickHouseBinary()` throws and the file fails.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import pino from 'pino';
import { registerQueryRoutes } from '../../src/api/query-routes.js';
import { loadConfig } from '../../src/config/config.js';
import { roleApp, type RoleApp } from '../../src/platform/role-app.js';
import { startSharedApiRole, type SharedApiRole } from '../../src/platform/shared-api-role.js';
import { ClickHouseServingStore } from '../../src/serving/clickhouse-serving-store.js';
import { ColumnarServingStore } from '../../src/serving/columnar-serving-store.js';
import { RestatementLog } from '../../src/stream/restatement-log.js';
import { TenantDirectory } from '../../src/stream/tenant-directory.js';
import { FxStore } from '../../src/tenants/fx-store.js';
import { RegistryStore } from '../../src/tenants/registry-store.js';
import { TenantStore } from '../../src/tenants/tenant-store.js';
import { buildFixture, logBatches, type Fixture, type TenantSetup } from '../serving/rollup-fixture.js';
import { clickHouseBinary, startClickHouse, type ClickHouseServer } from '../support/clickhouse-server.js';
import { tempDir, type TempDir } from '../support/temp-dir.js';

const DAY = 86_400_000;
const binary = clickHouseBinary();
const skip = binary === null ? 'clickhouse-server is not installed (scripts/ensure-system-deps.sh installs it)' : false;
const silent = pino({ level: 'silent' });

interface Answer {
  status: number;
  text: string;
}

async function get(base: string, path: string, key: string): Promise<Answer> {
  const res = await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${key}` } });
  return { status: res.status, text: await res.text() };
}

describe('the read API on the shared ClickHouse serving store', { skip }, () => {
  let dir: TempDir;
  let server: ClickHouseServer;
  let fx: Fixture;
  let acme: TenantSetup;
  let globex: TenantSetup;
  let memory: ColumnarServingStore;
  let memoryApp: RoleApp;
  let memoryBase: string;
  let shared: SharedApiRole;
  let sharedBase: string;

  before(async () => {
    dir = tempDir();
    server = await startClickHouse(binary!);
    fx = await buildFixture(dir.path, {
      seed: 5,
      stores: 120,
      tenants: [{ cutoff: '04:00' }, { cutoff: '00:00' }],
      windows: [{ start: '2026-10-20T00:00:00Z', durationMs: 9 * DAY, salesPerStoreDay: 6, faults: { late: 0.02, lateDurationMs: [50 * 3_600_000, 80 * 3_600_000] } }],
    });
    [acme, globex] = fx.tenants as [TenantSetup, TenantSetup];
    const tenants = new TenantStore(dir.path);
    const directory = new TenantDirectory(tenants, new RegistryStore(dir.path), new FxStore(dir.path));
    const batches = await logBatches(dir.path, directory, 1000);
    // The in-memory store as `tpay run` holds it, and the shared one as stream workers by lease write it.
    memory = await ColumnarServingStore.open(join(dir.path, 'serving'), { hotDays: 400 });
    const database = server.freshDatabase();
    const writer = await ClickHouseServingStore.open({ url: server.url, database });
    for (const id of directory.ids()) {
      const view = directory.get(id)!;
      memory.setTenant(id, view.settings);
      memory.upsertStores(id, view.registry);
    }
    const claimed = new Set<number>();
    for (const b of batches) {
      memory.apply({ partition: b.partition, endOffset: b.to, deltas: b.deltas });
      if (!claimed.has(b.partition)) {
        claimed.add(b.partition);
        await writer.claim(b.partition, 7);
      }
      await writer.apply({ partition: b.partition, epoch: 7, fromOffset: b.from, endOffset: b.to, deltas: b.deltas });
    }
    await writer.close();

    memoryApp = roleApp(silent, 1 << 20, { notReady: () => null });
    registerQueryRoutes(memoryApp.app, {
      serving: memory,
      restatements: new RestatementLog(join(dir.path, 'restatements', 'restatements.ndjson'), { readOnly: true }),
      authenticate: (secret, kind) => {
        const k = tenants.authenticate(secret, kind);
        return k === undefined ? undefined : { tenant: k.tenant };
      },
    });
    memoryBase = `http://127.0.0.1:${String(await memoryApp.listen('127.0.0.1', 0))}`;

    const config = loadConfig({
      env: {},
      overrides: { dataDir: dir.path, 'adapters.serving': 'clickhouse', 'clickhouse.url': server.url, 'clickhouse.servingDatabase': database, 'api.host': '127.0.0.1', 'api.port': 0 },
    });
    shared = await startSharedApiRole(config, silent);
    sharedBase = `http://127.0.0.1:${String(shared.httpPort)}`;
  });

  after(async () => {
    await shared?.close();
    await memoryApp?.close();
    await server?.stop();
    await dir?.[Symbol.asyncDispose]();
  });

  /** The same path on both APIs: same status, same body, byte for byte. */
  const same = async (path: string, key = acme.readKey): Promise<Record<string, unknown>> => {
    const [m, s] = await Promise.all([get(memoryBase, path, key), get(sharedBase, path, key)]);
    assert.equal(m.status, 200, `${path} in memory: ${m.text.slice(0, 300)}`);
    assert.equal(s.status, 200, `${path} on ClickHouse: ${s.text.slice(0, 300)}`);
    assert.equal(s.text, m.text, path);
    return JSON.parse(s.text) as Record<string, unknown>;
  };

  it('answers every series as the in-memory store does, in every zone and grouping', async () => {
    const metrics = 'net_sales,gross_sales,tax,refunds,sale_count,refund_count,items,avg_basket';
    let points = 0;
    for (const tz of ['store', 'UTC', 'Asia/Kolkata', 'America/New_York']) {
      for (const [granularity, from, to] of [
        ['15m', '2026-10-24', '2026-10-26'],
        ['hour', '2026-10-22', '2026-10-27'],
        ['day', '2026-10-18', '2026-11-02'],
        ['week', '2026-10-12', '2026-11-09'],
      ] as const) {
        const body = await same(`/v1/series?metrics=${metrics}&granularity=${granularity}&tz=${encodeURIComponent(tz)}&from=${from}&to=${to}`);
        for (const g of body['groups'] as { points: unknown[] }[]) points += g.points.length;
      }
    }
    for (const groupBy of ['store', 'city', 'country', 'tender', 'card_brand', 'currency', 'h3:3', 'country,tender']) {
      await same(`/v1/series?metrics=net_sales,sale_count,avg_basket&granularity=day&from=2026-10-20&to=2026-10-30&group_by=${groupBy}`);
    }
    await same('/v1/series?metrics=net_sales&granularity=day&from=2026-10-20&to=2026-10-30&currency=original&group_by=currency');
    assert.ok(points > 500, `${String(points)} points compared`);
  });

  it('answers top-N and store pages as the in-memory store does', async () => {
    for (const by of ['store', 'city', 'region', 'country', 'h3:4']) {
      const body = await same(`/v1/top?metric=net_sales&metrics=net_sales,sale_count&by=${by}&limit=15&from=2026-10-20&to=2026-10-29`);
      assert.ok((body['rows'] as unknown[]).length > 1, `top by ${by} has rows`);
    }
    const country = acme.stores[0]!.country;
    await same(`/v1/top?metric=sale_count&by=store&limit=50&order=asc&countries=${country}&from=2026-10-20&to=2026-10-29`);
    const list = await same(`/v1/stores?countries=${country}`);
    assert.ok((list['stores'] as unknown[]).length > 0);
    await same('/v1/stores');
    const id = acme.stores[3]!.store_id;
    await same(`/v1/stores/${id}`);
    const page = await same(`/v1/stores/${id}?from=2026-10-20&to=2026-10-29&metrics=net_sales,sale_count,avg_basket`);
    assert.ok(Number((page['totals'] as Record<string, number>)['sale_count']) > 0);
  });

  it("keeps each tenant to its own data, and says which store answers", async () => {
    const g = JSON.parse((await get(sharedBase, '/v1/top?metric=net_sales&by=store&limit=1000&from=2026-10-01&to=2026-11-30', globex.readKey)).text) as { rows: { key: Record<string, string> }[] };
    const globexIds = new Set(globex.stores.map((s) => s.store_id));
    assert.ok(g.rows.length > 0);
    for (const r of g.rows) assert.ok(globexIds.has(r.key['store']!), `globex sees only its own stores, not ${JSON.stringify(r.key)}`);
    // Store ids are the tenant's own: one only acme has is unknown to globex.
    const acmeOnly = acme.stores.find((s) => !globexIds.has(s.store_id))!;
    assert.equal((await get(sharedBase, `/v1/stores/${acmeOnly.store_id}`, acme.readKey)).status, 200);
    assert.equal((await get(sharedBase, `/v1/stores/${acmeOnly.store_id}`, globex.readKey)).status, 404);
    assert.equal((await get(sharedBase, '/v1/stores', 'no-such-key')).status, 401);
    const status = JSON.parse((await get(sharedBase, '/v1/status', acme.readKey)).text) as Record<string, unknown>;
    assert.equal(status['serving'], 'clickhouse');
    assert.equal(status['stores'], acme.stores.length);
    assert.equal(status['records'], null);
    assert.equal(status['business_day_cutoff'], '04:00');
  });

  it('answers treasury and forecasts with where to run them', async () => {
    for (const path of ['/v1/treasury/payouts', '/v1/forecasts', '/v1/treasury/reconciliation?status=missing']) {
      const r = await get(sharedBase, path, acme.readKey);
      assert.equal(r.status, 501, path);
      assert.equal((JSON.parse(r.text) as { error: { code: string } }).error.code, 'not_served_with_shared_serving', path);
    }
  });

  it('is not ready, and answers 503, while the server is down', async () => {
    assert.equal((await fetch(`${sharedBase}/readyz`)).status, 200);
    await server.stop();
    const q = await get(sharedBase, '/v1/series?metrics=net_sales&granularity=day&from=2026-10-20&to=2026-10-30', acme.readKey);
    assert.equal(q.status, 503, q.text);
    assert.match(q.text, /serving_io/);
    let ready = 200;
    for (let i = 0; i < 50 && ready === 200; i++) {
      await new Promise((r) => setTimeout(r, 200));
      ready = (await fetch(`${sharedBase}/readyz`)).status;
    }
    assert.equal(ready, 503, '/readyz once the probe fails');
    assert.equal((await fetch(`${sharedBase}/healthz`)).status, 200, 'alive: a restart would not help');
  });
});
