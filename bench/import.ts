/**
 * History import against live ingest, side by side on the same records:
 *
 * - live: `tpay run` (the whole platform) in its own process, the firehose
 *   replaying the preloaded files over TCP from this one; timed from the
 *   first line sent until every accepted record is in the rollups (the
 *   tenants' `/v1/status` record counts);
 * - import: `tpay import history` on a fresh data directory, one run per
 *   tenant's file, timed as wall clock of the whole command: start-up,
 *   import through the ingest engine, the stream folding every record into
 *   the rollups, and the closing snapshot.
 *
 * Prints `name: value unit` lines (medians over --runs) and writes
 * bench-output/import.json.
 *
 *   npm run bench:import -- [--records-per-tenant 1000000] [--runs 3]
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { provision } from '../src/cli/firehose-commands.js';
import { writeFirehoseFiles } from '../src/firehose/files.js';
import type { LineChunk } from '../src/firehose/line-chunk.js';
import { sendTenants } from '../src/firehose/multi-tenant-sender.js';
import { preloadLineChunks, readLineChunks } from '../src/firehose/replay.js';
import { generateWorld } from '../src/firehose/world.js';
import type { HistorySummary } from '../src/history/history-import.js';
import { TenantStore } from '../src/tenants/tenant-store.js';
import { arg, median } from './bench-args.js';

const CLI = fileURLToPath(new URL('../src/cli/main.js', import.meta.url));
const recordsPerTenant = arg('records-per-tenant', 1_000_000);
const runs = arg('runs', 3);
const seed = 43;

async function dataset(): Promise<string> {
  const dir = join('bench-output', `import-data-s${String(seed)}-r${String(recordsPerTenant)}`);
  if (existsSync(join(dir, 'truth.json'))) return dir;
  process.stderr.write(`generating ${String(recordsPerTenant)} records per tenant into ${dir} (once; reused by later runs)\n`);
  const world = generateWorld({ seed, tenants: 3, stores: 3000 });
  const days = 56;
  await writeFirehoseFiles({ dir, world, records: { start: Date.now() - (days + 1) * 86_400_000, records: recordsPerTenant, salesPerStoreDay: (recordsPerTenant / 1000 / days) * 1.2 } });
  return dir;
}

function tenantsOf(setDir: string): string[] {
  return (JSON.parse(readFileSync(join(setDir, 'tenants.json'), 'utf8')) as { tenants: { tenant_id: string }[] }).tenants.map((t) => t.tenant_id);
}

async function live(setDir: string, chunks: Record<string, LineChunk[]>): Promise<{ txPerS: number; ackTxPerS: number; records: number }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'tpay-bench-live-'));
  try {
    const keys = provision(dataDir, setDir);
    const store = new TenantStore(dataDir);
    const read = Object.fromEntries(Object.keys(keys).map((t) => [t, store.createKey(t, 'read').secret]));
    const proc = spawn(process.execPath, [CLI, '--data-dir', dataDir, '--log-level', 'warn', 'run', '--tcp-port', '0', '--http-port', '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
    const { port, httpPort } = await new Promise<{ port: number; httpPort: number }>((resolve, reject) => {
      createInterface({ input: proc.stdout }).once('line', (l) => {
        const m = JSON.parse(l) as { tcp_port: number; http_port: number };
        resolve({ port: m.tcp_port, httpPort: m.http_port });
      });
      proc.once('exit', (c) => reject(new Error(`tpay run exited ${String(c)}`)));
    });
    try {
      const t0 = performance.now();
      const report = await sendTenants({ port, keys, sources: chunks, connections: 2, ratePerS: 0, maxUnackedLines: 512 });
      const acked = performance.now();
      const counts = async (): Promise<number> => {
        let n = 0;
        for (const t of Object.keys(keys)) n += Number(((await (await fetch(`http://127.0.0.1:${String(httpPort)}/v1/status`, { headers: { authorization: `Bearer ${read[t]!}` } })).json()) as { records: number }).records);
        return n;
      };
      while ((await counts()) < report.total.accepted) await new Promise((r) => setTimeout(r, 20));
      const seen = performance.now();
      return { txPerS: (report.total.accepted * 1000) / (seen - t0), ackTxPerS: (report.total.accepted * 1000) / (acked - t0), records: report.total.accepted };
    } finally {
      proc.kill('SIGTERM');
      await new Promise((r) => proc.once('exit', r));
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function cli(args: string[]): Promise<string> {
  const proc = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  proc.stdout.on('data', (b: Buffer) => (out += b.toString()));
  const code = await new Promise<number | null>((r) => proc.once('exit', r));
  if (code !== 0) throw new Error(`tpay ${args.join(' ')} exited ${String(code)}`);
  return out;
}

async function importRun(setDir: string): Promise<{ txPerS: number; engineTxPerS: number; records: number; accepted: number }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'tpay-bench-import-'));
  try {
    provision(dataDir, setDir);
    let lines = 0;
    let accepted = 0;
    let ms = 0;
    let engineMs = 0;
    for (const t of tenantsOf(setDir)) {
      const t0 = performance.now();
      const s = JSON.parse(await cli(['--data-dir', dataDir, '--log-level', 'warn', 'import', 'history', '--tenant', t, '--json', join(setDir, t, 'transactions.ndjson')])) as HistorySummary;
      ms += performance.now() - t0;
      engineMs += s.ms;
      lines += s.lines;
      accepted += s.accepted;
    }
    return { txPerS: (lines * 1000) / ms, engineTxPerS: (lines * 1000) / engineMs, records: lines, accepted };
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const setDir = await dataset();
  const chunks: Record<string, LineChunk[]> = {};
  for (const t of tenantsOf(setDir)) chunks[t] = await preloadLineChunks(readLineChunks(join(setDir, t, 'transactions.ndjson'), { chunkBytes: 4 << 20 }));
  const lv: Awaited<ReturnType<typeof live>>[] = [];
  const im: Awaited<ReturnType<typeof importRun>>[] = [];
  for (let r = 0; r < runs; r++) {
    // Alternate, so drift on a shared machine hits both alike.
    const a = await live(setDir, chunks);
    lv.push(a);
    process.stderr.write(`run ${String(r + 1)} live: ${String(Math.round(a.txPerS))} tx/s into the rollups (${String(Math.round(a.ackTxPerS))} tx/s acknowledged), ${String(a.records)} records\n`);
    const b = await importRun(setDir);
    im.push(b);
    process.stderr.write(`run ${String(r + 1)} import: ${String(Math.round(b.txPerS))} tx/s wall clock (${String(Math.round(b.engineTxPerS))} tx/s through the engine), ${String(b.records)} lines, ${String(b.accepted)} accepted\n`);
  }
  const out = {
    import_tx_per_s: Math.round(median(im.map((x) => x.txPerS))),
    import_engine_tx_per_s: Math.round(median(im.map((x) => x.engineTxPerS))),
    live_tx_per_s: Math.round(median(lv.map((x) => x.txPerS))),
    live_ack_tx_per_s: Math.round(median(lv.map((x) => x.ackTxPerS))),
    import_over_live_ratio: +(median(im.map((x) => x.txPerS)) / median(lv.map((x) => x.txPerS))).toFixed(3),
  };
  for (const [k, v] of Object.entries(out)) process.stdout.write(`${k}: ${String(v)}${k.endsWith('tx_per_s') ? ' tx/s' : ''}\n`);
  mkdirSync('bench-output', { recursive: true });
  writeFileSync('bench-output/import.json', `${JSON.stringify({ ...out, runs: { live: lv, import: im } }, null, 2)}\n`);
}

await main();
