/**
 * The forecast API end to end on a real platform: 420 days of generated
 * sales with a weekly cycle and noise (ten stores in four cities, two
 * countries) in through the history import; the running platform stores a
 * forecast on its own after the restart; /v1/forecasts for a store, a
 * region, a box and groups equals the stored stores' forecasts summed
 * exactly; weeks; a past as_of computed from the days up to it only (late
 * sales after it change nothing); bad parameters named; another tenant
 * sees nothing; the backtest rows; the cash position's forecast columns
 * against a brute-force computation; `tpay batch forecast`; and a past
 * as_of refused (422) for a tenant of more stores than a forecast computed
 * on request may have.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import pino from 'pino';
import { loadConfig } from '../../src/config/config.js';
import { BusinessCalendar } from '../../src/domain/business-calendar.js';
import type { Store } from '../../src/domain/store.js';
import type { StoredForecast } from '../../src/forecast/forecast-store.js';
import { ForecastStore } from '../../src/forecast/forecast-store.js';
import { importHistory } from '../../src/history/history-import.js';
import { startPlatform, type Platform } from '../../src/platform/platform.js';
import { RegistryStore } from '../../src/tenants/registry-store.js';
import { TenantStore } from '../../src/tenants/tenant-store.js';
import { apiCaller } from '../support/api-call.js';
import { store } from '../support/fixtures.js';
import { tempDir, type TempDir } from '../support/temp-dir.js';
import type { ForecastAnswer } from '../../src/forecast/forecast-answer-types.js';

const CLI = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
const DAY = 86_400_000;
const HISTORY_DAYS = 420;
const ymd = (d: number): string => new Date(d * DAY).toISOString().slice(0, 10);
/** Stores a forecast computed on request may have at most (docs/forecasting.md, "A past `as_of`"). */
const MAX_ON_DEMAND_STORES = 1000;
const ACCOUNT_DE = 'DE89370400440532013000';
const ACCOUNT_FR = 'FR7630006000011234567890189';

const STORES: Store[] = [
  ...['S01', 'S02', 'S03'].map((id, i) => store(id, { lat: 52.5 + i * 0.01, lon: 13.4, bank_account: ACCOUNT_DE })),
  ...['S04', 'S05'].map((id, i) => store(id, { city: 'Munich', lat: 48.13 + i * 0.01, lon: 11.58, bank_account: ACCOUNT_DE })),
  ...['S06', 'S07', 'S08'].map((id, i) => store(id, { country: 'FR', region: 'EMEA-West', city: 'Paris', timezone: 'Europe/Paris', lat: 48.85 + i * 0.01, lon: 2.35, bank_account: ACCOUNT_FR })),
  ...['S09', 'S10'].map((id, i) => store(id, { country: 'FR', region: 'EMEA-West', city: 'Lyon', timezone: 'Europe/Paris', lat: 45.76 + i * 0.01, lon: 4.83, bank_account: ACCOUNT_FR })),
];
/** Card share of each store's sales (the rest is cash). */
const CARD_SHARE = [0.6, 0.7, 0.8, 0.5, 0.65, 0.75, 0.55, 0.9, 0.6, 0.7];
const SETUP = {
  acquirers: [{ id: 'acq-eu', settlement_lag_days: 2, payout_currency: null, reference_format: 'ACQ-{merchant_account}-{payout_date}' }],
  fee_plans: [{ id: 'standard', rules: [{ tender: 'card', card_brand: '*', bps: 150, fixed_minor: 10 }] }],
};
const WEEKLY = [0.7, 0.8, 0.85, 0.9, 1.1, 1.4, 0.6]; // Monday … Sunday

interface Rec {
  txn_id: string;
  store_id: string;
  terminal_id: string;
  seq: number;
  ts: string;
  type: 'sale';
  amount_minor: number;
  currency: string;
  tax_minor: number;
  tender: 'card' | 'cash';
  card_brand?: string;
}

