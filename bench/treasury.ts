/**
 * Treasury benchmark: one year of settlements for 5,000 stores and its bank
 * statements (over two million entries), end to end:
 *
 *   1. a year of business-day rollups in a serving store (treasury-world.ts);
 *   2. `settlement_ms`: expected payouts and deposits of the year computed
 *      from the rollups (ExpectedMoneyBook, as the API does it);
 *   3. the bank books them, breaks included (treasury-bank.ts), one
 *      statement per account and day, written to disk as one camt.053 or
 *      MT940 file per booking day (the bank's objects are then let go);
 *      `camt053_parse_mb_per_s` and `mt940_parse_mb_per_s` import every
 *      file through parseStatement (bytes in, decoding included), keeping
 *      the statements as the treasury store keeps them;
 *   4. the item table (from the expected money) and the entry table (from
 *      the parsed statements) as the treasury service builds them, once
 *      per computation of expected money and as statements are imported:
 *      `item_table_ms`, `entry_table_ms`;
 *   5. `reconcile_ms` and `reconcile_entries_per_s`: the matcher over those
 *      tables (median of --runs): what a re-run costs the service when
 *      statements were imported or the day changed (the tables are kept,
 *      a statement's rows are appended once);
 *   6. the peer: the same match as one DuckDB SQL query over the same rows
 *      (treasury-peer.ts), `peer_duckdb_reconcile_ms` and the ratio, and a
 *      check that both found the same number of matches of each kind.
 *
 *   npm run bench:treasury -- [--stores 5000] [--days 365] [--runs 3] [--no-peer] [--cpu-prof-reconcile]
 *
 * Writes bench-output/treasury.json.
 */
