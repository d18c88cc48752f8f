/**
 * The TCP ingest server (protocol: docs/ingest-protocol.md): NDJSON lines,
 * or compact frames when the AUTH line asks for `format=compact`.
 *
 * Per connection: authenticate, cut the byte stream into whole lines (frames), hand
 * them to the engine in arrival-sized batches, and answer batches strictly
 * in order once each is durable. Reading pauses while the connection or
 * the whole server has too much undecided input, or while the client is
 * not reading our answers, so memory stays bounded by configuration.
 */
import { createServer, type Server, type Socket } from 'node:net';
import type { Logger } from 'pino';
import { COMPACT_FRAME_HEADER, COMPACT_MAX_BYTES, type WireFormat } from '../domain/compact-record.js';
import type { BatchOutcome, IngestEngine, SubmitOptions } from './ingest-engine.js';

export interface TcpAuth {
  /** Returns the tenant of a valid ingest key, or undefined. */
  (key: string): string | undefined;
}

export interface ConnectionStats {
  tenant: string | null;
  inflightBytes: number;
  unreadAnswerBytes: number;
  paused: boolean;
  nextLine: number;
}

export interface TcpServerOptions {
  host: string;
  port: number;
  maxLineBytes: number;
  maxConnectionInflightBytes: number;
  authTimeoutMs: number;
}

const NL = 10;
/** Stop reading a client whose unread answers pass this many bytes. */
const MAX_UNREAD_ANSWER_BYTES = 1 << 20;
const MAX_AUTH_LINE = 1024;

function errorLine(code: string, message: string): string {
  return `${JSON.stringify({ type: 'error', code, message })}\n`;
}

/** `AUTH <key>` and options `name=value` (docs/ingest-protocol.md). No backtracking: each part is a run of one class. */
const AUTH_LINE = /^AUTH ([!-~]{1,200})((?: [a-z_]{1,32}=[!-~]{1,64})*)$/;

class Connection {
  private tenant: string | null = null;
  private format: WireFormat = 'ndjson';
  private tail: Buffer | null = null;
  /** Prefix and running length of a line over the limit, while we skip to its end. */
  private oversized: { prefix: Buffer; length: number } | null = null;
  private nextLine = 1;
  private readonly queue: { through: number; done: Promise<BatchOutcome>; outcome: BatchOutcome | null; bytes: number }[] = [];
  private inflight = 0;
  private ended = false;
  private paused = false;
  private corked = false;
  private readonly authTimer: NodeJS.Timeout;

  constructor(
    private readonly socket: Socket,
    private readonly server: IngestTcpServer,
  ) {
    this.authTimer = setTimeout(() => this.fatal('auth_timeout', 'no AUTH line received in time'), server.opts.authTimeoutMs);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('end', () => this.onEnd());
    socket.on('drain', () => this.updateFlow());
    socket.on('error', () => socket.destroy());
    socket.on('close', () => {
      clearTimeout(this.authTimer);
      server.connections.delete(this);
    });
  }

  get source(): string {
    return `tcp ${this.socket.remoteAddress ?? '?'}:${this.socket.remotePort ?? 0}`;
  }

  fatal(code: string, message: string): void {
    if (this.socket.destroyed || this.socket.writableEnded) return;
    this.socket.end(errorLine(code, message));
    this.socket.destroySoon();
  }