/** A store-day's net sales: a weekly cycle and ±20 % noise, as one card and one cash sale at noon UTC. */
function history(lastDay: number): Rec[] {
  let x = 4242;
  const rnd = (): number => ((x = (x * 1_103_515_245 + 12_345) % 2_147_483_648) / 2_147_483_648);
  const out: Rec[] = [];
  STORES.forEach((s, i) => {
    let seq = 0;
    const base = 40_000 + 7_000 * i;
    for (let d = lastDay - HISTORY_DAYS + 1; d <= lastDay; d++) {
      const v = Math.round(base * WEEKLY[(d + 3) % 7]! * (0.8 + 0.4 * rnd()));
      const card = Math.round(v * CARD_SHARE[i]!);
      const noon = new Date(d * DAY + 12 * 3_600_000).toISOString();
      for (const [tender, amount] of [['card', card], ['cash', v - card]] as const) {
        seq++;
        out.push({ txn_id: `${s.store_id}-${String(seq)}`, store_id: s.store_id, terminal_id: `${s.store_id}-T1`, seq, ts: noon, type: 'sale', amount_minor: amount, currency: 'EUR', tax_minor: 0, tender, ...(tender === 'card' ? { card_brand: 'visa' } : {}) });
      }
    }
  });
  return out;
}

const configOf = (dataDir: string, checkMs: number) =>
  loadConfig({ env: {}, overrides: { dataDir, logLevel: 'silent', 'ingest.tcpPort': 0, 'api.port': 0, 'log.segmentBytes': 1 << 22, 'treasury.refreshMs': 0, 'forecast.checkIntervalMs': checkMs, 'forecast.workers': 2 } });

