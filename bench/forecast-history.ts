/**
 * Forecast accuracy by length of history: small generated worlds (the
 * firehose's demand curve, December peak and January dip, from
 * 2024-01-01) of each length and seed, backtested from the origins a
 * horizon apart before the end (the latest first), stores scored against
 * seasonal naive. A world of 420 days scored from its latest origin is a
 * forecast made with 364 days of history: the lengths around one year are
 * where a model must find the yearly cycle from a single turn of it.
 *
 * Prints one line per length and seed (model MASE, seasonal naive MASE,
 * 80 % and 95 % coverage, of the stores and of the tenant total) and
 * writes bench-output/forecast-history.json.
 *
 *   npm run build && node dist/bench/forecast-history.js -- [--lengths 380,400,420,460,500,600] [--seeds 1,2,3] [--stores 10] [--origins 1]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { ForecastPool } from '../src/forecast/forecast-pool.js';
import { backtestLevels, type LevelScores } from '../src/forecast/level-backtest.js';
import { WORLD_START as START, storeSeries } from '../test/forecast/forecast-world.js';
import { arg, median } from './bench-args.js';

const horizon = 56;

/** The comma-separated numbers after `--name`, or `dflt`. */
function list(name: string, dflt: readonly number[]): number[] {
  const i = process.argv.indexOf(`--${name}`);
  if (i === -1) return [...dflt];
  const v = (process.argv[i + 1] ?? '').split(',').map(Number);
  if (v.length === 0 || !v.every((x) => Number.isInteger(x) && x > 0)) throw new Error(`--${name} must be positive integers separated by commas, got '${process.argv[i + 1] ?? ''}'`);
  return v;
}

const lengths = list('lengths', [380, 400, 420, 460, 500, 600]);
const seeds = list('seeds', [1, 2, 3]);
const storeCount = arg('stores', 10);
const origins = arg('origins', 1);

const f3 = (x: number): string => x.toFixed(3).padStart(6);

async function main(): Promise<void> {
  await using pool = new ForecastPool();
  const rows: { days: number; seed: number; store: LevelScores; tenant: LevelScores }[] = [];
  const t0 = performance.now();
  process.stdout.write(`${storeCount} stores, ${origins} origin(s) ${horizon} days apart from the end\n`);
  process.stdout.write('  days seed |   mase  naive  cov80  cov95 | tenant mase  naive  cov80  cov95\n');
  for (const days of lengths) {
    for (const seed of seeds) {
      const stores = storeSeries(seed, storeCount, days);
      const end = START + days;
      const levels = await backtestLevels(pool, stores, { origins: Array.from({ length: origins }, (_, j) => end - horizon * (j + 1)), days: horizon });
      const store = levels.find((l) => l.level === 'store')!;
      const tenant = levels.find((l) => l.level === 'tenant')!;
      rows.push({ days, seed, store, tenant });
      process.stdout.write(
        `${String(days).padStart(6)} ${String(seed).padStart(4)} | ${f3(store.mase)} ${f3(store.baselineMase)} ${f3(store.coverage80)} ${f3(store.coverage95)} |      ${f3(tenant.mase)} ${f3(tenant.baselineMase)} ${f3(tenant.coverage80)} ${f3(tenant.coverage95)}\n`,
      );
    }
  }
  const beaten = rows.filter((r) => r.store.mase < r.store.baselineMase).length;
  const out = {
    seconds: +((performance.now() - t0) / 1000).toFixed(1),
    beats_naive: `${beaten}/${rows.length}`,
    median_mase_ratio: +median(rows.map((r) => r.store.mase / r.store.baselineMase)).toFixed(3),
    median_coverage_80: +median(rows.map((r) => r.store.coverage80)).toFixed(3),
    min_coverage_80: +Math.min(...rows.map((r) => r.store.coverage80)).toFixed(3),
  };
  for (const [k, v] of Object.entries(out)) process.stdout.write(`${k}: ${String(v)}${k === 'seconds' ? ' s' : ''}\n`);
  mkdirSync('bench-output', { recursive: true });
  writeFileSync('bench-output/forecast-history.json', `${JSON.stringify({ ...out, stores: storeCount, origins, rows }, null, 2)}\n`);
}

await main();
