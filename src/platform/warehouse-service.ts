/**
 * The warehouse side of the stream: the configured warehouse, the feeder
 * that keeps it filled from the log (consumer group `warehouse`), and its
 * maintenance (compaction and retention every `warehouse.compactIntervalMs`).
 * Runs in the process that owns the warehouse: the stream role, or `tpay run`.
 */
import type { Logger } from 'pino';
import type { Config } from '../config/config.js';
import type { Log } from '../log/log.js';
import { WarehouseFeeder } from '../warehouse/warehouse-feeder.js';
import type { Warehouse } from '../warehouse/warehouse.js';
import { openWarehouse } from './adapters.js';

export interface WarehouseService {
  warehouse: Warehouse;
  /** The feeder once `start` ran. */
  readonly feeder: WarehouseFeeder | null;
  /** Starts feeding from the log (from the warehouse's own offsets) and the maintenance timer. */
  start(log: Log): Promise<WarehouseFeeder>;
  /** Compaction, then retention when configured; what they did. */
  maintain(): Promise<{ merged: number; deletedDays: number }>;
  /** Stops the feeder (appending what it holds) and closes the warehouse. */
  close(): Promise<void>;
}

/** Opens the configured warehouse as its writer; `start` then feeds it. */
export async function openWarehouseService(config: Config, logger: Logger): Promise<WarehouseService> {
  const warehouse = await openWarehouse(config);
  let feeder: WarehouseFeeder | null = null;
  let timer: NodeJS.Timeout | null = null;
  const maintain = async (): Promise<{ merged: number; deletedDays: number }> => {
    const c = await warehouse.compact();
    if (c.merged > 0) logger.info(c, 'warehouse compacted');
    let deletedDays = 0;
    if (config.warehouse.retentionDays > 0) {
      const r = await warehouse.applyRetention(config.warehouse.retentionDays, Date.now());
      if (r.deletedDays > 0) logger.info(r, 'warehouse retention applied');
      deletedDays = r.deletedDays;
    }
    return { merged: c.merged, deletedDays };
  };
  let closed = false;
  return {
    warehouse,
    get feeder() {
      return feeder;
    },
    async start(log) {
      const f = new WarehouseFeeder({ log, warehouse, logger, maxDelayMs: config.warehouse.maxDelayMs });
      await f.start();
      feeder = f;
      timer = setInterval(() => {
        maintain().catch((err: unknown) => logger.error({ err }, 'warehouse maintenance failed'));
      }, config.warehouse.compactIntervalMs);
      timer.unref();
      return f;
    },
    maintain,
    async close() {
      if (closed) return;
      closed = true;
      if (timer !== null) clearInterval(timer);
      await feeder?.stop();
      await warehouse.close();
    },
  };
}
