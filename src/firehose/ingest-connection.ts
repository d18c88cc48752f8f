/**
 * One client connection of the TCP sender, speaking docs/ingest-protocol.md:
 * `AUTH <key>`, wait for `ready`, stream lines, match `reject.line` and
 * `ack.through` to this connection's own line numbers, keep every line
 * until an ack covers it, and after a drop reconnect, authenticate again
 * and resend everything unacknowledged (line numbers restart at 1).
 *
 * Lines travel in batches (whole `LineChunk`s): one queue entry, one write
 * and one latency sample per batch, never per line.
 */
import { createConnection, type Socket } from 'node:net';
import { FirehoseAuthError, FirehoseConnectionError } from './errors.js';
import { LatencyHistogram } from './latency-histogram.js';
import { offsetAfterRecords, type LineChunk } from './line-chunk.js';

export interface ConnectionConfig {
  host: string;
  port: number;
  key: string;
  /** Lines written but not acknowledged before this connection takes no more. */
  maxUnackedLines: number;
  /** First and largest delay between reconnect attempts (doubling). */
  reconnectDelayMs: readonly [number, number];
  /** Consecutive sessions that end without any ack before giving up. */
  maxRetries: number;
  connectTimeoutMs: number;
  ackTimeoutMs: number;
  /** `compact`: send compact frames (asked for on the AUTH line); every chunk must then be compact. */
  format: 'ndjson' | 'compact';
}

/** Counters shared by the connections of one sender. */
export class SenderStats {
  sent = 0;
  accepted = 0;
  duplicates = 0;
  rejected: Record<string, number> = {};
  rejectedTotal = 0;
  resent = 0;
  reconnects = 0;
  readonly latency = new LatencyHistogram();
}

interface Batch {
  data: Buffer;
  lines: number;
  format?: 'compact';
  /** Line number of the first line on the current session. */
  first: number;
  /** Leading lines already covered by an ack. */
  acked: number;
  writtenAt: number;
}

type State = 'connecting' | 'ready' | 'waiting' | 'done' | 'failed';

/** Reject code counted when an ack reports more rejects than `reject` lines arrived. */
export const UNREPORTED_REJECT = 'unreported';
const FINISH_GRACE_MS = 5000;

export class IngestConnection {
  private state: State = 'waiting';
  private socket: Socket | null = null;
  private queue: Batch[] = [];
  private head = 0;
  /** Lines assigned to this connection and not yet covered by an ack (including those waiting to be resent). */
  unacked = 0;
  private nextLine = 1;
  private acked = 0;
  private pendingRejects: { line: number; code: string }[] = [];
  private blocked = false;
  private corked = false;
  private ended = false;
  private finishing = false;
  private failures = 0;
  private delay: number;
  private since = 0;
  private tail = '';
  private timer: NodeJS.Timeout | null = null;
  private resolveDone!: () => void;
  private rejectDone!: (e: Error) => void;
  private readonly done: Promise<void>;

  constructor(
    private readonly cfg: ConnectionConfig,
    private readonly stats: SenderStats,
    private readonly onChange: () => void,
  ) {
    this.delay = cfg.reconnectDelayMs[0];
    this.done = new Promise<void>((resolve, reject) => {
      this.resolveDone = resolve;
      this.rejectDone = reject;
    });
    // The sender awaits `finish()`; this only keeps an early failure from being reported as unhandled.
    this.done.catch(() => undefined);
  }

  /** Lines this connection can take now (0 unless authenticated, writable and below its unacked limit). */
  capacity(): number {
    if (this.state !== 'ready' || this.blocked || this.ended) return 0;
    return Math.max(0, this.cfg.maxUnackedLines - this.unacked);
  }

  start(): void {
    this.connect();
  }