  private onData(chunk: Buffer): void {
    if (this.tenant === null) {
      const buf = this.tail === null ? chunk : Buffer.concat([this.tail, chunk]);
      const nl = buf.indexOf(NL);
      if (nl === -1) {
        if (buf.length > MAX_AUTH_LINE) this.fatal('unauthorized', 'the first line must be AUTH <ingest-key>');
        else this.tail = buf;
        return;
      }
      this.tail = null;
      const line = buf.toString('utf8', 0, nl).trim();
      const m = AUTH_LINE.exec(line);
      const tenant = m === null ? undefined : this.server.auth(m[1]!);
      clearTimeout(this.authTimer);
      if (tenant === undefined) {
        this.fatal('unauthorized', m === null ? 'the first line must be AUTH <ingest-key>' : 'unknown or revoked ingest key');
        return;
      }
      for (const opt of (m![2] ?? '').split(' ').filter((o) => o !== '')) {
        const eq = opt.indexOf('=');
        const name = opt.slice(0, eq);
        const value = opt.slice(eq + 1);
        if (name === 'format' && (value === 'ndjson' || value === 'compact')) this.format = value;
        else {
          this.fatal('unsupported_option', name === 'format' ? `format must be ndjson or compact, got '${value}'` : `unknown AUTH option '${name}' (known: format)`);
          return;
        }
      }
      this.tenant = tenant;
      const max = this.server.opts.maxLineBytes;
      const ready =
        this.format === 'compact'
          ? { type: 'ready', tenant, protocol: 1, format: 'compact', max_line_bytes: Math.min(max, COMPACT_MAX_BYTES) }
          : { type: 'ready', tenant, protocol: 1, max_line_bytes: max };
      this.socket.write(`${JSON.stringify(ready)}\n`);
      if (nl + 1 < buf.length) this.onData(buf.subarray(nl + 1));
      return;
    }
    if (this.format === 'compact') this.ingestCompact(chunk, false);
    else     this.ingest(chunk, false);
  }

  /** Cuts `chunk` (plus any carried tail) into whole lines and submits them. */
  private ingest(chunk: Buffer, final: boolean): void {
    const max = this.server.opts.maxLineBytes;
    let data = chunk;
    let oversize: Map<number, number> | undefined;
    if (this.oversized !== null) {
      const nl = data.indexOf(NL);
      if (nl === -1 && !final) {
        this.oversized.length += data.length;
        return;
      }
      // The long line ends here: submit its kept prefix as one line.
      const end = nl === -1 ? data.length : nl;
      const o = this.oversized;
      this.oversized = null;
      oversize = new Map([[this.nextLine, o.length + end]]);
      data = Buffer.concat([o.prefix, Buffer.of(NL), nl === -1 ? Buffer.alloc(0) : data.subarray(nl + 1)]);
    } else if (this.tail !== null) {
      data = Buffer.concat([this.tail, data]);
      this.tail = null;
    }
    const last = final ? data.length - 1 : data.lastIndexOf(NL);
    if (!final) {
      const rest = data.subarray(last + 1);
      if (rest.length > max) {
        // Keep only what the dead-letter store records; skip the rest until '\n'.
        this.oversized = { prefix: Buffer.from(rest.subarray(0, max + 1)), length: rest.length };
      } else if (rest.length > 0) {
        this.tail = Buffer.from(rest);
      }
    }
    if (last < 0) return;
    this.submit(data.subarray(0, last + 1), { oversize });
  }

  /**
   * Cuts `chunk` (plus any carried tail) into whole compact frames and
   * submits them. A frame is at most 64 KiB, so the tail is too; at the end
   * of the stream a partial frame is submitted as it is (rejected as
   * truncated).
   */
  private ingestCompact(chunk: Buffer, final: boolean): void {
    let data = chunk;
    if (this.tail !== null) {
      data = Buffer.concat([this.tail, chunk]);
      this.tail = null;
    }
    let pos = 0;
    for (;;) {
      if (pos + COMPACT_FRAME_HEADER > data.length) break;
      const end = pos + COMPACT_FRAME_HEADER + (data[pos]! | (data[pos + 1]! << 8));
      if (end > data.length) break;
      pos = end;
    }
    const upto = final ? data.length : pos;
    if (!final && pos < data.length) this.tail = Buffer.from(data.subarray(pos));
    if (upto === 0) return;
    this.submit(data.subarray(0, upto), { format: 'compact' });
  }

  private submit(whole: Buffer, opts: SubmitOptions): void {
    const { lines, done } = this.server.engine.submit(this.tenant!, this.source, whole, this.nextLine, opts);
    this.nextLine += lines;
    const item = { through: this.nextLine - 1, done, outcome: null as BatchOutcome | null, bytes: whole.length };
    this.queue.push(item);
    this.inflight += whole.length;
    done.then(
      (o) => {
        item.outcome = o;
        this.flushAnswers();
      },
      (err: unknown) => this.fatal('shutting_down', (err as Error).message),
    );
    this.updateFlow();
  }

