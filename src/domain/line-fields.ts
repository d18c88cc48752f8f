/**
 * The fields of an accepted NDJSON line as the byte decoder leaves them
 * (transaction-decoder.ts, `checkTransactionLine`): numbers and enumeration
 * constants as values, ids as byte ranges of the line wherever the bytes
 * are the value's UTF-8 (plain ASCII, no escapes), and as strings only for
 * the rare id that had escapes or non-ASCII characters.
 *
 * Ingest writes a line's compact record straight from these ranges
 * ({@link encodeCompactLine}): no Transaction object and no id string per
 * record. Building the four id strings, looking the store up by string and
 * encoding them back to UTF-8 cost ~0.8 µs of the ~2.6 µs a worker spent
 * per line (docs/performance.md, "Ingest").
 */
import {
  COMPACT_HEADER, COMPACT_MAX_BYTES, COMPACT_VERSION, FLAG_CARD_BRAND, FLAG_DISCOUNT, FLAG_ITEMS, FLAG_REF_TXN_ID,
  O_AMOUNT, O_CARD_BRAND, O_CURRENCY, O_FLAGS, O_SEQ, O_TAX, O_TENDER, O_TERMINAL_LEN, O_TS, O_TS_OFFSET, O_TYPE, O_VERSION,
  writeI64, writeText, writeU16,
} from './compact-record.js';
import { CARD_BRANDS, TENDERS, TXN_TYPES, type CardBrand, type Tender, type TxnType } from './transaction.js';

/** One decoded line; the decoder reuses a single instance, so read it before the next decode. */
export class LineFields {
  /** `txn_id`: the range `[txnStart, txnEnd)` of the line when `txnText` is null, else the text. */
  txnStart = 0;
  txnEnd = 0;
  txnText: string | null = null;
  storeStart = 0;
  storeEnd = 0;
  storeText: string | null = null;
  terminalStart = 0;
  terminalEnd = 0;
  terminalText: string | null = null;
  /** Whether the line has a `ref_txn_id` (then its range or text as for the others). */
  hasRef = false;
  refStart = 0;
  refEnd = 0;
  refText: string | null = null;
  seq = 0;
  ts = 0;
  tsOffsetMin = 0;
  type: TxnType = 'sale';
  amount = 0;
  currency = '';
  tax = 0;
  discount: number | null = null;
  tender: Tender = 'card';
  cardBrand: CardBrand | null = null;
  items: number | null = null;
  /** Whether the line had top-level fields outside the record table (it is then kept beside its compact record). */
  hasUnknownFields = false;
}

/** Upper bound of the compact body {@link encodeCompactLine} writes for a line of `lineBytes` bytes. */
export function compactLineMaxSize(lineBytes: number): number {
  // Every id's UTF-8 is at most as long as its JSON text (an escape never
  // yields more bytes than it takes), so the ids fit in the line's length;
  // the rest is the fixed header, four u16 lengths and two i64s.
  return COMPACT_HEADER + 8 + 16 + lineBytes;
}

/**
 * writeI64 for the values a line holds: non-negative safe integers (the
 * rules have checked them), without its integer checks, and with a 32-bit
 * path for the small ones (amounts, seqs, counts).
 */
function writeCount(b: Uint8Array, o: number, v: number): void {
  let lo = v;
  let hi = 0;
  if (v > 0xffffffff) {
    hi = Math.floor(v / 4294967296);
    lo = v - hi * 4294967296;
  }
  b[o] = lo & 0xff;
  b[o + 1] = (lo >>> 8) & 0xff;
  b[o + 2] = (lo >>> 16) & 0xff;
  b[o + 3] = lo >>> 24;
  b[o + 4] = hi & 0xff;
  b[o + 5] = (hi >>> 8) & 0xff;
  b[o + 6] = (hi >>> 16) & 0xff;
  b[o + 7] = hi >>> 24;
}

