/**
 * The stream: reads every log partition from where the serving store's data
 * ends, builds rollup deltas and restatements, and hands them on.
 *
 * Exactly once: the serving store keeps each partition's offset with its
 * data (one atomic `apply`), restatements skip offsets they already hold,
 * and the log checkpoint of group `rollups` (which lets retention drop old
 * segments) is saved only for offsets a serving snapshot made durable.
 */
import type { Logger } from 'pino';
import type { Log, LogReader } from '../log/log.js';
import type { ServingStore } from '../serving/serving-store.js';
import type { RestatementLog } from './restatement-log.js';
import { RollupBuilder, SKIP_REASONS, type SkipReason } from './rollup-builder.js';
import type { TenantDirectory } from './tenant-directory.js';

export const STREAM_GROUP = 'rollups';

export interface StreamOptions {
  /** Records read from one partition per batch. */
  batchRecords?: number;
  /** Wait when every partition is caught up. */
  pollMs?: number;
  closeGraceMs?: number;
}

export interface StreamStats {
  records: number;
  batches: number;
  restatements: number;
  skipped: Record<SkipReason, number>;
  /** Newest ingest time (ms) whose record is in the serving store. */
  visibleReceivedAt: number;
  /** The same per tenant, with the records each had counted. */
  tenants: Map<string, { records: number; visibleReceivedAt: number }>;
}

export class StreamProcessor {
  private readonly readers: LogReader[] = [];
  private readonly builder: RollupBuilder;
  private readonly batchRecords: number;
  private readonly pollMs: number;
  private running: Promise<void> | null = null;
  private stopping = false;
  private wake: (() => void) | null = null;
  private failure: Error | null = null;
  private readonly seenTenants = new Map<string, unknown>();
  readonly stats: StreamStats = { records: 0, batches: 0, restatements: 0, skipped: Object.fromEntries(SKIP_REASONS.map((r) => [r, 0])) as Record<SkipReason, number>, visibleReceivedAt: 0, tenants: new Map() };

  constructor(
    private readonly log: Log,
    private readonly serving: ServingStore,
    private readonly directory: TenantDirectory,
    private readonly restatements: RestatementLog,
    private readonly logger: Logger,
    opts: StreamOptions = {},
  ) {
    this.builder = new RollupBuilder(directory, opts.closeGraceMs);
    this.batchRecords = opts.batchRecords ?? 8192;
    this.pollMs = opts.pollMs ?? 20;
  }

  /** Opens a reader per partition at the serving store's offsets and starts consuming. */
  async start(): Promise<void> {
    await this.log.registerGroup(STREAM_GROUP);
    for (const id of this.directory.ids()) this.syncTenant(id);
    for (let p = 0; p < this.log.partitions; p++) this.readers.push(await this.log.openReader(p, this.serving.appliedOffset(p)));
    this.running = this.loop().catch((err: unknown) => {
      this.failure = err as Error;
      this.logger.fatal({ err }, 'stream stopped on an error');
    });
  }

  /** Settings and registry of a tenant into the serving store, when they changed. */
  private syncTenant(id: string): void {
    const view = this.directory.get(id);
    if (view === undefined || this.seenTenants.get(id) === view) return;
    this.serving.setTenant(id, view.settings);
    this.serving.upsertStores(id, view.registry);
    this.seenTenants.set(id, view);
  }

  private async loop(): Promise<void> {
    let lastRefresh = 0;
    while (!this.stopping) {
      if (performance.now() - lastRefresh > 1000) {
        this.directory.refresh();
        for (const id of this.directory.ids()) this.syncTenant(id);
        lastRefresh = performance.now();
      }
      let read = 0;
      for (const reader of this.readers) {
        if (this.stopping) break;
        read += await this.step(reader);
      }
      if (read === 0 && !this.stopping) {
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, this.pollMs);
          this.wake = () => {
            clearTimeout(t);
            resolve();
          };
        });
        this.wake = null;
      }
    }
  }

  /** One batch of one partition: build, write restatements, apply. */
  private async step(reader: LogReader): Promise<number> {
    const records = await reader.read(this.batchRecords, 8 << 20);
    if (records.length === 0) return 0;
    const built = this.builder.build(reader.partition, records);
    for (const d of built.deltas) this.syncTenant(d.tenant);
    if (built.restatements.length > 0) this.stats.restatements += this.restatements.append(built.restatements);
    this.serving.apply({ partition: reader.partition, endOffset: reader.position, deltas: built.deltas });
    this.stats.records += records.length;
    this.stats.batches++;
    if (built.maxReceivedAt > this.stats.visibleReceivedAt) this.stats.visibleReceivedAt = built.maxReceivedAt;
    for (const [tenant, b] of built.tenants) {
      const t = this.stats.tenants.get(tenant);
      if (t === undefined) this.stats.tenants.set(tenant, { records: b.records, visibleReceivedAt: b.maxReceivedAt });
      else {
        t.records += b.records;
        t.visibleReceivedAt = Math.max(t.visibleReceivedAt, b.maxReceivedAt);
      }
    }
    for (const [reason, n] of Object.entries(built.skipped) as [SkipReason, number][]) {
      this.stats.skipped[reason] += n;
      this.logger.warn({ partition: reader.partition, reason, records: n, example: built.examples[reason] }, 'records left out of the rollups');
    }
    return records.length;
  }

  /** Resolves once every partition has been consumed up to its end offset as of this call. */
  async caughtUp(timeoutMs = 60_000): Promise<void> {
    const targets = await Promise.all(this.readers.map((r) => this.log.endOffset(r.partition)));
    const t0 = performance.now();
    while (this.readers.some((r, i) => r.position < targets[i]!)) {
      if (this.failure !== null) throw this.failure;
      if (performance.now() - t0 > timeoutMs) throw new Error(`stream did not catch up within ${String(timeoutMs)} ms`);
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  /** Saves the log checkpoint for offsets a snapshot made durable (retention may then drop them). */
  async checkpoint(durable: ReadonlyMap<number, number>): Promise<void> {
    for (const [p, o] of durable) await this.log.saveCheckpoint(STREAM_GROUP, p, o);
  }

  get failed(): Error | null {
    return this.failure;
  }

  /** Stops after the batch in progress; closes the readers. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.wake?.();
    await this.running;
    for (const r of this.readers) await r.close();
    this.readers.length = 0;
  }
}
