/**
 * Leases on JetStream KV: at most one holder owns a name (a partition) at a
 * time, and a holder that stops renewing loses it after the TTL.
 *
 * Every step is one compare-and-set on the key's revision, done by
 * JetStream: `kv.create` succeeds only when the key is absent (or deleted),
 * `kv.update(key, value, revision)` only when nobody wrote the key since the
 * holder's last write. The TTL is the bucket's `max_age` (nats-server 2.9
 * has no per-key TTL): the server drops a key its holder has not rewritten
 * within the TTL, measured on the server's clock, and the next `create`
 * wins. A holder learns it lost the lease at its next renewal, so work that
 * must never overlap also needs a fence at the point of writing (the log
 * writer's expected-last-subject-sequence publishes are that fence).
 *
 * @example
 * const leases = await JetStreamLeases.open(nc, { bucket: 'TPAY_STREAM_LEASES', ttlMs: 10_000 });
 * const got = await leases.acquire('rollups.3', 'worker-a');
 * if (got.ok) {
 *   const keeper = leases.keep(got.lease, (err) => stopWorking(err)); // renews every ttl/3
 *   …
 *   await keeper.stop();
 *   await leases.release(got.lease);
 * }
 */
import type { NatsConnection } from '@nats-io/transport-node';
import type { KV } from '@nats-io/kv';
import { LogInvalidArgumentError } from './errors.js';
import { errorText, isWrongLastSequence, openBucket } from './jetstream-kv.js';

/** A lease held: the key, who holds it, and the revision of the holder's last write. */
export interface Lease {
  readonly name: string;
  readonly holder: string;
  revision: number;
}

export type AcquireResult = { ok: true; lease: Lease } | { ok: false; heldBy: string | null };

/** Renews a lease in the background until stopped or lost. */
export interface LeaseKeeper {
  /** Stop renewing (the lease stays held until released or expired). */
  stop(): Promise<void>;
}

export interface JetStreamLeasesOptions {
  /** KV bucket holding the leases, one key per name. */
  bucket: string;
  /** Used when the bucket is created; an existing bucket keeps its TTL. */
  ttlMs: number;
  replicas?: number;
}

/** Lease names are KV keys: dot-separated tokens. */
const LEASE_NAME = /^[A-Za-z0-9_=-]+(\.[A-Za-z0-9_=-]+)*$/;

export class JetStreamLeases {
  private constructor(
    private readonly kv: KV,
    /** The bucket's TTL in ms, as the server enforces it. */
    readonly ttlMs: number,
  ) {}

  static async open(nc: NatsConnection, options: JetStreamLeasesOptions): Promise<JetStreamLeases> {
    const kv = await openBucket(nc, options.bucket, { ttl: options.ttlMs, history: 1, replicas: options.replicas ?? 1 });
    const status = await kv.status();
    if (status.ttl <= 0) throw new LogInvalidArgumentError(`KV bucket ${options.bucket} has no TTL, so its leases would never expire`);
    return new JetStreamLeases(kv, status.ttl);
  }

  /** Take `name` for `holder` if nobody holds it (or the last holder's lease expired). */
  async acquire(name: string, holder: string): Promise<AcquireResult> {
    checkName(name);
    try {
      const revision = await this.kv.create(name, encodeHolder(holder));
      return { ok: true, lease: { name, holder, revision } };
    } catch (err) {
      if (!isWrongLastSequence(err)) throw err;
      return { ok: false, heldBy: await this.holderOf(name) };
    }
  }

  /** Rewrite the lease, restarting its TTL. False when it was lost (expired, or taken since). */
  async renew(lease: Lease): Promise<boolean> {
    try {
      lease.revision = await this.kv.update(lease.name, encodeHolder(lease.holder), lease.revision);
      return true;
    } catch (err) {
      if (isWrongLastSequence(err)) return false;
      throw err;
    }
  }

  /** Give the lease up; a no-op when it was already lost (another holder's lease is left alone). */
  async release(lease: Lease): Promise<void> {
    try {
      await this.kv.delete(lease.name, { previousSeq: lease.revision });
    } catch (err) {
      if (!isWrongLastSequence(err)) throw err;
    }
  }

  /**
   * The names under `prefix` (`<prefix>.<token>…`) that are held now, with
   * their holders: how workers sharing a bucket see each other.
   * @example await leases.held('workers') // [{ name: 'workers.a', holder: 'a' }, …]
   */
  async held(prefix: string): Promise<{ name: string; holder: string }[]> {
    checkName(prefix);
    const names: string[] = [];
    for await (const k of await this.kv.keys(`${prefix}.>`)) names.push(k);
    const out: { name: string; holder: string }[] = [];
    for (const name of names.sort()) {
      const holder = await this.holderOf(name);
      if (holder !== null) out.push({ name, holder });
    }
    return out;
  }

  /** Who holds `name` now, or null. */
  async holderOf(name: string): Promise<string | null> {
    checkName(name);
    const entry = await this.kv.get(name);
    if (entry === null || entry.operation !== 'PUT') return null;
    try {
      const value = JSON.parse(entry.string()) as { holder?: unknown };
      return typeof value.holder === 'string' ? value.holder : null;
    } catch {
      return null;
    }
  }

  /**
   * Renew `lease` every ttl/3 until stopped. `onLost` is called once when
   * the lease is gone: a renewal found it rewritten or expired, or
   * renewals failed (server unreachable) for a whole TTL, after which the
   * server has dropped it.
   */
  keep(lease: Lease, onLost: (err: Error) => void): LeaseKeeper {
    let lastRenewed = Date.now();
    let stopped = false;
    let running: Promise<void> = Promise.resolve();
    const lost = (why: string): void => {
      stopped = true;
      clearInterval(timer);
      onLost(new Error(`lease ${lease.name} of ${lease.holder} lost: ${why}`));
    };
    const tick = async (): Promise<void> => {
      try {
        if (await this.renew(lease)) lastRenewed = Date.now();
        else if (!stopped) lost('another holder took it, or it expired');
      } catch (err) {
        if (!stopped && Date.now() - lastRenewed >= this.ttlMs) lost(`no renewal for ${String(this.ttlMs)} ms (${errorText(err)})`);
      }
    };
    const timer = setInterval(() => {
      if (stopped) return;
      running = running.then(tick);
    }, Math.max(50, Math.floor(this.ttlMs / 3)));
    // A lease never keeps the process alive on its own.
    timer.unref();
    return {
      stop: async () => {
        stopped = true;
        clearInterval(timer);
        await running;
      },
    };
  }
}

function encodeHolder(holder: string): string {
  return JSON.stringify({ holder, at: new Date().toISOString() });
}

function checkName(name: string): void {
  if (name.length > 256 || !LEASE_NAME.test(name)) {
    throw new LogInvalidArgumentError(`lease name ${JSON.stringify(name)} must be dot-separated tokens of [A-Za-z0-9_=-], at most 256 characters`);
  }
}
