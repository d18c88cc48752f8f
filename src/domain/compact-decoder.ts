/**
 * Compact record (compact-record.ts) → a validated Transaction or a reject,
 * by the same rules, in the same order and with the same messages as the
 * NDJSON decoder (transaction-rules.ts). Only what a binary layout can get
 * wrong is its own: a frame or field length that overruns the record, an
 * unknown version or flag, text that is not UTF-8 (`invalid_record`, the
 * compact form of `invalid_json`), and the messages that show an
 * enumeration code or an epoch timestamp rather than the text a JSON line
 * would have.
 *
 * Check order (the first failing check decides the code):
 *   1. record length (`line_too_long`)
 *   2. the layout: version, flags, every length, UTF-8 (`invalid_record`)
 *   3. `extra`: one JSON object, no key twice, no key of the record table
 *      (`invalid_json`, `not_an_object`, `duplicate_field`)
 *   4. each field in FIELD_ORDER, with the NDJSON rules
 */
import { currencyOfBytes } from './currency.js';
import { AsciiInterner } from './json-text.js';
import {
  COMPACT_HEADER, COMPACT_MIN_BYTES, COMPACT_VERSION, FLAG_CARD_BRAND, FLAG_DISCOUNT, FLAG_EXTRA, FLAG_ITEMS, FLAG_REF_TXN_ID, FLAG_TENANT,
  KNOWN_FLAGS, O_AMOUNT, O_CARD_BRAND, O_CURRENCY, O_FLAGS, O_SEQ, O_TAX, O_TENDER, O_TERMINAL_LEN, O_TS, O_TS_OFFSET, O_TYPE, O_VERSION,
  i64At, i64Negative, i64Text, u16At,
} from './compact-record.js';
import { fieldName } from './transaction-fields.js';
import {
  MAX_FUTURE_MS, MAX_ID_CHARS, MAX_SAFE, codePointLength, isTxnId, msg, reject, showString,
  type DecodeContext, type DecodeResult, type FieldName,
} from './transaction-rules.js';
import { RecordScanner, SCAN_DUPLICATE, SCAN_INVALID_JSON, SCAN_NOT_OBJECT } from './transaction-scanner.js';
import { idString, isIdBytes } from './transaction-slots.js';
import { CARD_BRANDS, TENDERS, TXN_TYPES, type CardBrand, type Tender, type TxnType } from './transaction.js';

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const utf8Encoder = new TextEncoder();
const ids = new AsciiInterner();
const extraScanner = new RecordScanner();
let tenantText = '';
let tenantBytes = new Uint8Array(0);

/** 0000-01-01T00:00:00Z and 10000-01-01T00:00:00Z: the span RFC 3339 can write. */
const MIN_LOCAL_MS = -62_167_219_200_000;
const END_LOCAL_MS = 253_402_300_800_000;
const MAX_OFFSET_MIN = 23 * 60 + 59;

// String fields found by the layout pass: start and end per slot, reused (no allocation per record).
const S_TERMINAL = 0;
const S_TXN_ID = 1;
const S_STORE_ID = 2;
const S_TENANT = 3;
const S_REF = 4;
const S_EXTRA = 5;
const STRING_NAMES = ['terminal_id', 'txn_id', 'store_id', 'tenant', 'ref_txn_id', 'extra'] as const;
const sStart = new Int32Array(6);
const sEnd = new Int32Array(6);
/** Bit per string slot that holds a byte ≥ 0x80 (valid UTF-8, checked). */
let nonAscii = 0;
let discountAt = -1;
let itemsAt = -1;
let layoutError = '';

/**
 * Decodes and validates the compact record body `buf[start, end)` for
 * `ctx.tenant`. Expected failures are returned, not thrown.
 * @example
 * const body = frame.subarray(2);
 * const r = decodeCompactTransaction(body, 0, body.length, { tenant: 'acme', nowMs: Date.now(), hasStore: (id) => id === 'S1', maxLineBytes: 4096 });
 * if (!r.ok) console.log(r.code, r.message); // e.g. invalid_record "store_id at byte 60 overruns the record of 58 bytes"
 */
