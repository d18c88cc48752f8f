/**
 * An ingest worker thread: owns the partitions p with p mod workers = index.
 * For each line it is given it decodes and validates the record, checks the
 * terminal's accepted seqs, stages the record in the log (or the rejection
 * in the dead-letter store), and answers a batch only after the group
 * commit that made its records durable.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { checkCompactTransaction } from '../domain/compact-decoder.js';
import { checkTransactionLine, type DecodeContext } from '../domain/transaction-decoder.js';
import { decodeIngestedRecord, encodeIngestedCompact, encodeIngestedLine, ingestedLineMaxSize } from '../domain/ingested-record.js';
import { msg as ruleText } from '../domain/transaction-rules.js';
import { tenantSeed } from '../domain/partition.js';
import { DedupIndex } from '../domain/dedup-index.js';
import { snapshotDedupIndex } from '../domain/dedup-snapshot.js';
import type { RejectCode } from '../domain/reject-codes.js';
import type { LineFields } from '../domain/line-fields.js';
import { LogOffsetOutOfRangeError, LogPartitionOwnedError } from '../log/errors.js';
import { openLogTarget } from '../log/log-target.js';
import type { LogTarget } from '../log/log-target.js';
import type { Log, LogWriter } from '../log/log.js';
import { NullLog } from '../log/null-log.js';
import { DeadLetterWriter } from '../dlq/dead-letter-writer.js';
import { readDedupSnapshot, writeDedupSnapshot } from './dedup-snapshots.js';
import { BytesTable } from './bytes-table.js';
import { partitionOfString } from './partition-of-string.js';
import {
  INDEX_STRIDE,
  type BatchMessage,
  type BatchReply,
  type DedupStats,
  type FromWorker,
  type TenantInfo,
  type ToWorker,
  type WorkerInit,
} from './worker-protocol.js';

/** The dedup group name under which snapshot offsets hold back log retention. */
export const DEDUP_GROUP = 'ingest-dedup';

interface TenantState {
  seed: number;
  bytes: Buffer;
  stores: Set<string>;
  /**
   * Per terminal seen, its route: slot × partitions + partition when this
   * worker owns the partition (slot: the terminal's in that partition's
   * dedup index), −1 − partition when another worker does. A number, not
   * an object: one map lookup per record and nothing else to fetch, instead
   * of hashing the id for its partition and two lookups in the partition's
   * dedup index. Valid as long as the dedup indexes are, which recover()
   * builds once.
   */
  routes: Map<string, number>;
  /** The same routes by the terminal_id's UTF-8 bytes, for compact records and plain NDJSON ids (no string per record). */
  routesByBytes: BytesTable;
  /** Store ids as UTF-8 bytes (value 1), for compact records. */
  storeBytes: BytesTable;
}

function storeTable(ids: Iterable<string>): BytesTable {
  const t = new BytesTable();
  for (const id of ids) {
    const b = Buffer.from(id, 'utf8');
    t.set(b, 0, b.length, 1);
  }
  return t;
}

type PendingSnapshot = { offset: number; state: Uint8Array; partition: number }[];

class IngestWorker {
  private readonly tenants = new Map<string, TenantState>();
  /** Per partition (arrays, not maps: two lookups per record on the hot path). */
  private readonly dedup: DedupIndex[] = [];
  /** Offset the next appended record gets, per owned partition. */
  private readonly nextOffset: number[] = [];
  private pending: BatchReply[] = [];
  /** Group commits running now; the log lets two overlap (one writing while the other syncs). */
  private commitsInFlight = 0;
  private commitScheduled = false;
  private idleWaiters: (() => void)[] = [];
  /** Dedup snapshots are written one after another, each after the commit that covers it. */
  private snapshots: Promise<void> = Promise.resolve();
  private pendingSnapshot: PendingSnapshot | null = null;
  private lastSnapshotAt = Date.now();
  private scratch = Buffer.allocUnsafe(16 << 10);
  /**
   * Views of `scratch` by length, made once: the log copies what it is
   * given, and a fresh `subarray` per record was an allocation per record
   * (~3 % of the worker's profile, plus its share of the collections).
   */
  private scratchViews: Buffer[] = [];
  private readonly ctx: DecodeContext;
  private currentStores: Set<string> = new Set();
  private currentStoreBytes = new BytesTable(16);

