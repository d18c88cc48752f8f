/**
 * Reading field values out of the scanner's slots (transaction-scanner.ts)
 * for the field rules in transaction-decoder.ts, and building the reject
 * for a slot whose value breaks a rule. Works on byte ranges; strings are
 * built only for values that are kept or shown in a message.
 */
import { NUMBER_NOT_INTEGER, STRING_ESCAPED, STRING_NON_ASCII } from './json-scan.js';
import { AsciiInterner, CHAR_ARGS, asciiString, jsonString } from './json-text.js';
import {
  bytesEqualTo, fieldName, K_ABSENT, K_ARRAY, K_FALSE, K_NULL, K_NUMBER, K_OBJECT, K_STRING, K_TRUE,
} from './transaction-fields.js';
import type { RecordScanner } from './transaction-scanner.js';
import {
  MAX_SAFE, SHOWN_ARRAY, SHOWN_FALSE, SHOWN_NULL, SHOWN_OBJECT, SHOWN_TRUE,
  isIdByte, msg, reject, showNumber, showString, type DecodeFailure, type FieldName,
} from './transaction-rules.js';

/** Any byte flag that rules out reading a string field straight from the bytes. */
export const SLOW_STRING = STRING_ESCAPED | STRING_NON_ASCII;

/** Store and terminal ids repeat on every line of a till: built once, then reused. */
const ids = new AsciiInterner();

/** 1 for bytes allowed in a txn_id; a table load beats six range checks per byte. */
const ID_BYTE = new Uint8Array(256);
for (let c = 0; c < 128; c++) ID_BYTE[c] = isIdByte(c) ? 1 : 0;

/**
 * The txn_id-style id in `buf[start, end)` (plain ASCII, no escapes) as a
 * string, or null if it breaks the id rule. Checks and copies each byte in
 * the same pass.
 */
export function idString(buf: Uint8Array, start: number, end: number): string | null {
  const args = CHAR_ARGS[end - start];
  if (args === undefined || args.length === 0) return null;
  for (let k = 0; k < args.length; k++) {
    const c = buf[start + k]!;
    if (ID_BYTE[c] !== 1) return null;
    args[k] = c;
  }
  return String.fromCharCode.apply(null, args);
}

/** Whether `buf[start, end)` is a txn_id-style id (1–64 bytes of [A-Za-z0-9._:-]), without building it. */
export function isIdBytes(buf: Uint8Array, start: number, end: number): boolean {
  const n = end - start;
  if (n === 0 || n > MAX_ID_BYTES) return false;
  for (let i = start; i < end; i++) if (ID_BYTE[buf[i]!] !== 1) return false;
  return true;
}
const MAX_ID_BYTES = 64;

/** The string of a plain ASCII id range, from the intern cache (store and terminal ids repeat). */
export function internedId(buf: Uint8Array, start: number, end: number): string {
  return ids.get(buf, start, end);
}

/** A repeating id: interned when plain ASCII. */
export function idOf(buf: Uint8Array, sc: RecordScanner, id: number): string {
  return (sc.flags[id]! & SLOW_STRING) === 0 ? ids.get(buf, sc.start[id]!, sc.end[id]!) : stringOf(buf, sc, id);
}

export function stringOf(buf: Uint8Array, sc: RecordScanner, id: number): string {
  return jsonString(buf, sc.start[id]!, sc.end[id]!, sc.flags[id]!);
}

/** Value of an integer lexeme (already known to have no fraction or exponent). */
export function integerOf(buf: Uint8Array, sc: RecordScanner, id: number): number {
  const start = sc.start[id]!;
  const end = sc.end[id]!;
  const neg = buf[start] === 0x2d;
  const first = neg ? start + 1 : start;
  // Up to 15 digits the running value stays below 2^53, so accumulation is
  // exact; longer lexemes go through Number(), which rounds like JSON.parse.
  if (end - first > 15) return Number(asciiString(buf, start, end));
  let v = 0;
  for (let i = first; i < end; i++) v = v * 10 + (buf[i]! - 0x30);
  // `-0` becomes 0: a stored amount must not carry a negative zero.
  return neg && v !== 0 ? -v : v;
}

/** Matches a string field against an enumeration by bytes; undefined if none. */
export function enumOf<T extends string>(buf: Uint8Array, sc: RecordScanner, id: number, values: readonly T[], bytes: readonly Uint8Array[]): T | undefined {
  if ((sc.flags[id]! & SLOW_STRING) === 0) {
    const start = sc.start[id]!;
    const end = sc.end[id]!;
    for (let v = 0; v < bytes.length; v++) if (bytesEqualTo(buf, start, end, bytes[v]!)) return values[v];
    return undefined;
  }
  const s = stringOf(buf, sc, id);
  return values.find((v) => v === s);
}

/** An optional integer >= 0: null when absent or null, the number, or a reject. */
export function optionalCount(buf: Uint8Array, sc: RecordScanner, id: number, k: number): number | null | DecodeFailure {
  if (k === K_ABSENT || k === K_NULL) return null;
  if (k !== K_NUMBER || (sc.flags[id]! & NUMBER_NOT_INTEGER) !== 0) return typeError(buf, sc, id, true);
  const v = integerOf(buf, sc, id);
  if (v < 0) return valueError(buf, sc, id, msg.nonNegative);
  if (v > MAX_SAFE) return valueError(buf, sc, id, msg.tooLarge);
  return v;
}

/** The value of field `id` as a message shows it. */
export function shownOf(buf: Uint8Array, sc: RecordScanner, id: number): string {
  switch (sc.kind[id]) {
    case K_STRING:
      return showString(stringOf(buf, sc, id));
    case K_NUMBER:
      return showNumber(asciiString(buf, sc.start[id]!, sc.end[id]!));
    case K_NULL:
      return SHOWN_NULL;
    case K_TRUE:
      return SHOWN_TRUE;
    case K_FALSE:
      return SHOWN_FALSE;
    case K_OBJECT:
      return SHOWN_OBJECT;
    case K_ARRAY:
      return SHOWN_ARRAY;
    default:
      return '';
  }
}

/** A required field is absent (missing_field) or of the wrong JSON type (invalid_type; null included). */
export function requiredError(buf: Uint8Array, sc: RecordScanner, id: number, k: number, integer: boolean): DecodeFailure {
  const field = fieldName(id);
  if (k === K_ABSENT) return reject('missing_field', field, msg.missing(field));
  return typeError(buf, sc, id, integer);
}

export function typeError(buf: Uint8Array, sc: RecordScanner, id: number, integer: boolean): DecodeFailure {
  const field = fieldName(id);
  const got = shownOf(buf, sc, id);
  return reject('invalid_type', field, integer ? msg.notInteger(field, got) : msg.notString(field, got));
}

export function valueError(buf: Uint8Array, sc: RecordScanner, id: number, text: (field: FieldName, got: string) => string): DecodeFailure {
  const field = fieldName(id);
  return reject('invalid_value', field, text(field, shownOf(buf, sc, id)));
}
