/**
 * The ingest hot path: one NDJSON line (bytes) → a validated Transaction or
 * a reject with a stable code. Runs ~500k times a second per partition, so
 * it works on the bytes: one scan (transaction-scanner.ts), then the field
 * rules below read byte ranges (helpers in transaction-slots.ts) and build
 * strings only for values the Transaction keeps. Enumerations and
 * currencies are matched by bytes and return shared constant strings;
 * store and terminal ids come from a small intern cache.
 *
 * The rules, their order and their messages are in transaction-rules.ts;
 * transaction-reference.ts applies the same rules to a JSON.parse'd value
 * and the tests check that both agree on many thousands of mutated lines.
 */
import { currencyExponent, currencyOfBytes } from './currency.js';
import { NUMBER_NOT_INTEGER, STRING_ESCAPED, STRING_LONE_SURROGATE } from './json-scan.js';
import { parseRfc3339, parseRfc3339Bytes, type ParsedTimestamp } from './timestamp.js';
import {
  asciiBytes, bytesEqualTo, F_AMOUNT, F_CARD_BRAND, F_CURRENCY, F_DISCOUNT, F_ITEMS, F_REF_TXN_ID, F_SEQ, F_STORE_ID, F_TAX,
  F_TENANT, F_TENDER, F_TERMINAL_ID, F_TS, F_TXN_ID, F_TYPE, K_ABSENT, K_NULL, K_NUMBER, K_STRING,
} from './transaction-fields.js';
import { RecordScanner, SCAN_DUPLICATE, SCAN_INVALID_JSON, SCAN_NOT_OBJECT } from './transaction-scanner.js';
import {
  MAX_FUTURE_MS, MAX_ID_CHARS, MAX_SAFE, codePointLength, isTxnId, msg, reject, showString,
  type DecodeContext, type DecodeFailure, type DecodeResult,
} from './transaction-rules.js';
import {
  SLOW_STRING, enumOf, idOf, integerOf, internedId, isIdBytes, optionalCount, requiredError, shownOf, stringOf, typeError, valueError,
} from './transaction-slots.js';
import { asciiString } from './json-text.js';
import { LineFields } from './line-fields.js';
import { CARD_BRANDS, TENDERS, TXN_TYPES, type CardBrand, type Tender, type Transaction, type TxnType } from './transaction.js';

export type { DecodeContext, DecodeFailure, DecodeResult } from './transaction-rules.js';
export { LineFields } from './line-fields.js';
export { validateTransactionValue } from './transaction-reference.js';

const TXN_TYPE_BYTES = TXN_TYPES.map(asciiBytes);
const TENDER_BYTES = TENDERS.map(asciiBytes);
const CARD_BRAND_BYTES = CARD_BRANDS.map(asciiBytes);
const utf8Encoder = new TextEncoder();
/** ctx.tenant as UTF-8, recomputed only when the tenant changes between calls. */
let tenantText = '';
let tenantBytes = new Uint8Array(0);

const shared = new RecordScanner();

/**
 * Decodes and validates one line `buf[start, end)` (no line ending; one
 * trailing `\r` is ignored) as a transaction record v1 for `ctx.tenant`.
 * Expected failures are returned, not thrown; it throws only if the range
 * is outside `buf`.
 * @example
 * const line = new TextEncoder().encode('{"txn_id":"R-1","store_id":"S1", … }');
 * const r = decodeTransaction(line, 0, line.length, { tenant: 'acme', nowMs: Date.now(), hasStore: (id) => id === 'S1', maxLineBytes: 4096 });
 * if (!r.ok) console.log(r.code, r.message); // e.g. invalid_value "amount_minor must be an integer > 0, got -5"
 */
export function decodeTransaction(buf: Uint8Array, start: number, end: number, ctx: DecodeContext): DecodeResult {
  const r = checkTransactionLine(buf, start, end, ctx);
  return r.ok ? { ok: true, txn: toTransaction(buf, r.fields) } : r;
}

export type LineResult = { ok: true; fields: LineFields } | DecodeFailure;

/**
 * The same decode and rules as {@link decodeTransaction}, with the same
 * verdicts and messages, but an accepted line is left as {@link LineFields}
 * (ids as byte ranges of `buf`) instead of a Transaction: what ingest needs
 * to write its compact record without building a string per id. The store
 * is looked up with `ctx.hasStoreBytes` when given. The result is reused by
 * the next call: read it first.
 * @example
 * const r = checkTransactionLine(buf, start, end, ctx);
 * if (r.ok) n = encodeCompactLine(out, 0, r.fields, buf);
 */