  constructor(
    private readonly init: WorkerInit,
    private readonly log: Log,
    private readonly writer: LogWriter,
    private readonly dlq: DeadLetterWriter,
    private readonly post: (m: FromWorker) => void,
  ) {
    for (const t of init.tenants) this.setTenant(t);
    // One context object reused for every line: no allocation per record.
    this.ctx = {
      tenant: '',
      nowMs: 0,
      maxLineBytes: init.maxLineBytes,
      hasStore: (id: string) => this.currentStores.has(id),
      hasStoreBytes: (b: Uint8Array, start: number, end: number) => this.currentStoreBytes.get(b, start, end, 0) === 1,
    };
  }

  setTenant(t: TenantInfo): void {
    const old = this.tenants.get(t.id);
    const routes = old?.routes ?? new Map<string, number>();
    const routesByBytes = old?.routesByBytes ?? new BytesTable();
    this.tenants.set(t.id, { seed: tenantSeed(t.id), bytes: Buffer.from(t.id), stores: new Set(t.storeIds), routes, routesByBytes, storeBytes: storeTable(t.storeIds) });
  }

  /** Rebuilds dedup state for every owned partition: snapshot, then the log after it. */
  async recover(): Promise<{ snapshotRecords: number; replayedRecords: number; terminals: number }> {
    let snapshotRecords = 0;
    let replayedRecords = 0;
    let terminals = 0;
    for (const p of this.ownedPartitions()) {
      const snap = readDedupSnapshot(this.init.dedupDir, p, this.init.dedupIntervalBudget);
      let { offset, index } = snap;
      let reader = await this.log.openReader(p, offset);
      if (snap.legacy) {
        // A fixed-window snapshot forgot everything below its window; the log, if whole, has it all.
        try {
          const whole = await this.log.openReader(p, 0);
          await reader.close();
          reader = whole;
          index = new DedupIndex(this.init.dedupIntervalBudget);
          offset = 0;
        } catch (err) {
          if (!(err instanceof LogOffsetOutOfRangeError)) throw err;
        }
      }
      snapshotRecords += offset;
      for (;;) {
        const recs = await reader.read(10_000, 8 << 20);
        if (recs.length === 0) break;
        for (const r of recs) {
          const rec = decodeIngestedRecord(r.payload);
          index.check(rec.tenant, rec.terminalId, rec.seq);
        }
        replayedRecords += recs.length;
      }
      await reader.close();
      // Merges counted in /metrics are those of records accepted by this process.
      index.stats.floorMerges = 0;
      this.dedup[p] = index;
      this.nextOffset[p] = await this.log.endOffset(p);
      terminals += index.terminalCount;
    }
    return { snapshotRecords, replayedRecords, terminals };
  }

  /** Dedup counters summed over the owned partitions (a few additions per commit). */
  dedupStats(): DedupStats {
    const out: DedupStats = { terminals: 0, intervals: 0, terminalsAtBudget: 0, floorMerges: 0, peakIntervals: 0 };
    for (const p of this.ownedPartitions()) {
      const idx = this.dedup[p]!;
      out.terminals += idx.terminalCount;
      out.intervals += idx.stats.intervals;
      out.terminalsAtBudget += idx.stats.atBudget;
      out.floorMerges += idx.stats.floorMerges;
      out.peakIntervals = Math.max(out.peakIntervals, idx.stats.peak);
    }
    return out;
  }

  ownedPartitions(): number[] {
    const out: number[] = [];
    for (let p = this.init.index; p < this.init.partitions; p += this.init.workers) out.push(p);
    return out;
  }

