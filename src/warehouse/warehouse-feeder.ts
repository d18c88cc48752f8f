/**
 * Keeps a warehouse fed from the log: reads every partition from
 * `warehouse.committedOffset(p)`, decodes the ingested records, appends them
 * in batches and then checkpoints the log group "warehouse", so log
 * retention keeps everything the warehouse has not stored yet.
 *
 * Exactly-once comes from the warehouse: it commits rows and offsets
 * together, and the feeder always resumes from the warehouse's offsets (the
 * log checkpoint only trails them, for retention). Memory is bounded: at
 * most `maxBatchRecords` / `maxBatchBytes` per partition and
 * `maxBufferedRecords` in all. A partition's records are appended once its
 * batch is full or `maxDelayMs` after its first buffered record, so a quiet
 * partition does not make a tiny file every poll.
 *
 * Runs inside the `tpay run` process: everything is async, decoding yields
 * to the event loop every 1024 records, and when caught up it polls every
 * `pollIntervalMs` rather than spinning.
 */
import type { Log, LogReader } from '../log/log.js';
import { warehouseRecordOf } from './log-record.js';
import { WarehouseInvalidArgumentError } from './errors.js';
import type { Warehouse, WarehouseRecord } from './warehouse.js';

/** The part of a pino logger the feeder uses. */
export interface FeederLogger {
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface WarehouseFeederOptions {
  log: Log;
  warehouse: Warehouse;
  /** Partitions to feed (default: all of the log's). */
  partitions?: readonly number[];
  /** Log consumer group to register and checkpoint (default 'warehouse'). */
  group?: string;
  /** Records per append, at most (default 50,000). */
  maxBatchRecords?: number;
  /** Log payload bytes per append, about (default 8 MiB). */
  maxBatchBytes?: number;
  /** Records buffered over all partitions, at most (default 200,000). */
  maxBufferedRecords?: number;
  /** Longest a buffered record waits for its batch to fill (default 5,000 ms). */
  maxDelayMs?: number;
  /** Wait between polls when caught up (default 200 ms). */
  pollIntervalMs?: number;
  logger?: FeederLogger;
}

export interface FeederStats {
  /** Records appended to the warehouse. */
  appended: number;
  /** Records skipped because their payload did not decode. */
  skipped: number;
  /** Appends made. */
  batches: number;
  /** Failed rounds since the last good one (they are retried with back-off). */
  consecutiveFailures: number;
}

interface PartitionState {
  reader: LogReader | null;
  /** First offset of the buffered range (= the warehouse's committed offset). */
  from: number;
  /** Next offset to read. */
  to: number;
  records: WarehouseRecord[];
  bytes: number;
  /** When the first record of the buffered range was read (ms, monotonic). */
  since: number;
}

interface FlushWaiter {
  ends: ReadonlyMap<number, number>;
  resolve: () => void;
}

const KEYS = ['log', 'warehouse', 'partitions', 'group', 'maxBatchRecords', 'maxBatchBytes', 'maxBufferedRecords', 'maxDelayMs', 'pollIntervalMs', 'logger'] as const;
const DECODE_SLICE = 1024;
const MAX_BACKOFF_MS = 10_000;

const yieldToLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export class WarehouseFeeder {
  readonly stats: FeederStats = { appended: 0, skipped: 0, batches: 0, consecutiveFailures: 0 };
  private readonly log: Log;
  private readonly warehouse: Warehouse;
  private readonly partitions: readonly number[];
  private readonly group: string;
  private readonly maxBatchRecords: number;
  private readonly maxBatchBytes: number;
  private readonly maxBufferedRecords: number;
  private readonly maxDelayMs: number;
  private readonly pollIntervalMs: number;
  private readonly logger: FeederLogger | undefined;
  private readonly state = new Map<number, PartitionState>();
  private waiters: FlushWaiter[] = [];
  private running: Promise<void> | null = null;
  private stopping = false;
  private wake: (() => void) | null = null;
  /** Serialises rounds run by `flush()` without `start()`. */
  private manual: Promise<void> = Promise.resolve();

  /**
   * @example
   * const feeder = new WarehouseFeeder({ log, warehouse, logger });
   * await feeder.start();
   * // … on SIGTERM:
   * await feeder.stop(); // appends what is buffered, checkpoints, closes readers
   */
  constructor(options: WarehouseFeederOptions) {
    for (const key of Object.keys(options)) {
      if (!(KEYS as readonly string[]).includes(key)) throw new WarehouseInvalidArgumentError(`unknown WarehouseFeeder option '${key}' (known: ${KEYS.join(', ')})`);
    }
    this.log = options.log;
    this.warehouse = options.warehouse;
    this.partitions = options.partitions ?? Array.from({ length: options.log.partitions }, (_, p) => p);
    for (const p of this.partitions) checkInteger('partition', p, 0, options.log.partitions - 1);
    this.group = options.group ?? 'warehouse';
    this.maxBatchRecords = checkInteger('maxBatchRecords', options.maxBatchRecords ?? 50_000, 1, 10_000_000);
    this.maxBatchBytes = checkInteger('maxBatchBytes', options.maxBatchBytes ?? 8 << 20, 1, 2 ** 31);
    this.maxBufferedRecords = checkInteger('maxBufferedRecords', options.maxBufferedRecords ?? 200_000, this.maxBatchRecords, 100_000_000);
    this.maxDelayMs = checkInteger('maxDelayMs', options.maxDelayMs ?? 5_000, 0, 86_400_000);
    this.pollIntervalMs = checkInteger('pollIntervalMs', options.pollIntervalMs ?? 200, 1, 3_600_000);
    this.logger = options.logger;
  }

  /** Register the consumer group, checkpoint where the warehouse stands, and start feeding in the background. */
  async start(): Promise<void> {
    if (this.running !== null) return;
    await this.manual;
    await this.log.registerGroup(this.group);
    for (const p of this.partitions) await this.log.saveCheckpoint(this.group, p, this.warehouse.committedOffset(p));
    this.stopping = false;
    this.running = this.loop();
  }

  /**
   * Resolves once everything committed to the log before the call is in the
   * warehouse (buffered records are appended at once, not after `maxDelayMs`).
   * Works with or without `start()`.
   * @example await writer.commit(); await feeder.flush(); await wh.findTransaction('acme', id);
   */
  async flush(): Promise<void> {
    const ends = new Map<number, number>();
    for (const p of this.partitions) ends.set(p, await this.log.endOffset(p));
    if (this.running !== null) {
      await new Promise<void>((resolve) => {
        this.waiters.push({ ends, resolve });
        this.wake?.();
      });
      return;
    }
    const run = this.manual.then(async () => {
      while (!this.reached(ends)) {
        if (!(await this.round(true))) await this.sleep(this.pollIntervalMs);
      }
    });
    this.manual = run.catch(() => undefined);
    await run;
  }

  /**
   * Stop reading, append what is buffered, checkpoint and close the readers.
   * A `flush()` still waiting resolves once that final append is done.
   */
  async stop(): Promise<void> {
    this.stopping = true;
    this.wake?.();
    await this.running;
    this.running = null;
    await this.manual;
    try {
      for (const p of this.partitions) {
        const st = this.state.get(p);
        if (st !== undefined && st.to > st.from) await this.appendBuffered(p, st);
      }
    } finally {
      for (const st of this.state.values()) await st.reader?.close();
      this.state.clear();
      for (const w of this.waiters.splice(0)) w.resolve();
    }
  }

  private async loop(): Promise<void> {
    while (!this.stopping) {
      let progressed: boolean;
      try {
        progressed = await this.round(this.waiters.length > 0);
        this.stats.consecutiveFailures = 0;
      } catch (err) {
        this.stats.consecutiveFailures++;
        this.logger?.error({ err, failures: this.stats.consecutiveFailures }, 'warehouse feeder round failed; retrying');
        await this.sleep(Math.min(MAX_BACKOFF_MS, this.pollIntervalMs * 2 ** this.stats.consecutiveFailures));
        continue;
      }
      if (this.waiters.length > 0) {
        this.waiters = this.waiters.filter((w) => {
          if (!this.reached(w.ends)) return true;
          w.resolve();
          return false;
        });
      }
      if (!progressed && this.waiters.length === 0) await this.sleep(this.pollIntervalMs);
    }
  }

  /** Read one batch from every partition and append those that are due; true if anything moved. */
  private async round(force: boolean): Promise<boolean> {
    let progressed = false;
    for (const p of this.partitions) {
      if (this.stopping && this.running !== null) break;
      const st = await this.partition(p);
      try {
        if (st.records.length < this.maxBatchRecords && st.bytes < this.maxBatchBytes) progressed = (await this.readInto(p, st)) || progressed;
        const full = st.records.length >= this.maxBatchRecords || st.bytes >= this.maxBatchBytes || this.buffered() >= this.maxBufferedRecords;
        if (st.to > st.from && (force || full || performance.now() - st.since >= this.maxDelayMs)) {
          await this.appendBuffered(p, st);
          progressed = true;
        }
      } catch (err) {
        // Start the partition over from what the warehouse has: the log still holds it all.
        await st.reader?.close();
        this.state.delete(p);
        throw err;
      }
    }
    return progressed;
  }

  private async partition(p: number): Promise<PartitionState> {
    let st = this.state.get(p);
    if (st === undefined) {
      const from = this.warehouse.committedOffset(p);
      st = { reader: await this.log.openReader(p, from), from, to: from, records: [], bytes: 0, since: 0 };
      this.state.set(p, st);
    }
    return st;
  }

  private async readInto(p: number, st: PartitionState): Promise<boolean> {
    const batch = await st.reader!.read(this.maxBatchRecords - st.records.length, this.maxBatchBytes - st.bytes);
    if (batch.length === 0) return false;
    if (st.to === st.from) st.since = performance.now();
    for (let i = 0; i < batch.length; i++) {
      const r = batch[i]!;
      const d = warehouseRecordOf(p, r);
      if (d.ok) st.records.push(d.record);
      else {
        this.stats.skipped++;
        this.logger?.warn({ partition: p, offset: r.offset, code: d.code }, `warehouse feeder skips an undecodable record: ${d.message}`);
      }
      st.bytes += r.payload.length;
      if ((i + 1) % DECODE_SLICE === 0) await yieldToLoop();
    }
    st.to = batch[batch.length - 1]!.offset + 1;
    return true;
  }

  private async appendBuffered(p: number, st: PartitionState): Promise<void> {
    await this.warehouse.append(p, st.from, st.to, st.records);
    this.stats.appended += st.records.length;
    this.stats.batches++;
    st.from = st.to;
    st.records = [];
    st.bytes = 0;
    await this.log.saveCheckpoint(this.group, p, st.to);
  }

  private buffered(): number {
    let n = 0;
    for (const st of this.state.values()) n += st.records.length;
    return n;
  }

  private reached(ends: ReadonlyMap<number, number>): boolean {
    for (const [p, end] of ends) if (this.warehouse.committedOffset(p) < end) return false;
    return true;
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }
}

function checkInteger(name: string, v: number, min: number, max: number): number {
  if (!Number.isSafeInteger(v) || v < min || v > max) {
    throw new WarehouseInvalidArgumentError(`WarehouseFeeder option ${name} must be an integer from ${String(min)} to ${String(max)}, got ${String(v)}`);
  }
  return v;
}
