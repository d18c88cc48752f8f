/**
 * The reference decoder: the same rules as transaction-decoder.ts, applied
 * to a value from JSON.parse. It is the readable statement of the rules and
 * the oracle the byte scanner is tested against; it is several times slower
 * (see bench/decode.ts) and not used on the ingest path.
 *
 * JSON.parse loses two things the rules need, so the line-level entry point
 * recovers them from the text with a small member scanner (it only has to
 * handle text JSON.parse already accepted):
 * - repeated keys (JSON.parse keeps the last one silently), and
 * - how each number was written (`5.0` and `5` parse to the same value, but
 *   an integer field must be written as an integer).
 */
import { currencyExponent } from './currency.js';
import { parseRfc3339 } from './timestamp.js';
import {
  MAX_FUTURE_MS, MAX_ID_CHARS, MAX_SAFE, SHOWN_ARRAY, SHOWN_FALSE, SHOWN_NULL, SHOWN_OBJECT, SHOWN_TRUE,
  codePointLength, hasLoneSurrogate, isTxnId, msg, reject, showNumber, showString,
  type DecodeContext, type DecodeResult, type FieldName,
} from './transaction-rules.js';
import { CARD_BRANDS, TENDERS, TXN_TYPES, type CardBrand, type Tender, type TxnType } from './transaction.js';

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Reference for {@link decodeTransaction}: decodes `buf[start, end)` with
 * TextDecoder + JSON.parse and applies {@link validateTransactionValue}.
 * Same codes, fields, messages (except the wording of `invalid_json`) and
 * Transaction as the byte decoder.
 */