export function checkTransactionLine(buf: Uint8Array, start: number, end: number, ctx: DecodeContext): LineResult {
  if (!(start >= 0 && start <= end && end <= buf.length)) {
    throw new RangeError(`decodeTransaction: range [${String(start)}, ${String(end)}) is outside a buffer of ${String(buf.length)} bytes`);
  }
  if (end > start && buf[end - 1] === 0x0d) end--;
  if (end - start > ctx.maxLineBytes) return reject('line_too_long', null, msg.tooLong(end - start, ctx.maxLineBytes));
  // ctx.hasStore is caller code and could, in principle, decode another line
  // before returning; a second scanner keeps the first one's slots intact.
  const own = !shared.busy;
  const scanner = own ? shared : new RecordScanner();
  const fields = own ? sharedFields : new LineFields();
  scanner.busy = true;
  try {
    const status = scanner.scan(buf, start, end);
    if (status === SCAN_INVALID_JSON) {
      return reject('invalid_json', null, `invalid JSON at byte ${String(scanner.errorOffset)}: ${scanner.errorReason}`);
    }
    if (status === SCAN_NOT_OBJECT) return reject('not_an_object', null, msg.notObject(KIND_NAMES[scanner.topKind] ?? 'a number'));
    if (status === SCAN_DUPLICATE) return reject('duplicate_field', scanner.duplicateKey, msg.duplicate(scanner.duplicateKey));
    const failed = applyRules(buf, scanner, ctx, fields);
    if (failed !== null) return failed;
    fields.hasUnknownFields = scanner.hasUnknownFields;
    return own ? sharedOk : { ok: true, fields };
  } finally {
    scanner.busy = false;
  }
}

const sharedFields = new LineFields();
/** One answer object for every accepted line: no allocation per record. */
const sharedOk = { ok: true as const, fields: sharedFields };

/** The Transaction of a decoded line: strings for the ids, interned where they repeat. */
function toTransaction(buf: Uint8Array, f: LineFields): Transaction {
  return {
    txn_id: f.txnText ?? asciiString(buf, f.txnStart, f.txnEnd),
    store_id: f.storeText ?? internedId(buf, f.storeStart, f.storeEnd),
    terminal_id: f.terminalText ?? internedId(buf, f.terminalStart, f.terminalEnd),
    seq: f.seq,
    ts: f.ts,
    ts_offset_min: f.tsOffsetMin,
    type: f.type,
    amount_minor: f.amount,
    currency: f.currency,
    tax_minor: f.tax,
    discount_minor: f.discount,
    tender: f.tender,
    card_brand: f.cardBrand,
    items: f.items,
    ref_txn_id: f.hasRef ? (f.refText ?? asciiString(buf, f.refStart, f.refEnd)) : null,
  };
}

/**
 * Whether the line that {@link decodeTransaction} accepted last had fields
 * outside the record table (they are then kept with the raw line; see
 * ingested-record.ts). Read it right after the decode: the next one resets it.
 */
export function lastLineHadUnknownFields(): boolean {
  return shared.hasUnknownFields;
}

const KIND_NAMES: readonly string[] = ['', 'a string', 'a number', 'null', 'true', 'false', 'an object', 'an array'];

/**
 * The field rules, in the order documented in transaction-rules.ts. Fills
 * `f` and returns null for an accepted line, or returns the reject. An id
 * without escapes or non-ASCII bytes stays a byte range (its bytes are its
 * text); only the others are built as strings.
 */
