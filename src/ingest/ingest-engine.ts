/**
 * The ingest front: owns the worker threads, routes each batch's lines to
 * the workers that own their partitions, and resolves a batch when every
 * part of it is durable. Sockets and HTTP stay on this thread; decoding,
 * dedup and log writes run in the workers (measured: two workers beside an
 * I/O thread use both cores, see bench/ingest.ts).
 */
import { EventEmitter } from 'node:events';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { tenantSeed } from '../domain/partition.js';
import { CompactRouter } from './compact-router.js';
import { LineRouter } from './line-router.js';
import { SharedSlabPool } from './shared-slab-pool.js';
import {
  MISROUTE_STRIDE,
  type BatchMessage,
  type BatchReply,
  type DedupStats,
  type FromWorker,
  type LineReject,
  type RecoveryStats,
  type TenantInfo,
  type ToWorker,
  type WorkerInit,
  type WireFormat,
  type WorkerSettings,
} from './worker-protocol.js';

export interface EngineOptions extends WorkerSettings {
  dataDir: string;
  maxInflightBytes: number;
}

export interface BatchOutcome {
  accepted: number;
  duplicates: number;
  /** Sorted by line. */
  rejects: LineReject[];
}

export interface SubmitOptions {
  /** True lengths of lines the caller cut short, by line number. */
  oversize?: ReadonlyMap<number, number>;
  /** Do not store rejections as new dead letters (used by replays). */
  noDlq?: boolean;
  /** `compact`: `data` is compact frames, not NDJSON lines; "lines" are then records. Default `ndjson`. */
  format?: WireFormat;
}

export class EngineError extends Error {
  override readonly name = 'EngineError';
  constructor(
    readonly code: 'engine_closed' | 'engine_worker_failed',
    message: string,
  ) {
    super(message);
  }
}

interface Pending {
  remaining: number;
  accepted: number;
  duplicates: number;
  rejects: LineReject[];
  bytes: number;
  msg: { tenant: string; source: string; receivedAt: number; data: SharedArrayBuffer; noDlq: boolean; format: WireFormat };
  resolve: (o: BatchOutcome) => void;
  reject: (e: Error) => void;
}

export interface EngineStats {
  accepted: number;
  duplicates: number;
  rejected: number;
  rejectedByCode: Record<string, number>;
  batches: number;
  misrouted: number;
  commitMsMax: number;
}

/**
 * @example
 * const engine = await IngestEngine.start({ dataDir, workers: 2, partitions: 8, ... });
 * const { done } = engine.submit('acme', 'http', body, 1);
 * const { accepted, duplicates, rejects } = await done;
 */
export class IngestEngine extends EventEmitter<{ drain: []; fatal: [Error]; batch: [BatchOutcome, number] }> {
  private readonly workers: Worker[] = [];
  private readonly pending = new Map<number, Pending>();
  private readonly seeds = new Map<string, number>();
  private readonly router: LineRouter;
  private readonly compactRouter: CompactRouter;
  private readonly slabs = new SharedSlabPool();
  private nextId = 1;
  /** Batches routed to each worker in this event-loop turn, not yet posted. */
  private outbox: BatchMessage[][] = [];
  private outboxScheduled = false;
  private inflight = 0;
  private closed = false;
  private failed: Error | null = null;
  readonly recovery: RecoveryStats[] = [];
  /** Latest dedup counters of each worker (sent with every commit's answers). */
  private readonly dedup: DedupStats[] = [];
  readonly stats: EngineStats = { accepted: 0, duplicates: 0, rejected: 0, rejectedByCode: {}, batches: 0, misrouted: 0, commitMsMax: 0 };

  private constructor(private readonly opts: EngineOptions) {
    super();
    this.router = new LineRouter(opts.workers, opts.partitions, opts.maxLineBytes);
    this.compactRouter = new CompactRouter(opts.workers, opts.partitions);
    this.outbox = Array.from({ length: opts.workers }, () => []);
  }

  static async start(opts: EngineOptions): Promise<IngestEngine> {
    const engine = new IngestEngine(opts);
    await engine.spawn();
    return engine;
  }

