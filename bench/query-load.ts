/**
 * Load client of the query benchmark, run in a worker thread: sends the
 * given requests round-robin from `concurrency` keep-alive connections for
 * `seconds`, and posts back every latency (ms) and the count of non-200s.
 */
import { Agent, request } from 'node:http';
import { parentPort, workerData } from 'node:worker_threads';

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
  const loop = async (): Promise<void> => {
    while (performance.now() < end) {
      const i = next++ % input.requests.length;
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

if (parentPort !== null) {
  const port = parentPort;
  run(workerData as LoadInput).then(
    (out) => port.postMessage(out),
    (err: unknown) => port.postMessage({ error: String(err) }),
  );
}
