/**
 * The stream: a worker thread reads every log partition from where the
 * serving store's data ends and builds rollup deltas and restatements
 * (stream-worker.ts); this side, on the main thread, applies them to the
 * serving store and writes the restatements.
 *
 * Exactly once: the serving store keeps each partition's offset with its
 * data (one atomic `apply`), restatements skip offsets they already hold,
 * and the log checkpoint of group `rollups` (which lets retention drop old
 * segments) is saved only for offsets a serving snapshot made durable.
 */
import { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import type { CardBrand, Tender } from '../domain/transaction.js';
import type { Log } from '../log/log.js';
import type { RollupDelta, ServingStore } from '../serving/serving-store.js';
import type { RestatementLog } from './restatement-log.js';
import { SKIP_REASONS, type SkipReason } from './rollup-builder.js';
import { DELTA_WIDTH, type BatchMessage, type FromWorker, type StreamWorkerInit, type ToWorker } from './stream-protocol.js';
import type { TenantDirectory } from './tenant-directory.js';

export const STREAM_GROUP = 'rollups';

export interface StreamOptions {
  dataDir: string;
  segmentBytes: number;
  /** Records read from one partition per batch. */
  batchRecords?: number;
  /** How long a batch collects records from every partition before it is applied (ms; freshness is about this plus the apply). */
  batchMs?: number;
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

export function emptyStreamStats(): StreamStats {
  return { records: 0, batches: 0, restatements: 0, skipped: Object.fromEntries(SKIP_REASONS.map((r) => [r, 0])) as Record<SkipReason, number>, visibleReceivedAt: 0, tenants: new Map() };
}

export class StreamProcessor {
  private worker: Worker | null = null;
  private failure: Error | null = null;
  private stopped: Promise<void> | null = null;
  private readonly seenTenants = new Map<string, unknown>();
  readonly stats: StreamStats = emptyStreamStats();

  constructor(
    private readonly log: Log,
    private readonly serving: ServingStore,
    private readonly directory: TenantDirectory,
    private readonly restatements: RestatementLog,
    private readonly logger: Logger,
    private readonly opts: StreamOptions,
  ) {}

  /** Starts the worker at the serving store's offsets. */
  async start(): Promise<void> {
    await this.log.registerGroup(STREAM_GROUP);
    for (const id of this.directory.ids()) this.syncTenant(id);
    const init: StreamWorkerInit = {
      dataDir: this.opts.dataDir,
      partitions: this.log.partitions,
      segmentBytes: this.opts.segmentBytes,
      offsets: Array.from({ length: this.log.partitions }, (_, p) => this.serving.appliedOffset(p)),
      batchRecords: this.opts.batchRecords ?? 8192,
      batchMs: this.opts.batchMs ?? 100,
      closeGraceMs: this.opts.closeGraceMs ?? 48 * 3_600_000,
      pollMs: this.opts.pollMs ?? 20,
    };
    const w = new Worker(new URL('./stream-worker.js', import.meta.url), { workerData: init });
    this.worker = w;
    this.stopped = new Promise((resolve) => {
      w.on('message', (m: FromWorker) => {
        if (m.type === 'batch') {
          try {
            this.apply(m);
          } catch (err) {
            this.fail(err as Error);
          }
          w.postMessage({ type: 'applied' } satisfies ToWorker);
        } else if (m.type === 'failed') {
          this.fail(Object.assign(new Error(m.message), { stack: m.stack }));
        } else resolve();
      });
      w.on('error', (err) => this.fail(err));
      w.on('exit', () => resolve());
    });
  }

  private fail(err: Error): void {
    if (this.failure !== null) return;
    this.failure = err;
    this.logger.fatal({ err }, 'stream stopped on an error');
  }

  /** Settings and registry of a tenant into the serving store, when they changed. */
  private syncTenant(id: string): void {
    const view = this.directory.get(id);
    if (view === undefined || this.seenTenants.get(id) === view) return;
    this.serving.setTenant(id, view.settings);
    this.serving.upsertStores(id, view.registry);
    this.seenTenants.set(id, view);
  }

  private apply(m: BatchMessage): void {
    // Each tenant's registry once per batch: a lookup stats its files.
    const registries = m.tenants.map((tenant) => {
      this.syncTenant(tenant);
      return this.directory.get(tenant)?.stores;
    });
    const deltas: RollupDelta[] = [];
    const data = m.deltas;
    for (let o = 0; o < data.length; o += DELTA_WIDTH) {
      const tenant = m.tenants[data[o]!]!;
      const store = registries[data[o]!]?.get(m.stores[data[o + 1]!]!);
      if (store === undefined) {
        // The registry lost the store between the worker's read and now: keep the worker's view of it.
        this.stats.skipped.unknown_store++;
        continue;
      }
      deltas.push({
        tenant,
        store,
        quarter: data[o + 2]!,
        tender: m.words[data[o + 3]!] as Tender,
        cardBrand: data[o + 4] === -1 ? null : (m.words[data[o + 4]!] as CardBrand),
        currency: m.words[data[o + 5]!]!,
        rep: data.subarray(o + 6, o + 18),
        orig: data.subarray(o + 18, o + 25),
      });
    }
    if (m.restatements.length > 0) this.stats.restatements += this.restatements.append(m.restatements);
    // The batch spans several partitions: its deltas go in with the first
    // one's offset, the others' offsets right after, in the same turn of the
    // event loop, so no snapshot can hold some of them without the rest.
    m.ends.forEach(([partition, endOffset], i) => this.serving.apply({ partition, endOffset, deltas: i === 0 ? deltas : [] }));
    this.stats.records += m.records;
    this.stats.batches++;
    if (m.maxReceivedAt > this.stats.visibleReceivedAt) this.stats.visibleReceivedAt = m.maxReceivedAt;
    for (const [tenant, records, at] of m.perTenant) {
      const t = this.stats.tenants.get(tenant);
      if (t === undefined) this.stats.tenants.set(tenant, { records, visibleReceivedAt: at });
      else {
        t.records += records;
        t.visibleReceivedAt = Math.max(t.visibleReceivedAt, at);
      }
    }
    for (const [reason, n] of Object.entries(m.skipped) as [SkipReason, number][]) {
      this.stats.skipped[reason] += n;
      this.logger.warn({ partitions: m.ends.map(([p]) => p), reason, records: n, example: m.examples[reason] }, 'records left out of the rollups');
    }
  }

  /** Resolves once every partition has been applied up to its end offset as of this call. */
  async caughtUp(timeoutMs = 60_000): Promise<void> {
    const targets = await Promise.all(Array.from({ length: this.log.partitions }, (_, p) => this.log.endOffset(p)));
    const t0 = performance.now();
    while (targets.some((end, p) => this.serving.appliedOffset(p) < end)) {
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

  /** Stops after the batch in progress; later batches are not applied. */
  async stop(): Promise<void> {
    if (this.worker === null) return;
    this.worker.postMessage({ type: 'stop' } satisfies ToWorker);
    await this.stopped;
    await this.worker.terminate();
    this.worker = null;
  }
}
