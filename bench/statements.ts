/**
 * Statement parse throughput: camt.053 and MT940 files of ≥ 50 MB, made
 * with our own writers from seeded generated statements (card payouts,
 * fees, reversals), parsed from bytes through parseStatement (decoding
 * included). Prints the median of several rounds, wall clock and per
 * CPU-second of the process, plus the writers' speed.
 *
 *   node dist/bench/statements.js [--mb 64] [--rounds 5] [--entries-per-statement 1000] [--compare 1] [--write-entries 2000000]
 *
 * `--compare 1` also times the camt.053 reader on fast-xml-parser (one round:
 * it is ~10× slower), the figure behind "why this parser" in docs/statements.md.
 * `--write-entries N` streams N generated entries through each writer
 * (statements made lazily, chunks counted and dropped) and prints MB/s.
 */
import { loadavg } from 'node:os';
import type { BankStatement, StatementEntry } from '../src/domain/statement.js';
import { Prng } from '../src/firehose/prng.js';
import { camt053Chunks } from '../src/treasury/statements/camt053-writer.js';
import { mt940Chunks } from '../src/treasury/statements/mt940-writer.js';
import { parseStatement } from '../src/treasury/statements/parse-statement.js';
import { statementCsvChunks } from '../src/treasury/statements/statement-csv-writer.js';
import { arg, median } from './bench-args.js';

const TARGET_MB = arg('mb', 64);
const ROUNDS = arg('rounds', 5);
const PER_STATEMENT = arg('entries-per-statement', 1000);
const COMPARE = arg('compare', 0) === 1;
const WRITE_ENTRIES = arg('write-entries', 0);

const NAMES = ['Adyen N.V.', 'Stripe Payments Europe', 'Worldline SA', 'Müller & Söhne GmbH', 'Café Zürich AG', 'PayPal Europe'] as const;

function pick<T>(xs: readonly T[], r: number): T {
  return xs[Math.floor(r * xs.length)]!;
}

/** `count` entries in statements of PER_STATEMENT, seeded: the figures must not depend on Math.random. */
function generateStatements(count: number, format: BankStatement['format'], seed = 20260301): BankStatement[] {
  return [...statementStream(count, format, seed)];
}

/** The same statements, made one at a time (for writing millions of entries in flat memory). */
function* statementStream(count: number, format: BankStatement['format'], seed = 20260301): Generator<BankStatement> {
  const rng = new Prng(seed);
  let balance = 1_000_000;
  for (let s = 0; s * PER_STATEMENT < count; s++) {
    const n = Math.min(PER_STATEMENT, count - s * PER_STATEMENT);
    const day = 1 + (s % 28);
    const date = `2025-03-${String(day).padStart(2, '0')}`;
    const opening = { amountMinor: balance, date };
    const entries: StatementEntry[] = [];
    for (let i = 0; i < n; i++) {
      const r = rng.float();
      const credit = r < 0.8;
      const amountMinor = Math.floor(rng.float() * (credit ? 2_500_000 : 40_000));
      balance += credit ? amountMinor : -amountMinor;
      const store = Math.floor(rng.float() * 5000);
      entries.push({
        index: i + 1, amountMinor, direction: credit ? 'credit' : 'debit', currency: 'EUR', bookingDate: date, valueDate: date,
        reference: credit ? `PO-${String(store)}-${String(s)}-${String(i)}` : null,
        bankReference: `B${String(s * PER_STATEMENT + i).padStart(12, '0')}`,
        remittance: credit ? `Card payout store ${String(store)} settlement ${date} batch ${String(i)}` : `Card fees ${date} merchant ${String(store)}`,
        counterparty: pick(NAMES, rng.float()),
        reversal: r > 0.995,
        transactionCode: format === 'camt053' ? (credit ? 'PMNT/RCDT/DMCT' : 'PMNT/CCRD/CHRG') : credit ? 'NTRF' : 'NCHG',
      });
    }
    yield {
      format, statementId: `STMT${String(s).padStart(6, '0')}/${String((s % 99999) + 1)}`, account: 'DE89370400440532013000', currency: 'EUR',
      opening, closing: { amountMinor: balance, date }, createdAt: format === 'camt053' ? `${date}T23:00:00+01:00` : null, entries,
    };
  }
}

function write(chunks: Iterable<string>): { bytes: Buffer; seconds: number } {
  const t = performance.now();
  const parts: Buffer[] = [];
  for (const c of chunks) parts.push(Buffer.from(c));
  const bytes = Buffer.concat(parts);
  return { bytes, seconds: (performance.now() - t) / 1000 };
}