/** Copies an id's range, or writes its text, at `o`; returns its byte length. */
function writeId(b: Uint8Array, o: number, src: Uint8Array, start: number, end: number, text: string | null): number {
  if (text !== null) return writeText(b, o, text);
  // Ids are ~10 bytes: a byte loop beats a native copy's call overhead.
  for (let i = start; i < end; i++) b[o + i - start] = src[i]!;
  return end - start;
}

function writeLengthPrefixed(b: Uint8Array, o: number, src: Uint8Array, start: number, end: number, text: string | null, field: string): number {
  const n = writeId(b, o + 2, src, start, end, text);
  if (n > COMPACT_MAX_BYTES) throw new RangeError(`compact record: ${field} is ${String(n)} bytes, over ${String(COMPACT_MAX_BYTES)}`);
  writeU16(b, o, n);
  return o + 2 + n;
}

/**
 * Writes the compact record of a decoded line (`src` is the buffer the line
 * was decoded from) at `b[o…]` and returns the offset after it: byte for
 * byte what `encodeCompactRecord` writes for the Transaction that
 * `decodeTransaction` returns for the same line (checked by the decoder's
 * differential test). Size `b` with {@link compactLineMaxSize}.
 * @example
 * const r = checkTransactionLine(buf, start, end, ctx);
 * if (r.ok) end = encodeCompactLine(out, 0, r.fields, buf);
 */
export function encodeCompactLine(b: Uint8Array, o: number, f: LineFields, src: Uint8Array): number {
  let flags = 0;
  if (f.discount !== null) flags |= FLAG_DISCOUNT;
  if (f.cardBrand !== null) flags |= FLAG_CARD_BRAND;
  if (f.items !== null) flags |= FLAG_ITEMS;
  if (f.hasRef) flags |= FLAG_REF_TXN_ID;
  b[o + O_VERSION] = COMPACT_VERSION;
  b[o + O_FLAGS] = flags;
  b[o + O_TYPE] = TXN_TYPES.indexOf(f.type);
  b[o + O_TENDER] = TENDERS.indexOf(f.tender);
  b[o + O_CARD_BRAND] = f.cardBrand === null ? 0 : CARD_BRANDS.indexOf(f.cardBrand);
  const c = f.currency;
  b[o + O_CURRENCY] = c.charCodeAt(0);
  b[o + O_CURRENCY + 1] = c.charCodeAt(1);
  b[o + O_CURRENCY + 2] = c.charCodeAt(2);
  writeU16(b, o + O_TS_OFFSET, f.tsOffsetMin & 0xffff);
  writeCount(b, o + O_SEQ, f.seq);
  // ts may be before 1970: the general writer handles negatives.
  writeI64(b, o + O_TS, f.ts);
  writeCount(b, o + O_AMOUNT, f.amount);
  writeCount(b, o + O_TAX, f.tax);
  const k = writeId(b, o + COMPACT_HEADER, src, f.terminalStart, f.terminalEnd, f.terminalText);
  writeU16(b, o + O_TERMINAL_LEN, k);
  let at = o + COMPACT_HEADER + k;
  at = writeLengthPrefixed(b, at, src, f.txnStart, f.txnEnd, f.txnText, 'txn_id');
  at = writeLengthPrefixed(b, at, src, f.storeStart, f.storeEnd, f.storeText, 'store_id');
  if (f.discount !== null) {
    writeCount(b, at, f.discount);
    at += 8;
  }
  if (f.items !== null) {
    writeCount(b, at, f.items);
    at += 8;
  }
  if (f.hasRef) at = writeLengthPrefixed(b, at, src, f.refStart, f.refEnd, f.refText, 'ref_txn_id');
  if (at - o > COMPACT_MAX_BYTES) throw new RangeError(`compact record: ${String(at - o)} bytes, over ${String(COMPACT_MAX_BYTES)}`);
  return at;
}