import { closeSync, fstatSync, mkdirSync, mkdtempSync, openSync, readSync, rmSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { tmpdir } from 'node:os';
import { constants, PerformanceObserver, type PerformanceEntry } from 'node:perf_hooks';
import { join } from 'node:path';
import { dayNumber, dayText } from '../src/domain/business-calendar.js';
import { DEFAULT_MATCH_OPTIONS, type MatchOptions } from '../src/domain/reconciliation.js';
import { appendBookedEntries } from '../src/treasury/booked-entries.js';
import { expectedItems, expectedItemTable } from '../src/treasury/expected-items.js';
import { ExpectedMoneyBook, type ExpectedMoney } from '../src/treasury/expected-money.js';
import type { MatchResult } from '../src/treasury/match-result.js';
import { EntryTable, type ItemTable } from '../src/treasury/match-tables.js';
import { reconcileTables } from '../src/treasury/matcher.js';
import { camt053Chunks } from '../src/treasury/statements/camt053-writer.js';
import { mt940Chunks } from '../src/treasury/statements/mt940-writer.js';
import { parseStatement } from '../src/treasury/statements/parse-statement.js';
import { statementKey, type StoredStatement } from '../src/treasury/treasury-store.js';
import { arg, median } from './bench-args.js';
import { bookItems } from './treasury-bank.js';
import type { MatchCounts } from './treasury-counts.js';
import { runPeer } from './treasury-peer.js';
import { buildTreasuryWorld } from './treasury-world.js';

const STORES = arg('stores', 5000);
const DAYS = arg('days', 365);
const RUNS = arg('runs', 3);
const PEER = !process.argv.includes('--no-peer');
/** Writes a V8 CPU profile of the reconcile runs only to bench-output/reconcile.cpuprofile. */
const PROFILE = process.argv.includes('--cpu-prof-reconcile');
const FIRST_DAY = dayNumber('2025-01-01');

const log = (s: string): void => {
  process.stderr.write(`  ${s}\n`);
};

function toBuffer(chunks: Iterable<string>): Buffer {
  const parts: Buffer[] = [];
  for (const c of chunks) parts.push(Buffer.from(c));
  return Buffer.concat(parts);
}

interface Settled {
  /** Kept for the run, as the service's ExpectedMoneyBook keeps it. */
  expected: ExpectedMoney;
  lines: number;
  payouts: number;
  deposits: number;
  settlementMs: number[];
}

/** The year's rollups and expected money; the serving store is let go on return (reconciliation runs without it, as a batch job would). */
async function settle(dir: string): Promise<Settled> {
  const tw = await buildTreasuryWorld(join(dir, 'serving'), STORES, FIRST_DAY, DAYS);
  log(`${String(tw.lines)} business-day lines for ${String(STORES)} stores × ${String(DAYS)} days in ${tw.genS.toFixed(1)} s`);
  const book = new ExpectedMoneyBook({ source: tw.serving, setup: () => tw.setup, setupVersion: () => 1, fx: () => null, now: Date.now, refreshMs: 0 });
  const settlementMs: number[] = [];
  let expected = book.compute(tw.tenant, null); // warm-up
  for (let r = 0; r < RUNS; r++) {
    expected = book.compute(tw.tenant, null);
    settlementMs.push(expected.ms);
  }
  log(`${String(expected.payouts.length)} payouts, ${String(expected.deposits.length)} deposits, settlement ${settlementMs.map((x) => x.toFixed(0)).join(' / ')} ms`);
  return { expected, lines: tw.lines, payouts: expected.payouts.length, deposits: expected.deposits.length, settlementMs };
}

interface Booked {
  /** Kept for the run, as the treasury store keeps a tenant's statements. */
  stored: StoredStatement[];
  entries: number;
  bytes: Record<'camt053' | 'mt940', number>;
  parseMs: Record<'camt053' | 'mt940', number>;
  /** CPU time of the process during each format's parses (the collector's threads included, other processes not). */
  parseCpuMs: Record<'camt053' | 'mt940', number>;
  /** When each parse ran: [start, end, format]. */
  spans: [number, number, Format][];
}

type Format = 'camt053' | 'mt940';

interface BankFiles {
  /** In booking-day order, camt.053 then MT940 of each day. */
  files: { path: string; format: Format; day: number }[];
  entries: number;
}

/**
 * The bank's side, breaks included: one camt.053 and one MT940 file per
 * booking day, written to `dir` as a bank delivers them. The bank's own
 * objects are let go when this returns: they are not part of the platform
 * whose parse is timed.
 */
function bookFiles(expected: ExpectedMoney, lastDay: number, dir: string): BankFiles {
  const bank = bookItems(expectedItems(expected), lastDay);
  log(`${String(bank.entries)} statement entries on ${String(bank.accounts)} accounts`);
  const files: BankFiles['files'] = [];
  for (const [day, statements] of bank.byDay) {
    for (const format of ['camt053', 'mt940'] as const) {
      const of = statements.filter((s) => s.format === format);
      if (of.length === 0) continue;
      const file = format === 'camt053' ? toBuffer(camt053Chunks(of, { messageId: `BANK-${dayText(day)}`, createdAt: `${dayText(day)}T23:00:00` })) : toBuffer(mt940Chunks(of));
      const path = join(dir, `${dayText(day)}.${format === 'camt053' ? 'xml' : 'sta'}`);
      writeFileSync(path, file);
      files.push({ path, format, day });
    }
    bank.byDay.delete(day);
  }
  return { files, entries: bank.entries };
}

/**
 * The bank's objects (over 2 GB) were let go when its files were written:
 * they are collected here, before the import is timed. Left to the
 * collector, freeing them took the first three full collections of the
 * import, their marking running beside the parses (on 2 cores, ~4 s of
 * marking each); a platform receiving a bank's files never made them.
 */
function settleHeap(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) {
    log('run with node --expose-gc (npm run bench:treasury does): the bank\'s garbage is then collected before the import is timed');
    return;
  }
  const t = performance.now();
  gc();
  gc();
  log(`bank's objects collected before the import in ${(performance.now() - t).toFixed(0)} ms, heap ${(process.memoryUsage().heapUsed / 1e6).toFixed(0)} MB`);
}

/**
 * Reads files into one buffer, reused from file to file (grown for a larger
 * one): the parsers keep nothing of the bytes they read (entry-columns.ts
 * copies the values kept), so an importer needs no fresh buffer per file.
 * A fresh one per file (`readFileSync`) was 667 MB allocated outside the
 * JavaScript heap over the year, and V8 starts a full marking of the whole
 * heap for about every 64 MB of that.
 */
class FileReader {
  private buffer = Buffer.allocUnsafeSlow(1 << 20);

