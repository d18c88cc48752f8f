/**
 * Where the line scanner leaves what it found: for each known field of
 * record v1, the byte range, JSON kind and scan flags of its value. The
 * field rules (transaction-decoder.ts) read these instead of JS values, so a
 * valid line costs one pass over its bytes plus a string per kept id.
 */
import { FIELD_ORDER, type FieldName } from './transaction-rules.js';

export const F_TENANT = 0;
export const F_TXN_ID = 1;
export const F_STORE_ID = 2;
export const F_TERMINAL_ID = 3;
export const F_SEQ = 4;
export const F_TS = 5;
export const F_TYPE = 6;
export const F_AMOUNT = 7;
export const F_CURRENCY = 8;
export const F_TAX = 9;
export const F_DISCOUNT = 10;
export const F_TENDER = 11;
export const F_CARD_BRAND = 12;
export const F_ITEMS = 13;
export const F_REF_TXN_ID = 14;
export const FIELD_COUNT = 15;

/** JSON kind of a slot's value; ABSENT when the key did not appear. */
export const K_ABSENT = 0;
export const K_STRING = 1;
export const K_NUMBER = 2;
export const K_NULL = 3;
export const K_TRUE = 4;
export const K_FALSE = 5;
export const K_OBJECT = 6;
export const K_ARRAY = 7;

/** Field index by name, for keys that had to be decoded (escapes, non-ASCII). */
export const FIELD_INDEX: ReadonlyMap<string, number> = new Map(FIELD_ORDER.map((name, i) => [name, i]));

export function fieldName(id: number): FieldName {
  const name = FIELD_ORDER[id];
  if (name === undefined) throw new RangeError(`no field ${String(id)}`);
  return name;
}

/** Whether `buf[start, end)` holds exactly the ASCII text `word`. */
export function bytesEqual(buf: Uint8Array, start: number, end: number, word: string): boolean {
  if (end - start !== word.length) return false;
  for (let k = 0; k < word.length; k++) if (buf[start + k] !== word.charCodeAt(k)) return false;
  return true;
}

/** ASCII bytes of a word: typed-array compares are cheaper than charCodeAt on the hot path. */
export function asciiBytes(word: string): Uint8Array {
  const out = new Uint8Array(word.length);
  for (let k = 0; k < word.length; k++) out[k] = word.charCodeAt(k);
  return out;
}

/** Whether `buf[start, end)` equals `word`. */
export function bytesEqualTo(buf: Uint8Array, start: number, end: number, word: Uint8Array): boolean {
  const n = word.length;
  if (end - start !== n) return false;
  for (let k = 0; k < n; k++) if (buf[start + k] !== word[k]) return false;
  return true;
}

/** Field names as bytes, by field index. */
export const FIELD_NAME_BYTES: readonly Uint8Array[] = FIELD_ORDER.map(asciiBytes);

/**
 * The order fields appear in on the wire when a client follows the record
 * table (tenant last). The scanner guesses each key is the next one in this
 * order and confirms it with a single compare, skipping the generic string
 * scan; any other order still works, it just takes the generic path.
 */
export const WIRE_ORDER: Int8Array = Int8Array.from([
  F_TXN_ID, F_STORE_ID, F_TERMINAL_ID, F_SEQ, F_TS, F_TYPE, F_AMOUNT, F_CURRENCY, F_TAX, F_DISCOUNT, F_TENDER, F_CARD_BRAND, F_ITEMS,
  F_REF_TXN_ID, F_TENANT,
]);
/** Position in WIRE_ORDER by field index. */
export const WIRE_POSITION: Int8Array = new Int8Array(FIELD_COUNT);
WIRE_ORDER.forEach((id, pos) => (WIRE_POSITION[id] = pos));

/**
 * Field index of an escape-free ASCII key `buf[start, end)`, or -1.
 * Switching on the length first means most keys are settled by one
 * comparison of a few bytes, with no string built for them.
 */
export function fieldIndexOfKey(buf: Uint8Array, start: number, end: number): number {
  switch (end - start) {
    case 2:
      return bytesEqual(buf, start, end, 'ts') ? F_TS : -1;
    case 3:
      return bytesEqual(buf, start, end, 'seq') ? F_SEQ : -1;
    case 4:
      return bytesEqual(buf, start, end, 'type') ? F_TYPE : -1;
    case 5:
      return bytesEqual(buf, start, end, 'items') ? F_ITEMS : -1;
    case 6:
      if (bytesEqual(buf, start, end, 'txn_id')) return F_TXN_ID;
      if (bytesEqual(buf, start, end, 'tender')) return F_TENDER;
      return bytesEqual(buf, start, end, 'tenant') ? F_TENANT : -1;
    case 8:
      if (bytesEqual(buf, start, end, 'store_id')) return F_STORE_ID;
      return bytesEqual(buf, start, end, 'currency') ? F_CURRENCY : -1;
    case 9:
      return bytesEqual(buf, start, end, 'tax_minor') ? F_TAX : -1;
    case 10:
      if (bytesEqual(buf, start, end, 'card_brand')) return F_CARD_BRAND;
      return bytesEqual(buf, start, end, 'ref_txn_id') ? F_REF_TXN_ID : -1;
    case 11:
      return bytesEqual(buf, start, end, 'terminal_id') ? F_TERMINAL_ID : -1;
    case 12:
      return bytesEqual(buf, start, end, 'amount_minor') ? F_AMOUNT : -1;
    case 14:
      return bytesEqual(buf, start, end, 'discount_minor') ? F_DISCOUNT : -1;
    default:
      return -1;
  }
}