export function decodeCompactTransaction(buf: Uint8Array, start: number, end: number, ctx: DecodeContext): DecodeResult {
  const bad = checkStructure(buf, start, end, ctx);
  if (bad !== null) return bad;
  return applyRules(buf, start, buf[start + O_FLAGS]!, ctx, true) as DecodeResult;
}

/** A record that passed every rule: what ingest needs of it to dedup and route it. */
export interface CompactAccepted {
  ok: true;
  seq: number;
  /** terminal_id's UTF-8 bytes in the buffer checked. */
  terminalStart: number;
  terminalEnd: number;
}

export type CompactRejected = Extract<DecodeResult, { ok: false }>;

const accepted: CompactAccepted = { ok: true, seq: 0, terminalStart: 0, terminalEnd: 0 };

/**
 * The rules of {@link decodeCompactTransaction} without building the
 * Transaction: ingest copies an accepted compact record into the log as it
 * is, so it needs the verdict, the seq and where terminal_id is, and no
 * string unless it rejects. Store ids are checked by bytes when the context
 * has `hasStoreBytes`. The accepted result is one shared object, valid
 * until the next call.
 */
export function checkCompactTransaction(buf: Uint8Array, start: number, end: number, ctx: DecodeContext): CompactAccepted | CompactRejected {
  const bad = checkStructure(buf, start, end, ctx);
  if (bad !== null) return bad as CompactRejected;
  return applyRules(buf, start, buf[start + O_FLAGS]!, ctx, false) as CompactAccepted | CompactRejected;
}

/** Steps 1–3 of the check order; null when the record's layout and extra are sound. */
function checkStructure(buf: Uint8Array, start: number, end: number, ctx: DecodeContext): DecodeResult | null {
  if (!(start >= 0 && start <= end && end <= buf.length)) {
    throw new RangeError(`decodeCompactTransaction: range [${String(start)}, ${String(end)}) is outside a buffer of ${String(buf.length)} bytes`);
  }
  const n = end - start;
  if (n > ctx.maxLineBytes) return reject('line_too_long', null, msg.recordTooLong(n, ctx.maxLineBytes));
  if (!layout(buf, start, end)) return reject('invalid_record', null, layoutError);
  if ((buf[start + O_FLAGS]! & FLAG_EXTRA) !== 0) return checkExtra(buf, sStart[S_EXTRA]!, sEnd[S_EXTRA]!);
  return null;
}

/** Finds every field of the record and checks lengths and UTF-8; false with `layoutError` set if any is wrong. */
function layout(b: Uint8Array, start: number, end: number): boolean {
  const n = end - start;
  if (n < COMPACT_MIN_BYTES) return fail(msg.recordTooShort(n, COMPACT_MIN_BYTES));
  const version = b[start + O_VERSION]!;
  if (version !== COMPACT_VERSION) return fail(msg.recordVersion(version, COMPACT_VERSION));
  const flags = b[start + O_FLAGS]!;
  if ((flags & ~KNOWN_FLAGS) !== 0) return fail(msg.recordFlags(flags, KNOWN_FLAGS));
  const brand = b[start + O_CARD_BRAND]!;
  if ((flags & FLAG_CARD_BRAND) === 0 && brand !== 0) return fail(msg.recordBrandWithoutFlag(brand));
  nonAscii = 0;
  discountAt = -1;
  itemsAt = -1;
  let at = start + COMPACT_HEADER;
  const k = u16At(b, start + O_TERMINAL_LEN);
  if (at + k > end) return fail(msg.recordOverrun('terminal_id', O_TERMINAL_LEN, n));
  sStart[S_TERMINAL] = at;
  sEnd[S_TERMINAL] = at += k;
  if ((at = string(b, start, at, end, S_TXN_ID)) < 0) return false;
  if ((at = string(b, start, at, end, S_STORE_ID)) < 0) return false;
  if ((flags & FLAG_TENANT) !== 0 && (at = string(b, start, at, end, S_TENANT)) < 0) return false;
  if ((flags & FLAG_DISCOUNT) !== 0) {
    if (at + 8 > end) return fail(msg.recordOverrun('discount_minor', at - start, n));
    discountAt = at;
    at += 8;
  }
  if ((flags & FLAG_ITEMS) !== 0) {
    if (at + 8 > end) return fail(msg.recordOverrun('items', at - start, n));
    itemsAt = at;
    at += 8;
  }
  if ((flags & FLAG_REF_TXN_ID) !== 0 && (at = string(b, start, at, end, S_REF)) < 0) return false;
  if ((flags & FLAG_EXTRA) !== 0 && (at = string(b, start, at, end, S_EXTRA)) < 0) return false;
  if (at !== end) return fail(msg.recordTrailing(end - at));
  // UTF-8, after the lengths: a record that is cut short reports that first.
  for (let s = S_TERMINAL; s <= S_EXTRA; s++) {
    if (s === S_TENANT && (flags & FLAG_TENANT) === 0) continue;
    if (s === S_REF && (flags & FLAG_REF_TXN_ID) === 0) continue;
    if (s === S_EXTRA && (flags & FLAG_EXTRA) === 0) continue;
    const from = sStart[s]!;
    const to = sEnd[s]!;
    let i = from;
    while (i < to && b[i]! < 0x80) i++;
    if (i === to) continue;
    nonAscii |= 1 << s;
    try {
      strictUtf8.decode(b.subarray(from, to));
    } catch {
      return fail(msg.recordNotUtf8(STRING_NAMES[s]!));
    }
  }
  return true;
}

