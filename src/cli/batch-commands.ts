/**
 * `tpay batch <job>`: the batch role, one job per process (src/platform/batch-jobs.ts).
 *
 * `forecasts` (alias `forecast`): the tenants' forecast batches from a data
 * directory's serving rollups (the last snapshot), stored per tenant under
 * `<data-dir>/forecasts/` for the API. The running platform does the same
 * after each business-day close; this command is for a past as-of, a
 * stopped platform, or a cron. `reconcile` and `compact`: see batch-jobs.ts.
 */
import type { Command } from 'commander';
import type { Config } from '../config/config.js';
import { dayNumber, dayText } from '../domain/business-calendar.js';
import { ForecastPool } from '../forecast/forecast-pool.js';
import { lastClosedBusinessDay, runForecastJob } from '../forecast/forecast-job.js';
import { ForecastStore } from '../forecast/forecast-store.js';
import { MAX_DAILY_HORIZON, MAX_WEEKLY_HORIZON } from '../forecast/series.js';
import { TenantStore } from '../tenants/tenant-store.js';
import { openServing } from '../platform/adapters.js';
import { asBatchJob, runCompactJob, runReconcileJob } from '../platform/batch-jobs.js';
import { action, configFrom, intOption, loggerFor } from './context.js';

interface BatchOptions {
  tenant?: string[];
  asOf?: string;
  days: number;
  weeks: number;
  workers?: number;
  backtest: boolean;
  json?: boolean;
  healthPort?: number;
}

function checkRange(name: string, v: number, lo: number, hi: number): void {
  if (v < lo || v > hi) throw new Error(`--${name} must be from ${String(lo)} to ${String(hi)}, got ${String(v)}`);
}

export function registerBatchCommands(program: Command): void {
  const batch = program.command('batch').description('batch jobs over a data directory');
  batch
    .command('forecasts')
    .alias('forecast')
    .description('forecast every store and roll-up of the tenant(s), backtest the levels, and store the result for the API')
    .option('--tenant <id...>', 'tenant(s) to forecast (default: every tenant with sales)')
    .option('--as-of <YYYY-MM-DD>', 'the last business day the forecast sees (default: the last closed business day)')
    .option('--days <n>', `daily horizon (1–${String(MAX_DAILY_HORIZON)})`, intOption('days'), MAX_DAILY_HORIZON)
    .option('--weeks <n>', `weekly horizon in ISO weeks (1–${String(MAX_WEEKLY_HORIZON)})`, intOption('weeks'), MAX_WEEKLY_HORIZON)
    .option('--workers <n>', 'worker threads (default: one per core)', intOption('workers'))
    .option('--no-backtest', 'skip the levels backtest (the API then has no backtest rows for this as-of)')
    .option('--health-port <port>', 'serve /healthz and /readyz here while the job runs (0 picks a free one)', intOption('health-port'))
    .option('--json', 'print the summary as JSON')
    .action(
      action(async (o: BatchOptions, cmd: Command) => {
        const config = configFrom(cmd, { 'batch.healthPort': o.healthPort });
        checkRange('days', o.days, 1, MAX_DAILY_HORIZON);
        checkRange('weeks', o.weeks, 1, MAX_WEEKLY_HORIZON);
        if (o.asOf !== undefined && (!/^\d{4}-\d{2}-\d{2}$/.test(o.asOf) || dayText(dayNumber(o.asOf)) !== o.asOf)) throw new Error(`--as-of must be a date YYYY-MM-DD, got '${o.asOf}'`);
        await asBatchJob(config, loggerFor(config), 'forecasts', () => forecasts(config, o));
      }),
    );
  batch
    .command('reconcile')
    .description("reconcile every tenant's bank statements against the expected money of the last serving snapshot, and record changes of matched items")
    .option('--health-port <port>', 'serve /healthz and /readyz here while the job runs (0 picks a free one)', intOption('health-port'))
    .option('--json', 'print the summary as JSON')
    .action(
      action(async (o: { healthPort?: number; json?: boolean }, cmd: Command) => {
        const config = configFrom(cmd, { 'batch.healthPort': o.healthPort });
        const rows = await asBatchJob(config, loggerFor(config), 'reconcile', () => runReconcileJob(config));
        if (o.json === true) process.stdout.write(`${JSON.stringify({ tenants: rows }, null, 2)}\n`);
        else if (rows.length === 0) process.stdout.write('no tenant has treasury data and rollups\n');
        else for (const r of rows) process.stdout.write(`${r.tenant}: as of ${r.as_of}: ${String(r.items)} expected items, ${String(r.matched)} matched, ${String(r.unmatched)} open; ${String(r.entries)} statement entries; ${String(r.ms)} ms\n`);
      }),
    );
  batch
    .command('compact')
    .description('log retention (segments every consumer group has read past), then warehouse compaction and retention unless the stream role holds the warehouse')
    .option('--skip-warehouse', 'log retention only (the warehouse is compacted by the stream role)')
    .option('--health-port <port>', 'serve /healthz and /readyz here while the job runs (0 picks a free one)', intOption('health-port'))
    .option('--json', 'print the summary as JSON')
    .action(
      action(async (o: { skipWarehouse?: boolean; healthPort?: number; json?: boolean }, cmd: Command) => {
        const config = configFrom(cmd, { 'batch.healthPort': o.healthPort });
        const s = await asBatchJob(config, loggerFor(config), 'compact', () => runCompactJob(config, { skipWarehouse: o.skipWarehouse === true }));
        if (o.json === true) {
          process.stdout.write(`${JSON.stringify(s, null, 2)}\n`);
          return;
        }
        process.stdout.write(`log: deleted ${String(s.log.deletedSegments)} segment(s), freed ${String(s.log.freedBytes)} bytes\n`);
        if (s.warehouse === null) process.stdout.write(`warehouse: not compacted here: ${s.warehouseNote ?? ''}\n`);
        else process.stdout.write(`warehouse: merged ${String(s.warehouse.merged)} day(s) into ${String(s.warehouse.unitsWritten)} file(s), removed ${String(s.warehouse.unitsRemoved)}; retention deleted ${String(s.warehouse.deletedDays)} day(s)\n`);
      }),
    );
}

async function forecasts(config: Config, o: BatchOptions): Promise<void> {
  const serving = await openServing(config);
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
}