  private reject(reply: BatchReply, m: BatchMessage, buf: Buffer, start: number, end: number, line: number, length: number, code: RejectCode, message: string, field: string | null): void {
    reply.rejects.push({ line, code, message });
    if (m.noDlq) return;
    this.dlq.stage({
      tenant: m.tenant,
      format: m.format,
      code,
      message,
      field,
      line,
      source: m.source,
      receivedAt: m.receivedAt,
      // Copied: the shared batch buffer is released once the batch is answered.
      bytes: Buffer.from(buf.subarray(start, end)),
      length,
    });
  }

  /** A terminal's route, worked out and kept on its first record. */
  private route(tenantId: string, tenant: TenantState, terminalId: string): number {
    const { partitions, workers, index } = this.init;
    const partition = partitionOfString(tenant.seed, terminalId, partitions);
    const route = partition % workers === index ? this.dedup[partition]!.slotOf(tenantId, terminalId) * partitions + partition : -1 - partition;
    tenant.routes.set(terminalId, route);
    return route;
  }

  handleBatch(m: BatchMessage): void {
    const buf = Buffer.from(m.data, 0, m.data.byteLength);
    const reply: BatchReply = { id: m.id, accepted: 0, duplicates: 0, rejects: [], misrouted: null };
    const tenant = this.tenants.get(m.tenant) ?? { seed: tenantSeed(m.tenant), bytes: Buffer.from(m.tenant), stores: new Set<string>(), routes: new Map<string, number>(), routesByBytes: new BytesTable(16), storeBytes: new BytesTable(16) };
    const idx = m.index;
    const misrouted: number[] = [];
    const { maxLineBytes, partitions } = this.init;
    const compact = m.format === 'compact';
    this.ctx.tenant = m.tenant;
    this.ctx.nowMs = m.receivedAt;
    this.currentStores = tenant.stores;
    this.currentStoreBytes = tenant.storeBytes;
    const routes = tenant.routes;
    const routesByBytes = tenant.routesByBytes;
    for (let i = 0; i < idx.length; i += INDEX_STRIDE) {
      const start = idx[i]!;
      const end = idx[i + 1]!;
      const line = idx[i + 2]!;
      const oversize = idx[i + 3]!;
      if (oversize > 0) {
        if (compact) this.reject(reply, m, buf, start, end, line, end - start, 'invalid_record', ruleText.recordTruncated(oversize - 1, end - start), null);
        else this.reject(reply, m, buf, start, end, line, oversize, 'line_too_long', `line is ${oversize} bytes, over the ${maxLineBytes}-byte limit`, null);
        continue;
      }
      let seq: number;
      let route: number;
      // NDJSON: the decoded fields (ids as ranges of `buf`); null for a compact record.
      let fields: LineFields | null = null;
      let terminalStart = 0;
      let terminalEnd = 0;
      let terminalText: string | null = null;
      if (compact) {
        // Checked, not decoded: the record goes to the log as it came, so no Transaction and no string is built.
        const r = checkCompactTransaction(buf, start, end, this.ctx);
        if (!r.ok) {
          this.reject(reply, m, buf, start, end, line, end - start, r.code, r.message, r.field);
          continue;
        }
        seq = r.seq;
        terminalStart = r.terminalStart;
        terminalEnd = r.terminalEnd;
      } else {
        // Decoded to fields, not to a Transaction: ids stay byte ranges, read again only to copy them into the log record.
        const r = checkTransactionLine(buf, start, end, this.ctx);
        if (!r.ok) {
          this.reject(reply, m, buf, start, end, line, end - start, r.code, r.message, r.field);
          continue;
        }
        fields = r.fields;
        seq = fields.seq;
        terminalStart = fields.terminalStart;
        terminalEnd = fields.terminalEnd;
        terminalText = fields.terminalText;
      }
      if (terminalText === null) {
        route = routesByBytes.get(buf, terminalStart, terminalEnd, NaN);
        if (Number.isNaN(route)) {
          const id = buf.toString('utf8', terminalStart, terminalEnd);
          route = routes.get(id) ?? this.route(m.tenant, tenant, id);
          routesByBytes.set(buf, terminalStart, terminalEnd, route);
        }
      } else {
        // An id written with escapes: its bytes are not its text, so it goes by its string.
        route = routes.get(terminalText) ?? this.route(m.tenant, tenant, terminalText);
      }
      if (route < 0) {
        misrouted.push(start, end, line, -1 - route);
        continue;
      }
      const p = route % partitions;
      const slot = (route - p) / partitions;
      const dedup = this.dedup[p]!;
      const verdict = dedup.add(slot, seq);
      if (verdict === 'duplicate') {
        reply.duplicates++;
        continue;
      }
      if (verdict === 'out_of_window') {
        const set = dedup.seqsAt(slot);
        this.reject(reply, m, buf, start, end, line, end - start, 'seq_out_of_window',
          `seq ${seq} of terminal_id '${terminalText ?? buf.toString('utf8', terminalStart, terminalEnd)}' is inside its merged floor (seqs ${set.floorLo}..${set.floorHi}, past the budget of ${this.init.dedupIntervalBudget} intervals) and cannot be proven new`, 'seq');
        continue;
      }
      // Log record v2: the decoded transaction, so the stream never parses
      // JSON again. A compact record is copied as it came; a line is kept
      // beside its compact form only when it has fields outside the table.
      let n: number;
      if (fields === null) {
        const need = 16 + tenant.bytes.length + (end - start);
        if (need > this.scratch.length) this.growScratch(need);
        n = encodeIngestedCompact(this.scratch, tenant.bytes, m.receivedAt, buf, start, end);
      } else {
        const keepLine = fields.hasUnknownFields;
        const need = ingestedLineMaxSize(tenant.bytes.length, end - start, keepLine ? end - start : 0);
        if (need > this.scratch.length) this.growScratch(need);
        n = encodeIngestedLine(this.scratch, tenant.bytes, m.receivedAt, fields, buf, start, keepLine ? end : start);
      }
      this.writer.append(p, (this.scratchViews[n] ??= this.scratch.subarray(0, n)));
      this.nextOffset[p]!++;
      reply.accepted++;
    }
    if (misrouted.length > 0) reply.misrouted = Int32Array.from(misrouted);
    this.pending.push(reply);
    this.maybeCaptureSnapshot();
    this.scheduleCommit();
  }