/** A u16-length-prefixed string at `at`; returns the offset after it, or -1. */
function string(b: Uint8Array, start: number, at: number, end: number, slot: number): number {
  if (at + 2 > end) {
    fail(msg.recordOverrun(`${STRING_NAMES[slot]!} length`, at - start, end - start));
    return -1;
  }
  const len = u16At(b, at);
  if (at + 2 + len > end) {
    fail(msg.recordOverrun(STRING_NAMES[slot]!, at - start, end - start));
    return -1;
  }
  sStart[slot] = at + 2;
  sEnd[slot] = at + 2 + len;
  return at + 2 + len;
}

function fail(message: string): false {
  layoutError = message;
  return false;
}

/** `extra` must be one JSON object with keys of its own (the record's fields are in the layout). */
function checkExtra(b: Uint8Array, from: number, to: number): DecodeResult | null {
  const status = extraScanner.scan(b, from, to);
  if (status === SCAN_INVALID_JSON) return reject('invalid_json', 'extra', msg.extraJson(`invalid JSON at byte ${String(extraScanner.errorOffset)}: ${extraScanner.errorReason}`));
  if (status === SCAN_NOT_OBJECT) return reject('not_an_object', 'extra', msg.extraJson('it is not an object'));
  if (status === SCAN_DUPLICATE) return reject('duplicate_field', extraScanner.duplicateKey, msg.duplicate(extraScanner.duplicateKey));
  const seen = extraScanner.seen;
  if (seen !== 0) {
    const name = fieldName(31 - Math.clz32(seen & -seen));
    return reject('duplicate_field', name, msg.duplicate(name));
  }
  return null;
}

function text(b: Uint8Array, slot: number): string {
  const from = sStart[slot]!;
  const to = sEnd[slot]!;
  return (nonAscii & (1 << slot)) === 0 ? ids.get(b, from, to) : strictUtf8.decode(b.subarray(from, to));
}

/** How a message shows an i64 field: its exact decimal value. */
function shownInt(b: Uint8Array, o: number): string {
  return i64Text(b, o);
}

function intError(field: FieldName, b: Uint8Array, o: number, rule: (f: FieldName, got: string) => string): DecodeResult {
  return reject('invalid_value', field, rule(field, shownInt(b, o)));
}

/** A valid compact timestamp as RFC 3339 text, the way a message shows it. */
function shownTimestamp(ms: number, offsetMin: number): string {
  const local = new Date(ms + offsetMin * 60_000).toISOString().slice(0, -1);
  if (offsetMin === 0) return `'${local}Z'`;
  const a = Math.abs(offsetMin);
  const hh = String(Math.floor(a / 60)).padStart(2, '0');
  const mm = String(a % 60).padStart(2, '0');
  return `'${local}${offsetMin < 0 ? '-' : '+'}${hh}:${mm}'`;
}

