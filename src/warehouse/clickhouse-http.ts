/**
 * A small client of ClickHouse's HTTP interface: POST a statement, get the
 * body back as one Buffer; POST an INSERT with its data as the body.
 *
 * Hand-written rather than `@clickhouse/client`: that client's
 * compatibility table names ClickHouse 24.8+ (older servers "best effort"),
 * while the Debian server the tests run is 18.16, six years older; and the
 * warehouse needs only two calls of a few lines each.
 * What it does on purpose:
 *
 * - keep-alive sockets (`http.Agent`), so a drill-down costs no TCP set-up;
 * - `wait_end_of_query=1` on statements, so an error found mid-way arrives
 *   as an HTTP error status instead of a 200 with the error text appended;
 * - a cap on response bytes (bounded memory);
 * - a retry when a reused keep-alive socket turns out closed by the
 *   server (ECONNRESET/EPIPE before any response), once per pooled socket. Every statement the
 *   warehouse sends is safe to repeat (reads, `IF NOT EXISTS` DDL, inserts
 *   that are deduplicated by design; see clickhouse-warehouse.ts).
 *
 * @example
 * const ch = new ClickHouseHttp({ url: 'http://127.0.0.1:8123', database: 'tpay' });
 * const body = await ch.query('SELECT 1 FORMAT TabSeparated'); // <Buffer 31 0a>
 * await ch.insert('INSERT INTO t (a, b) FORMAT TabSeparated', Buffer.from('1\tx\n'));
 * await ch.close();
 */
import { Agent, request } from 'node:http';
import type { IncomingMessage } from 'node:http';

/** What the warehouse needs of a ClickHouse connection (tests wrap it to inject failures). */
export interface ClickHouseConnection {
  /** Runs `sql` (a statement, with its FORMAT if it returns rows); resolves with the response body. */
  query(sql: string, options?: { timeoutMs?: number }): Promise<Buffer>;
  /** Runs `insert` (`INSERT INTO … FORMAT …`) with `data` as its rows. */
  insert(insert: string, data: Buffer): Promise<void>;
  close(): Promise<void>;
}

export interface ClickHouseHttpOptions {
  /** Base URL of the HTTP interface, e.g. 'http://127.0.0.1:8123'. */
  url: string;
  /** Database statements run in (default 'default'). */
  database?: string;
  user?: string;
  password?: string;
  /** Per-request timeout (default 60 s). */
  timeoutMs?: number;
  /** Largest response body accepted (default 256 MiB). */
  maxResponseBytes?: number;
  /** Keep-alive sockets kept open (default 4). */
  maxSockets?: number;
}

/** A failed call: `serverCode` is ClickHouse's error code (e.g. 60, unknown table) when the server answered. */
export class ClickHouseHttpError extends Error {
  override readonly name = 'ClickHouseHttpError';
  constructor(
    message: string,
    readonly status: number | null,
    readonly serverCode: number | null,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

const RETRYABLE = new Set(['ECONNRESET', 'EPIPE']);

export class ClickHouseHttp implements ClickHouseConnection {
  private readonly base: URL;
  private readonly agent: Agent;
  private readonly auth: string | null;
  private readonly timeoutMs: number;
  private readonly maxResponseBytes: number;
  private readonly maxSockets: number;

  constructor(options: ClickHouseHttpOptions) {
    this.base = new URL(options.url);
    if (this.base.protocol !== 'http:') throw new TypeError(`ClickHouse url must be http://, got ${JSON.stringify(options.url)}`);
    this.base.searchParams.set('database', options.database ?? 'default');
    this.auth = options.user === undefined ? null : `Basic ${Buffer.from(`${options.user}:${options.password ?? ''}`).toString('base64')}`;
    this.timeoutMs = options.timeoutMs ?? 60_000;
    this.maxResponseBytes = options.maxResponseBytes ?? 256 << 20;
    // Node's agent honours the server's `Keep-Alive: timeout=N` hint and drops idle sockets before the server does.
    this.maxSockets = options.maxSockets ?? 4;
    this.agent = new Agent({ keepAlive: true, maxSockets: this.maxSockets });
  }

  query(sql: string, options: { timeoutMs?: number } = {}): Promise<Buffer> {
    const url = new URL(this.base);
    url.searchParams.set('wait_end_of_query', '1');
    return this.send(url, Buffer.from(sql), options.timeoutMs ?? this.timeoutMs, sql);
  }

  async insert(insert: string, data: Buffer): Promise<void> {
    const url = new URL(this.base);
    url.searchParams.set('query', insert);
    await this.send(url, data, this.timeoutMs, insert);
  }

  /** True when `/ping` answers `Ok.`. */
  async ping(): Promise<boolean> {
    try {
      const body = await this.call(new URL('/ping', this.base), 'GET', null, 5_000);
      return body.toString('latin1') === 'Ok.\n';
    } catch {
      return false;
    }
  }

  close(): Promise<void> {
    this.agent.destroy();
    return Promise.resolve();
  }

  private async send(url: URL, body: Buffer, timeoutMs: number, what: string): Promise<Buffer> {
    // Every idle socket of the pool may have been closed by the server (18.16 sends no Keep-Alive
    // timeout hint, and closes idle sockets after 3 s): each stale one fails at once and is dropped.
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.call(url, 'POST', body, timeoutMs);
      } catch (err) {
        if (!(err instanceof StaleSocketError)) throw err;
        if (attempt > this.maxSockets) throw new ClickHouseHttpError(`${short(what)}: ${err.message}`, null, null, { cause: err });
      }
    }
  }

