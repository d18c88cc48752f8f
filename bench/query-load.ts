/**
 * Load client of the query benchmark, run in a worker thread: sends the
 * given requests round-robin from `concurrency` keep-alive connections for
 * `seconds`, in a closed loop or at a fixed rate (open loop), and posts
 * back every latency (ms) and the count of non-200s.
 */
import { Agent, request } from 'node:http';
import { parentPort, Worker, workerData } from 'node:worker_threads';

export interface LoadRequest {
  method: 'GET' | 'POST';
  path: string;
  body?: string;
}

export interface LoadInput {
  port: number;
  key: string;
  requests: LoadRequest[];
  concurrency: number;
  seconds: number;
  /**
   * Requests per second over all connections, sent on a fixed schedule
   * (open loop; latency from each request's due time). Absent: a closed
   * loop, each connection sending its next request as soon as the last is
   * answered.
   */
  ratePerS?: number;
}

export interface LoadOutput {
  /** Per request, ms: from its due time in an open loop, from its send in a closed one. */
  latencies: number[];
  /** Per request, ms from its send (equal to `latencies` in a closed loop). */
  sendLatencies: number[];
  /** Per request template index: latencies. */
  perRequest: number[][];
  errors: number;
  firstError: string | null;
  elapsedS: number;
}

function one(agent: Agent, input: LoadInput, r: LoadRequest): Promise<{ ms: number; status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const req = request(
      {
        host: '127.0.0.1',
        port: input.port,
        method: r.method,
        path: r.path,
        agent,
        headers: { authorization: `Bearer ${input.key}`, ...(r.body === undefined ? {} : { 'content-type': 'application/json' }) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        // The body is read to its end but decoded only for an error: the client shares the machine's cores with the server.
        res.on('end', () => resolve({ ms: performance.now() - t0, status: res.statusCode ?? 0, body: res.statusCode === 200 ? '' : Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(r.body);
  });
}

/** Closed loop: each connection sends its next request as soon as the last is answered. */
async function closed(input: LoadInput): Promise<LoadOutput> {
  const agent = new Agent({ keepAlive: true, maxSockets: input.concurrency });
  const out = emptyOutput(input);
  let next = 0;
  const end = performance.now() + input.seconds * 1000;
  const t0 = performance.now();
  const loop = async (): Promise<void> => {
    while (performance.now() < end) {
      const i = next++ % input.requests.length;
      const r = await one(agent, input, input.requests[i]!);
      record(out, input, i, r.ms, r.ms, r);
    }
  };
  await Promise.all(Array.from({ length: input.concurrency }, loop));
  agent.destroy();
  out.elapsedS = (performance.now() - t0) / 1000;
  return out;
}

/**
 * Open loop (as wrk2 does it): request n is due at t0 + n / rate whatever
 * the answers before it did, and its latency counts from that due time, so
 * a stall of the server is charged to every request it held back (no
 * coordinated omission). A request due while all `concurrency` connections
 * are busy waits for one, and that wait counts too. `sendLatencies` are
 * from the actual send, for telling client-side waits from the server's.
 */
function open(input: LoadInput, ratePerS: number): Promise<LoadOutput> {
  const agent = new Agent({ keepAlive: true, maxSockets: input.concurrency });
  const out = emptyOutput(input);
  const interval = 1000 / ratePerS;
  const total = Math.max(1, Math.floor(input.seconds * ratePerS));
  const t0 = performance.now();
  let next = 0;
  let idle = input.concurrency;
  let inFlight = 0;
  let timer: NodeJS.Timeout | null = null;
  return new Promise((resolve, reject) => {
    const send = (n: number): void => {
      const due = t0 + n * interval;
      const i = n % input.requests.length;
      idle--;
      inFlight++;
      one(agent, input, input.requests[i]!).then(
        (r) => {
          record(out, input, i, performance.now() - due, r.ms, r);
          idle++;
          inFlight--;
          pump();
        },
        (err: unknown) => {
          agent.destroy();
          reject(err instanceof Error ? err : new Error(String(err)));
        },
      );
    };
    const pump = (): void => {
      const now = performance.now();
      // Everything due by now goes out, as far as connections are free.
      while (idle > 0 && next < total && t0 + next * interval <= now) send(next++);
      if (next >= total) {
        if (inFlight === 0) {
          if (timer !== null) clearTimeout(timer);
          agent.destroy();
          out.elapsedS = (performance.now() - t0) / 1000;
          resolve(out);
        }
        return;
      }
      if (idle > 0 && timer === null) {
        timer = setTimeout(() => {
          timer = null;
          pump();
        }, Math.max(0, t0 + next * interval - now));
      }
    };
    pump();
  });
}

function emptyOutput(input: LoadInput): LoadOutput {
  return { latencies: [], sendLatencies: [], perRequest: input.requests.map(() => []), errors: 0, firstError: null, elapsedS: 0 };
}

function record(out: LoadOutput, input: LoadInput, i: number, ms: number, sendMs: number, r: { status: number; body: string }): void {
  out.latencies.push(ms);
  out.sendLatencies.push(sendMs);
  out.perRequest[i]!.push(ms);
  if (r.status !== 200) {
    out.errors++;
    out.firstError ??= `${input.requests[i]!.path}: ${String(r.status)} ${r.body.slice(0, 300)}`;
  }
}

function run(input: LoadInput): Promise<LoadOutput> {
  return input.ratePerS === undefined || input.ratePerS <= 0 ? closed(input) : open(input, input.ratePerS);
}

/** Runs the load in a worker thread of its own (so the client does not share the event loop of what it measures). */
export function runLoad(input: LoadInput): Promise<LoadOutput> {
  return new Promise((resolve, reject) => {
    const w = new Worker(new URL('./query-load.js', import.meta.url), { workerData: input });
    w.once('message', (m: LoadOutput | { error: string }) => ('error' in m ? reject(new Error(m.error)) : resolve(m)));
    w.once('error', reject);
  });
}

if (parentPort !== null) {
  const port = parentPort;
  run(workerData as LoadInput).then(
    (out) => port.postMessage(out),
    (err: unknown) => port.postMessage({ error: String(err) }),
  );
}