/** An optional count (discount_minor, items): null, the value, or a reject. */
function optionalCount(b: Uint8Array, at: number, field: FieldName): number | DecodeResult | null {
  if (at < 0) return null;
  const v = i64At(b, at);
  if (i64Negative(b, at)) return intError(field, b, at, msg.nonNegative);
  if (Number.isNaN(v) || v > MAX_SAFE) return intError(field, b, at, msg.tooLarge);
  return v;
}

/** The field rules; `build` false returns {@link CompactAccepted} instead of a Transaction. */
function applyRules(b: Uint8Array, o: number, flags: number, ctx: DecodeContext, build: boolean): DecodeResult | CompactAccepted {
  if ((flags & FLAG_TENANT) !== 0) {
    if (ctx.tenant !== tenantText) {
      tenantText = ctx.tenant;
      tenantBytes = utf8Encoder.encode(ctx.tenant);
    }
    const from = sStart[S_TENANT]!;
    const len = sEnd[S_TENANT]! - from;
    let same = len === tenantBytes.length;
    for (let i = 0; same && i < len; i++) same = b[from + i] === tenantBytes[i];
    if (!same) return reject('tenant_mismatch', 'tenant', msg.tenantMismatch(showString(text(b, S_TENANT)), ctx.tenant));
  }

  let txnId: string | null = null;
  const idAscii = (nonAscii & (1 << S_TXN_ID)) === 0;
  if (build) {
    if (idAscii) txnId = idString(b, sStart[S_TXN_ID]!, sEnd[S_TXN_ID]!);
    if (txnId === null) return reject('invalid_value', 'txn_id', msg.idPattern('txn_id', showString(text(b, S_TXN_ID))));
  } else if (!(idAscii && isIdBytes(b, sStart[S_TXN_ID]!, sEnd[S_TXN_ID]!))) {
    return reject('invalid_value', 'txn_id', msg.idPattern('txn_id', showString(text(b, S_TXN_ID))));
  }

  let storeId = '';
  if (build || ctx.hasStoreBytes === undefined) {
    storeId = text(b, S_STORE_ID);
    if (!ctx.hasStore(storeId)) return reject('unknown_store', 'store_id', msg.unknownStore(storeId, ctx.tenant));
  } else if (!ctx.hasStoreBytes(b, sStart[S_STORE_ID]!, sEnd[S_STORE_ID]!)) {
    return reject('unknown_store', 'store_id', msg.unknownStore(text(b, S_STORE_ID), ctx.tenant));
  }

  // An ASCII terminal_id has as many characters as bytes: no string needed to count them.
  const terminalAscii = (nonAscii & (1 << S_TERMINAL)) === 0;
  const terminalId = build || !terminalAscii ? text(b, S_TERMINAL) : '';
  const terminalChars = terminalAscii ? sEnd[S_TERMINAL]! - sStart[S_TERMINAL]! : codePointLength(terminalId);
  if (terminalChars === 0 || terminalChars > MAX_ID_CHARS) return reject('invalid_value', 'terminal_id', msg.idLength('terminal_id', showString(text(b, S_TERMINAL))));

  const seq = i64At(b, o + O_SEQ);
  if (!(seq >= 0 && seq <= MAX_SAFE)) return reject('invalid_value', 'seq', msg.seqRange(shownInt(b, o + O_SEQ)));

  const ts = i64At(b, o + O_TS);
  let offsetMin = u16At(b, o + O_TS_OFFSET);
  if (offsetMin >= 0x8000) offsetMin -= 0x10000;
  const local = ts + offsetMin * 60_000;
  if (Number.isNaN(ts) || offsetMin < -MAX_OFFSET_MIN || offsetMin > MAX_OFFSET_MIN || !(local >= MIN_LOCAL_MS && local < END_LOCAL_MS)) {
    return reject('invalid_timestamp', 'ts', msg.compactTimestamp(`${shownInt(b, o + O_TS)} ms at offset ${String(offsetMin)} min`));
  }
  if (ts > ctx.nowMs + MAX_FUTURE_MS) return reject('timestamp_in_future', 'ts', msg.future(shownTimestamp(ts, offsetMin)));

  const typeCode = b[o + O_TYPE]!;
  const type: TxnType | undefined = TXN_TYPES[typeCode];
  if (type === undefined) return reject('invalid_value', 'type', msg.oneOf('type', TXN_TYPES, `code ${String(typeCode)}`));

  const amount = i64At(b, o + O_AMOUNT);
  if (i64Negative(b, o + O_AMOUNT) || amount === 0) return intError('amount_minor', b, o + O_AMOUNT, msg.positive);
  if (!(amount <= MAX_SAFE)) return intError('amount_minor', b, o + O_AMOUNT, msg.tooLarge);

  const currency = currencyOfBytes(b, o + O_CURRENCY);
  if (currency === undefined) {
    const c = o + O_CURRENCY;
    return reject('unknown_currency', 'currency', msg.unknownCurrency(showString(String.fromCharCode(b[c]!, b[c + 1]!, b[c + 2]!))));
  }

  const tax = i64At(b, o + O_TAX);
  if (i64Negative(b, o + O_TAX)) return intError('tax_minor', b, o + O_TAX, msg.nonNegative);
  if (!(tax <= amount)) return reject('invalid_value', 'tax_minor', msg.taxAboveAmount(amount, shownInt(b, o + O_TAX)));

  const discount = optionalCount(b, discountAt, 'discount_minor');
  if (typeof discount === 'object' && discount !== null) return discount;

  const tenderCode = b[o + O_TENDER]!;
  const tender: Tender | undefined = TENDERS[tenderCode];
  if (tender === undefined) return reject('invalid_value', 'tender', msg.oneOf('tender', TENDERS, `code ${String(tenderCode)}`));

  let cardBrand: CardBrand | null = null;
  if ((flags & FLAG_CARD_BRAND) !== 0) {
    const code = b[o + O_CARD_BRAND]!;
    const brand: CardBrand | undefined = CARD_BRANDS[code];
    if (brand === undefined) return reject('invalid_value', 'card_brand', msg.oneOf('card_brand', CARD_BRANDS, `code ${String(code)}`));
    if (tender !== 'card' && tender !== 'wallet') return reject('invalid_value', 'card_brand', msg.brandWithoutCard(showString(brand), tender));
    cardBrand = brand;
  }

  const items = optionalCount(b, itemsAt, 'items');
  if (typeof items === 'object' && items !== null) return items;

  let refTxnId: string | null = null;
  if ((flags & FLAG_REF_TXN_ID) === 0) {
    if (type === 'void') return reject('missing_field', 'ref_txn_id', msg.missingRef());
  } else if (!build) {
    if (!((nonAscii & (1 << S_REF)) === 0 && isIdBytes(b, sStart[S_REF]!, sEnd[S_REF]!))) return reject('invalid_value', 'ref_txn_id', msg.idPattern('ref_txn_id', showString(text(b, S_REF))));
  } else {
    refTxnId = (nonAscii & (1 << S_REF)) === 0 ? idString(b, sStart[S_REF]!, sEnd[S_REF]!) : null;
    if (refTxnId === null) {
      const shown = text(b, S_REF);
      if (!isTxnId(shown)) return reject('invalid_value', 'ref_txn_id', msg.idPattern('ref_txn_id', showString(shown)));
      refTxnId = shown;
    }
  }

  if (!build) {
    accepted.seq = seq;
    accepted.terminalStart = sStart[S_TERMINAL]!;
    accepted.terminalEnd = sEnd[S_TERMINAL]!;
    return accepted;
  }

  return {
    ok: true,
    txn: {
      txn_id: txnId!,
      store_id: storeId,
      terminal_id: terminalId,
      seq,
      ts,
      ts_offset_min: offsetMin,
      type,
      amount_minor: amount,
      currency,
      tax_minor: tax,
      discount_minor: discount,
      tender,
      card_brand: cardBrand,
      items,
      ref_txn_id: refTxnId,
    },
  };
}
