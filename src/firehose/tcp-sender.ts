/**
 * The TCP sender: streams line chunks from a source to an ingest server
 * over K connections, batch by batch, round-robin, at a target rate, and
 * reports what the server made of them.
 *
 * Hot path: the source hands over pre-encoded chunks; a chunk is split only
 * when a connection's free capacity or the rate budget is smaller (a few
 * `indexOf` calls), and each piece is one write. Nothing is allocated,
 * awaited or parsed per line.
 */
import { checkInteger, checkNumber, FirehoseOptionError } from './errors.js';
import { IngestConnection, SenderStats, type ConnectionConfig } from './ingest-connection.js';
import type { LatencyHistogram } from './latency-histogram.js';
import { splitChunk, type LineChunk, type LineSource } from './line-chunk.js';
import type { SenderProgress, SenderReport } from './report.js';
import { TokenBucket } from './token-bucket.js';

export interface TcpSenderOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 7400 (`ingest.tcpPort`). */
  port?: number;
  /** The tenant's ingest key, sent as `AUTH <key>`. */
  key: string;
  /** Parallel connections, 1..256. Default 4. */
  connections?: number;
  /** Target lines per second over all connections; 0 or absent = as fast as the server takes them. */
  ratePerS?: number;
  /** Unacknowledged lines per connection before it waits (bounds memory: they are kept for resending). Default 200 000. */
  maxUnackedLines?: number;
  /** Largest batch (lines per write) when a chunk must be split. Default 8192. */
  maxBatchLines?: number;
  /** First and largest delay between reconnect attempts, doubling. Default [100, 5000]. */
  reconnectDelayMs?: readonly [number, number];
  /** Consecutive sessions ending without progress before the send fails. Default 20. */
  maxRetries?: number;
  /** Connect plus authenticate within this long. Default 10 000. */
  connectTimeoutMs?: number;
  /** Drop and reconnect when lines wait this long without any answer. Default 60 000. */
  ackTimeoutMs?: number;
  /** Called every `progressIntervalMs` (default 1000) while sending. */
  onProgress?: (p: SenderProgress) => void;
  progressIntervalMs?: number;
  /** Stops the send; the promise then resolves with `aborted: true`. */
  signal?: AbortSignal;
  /** `compact`: the source yields compact chunks (compact-chunks.ts), sent with `AUTH <key> format=compact`. Default `ndjson`. */
  format?: 'ndjson' | 'compact';
}

/** The rate-control tick: tokens are checked at least this often. */
const TICK_MS = 10;
const HOUSEKEEPING_MS = 250;

function resolveConfig(o: TcpSenderOptions): ConnectionConfig & { connections: number; ratePerS: number; maxBatchLines: number; progressIntervalMs: number } {
  const c = {
    host: o.host ?? '127.0.0.1',
    port: o.port ?? 7400,
    key: o.key,
    connections: o.connections ?? 4,
    ratePerS: o.ratePerS ?? 0,
    maxUnackedLines: o.maxUnackedLines ?? 200_000,
    maxBatchLines: o.maxBatchLines ?? 8192,
    reconnectDelayMs: o.reconnectDelayMs ?? [100, 5000],
    maxRetries: o.maxRetries ?? 20,
    connectTimeoutMs: o.connectTimeoutMs ?? 10_000,
    ackTimeoutMs: o.ackTimeoutMs ?? 60_000,
    progressIntervalMs: o.progressIntervalMs ?? 1000,
    format: o.format ?? 'ndjson',
  };
  if (typeof c.key !== 'string' || c.key.length === 0 || /[\s]/.test(c.key)) throw new FirehoseOptionError('key', c.key, 'a non-empty ingest key without spaces');
  checkInteger('port', c.port, 1, 65535);
  checkInteger('connections', c.connections, 1, 256);
  checkNumber('ratePerS', c.ratePerS, 0, 1e9);
  checkInteger('maxUnackedLines', c.maxUnackedLines, 1, 100_000_000);
  checkInteger('maxBatchLines', c.maxBatchLines, 1, 10_000_000);
  checkNumber('reconnectDelayMs[0]', c.reconnectDelayMs[0], 1, 600_000);
  checkNumber('reconnectDelayMs[1]', c.reconnectDelayMs[1], c.reconnectDelayMs[0], 600_000);
  checkInteger('maxRetries', c.maxRetries, 0, 1_000_000);
  checkNumber('connectTimeoutMs', c.connectTimeoutMs, 1, 3_600_000);
  checkNumber('ackTimeoutMs', c.ackTimeoutMs, 1, 86_400_000);
  checkNumber('progressIntervalMs', c.progressIntervalMs, 10, 3_600_000);
  return c;
}

function iterate(source: LineSource): AsyncIterator<LineChunk> | Iterator<LineChunk> {
  return Symbol.asyncIterator in source ? source[Symbol.asyncIterator]() : source[Symbol.iterator]();
}

/**
 * One send of one source with one key. Most callers want `sendLines`;
 * `sendTenants` runs several of these side by side.
 */
export class TcpSender {
  readonly stats = new SenderStats();
  private readonly cfg: ReturnType<typeof resolveConfig>;
  private readonly conns: IngestConnection[];
  private readonly bucket: TokenBucket | null;
  private wakeUp: (() => void) | null = null;
  private aborted = false;
  private started = 0;
  private lastProgress = { at: 0, sent: 0 };

  constructor(
    private readonly source: LineSource,
    private readonly opts: TcpSenderOptions,
  ) {
    this.cfg = resolveConfig(opts);
    this.conns = Array.from({ length: this.cfg.connections }, () => new IngestConnection(this.cfg, this.stats, () => this.wake()));
    this.bucket = this.cfg.ratePerS > 0 ? new TokenBucket(this.cfg.ratePerS) : null;
  }