void describe('forecast API', () => {
  let dir: TempDir;
  let platform: Platform;
  let api = '';
  let read = '';
  let ingest = '';
  let otherRead = '';
  let bigRead = '';
  let bigIngest = '';
  let admin = '';
  let stored: StoredForecast;
  // Today where the stores are (Berlin and Paris share a zone); sales end the day before.
  const today = Math.floor(Date.parse(new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Berlin' }).format(new Date())) / DAY);
  const lastDay = today - 1;
  const call = apiCaller(() => api);
  const get = async (path: string, key = read): Promise<ForecastAnswer> => {
    const r = await call('GET', path, key);
    assert.equal(r.status, 200, `${path}: ${JSON.stringify(r.body)}`);
    return r.body as unknown as ForecastAnswer;
  };
  const storeOf = (id: string) => stored.stores.find((s) => s.id === id)!;

  before(async () => {
    dir = tempDir('tpay-forecast-api-');
    const tenants = new TenantStore(dir.path);
    const registries = new RegistryStore(dir.path);
    admin = tenants.createKey(null, 'admin').secret;
    tenants.createTenant({ id: 'acme', reportingCurrency: 'EUR' });
    registries.put('acme', STORES);
    read = tenants.createKey('acme', 'read').secret;
    ingest = tenants.createKey('acme', 'ingest').secret;
    tenants.createTenant({ id: 'globex', reportingCurrency: 'USD' });
    registries.put('globex', [store('G1', { country: 'US', city: 'New York', region: 'NA-East', timezone: 'America/New_York', currency: 'USD', lat: 52.5, lon: 13.4 })]);
    otherRead = tenants.createKey('globex', 'read').secret;
    // One store more than a forecast computed on request may have.
    tenants.createTenant({ id: 'hooli', reportingCurrency: 'EUR' });
    registries.put(
      'hooli',
      Array.from({ length: MAX_ON_DEMAND_STORES + 1 }, (_, i) => store(`H${String(i).padStart(4, '0')}`)),
    );
    bigRead = tenants.createKey('hooli', 'read').secret;
    bigIngest = tenants.createKey('hooli', 'ingest').secret;
    const file = join(dir.path, 'history.ndjson');
    writeFileSync(file, `${history(lastDay).map((r) => JSON.stringify(r)).join('\n')}\n`);
    // Import with the forecast timer off, then restart: the running platform forecasts on its own.
    const first = await startPlatform(configOf(dir.path, 0), pino({ level: 'silent' }));
    const summary = await importHistory(first.ingest.engine, 'acme', [{ path: file }]);
    assert.equal(summary.accepted, STORES.length * HISTORY_DAYS * 2);
    await first.stream.caughtUp(120_000);
    await first.close();
    platform = await startPlatform(configOf(dir.path, 200), pino({ level: 'silent' }));
    api = `http://127.0.0.1:${String(platform.ingest.httpPort)}`;
    assert.equal((await call('PUT', '/v1/admin/tenants/acme/treasury/setup', admin, SETUP)).status, 200);
  });
  after(async () => {
    await platform.close();
    await dir[Symbol.asyncDispose]();
  });

  void it('stores a forecast of the last closed day on its own, with every store and node and the backtest', async () => {
    for (let i = 0; i < 1200 && platform.forecasts.latest('acme') === undefined; i++) await new Promise((r) => setTimeout(r, 100));
    const f = platform.forecasts.latest('acme');
    assert.ok(f !== undefined, 'no forecast stored after two minutes');
    stored = f;
    assert.equal(ymd(f.asOf), ymd(lastDay));
    assert.equal(f.stores.length, 10);
    assert.deepEqual(
      f.nodes.map((n) => `${n.level}:${n.key}:${String(n.members.length)}`),
      ['city:DE/Berlin:3', 'city:DE/Munich:2', 'city:FR/Lyon:2', 'city:FR/Paris:3', 'region:EMEA-Central:5', 'region:EMEA-West:5', 'country:DE:5', 'country:FR:5', 'tenant:tenant:10'],
    );
    assert.equal(f.days, 56);
    assert.equal(f.weeks, 26);
    assert.equal(f.stores[0]!.daily.first, lastDay + 1);
    assert.ok(f.backtest !== null && f.backtest.rows.length === 10);
    // Known weekly cycle: every store's Saturday forecast is above its Monday's.
    for (const s of f.stores) {
      const sat = s.daily.point.findIndex((_, h) => (s.daily.first + h + 3) % 7 === 5);
      const mon = s.daily.point.findIndex((_, h) => (s.daily.first + h + 3) % 7 === 0);
      assert.ok(s.daily.point[sat]! > s.daily.point[mon]!, `${s.id}: Saturday ${String(s.daily.point[sat])} vs Monday ${String(s.daily.point[mon])}`);
    }
  });

  void it('answers a store with its stored forecast, and a region, a city and the tenant with the exact sum of their stores', async () => {
    const one = await get('/v1/forecasts?store=S02');
    assert.deepEqual([one.currency, one.exponent, one.as_of, one.granularity, one.horizon, one.level, one.model], ['EUR', 2, ymd(lastDay), 'day', 28, 'store', 'log_linear']);
    const s = storeOf('S02');
    assert.deepEqual(one.groups, [{ key: null, stores: 1, flags: s.flags, points: Array.from({ length: 28 }, (_, h) => ({ date: ymd(lastDay + 1 + h), mean: s.daily.point[h], lo80: s.daily.lo80[h], hi80: s.daily.hi80[h], lo95: s.daily.lo95[h], hi95: s.daily.hi95[h] })) }]);
    const sum = (ids: string[], h: number): number => ids.reduce((a, id) => a + storeOf(id).daily.point[h]!, 0);
    for (const [path, ids, level] of [
      ['/v1/forecasts?region=EMEA-Central&horizon=56', ['S01', 'S02', 'S03', 'S04', 'S05'], 'region'],
      ['/v1/forecasts?cities=Paris&horizon=56', ['S06', 'S07', 'S08'], 'city'],
      ['/v1/forecasts?horizon=56', STORES.map((x) => x.store_id), 'tenant'],
    ] as const) {
      const a = await get(path);
      assert.equal(a.level, level, path);
      assert.equal(a.groups.length, 1);
      assert.equal(a.groups[0]!.stores, ids.length);
      assert.equal(a.groups[0]!.points.length, 56);
      const node = stored.nodes.find((n) => n.level === level && n.members.length === ids.length && ids.every((id) => n.members.includes(id)))!;
      a.groups[0]!.points.forEach((p, h) => {
        assert.equal(p.mean, sum([...ids], h), `${path} day ${String(h)}`);
        assert.deepEqual([p.lo80, p.hi80, p.lo95, p.hi95], [node.daily.lo80[h], node.daily.hi80[h], node.daily.lo95[h], node.daily.hi95[h]], `${path} bands of the ${level} node`);
      });
    }
  });

  void it('answers a box of stores that is no node with the sum of means and the stores’ errors combined as independent', async () => {
    // Berlin's S01 (52.50) and S02 (52.51), not S03 (52.52), and Munich's two: a box up to 52.515.
    const a = await get('/v1/forecasts?bbox=11,48.0,14,52.515&horizon=14');
    assert.equal(a.level, 'scope');
    assert.equal(a.groups[0]!.stores, 4);
    const ids = ['S01', 'S02', 'S04', 'S05'];
    a.groups[0]!.points.forEach((p, h) => {
      const b = ids.map((id) => storeOf(id).daily);
      const mean = b.reduce((x, d) => x + d.point[h]!, 0);
      const up = (k: 'hi80' | 'hi95'): number => Math.ceil(mean + Math.sqrt(b.reduce((x, d) => x + (d[k][h]! - d.point[h]!) ** 2, 0)));
      const dn = (k: 'lo80' | 'lo95'): number => Math.max(0, Math.floor(mean - Math.sqrt(b.reduce((x, d) => x + (d.point[h]! - d[k][h]!) ** 2, 0))));
      assert.deepEqual(p, { date: ymd(lastDay + 1 + h), mean, lo80: dn('lo80'), hi80: up('hi80'), lo95: dn('lo95'), hi95: up('hi95') });
    });
    // POST with a polygon around Lyon: S09 and S10 (the Lyon node).
    const poly = await call('POST', '/v1/forecasts', read, { polygon: { type: 'Polygon', coordinates: [[[4.5, 45.5], [5.2, 45.5], [5.2, 46], [4.5, 46], [4.5, 45.5]]] }, horizon: 7 });
    assert.equal(poly.status, 200, JSON.stringify(poly.body));
    const pg = (poly.body as unknown as ForecastAnswer).groups[0]!;
    assert.equal(pg.stores, 2);
    assert.equal((poly.body as unknown as ForecastAnswer).level, 'city');
    pg.points.forEach((p, h) => assert.equal(p.mean, storeOf('S09').daily.point[h]! + storeOf('S10').daily.point[h]!));
  });

  void it('groups by city and country, and answers stored nodes of a level', async () => {
    const byCity = await get('/v1/forecasts?group_by=city&horizon=7');
    assert.equal(byCity.level, 'city');
    assert.deepEqual(
      byCity.groups.map((g) => [g.key, g.stores]),
      [['DE/Berlin', 3], ['DE/Munich', 2], ['FR/Lyon', 2], ['FR/Paris', 3]],
    );
    for (const g of byCity.groups) {
      const ids = STORES.filter((s) => `${s.country}/${s.city}` === g.key).map((s) => s.store_id);
      g.points.forEach((p, h) => assert.equal(p.mean, ids.reduce((a, id) => a + storeOf(id).daily.point[h]!, 0)));
    }
    const de = await get('/v1/forecasts?group_by=store&country=DE&horizon=3');
    assert.deepEqual(
      de.groups.map((g) => g.key),
      ['S01', 'S02', 'S03', 'S04', 'S05'],
    );
    const level = await get('/v1/forecasts?level=country&horizon=3');
    assert.deepEqual(
      level.groups.map((g) => [g.key, g.stores, g.points[0]!.mean]),
      stored.nodes.filter((n) => n.level === 'country').map((n) => [n.key, 5, n.daily.point[0]]),
    );
  });

  void it('answers ISO weeks: Mondays, week names, and the stores’ weekly forecasts summed', async () => {
    const a = await get('/v1/forecasts?granularity=week&region=EMEA-West');
    assert.equal(a.horizon, 13);
    const ids = ['S06', 'S07', 'S08', 'S09', 'S10'];
    const first = storeOf('S06').weekly!.first;
    assert.equal((first + 3) % 7, 0, 'weeks start on a Monday');
    assert.equal(a.groups[0]!.points.length, 13);
    a.groups[0]!.points.forEach((p, w) => {
      assert.equal(p.date, ymd(first + 7 * w));
      assert.equal(p.mean, ids.reduce((x, id) => x + storeOf(id).weekly!.point[w]!, 0));
    });
    const thursday = new Date((first + 3) * DAY);
    const jan1 = Date.UTC(thursday.getUTCFullYear(), 0, 1) / DAY;
    assert.equal(a.groups[0]!.points[0]!.week, `${String(thursday.getUTCFullYear())}-W${String(Math.floor((first + 3 - jan1) / 7) + 1).padStart(2, '0')}`);
  });

  void it('computes a past as_of from the days up to it only: later sales change nothing', async () => {
    const asOf = lastDay - 40;
    const path = `/v1/forecasts?as_of=${ymd(asOf)}&store=S03&horizon=14`;
    const before = await get(path);
    assert.equal(before.as_of, ymd(asOf));
    assert.equal(before.groups[0]!.points[0]!.date, ymd(asOf + 1));
    // A big late sale on as_of + 5 and one on as_of itself.
    const late = (seq: number, day: number, amount: number): string => JSON.stringify({ txn_id: `LATE-${String(seq)}`, store_id: 'S03', terminal_id: 'S03-T9', seq, ts: new Date(day * DAY + 12 * 3_600_000).toISOString(), type: 'sale', amount_minor: amount, currency: 'EUR', tax_minor: 0, tender: 'cash' });
    const sent = await call('POST', '/v1/transactions', ingest, `${late(1, asOf + 5, 5_000_000)}\n`, 'application/x-ndjson');
    assert.equal(sent.body['accepted'], 1, JSON.stringify(sent.body));
    const seen = async (): Promise<number> => {
      const r = await call('GET', `/v1/series?stores=S03&from=${ymd(asOf + 5)}&to=${ymd(asOf + 6)}`, read);
      return ((r.body['groups'] as { points: { net_sales: number }[] }[])[0]?.points[0]?.net_sales ?? 0) as number;
    };
    for (let i = 0; i < 200 && (await seen()) < 5_000_000; i++) await new Promise((r) => setTimeout(r, 50));
    assert.ok((await seen()) > 5_000_000);
    assert.deepEqual(await get(path), before);
    // A sale on the as_of day itself is seen.
    assert.equal((await call('POST', '/v1/transactions', ingest, `${late(2, asOf, 5_000_000)}\n`, 'application/x-ndjson')).body['accepted'], 1);
    let changed = false;
    for (let i = 0; i < 100 && !changed; i++) {
      await new Promise((r) => setTimeout(r, 100));
      changed = JSON.stringify(await get(path)) !== JSON.stringify(before);
    }
    assert.ok(changed, 'a sale on the as_of day changes the forecast');
  });

  void it('answers bad parameters with 400, the code and the parameter and value named', async () => {
    for (const [q, name, value] of [
      ['horizon=57', 'horizon', '57'],
      ['granularity=week&horizon=27', 'horizon', '27'],
      ['horizon=0', 'horizon', '0'],
      ['granularity=hour', 'granularity', 'hour'],
      ['as_of=2026-13-01', 'as_of', '2026-13-01'],
      ['as_of=yesterday', 'as_of', 'yesterday'],
      ['group_by=h3', 'group_by', 'h3'],
      ['level=planet', 'level', 'planet'],
      ['bbox=1,2,3', 'bbox', '1,2,3'],
      [`as_of=${ymd(today + 3)}`, 'as_of', ymd(today + 3)],
    ] as const) {
      const r = await call('GET', `/v1/forecasts?${q}`, read);
      assert.equal(r.status, 400, `${q}: ${JSON.stringify(r.body)}`);
      const e = r.body['error'] as { code: string; message: string };
      assert.match(e.code, /^invalid_(parameter|geo_scope)$/, q);
      assert.ok(e.message.includes(name) && e.message.includes(value), `${q}: ${e.message}`);
    }
    assert.equal((await call('GET', '/v1/forecasts/backtest?recompute=maybe', read)).status, 400);
    assert.equal((await call('GET', '/v1/forecasts', ingest)).status, 401);
  });

  void it('shows another tenant nothing of acme', async () => {
    for (const path of ['/v1/forecasts', '/v1/forecasts?store=S01', '/v1/forecasts?group_by=store', '/v1/forecasts/backtest', `/v1/forecasts?as_of=${ymd(lastDay - 3)}`]) {
      const r = await call('GET', path, otherRead);
      assert.equal(r.status, 404, `${path}: ${JSON.stringify(r.body)}`);
      assert.equal((r.body['error'] as { code: string }).code, 'forecast_not_found');
      assert.ok(!JSON.stringify(r.body).includes('S01'));
    }
    const cash = await call('GET', '/v1/treasury/cash-position', otherRead);
    assert.equal(cash.body['forecast'], 'none');
    assert.deepEqual(cash.body['accounts'], []);
  });

  void it('answers the stored backtest rows per level and grain', async () => {
    const r = await call('GET', '/v1/forecasts/backtest', read);
    assert.equal(r.status, 200);
    const body = r.body as { as_of: string; rows: Record<string, unknown>[] };
    assert.equal(body.as_of, ymd(lastDay));
    assert.deepEqual(
      body.rows.map((x) => `${String(x['level'])}/${String(x['grain'])}`),
      ['store/day', 'city/day', 'region/day', 'country/day', 'tenant/day', 'store/week', 'city/week', 'region/week', 'country/week', 'tenant/week'],
    );
    body.rows.forEach((x, i) => {
      const s = stored.backtest!.rows[i]!;
      assert.deepEqual(x, { level: s.level, grain: s.grain, series: s.series, forecasts: s.forecasts, mase: s.mase, baseline_mase: s.baselineMase, smape: s.smape, baseline_smape: s.baselineSmape, coverage_80: s.coverage80, coverage_95: s.coverage95 });
    });
    const store = body.rows[0]!;
    assert.equal(store['series'], 10);
    assert.ok((store['mase'] as number) < (store['baseline_mase'] as number), JSON.stringify(store));
  });

  void it('adds forecast inflows to the cash position: forecast x tender mix x (1 - fee rate) on the settlement date, cash the next business day', async () => {
    const r = await call('GET', '/v1/treasury/cash-position', read);
    assert.equal(r.status, 200);
    const body = r.body as { forecast: { as_of: string; from: string; stores: number }; accounts: { account: string; currency: string; days: { date: string; owed: number; forecast: number; forecastLo80: number; forecastHi80: number }[] }[] };
    assert.equal(body.forecast.as_of, ymd(lastDay));
    assert.equal(body.forecast.stores, 10);
    // Brute force: the generated sales' card share and fees of the last 28 days before the forecast (the late test sales are cash on older days).
    const recs = history(lastDay).filter((x) => x.ts >= ymd(lastDay - 27));
    // Banking days: Monday to Friday, not a public holiday of the store's country (the domain's holiday tables).
    const holidays = new BusinessCalendar();
    const business = (country: string, d: number): boolean => (d + 3) % 7 < 5 && holidays.holidayName(country, d) === undefined;
    const addBusiness = (country: string, d: number, n: number): number => {
      let x = d;
      for (let k = 0; k < n; ) if (business(country, ++x)) k++;
      return x;
    };
    // lineFee's 150 bps: the exact hundredths rounded half to even.
    const bpsFee = (amount: number): number => {
      const exact = (amount * 150) / 10_000;
      const f = Math.floor(exact);
      const frac = exact - f;
      return Math.abs(frac - 0.5) < 1e-9 ? (f % 2 === 0 ? f : f + 1) : Math.round(exact);
    };
    const want = new Map<string, { mean: number; lo80: number; hi80: number }>();
    const from = body.forecast.from;
    for (const s of STORES) {
      const mine = recs.filter((x) => x.store_id === s.store_id);
      const all = mine.reduce((a, x) => a + x.amount_minor, 0);
      const card = mine.filter((x) => x.tender === 'card');
      const charged = card.reduce((a, x) => a + x.amount_minor, 0);
      // 150 bps (half to even on the exact hundredths) + 10 per sale; one sale per line.
      const fees = card.reduce((a, x) => a + bpsFee(x.amount_minor) + 10, 0);
      const f = storeOf(s.store_id).daily;
      for (let h = 0; h < f.point.length; h++) {
        const day = f.first + h;
        if (ymd(day) < from) continue;
        const parts: [number, number][] = [
          [addBusiness(s.country, day, 2), (charged / all) * (1 - fees / charged)],
          [addBusiness(s.country, day, 1), (all - charged) / all],
        ];
        for (const [payDay, rate] of parts) {
          const k = `${s.bank_account!}|${ymd(payDay)}`;
          const w = want.get(k) ?? { mean: 0, lo80: 0, hi80: 0 };
          want.set(k, { mean: w.mean + Math.round(f.point[h]! * rate), lo80: w.lo80 + Math.round(f.lo80[h]! * rate), hi80: w.hi80 + Math.round(f.hi80[h]! * rate) });
        }
      }
    }
    let checked = 0;
    for (const acc of body.accounts) {
      for (const d of acc.days) {
        const w = want.get(`${acc.account}|${d.date}`) ?? { mean: 0, lo80: 0, hi80: 0 };
        assert.deepEqual([d.forecast, d.forecastLo80, d.forecastHi80], [w.mean, w.lo80, w.hi80], `${acc.account} ${d.date}`);
        if (w.mean > 0) checked++;
      }
    }
    assert.ok(checked > 40, `${String(checked)} forecast days checked`);
    assert.deepEqual(body.accounts.map((a) => a.account).sort(), [ACCOUNT_DE, ACCOUNT_FR].sort());
  });

  void it('tpay batch forecast stores a past as-of batch that the API then answers', async () => {
    await platform.snapshot();
    const asOf = ymd(lastDay - 7);
    const r = spawnSync(process.execPath, [CLI, '--data-dir', dir.path, '--log-level', 'warn', 'batch', 'forecast', '--tenant', 'acme', '--as-of', asOf, '--days', '14', '--weeks', '2', '--workers', '2', '--json'], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout) as { batches: { tenant: string; as_of: string; stores: number; nodes: number; seconds: number; backtest_rows: number }[] };
    assert.deepEqual(out.batches.map((b) => [b.tenant, b.as_of, b.stores, b.nodes, b.backtest_rows]), [['acme', asOf, 10, 9, 10]]);
    const f = new ForecastStore(dir.path).get('acme', lastDay - 7)!;
    assert.equal(f.days, 14);
    const a = await get(`/v1/forecasts?as_of=${asOf}&store=S05&horizon=14`);
    assert.deepEqual(
      a.groups[0]!.points.map((p) => p.mean),
      f.stores.find((s) => s.id === 'S05')!.daily.point,
    );
    assert.equal((await call('GET', `/v1/forecasts?as_of=${asOf}&horizon=15`, read)).status, 400);
    // Its backtest, stored by the CLI, and the same computed anew on request.
    const bt = (await call('GET', `/v1/forecasts/backtest?as_of=${asOf}`, read)).body as { as_of: string; rows: { level: string; grain: string; series: number; mase: number }[] };
    assert.equal(bt.as_of, asOf);
    assert.deepEqual(
      bt.rows.map((x) => x.mase),
      f.backtest!.rows.map((x) => x.mase),
    );
    const again = (await call('GET', `/v1/forecasts/backtest?as_of=${asOf}&recompute=true`, read)).body as { as_of: string; rows: { level: string; grain: string; series: number }[] };
    assert.deepEqual(
      again.rows.map((x) => `${x.level}/${x.grain}/${String(x.series)}`),
      bt.rows.map((x) => `${x.level}/${x.grain}/${String(x.series)}`),
    );
    const bad = spawnSync(process.execPath, [CLI, '--data-dir', dir.path, 'batch', 'forecast', '--tenant', 'acme', '--days', '57'], { encoding: 'utf8' });
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /--days must be from 1 to 56, got 57/);
  });

  void it('answers a past as_of with no stored batch for a tenant of more than 1000 stores with 422 forecast_too_large, naming the count and the command', async () => {
    const day = lastDay - 3;
    const sale = JSON.stringify({ txn_id: 'H-1', store_id: 'H0000', terminal_id: 'H0000-T1', seq: 1, ts: new Date(day * DAY + 12 * 3_600_000).toISOString(), type: 'sale', amount_minor: 12_345, currency: 'EUR', tax_minor: 0, tender: 'cash' });
    assert.equal((await call('POST', '/v1/transactions', bigIngest, `${sale}\n`, 'application/x-ndjson')).body['accepted'], 1);
    const path = `/v1/forecasts?as_of=${ymd(day + 1)}&horizon=7`;
    // Until the sale is served the tenant has no sales and the answer is a 404.
    let r = await call('GET', path, bigRead);
    for (let i = 0; i < 200 && r.status === 404; i++) {
      await new Promise((res) => setTimeout(res, 50));
      r = await call('GET', path, bigRead);
    }
    assert.equal(r.status, 422, JSON.stringify(r.body));
    const e = r.body['error'] as { code: string; message: string };
    assert.equal(e.code, 'forecast_too_large');
    assert.ok(e.message.includes(String(MAX_ON_DEMAND_STORES + 1)) && e.message.includes(`tpay batch forecast --as-of ${ymd(day + 1)}`), e.message);
    // The same as POST, and for the backtest recomputed on request.
    assert.equal((await call('POST', '/v1/forecasts', bigRead, { as_of: ymd(day + 1), horizon: 7 })).status, 422);
    const bt = await call('GET', `/v1/forecasts/backtest?as_of=${ymd(day + 1)}&recompute=true`, bigRead);
    assert.equal(bt.status, 422, JSON.stringify(bt.body));
    assert.equal((bt.body['error'] as { code: string }).code, 'forecast_too_large');
  });
});
