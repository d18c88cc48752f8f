/**
 * The stream and serving store against a brute-force reference over the
 * same generated records, through the real HTTP API: every metric at every
 * granularity and time zone (DST days of 23 and 25 hours, +05:30, +05:45,
 * a 04:00 business-day cut-off), every group-by, every geo scope, top-N,
 * restatements, tenant isolation, and a restart from the snapshot.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pino from 'pino';
import { loadConfig, type Config } from '../../src/config/config.js';
import { startPlatform, type Platform } from '../../src/platform/platform.js';
import { tempDir, type TempDir } from '../support/temp-dir.js';
import { ALL_METRICS, bucketText, refMetrics, refSeries, wallClock, type RefTxn } from './reference.js';
import { buildFixture, SEGMENT_BYTES, PARTITIONS, type Fixture, type TenantSetup } from './rollup-fixture.js';

const DAY = 86_400_000;

function configFor(dataDir: string): Config {
  return loadConfig({
    env: {},
    // Quarter-hour breakdowns kept for 400 days, so the fixture's March and October are hot.
    overrides: { dataDir, logLevel: 'silent', 'ingest.tcpPort': 0, 'api.port': 0, 'log.segmentBytes': SEGMENT_BYTES, 'log.partitions': PARTITIONS, 'serving.hotDays': 400 },
  });
}

interface ApiGroup {
  key: Record<string, string>;
  points: Record<string, string | number | null>[];
}

function sortedKey(k: Record<string, string>): string {
  return JSON.stringify(Object.fromEntries(Object.entries(k).sort(([a], [b]) => (a < b ? -1 : 1))));
}

/** The API's groups in the reference's shape. */
function fromApi(groups: ApiGroup[], metrics: string[]): Map<string, Map<string, Record<string, number | null>>> {
  const out = new Map<string, Map<string, Record<string, number | null>>>();
  for (const g of groups) {
    const pts = new Map<string, Record<string, number | null>>();
    for (const p of g.points) pts.set(String(p['bucket']), Object.fromEntries(metrics.map((m) => [m, p[m] as number | null])));
    out.set(sortedKey(g.key), pts);
  }
  return out;
}

function normalise(ref: Map<string, Map<string, Record<string, number | null>>>, metrics: string[]): Map<string, Map<string, Record<string, number | null>>> {
  const out = new Map<string, Map<string, Record<string, number | null>>>();
  for (const [k, pts] of ref) {
    out.set(sortedKey(JSON.parse(k) as Record<string, string>), new Map([...pts].map(([b, v]) => [b, Object.fromEntries(metrics.map((m) => [m, v[m]!]))])));
  }
  return out;
}

function assertSameSeries(actual: Map<string, Map<string, Record<string, number | null>>>, expected: Map<string, Map<string, Record<string, number | null>>>, what: string): void {
  assert.deepEqual([...actual.keys()].sort(), [...expected.keys()].sort(), `${what}: groups`);
  for (const [k, pts] of expected) {
    const got = actual.get(k)!;
    assert.deepEqual([...got.keys()].sort(), [...pts.keys()].sort(), `${what} ${k}: buckets`);
    for (const [b, v] of pts) assert.deepEqual(got.get(b), v, `${what} ${k} ${b}`);
  }
}

// Reference geo tests, written apart from domain/geo.ts.
function refInBox(s: { lat: number; lon: number }, w: number, so: number, e: number, n: number): boolean {
  if (s.lat < so || s.lat > n) return false;
  return w <= e ? s.lon >= w && s.lon <= e : s.lon >= w || s.lon <= e;
}
function refKm(lat1: number, lon1: number, lat2: number, lon2: number): number {
  const r = Math.PI / 180;
  const a = Math.sin(((lat2 - lat1) * r) / 2) ** 2 + Math.cos(lat1 * r) * Math.cos(lat2 * r) * Math.sin(((lon2 - lon1) * r) / 2) ** 2;
  return 2 * 6371.0088 * Math.asin(Math.sqrt(a));
}
function refInRing(ring: number[][], lat: number, lon: number): boolean {
  let c = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i]! as [number, number];
    const [xj, yj] = ring[j]! as [number, number];
    if (yi > lat !== yj > lat && lon < ((xj - xi) * (lat - yi)) / (yj - yi) + xi) c = !c;
  }
  return c;
}

