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
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import type { Store } from '../domain/store.js';
import type { CardBrand, Tender } from '../domain/transaction.js';
import type { Log } from '../log/log.js';
import type { LogTarget } from '../log/log-target.js';
import type { RollupDelta, ServingStore } from '../serving/serving-store.js';
import type { RestatementLog } from './restatement-log.js';
import { SKIP_REASONS, type SkipReason } from './rollup-builder.js';
import { DELTA_WIDTH, type BatchMessage, type FromWorker, type StreamWorkerInit, type ToWorker } from './stream-protocol.js';
import type { TenantDirectory } from './tenant-directory.js';

export const STREAM_GROUP = 'rollups';

/**
 * Deltas applied to the serving store per turn of the event loop. A batch
 * of 100 ms at 100,000 tx/s holds thousands of deltas; applied in one go it
 * held the main thread (and with it every socket read and ack of ingest)
 * for tens of milliseconds on a busy machine.
 */
const APPLY_SLICE = 1024;

export interface StreamOptions {
  dataDir: string;
  segmentBytes: number;
  /** The log the worker thread reads; default: the segment log under `<dataDir>/log`. */
  logTarget?: LogTarget;
  /** Records read from one partition per batch. */
  batchRecords?: number;
  /** How long a batch collects records from every partition before it is applied (ms; freshness is about this plus the apply). */
  batchMs?: number;
  /** Wait when every partition is caught up. */
  pollMs?: number;
  closeGraceMs?: number;
  /**
   * Follow the log without owning it: no consumer group is registered and
   * `checkpoint` refuses. An API process uses this to keep its own copy of
   * the serving store; the stream role owns group `rollups`.
   */
  follower?: boolean;
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

function newPooledDelta(store: Store): { d: RollupDelta; rep: Float64Array; orig: Float64Array } {
  const rep = new Float64Array(12);
  const orig = new Float64Array(7);
  return { d: { tenant: '', store, quarter: 0, tender: 'card', cardBrand: null, currency: '', rep, orig }, rep, orig };
}

/** A batch from the worker, waiting to be applied: its deltas' stores (`at`: where each delta starts in `m.deltas`). */
interface QueuedBatch {
  m: BatchMessage;
  stores: Store[];
  at: number[];
  /** Deltas applied so far. */
  next: number;
}

export class StreamProcessor {
  private worker: Worker | null = null;
  private failure: Error | null = null;
  private stopped: Promise<void> | null = null;
  private readonly seenTenants = new Map<string, unknown>();
  /** Batches received and not yet wholly applied, oldest first; the head may be partly applied. */
  private readonly queue: QueuedBatch[] = [];
  /**
   * Delta objects reused slice after slice: the serving store copies a
   * delta's sums as it adds them and keeps none of them, and an object plus
   * two typed-array views per delta was most of the main thread's garbage.
   */
  private readonly pool: { d: RollupDelta; rep: Float64Array; orig: Float64Array }[] = [];
  private readonly slice: RollupDelta[] = [];
  private applying = false;
  private settledWaiters: (() => void)[] = [];
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
    if (this.opts.follower !== true) await this.log.registerGroup(STREAM_GROUP);
    for (const id of this.directory.ids()) this.syncTenant(id);
    const init: StreamWorkerInit = {
      dataDir: this.opts.dataDir,
      log: this.opts.logTarget ?? { adapter: 'segment', dir: join(this.opts.dataDir, 'log'), partitions: this.log.partitions, segmentBytes: this.opts.segmentBytes, durability: 'write' },
      partitions: this.log.partitions,
      offsets: Array.from({ length: this.log.partitions }, (_, p) => this.serving.appliedOffset(p)),
      batchRecords: this.opts.batchRecords ?? 8192,
      batchMs: this.opts.batchMs ?? 100,
      closeGraceMs: this.opts.closeGraceMs ?? 48 * 3_600_000,
      pollMs: this.opts.pollMs ?? 20,
    };
    const w = new Worker(new URL('./stream-worker.js', import.meta.url), { workerData: init });
    this.worker = w;
    this.stopped = new Promise((resolve) => {
      // Resolves once the worker is done and every batch it sent is applied.
      const done = (): void => void this.drained().then(resolve);
      w.on('message', (m: FromWorker) => {
        if (m.type === 'batch') {
          try {
            this.enqueue(m);
          } catch (err) {
            this.fail(err as Error);
            w.postMessage({ type: 'applied' } satisfies ToWorker);
          }
        } else if (m.type === 'failed') {
          this.fail(Object.assign(new Error(m.message), { stack: m.stack }));
        } else done();
      });
      w.on('error', (err) => this.fail(err));
      w.on('exit', done);
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

  /** Resolves each delta's store and queues the batch; its deltas reach the serving store in slices. */
  private enqueue(m: BatchMessage): void {
    // Each tenant's registry once per batch: a lookup stats its files.
    const registries = m.tenants.map((tenant) => {
      this.syncTenant(tenant);
      return this.directory.get(tenant)?.stores;
    });
    const stores: Store[] = [];
    const at: number[] = [];
    const data = m.deltas;
    for (let o = 0; o < data.length; o += DELTA_WIDTH) {
      const store = registries[data[o]!]?.get(m.stores[data[o + 1]!]!);
      if (store === undefined) {
        // The registry lost the store between the worker's read and now: keep the worker's view of it.
        this.stats.skipped.unknown_store++;
        continue;
      }
      stores.push(store);
      at.push(o);
    }
    this.queue.push({ m, stores, at, next: 0 });
    if (!this.applying) {
      this.applying = true;
      this.applySlice();
    }
  }

  /** Fills the pool with deltas [from, to) of a batch and returns them. */
  private deltasOf(q: QueuedBatch, from: number, to: number): RollupDelta[] {
    const { m } = q;
    const data = m.deltas;
    const out = this.slice;
    out.length = 0;
    for (let k = from; k < to; k++) {
      const o = q.at[k]!;
      const store = q.stores[k]!;
      const p = (this.pool[k - from] ??= newPooledDelta(store));
      const d = p.d;
      d.tenant = m.tenants[data[o]!]!;
      d.store = store;
      d.quarter = data[o + 2]!;
      d.tender = m.words[data[o + 3]!] as Tender;
      d.cardBrand = data[o + 4] === -1 ? null : (m.words[data[o + 4]!] as CardBrand);
      d.currency = m.words[data[o + 5]!]!;
      const { rep, orig } = p;
      for (let i = 0; i < 12; i++) rep[i] = data[o + 6 + i]!;
      for (let i = 0; i < 7; i++) orig[i] = data[o + 18 + i]!;
      out.push(d);
    }
    return out;
  }

  /**
   * Applies up to APPLY_SLICE deltas of the oldest batch, then yields to
   * the event loop. A batch's log offsets are set with its last slice, so
   * the serving store never claims records whose deltas it lacks; a
   * snapshot waits for {@link settled}, so it never holds part of a batch.
   */
  private applySlice(): void {
    const head = this.queue[0];
    if (head === undefined || this.failure !== null) {
      this.applying = false;
      this.queue.length = 0;
      for (const wake of this.settledWaiters.splice(0)) wake();
      return;
    }
    try {
      const { m } = head;
      const count = head.at.length;
      const first = m.ends[0];
      if (first !== undefined && head.next < count) {
        // Every slice but the last leaves the offset where it was.
        const upto = Math.min(count, head.next + APPLY_SLICE);
        const endOffset = upto === count ? first[1] : this.serving.appliedOffset(first[0]);
        this.serving.apply({ partition: first[0], endOffset, deltas: this.deltasOf(head, head.next, upto) });
        head.next = upto;
        if (upto < count) {
          setImmediate(() => this.applySlice());
          return;
        }
      }
      this.finishBatch(m, count === 0);
    } catch (err) {
      this.fail(err as Error);
    }
    this.queue.shift();
    this.worker?.postMessage({ type: 'applied' } satisfies ToWorker);
    // Between two batches: a snapshot waiting in settled() runs now, before the next slice.
    for (const wake of this.settledWaiters.splice(0)) wake();
    if (this.queue.length > 0) setImmediate(() => this.applySlice());
    else this.applying = false;
  }

  /** The rest of a batch once its deltas are in: the other partitions' offsets, restatements, stats. */
  private finishBatch(m: BatchMessage, firstPending: boolean): void {
    if (m.restatements.length > 0) this.stats.restatements += this.restatements.append(m.restatements);
    // The other partitions' offsets go in the same turn as the last slice.
    m.ends.forEach(([partition, endOffset], i) => {
      if (i > 0 || firstPending) this.serving.apply({ partition, endOffset, deltas: [] });
    });
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

  /** Resolves when every batch received so far is applied (or the stream failed). */
  private async drained(): Promise<void> {
    while (this.queue.length > 0 && this.failure === null) await new Promise((r) => setImmediate(r));
  }

  /**
   * Resolves when no batch is partly applied (at once if none is). Call
   * `serving.snapshot()` right after it resolves, in the same microtask
   * run, for a snapshot that holds whole batches only.
   */
  settled(): Promise<void> {
    const head = this.queue[0];
    if (head === undefined || head.next === 0) return Promise.resolve();
    return new Promise((resolve) => this.settledWaiters.push(resolve));
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
    if (this.opts.follower === true) throw new Error(`a follower of the log never saves the checkpoints of group '${STREAM_GROUP}': the stream role owns them`);
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
