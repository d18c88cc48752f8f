/**
 * Forecasts in the dashboard, in Debian's Chromium against a real
 * platform: a generated tenant of 10 stores with 12 weeks of history
 * imported through the history path. Before any forecast the time series
 * says "no forecast yet" and the Forecast page "no backtest yet"; then the
 * platform's own forecast batch runs, and the bands drawn for the whole
 * tenant (by day and by ISO week), for a box, a country and one store, the hover
 * readout's amounts, the flags, and the Forecast page's accuracy table
 * must be the API's answers for those scopes. Any console error (other
 * than the API's documented 404 while nothing is stored), page error or
 * request to another origin fails the test. Screenshots are written to
 * test-output/dashboard/forecast-*.png.
 */
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import pino from 'pino';
import { importDemoHistory } from '../../src/cli/demo-history.js';
import { provisionWorld } from '../../src/cli/firehose-commands.js';
import { loadConfig } from '../../src/config/config.js';
import { generateWorld, type World } from '../../src/firehose/world.js';
import { startPlatform, type Platform } from '../../src/platform/platform.js';
import { TenantStore } from '../../src/tenants/tenant-store.js';
import { tempDir, type TempDir } from '../support/temp-dir.js';
import { eventually, launchOrSkip } from './browser.js';
import type { ForecastAnswer, ForecastPoint } from '../../src/forecast/forecast-answer-types.js';

const SHOTS = join('test-output', 'dashboard');
const DAY = 86_400_000;
const HISTORY_DAYS = 84;

interface Backtest {
  as_of: string;
  model: string;
  rows: Record<string, string | number | null>[];
}

const ymd = (ms: number): string => new Date(ms).toISOString().slice(0, 10);
/** What an en-US browser shows for an exact amount in USD. */
const usd = (minor: number): string => new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(`${minor < 0 ? '-' : ''}${String(Math.floor(Math.abs(minor) / 100))}.${String(Math.abs(minor) % 100).padStart(2, '0')}` as Intl.StringNumericLiteral);
const bands = (p: ForecastPoint): ForecastPoint => ({ date: p.date, mean: p.mean, lo80: p.lo80, hi80: p.hi80, lo95: p.lo95, hi95: p.hi95 });

