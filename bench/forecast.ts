/**
 * Forecasting at scale: 10,000 store series × 2 years of daily sales
 * (the firehose's world and demand curves, `generateDailySales`), fitted
 * and forecast 56 days ahead with 80 %/95 % intervals on a worker pool
 * using every core; the timed part includes starting the pool and the
 * interval calibration (rolling-origin backtests of a sample). Then a
 * rolling-origin backtest of a sample of the stores and their roll-ups
 * gives the accuracy against seasonal naive (daily; weekly on a world of
 * three years, see below), and one run on a single worker gives the
 * scaling ratio.
 *
 * Prints `name: value unit` lines (medians over --runs) and writes
 * bench-output/forecast.json.
 *
 *   npm run bench:forecast -- [--stores 10000] [--days 730] [--runs 3] [--backtest-stores 1000] [--origins 3]
 *
 * Accuracy by length of history (about a year: 380 to 600 days, per
 * seed) is bench/forecast-history.ts.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dayNumber } from '../src/domain/business-calendar.js';
import { generateDailySales } from '../src/firehose/daily-sales.js';
import { generateWorld } from '../src/firehose/world.js';
import { sampleSeries } from '../src/forecast/calibrate.js';
import { forecastBatch } from '../src/forecast/forecast-batch.js';
import { ForecastPool } from '../src/forecast/forecast-pool.js';
import type { StoreSeries } from '../src/forecast/hierarchy.js';
import { backtestLevels } from '../src/forecast/level-backtest.js';
import { arg, median } from './bench-args.js';

const storeCount = arg('stores', 10_000);
const historyDays = arg('days', 730);
const runs = arg('runs', 3);
const backtestStores = arg('backtest-stores', 1000);
const origins = arg('origins', 3);
const horizon = 56;
const seed = 12;

function stores(count: number, days: number): { series: StoreSeries[]; asOf: number } {
  const world = generateWorld({ seed, tenants: 1, stores: count });
  const start = dayNumber('2026-03-04') - days;
  const sales = generateDailySales(world.tenants[0]!, { seed, start, days });
  const series = sales.map((s) => ({ id: s.site.store.store_id, country: s.site.store.country, city: s.site.store.city, region: s.site.store.region, first: s.first, values: s.values }));
  return { series, asOf: start + days };
}

interface Timed {
  seconds: number;
  /** CPU seconds of this process and its worker threads over the same span. */
  cpuSeconds: number;
  days: number;
  flags: Record<string, number>;
}

async function timedForecast(series: StoreSeries[], asOf: number, workers: number): Promise<Timed> {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  await using pool = new ForecastPool({ workers });
  const f = await forecastBatch(pool, series, { asOf, days: horizon, weeks: 0, rollUps: false });
  const seconds = (performance.now() - t0) / 1000;
  const c = process.cpuUsage(c0);
  let days = 0;
  const flags: Record<string, number> = {};
  for (const s of f.stores) {
    days += s.daily.point.length;
    for (const flag of s.daily.flags) flags[flag] = (flags[flag] ?? 0) + 1;
  }
  return { seconds, cpuSeconds: (c.user + c.system) / 1e6, days, flags };
}

async function main(): Promise<void> {
  const g0 = performance.now();
  const { series, asOf } = stores(storeCount, historyDays);
  process.stderr.write(`generated ${String(series.length)} series × ${String(historyDays)} days in ${((performance.now() - g0) / 1000).toFixed(1)} s\n`);
  const workers = availableParallelism();
  const totals: number[] = [];
  const cores: number[] = [];
  for (let r = 0; r < runs; r++) {
    const t = await timedForecast(series, asOf, workers);
    totals.push(t.seconds);
    cores.push(t.cpuSeconds / t.seconds);
    process.stderr.write(`run ${String(r + 1)}: ${t.seconds.toFixed(2)} s for ${String(series.length)} series on ${String(workers)} workers, ${t.cpuSeconds.toFixed(1)} CPU s (${String(t.days)} forecast days; flags ${JSON.stringify(t.flags)})\n`);
  }
  const single = await timedForecast(series, asOf, 1);
  process.stderr.write(`one worker: ${single.seconds.toFixed(2)} s, ${single.cpuSeconds.toFixed(1)} CPU s\n`);
  const b0 = performance.now();
  const sample = sampleSeries(series, backtestStores);
  const backtestOrigins = Array.from({ length: origins }, (_, j) => asOf - horizon * (j + 1));
  await using pool = new ForecastPool({ workers });
  const levels = await backtestLevels(pool, sample, { origins: backtestOrigins, days: horizon });
  const backtestSeconds = (performance.now() - b0) / 1000;
  // Weekly: 26 ISO weeks need origins half a year back, and their own
  // calibration half a year before that, each with a year of history to
  // fit the yearly cycle: two years are too few, so this part has its own
  // world of three years.
  const weekly = stores(backtestStores, 3 * 365);
  const weeklyRows = await backtestLevels(pool, weekly.series, { origins: [weekly.asOf - 7 * 28, weekly.asOf - 7 * 32], days: horizon, weeks: 26 });
  const weekRow = (l: string): (typeof weeklyRows)[number] => weeklyRows.find((r) => r.grain === 'week' && r.level === l)!;
  const storeRow = levels.find((l) => l.level === 'store')!;
  const total = median(totals);
  const out: Record<string, number> = {
    forecast_series_per_s: Math.round(series.length / total),
    forecast_total_s: +total.toFixed(2),
    forecast_one_worker_s: +single.seconds.toFixed(2),
    forecast_scaling_ratio: +(single.seconds / total).toFixed(2),
    // CPU seconds per wall second while forecasting: ~2 when both cores are ours; less when others share them.
    forecast_cores_busy: +median(cores).toFixed(2),
    backtest_mase: +storeRow.mase.toFixed(3),
    baseline_mase: +storeRow.baselineMase.toFixed(3),
    mase_gain_pct: +(100 * storeRow.maseGain).toFixed(1),
    backtest_smape: +storeRow.smape.toFixed(2),
    baseline_smape: +storeRow.baselineSmape.toFixed(2),
    coverage_80: +storeRow.coverage80.toFixed(3),
    coverage_95: +storeRow.coverage95.toFixed(3),
  };
  for (const l of levels) {
    if (l.level === 'store') continue;
    out[`backtest_mase_${l.level}`] = +l.mase.toFixed(3);
    out[`baseline_mase_${l.level}`] = +l.baselineMase.toFixed(3);
    out[`coverage_80_${l.level}`] = +l.coverage80.toFixed(3);
  }
  for (const l of ['store', 'tenant']) {
    const w = weekRow(l);
    out[`weekly_mase_${l}`] = +w.mase.toFixed(3);
    out[`weekly_baseline_mase_${l}`] = +w.baselineMase.toFixed(3);
    out[`weekly_coverage_80_${l}`] = +w.coverage80.toFixed(3);
  }
  out.backtest_s = +backtestSeconds.toFixed(1);
  const unit = (k: string): string => (k.endsWith('_per_s') ? ' series/s' : k.endsWith('_s') ? ' s' : k.endsWith('_pct') ? ' %' : k.includes('smape') ? ' %' : '');
  for (const [k, v] of Object.entries(out)) process.stdout.write(`${k}: ${String(v)}${unit(k)}\n`);
  mkdirSync('bench-output', { recursive: true });
  writeFileSync('bench-output/forecast.json', `${JSON.stringify({ ...out, runs: totals, stores: series.length, history_days: historyDays, backtest_stores: sample.length, backtest_origins: origins, levels, weekly: weeklyRows }, null, 2)}\n`);
}

await main();
