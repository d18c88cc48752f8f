/**
 * `tpay run --demo` as a new user starts it: the demo tenants come with
 * weeks of history, imported before the live stream, so every past day
 * has sales from the first query, none of it is a restatement, and a
 * restart on the same data directory keeps the history without importing
 * it again.
 */
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { tempDir } from '../support/temp-dir.js';

const CLI = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
const DAY_MS = 86_400_000;

interface Demo {
  lines: string[];
  port: number;
  readKey: string;
  stop(): Promise<number | null>;
}

/** Starts the demo and waits for its read key (printed once the history is in). */
async function startDemo(dataDir: string, args: string[]): Promise<Demo> {
  const proc = spawn(process.execPath, [CLI, '--data-dir', dataDir, '--log-level', 'warn', 'run', '--demo', '--tcp-port', '0', '--http-port', '0', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stderr: string[] = [];
  createInterface({ input: proc.stderr }).on('line', (l) => stderr.push(l));
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  const lines: string[] = [];
  let port = 0;
  const readKey = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the demo printed no read key in 120 s: ${lines.join('\n')}\n${stderr.join('\n')}`)), 120_000);
    createInterface({ input: proc.stdout }).on('line', (l) => {
      lines.push(l);
      if (l.startsWith('{')) port = (JSON.parse(l) as { http_port: number }).http_port;
      const m = /^demo: read key for \S+: (\S+)/.exec(l);
      if (m !== null) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`the demo exited with ${code}: ${stderr.join('\n')}`));
    });
  });
  return {
    lines,
    port,
    readKey,
    async stop() {
      if (proc.exitCode === null) proc.kill('SIGTERM');
      return exited;
    },
  };
}

async function get<T>(demo: Demo, path: string): Promise<T> {
  const res = await fetch(`http://127.0.0.1:${demo.port}${path}`, { headers: { authorization: `Bearer ${demo.readKey}` } });
  const body = await res.text();
  assert.equal(res.status, 200, `${path}: ${body}`);
  return JSON.parse(body) as T;
}

interface Series {
  groups: { points: { bucket: string; sale_count: number; net_sales: number }[] }[];
}

describe('tpay run --demo', () => {
  it('starts with its history: every past day has sales, none is a restatement, a restart keeps it', { timeout: 300_000 }, async () => {
    await using dir = tempDir();
    const args = ['--stores', '24', '--history-days', '21', '--sales-per-store-day', '30'];
    let demo = await startDemo(dir.path, args);
    try {
      const imported = demo.lines.find((l) => l.startsWith('demo: history in: '));
      assert.ok(imported !== undefined, demo.lines.join('\n'));
      const accepted = Number(/history in: (\d+) transactions/.exec(imported)![1]);
      // 24 stores over three tenants × 21 days × 30 sales, plus refunds and voids.
      assert.ok(accepted > 24 * 21 * 30 * 0.8, imported);

      const today = Math.floor(Date.now() / DAY_MS);
      const from = new Date((today - 19) * DAY_MS).toISOString().slice(0, 10);
      const to = new Date((today - 1) * DAY_MS).toISOString().slice(0, 10);
      const path = `/v1/series?metrics=net_sales,sale_count&granularity=day&from=${from}&to=${to}`;
      const days = (await get<Series>(demo, path)).groups[0]!.points;
      assert.equal(days.length, 18);
      for (const d of days) assert.ok(d.sale_count > 0 && d.net_sales > 0, `no sales on ${d.bucket}`);
      const restatements = await get<{ items: unknown[] }>(demo, '/v1/restatements?limit=10');
      assert.deepEqual(restatements.items, [], 'history is not a restatement');
      assert.equal(await demo.stop(), 0);

      demo = await startDemo(dir.path, args);
      assert.ok(!demo.lines.some((l) => l.startsWith('demo: importing')), 'the history is imported once');
      assert.ok(demo.lines.some((l) => l.startsWith('demo: using tenants')), demo.lines.join('\n'));
      assert.deepEqual((await get<Series>(demo, path)).groups[0]!.points, days, 'the same history after the restart');
      assert.equal(await demo.stop(), 0);
    } finally {
      await demo.stop();
    }
  });
});