  private connect(): void {
    this.timer = null;
    this.state = 'connecting';
    this.since = performance.now();
    this.ended = false;
    this.blocked = false;
    this.tail = '';
    const s = createConnection({ host: this.cfg.host, port: this.cfg.port, noDelay: true });
    this.socket = s;
    s.on('connect', () => s.write(this.cfg.format === 'compact' ? `AUTH ${this.cfg.key} format=compact\n` : `AUTH ${this.cfg.key}\n`));
    s.on('data', (chunk: Buffer) => this.onData(s, chunk));
    s.on('drain', () => {
      this.blocked = false;
      this.onChange();
    });
    // 'close' always follows 'error'; the reconnect decision is made there.
    s.on('error', () => undefined);
    s.on('close', () => this.onClose(s));
  }

  private onData(s: Socket, chunk: Buffer): void {
    if (s !== this.socket) return;
    this.since = performance.now();
    const text = this.tail + chunk.toString('utf8');
    let start = 0;
    for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n', start)) {
      const line = text.slice(start, nl).trim();
      start = nl + 1;
      if (line.length > 0) this.onMessage(s, line);
      if (s !== this.socket) return;
    }
    this.tail = text.slice(start);
  }

  private onMessage(s: Socket, line: string): void {
    let msg: { type?: unknown; through?: unknown; accepted?: unknown; duplicates?: unknown; rejected?: unknown; line?: unknown; code?: unknown; message?: unknown };
    try {
      msg = JSON.parse(line) as typeof msg;
    } catch {
      s.destroy(new Error(`ingest server sent a line that is not JSON: ${line.slice(0, 200)}`));
      return;
    }
    switch (msg.type) {
      case 'ready':
        this.onReady();
        return;
      case 'ack':
        this.onAck(Number(msg.through), Number(msg.accepted), Number(msg.duplicates), Number(msg.rejected));
        return;
      case 'reject':
        this.pendingRejects.push({ line: Number(msg.line), code: String(msg.code) });
        return;
      case 'error':
        if (msg.code === 'unauthorized') this.fail(new FirehoseAuthError(`ingest server refused the key: ${String(msg.message)}`));
        // Other errors (shutting_down, auth_timeout) end the connection: 'close' reconnects.
        return;
      default:
        return;
    }
  }

  /** Authenticated: line numbers restart at 1 and every unacknowledged line is written again, in order. */
  private onReady(): void {
    this.state = 'ready';
    // A session with nothing at stake cannot fail to make progress.
    if (this.unacked === 0) this.failures = 0;
    this.nextLine = 1;
    this.acked = 0;
    const now = performance.now();
    for (let i = this.head; i < this.queue.length; i++) {
      const b = this.queue[i]!;
      if (b.acked > 0) {
        b.data = b.data.subarray(offsetAfterRecords(b, b.acked));
        b.lines -= b.acked;
        b.acked = 0;
      }
      b.first = this.nextLine;
      b.writtenAt = now;
      this.nextLine += b.lines;
      this.stats.resent += b.lines;
      this.write(b.data);
    }
    if (this.finishing) this.endSocket();
    this.onChange();
  }

  private onAck(through: number, accepted: number, duplicates: number, rejected: number): void {
    const st = this.stats;
    st.accepted += accepted || 0;
    st.duplicates += duplicates || 0;
    st.rejectedTotal += rejected || 0;
    // Rejects count only once an ack covers them: a reject whose ack was lost
    // in a drop is answered again after the resend and must not count twice.
    let reported = 0;
    const keep: { line: number; code: string }[] = [];
    for (const r of this.pendingRejects) {
      if (r.line > through) {
        keep.push(r);
        continue;
      }
      st.rejected[r.code] = (st.rejected[r.code] ?? 0) + 1;
      reported++;
    }
    if (rejected > reported) st.rejected[UNREPORTED_REJECT] = (st.rejected[UNREPORTED_REJECT] ?? 0) + rejected - reported;
    this.pendingRejects = keep;
    const now = performance.now();
    while (this.head < this.queue.length) {
      const b = this.queue[this.head]!;
      const last = b.first + b.lines - 1;
      if (last <= through) {
        this.unacked -= b.lines - b.acked;
        st.latency.record(now - b.writtenAt);
        this.head++;
        continue;
      }
      if (through >= b.first) {
        const a = through - b.first + 1;
        this.unacked -= a - b.acked;
        b.acked = a;
      }
      break;
    }
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    if (through > this.acked) {
      this.acked = through;
      this.failures = 0;
      this.delay = this.cfg.reconnectDelayMs[0];
    }
    this.onChange();
  }

  /** Queues a batch and writes it. Only call when `capacity()` ≥ `chunk.lines`. */
  send(chunk: LineChunk): void {
    if ((chunk.format ?? 'ndjson') !== this.cfg.format) throw new FirehoseConnectionError(`a ${chunk.format ?? 'ndjson'} chunk on a ${this.cfg.format} connection`);
    const b: Batch = { data: chunk.data, lines: chunk.lines, first: this.nextLine, acked: 0, writtenAt: performance.now() };
    if (chunk.format !== undefined) b.format = chunk.format;
    this.queue.push(b);
    this.nextLine += chunk.lines;
    this.unacked += chunk.lines;
    this.write(chunk.data);
  }

  private write(data: Buffer): void {
    const s = this.socket;
    if (s === null) return;
    // Batches handed over in the same tick leave in one writev.
    if (!this.corked) {
      this.corked = true;
      s.cork();
      process.nextTick(() => {
        this.corked = false;
        s.uncork();
      });
    }
    if (!s.write(data)) this.blocked = true;
  }

  private endSocket(): void {
    if (this.ended || this.socket === null) return;
    this.ended = true;
    this.socket.end();
  }

  private onClose(s: Socket): void {
    if (s !== this.socket) return;
    this.socket = null;
    this.pendingRejects = [];
    if (this.state === 'failed' || this.state === 'done') return;
    if (this.finishing && this.unacked === 0) {
      this.state = 'done';
      this.resolveDone();
      this.onChange();
      return;
    }
    this.failures++;
    if (this.failures > this.cfg.maxRetries) {
      this.fail(new FirehoseConnectionError(`gave up on ${this.cfg.host}:${this.cfg.port} after ${this.cfg.maxRetries} attempts without an ack (${this.unacked} lines unacknowledged)`));
      return;
    }
    this.stats.reconnects++;
    this.state = 'waiting';
    this.timer = setTimeout(() => this.connect(), this.delay);
    this.delay = Math.min(this.delay * 2, this.cfg.reconnectDelayMs[1]);
    this.onChange();
  }

  /** Called about every 250 ms: drops a connection that hangs (connect, auth, acks) so it reconnects. */
  housekeeping(now: number): void {
    const s = this.socket;
    if (s === null) return;
    const quiet = now - this.since;
    if (this.state === 'connecting' && quiet > this.cfg.connectTimeoutMs) s.destroy();
    else if (this.state === 'ready' && this.unacked > 0 && quiet > this.cfg.ackTimeoutMs) s.destroy();
    else if (this.state === 'ready' && this.ended && this.unacked === 0 && quiet > FINISH_GRACE_MS) s.destroy();
  }

  /** No more lines will come: half-close once written; resolves when every line is acknowledged. */
  finish(): Promise<void> {
    this.finishing = true;
    if (this.state === 'ready') this.endSocket();
    return this.done;
  }

  private fail(e: Error): void {
    this.state = 'failed';
    if (this.timer !== null) clearTimeout(this.timer);
    this.socket?.destroy();
    this.socket = null;
    this.rejectDone(e);
    this.onChange();
  }

  /** Stops now (abort): closes the socket, forgets unacknowledged lines' future. */
  destroy(): void {
    if (this.state === 'done' || this.state === 'failed') return;
    this.state = 'done';
    if (this.timer !== null) clearTimeout(this.timer);
    const s = this.socket;
    this.socket = null;
    s?.destroy();
    this.resolveDone();
  }

  get failed(): boolean {
    return this.state === 'failed';
  }
}