  private async spawn(): Promise<void> {
    const { dataDir } = this.opts;
    const ready: Promise<void>[] = [];
    for (let i = 0; i < this.opts.workers; i++) {
      const init: WorkerInit = {
        ...this.opts,
        index: i,
        dlqDir: join(dataDir, 'dlq'),
        dedupDir: join(dataDir, 'dedup'),
      };
      const w = new Worker(new URL('./ingest-worker.js', import.meta.url), { workerData: init });
      this.workers.push(w);
      ready.push(
        new Promise<void>((resolve, reject) => {
          const onMsg = (m: FromWorker): void => {
            if (m.type === 'ready') {
              this.recovery[m.index] = m.recovery;
              this.dedup[m.index] = m.dedup;
              resolve();
            } else if (m.type === 'fatal') reject(new EngineError('engine_worker_failed', m.message));
          };
          w.once('message', onMsg);
          w.once('error', reject);
        }),
      );
      w.on('message', (m: FromWorker) => this.onMessage(i, m));
      w.on('error', (err) => this.fail(new EngineError('engine_worker_failed', `ingest worker ${i} failed: ${err.message}`)));
      w.on('exit', (code) => {
        if (!this.closed) this.fail(new EngineError('engine_worker_failed', `ingest worker ${i} exited with code ${code}`));
      });
    }
    await Promise.all(ready);
  }

  private fail(err: Error): void {
    if (this.failed !== null) return;
    this.failed = err;
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
    this.emit('fatal', err);
  }

  /**
   * Busy time of each thread since start, in ms (event-loop utilisation):
   * how the work splits between the I/O thread and the workers.
   */
  threadActiveMs(): { main: number; workers: number[] } {
    return {
      main: performance.eventLoopUtilization().active,
      workers: this.workers.map((w) => w.performance.eventLoopUtilization().active),
    };
  }

  /** Most seq intervals held per terminal (`ingest.dedupIntervalBudget`). */
  get dedupIntervalBudget(): number {
    return this.opts.dedupIntervalBudget;
  }

  /**
   * Dedup state over all workers, as of each worker's latest commit: sums,
   * and the largest `peakIntervals`.
   */
  dedupStats(): DedupStats {
    const out: DedupStats = { terminals: 0, intervals: 0, terminalsAtBudget: 0, floorMerges: 0, peakIntervals: 0 };
    for (const d of this.dedup) {
      out.terminals += d.terminals;
      out.intervals += d.intervals;
      out.terminalsAtBudget += d.terminalsAtBudget;
      out.floorMerges += d.floorMerges;
      out.peakIntervals = Math.max(out.peakIntervals, d.peakIntervals);
    }
    return out;
  }

  /** Bytes received and not yet answered. */
  get inflightBytes(): number {
    return this.inflight;
  }

  /** True while callers should stop reading input (bounded memory). */
  get overloaded(): boolean {
    return this.inflight >= this.opts.maxInflightBytes;
  }

  /** Sends a tenant's current store list to every worker. */
  updateTenant(t: TenantInfo): void {
    for (const w of this.workers) w.postMessage({ type: 'tenant', tenant: t } satisfies ToWorker);
  }

  private seed(tenant: string): number {
    let s = this.seeds.get(tenant);
    if (s === undefined) {
      s = tenantSeed(tenant);
      this.seeds.set(tenant, s);
    }
    return s;
  }

  /**
   * Submits complete lines (`data` ends at a line end; a last line without
   * `\n` counts as a line), or with `format: 'compact'` complete compact
   * frames (a last frame cut short is rejected as truncated). Returns the
   * number of lines (records) at once and the outcome when every accepted
   * record is durable.
   */
  submit(tenant: string, source: string, data: Uint8Array, firstLine: number, opts: SubmitOptions = {}): { lines: number; done: Promise<BatchOutcome> } {
    if (this.failed !== null) return { lines: 0, done: Promise.reject(this.failed) };
    if (this.closed) return { lines: 0, done: Promise.reject(new EngineError('engine_closed', 'ingest is shutting down')) };
    // One copy into shared memory; every worker reads the same bytes.
    const sab = this.slabs.acquire(data.byteLength);
    const buf = Buffer.from(sab, 0, data.byteLength);
    buf.set(data);
    const format = opts.format ?? 'ndjson';
    const routed =
      format === 'compact'
        ? this.compactRouter.route(buf, data.byteLength, firstLine, this.seed(tenant))
        : this.router.route(buf, data.byteLength, firstLine, this.seed(tenant), opts.oversize);
    const id = this.nextId++;
    let resolve!: (o: BatchOutcome) => void;
    let reject!: (e: Error) => void;
    const done = new Promise<BatchOutcome>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    const p: Pending = {
      remaining: 0,
      accepted: 0,
      duplicates: 0,
      rejects: [],
      bytes: data.byteLength,
      msg: { tenant, source, receivedAt: Date.now(), data: sab, noDlq: opts.noDlq ?? false, format },
      resolve,
      reject,
    };
    this.stats.batches++;
    for (let w = 0; w < routed.parts.length; w++) {
      const index = routed.parts[w]!;
      if (index.length === 0) continue;
      p.remaining++;
      this.sendPart(w, id, p, index);
    }
    if (p.remaining === 0) {
      this.slabs.release(sab);
      resolve({ accepted: 0, duplicates: 0, rejects: [] });
    }
    else {
      this.pending.set(id, p);
      this.inflight += p.bytes;
    }
    return { lines: routed.lines, done };
  }