  private growScratch(need: number): void {
    this.scratch = Buffer.allocUnsafe(need * 2);
    this.scratchViews = [];
  }

  private maybeCaptureSnapshot(): void {
    if (this.pendingSnapshot !== null || Date.now() - this.lastSnapshotAt < this.init.snapshotIntervalMs) return;
    this.captureSnapshot();
  }

  /** Captures dedup state now: it covers exactly the records appended so far. */
  private captureSnapshot(): void {
    this.lastSnapshotAt = Date.now();
    this.pendingSnapshot = this.ownedPartitions().map((p) => ({
      partition: p,
      offset: this.nextOffset[p]!,
      state: snapshotDedupIndex(this.dedup[p]!),
    }));
  }

  private scheduleCommit(): void {
    if (this.commitScheduled) return;
    this.commitScheduled = true;
    // Let queued batch messages run first so they share this commit.
    setImmediate(() => {
      this.commitScheduled = false;
      this.startCommits();
    });
  }

  private get idle(): boolean {
    return this.commitsInFlight === 0 && this.pending.length === 0 && this.pendingSnapshot === null;
  }

  /** Starts a group commit of everything staged, while fewer than two run. */
  private startCommits(): void {
    while (this.commitsInFlight < 2 && (this.pending.length > 0 || this.pendingSnapshot !== null)) {
      const replies = this.pending;
      this.pending = [];
      const snapshot = this.pendingSnapshot;
      this.pendingSnapshot = null;
      this.commitsInFlight++;
      const t0 = performance.now();
      Promise.all([this.writer.commit(), this.dlq.commit()]).then(
        () => this.committed(replies, snapshot, performance.now() - t0),
        (err: unknown) => this.die(err),
      );
    }
  }