  /** Writes the answers of every finished batch at the head of the queue. */
  private flushAnswers(): void {
    let out = '';
    while (this.queue.length > 0 && this.queue[0]!.outcome !== null) {
      const item = this.queue.shift()!;
      const o = item.outcome!;
      this.inflight -= item.bytes;
      for (const r of o.rejects) out += `${JSON.stringify({ type: 'reject', line: r.line, code: r.code, message: r.message })}\n`;
      out += `{"type":"ack","through":${item.through},"accepted":${o.accepted},"duplicates":${o.duplicates},"rejected":${o.rejects.length}}\n`;
    }
    if (out.length > 0 && !this.socket.destroyed) {
      // One group commit answers many batches; their acks leave in one send.
      if (!this.corked) {
        this.corked = true;
        this.socket.cork();
        process.nextTick(() => {
          this.corked = false;
          this.socket.uncork();
        });
      }
      this.socket.write(out);
    }
    if (this.ended && this.queue.length === 0) this.socket.end();
    this.updateFlow();
  }

  private onEnd(): void {
    this.ended = true;
    if (this.tenant !== null && this.format === 'compact' && this.tail !== null) this.ingestCompact(Buffer.alloc(0), true);
    else if (this.tenant !== null && (this.tail !== null || this.oversized !== null)) this.ingest(Buffer.alloc(0), true);
    if (this.queue.length === 0) this.socket.end();
  }

  /** Stops reading, waits (at most `ms`) until every batch read so far is answered, then closes. */
  async drainAndClose(ms: number): Promise<void> {
    this.ended = true;
    this.socket.pause();
    const deadline = Date.now() + ms;
    while (this.queue.length > 0 && Date.now() < deadline && !this.socket.destroyed) {
      await Promise.race([this.queue[this.queue.length - 1]!.done.catch(() => undefined), new Promise((r) => setTimeout(r, 50))]);
    }
    this.fatal('shutting_down', 'the server is shutting down; reconnect and resend what was not acknowledged');
  }

  /** Closes the socket now, whatever the client does. */
  destroy(): void {
    this.socket.destroy();
  }

  stats(): ConnectionStats {
    return { tenant: this.tenant, inflightBytes: this.inflight, unreadAnswerBytes: this.socket.writableLength, paused: this.paused, nextLine: this.nextLine };
  }

  /** Pauses or resumes reading according to the three bounds. */
  updateFlow(): void {
    const over =
      this.inflight >= this.server.opts.maxConnectionInflightBytes ||
      this.server.engine.overloaded ||
      this.socket.writableLength > MAX_UNREAD_ANSWER_BYTES;
    if (over && !this.paused) {
      this.paused = true;
      this.socket.pause();
    } else if (!over && this.paused && !this.ended) {
      this.paused = false;
      this.socket.resume();
    }
  }
}

/**
 * @example
 * const srv = new IngestTcpServer(engine, (key) => tenants.authenticate(key, 'ingest')?.tenant ?? undefined, opts, log);
 * const port = await srv.listen();
 */
export class IngestTcpServer {
  readonly connections = new Set<Connection>();
  private readonly server: Server;

  constructor(
    readonly engine: IngestEngine,
    readonly auth: TcpAuth,
    readonly opts: TcpServerOptions,
    private readonly log: Logger,
  ) {
    this.server = createServer({ allowHalfOpen: true, noDelay: true }, (socket) => {
      this.connections.add(new Connection(socket, this));
    });
    engine.on('drain', () => {
      for (const c of this.connections) c.updateFlow();
    });
  }

  connectionStats(): ConnectionStats[] {
    return [...this.connections].map((c) => c.stats());
  }

  /** Listens and returns the bound port. */
  listen(): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.opts.port, this.opts.host, () => {
        const addr = this.server.address();
        const port = typeof addr === 'object' && addr !== null ? addr.port : this.opts.port;
        this.log.info({ host: this.opts.host, port }, 'tcp ingest listening');
        resolve(port);
      });
    });
  }

  /** Stops accepting, answers what each connection already sent, then closes it. */
  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    await Promise.all([...this.connections].map((c) => c.drainAndClose(5000)));
    // Every answer is written by now. A paused socket never reads the
    // client's FIN, so a client still streaming held shutdown for ever
    // (seen with a firehose at 12,000 lines/s): give it a second, then close.
    const grace = setTimeout(() => {
      for (const c of this.connections) c.destroy();
    }, 1000);
    await closed;
    clearTimeout(grace);
  }
}