  private wake(): void {
    const w = this.wakeUp;
    this.wakeUp = null;
    w?.();
  }

  /** Resolves on the next connection event, or after `ms` at the latest. */
  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.wakeUp = null;
        resolve();
      }, ms);
      this.wakeUp = () => {
        clearTimeout(t);
        resolve();
      };
    });
  }

  /** Lines not yet acknowledged, over all connections. */
  inFlight(): number {
    return this.conns.reduce((n, c) => n + c.unacked, 0);
  }

  progress(now: number = performance.now()): SenderProgress {
    const dt = now - this.lastProgress.at;
    const rate = dt > 0 ? ((this.stats.sent - this.lastProgress.sent) * 1000) / dt : 0;
    this.lastProgress = { at: now, sent: this.stats.sent };
    const s = this.stats;
    return { elapsedMs: now - this.started, ratePerS: rate, sent: s.sent, acked: s.accepted + s.duplicates + s.rejectedTotal, accepted: s.accepted, duplicates: s.duplicates, rejected: s.rejectedTotal, inFlight: this.inFlight(), reconnects: s.reconnects };
  }

  /** The connection with free capacity after the last one used, or null. */
  private rr = 0;
  private pick(): IngestConnection | null {
    for (let k = 0; k < this.conns.length; k++) {
      const c = this.conns[(this.rr + k) % this.conns.length]!;
      if (c.capacity() > 0) {
        this.rr = (this.rr + k + 1) % this.conns.length;
        return c;
      }
    }
    return null;
  }

  private async dispatch(): Promise<void> {
    const it = iterate(this.source);
    let cur: LineChunk | null = null;
    const { maxBatchLines } = this.cfg;
    for (;;) {
      // A failed connection rejects its finish(), which run() reports.
      if (this.aborted || this.conns.some((c) => c.failed)) return;
      if (cur === null) {
        const r = await it.next();
        if (r.done === true) return;
        if (r.value.lines === 0) continue;
        cur = r.value;
      }
      let budget = Infinity;
      if (this.bucket !== null) {
        this.bucket.refill(performance.now());
        budget = this.bucket.available();
        if (budget < 1) {
          await this.sleep(Math.max(1, Math.min(TICK_MS, this.bucket.waitMs())));
          continue;
        }
      }
      const conn = this.pick();
      if (conn === null) {
        await this.sleep(HOUSEKEEPING_MS);
        continue;
      }
      const n = Math.min(cur.lines, conn.capacity(), budget, maxBatchLines);
      let piece: LineChunk;
      if (n < cur.lines) {
        [piece, cur] = splitChunk(cur, n);
      } else {
        piece = cur;
        cur = null;
      }
      this.bucket?.take(n);
      conn.send(piece);
      this.stats.sent += n;
    }
  }

  /**
   * Sends everything and waits for every line to be acknowledged.
   * Rejects with `FirehoseAuthError` (bad key) or `FirehoseConnectionError`
   * (gave up reconnecting).
   */
  async run(): Promise<SenderReport> {
    this.started = performance.now();
    this.lastProgress = { at: this.started, sent: 0 };
    const onAbort = (): void => {
      this.aborted = true;
      for (const c of this.conns) c.destroy();
      this.wake();
    };
    if (this.opts.signal?.aborted === true) onAbort();
    this.opts.signal?.addEventListener('abort', onAbort, { once: true });
    const housekeeping = setInterval(() => {
      const now = performance.now();
      for (const c of this.conns) c.housekeeping(now);
    }, HOUSEKEEPING_MS);
    const onProgress = this.opts.onProgress;
    const progress = onProgress === undefined ? null : setInterval(() => onProgress(this.progress()), this.cfg.progressIntervalMs);
    try {
      for (const c of this.conns) c.start();
      await this.dispatch();
      await Promise.all(this.conns.map((c) => c.finish()));
    } catch (e) {
      for (const c of this.conns) c.destroy();
      throw e;
    } finally {
      clearInterval(housekeeping);
      if (progress !== null) clearInterval(progress);
      this.opts.signal?.removeEventListener('abort', onAbort);
    }
    return this.report(performance.now() - this.started);
  }

  report(elapsedMs: number): SenderReport {
    return reportOf(this.stats, this.stats.latency, elapsedMs, this.inFlight(), this.aborted);
  }
}

export function reportOf(s: SenderStats, latency: LatencyHistogram, elapsedMs: number, unacked: number, aborted: boolean): SenderReport {
  return {
    sent: s.sent,
    accepted: s.accepted,
    duplicates: s.duplicates,
    rejected: { ...s.rejected },
    achievedRatePerS: elapsedMs > 0 ? (s.sent * 1000) / elapsedMs : 0,
    ackLatencyMs: latency.summary(),
    elapsedMs,
    reconnects: s.reconnects,
    resent: s.resent,
    unacked,
    aborted,
  };
}

/**
 * Sends a source of line chunks to an ingest server and resolves with the
 * final report once every line is acknowledged.
 * @example
 * const report = await sendLines(readLineChunks('acme/transactions.ndjson'), {
 *   host: '127.0.0.1', port: 7400, key: process.env.TPAY_KEY!, connections: 4, ratePerS: 100_000,
 *   onProgress: (p) => console.error(formatProgress(p)),
 * });
 * process.stdout.write(formatReportText(report));
 */
export function sendLines(source: LineSource, opts: TcpSenderOptions): Promise<SenderReport> {
  return new TcpSender(source, opts).run();
}