function applyRules(buf: Uint8Array, sc: RecordScanner, ctx: DecodeContext, f: LineFields): DecodeFailure | null {
  const kinds = sc.kind;
  let k = kinds[F_TENANT]!;
  if (k !== K_ABSENT && k !== K_NULL) {
    if (k !== K_STRING) return typeError(buf, sc, F_TENANT, false);
    // Compared as bytes when there are no escapes (the bytes are then the
    // UTF-8 of the value): a matching tenant needs no string.
    if (ctx.tenant !== tenantText) {
      tenantText = ctx.tenant;
      tenantBytes = utf8Encoder.encode(ctx.tenant);
    }
    const plain = (sc.flags[F_TENANT]! & STRING_ESCAPED) === 0;
    if (!(plain && bytesEqualTo(buf, sc.start[F_TENANT]!, sc.end[F_TENANT]!, tenantBytes))) {
      const tenant = stringOf(buf, sc, F_TENANT);
      if (tenant !== ctx.tenant) return reject('tenant_mismatch', 'tenant', msg.tenantMismatch(showString(tenant), ctx.tenant));
    }
  }

  k = kinds[F_TXN_ID]!;
  if (k !== K_STRING) return requiredError(buf, sc, F_TXN_ID, k, false);
  f.txnStart = sc.start[F_TXN_ID]!;
  f.txnEnd = sc.end[F_TXN_ID]!;
  if ((sc.flags[F_TXN_ID]! & SLOW_STRING) === 0) {
    f.txnText = null;
    if (!isIdBytes(buf, f.txnStart, f.txnEnd)) return valueError(buf, sc, F_TXN_ID, msg.idPattern);
  } else {
    const txnId = stringOf(buf, sc, F_TXN_ID);
    f.txnText = txnId;
    if (!isTxnId(txnId)) return reject('invalid_value', 'txn_id', msg.idPattern('txn_id', showString(txnId)));
  }

  k = kinds[F_STORE_ID]!;
  if (k !== K_STRING) return requiredError(buf, sc, F_STORE_ID, k, false);
  const ss = (f.storeStart = sc.start[F_STORE_ID]!);
  const se = (f.storeEnd = sc.end[F_STORE_ID]!);
  if ((sc.flags[F_STORE_ID]! & SLOW_STRING) === 0 && ctx.hasStoreBytes !== undefined) {
    // The bytes are the id's UTF-8: looked up without a string.
    f.storeText = null;
    if (!ctx.hasStoreBytes(buf, ss, se)) return reject('unknown_store', 'store_id', msg.unknownStore(asciiString(buf, ss, se), ctx.tenant));
  } else {
    const storeId = idOf(buf, sc, F_STORE_ID);
    f.storeText = storeId;
    if ((sc.flags[F_STORE_ID]! & STRING_LONE_SURROGATE) !== 0) return reject('invalid_value', 'store_id', msg.loneSurrogate('store_id', showString(storeId)));
    if (!ctx.hasStore(storeId)) return reject('unknown_store', 'store_id', msg.unknownStore(storeId, ctx.tenant));
  }

  k = kinds[F_TERMINAL_ID]!;
  if (k !== K_STRING) return requiredError(buf, sc, F_TERMINAL_ID, k, false);
  const tf = sc.flags[F_TERMINAL_ID]!;
  const ts0 = (f.terminalStart = sc.start[F_TERMINAL_ID]!);
  const te0 = (f.terminalEnd = sc.end[F_TERMINAL_ID]!);
  if ((tf & SLOW_STRING) === 0) {
    // Plain ASCII: one byte per character.
    f.terminalText = null;
    if (te0 === ts0 || te0 - ts0 > MAX_ID_CHARS) return reject('invalid_value', 'terminal_id', msg.idLength('terminal_id', showString(asciiString(buf, ts0, te0))));
  } else {
    const terminalId = stringOf(buf, sc, F_TERMINAL_ID);
    f.terminalText = terminalId;
    if ((tf & STRING_LONE_SURROGATE) !== 0) return reject('invalid_value', 'terminal_id', msg.loneSurrogate('terminal_id', showString(terminalId)));
    const terminalChars = codePointLength(terminalId);
    if (terminalChars === 0 || terminalChars > MAX_ID_CHARS) return reject('invalid_value', 'terminal_id', msg.idLength('terminal_id', showString(terminalId)));
  }

  k = kinds[F_SEQ]!;
  if (k !== K_NUMBER || (sc.flags[F_SEQ]! & NUMBER_NOT_INTEGER) !== 0) return requiredError(buf, sc, F_SEQ, k, true);
  const seq = integerOf(buf, sc, F_SEQ);
  if (seq < 0 || seq > MAX_SAFE) return reject('invalid_value', 'seq', msg.seqRange(shownOf(buf, sc, F_SEQ)));

  k = kinds[F_TS]!;
  if (k !== K_STRING) return requiredError(buf, sc, F_TS, k, false);
  const ts: ParsedTimestamp | null =
    (sc.flags[F_TS]! & SLOW_STRING) === 0 ? parseRfc3339Bytes(buf, sc.start[F_TS]!, sc.end[F_TS]!) : parseRfc3339(stringOf(buf, sc, F_TS));
  if (ts === null) return reject('invalid_timestamp', 'ts', msg.badTimestamp(shownOf(buf, sc, F_TS)));
  if (ts.ms > ctx.nowMs + MAX_FUTURE_MS) return reject('timestamp_in_future', 'ts', msg.future(shownOf(buf, sc, F_TS)));

  k = kinds[F_TYPE]!;
  if (k !== K_STRING) return requiredError(buf, sc, F_TYPE, k, false);
  const type: TxnType | undefined = enumOf(buf, sc, F_TYPE, TXN_TYPES, TXN_TYPE_BYTES);
  if (type === undefined) return valueError(buf, sc, F_TYPE, (f, got) => msg.oneOf(f, TXN_TYPES, got));

  k = kinds[F_AMOUNT]!;
  if (k !== K_NUMBER || (sc.flags[F_AMOUNT]! & NUMBER_NOT_INTEGER) !== 0) return requiredError(buf, sc, F_AMOUNT, k, true);
  const amount = integerOf(buf, sc, F_AMOUNT);
  if (amount <= 0) return valueError(buf, sc, F_AMOUNT, msg.positive);
  if (amount > MAX_SAFE) return valueError(buf, sc, F_AMOUNT, msg.tooLarge);

  k = kinds[F_CURRENCY]!;
  if (k !== K_STRING) return requiredError(buf, sc, F_CURRENCY, k, false);
  let currency: string | undefined;
  const cs = sc.start[F_CURRENCY]!;
  if ((sc.flags[F_CURRENCY]! & SLOW_STRING) === 0) {
    if (sc.end[F_CURRENCY]! - cs === 3) currency = currencyOfBytes(buf, cs);
  } else {
    const s = stringOf(buf, sc, F_CURRENCY);
    if (currencyExponent(s) !== undefined) currency = s;
  }
  if (currency === undefined) return reject('unknown_currency', 'currency', msg.unknownCurrency(shownOf(buf, sc, F_CURRENCY)));

  k = kinds[F_TAX]!;
  if (k !== K_NUMBER || (sc.flags[F_TAX]! & NUMBER_NOT_INTEGER) !== 0) return requiredError(buf, sc, F_TAX, k, true);
  const tax = integerOf(buf, sc, F_TAX);
  if (tax < 0) return valueError(buf, sc, F_TAX, msg.nonNegative);
  if (tax > amount) return reject('invalid_value', 'tax_minor', msg.taxAboveAmount(amount, shownOf(buf, sc, F_TAX)));

  const discount = optionalCount(buf, sc, F_DISCOUNT, kinds[F_DISCOUNT]!);
  if (typeof discount === 'object' && discount !== null) return discount;

  k = kinds[F_TENDER]!;
  if (k !== K_STRING) return requiredError(buf, sc, F_TENDER, k, false);
  const tender: Tender | undefined = enumOf(buf, sc, F_TENDER, TENDERS, TENDER_BYTES);
  if (tender === undefined) return valueError(buf, sc, F_TENDER, (f, got) => msg.oneOf(f, TENDERS, got));

  k = kinds[F_CARD_BRAND]!;
  let cardBrand: CardBrand | null = null;
  if (k !== K_ABSENT && k !== K_NULL) {
    if (k !== K_STRING) return typeError(buf, sc, F_CARD_BRAND, false);
    const brand: CardBrand | undefined = enumOf(buf, sc, F_CARD_BRAND, CARD_BRANDS, CARD_BRAND_BYTES);
    if (brand === undefined) return valueError(buf, sc, F_CARD_BRAND, (f, got) => msg.oneOf(f, CARD_BRANDS, got));
    if (tender !== 'card' && tender !== 'wallet') return reject('invalid_value', 'card_brand', msg.brandWithoutCard(shownOf(buf, sc, F_CARD_BRAND), tender));
    cardBrand = brand;
  }

  const items = optionalCount(buf, sc, F_ITEMS, kinds[F_ITEMS]!);
  if (typeof items === 'object' && items !== null) return items;

  k = kinds[F_REF_TXN_ID]!;
  if (k === K_ABSENT || k === K_NULL) {
    if (type === 'void') return reject('missing_field', 'ref_txn_id', msg.missingRef());
    f.hasRef = false;
  } else {
    if (k !== K_STRING) return typeError(buf, sc, F_REF_TXN_ID, false);
    f.hasRef = true;
    f.refStart = sc.start[F_REF_TXN_ID]!;
    f.refEnd = sc.end[F_REF_TXN_ID]!;
    if ((sc.flags[F_REF_TXN_ID]! & SLOW_STRING) === 0) {
      f.refText = null;
      if (!isIdBytes(buf, f.refStart, f.refEnd)) return reject('invalid_value', 'ref_txn_id', msg.idPattern('ref_txn_id', showString(asciiString(buf, f.refStart, f.refEnd))));
    } else {
      const refTxnId = stringOf(buf, sc, F_REF_TXN_ID);
      f.refText = refTxnId;
      if (!isTxnId(refTxnId)) return reject('invalid_value', 'ref_txn_id', msg.idPattern('ref_txn_id', showString(refTxnId)));
    }
  }

  f.seq = seq;
  f.ts = ts.ms;
  f.tsOffsetMin = ts.offsetMin;
  f.type = type;
  f.amount = amount;
  f.currency = currency;
  f.tax = tax;
  f.discount = discount;
  f.tender = tender;
  f.cardBrand = cardBrand;
  f.items = items;
  return null;
}