describe('stream + serving against a brute-force reference', () => {
  let dir: TempDir;
  let fx: Fixture;
  let platform: Platform;
  let api: string;
  let acme: TenantSetup;
  let globex: TenantSetup;
  let acmeTxns: RefTxn[];

  before(async () => {
    dir = tempDir();
    fx = await buildFixture(dir.path, {
      seed: 5,
      stores: 360,
      tenants: [{ cutoff: '04:00' }, { cutoff: '00:00' }],
      windows: [
        // Europe and the US fall back (25-hour days) on Oct 25 and Nov 1; some tills go offline for days.
        { start: '2026-10-22T00:00:00Z', durationMs: 12 * DAY, salesPerStoreDay: 10, faults: { late: 0.02, lateDurationMs: [50 * 3_600_000, 80 * 3_600_000] } },
        // Europe springs forward (a 23-hour day) on Mar 29.
        { start: '2026-03-27T00:00:00Z', durationMs: 4 * DAY, salesPerStoreDay: 10 },
      ],
    });
    [acme, globex] = fx.tenants as [TenantSetup, TenantSetup];
    acmeTxns = fx.txns.filter((t) => t.tenant === acme.id);
    platform = await startPlatform(configFor(dir.path), pino({ level: 'silent' }));
    api = `http://127.0.0.1:${String(platform.ingest.httpPort)}`;
  });

  after(async () => {
    await platform.close();
    await dir[Symbol.asyncDispose]();
  });

  const get = async (path: string, key: string): Promise<{ status: number; body: Record<string, unknown> }> => {
    const res = await fetch(`${api}${path}`, { headers: { authorization: `Bearer ${key}` } });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  const post = async (path: string, key: string, body: unknown): Promise<{ status: number; body: Record<string, unknown> }> => {
    const res = await fetch(`${api}${path}`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  const series = async (qs: Record<string, string>, key = acme.readKey): Promise<ApiGroup[]> => {
    const r = await get(`/v1/series?${new URLSearchParams(qs).toString()}`, key);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    return r.body['groups'] as ApiGroup[];
  };

  it('covers the zones, offsets and places the cases below need', () => {
    const zones = new Set(acme.stores.concat(globex.stores).map((s) => s.timezone));
    for (const z of ['Asia/Kolkata', 'Asia/Kathmandu', 'Europe/Berlin', 'America/New_York']) assert.ok(zones.has(z), `no store in ${z}`);
    assert.ok(acme.stores.some((s) => s.lon > 170 || s.lon < -170), 'a store near the antimeridian');
    assert.ok(acmeTxns.length > 20_000, `${String(acmeTxns.length)} transactions`);
    assert.equal(platform.stream.stats.records, fx.txns.length);
    assert.deepEqual(platform.stream.stats.skipped, { unknown_tenant: 0, unknown_store: 0, undecodable: 0, fx_rate_missing: 0 });
  });

  for (const tz of ['store', 'UTC', 'Asia/Kolkata', 'Asia/Kathmandu', 'America/New_York', 'Europe/Berlin']) {
    it(`gives every metric exactly at every granularity in tz=${tz}`, async () => {
      for (const g of ['15m', 'hour', 'day', 'week', 'month']) {
        const [from, to] = g === 'month' ? ['2026-03-01', '2026-12-01'] : g === '15m' ? ['2026-10-24', '2026-10-27'] : ['2026-03-23', '2026-11-09'];
        const q = { metrics: ALL_METRICS.join(','), granularity: g, tz, from, to };
        const got = fromApi(await series(q), ALL_METRICS);
        const want = normalise(refSeries(acmeTxns, { granularity: g, tz, from: Date.parse(`${from}T00:00Z`), to: Date.parse(`${to}T00:00Z`), groupBy: [], cutoffMin: acme.cutoffMin }), ALL_METRICS);
        assert.ok(want.size === 1, `${g} ${tz}: the reference has data`);
        assertSameSeries(got, want, `${g} tz=${tz}`);
      }
    });
  }

  for (const tz of ['store', 'UTC', 'Asia/Kathmandu', 'America/New_York']) {
    it(`breaks every granularity down by tender and currency exactly in tz=${tz}`, async () => {
      for (const g of ['15m', 'hour', 'day', 'week', 'month']) {
        const [from, to] = g === 'month' ? ['2026-03-01', '2026-12-01'] : g === '15m' ? ['2026-10-24', '2026-10-26'] : ['2026-03-23', '2026-11-09'];
        for (const groupBy of [['tender'], ['country', 'currency']]) {
          const metrics = ['gross_sales', 'net_sales', 'tax', 'discounts', 'sale_count', 'void_count', 'items', 'avg_basket'];
          const original = groupBy.includes('currency');
          const q = { metrics: metrics.join(','), granularity: g, tz, from, to, group_by: groupBy.join(','), currency: original ? 'original' : 'reporting' };
          const got = fromApi(await series(q), metrics);
          const want = normalise(refSeries(acmeTxns, { granularity: g, tz, from: Date.parse(`${from}T00:00Z`), to: Date.parse(`${to}T00:00Z`), groupBy, cutoffMin: acme.cutoffMin, original }), metrics);
          assertSameSeries(got, want, `${g} tz=${tz} by ${groupBy.join(',')}`);
        }
      }
    });
  }

  it('puts all 25 hours of a fall-back day and 23 of a spring-forward day into one local day', async () => {
    // Germany shuts on Sundays, when clocks change; take the European zone that sells most then.
    const euZones = ['Europe/London', 'Europe/Paris', 'Europe/Madrid', 'Europe/Rome', 'Europe/Amsterdam', 'Europe/Stockholm', 'Europe/Warsaw', 'Europe/Dublin', 'Europe/Lisbon'];
    const span = (zone: string, day: string): [number, number] => {
      const midnight = Date.parse(`${day}T00:00Z`);
      let first = midnight - 3 * 3_600_000;
      while (wallClock(zone, first) < midnight) first += 900_000;
      let end = first;
      while (wallClock(zone, end) < midnight + DAY) end += 900_000;
      return [first, end];
    };
    const sundays = [['2026-10-25', 25], ['2026-03-29', 23]] as const;
    const candidates = euZones
      .map((zone) => {
        const txns = acmeTxns.filter((t) => t.store.timezone === zone);
        const counts = sundays.map(([day]) => {
          const [a, b] = span(zone, day);
          return txns.filter((t) => t.ts >= a && t.ts < b && t.type === 'sale').length;
        });
        return { zone, txns, least: Math.min(...counts) };
      })
      .sort((a, b) => b.least - a.least);
    const { zone, txns, least } = candidates[0]!;
    assert.ok(least > 0, 'some European store sells on both Sundays');
    const ids = [...new Set(txns.map((t) => t.store.store_id))];
    for (const [day, hours] of sundays) {
      const [first, end] = span(zone, day);
      assert.equal((end - first) / 3_600_000, hours, `${zone} ${day}`);
      const m = refMetrics(txns.filter((t) => t.ts >= first && t.ts < end));
      const groups = await series({ metrics: 'net_sales,sale_count', granularity: 'day', tz: zone, from: day, to: new Date(Date.parse(day) + DAY).toISOString().slice(0, 10), stores: ids.join(',') });
      assert.deepEqual(groups[0]?.points[0], { bucket: `${day}T00:00`, net_sales: m['net_sales'], sale_count: m['sale_count'] });
      // The same day in hours: the repeated hour (fall back) is one bucket holding both; the skipped one is absent.
      const hoursSeen = (await series({ metrics: 'sale_count', granularity: 'hour', tz: zone, from: day, to: new Date(Date.parse(day) + DAY).toISOString().slice(0, 10), stores: ids.join(',') }))[0]!.points;
      assert.equal(hoursSeen.reduce((n, p) => n + (p['sale_count'] as number), 0), m['sale_count']);
    }
  });

  for (const dims of [['store'], ['city'], ['region'], ['country'], ['tender'], ['card_brand'], ['currency'], ['h3:3'], ['country', 'tender'], ['card_brand', 'city']]) {
    it(`groups by ${dims.join(' and ')} exactly`, async () => {
      const q = { metrics: 'net_sales,tax,sale_count,refund_count,items,avg_basket', granularity: 'day', tz: 'store', from: '2026-10-22', to: '2026-11-03', group_by: dims.join(',') };
      const metrics = q.metrics.split(',');
      const got = fromApi(await series(q), metrics);
      const want = normalise(refSeries(acmeTxns, { granularity: 'day', tz: 'store', from: Date.parse('2026-10-22T00:00Z'), to: Date.parse('2026-11-03T00:00Z'), groupBy: dims, cutoffMin: acme.cutoffMin }), metrics);
      assert.ok(want.size > 1);
      assertSameSeries(got, want, `group_by=${dims.join(',')}`);
    });
  }

  it('sums each currency apart, unconverted, with currency=original', async () => {
    const q = { metrics: 'gross_sales,refunds,net_sales,discounts,sale_count', granularity: 'week', tz: 'UTC', from: '2026-10-19', to: '2026-11-09', group_by: 'currency', currency: 'original' };
    const metrics = q.metrics.split(',');
    const got = fromApi(await series(q), metrics);
    const want = normalise(refSeries(acmeTxns, { granularity: 'week', tz: 'UTC', from: Date.parse('2026-10-19T00:00Z'), to: Date.parse('2026-11-09T00:00Z'), groupBy: ['currency'], cutoffMin: 0, original: true }), metrics);
    assert.ok(want.size >= 5, `${String(want.size)} currencies`);
    assertSameSeries(got, want, 'currency=original');
    const r = await get('/v1/series?from=2026-10-19&to=2026-11-09&currency=original', acme.readKey);
    assert.equal(r.status, 400);
    assert.equal((r.body['error'] as { code: string }).code, 'invalid_query');
  });

  const polygonWithHole = {
    type: 'Polygon',
    coordinates: [
      [[-12, 34], [35, 34], [35, 62], [-12, 62], [-12, 34]],
      [[5, 47], [16, 47], [16, 55], [5, 55], [5, 47]],
    ],
  };
  const scopes: { name: string; params: Record<string, unknown>; inside: (s: RefTxn['store']) => boolean }[] = [
    { name: 'a bbox', params: { bbox: '-10,35,30,60' }, inside: (s) => refInBox(s, -10, 35, 30, 60) },
    { name: 'a bbox across the antimeridian', params: { bbox: '165,-50,-170,0' }, inside: (s) => refInBox(s, 165, -50, -170, 0) },
    { name: 'a radius of 800 km around Paris', params: { lat: '48.8566', lon: '2.3522', radius_km: '800' }, inside: (s) => refKm(48.8566, 2.3522, s.lat, s.lon) <= 800 },
    { name: 'a polygon with a hole (Europe without Germany)', params: { polygon: polygonWithHole }, inside: (s) => refInRing(polygonWithHole.coordinates[0]!, s.lat, s.lon) && !refInRing(polygonWithHole.coordinates[1]!, s.lat, s.lon) },
    {
      name: 'a multipolygon (Japan and Australia)',
      params: { polygon: { type: 'MultiPolygon', coordinates: [[[[128, 30], [146, 30], [146, 46], [128, 46], [128, 30]]], [[[112, -45], [155, -45], [155, -10], [112, -10], [112, -45]]]] } },
      inside: (s) => (s.lon >= 128 && s.lon <= 146 && s.lat >= 30 && s.lat <= 46) || (s.lon >= 112 && s.lon <= 155 && s.lat >= -45 && s.lat <= -10),
    },
    { name: 'a list of countries', params: { countries: 'DE,FR,JP' }, inside: (s) => ['DE', 'FR', 'JP'].includes(s.country) },
    { name: 'a list of regions', params: { regions: [...new Set(['x'])].join(',') }, inside: () => false },
    { name: 'a list of cities', params: { cities: 'Paris,Tokyo,Mumbai' }, inside: (s) => ['Paris', 'Tokyo', 'Mumbai'].includes(s.city) },
  ];
  for (const sc of scopes) {
    it(`scopes to ${sc.name}`, async () => {
      let params = sc.params;
      let inside = sc.inside;
      if (sc.name === 'a list of regions') {
        const regions = [...new Set(acme.stores.map((s) => s.region))].slice(0, 2);
        params = { regions: regions.join(',') };
        inside = (s) => regions.includes(s.region);
      }
      const body = { metrics: 'net_sales,sale_count', granularity: 'day', tz: 'store', from: '2026-10-22', to: '2026-11-03', group_by: 'store', ...params };
      const r = await post('/v1/series', acme.readKey, body);
      assert.equal(r.status, 200, JSON.stringify(r.body));
      const got = fromApi(r.body['groups'] as ApiGroup[], ['net_sales', 'sale_count']);
      const txns = acmeTxns.filter((t) => inside(t.store));
      assert.ok(txns.length > 0, `${sc.name} selects some sales`);
      assert.ok(txns.length < acmeTxns.length, `${sc.name} leaves some out`);
      const want = normalise(refSeries(txns, { granularity: 'day', tz: 'store', from: Date.parse('2026-10-22T00:00Z'), to: Date.parse('2026-11-03T00:00Z'), groupBy: ['store'], cutoffMin: acme.cutoffMin }), ['net_sales', 'sale_count']);
      assertSameSeries(got, want, sc.name);
    });
  }

  it('ranks the top stores by a metric, and lists stores by scope', async () => {
    const r = await get('/v1/top?metric=net_sales&metrics=net_sales,sale_count&limit=5&from=2026-10-22&to=2026-11-03', acme.readKey);
    assert.equal(r.status, 200);
    const perStore = new Map<string, RefTxn[]>();
    for (const t of acmeTxns) {
      const day = Math.floor((wallClock(t.store.timezone, t.ts) - acme.cutoffMin * 60_000) / DAY) * DAY;
      if (day < Date.parse('2026-10-22') || day >= Date.parse('2026-11-03')) continue;
      perStore.set(t.store.store_id, [...(perStore.get(t.store.store_id) ?? []), t]);
    }
    const ranked = [...perStore].map(([id, list]) => ({ id, m: refMetrics(list) })).sort((a, b) => b.m['net_sales']! - a.m['net_sales']! || (a.id < b.id ? -1 : 1));
    assert.deepEqual(
      r.body['rows'],
      ranked.slice(0, 5).map((x) => ({ key: { store: x.id }, net_sales: x.m['net_sales'], sale_count: x.m['sale_count'] })),
    );
    // An hour in each store's local time: most stores sold nothing then, and are left out, not listed as empty.
    const from = Date.parse('2026-10-25T10:00Z');
    const hour = await get('/v1/top?metric=sale_count&metrics=sale_count,net_sales&limit=1000&from=2026-10-25T10:00&to=2026-10-25T11:00', acme.readKey);
    assert.equal(hour.status, 200);
    const inHour = new Map<string, RefTxn[]>();
    for (const t of acmeTxns) {
      const local = wallClock(t.store.timezone, t.ts);
      if (local >= from && local < from + 3_600_000) inHour.set(t.store.store_id, [...(inHour.get(t.store.store_id) ?? []), t]);
    }
    assert.ok(inHour.size > 0 && inHour.size < acme.stores.length, `some stores but not all sold in that hour (${String(inHour.size)})`);
    const hourRanked = [...inHour].map(([id, list]) => ({ id, m: refMetrics(list) })).sort((a, b) => b.m['sale_count']! - a.m['sale_count']! || (a.id < b.id ? -1 : 1));
    assert.deepEqual(
      hour.body['rows'],
      hourRanked.map((x) => ({ key: { store: x.id }, sale_count: x.m['sale_count'], net_sales: x.m['net_sales'] })),
    );
    const stores = await get('/v1/stores?countries=JP', acme.readKey);
    assert.deepEqual((stores.body['stores'] as { store_id: string }[]).map((s) => s.store_id).sort(), acme.stores.filter((s) => s.country === 'JP').map((s) => s.store_id).sort());
  });

  it('logs exactly the records that changed a closed business day as restatements', async () => {
    const dayEnd = (t: RefTxn, cutoffMin: number): number => {
      const day = Math.floor((wallClock(t.store.timezone, t.ts) - cutoffMin * 60_000) / DAY);
      let q = Math.floor(t.ts / 900_000) * 900_000;
      while (Math.floor((wallClock(t.store.timezone, q) - cutoffMin * 60_000) / DAY) === day) q += 900_000;
      return q;
    };
    for (const tenant of [acme, globex]) {
      const want = fx.txns.filter((t) => t.tenant === tenant.id && t.receivedAt >= dayEnd(t, tenant.cutoffMin) + 48 * 3_600_000).map((t) => t.txn_id).sort();
      const r = await get('/v1/restatements?limit=10000', tenant.readKey);
      const items = r.body['items'] as { txn_id: string; tenant: string; net_sales: number }[];
      assert.ok(want.length > 0, `${tenant.id}: the fixture has late records`);
      assert.deepEqual(items.map((i) => i.txn_id).sort(), want);
      assert.ok(items.every((i) => i.tenant === tenant.id));
    }
  });

  it("never shows one tenant's data to another tenant's key", async () => {
    const only = acme.stores.find((s) => !globex.stores.some((g) => g.store_id === s.store_id))!;
    const g = await series({ metrics: 'net_sales,sale_count', granularity: 'month', tz: 'UTC', from: '2026-01-01', to: '2027-01-01' }, globex.readKey);
    const gm = refMetrics(fx.txns.filter((t) => t.tenant === globex.id));
    assert.equal(g.reduce((n, x) => n + x.points.reduce((k, p) => k + (p['sale_count'] as number), 0), 0), gm['sale_count']);
    assert.equal((await get(`/v1/stores/${only.store_id}`, globex.readKey)).status, 404);
    assert.equal((await get(`/v1/stores/${only.store_id}`, acme.readKey)).status, 200);
    const top = await get('/v1/top?by=country&limit=100&from=2026-01-01&to=2027-01-01', globex.readKey);
    const globexCountries = new Set(globex.stores.map((s) => s.country));
    for (const row of top.body['rows'] as { key: { country: string } }[]) assert.ok(globexCountries.has(row.key.country));
    const stores = await get('/v1/stores', globex.readKey);
    assert.deepEqual((stores.body['stores'] as { store_id: string }[]).map((s) => s.store_id).sort(), globex.stores.map((s) => s.store_id).sort());
    const status = await get('/v1/status', globex.readKey);
    assert.equal(status.body['records'], fx.txns.filter((t) => t.tenant === globex.id).length);
    const rest = await get('/v1/restatements?limit=10000', globex.readKey);
    assert.ok((rest.body['items'] as { tenant: string }[]).every((i) => i.tenant === globex.id));
    const filtered = await series({ granularity: 'day', from: '2026-10-22', to: '2026-11-03', stores: only.store_id }, globex.readKey);
    assert.deepEqual(filtered, []);
    // Raw drill-down too: acme's transactions are invisible to globex.
    await platform.feeder.flush();
    const acmeTxn = acmeTxns.find((t) => t.store.store_id === only.store_id)!;
    assert.equal((await get(`/v1/transactions/${acmeTxn.txn_id}`, acme.readKey)).status, 200);
    assert.equal((await get(`/v1/transactions/${acmeTxn.txn_id}`, globex.readKey)).status, 404);
    const raw = await get(`/v1/stores/${only.store_id}/transactions?from=2026-01-01&to=2027-01-01&limit=10`, globex.readKey);
    assert.deepEqual(raw.body['items'], []);
    assert.equal((await get('/v1/series?from=2026-10-22&to=2026-11-03', 'tpk_read_not-a-key')).status, 401);
  });

  it('comes back with the same answers after a restart from its snapshot', async () => {
    const q = { metrics: ALL_METRICS.join(','), granularity: 'day', tz: 'store', from: '2026-03-23', to: '2026-11-09', group_by: 'country' };
    const before = await series(q);
    await platform.close();
    platform = await startPlatform(configFor(dir.path), pino({ level: 'silent' }));
    api = `http://127.0.0.1:${String(platform.ingest.httpPort)}`;
    assert.equal(platform.startup.replayedRecords, 0, 'the snapshot held everything');
    assert.deepEqual(await series(q), before);
    assert.equal(bucketText(Date.parse('2026-10-22T00:00Z')), '2026-10-22T00:00');
  });
});

describe('the hot window of quarter-hour breakdowns', () => {
  it('answers breakdowns at day grain for old data, and says why it cannot at 15m', async () => {
    await using dir = tempDir();
    await buildFixture(dir.path, { seed: 3, stores: 30, tenants: [{ cutoff: '00:00' }], windows: [{ start: '2026-06-01T00:00:00Z', durationMs: 2 * DAY, salesPerStoreDay: 20 }] });
    const config = loadConfig({ env: {}, overrides: { dataDir: dir.path, logLevel: 'silent', 'ingest.tcpPort': 0, 'api.port': 0, 'log.segmentBytes': SEGMENT_BYTES, 'log.partitions': PARTITIONS, 'serving.hotDays': 7 } });
    const p = await startPlatform(config, pino({ level: 'silent' }));
    try {
      const ok = p.serving.series('acme', { metrics: ['net_sales'], granularity: 'day', tz: 'UTC', from: Date.UTC(2026, 5, 1), to: Date.UTC(2026, 5, 3), groupBy: [{ kind: 'tender' }], scopes: [], currency: 'reporting' });
      assert.ok(ok.length > 1);
      assert.throws(
        () => p.serving.series('acme', { metrics: ['net_sales'], granularity: 'hour', tz: 'UTC', from: Date.UTC(2026, 5, 1), to: Date.UTC(2026, 5, 3), groupBy: [{ kind: 'tender' }], scopes: [], currency: 'reporting' }),
        { code: 'resolution_not_retained', message: /kept for the last 7 days/ },
      );
      // Totals at 15m stay available for ever.
      assert.ok(p.serving.series('acme', { metrics: ['net_sales'], granularity: '15m', tz: 'UTC', from: Date.UTC(2026, 5, 1), to: Date.UTC(2026, 5, 3), groupBy: [], scopes: [], currency: 'reporting' })[0]!.points.length > 50);
    } finally {
      await p.close();
    }
  });
});
