/**
 * Forecasts inside the running platform: on a timer, each tenant whose
 * last closed business day has no stored batch yet gets one (forecast-job.ts),
 * one tenant at a time, on the worker pool, so ingest and queries keep the
 * main thread (only reading the series from the rollups runs there, tens
 * of milliseconds per tenant).
 */
import type { Logger } from 'pino';
import type { ForecastPool } from './forecast-pool.js';
import { lastClosedBusinessDay, runForecastJob, type ForecastJobSource } from './forecast-job.js';
import { dayLabel, type ForecastStore } from './forecast-store.js';

export interface ForecastSchedulerDeps {
  serving: ForecastJobSource & { settings(tenant: string): { cutoffMinutes: number } | undefined };
  forecasts: ForecastStore;
  pool(): ForecastPool;
  /** Tenant ids to consider. */
  tenants(): string[];
  logger: Logger;
  intervalMs: number;
  now?: () => number;
}

/**
 * @example
 * const s = new ForecastScheduler({ serving, forecasts, pool, tenants, logger, intervalMs: 60_000 });
 * s.start(); …; s.stop(); await pool.close(); await s.idle();
 */
export class ForecastScheduler {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private stopped = false;
  /** Batches written since start (for tests and logs). */
  written = 0;

  constructor(private readonly deps: ForecastSchedulerDeps) {}

  start(): void {
    if (this.deps.intervalMs <= 0 || this.timer !== null) return;
    this.timer = setInterval(() => void this.check(), this.deps.intervalMs);
    this.timer.unref();
    void this.check();
  }

  /** Forecasts every tenant with a newly closed day; resolves when done (a check in progress is shared). */
  check(): Promise<void> {
    this.running ??= this.checkAll().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private async checkAll(): Promise<void> {
    const now = (this.deps.now ?? Date.now)();
    for (const tenant of this.deps.tenants()) {
      if (this.stopped) return;
      const settings = this.deps.serving.settings(tenant);
      const range = this.deps.serving.businessDayRange(tenant);
      if (settings === undefined || range === null) continue;
      const asOf = lastClosedBusinessDay(now, this.deps.serving.stores(tenant).map((s) => s.timezone), settings.cutoffMinutes);
      // Nothing sold yet by that day: no forecast to make.
      if (range.first > asOf) continue;
      const newest = this.deps.forecasts.asOfs(tenant)[0];
      if (newest !== undefined && newest >= asOf) continue;
      try {
        const f = await runForecastJob(this.deps.pool(), this.deps.serving, this.deps.forecasts, tenant, { asOf });
        this.written++;
        this.deps.logger.info({ tenant, asOf: dayLabel(asOf), stores: f.stores.length, nodes: f.nodes.length, ms: f.ms }, 'forecast batch stored');
      } catch (err) {
        if (this.stopped) return;
        this.deps.logger.error({ err, tenant, asOf: dayLabel(asOf) }, 'forecast batch failed');
      }
    }
  }

  /** No new checks; a batch in progress runs on (close the pool to cut it short), see `idle()`. */
  stop(): void {
    this.stopped = true;
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }

  /** Resolves when no check is in progress. */
  async idle(): Promise<void> {
    await this.running?.catch(() => undefined);
  }
}