  private sendPart(worker: number, id: number, p: Pending, index: Int32Array<ArrayBuffer>): void {
    this.outbox[worker]!.push({ type: 'batch', id, ...p.msg, index });
    if (this.outboxScheduled) return;
    this.outboxScheduled = true;
    // After this turn's socket reads: every batch routed in it leaves in one message per worker.
    setImmediate(() => this.flushOutbox());
  }

  private flushOutbox(): void {
    this.outboxScheduled = false;
    for (let w = 0; w < this.workers.length; w++) {
      const batches = this.outbox[w]!;
      if (batches.length === 0) continue;
      this.outbox[w] = [];
      this.workers[w]!.postMessage({ type: 'batches', batches } satisfies ToWorker, batches.map((b) => b.index.buffer as ArrayBuffer));
    }
  }

  private onMessage(worker: number, m: FromWorker): void {
    if (m.type === 'fatal') {
      this.fail(new EngineError('engine_worker_failed', `ingest worker ${m.index}: ${m.message}`));
      return;
    }
    if (m.type !== 'done') return;
    this.dedup[worker] = m.dedup;
    if (m.commitMs > this.stats.commitMsMax) this.stats.commitMsMax = m.commitMs;
    for (const r of m.replies) this.onReply(r);
  }

  private onReply(m: BatchReply): void {
    const p = this.pending.get(m.id);
    if (p === undefined) return;
    p.accepted += m.accepted;
    p.duplicates += m.duplicates;
    for (const r of m.rejects) p.rejects.push(r);
    const mis = m.misrouted;
    if (mis !== null) {
      // The decoded terminal belongs to another worker: send the line there.
      const byWorker = new Map<number, number[]>();
      for (let i = 0; i < mis.length; i += MISROUTE_STRIDE) {
        const w = mis[i + 3]! % this.opts.workers;
        let l = byWorker.get(w);
        if (l === undefined) byWorker.set(w, (l = []));
        l.push(mis[i]!, mis[i + 1]!, mis[i + 2]!, 0);
      }
      for (const [w, l] of byWorker) {
        p.remaining++;
        this.stats.misrouted += l.length / 4;
        this.sendPart(w, m.id, p, Int32Array.from(l));
      }
    }
    if (--p.remaining > 0) return;
    this.pending.delete(m.id);
    this.slabs.release(p.msg.data);
    const wasOver = this.overloaded;
    this.inflight -= p.bytes;
    p.rejects.sort((a, b) => a.line - b.line);
    this.stats.accepted += p.accepted;
    this.stats.duplicates += p.duplicates;
    this.stats.rejected += p.rejects.length;
    for (const r of p.rejects) this.stats.rejectedByCode[r.code] = (this.stats.rejectedByCode[r.code] ?? 0) + 1;
    const outcome: BatchOutcome = { accepted: p.accepted, duplicates: p.duplicates, rejects: p.rejects };
    p.resolve(outcome);
    this.emit('batch', outcome, Date.now() - p.msg.receivedAt);
    if (wasOver && !this.overloaded) this.emit('drain');
  }

  /** Waits for every batch in flight, then stops the workers (they commit and snapshot). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const waits = [...this.pending.values()].map(
      (p) =>
        new Promise<void>((res) => {
          const r = p.resolve;
          const j = p.reject;
          p.resolve = (o) => {
            r(o);
            res();
          };
          p.reject = (e) => {
            j(e);
            res();
          };
        }),
    );
    await Promise.all(waits);
    await Promise.all(
      this.workers.map(
        (w) =>
          new Promise<void>((res) => {
            w.on('message', (m: FromWorker) => {
              if (m.type === 'closed') void w.terminate().then(() => res());
            });
            w.once('exit', () => res());
            w.postMessage({ type: 'close' } satisfies ToWorker);
          }),
      ),
    );
  }
}