  /** The file's bytes, valid until the next read. */
  read(path: string): Buffer {
    const fd = openSync(path, 'r');
    try {
      const size = fstatSync(fd).size;
      if (size > this.buffer.length) this.buffer = Buffer.allocUnsafeSlow(Math.max(size, 2 * this.buffer.length));
      let n = 0;
      while (n < size) {
        const got = readSync(fd, this.buffer, n, size - n, n);
        if (got === 0) throw new Error(`${path}: the file ended at ${String(n)} of ${String(size)} bytes`);
        n += got;
      }
      return this.buffer.subarray(0, size);
    } finally {
      closeSync(fd);
    }
  }
}

/** The import: every file read from disk and parsed from its bytes (the parse timed, decoding included), its statements kept. */
function importFiles(bank: BankFiles): Booked {
  const reader = new FileReader();
  const bytes = { camt053: 0, mt940: 0 };
  const parseMs = { camt053: 0, mt940: 0 };
  const parseCpuMs = { camt053: 0, mt940: 0 };
  const spans: [number, number, Format][] = [];
  const stored: StoredStatement[] = [];
  for (const { path, format, day } of bank.files) {
    const file = reader.read(path);
    const cpu = process.cpuUsage();
    const t = performance.now();
    const res = parseStatement(file, { format });
    const t1 = performance.now();
    const used = process.cpuUsage(cpu);
    parseMs[format] += t1 - t;
    parseCpuMs[format] += (used.user + used.system) / 1000;
    spans.push([t, t1, format]);
    bytes[format] += file.length;
    if (!res.ok) throw new Error(`${format} ${dayText(day)}: ${res.error.code}: ${res.error.message}`);
    for (const statement of res.statements) stored.push({ key: statementKey(statement), fileSha256: '', importedAt: '', statement });
    rmSync(path);
  }
  log(`camt.053 ${(bytes.camt053 / 1e6).toFixed(0)} MB, MT940 ${(bytes.mt940 / 1e6).toFixed(0)} MB parsed`);
  return { stored, entries: bank.entries, bytes, parseMs, parseCpuMs, spans };
}

/** Full collections recorded since start, as [start, duration] (the observer hears of them after the synchronous work they interrupted). */
const majorGcs: [number, number][] = [];
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) if ((e as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR) majorGcs.push([e.startTime, e.duration]);
}).observe({ entryTypes: ['gc'] });