export function decodeTransactionReference(buf: Uint8Array, start: number, end: number, ctx: DecodeContext): DecodeResult {
  if (end > start && buf[end - 1] === 0x0d) end--;
  if (end - start > ctx.maxLineBytes) return reject('line_too_long', null, msg.tooLong(end - start, ctx.maxLineBytes));
  let text: string;
  let value: unknown;
  try {
    text = strictUtf8.decode(buf.subarray(start, end));
    value = JSON.parse(text);
  } catch (e) {
    return reject('invalid_json', null, `invalid JSON: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return validateTransactionValue(value, ctx);
  const seen = new Set<string>();
  const rawNumbers = new Map<string, string>();
  for (const { key, raw } of topLevelMembers(text)) {
    if (seen.has(key)) return reject('duplicate_field', key, msg.duplicate(key));
    seen.add(key);
    rawNumbers.set(key, raw);
  }
  return validateTransactionValue(value, ctx, rawNumbers);
}

/**
 * Applies the record v1 rules to a parsed JSON value.
 *
 * `rawValues` maps top-level keys to their value's text as written; when
 * given, an integer field written with a fraction or exponent (`5.0`, `5e0`)
 * is rejected as the byte decoder does, and messages quote numbers as
 * written. Without it, numbers are judged by value (`5.0` is the integer 5).
 * Duplicate keys cannot be seen in a parsed value; see
 * {@link decodeTransactionReference}.
 * @example validateTransactionValue(JSON.parse(line), ctx) // { ok: true, txn } or { ok: false, code, message, field }
 */
export function validateTransactionValue(value: unknown, ctx: DecodeContext, rawValues?: ReadonlyMap<string, string>): DecodeResult {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return reject('not_an_object', null, msg.notObject(Array.isArray(value) ? SHOWN_ARRAY : value === null ? SHOWN_NULL : typeof value === 'string' ? 'a string' : typeof value === 'number' ? 'a number' : String(value)));
  }
  const rec = value as Record<string, unknown>;
  const get = (f: FieldName): unknown => (Object.hasOwn(rec, f) ? rec[f] : undefined);
  const show = (f: FieldName): string => shown(get(f), rawValues?.get(f));
  const isIntegerField = (f: FieldName): boolean => {
    const v = get(f);
    if (typeof v !== 'number' || !Number.isInteger(v)) return false;
    const raw = rawValues?.get(f);
    return raw === undefined || writtenAsInteger(raw);
  };
  const required = (f: FieldName, integer: boolean): DecodeResult =>
    get(f) === undefined ? reject('missing_field', f, msg.missing(f)) : wrongType(f, integer);
  const wrongType = (f: FieldName, integer: boolean): DecodeResult =>
    reject('invalid_type', f, integer ? msg.notInteger(f, show(f)) : msg.notString(f, show(f)));
  const bad = (f: FieldName, text: (f: FieldName, got: string) => string): DecodeResult => reject('invalid_value', f, text(f, show(f)));

  const tenant = get('tenant');
  if (tenant !== undefined && tenant !== null) {
    if (typeof tenant !== 'string') return wrongType('tenant', false);
    if (tenant !== ctx.tenant) return reject('tenant_mismatch', 'tenant', msg.tenantMismatch(showString(tenant), ctx.tenant));
  }

  const txnId = get('txn_id');
  if (typeof txnId !== 'string') return required('txn_id', false);
  if (!isTxnId(txnId)) return bad('txn_id', msg.idPattern);

  const storeId = get('store_id');
  if (typeof storeId !== 'string') return required('store_id', false);
  if (hasLoneSurrogate(storeId)) return bad('store_id', msg.loneSurrogate);
  if (!ctx.hasStore(storeId)) return reject('unknown_store', 'store_id', msg.unknownStore(storeId, ctx.tenant));

  const terminalId = get('terminal_id');
  if (typeof terminalId !== 'string') return required('terminal_id', false);
  if (hasLoneSurrogate(terminalId)) return bad('terminal_id', msg.loneSurrogate);
  const chars = codePointLength(terminalId);
  if (chars === 0 || chars > MAX_ID_CHARS) return bad('terminal_id', msg.idLength);

  if (!isIntegerField('seq')) return required('seq', true);
  const seq = get('seq') as number;
  if (seq < 0 || seq > MAX_SAFE) return reject('invalid_value', 'seq', msg.seqRange(show('seq')));

  const tsText = get('ts');
  if (typeof tsText !== 'string') return required('ts', false);
  const ts = parseRfc3339(tsText);
  if (ts === null) return reject('invalid_timestamp', 'ts', msg.badTimestamp(show('ts')));
  if (ts.ms > ctx.nowMs + MAX_FUTURE_MS) return reject('timestamp_in_future', 'ts', msg.future(show('ts')));

  const type = get('type');
  if (typeof type !== 'string') return required('type', false);
  if (!(TXN_TYPES as readonly string[]).includes(type)) return bad('type', (f, got) => msg.oneOf(f, TXN_TYPES, got));

  if (!isIntegerField('amount_minor')) return required('amount_minor', true);
  const amount = get('amount_minor') as number;
  if (amount <= 0) return bad('amount_minor', msg.positive);
  if (amount > MAX_SAFE) return bad('amount_minor', msg.tooLarge);

  const currency = get('currency');
  if (typeof currency !== 'string') return required('currency', false);
  if (currencyExponent(currency) === undefined) return reject('unknown_currency', 'currency', msg.unknownCurrency(show('currency')));

  if (!isIntegerField('tax_minor')) return required('tax_minor', true);
  const tax = get('tax_minor') as number;
  if (tax < 0) return bad('tax_minor', msg.nonNegative);
  if (tax > amount) return reject('invalid_value', 'tax_minor', msg.taxAboveAmount(amount, show('tax_minor')));

  const optionalCount = (f: FieldName): number | null | DecodeResult => {
    const v = get(f);
    if (v === undefined || v === null) return null;
    if (!isIntegerField(f)) return wrongType(f, true);
    if ((v as number) < 0) return bad(f, msg.nonNegative);
    if ((v as number) > MAX_SAFE) return bad(f, msg.tooLarge);
    return (v as number) + 0; // -0 → 0
  };
  const discount = optionalCount('discount_minor');
  if (typeof discount === 'object' && discount !== null) return discount;

  const tender = get('tender');
  if (typeof tender !== 'string') return required('tender', false);
  if (!(TENDERS as readonly string[]).includes(tender)) return bad('tender', (f, got) => msg.oneOf(f, TENDERS, got));

  const brand = get('card_brand');
  if (brand !== undefined && brand !== null) {
    if (typeof brand !== 'string') return wrongType('card_brand', false);
    if (!(CARD_BRANDS as readonly string[]).includes(brand)) return bad('card_brand', (f, got) => msg.oneOf(f, CARD_BRANDS, got));
    if (tender !== 'card' && tender !== 'wallet') return reject('invalid_value', 'card_brand', msg.brandWithoutCard(show('card_brand'), tender));
  }

  const items = optionalCount('items');
  if (typeof items === 'object' && items !== null) return items;

  const ref = get('ref_txn_id');
  if (ref === undefined || ref === null) {
    if (type === 'void') return reject('missing_field', 'ref_txn_id', msg.missingRef());
  } else {
    if (typeof ref !== 'string') return wrongType('ref_txn_id', false);
    if (!isTxnId(ref)) return bad('ref_txn_id', msg.idPattern);
  }

  return {
    ok: true,
    txn: {
      txn_id: txnId,
      store_id: storeId,
      terminal_id: terminalId,
      seq: seq + 0,
      ts: ts.ms,
      ts_offset_min: ts.offsetMin,
      type: type as TxnType,
      amount_minor: amount,
      currency,
      tax_minor: tax + 0,
      discount_minor: discount,
      tender: tender as Tender,
      card_brand: (brand ?? null) as CardBrand | null,
      items,
      ref_txn_id: (ref ?? null) as string | null,
    },
  };
}

/** No fraction, no exponent: `12`, `-0`; not `12.0`, `1e3`. */
function writtenAsInteger(raw: string): boolean {
  return !raw.includes('.') && !raw.includes('e') && !raw.includes('E');
}

function shown(v: unknown, raw: string | undefined): string {
  if (typeof v === 'string') return showString(v);
  if (typeof v === 'number') return showNumber(raw ?? String(v));
  if (v === null) return SHOWN_NULL;
  if (v === true) return SHOWN_TRUE;
  if (v === false) return SHOWN_FALSE;
  return Array.isArray(v) ? SHOWN_ARRAY : SHOWN_OBJECT;
}

/**
 * Top-level members of a JSON object text that JSON.parse accepted, in
 * order, with each value's text as written. Because the text is known to be
 * valid, this only has to find where tokens end, not check them.
 */
export function topLevelMembers(text: string): { key: string; raw: string }[] {
  const out: { key: string; raw: string }[] = [];
  let i = skipWs(text, 0);
  i++; // '{'
  for (;;) {
    i = skipWs(text, i);
    if (text[i] === '}') return out;
    const keyEnd = stringEnd(text, i);
    const key = JSON.parse(text.slice(i, keyEnd)) as string;
    i = skipWs(text, skipWs(text, keyEnd) + 1); // past ':'
    const valueStart = i;
    i = valueEnd(text, i);
    out.push({ key, raw: text.slice(valueStart, i) });
    i = skipWs(text, i);
    if (text[i] === ',') i++;
  }
}

function skipWs(t: string, i: number): number {
  while (t[i] === ' ' || t[i] === '\t' || t[i] === '\n' || t[i] === '\r') i++;
  return i;
}

/** Index after the string starting with the quote at `i`. */
function stringEnd(t: string, i: number): number {
  i++;
  while (t[i] !== '"') i += t[i] === '\\' ? 2 : 1;
  return i + 1;
}

/** Index after the value starting at `i`. */
function valueEnd(t: string, i: number): number {
  const c = t[i];
  if (c === '"') return stringEnd(t, i);
  if (c === '{' || c === '[') {
    let depth = 0;
    for (;;) {
      const d = t[i];
      if (d === '"') {
        i = stringEnd(t, i);
        continue;
      }
      if (d === '{' || d === '[') depth++;
      else if (d === '}' || d === ']') depth--;
      i++;
      if (depth === 0) return i;
    }
  }
  while (i < t.length && !(t[i] === ',' || t[i] === '}' || t[i] === ' ' || t[i] === '\t' || t[i] === '\n' || t[i] === '\r')) i++;
  return i;
}
