/**
 * Where an ingest worker's time per NDJSON line goes, stage by stage, on
 * one thread in process (no sockets, no threads, no disk): the JSON scan
 * alone, the scan and the field rules, then the log record built from them,
 * then the terminal's route and the dedup check, each the old way (a
 * Transaction with its id strings, looked up by string) and the current way
 * (fields as byte ranges, looked up by bytes). Runs over the lines of
 * `bench:ingest`'s data set (run that once first); each figure is the best
 * of 5 rounds of CPU time.
 *
 *   npm run bench:ingest-stages -- [--lines 300000] [--records-per-tenant 1000000]
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DedupIndex } from '../src/domain/dedup-index.js';
import { encodeIngestedLine, encodeIngestedTransaction } from '../src/domain/ingested-record.js';
import { checkTransactionLine, decodeTransaction, type DecodeContext } from '../src/domain/transaction-decoder.js';
import { RecordScanner } from '../src/domain/transaction-scanner.js';
import { BytesTable } from '../src/ingest/bytes-table.js';
import { arg } from './bench-args.js';

const lines = arg('lines', 300_000);
const recordsPerTenant = arg('records-per-tenant', 1_000_000);
const dir = join('bench-output', `ingest-data-s42-r${String(recordsPerTenant)}`, 'acme');

const buf = readFileSync(join(dir, 'transactions.ndjson'));
const storeIds = (JSON.parse(readFileSync(join(dir, 'stores.json'), 'utf8')) as { stores: { store_id: string }[] }).stores.map((s) => s.store_id);
const starts: number[] = [];
const ends: number[] = [];
for (let p = 0; starts.length < lines; ) {
  const e = buf.indexOf(10, p);
  if (e < 0) break;
  starts.push(p);
  ends.push(e);
  p = e + 1;
}
const storeSet = new Set(storeIds);
const storeTable = new BytesTable();
for (const id of storeIds) {
  const b = Buffer.from(id);
  storeTable.set(b, 0, b.length, 1);
}
const ctx: DecodeContext = {
  tenant: 'acme',
  nowMs: Date.now(),
  maxLineBytes: 4096,
  hasStore: (id) => storeSet.has(id),
  hasStoreBytes: (b, s, e) => storeTable.get(b, s, e, 0) === 1,
};
const byString: DecodeContext = { tenant: 'acme', nowMs: ctx.nowMs, maxLineBytes: 4096, hasStore: (id) => storeSet.has(id) };
const out = Buffer.allocUnsafe(1 << 16);
const tenant = Buffer.from('acme');

function time(name: string, f: () => void): void {
  let best = Infinity;
  for (let r = 0; r < 5; r++) {
    const t0 = process.cpuUsage();
    f();
    const u = process.cpuUsage(t0);
    best = Math.min(best, (u.user + u.system) / starts.length);
  }
  process.stdout.write(`${name}_us_per_tx: ${best.toFixed(3)} µs\n`);
}

function mustAccept(ok: boolean): void {
  if (!ok) throw new Error('a line of the data set was rejected: regenerate it with bench:ingest');
}

process.stderr.write(`${String(starts.length)} lines of ${dir}\n`);
const scanner = new RecordScanner();
time('stage_scan', () => {
  for (let i = 0; i < starts.length; i++) scanner.scan(buf, starts[i]!, ends[i]!);
});
time('stage_decode_transaction', () => {
  for (let i = 0; i < starts.length; i++) mustAccept(decodeTransaction(buf, starts[i]!, ends[i]!, byString).ok);
});
time('stage_check_line_bytes', () => {
  for (let i = 0; i < starts.length; i++) mustAccept(checkTransactionLine(buf, starts[i]!, ends[i]!, ctx).ok);
});
time('stage_decode_transaction_encode', () => {
  for (let i = 0; i < starts.length; i++) {
    const r = decodeTransaction(buf, starts[i]!, ends[i]!, byString);
    if (r.ok) encodeIngestedTransaction(out, tenant, 0, r.txn, buf, starts[i]!, starts[i]!);
  }
});
time('stage_check_line_encode', () => {
  for (let i = 0; i < starts.length; i++) {
    const r = checkTransactionLine(buf, starts[i]!, ends[i]!, ctx);
    if (r.ok) encodeIngestedLine(out, tenant, 0, r.fields, buf, starts[i]!, starts[i]!);
  }
});
time('stage_worker_by_strings', () => {
  // A new index each round: every record is new to it, as at ingest.
  const dedup = new DedupIndex(64);
  const routes = new Map<string, number>();
  for (let i = 0; i < starts.length; i++) {
    const r = decodeTransaction(buf, starts[i]!, ends[i]!, byString);
    if (!r.ok) continue;
    const t = r.txn;
    let slot = routes.get(t.terminal_id);
    if (slot === undefined) routes.set(t.terminal_id, (slot = dedup.slotOf('acme', t.terminal_id)));
    dedup.add(slot, t.seq);
    encodeIngestedTransaction(out, tenant, 0, t, buf, starts[i]!, starts[i]!);
  }
});
time('stage_worker_by_bytes', () => {
  const dedup = new DedupIndex(64);
  const routes = new BytesTable();
  for (let i = 0; i < starts.length; i++) {
    const r = checkTransactionLine(buf, starts[i]!, ends[i]!, ctx);
    if (!r.ok) continue;
    const f = r.fields;
    let slot = routes.get(buf, f.terminalStart, f.terminalEnd, NaN);
    if (Number.isNaN(slot)) {
      slot = dedup.slotOf('acme', buf.toString('utf8', f.terminalStart, f.terminalEnd));
      routes.set(buf, f.terminalStart, f.terminalEnd, slot);
    }
    dedup.add(slot, f.seq);
    encodeIngestedLine(out, tenant, 0, f, buf, starts[i]!, starts[i]!);
  }
});