/** Full collections that started during each format's parses, ms. */
function majorGcWithin(spans: readonly [number, number, Format][]): Record<Format, number> {
  const out = { camt053: 0, mt940: 0 };
  let k = 0;
  for (const [start, duration] of majorGcs) {
    while (k < spans.length && spans[k]![1] <= start) k++;
    const s = spans[k];
    if (s !== undefined && s[0] <= start) out[s[2]] += duration;
  }
  return out;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'tpay-bench-treasury-'));
  try {
    const settled = await settle(dir);
    const { expected, settlementMs } = settled;
    // The bank books until a few days after the last sales day; reconciliation runs as of that day.
    const lastDay = FIRST_DAY + DAYS + 5;
    const asOf = dayText(lastDay);
    const bankDir = join(dir, 'bank');
    mkdirSync(bankDir);
    const files = bookFiles(expected, lastDay, bankDir);
    settleHeap();
    const { stored, entries: booked, bytes, parseMs, parseCpuMs, spans } = importFiles(files);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const gc = majorGcWithin(spans);
    log(`full collections during the parses: camt.053 ${gc.camt053.toFixed(0)} ms of ${parseMs.camt053.toFixed(0)} ms, MT940 ${gc.mt940.toFixed(0)} ms of ${parseMs.mt940.toFixed(0)} ms`);
    let t = performance.now();
    const items: ItemTable = expectedItemTable(expected);
    const itemTableMs = performance.now() - t;
    t = performance.now();
    const entries = new EntryTable();
    appendBookedEntries(entries, stored);
    const entryTableMs = performance.now() - t;
    if (entries.length !== booked) throw new Error(`read ${String(entries.length)} entries, the bank booked ${String(booked)}`);
    log(`item table ${itemTableMs.toFixed(0)} ms, entry table ${entryTableMs.toFixed(0)} ms`);

    const options: MatchOptions = { ...DEFAULT_MATCH_OPTIONS, asOf };
    const reconcileMs: number[] = [];
    const reconcileCpuMs: number[] = [];
    let result: MatchResult | null = null;
    const session = PROFILE ? new Session() : null;
    if (session !== null) {
      session.connect();
      session.post('Profiler.enable');
      session.post('Profiler.start');
    }
    for (let r = 0; r < RUNS; r++) {
      // The previous result is let go before the next run, and its columns reused, as the service does.
      result?.release();
      result = null;
      const t0 = performance.now();
      const cpu = process.cpuUsage();
      result = reconcileTables(items, entries, options);
      const used = process.cpuUsage(cpu);
      reconcileMs.push(performance.now() - t0);
      reconcileCpuMs.push((used.user + used.system) / 1000);
      log(`reconcile run ${String(r + 1)}: ${reconcileMs.at(-1)!.toFixed(0)} ms (${reconcileCpuMs.at(-1)!.toFixed(0)} ms CPU)`);
    }
    if (session !== null) {
      session.post('Profiler.stop', (err, { profile }) => {
        if (err === null) {
          mkdirSync('bench-output', { recursive: true });
          writeFileSync('bench-output/reconcile.cpuprofile', JSON.stringify(profile));
        }
      });
      session.disconnect();
    }
    const ours: MatchCounts = result!.counts();

    const out: Record<string, number | string | boolean | MatchCounts> = {
      stores: STORES,
      days: DAYS,
      business_day_lines: settled.lines,
      expected_payouts: settled.payouts,
      expected_deposits: settled.deposits,
      expected_items: items.length,
      bank_statements: stored.length,
      statement_entries: entries.length,
      camt053_mb: +(bytes.camt053 / 1e6).toFixed(1),
      mt940_mb: +(bytes.mt940 / 1e6).toFixed(1),
      settlement_ms: Math.round(median(settlementMs)),
      camt053_parse_mb_per_s: +(bytes.camt053 / 1e3 / parseMs.camt053).toFixed(1),
      mt940_parse_mb_per_s: +(bytes.mt940 / 1e3 / parseMs.mt940).toFixed(1),
      camt053_parse_mb_per_cpu_s: +(bytes.camt053 / 1e3 / parseCpuMs.camt053).toFixed(1),
      mt940_parse_mb_per_cpu_s: +(bytes.mt940 / 1e3 / parseCpuMs.mt940).toFixed(1),
      item_table_ms: Math.round(itemTableMs),
      entry_table_ms: Math.round(entryTableMs),
      reconcile_ms: Math.round(median(reconcileMs)),
      reconcile_entries_per_s: Math.round(entries.length / (median(reconcileMs) / 1000)),
      // CPU time of the process during the runs (the matcher is single-threaded, the collector is not): shows how much a shared machine stretched the wall clock.
      reconcile_cpu_ms: Math.round(median(reconcileCpuMs)),
    };
    if (PEER) {
      // The peer loads rows: the tables' rows as objects, made after our runs.
      const peer = await runPeer(
        Array.from({ length: items.length }, (_, k) => items.item(k)),
        Array.from({ length: entries.length }, (_, k) => entries.entry(k)),
        options,
        RUNS,
        log,
      );
      out['peer_duckdb_load_ms'] = Math.round(peer.loadMs);
      out['peer_duckdb_reconcile_ms'] = Math.round(median(peer.queryMs));
      out['peer_over_ours_ratio'] = +(median(peer.queryMs) / median(reconcileMs)).toFixed(2);
      const same = JSON.stringify(peer.counts) === JSON.stringify(ours);
      out['peer_match_counts_equal'] = same;
      if (!same) log(`peer counts ${JSON.stringify(peer.counts)}`);
    }
    for (const [k, v] of Object.entries(out)) {
      const unit = k.endsWith('_ms') ? ' ms' : k.endsWith('_mb_per_s') ? ' MB/s' : k.endsWith('_mb_per_cpu_s') ? ' MB per CPU-second' : k.endsWith('_per_s') ? ' entries/s' : k.endsWith('_mb') ? ' MB' : '';
      process.stdout.write(`${k}: ${String(v)}${unit}\n`);
    }
    process.stdout.write(`match_counts: ${JSON.stringify(ours)}\n`);
    mkdirSync('bench-output', { recursive: true });
    writeFileSync('bench-output/treasury.json', `${JSON.stringify({ ...out, match_counts: ours, runs: { settlementMs, reconcileMs, reconcileCpuMs } }, null, 2)}\n`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