  private committed(replies: BatchReply[], snapshot: PendingSnapshot | null, commitMs: number): void {
    if (replies.length > 0) this.post({ type: 'done', replies, commitMs, dedup: this.dedupStats() });
    if (snapshot !== null) {
      // Log commits resolve in order, so every record the snapshot covers is durable now.
      this.snapshots = this.snapshots.then(async () => {
        for (const s of snapshot) {
          await writeDedupSnapshot(this.init.dedupDir, s.partition, s.offset, s.state);
          await this.log.saveCheckpoint(DEDUP_GROUP, s.partition, s.offset);
        }
      });
      this.snapshots.catch((err: unknown) => this.die(err));
    }
    this.commitsInFlight--;
    this.startCommits();
    if (this.idle) for (const wake of this.idleWaiters.splice(0)) wake();
  }

  /** A failed fsync leaves the file in an unknown state: stop, let recovery decide. */
  private die(err: unknown): void {
    this.post({ type: 'fatal', index: this.init.index, message: `commit failed: ${(err as Error).message}` });
    process.exit(70);
  }

  private whenIdle(): Promise<void> {
    if (this.idle) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  async close(): Promise<void> {
    await this.whenIdle();
    // Nothing is staged now, so the state matches the log exactly.
    this.captureSnapshot();
    this.startCommits();
    await this.whenIdle();
    await this.snapshots;
    await this.writer.close();
    await this.dlq.close();
    await this.log.close();
    this.post({ type: 'closed', index: this.init.index });
  }
}

/**
 * The writer of `owned`. A JetStream writer lease outlives a process killed
 * without closing (until its TTL), so a restarted ingest waits for it to
 * expire instead of failing; a segment partition lock dies with its
 * process, so a refusal there means a live writer and fails at once.
 */
async function openWriterWaiting(log: Log, owned: readonly number[], target: LogTarget | null): Promise<LogWriter> {
  if (target?.adapter !== 'jetstream') return log.openWriter(owned);
  const deadline = Date.now() + 2 * (target.options.leaseTtlMs ?? 10_000) + 5000;
  for (;;) {
    try {
      return await log.openWriter(owned);
    } catch (err) {
      if (!(err instanceof LogPartitionOwnedError) || Date.now() > deadline) throw err;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}

async function main(): Promise<void> {
  const port = parentPort;
  if (port === null) throw new Error('ingest-worker must run in a worker thread');
  const init = workerData as WorkerInit;
  const t0 = performance.now();
  const log: Log = init.sink === 'none' ? new NullLog(init.partitions) : await openLogTarget(init.log, `tpay-ingest-${String(init.index)}`);
  await log.registerGroup(DEDUP_GROUP);
  const dlq = await DeadLetterWriter.open(init.dlqDir, init.index, init.durability === 'fsync');
  const owned: number[] = [];
  for (let p = init.index; p < init.partitions; p += init.workers) owned.push(p);
  const writer = await openWriterWaiting(log, owned, init.sink === 'none' ? null : init.log);
  const worker = new IngestWorker(init, log, writer, dlq, (m) => port.postMessage(m));
  const rec = await worker.recover();
  port.on('message', (m: ToWorker) => {
    switch (m.type) {
      case 'batches':
        for (const b of m.batches) worker.handleBatch(b);
        break;
      case 'tenant':
        worker.setTenant(m.tenant);
        break;
      case 'close':
        void worker.close();
        break;
    }
  });
  port.postMessage({
    type: 'ready',
    index: init.index,
    recovery: { partitions: owned, ...rec, ms: performance.now() - t0 },
    dedup: worker.dedupStats(),
  } satisfies FromWorker);
}

main().catch((err: unknown) => {
  parentPort?.postMessage({ type: 'fatal', index: (workerData as WorkerInit).index, message: String((err as Error).stack ?? err) } satisfies FromWorker);
  process.exit(70);
});