  private call(url: URL, method: 'GET' | 'POST', body: Buffer | null, timeoutMs: number): Promise<Buffer> {
    return new Promise<Buffer>((resolve, reject) => {
      const headers: Record<string, string | number> = {};
      if (body !== null) headers['Content-Length'] = body.length;
      if (this.auth !== null) headers.Authorization = this.auth;
      const req = request(url, { method, agent: this.agent, headers, timeout: timeoutMs });
      let answered = false;
      req.on('timeout', () => {
        req.destroy(new ClickHouseHttpError(`no answer within ${String(timeoutMs)} ms`, null, null));
      });
      req.on('error', (err: NodeJS.ErrnoException) => {
        if (!answered && req.reusedSocket && err.code !== undefined && RETRYABLE.has(err.code)) reject(new StaleSocketError(err));
        else reject(err instanceof ClickHouseHttpError ? err : new ClickHouseHttpError(`ClickHouse request failed: ${err.message}`, null, null, { cause: err }));
      });
      req.on('response', (res: IncomingMessage) => {
        answered = true;
        this.readBody(res).then((data) => {
          const status = res.statusCode ?? 0;
          if (status === 200) {
            resolve(data);
            return;
          }
          const text = data.toString('utf8', 0, Math.min(data.length, 2000)).trim();
          const m = /^Code: (\d+)/.exec(text);
          reject(new ClickHouseHttpError(`ClickHouse answered ${String(status)}: ${text}`, status, m === null ? null : Number(m[1])));
        }, reject);
      });
      req.end(body ?? undefined);
    });
  }

  private readBody(res: IncomingMessage): Promise<Buffer> {
    return new Promise<Buffer>((resolve, reject) => {
      const chunks: Buffer[] = [];
      let n = 0;
      res.on('data', (c: Buffer) => {
        n += c.length;
        if (n > this.maxResponseBytes) {
          res.destroy(new ClickHouseHttpError(`response larger than ${String(this.maxResponseBytes)} bytes`, res.statusCode ?? null, null));
          return;
        }
        chunks.push(c);
      });
      res.on('end', () => {
        resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, n));
      });
      res.on('error', (err) => {
        reject(err instanceof ClickHouseHttpError ? err : new ClickHouseHttpError(`reading the ClickHouse response: ${err.message}`, res.statusCode ?? null, null, { cause: err }));
      });
    });
  }
}

/** A reused keep-alive socket the server had closed: the request never reached it, so it is sent again. */
class StaleSocketError extends Error {
  constructor(cause: Error) {
    super(`connection closed by the server (${cause.message})`, { cause });
  }
}

function short(sql: string): string {
  return sql.length > 80 ? `${sql.slice(0, 77)}...` : sql;
}