/** Entries for a file of about TARGET_MB: measured on a small file, scaled, then topped up. */
function fileOf(format: 'camt053' | 'mt940', chunks: (s: BankStatement[]) => Iterable<string>): { bytes: Buffer; entries: number; writeMbPerS: number } {
  const probe = write(chunks(generateStatements(2000, format))).bytes.length / 2000;
  let entries = Math.ceil((TARGET_MB * 1e6) / probe);
  for (;;) {
    const statements = generateStatements(entries, format);
    const { bytes, seconds } = write(chunks(statements));
    if (bytes.length >= TARGET_MB * 1e6) return { bytes, entries, writeMbPerS: bytes.length / 1e6 / seconds };
    entries = Math.ceil(entries * 1.05);
  }
}

/** Median MB/s of the rounds, wall clock and per CPU-second of this process (which the load of other jobs disturbs less). */
function parseSpeed(format: 'camt053' | 'mt940', bytes: Buffer, entries: number, rounds = ROUNDS, camtEngine: 'scan' | 'fast-xml-parser' = 'scan'): { wall: number; cpu: number } {
  const speeds: number[] = [];
  const cpuSpeeds: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const t = performance.now();
    const cpu = process.cpuUsage();
    const res = parseStatement(bytes, { format, camtEngine });
    const seconds = (performance.now() - t) / 1000;
    const used = process.cpuUsage(cpu);
    cpuSpeeds.push(bytes.length / 1e6 / ((used.user + used.system) / 1e6));
    if (!res.ok) throw new Error(`${format}: ${res.error.code}: ${res.error.message}`);
    const got = res.statements.reduce((n, s) => n + s.entries.length, 0);
    if (got !== entries) throw new Error(`${format}: read ${String(got)} entries, wrote ${String(entries)}`);
    speeds.push(bytes.length / 1e6 / seconds);
  }
  return { wall: median(speeds), cpu: median(cpuSpeeds) };
}

const camt = fileOf('camt053', (s) => camt053Chunks(s, { messageId: 'BENCH', createdAt: '2025-04-01T00:00:00' }));
const camtSpeed = parseSpeed('camt053', camt.bytes, camt.entries);
const mt = fileOf('mt940', (s) => mt940Chunks(s));
const mtSpeed = parseSpeed('mt940', mt.bytes, mt.entries);
const csvWrite = write(statementCsvChunks(generateStatements(mt.entries, 'csv')));

console.log(`camt053_file: ${(camt.bytes.length / 1e6).toFixed(1)} MB, ${String(camt.entries)} entries`);
console.log(`mt940_file: ${(mt.bytes.length / 1e6).toFixed(1)} MB, ${String(mt.entries)} entries`);
console.log(`camt053_write_mb_per_s: ${camt.writeMbPerS.toFixed(0)} MB/s`);
console.log(`mt940_write_mb_per_s: ${mt.writeMbPerS.toFixed(0)} MB/s`);
console.log(`csv_write_mb_per_s: ${(csvWrite.bytes.length / 1e6 / csvWrite.seconds).toFixed(0)} MB/s`);
console.log(`camt053_parse_mb_per_s: ${camtSpeed.wall.toFixed(1)} MB/s`);
console.log(`mt940_parse_mb_per_s: ${mtSpeed.wall.toFixed(1)} MB/s`);
console.log(`camt053_parse_mb_per_cpu_s: ${camtSpeed.cpu.toFixed(1)} MB per CPU-second`);
console.log(`mt940_parse_mb_per_cpu_s: ${mtSpeed.cpu.toFixed(1)} MB per CPU-second`);
console.log(`load_average: ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
if (COMPARE) console.log(`camt053_parse_fast_xml_parser_mb_per_s: ${parseSpeed('camt053', camt.bytes, camt.entries, 1, 'fast-xml-parser').wall.toFixed(1)} MB/s`);

if (WRITE_ENTRIES > 0) {
  const writers = [
    ['camt053', (f: BankStatement['format']) => camt053Chunks(statementStream(WRITE_ENTRIES, f), { messageId: 'BENCH', createdAt: '2025-04-01T00:00:00' })],
    ['mt940', (f: BankStatement['format']) => mt940Chunks(statementStream(WRITE_ENTRIES, f))],
    ['csv', (f: BankStatement['format']) => statementCsvChunks(statementStream(WRITE_ENTRIES, f))],
  ] as const;
  for (const [format, chunks] of writers) {
    const t = performance.now();
    let bytes = 0;
    for (const c of chunks(format)) bytes += Buffer.byteLength(c);
    const s = (performance.now() - t) / 1000;
    console.log(`${format}_write_${String(WRITE_ENTRIES)}_entries: ${(bytes / 1e6).toFixed(0)} MB in ${s.toFixed(1)} s, ${(bytes / 1e6 / s).toFixed(0)} MB/s (generation included)`);
  }
}
