/**
 * Load client of the query benchmark, run in a worker thread: sends the
 * given requests round-robin from `concurrency` keep-alive connections for
 * `seconds`, and posts back every latency (ms) and the count of non-200s.
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
  /** Requests per second over all connections; absent: each connection sends its next request as soon as the last is answered. */
  ratePerS?: number;
}

export interface LoadOutput {
  latencies: number[];
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
        res.on('end', () => resolve({ ms: performance.now() - t0, status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(r.body);
  });
}

async function run(input: LoadInput): Promise<LoadOutput> {
  const agent = new Agent({ keepAlive: true, maxSockets: input.concurrency });
  const latencies: number[] = [];
  const perRequest: number[][] = input.requests.map(() => []);
  let errors = 0;
  let firstError: string | null = null;
  let next = 0;
  const end = performance.now() + input.seconds * 1000;
  const t0 = performance.now();
  // With a rate, request n is due at t0 + n / rate: a connection that is free waits for the next due time (latency counts from sending).
  const interval = input.ratePerS === undefined ? 0 : 1000 / input.ratePerS;
  const loop = async (): Promise<void> => {
    while (performance.now() < end) {
      const n = next++;
      const i = n % input.requests.length;
      if (interval > 0) {
        const wait = t0 + n * interval - performance.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        if (performance.now() >= end) break;
      }
      const r = await one(agent, input, input.requests[i]!);
      latencies.push(r.ms);
      perRequest[i]!.push(r.ms);
      if (r.status !== 200) {
        errors++;
        firstError ??= `${input.requests[i]!.path}: ${String(r.status)} ${r.body.slice(0, 300)}`;
      }
    }
  };
  await Promise.all(Array.from({ length: input.concurrency }, loop));
  agent.destroy();
  return { latencies, perRequest, errors, firstError, elapsedS: (performance.now() - t0) / 1000 };
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
