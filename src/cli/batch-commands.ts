/**
 * `tpay batch forecast`: the tenants' forecast batches from a data
 * directory's serving rollups (the last snapshot), stored per tenant under
 * `<data-dir>/forecasts/` for the API. The running platform does the same
 * after each business-day close; this command is for a past as-of, a
 * stopped platform, or a cron.
 */
import { join } from 'node:path';
import type { Command } from 'commander';
import { dayNumber, dayText } from '../domain/business-calendar.js';
import { ForecastPool } from '../forecast/forecast-pool.js';
import { lastClosedBusinessDay, runForecastJob } from '../forecast/forecast-job.js';
import { ForecastStore } from '../forecast/forecast-store.js';
import { MAX_DAILY_HORIZON, MAX_WEEKLY_HORIZON } from '../forecast/series.js';
import { ColumnarServingStore } from '../serving/columnar-serving-store.js';
import { TenantStore } from '../tenants/tenant-store.js';
import { action, configFrom, intOption } from './context.js';

interface BatchOptions {
  tenant?: string[];
  asOf?: string;
  days: number;
  weeks: number;
  workers?: number;
  backtest: boolean;
  json?: boolean;
}

function checkRange(name: string, v: number, lo: number, hi: number): void {
  if (v < lo || v > hi) throw new Error(`--${name} must be from ${String(lo)} to ${String(hi)}, got ${String(v)}`);
}

export function registerBatchCommands(program: Command): void {
  const batch = program.command('batch').description('batch jobs over a data directory');
  batch
    .command('forecast')
    .description('forecast every store and roll-up of the tenant(s), backtest the levels, and store the result for the API')
    .option('--tenant <id...>', 'tenant(s) to forecast (default: every tenant with sales)')
    .option('--as-of <YYYY-MM-DD>', 'the last business day the forecast sees (default: the last closed business day)')
    .option('--days <n>', `daily horizon (1–${String(MAX_DAILY_HORIZON)})`, intOption('days'), MAX_DAILY_HORIZON)
    .option('--weeks <n>', `weekly horizon in ISO weeks (1–${String(MAX_WEEKLY_HORIZON)})`, intOption('weeks'), MAX_WEEKLY_HORIZON)
    .option('--workers <n>', 'worker threads (default: one per core)', intOption('workers'))
    .option('--no-backtest', 'skip the levels backtest (the API then has no backtest rows for this as-of)')
    .option('--json', 'print the summary as JSON')
    .action(
      action(async (o: BatchOptions, cmd: Command) => {
        const config = configFrom(cmd);
        checkRange('days', o.days, 1, MAX_DAILY_HORIZON);
        checkRange('weeks', o.weeks, 1, MAX_WEEKLY_HORIZON);
        if (o.asOf !== undefined && (!/^\d{4}-\d{2}-\d{2}$/.test(o.asOf) || dayText(dayNumber(o.asOf)) !== o.asOf)) throw new Error(`--as-of must be a date YYYY-MM-DD, got '${o.asOf}'`);
        const serving = await ColumnarServingStore.open(join(config.dataDir, 'serving'));
        const tenants = o.tenant ?? new TenantStore(config.dataDir).list().map((t) => t.id).filter((id) => serving.settings(id) !== undefined);
        for (const t of tenants) if (serving.settings(t) === undefined) throw new Error(`tenant '${t}' has no rollups in ${config.dataDir}`);
        if (tenants.length === 0) throw new Error(`no tenant has rollups in ${config.dataDir}`);
        const store = new ForecastStore(config.dataDir);
        const pool = new ForecastPool(o.workers !== undefined ? { workers: o.workers } : {});
        const summary: { tenant: string; as_of: string; stores: number; nodes: number; seconds: number; backtest_rows: number }[] = [];
        try {
          for (const tenant of tenants) {
            const asOf = o.asOf !== undefined ? dayNumber(o.asOf) : lastClosedBusinessDay(Date.now(), serving.stores(tenant).map((s) => s.timezone), serving.settings(tenant)!.cutoffMinutes);
            const t0 = performance.now();
            const f = await runForecastJob(pool, serving, store, tenant, { asOf, days: o.days, weeks: o.weeks, backtest: o.backtest });
            const row = { tenant, as_of: dayText(asOf), stores: f.stores.length, nodes: f.nodes.length, seconds: Math.round((performance.now() - t0) / 100) / 10, backtest_rows: f.backtest?.rows.length ?? 0 };
            summary.push(row);
            if (o.json !== true) process.stdout.write(`${tenant}: as of ${row.as_of}: ${String(row.stores)} stores, ${String(row.nodes)} nodes, ${row.seconds.toFixed(1)} s${row.backtest_rows > 0 ? `, ${String(row.backtest_rows)} backtest rows` : ''}\n`);
          }
        } finally {
          await pool.close();
        }
        if (o.json === true) process.stdout.write(`${JSON.stringify({ batches: summary }, null, 2)}\n`);
      }),
    );
}
