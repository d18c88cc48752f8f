/**
 * A small in-test ingest server that speaks OUR protocol
 * (docs/ingest-protocol.md), with knobs to misbehave: drop a connection
 * mid-stream, stop reading, delay. It dedups on (tenant, terminal_id, seq)
 * like the real one, so tests can check exactly-once end to end.
 */
import { createServer, type Server, type Socket } from 'node:net';

export interface FakeServerOptions {
  /** ingest key → tenant */
  keys: Record<string, string>;
  /** Reject code for a line, or null to accept it. Default: bad JSON → invalid_json, `S-UNKNOWN…` store → unknown_store. */
  classify?: (line: string) => string | null;
  /** On the first connection only: destroy it (without acking the current data) once it has received this many lines. */
  dropAfterLines?: number;
  /** Authenticate, then never read again (and so never ack). */
  stallAfterAuth?: boolean;
}

function defaultClassify(line: string): string | null {
  let o: unknown;
  try {
    o = JSON.parse(line);
  } catch {
    return 'invalid_json';
  }
  if (typeof o !== 'object' || o === null) return 'not_an_object';
  const store = (o as { store_id?: unknown }).store_id;
  if (typeof store === 'string' && store.startsWith('S-UNKNOWN')) return 'unknown_store';
  return null;
}

export class FakeIngestServer {
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  private dropped = false;
  /** Accepted dedup keys `tenant|terminal|seq`. */
  readonly accepted = new Set<string>();
  duplicates = 0;
  rejected: Record<string, number> = {};
  linesReceived = 0;
  connections = 0;
  port = 0;

  constructor(private readonly opts: FakeServerOptions) {
    this.server = createServer({ allowHalfOpen: true }, (s) => this.onConnection(s));
  }

  async listen(): Promise<number> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    const addr = this.server.address();
    this.port = typeof addr === 'object' && addr !== null ? addr.port : 0;
    return this.port;
  }

  private onConnection(s: Socket): void {
    this.connections++;
    this.sockets.add(s);
    s.on('close', () => this.sockets.delete(s));
    s.on('error', () => undefined);
    const first = this.connections === 1;
    let tenant: string | null = null;
    let tail = '';
    let line = 0;
    let acked = 0;
    let counts = { accepted: 0, duplicates: 0, rejected: 0 };
    let out = '';
    const flushAck = (): void => {
      if (line > acked) {
        out += `{"type":"ack","through":${line},"accepted":${counts.accepted},"duplicates":${counts.duplicates},"rejected":${counts.rejected}}\n`;
        acked = line;
        counts = { accepted: 0, duplicates: 0, rejected: 0 };
      }
      if (out.length > 0 && !s.destroyed) s.write(out);
      out = '';
    };
    s.on('data', (chunk: Buffer) => {
      const text = tail + chunk.toString('utf8');
      const parts = text.split('\n');
      tail = parts.pop()!;
      for (const raw of parts) {
        const l = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
        if (tenant === null) {
          const m = /^AUTH (\S+)$/.exec(l.trim());
          const t = m === null ? undefined : this.opts.keys[m[1]!];
          if (t === undefined) {
            s.end('{"type":"error","code":"unauthorized","message":"unknown ingest key"}\n');
            return;
          }
          tenant = t;
          s.write(`{"type":"ready","tenant":"${t}","protocol":1,"max_line_bytes":4096}\n`);
          if (this.opts.stallAfterAuth === true) {
            s.pause();
            return;
          }
          continue;
        }
        line++;
        this.linesReceived++;
        if (l.length === 0) continue;
        const code = (this.opts.classify ?? defaultClassify)(l);
        if (code !== null) {
          out += `${JSON.stringify({ type: 'reject', line, code, message: `rejected: ${code}` })}\n`;
          this.rejected[code] = (this.rejected[code] ?? 0) + 1;
          counts.rejected++;
        } else {
          const r = JSON.parse(l) as { terminal_id: string; seq: number };
          const key = `${tenant}|${r.terminal_id}|${r.seq}`;
          if (this.accepted.has(key)) {
            this.duplicates++;
            counts.duplicates++;
          } else {
            this.accepted.add(key);
            counts.accepted++;
          }
        }
        if (first && !this.dropped && this.opts.dropAfterLines !== undefined && line >= this.opts.dropAfterLines) {
          // Drop with decided-but-unacknowledged lines: the client must resend them and get duplicates.
          this.dropped = true;
          s.destroy();
          return;
        }
      }
      flushAck();
    });
    s.on('end', () => {
      flushAck();
      s.end();
    });
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}
