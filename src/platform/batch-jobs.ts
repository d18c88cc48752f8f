/**
 * The batch role: one job per process (`tpay batch forecasts|reconcile|compact`),
 * run to completion, e.g. by a Kubernetes CronJob. Each job holds the lock of
 * its own name on the data directory (two runs of one job never overlap) and,
 * with `batch.healthPort` set, answers `/healthz` and `/readyz` while it runs.
 *
 * - reconcile: the treasury reconciliation of every tenant with treasury
 *   data, from the serving snapshot the stream role last wrote; it stores the
 *   changes of matched items the way the API does.
 * - compact: log retention (segments every consumer group has read past),
 *   then warehouse compaction and retention when this process can take the
 *   warehouse (the stream role holds Parquet while it runs, and compacts it
 *   itself every `warehouse.compactIntervalMs`).
 */
import type { Logger } from 'pino';
import type { Config } from '../config/config.js';
import { FxStore } from '../tenants/fx-store.js';
import { TenantStore } from '../tenants/tenant-store.js';
import { parseStatementFile } from '../treasury/statement-import.js';
import { TreasuryService } from '../treasury/treasury-service.js';
import { TreasuryStore } from '../treasury/treasury-store.js';
import { WarehouseLockedError } from '../warehouse/errors.js';
import { openLog, openServing, openWarehouse } from './adapters.js';
import { roleApp } from './role-app.js';
import { lockRoles } from './role-lock.js';

export const BATCH_JOBS = ['forecasts', 'reconcile', 'compact'] as const;
export type BatchJob = (typeof BATCH_JOBS)[number];

/**
 * Runs `fn` as batch job `job`: its lock held, its health port up (when configured).
 * @example
 * await asBatchJob(config, logger, 'compact', () => runCompactJob(config, logger, {}));
 */
export async function asBatchJob<T>(config: Config, logger: Logger, job: BatchJob, fn: () => Promise<T>): Promise<T> {
  const release = await lockRoles(config.dataDir, [`batch-${job}`]);
  const health = roleApp(logger, 1 << 16, { notReady: () => null });
  try {
    if (config.batch.healthPort !== null) await health.listen(config.api.host, config.batch.healthPort);
    return await fn();
  } finally {
    await health.close();
    await release();
  }
}

export interface ReconcileRow {
  tenant: string;
  as_of: string;
  items: number;
  matched: number;
  unmatched: number;
  entries: number;
  ms: number;
}

export async function runReconcileJob(config: Config): Promise<ReconcileRow[]> {
  const serving = await openServing(config);
  const tenants = new TenantStore(config.dataDir);
  const fx = new FxStore(config.dataDir);
  const store = new TreasuryStore(config.dataDir);
  const treasury = new TreasuryService({
    store,
    source: serving,
    parse: parseStatementFile,
    fx: (tenant) => {
      const t = tenants.get(tenant);
      return t === undefined ? null : fx.table(tenant, t.reporting_currency);
    },
    refreshMs: 0,
    match: { amountToleranceMinor: config.treasury.amountToleranceMinor, dateWindowDays: config.treasury.dateWindowDays, missingAfterDays: config.treasury.missingAfterDays },
  });
  const rows: ReconcileRow[] = [];
  for (const tenant of store.tenantIds().sort()) {
    if (tenants.get(tenant) === undefined || serving.settings(tenant) === undefined) continue;
    const r = treasury.reconciliation(tenant);
    let matched = 0;
    for (let i = 0; i < r.result.itemCount; i++) if (r.result.itemStatus(i) === 'matched') matched++;
    rows.push({ tenant, as_of: r.asOf, items: r.result.itemCount, matched, unmatched: r.result.itemCount - matched, entries: r.result.entryCount, ms: Math.round(r.ms) });
  }
  return rows;
}

export interface CompactSummary {
  log: { deletedSegments: number; freedBytes: number };
  /** Null when the warehouse was not compacted here (held by the stream role, or skipped). */
  warehouse: { merged: number; unitsWritten: number; unitsRemoved: number; deletedDays: number } | null;
  /** Why the warehouse was not compacted here. */
  warehouseNote?: string;
}

export async function runCompactJob(config: Config, opts: { skipWarehouse?: boolean }): Promise<CompactSummary> {
  const log = await openLog(config, 'tpay-batch');
  let logResult;
  try {
    logResult = await log.applyRetention();
  } finally {
    await log.close();
  }
  if (opts.skipWarehouse === true) return { log: logResult, warehouse: null, warehouseNote: 'skipped (--skip-warehouse)' };
  let warehouse;
  try {
    warehouse = await openWarehouse(config);
  } catch (err) {
    if (!(err instanceof WarehouseLockedError)) throw err;
    return { log: logResult, warehouse: null, warehouseNote: `held by a running stream role, which compacts it every ${String(config.warehouse.compactIntervalMs)} ms` };
  }
  try {
    const c = await warehouse.compact();
    const deletedDays = config.warehouse.retentionDays > 0 ? (await warehouse.applyRetention(config.warehouse.retentionDays, Date.now())).deletedDays : 0;
    return { log: logResult, warehouse: { ...c, deletedDays } };
  } finally {
    await warehouse.close();
  }
}
