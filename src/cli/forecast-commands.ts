/**
 * `tpay forecast backtest`: rolling-origin backtests of a tenant's
 * forecasts from a data directory, per level (store, city, region,
 * country, tenant), with MASE, sMAPE and interval coverage for the model
 * and seasonal naive. Reads the serving rollups' last snapshot; run it
 * after `tpay run` has snapshotted (it does on shutdown).
 */
import { join } from 'node:path';
import type { Command } from 'commander';
import { dayNumber, dayText } from '../domain/business-calendar.js';
import { ForecastPool } from '../forecast/forecast-pool.js';
import { backtestLevels, type LevelScores } from '../forecast/level-backtest.js';
import { storeSeriesFromServing } from '../forecast/serving-series.js';
import { MAX_DAILY_HORIZON, MAX_WEEKLY_HORIZON } from '../forecast/series.js';
import { ColumnarServingStore } from '../serving/columnar-serving-store.js';
import { action, configFrom, intOption } from './context.js';

interface BacktestOptions {
  tenant: string;
  asOf?: string;
  historyDays: number;
  origins: number;
  days: number;
  weeks: number;
  workers?: number;
  json?: boolean;
}

function checkRange(name: string, v: number, lo: number, hi: number): void {
  if (v < lo || v > hi) throw new Error(`--${name} must be from ${String(lo)} to ${String(hi)}, got ${String(v)}`);
}

function row(r: LevelScores): string {
  const f = (x: number, d: number): string => x.toFixed(d);
  return [r.level.padEnd(8), r.grain.padEnd(5), String(r.series).padStart(6), String(r.forecasts).padStart(9), f(r.mase, 3).padStart(7), f(r.baselineMase, 3).padStart(9), f(r.smape, 2).padStart(7), f(r.baselineSmape, 2).padStart(9), f(r.coverage80, 3).padStart(6), f(r.coverage95, 3).padStart(6)].join('  ');
}

export function registerForecastCommands(program: Command): void {
  const forecast = program.command('forecast').description('net_sales forecasts: backtests per level');
  forecast
    .command('backtest')
    .description('rolling-origin backtests per level: MASE, sMAPE and 80 %/95 % coverage, against seasonal naive')
    .requiredOption('--tenant <id>', 'tenant to backtest')
    .option('--as-of <YYYY-MM-DD>', 'backtest the history before this day (default: today, UTC)')
    .option('--history-days <n>', 'days of history read before --as-of', intOption('history-days'), 730)
    .option('--origins <n>', 'forecast origins, one horizon apart, counted back from --as-of', intOption('origins'), 3)
    .option('--days <n>', `daily horizon (1–${String(MAX_DAILY_HORIZON)})`, intOption('days'), MAX_DAILY_HORIZON)
    .option('--weeks <n>', `also score this many ISO weeks (0–${String(MAX_WEEKLY_HORIZON)})`, intOption('weeks'), 0)
    .option('--workers <n>', 'worker threads (default: one per core)', intOption('workers'))
    .option('--json', 'print the rows as JSON')
    .action(
      action(async (o: BacktestOptions, cmd: Command) => {
        const config = configFrom(cmd);
        checkRange('days', o.days, 1, MAX_DAILY_HORIZON);
        checkRange('weeks', o.weeks, 0, MAX_WEEKLY_HORIZON);
        checkRange('origins', o.origins, 1, 52);
        checkRange('history-days', o.historyDays, 28, 3650);
        if (o.asOf !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(o.asOf)) throw new Error(`--as-of must be YYYY-MM-DD, got '${o.asOf}'`);
        const asOf = o.asOf !== undefined ? dayNumber(o.asOf) : Math.floor(Date.now() / 86_400_000);
        if (!Number.isInteger(asOf)) throw new Error(`--as-of is not a date: '${String(o.asOf)}'`);
        const serving = await ColumnarServingStore.open(join(config.dataDir, 'serving'));
        if (serving.settings(o.tenant) === undefined) throw new Error(`tenant '${o.tenant}' has no rollups in ${config.dataDir}`);
        const stores = storeSeriesFromServing(serving, o.tenant, asOf - o.historyDays, asOf);
        if (stores.length === 0) throw new Error(`tenant '${o.tenant}' has no stores`);
        const span = Math.max(o.days, o.weeks > 0 ? 7 * (o.weeks + 1) : 0);
        const origins = Array.from({ length: o.origins }, (_, j) => asOf - span * (j + 1));
        process.stderr.write(`backtesting ${String(stores.length)} stores of ${o.tenant}: ${String(o.historyDays)} days before ${dayText(asOf)}, origins ${origins.map(dayText).join(', ')}\n`);
        const pool = new ForecastPool(o.workers !== undefined ? { workers: o.workers } : {});
        let rows: LevelScores[];
        try {
          rows = await backtestLevels(pool, stores, { origins, days: o.days, weeks: o.weeks });
        } finally {
          await pool.close();
        }
        if (o.json === true) {
          process.stdout.write(`${JSON.stringify({ tenant: o.tenant, as_of: dayText(asOf), origins: origins.map(dayText), rows }, null, 2)}\n`);
          return;
        }
        process.stdout.write(`level     grain  series  forecasts     mase  baseline    smape  baseline  cov80  cov95\n`);
        for (const r of rows) process.stdout.write(`${row(r)}\n`);
      }),
    );
}