describe('forecasts in the dashboard in Chromium', () => {
  let dir: TempDir;
  let platform: Platform;
  let origin: string;
  let readKey: string;
  let world: World;
  let tenant: string;

  before(async () => {
    dir = tempDir();
    world = generateWorld({ seed: 11, tenants: 1, stores: 10 });
    tenant = world.tenants[0]!.tenant.tenant_id;
    provisionWorld(dir.path, world);
    readKey = new TenantStore(dir.path).createKey(tenant, 'read').secret;
    // No forecast on a timer: the test runs the platform's batch itself, after looking at the empty states.
    const config = loadConfig({ env: {}, overrides: { dataDir: dir.path, logLevel: 'silent', 'ingest.tcpPort': 0, 'api.port': 0, 'log.segmentBytes': 1 << 20, 'warehouse.maxDelayMs': 200, 'forecast.checkIntervalMs': 0, 'forecast.workers': 1 } });
    platform = await startPlatform(config, pino({ level: 'silent' }));
    origin = `http://127.0.0.1:${String(platform.ingest.httpPort)}`;
    const [summary] = await importDemoHistory(platform.ingest.engine, world, { days: HISTORY_DAYS, salesPerStoreDay: 20, endMs: Date.now() - 120_000 });
    assert.ok(summary !== undefined && summary.accepted > 10 * HISTORY_DAYS * 10, JSON.stringify(summary));
    await platform.stream.caughtUp();
    await platform.feeder.flush();
    mkdirSync(SHOTS, { recursive: true });
  });
  after(async () => {
    await platform.close();
    await dir[Symbol.asyncDispose]();
  });

  const get = async (path: string): Promise<{ status: number; body: unknown }> => {
    const res = await fetch(`${origin}${path}`, { headers: { authorization: `Bearer ${readKey}` } });
    return { status: res.status, body: await res.json() };
  };
  const read = async <T>(path: string): Promise<T> => {
    const r = await get(path);
    assert.equal(r.status, 200, `${path}: ${JSON.stringify(r.body)}`);
    return r.body as T;
  };

  it('no forecast yet, then the bands and readout for the tenant, a box and a store, and the accuracy table', { timeout: 300_000 }, async (t) => {
    const browser = await launchOrSkip(origin, t, { expected404: (path) => path === '/v1/forecasts' || path === '/v1/forecasts/backtest' });
    if (browser === null) return;
    await using b = browser;
    const page = b.page;
    const shot = async (name: string): Promise<void> => {
      await page.screenshot({ path: join(SHOTS, `forecast-${name}.png`), fullPage: true });
    };
    const series = page.locator('#series');
    const note = page.getByTestId('series-forecast-note');
    const marks = (panel = series) => panel.getByTestId('forecast-marks');
    const drawn = async (panel = series): Promise<ForecastPoint[]> =>
      marks(panel)
        .locator('circle.fc-point')
        .evaluateAll((cs) => cs.map((c) => ({ date: c.getAttribute('data-date') ?? '', mean: Number(c.getAttribute('data-mean')), lo80: Number(c.getAttribute('data-lo80')), hi80: Number(c.getAttribute('data-hi80')), lo95: Number(c.getAttribute('data-lo95')), hi95: Number(c.getAttribute('data-hi95')) })));

    // Nothing stored: the API says 404, the chart shows the actuals and says so; the Forecast page is empty.
    assert.equal((await get('/v1/forecasts?granularity=day&horizon=7')).status, 404);
    assert.equal((await get('/v1/forecasts/backtest')).status, 404);
    await page.goto(`${origin}/`);
    await page.getByLabel('Read key').fill(readKey);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByTestId('tenant').filter({ hasText: tenant }).waitFor();
    await page.getByTestId('range-preset').selectOption('30d');
    await note.and(page.locator('[data-state="none"]')).waitFor();
    assert.equal(await note.textContent(), 'No forecast yet.');
    assert.equal(await marks().count(), 0);
    await series.screenshot({ path: join(SHOTS, 'forecast-1-no-forecast-yet.png') });
    await page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: 'Forecast', exact: true }).click();
    await page.getByTestId('backtest-empty').waitFor();
    await shot('2-no-backtest-yet');

    // The running platform's batch (what it does after each business-day close) stores the forecast and its backtest.
    await platform.forecastScheduler.check();
    assert.equal(platform.forecastScheduler.written, 1);

    // The whole tenant by day, over the last 30 days: the forecast's points from the range on are the API's for 30 days ahead.
    const today = Date.parse(`${ymd(Date.now())}T00:00:00Z`);
    const from = ymd(today - 29 * DAY);
    const to = ymd(today + DAY);
    await page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: 'Sales', exact: true }).click();
    await page.reload();
    await page.getByTestId('range-preset').selectOption('30d');
    const tenantDay = await read<ForecastAnswer>('/v1/forecasts?granularity=day&horizon=30&group_by=none');
    assert.equal(tenantDay.level, 'tenant');
    assert.equal(tenantDay.currency, 'USD');
    const g = tenantDay.groups[0]!;
    assert.equal(g.stores, 10);
    assert.equal(g.points.length, 30);
    // The first forecast day is the day after the last one the forecast has seen, within the range.
    assert.equal(g.points[0]!.date, ymd(Date.parse(`${tenantDay.as_of}T00:00:00Z`) + DAY));
    assert.ok(g.points[0]!.date >= from && g.points[0]!.date <= to, g.points[0]!.date);
    for (const p of g.points) assert.ok(p.lo95 <= p.lo80 && p.lo80 <= p.mean && p.mean <= p.hi80 && p.hi80 <= p.hi95, JSON.stringify(p));
    await marks().waitFor();
    await eventually(async () => assert.deepEqual(await drawn(), g.points.map(bands)));
    assert.deepEqual([await marks().getAttribute('data-level'), await marks().getAttribute('data-as-of'), await marks().getAttribute('data-model')], ['tenant', tenantDay.as_of, tenantDay.model]);
    // Bands and mean are drawn, and the axis goes on past the range to the forecast's last day.
    for (const cls of ['band b95', 'band b80', 'line fc-mean']) assert.match((await marks().locator(`path[class="${cls}"]`).getAttribute('d')) ?? '', /^M[\d.]+,[\d.]+(L[\d.]+,[\d.]+)+Z?$/);
    const tableBuckets = await page.getByTestId('series-table').locator('tbody tr').evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-bucket')));
    assert.equal(tableBuckets[0], `${from}T00:00`);
    assert.equal(tableBuckets.at(-1), `${g.points.at(-1)!.date}T00:00`);
    // The flags of the tenant's forecast, as the API gives them: 12 weeks of history have no yearly cycle.
    assert.equal(await note.getAttribute('data-state'), 'shown');
    assert.equal(await note.getAttribute('data-flags'), g.flags.join(','));
    assert.ok(g.flags.includes('no_yearly_cycle'), g.flags.join(','));
    assert.equal(await note.locator('li[data-flag="no_yearly_cycle"]').textContent(), 'Less certain: less than a year of history: the yearly cycle is partly or not known.');

    // Hover a day ahead of the range: the readout has its exact amounts.
    const ahead = g.points.find((p) => p.date >= to)!;
    await series.locator(`.hover-targets rect[data-bucket="${ahead.date}T00:00"]`).hover();
    const readout = page.getByTestId('series-readout');
    await readout.and(page.locator(`[data-bucket="${ahead.date}T00:00"]`)).waitFor();
    const fields = async (): Promise<Record<string, number>> => Object.fromEntries(await readout.locator('[data-field]').evaluateAll((ss) => ss.map((s) => [s.getAttribute('data-field') ?? '', Number(s.getAttribute('data-value'))] as const)));
    assert.deepEqual(await fields(), { mean: ahead.mean, lo80: ahead.lo80, hi80: ahead.hi80, lo95: ahead.lo95, hi95: ahead.hi95 });
    for (const f of ['mean', 'lo80', 'hi80', 'lo95', 'hi95'] as const) assert.equal(await readout.locator(`[data-field="${f}"]`).textContent(), usd(ahead[f]));
    // The forecast's first day is a day of the range: its actual so far beside the forecast.
    await series.locator(`.hover-targets rect[data-bucket="${g.points[0]!.date}T00:00"]`).hover();
    await readout.and(page.locator(`[data-bucket="${g.points[0]!.date}T00:00"]`)).waitFor();
    const first = await fields();
    assert.equal(first['mean'], g.points[0]!.mean);
    assert.equal(typeof first['actual'], 'number');
    await shot('3-tenant-by-day');

    // By ISO week: as many weeks ahead as the range shows Mondays (at least 4).
    await page.getByTestId('series-granularity').selectOption('week');
    let mondays = 0;
    for (let d = Date.parse(`${from}T00:00:00Z`); d < Date.parse(`${to}T00:00:00Z`); d += DAY) if (new Date(d).getUTCDay() === 1) mondays++;
    const tenantWeek = await read<ForecastAnswer>(`/v1/forecasts?granularity=week&horizon=${String(Math.max(4, mondays))}&group_by=none`);
    const weeks = tenantWeek.groups[0]!.points;
    for (const w of weeks) assert.equal(new Date(`${w.date}T00:00:00Z`).getUTCDay(), 1, w.date);
    await eventually(async () => assert.deepEqual(await drawn(), weeks.filter((w) => w.date >= from).map(bands)));
    await series.screenshot({ path: join(SHOTS, 'forecast-4-tenant-by-week.png') });

    // Another metric: the chart as before, no forecast and no note.
    await page.getByTestId('series-granularity').selectOption('day');
    await page.getByTestId('series-metric').selectOption('gross_sales');
    await eventually(async () => assert.equal(await marks().count(), 0));
    assert.equal(await note.count(), 0);
    await page.getByTestId('series-metric').selectOption('net_sales');

    // A box over the western stores: the forecast of exactly those stores.
    const stores = [...world.tenants[0]!.stores].sort((x, y) => x.lon - y.lon);
    const east = Math.round(((stores[3]!.lon + stores[4]!.lon) / 2) * 1e4) / 1e4;
    await page.getByLabel('Box (west, south, east, north)').fill(`-180, -90, ${String(east)}, 90`);
    await page.getByRole('button', { name: 'Apply box' }).click();
    const boxed = await read<ForecastAnswer>(`/v1/forecasts?granularity=day&horizon=30&group_by=none&bbox=-180,-90,${String(east)},90`);
    assert.equal(boxed.groups[0]!.stores, 4);
    assert.notDeepEqual(boxed.groups[0]!.points.map((p) => p.mean), g.points.map((p) => p.mean));
    await eventually(async () => assert.deepEqual(await drawn(), boxed.groups[0]!.points.map(bands)));
    assert.equal(await marks().getAttribute('data-level'), boxed.level);
    assert.equal(await note.getAttribute('data-flags'), boxed.groups[0]!.flags.join(','));
    await shot('5-box');

    // A country: its stores' means added up, with the intervals of that stored roll-up node.
    const byCountry = new Map<string, number>();
    for (const s of stores) byCountry.set(s.country, (byCountry.get(s.country) ?? 0) + 1);
    const [country, inCountry] = [...byCountry].sort((x, y) => y[1] - x[1] || (x[0] < y[0] ? -1 : 1))[0]!;
    assert.ok(inCountry >= 2, `${country}: ${String(inCountry)}`);
    await page.getByTestId('scope-place').selectOption(`country:${country}`);
    const national = await read<ForecastAnswer>(`/v1/forecasts?granularity=day&horizon=30&group_by=none&countries=${country}`);
    assert.equal(national.groups[0]!.stores, inCountry);
    assert.ok(['city', 'region', 'country'].includes(national.level), national.level);
    await eventually(async () => assert.deepEqual(await drawn(), national.groups[0]!.points.map(bands)));
    assert.equal(await marks().getAttribute('data-level'), national.level);
    await series.screenshot({ path: join(SHOTS, 'forecast-5b-country.png') });

    // One store's page: its own forecast.
    const one = stores[0]!.store_id;
    await page.evaluate(`location.hash = ${JSON.stringify(`#/store/${encodeURIComponent(one)}`)}`);
    await page.getByTestId('store-title').filter({ hasText: one }).waitFor();
    const panel = page.locator('#store-series');
    const own = await read<ForecastAnswer>(`/v1/forecasts?granularity=day&horizon=30&group_by=none&stores=${encodeURIComponent(one)}`);
    assert.equal(own.level, 'store');
    assert.equal(own.groups[0]!.stores, 1);
    await eventually(async () => assert.deepEqual(await drawn(panel), own.groups[0]!.points.map(bands)));
    assert.equal(await page.getByTestId('store-series-forecast-note').getAttribute('data-flags'), own.groups[0]!.flags.join(','));
    const last = own.groups[0]!.points.at(-1)!;
    await panel.locator(`.hover-targets rect[data-bucket="${last.date}T00:00"]`).hover();
    const storeReadout = page.getByTestId('store-series-readout');
    await storeReadout.and(page.locator(`[data-bucket="${last.date}T00:00"]`)).waitFor();
    assert.equal(await storeReadout.locator('[data-field="hi95"]').textContent(), usd(last.hi95));
    await panel.screenshot({ path: join(SHOTS, 'forecast-6-store.png') });

    // The Forecast page: the stored backtest, row for row, in hierarchy order, with the gain over seasonal naive.
    await page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: 'Forecast', exact: true }).click();
    const bt = await read<Backtest>('/v1/forecasts/backtest');
    assert.equal(bt.as_of, tenantDay.as_of);
    const FIELDS = ['series', 'forecasts', 'mase', 'baseline_mase', 'smape', 'baseline_smape', 'coverage_80', 'coverage_95'];
    const apiRows = bt.rows.map((r) => [`${String(r['level'])}/${String(r['grain'])}`, ...FIELDS.map((f) => (r[f] === null ? 'null' : String(r[f])))].join(' '));
    assert.deepEqual(new Set(bt.rows.map((r) => `${String(r['level'])}/${String(r['grain'])}`)), new Set(['store', 'city', 'region', 'country', 'tenant'].flatMap((l) => [`${l}/day`, `${l}/week`])));
    const table = page.getByTestId('backtest-table');
    const shownRows = async (): Promise<string[]> =>
      table.locator('tbody tr').evaluateAll(
        (trs, fields) => trs.map((tr) => [`${tr.getAttribute('data-level') ?? ''}/${tr.getAttribute('data-grain') ?? ''}`, ...fields.map((f) => tr.querySelector(`[data-field="${f}"]`)?.getAttribute('data-value') ?? 'null')].join(' ')),
        FIELDS,
      );
    await eventually(async () => assert.equal((await shownRows()).length, apiRows.length));
    const shown = await shownRows();
    assert.deepEqual([...shown].sort(), [...apiRows].sort());
    assert.deepEqual(shown.map((r) => r.split(' ')[0]), ['day', 'week'].flatMap((gr) => ['store', 'city', 'region', 'country', 'tenant'].map((l) => `${l}/${gr}`)));
    const tr = bt.rows.find((r) => r['level'] === 'tenant' && r['grain'] === 'day')!;
    const gain = 1 - Number(tr['mase']) / Number(tr['baseline_mase']);
    const row = table.locator('tr[data-level="tenant"][data-grain="day"]');
    assert.equal(await row.locator('[data-field="mase_gain"]').textContent(), new Intl.NumberFormat('en-US', { style: 'percent', maximumFractionDigits: 1, signDisplay: 'exceptZero' }).format(gain));
    assert.equal(await row.locator('[data-field="mase"]').textContent(), Number(tr['mase']).toFixed(3));
    assert.deepEqual([await page.getByTestId('backtest-meta').getAttribute('data-as-of'), await page.getByTestId('backtest-meta').getAttribute('data-model')], [bt.as_of, bt.model]);
    await shot('7-accuracy');

    assert.deepEqual(b.problems, []);
  });
});
