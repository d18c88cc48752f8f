/**
 * Line decoding throughput: the byte scanner (decodeTransaction) against
 * JSON.parse + validateTransactionValue, over the same 200k generated
 * records in one run. Rounds alternate between the two so drift in CPU
 * speed hits both alike; the median of 5 rounds is printed.
 *
 * The JSON.parse side gets its best case: the whole buffer is decoded to one
 * string per round and lines are sliced from it (one TextDecoder call, not
 * one per line), and it skips the duplicate-key and integer-lexeme checks
 * that only the byte scanner does.
 *
 *   node dist-domain/bench/decode.js [lines]
 */
import { decodeTransaction, validateTransactionValue, type DecodeContext } from '../src/domain/transaction-decoder.js';
import { Prng } from '../src/firehose/prng.js';

const LINES = Number(process.argv[2] ?? 200_000);
const ROUNDS = 5;

/** The project's seeded generator: the figures must not depend on Math.random. */
function prng(seed: number): () => number {
  const rng = new Prng(seed);
  return () => rng.float();
}

const STORE_COUNT = 500;
const CURRENCIES = ['EUR', 'EUR', 'EUR', 'USD', 'GBP', 'JPY', 'INR', 'BHD'] as const;
const OFFSETS = ['+01:00', '+01:00', '-05:00', 'Z', '+09:00', '+05:30', '+03:00', '+05:45'] as const;

function pick<T>(xs: readonly T[], r: number): T {
  const x = xs[Math.floor(r * xs.length)];
  if (x === undefined) throw new RangeError('pick: empty list');
  return x;
}

function generate(count: number): { buf: Uint8Array; starts: Int32Array; ends: Int32Array } {
  const rnd = prng(20260301);
  const seqs = new Map<string, number>();
  const parts: string[] = [];
  for (let n = 0; n < count; n++) {
    const s = Math.floor(rnd() * STORE_COUNT);
    const store = `S${String(s + 1).padStart(4, '0')}`;
    const terminal = `${store}-T${String(1 + Math.floor(rnd() * 6))}`;
    const seq = (seqs.get(terminal) ?? Math.floor(rnd() * 100_000)) + 1;
    seqs.set(terminal, seq);
    const r = rnd();
    const type = r < 0.9 ? 'sale' : r < 0.97 ? 'refund' : 'void';
    const currency = CURRENCIES[s % CURRENCIES.length]!;
    const amount = currency === 'JPY' ? 100 + Math.floor(rnd() * 20_000) : 99 + Math.floor(rnd() * 25_000);
    const tax = Math.floor(amount * 0.16);
    const t = rnd();
    const tender = t < 0.6 ? 'card' : t < 0.85 ? 'cash' : t < 0.95 ? 'wallet' : 'gift_card';
    const hh = String(8 + Math.floor(rnd() * 13)).padStart(2, '0');
    const mm = String(Math.floor(rnd() * 60)).padStart(2, '0');
    const ss = String(Math.floor(rnd() * 60)).padStart(2, '0');
    const ms = String(Math.floor(rnd() * 1000)).padStart(3, '0');
    const fields = [
      `"txn_id":"R-${terminal}-20260301-${String(seq).padStart(8, '0')}"`,
      `"store_id":"${store}"`,
      `"terminal_id":"${terminal}"`,
      `"seq":${String(seq)}`,
      `"ts":"2026-03-01T${hh}:${mm}:${ss}.${ms}${OFFSETS[s % OFFSETS.length]!}"`,
      `"type":"${type}"`,
      `"amount_minor":${String(amount)}`,
      `"currency":"${currency}"`,
      `"tax_minor":${String(tax)}`,
      `"discount_minor":${String(rnd() < 0.8 ? 0 : Math.floor(amount * 0.1))}`,
      `"tender":"${tender}"`,
    ];
    if (tender === 'card' || tender === 'wallet') fields.push(`"card_brand":"${pick(['visa', 'visa', 'mastercard', 'amex', 'jcb'], rnd())}"`);
    fields.push(`"items":${String(1 + Math.floor(rnd() * 12))}`);
    if (type !== 'sale') fields.push(`"ref_txn_id":"R-${terminal}-20260301-${String(Math.max(1, seq - 7)).padStart(8, '0')}"`);
    fields.push(`"tenant":"acme-retail"`);
    parts.push(`{${fields.join(',')}}`);
  }
  const buf = new TextEncoder().encode(`${parts.join('\n')}\n`);
  const starts = new Int32Array(count);
  const ends = new Int32Array(count);
  let at = 0;
  for (let n = 0; n < count; n++) {
    starts[n] = at;
    at = buf.indexOf(0x0a, at);
    ends[n] = at;
    at++;
  }
  return { buf, starts, ends };
}

const stores = new Set(Array.from({ length: STORE_COUNT }, (_, i) => `S${String(i + 1).padStart(4, '0')}`));
const ctx: DecodeContext = {
  tenant: 'acme-retail',
  nowMs: Date.parse('2026-03-02T00:00:00Z'),
  hasStore: (id) => stores.has(id),
  maxLineBytes: 4096,
};

const { buf, starts, ends } = generate(LINES);
const utf8 = new TextDecoder();

function runScanner(): number {
  let accepted = 0;
  for (let n = 0; n < LINES; n++) if (decodeTransaction(buf, starts[n]!, ends[n]!, ctx).ok) accepted++;
  return accepted;
}

function runJsonParse(): number {
  // Lines are ASCII, so byte offsets are string offsets.
  const text = utf8.decode(buf);
  let accepted = 0;
  for (let n = 0; n < LINES; n++) {
    if (validateTransactionValue(JSON.parse(text.slice(starts[n]!, ends[n]!)), ctx).ok) accepted++;
  }
  return accepted;
}

function timed(run: () => number): { linesPerS: number; accepted: number } {
  const t0 = process.hrtime.bigint();
  const accepted = run();
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  return { linesPerS: LINES / s, accepted };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

// Warm-up round each, so both sides are measured optimised.
const warm = [timed(runScanner), timed(runJsonParse)];
if (warm[0]!.accepted !== LINES || warm[1]!.accepted !== LINES) {
  throw new Error(`generated lines should all be valid: scanner ${String(warm[0]!.accepted)}, JSON.parse ${String(warm[1]!.accepted)} of ${String(LINES)}`);
}
const scanner: number[] = [];
const jsonParse: number[] = [];
for (let r = 0; r < ROUNDS; r++) {
  scanner.push(timed(runScanner).linesPerS);
  jsonParse.push(timed(runJsonParse).linesPerS);
}
const result = {
  lines: LINES,
  avg_line_bytes: Math.round((buf.length - LINES) / LINES),
  decode_scanner_lines_per_s: Math.round(median(scanner)),
  decode_json_parse_lines_per_s: Math.round(median(jsonParse)),
  decode_speedup_ratio: Number((median(scanner) / median(jsonParse)).toFixed(2)),
};
console.log(`lines: ${String(result.lines)}`);
console.log(`avg_line_bytes: ${String(result.avg_line_bytes)}`);
console.log(`decode_scanner_lines_per_s: ${String(result.decode_scanner_lines_per_s)}`);
console.log(`decode_json_parse_lines_per_s: ${String(result.decode_json_parse_lines_per_s)}`);
console.log(`decode_speedup_ratio: ${String(result.decode_speedup_ratio)}`);
console.log(JSON.stringify(result));
