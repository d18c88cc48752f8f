/**
 * Stream workers that own log partitions by lease (docs/scale-out.md,
 * "Stream workers by lease"). Any number of processes run this on the same
 * config; each:
 *
 * - announces itself with a lease `workers.<holder>` in the lease bucket
 *   and counts the others' (a dead worker's entry expires with its TTL);
 * - every scan, takes free or expired partition leases `rollups.p<n>` up to
 *   ceil(partitions / live workers), and hands back the excess when more
 *   workers have joined;
 * - per partition it owns: claims the partition in the shared serving store
 *   with the lease's epoch (the KV revision of its `create`, greater than
 *   every earlier holder's), reads the log from the offset the claim
 *   returns, and writes a batch at a time, each fenced by that epoch;
 * - stops a partition at once when its lease is lost (a renewal failed),
 *   and after any failed write (a new lease, a new epoch, continues it).
 *
 * The fence is in the store, not here: a worker that lost its lease without
 * noticing yet (paused, partitioned from NATS) may still write a batch, and
 * the store never shows it (commit-chain.ts).
 */
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { JetStreamLeases, Lease, LeaseKeeper } from '../log/jetstream-leases.js';
import type { Log, LogReader, LogRecord } from '../log/log.js';
import type { SharedServingStore } from '../serving/shared-serving-store.js';
import { deltasOf } from './batch-deltas.js';
import { RollupBuilder, SKIP_REASONS, type SkipReason } from './rollup-builder.js';
import type { TenantDirectory } from './tenant-directory.js';

export interface LeasedStreamOptions {
  log: Log;
  leases: JetStreamLeases;
  serving: SharedServingStore;
  directory: TenantDirectory;
  logger: Logger;
  /** This worker's name in the lease bucket (default: host, pid and a random suffix). */
  holder?: string;
  /** How often free partitions are looked for and the split re-balanced (ms). */
  scanIntervalMs: number;
  /** Records per batch, at most. */
  batchRecords: number;
  /** Longest a read record waits for its batch to fill (ms). */
  batchMs: number;
  /** Wait when a partition is caught up (default 50 ms). */
  pollMs?: number;
  closeGraceMs?: number;
  /** Called when the worker gains a partition, after its claim (e.g. to feed the warehouse from it). */
  onGained?: (partition: number) => Promise<void>;
  /** Called when it stops working a partition, for whatever reason. */
  onReleased?: (partition: number) => Promise<void>;
}

export interface LeasedStreamStats {
  records: number;
  batches: number;
  skipped: Record<SkipReason, number>;
  /** Partitions taken over since start (each gain counts). */
  gained: number;
  /** Partitions lost (lease gone) or given up (failure). */
  lost: number;
}

interface Owned {
  partition: number;
  lease: Lease;
  keeper: LeaseKeeper | null;
  /** Set to stop the partition after its current batch (shutdown, re-balance). */
  stopping: boolean;
  /** Set when the lease is gone: stop without writing. */
  lost: boolean;
  wake: (() => void) | null;
  done: Promise<void>;
}

const MAX_READ_BYTES = 8 << 20;
/** A partition that failed is not taken again by this worker for this long (another may take it). */
const RETRY_AFTER_MS = 2000;

export const PARTITION_LEASE = (p: number): string => `rollups.p${String(p)}`;
export const WORKERS_PREFIX = 'workers';

/** A lease name token for this process. */
export function defaultHolder(): string {
  return `${hostname().replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 40)}-${String(process.pid)}-${randomBytes(3).toString('hex')}`;
}

export class LeasedStream {
  readonly holder: string;
  readonly stats: LeasedStreamStats;
  private readonly owned = new Map<number, Owned>();
  private readonly retryAt = new Map<number, number>();
  private readonly builder: RollupBuilder;
  private presence: { lease: Lease; keeper: LeaseKeeper } | null = null;
  private timer: NodeJS.Timeout | null = null;
  private scanning: Promise<void> = Promise.resolve();
  private closing = false;
  private failure: Error | null = null;
  private scans = 0;

  constructor(private readonly o: LeasedStreamOptions) {
    this.holder = o.holder ?? defaultHolder();
    this.builder = new RollupBuilder(o.directory, o.closeGraceMs);
    this.stats = { records: 0, batches: 0, skipped: Object.fromEntries(SKIP_REASONS.map((r) => [r, 0])) as Record<SkipReason, number>, gained: 0, lost: 0 };
  }

  /** Partitions owned now, ascending. */
  partitions(): number[] {
    return [...this.owned.keys()].sort((a, b) => a - b);
  }

  /** Null while healthy; the error once the worker cannot go on. */
  get failed(): Error | null {
    return this.failure;
  }

  /** True once the first scan has run. */
  get ready(): boolean {
    return this.scans > 0;
  }

  async start(): Promise<void> {
    await this.announce();
    await this.scan();
    this.timer = setInterval(() => {
      this.scanning = this.scanning.then(() => this.scan());
    }, this.o.scanIntervalMs);
    this.timer.unref();
  }

  /**
   * Takes (or takes again) this worker's presence lease. Losing it (renewals
   * late for a TTL on a starved machine) only makes the others count one
   * worker fewer until the next scan puts it back: partitions have leases
   * of their own.
   */
  private async announce(): Promise<void> {
    if (this.presence !== null) return;
    const name = `${WORKERS_PREFIX}.${this.holder}`;
    const got = await this.o.leases.acquire(name, this.holder);
    if (!got.ok) {
      if (this.scans === 0) throw new Error(`worker name ${name} is held by ${String(got.heldBy)}`);
      return;
    }
    const presence = { lease: got.lease, keeper: null as LeaseKeeper | null };
    presence.keeper = this.o.leases.keep(got.lease, (err) => {
      if (this.presence?.lease === got.lease) this.presence = null;
      this.o.logger.warn({ err: err.message }, 'worker presence lease lost; taking it again at the next scan');
    });
    this.presence = presence as { lease: Lease; keeper: LeaseKeeper };
  }

  /** Stops every partition after its current batch, releases the leases. */
  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    if (this.timer !== null) clearInterval(this.timer);
    await this.scanning;
    for (const own of this.owned.values()) this.stop(own);
    await Promise.all([...this.owned.values()].map((own) => own.done));
    const presence = this.presence;
    this.presence = null;
    if (presence !== null) {
      await presence.keeper.stop();
      await this.o.leases.release(presence.lease);
    }
  }

  private stop(own: Owned): void {
    own.stopping = true;
    own.wake?.();
  }

  /** Takes free partitions up to the fair share, or hands back what is over it. */
  private async scan(): Promise<void> {
    if (this.closing) return;
    try {
      // Tenants created or changed by the API reach the builder within a scan.
      this.o.directory.refresh();
      await this.announce();
      const live = Math.max(1, (await this.o.leases.held(WORKERS_PREFIX)).length);
      const share = Math.ceil(this.o.log.partitions / live);
      const active = [...this.owned.values()].filter((x) => !x.stopping);
      if (active.length > share) {
        // The highest partitions go: a joining worker's scan picks them up.
        for (const own of active.sort((a, b) => b.partition - a.partition).slice(0, active.length - share)) this.stop(own);
      } else {
        let have = active.length;
        const now = Date.now();
        for (let p = 0; p < this.o.log.partitions && have < share && !this.closing; p++) {
          if (this.owned.has(p) || (this.retryAt.get(p) ?? 0) > now) continue;
          const got = await this.o.leases.acquire(PARTITION_LEASE(p), this.holder);
          if (!got.ok) continue;
          have++;
          this.own(p, got.lease);
        }
      }
    } catch (err) {
      this.o.logger.warn({ err }, 'lease scan failed; trying again at the next one');
    }
    this.scans++;
  }

  private own(partition: number, lease: Lease): void {
    const own: Owned = { partition, lease, keeper: null, stopping: false, lost: false, wake: null, done: Promise.resolve() };
    own.keeper = this.o.leases.keep(lease, (err) => {
      own.lost = true;
      own.wake?.();
      this.o.logger.warn({ partition, err: err.message }, 'partition lease lost; stopping it');
    });
    this.owned.set(partition, own);
    this.stats.gained++;
    own.done = this.work(own).finally(() => this.owned.delete(partition));
  }

  private async work(own: Owned): Promise<void> {
    const { partition, lease } = own;
    // The epoch: the revision that created this lease, greater than every earlier holder's.
    const epoch = lease.revision;
    let reader: LogReader | null = null;
    let gained = false;
    let failed = false;
    try {
      const from = await this.o.serving.claim(partition, epoch);
      this.o.logger.info({ partition, epoch, from }, 'partition taken');
      if (this.o.onGained !== undefined) {
        gained = true;
        await this.o.onGained(partition);
      }
      reader = await this.o.log.openReader(partition, from);
      await this.consume(own, reader, epoch, from);
    } catch (err) {
      failed = true;
      this.retryAt.set(partition, Date.now() + RETRY_AFTER_MS);
      this.o.logger.error({ err, partition, epoch }, 'partition stopped on an error; its lease is given back');
    } finally {
      await own.keeper?.stop();
      await reader?.close();
      if (gained) await this.o.onReleased?.(partition).catch((err: unknown) => this.o.logger.error({ err, partition }, 'releasing a partition failed'));
      if (own.lost || failed) this.stats.lost++;
      // A lost lease is someone else's now: release would be a no-op, and is skipped.
      if (!own.lost) await this.o.leases.release(lease).catch((err: unknown) => this.o.logger.warn({ err, partition }, 'lease release failed; it expires'));
    }
  }

  private async consume(own: Owned, reader: LogReader, epoch: number, from: number): Promise<void> {
    const pending: LogRecord[] = [];
    let pendingFrom = from;
    let since = 0;
    const pollMs = this.o.pollMs ?? 50;
    for (;;) {
      if (own.lost) return;
      const records = own.stopping ? [] : await reader.read(this.o.batchRecords - pending.length, MAX_READ_BYTES);
      if (records.length > 0 && pending.length === 0) since = performance.now();
      for (const r of records) pending.push(r);
      const due = pending.length > 0 && (own.stopping || pending.length >= this.o.batchRecords || performance.now() - since >= this.o.batchMs);
      if (due) {
        const built = this.builder.build(own.partition, pending);
        const { deltas, unknownStores } = deltasOf(built, this.o.directory);
        if (own.lost) return;
        const endOffset = reader.position;
        await this.o.serving.apply({ partition: own.partition, epoch, fromOffset: pendingFrom, endOffset, deltas });
        this.stats.records += pending.length;
        this.stats.batches++;
        this.stats.skipped.unknown_store += unknownStores;
        for (const [reason, n] of Object.entries(built.skipped) as [SkipReason, number][]) {
          this.stats.skipped[reason] += n;
          this.o.logger.warn({ partition: own.partition, reason, records: n, example: built.examples[reason] }, 'records left out of the rollups');
        }
        pending.length = 0;
        pendingFrom = endOffset;
        continue;
      }
      if (own.stopping) return;
      if (records.length === 0) await this.sleep(own, pending.length > 0 ? Math.min(pollMs, this.o.batchMs) : pollMs);
    }
  }

  private sleep(own: Owned, ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(done, ms);
      function done(): void {
        clearTimeout(t);
        own.wake = null;
        resolve();
      }
      own.wake = done;
    });
  }
}
