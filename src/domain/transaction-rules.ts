/**
 * The rules of transaction record v1 that both decoders share: the order in
 * which fields are checked, the character rules for ids, and every reject
 * message. Keeping the wording here means the byte scanner and the
 * JSON.parse reference cannot drift apart in what they tell a client.
 *
 * Check order (the first failing check decides the code):
 *   1. line_too_long  2. invalid_json  3. not_an_object  4. duplicate_field
 *   5. each field in FIELD_ORDER: presence/null → JSON type → value rule
 * `tenant` comes first so a record sent with the wrong credential is reported
 * as such, not as an unknown store of the wrong tenant; the rest follow the
 * field table of the record specification, so cross-field rules (tax vs
 * amount, card_brand vs tender, ref_txn_id vs type) run after the fields
 * they depend on have been checked.
 */
import type { RejectCode } from './reject-codes.js';
import type { Transaction } from './transaction.js';

export const FIELD_ORDER = [
  'tenant',
  'txn_id',
  'store_id',
  'terminal_id',
  'seq',
  'ts',
  'type',
  'amount_minor',
  'currency',
  'tax_minor',
  'discount_minor',
  'tender',
  'card_brand',
  'items',
  'ref_txn_id',
] as const;
export type FieldName = (typeof FIELD_ORDER)[number];

/** Tenant and store decide where a record belongs; the line decoder gets them from its caller. */
export interface DecodeContext {
  /** The tenant of the credential that sent the line. */
  tenant: string;
  /** Receive time, epoch ms: `ts` may be at most 24 h after it. */
  nowMs: number;
  /** Whether the tenant's registry has this store. */
  hasStore(storeId: string): boolean;
  /**
   * The same question for the store id's UTF-8 bytes `buf[start, end)`,
   * when the caller can answer it without a string (compact ingest).
   */
  hasStoreBytes?: (buf: Uint8Array, start: number, end: number) => boolean;
  /** Longest accepted line in bytes, without its line ending (4096 by default). */
  maxLineBytes: number;
}

export type DecodeResult = { ok: true; txn: Transaction } | DecodeFailure;

/** A rejected line: a stable code, the field at fault (if one is) and a message naming it and its value. */
export interface DecodeFailure {
  ok: false;
  code: RejectCode;
  message: string;
  field: string | null;
}

/** How far ahead of the receive time `ts` may be. */
export const MAX_FUTURE_MS = 24 * 60 * 60 * 1000;
/** Longest id (`txn_id`, `terminal_id`, `ref_txn_id`), in characters. */
export const MAX_ID_CHARS = 64;
/** Longest value shown in a message, in characters. */
const MAX_SHOWN_CHARS = 64;

export function reject(code: RejectCode, field: string | null, message: string): DecodeFailure {
  return { ok: false, code, message, field };
}

/** `txn_id` characters: A–Z a–z 0–9 . _ : - */
export function isIdByte(c: number): boolean {
  return (
    (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x3a) || c === 0x2e || c === 0x5f || c === 0x2d
  );
}

/** Whether `s` is 1–64 characters of [A-Za-z0-9._:-]. */
export function isTxnId(s: string): boolean {
  const n = s.length;
  if (n === 0 || n > MAX_ID_CHARS) return false;
  for (let i = 0; i < n; i++) if (!isIdByte(s.charCodeAt(i))) return false;
  return true;
}

/** Length in Unicode code points (what a user calls characters), not UTF-16 units. */
export function codePointLength(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
    }
    n++;
  }
  return n;
}

// ---- Showing values in messages ---------------------------------------------

/**
 * A string value as shown in a message: single-quoted, at most 64
 * characters, with control, invisible and bidi characters escaped so a
 * message can be printed to a terminal or log safely.
 */
export function showString(s: string): string {
  let out = "'";
  let chars = 0;
  for (let i = 0; i < s.length; i++) {
    if (chars === MAX_SHOWN_CHARS) return `${out}'… (${String(codePointLength(s))} characters)`;
    const c = s.charCodeAt(i);
    chars++;
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        out += s[i]! + s[i + 1]!;
        i++;
        continue;
      }
    }
    if (c === 0x27 || c === 0x5c) out += `\\${s[i]!}`;
    else if (isUnsafeForDisplay(c)) out += `\\u${c.toString(16).padStart(4, '0')}`;
    else out += s[i]!;
  }
  return `${out}'`;
}

function isUnsafeForDisplay(c: number): boolean {
  return (
    c < 0x20 ||
    (c >= 0x7f && c <= 0x9f) || // DEL and C1 controls
    (c >= 0xd800 && c <= 0xdfff) || // lone surrogate (pairs are handled before)
    (c >= 0x200b && c <= 0x200f) || // zero-width, LRM/RLM
    (c >= 0x2028 && c <= 0x202e) || // line/paragraph separators, bidi embeddings
    (c >= 0x2066 && c <= 0x2069) || // bidi isolates
    c === 0xfeff
  );
}

/** A number as written on the wire, shortened if absurdly long. */
export function showNumber(raw: string): string {
  return raw.length <= MAX_SHOWN_CHARS ? raw : `${raw.slice(0, MAX_SHOWN_CHARS)}… (${String(raw.length)} characters)`;
}

/** What a non-string, non-number JSON value looks like in a message. */
export const SHOWN_NULL = 'null';
export const SHOWN_TRUE = 'true';
export const SHOWN_FALSE = 'false';
export const SHOWN_OBJECT = 'an object';
export const SHOWN_ARRAY = 'an array';

// ---- Messages -----------------------------------------------------------------

export const MAX_SAFE = Number.MAX_SAFE_INTEGER;

export const msg = {
  tooLong: (bytes: number, limit: number) => `line is ${String(bytes)} bytes, the limit is ${String(limit)}`,
  notObject: (got: string) => `a record must be a JSON object, got ${got}`,
  duplicate: (key: string) => `field ${showString(key)} appears more than once`,
  missing: (field: FieldName) => `${field} is required`,
  missingRef: () => `ref_txn_id is required when type is 'void'`,
  notString: (field: FieldName, got: string) => `${field} must be a string, got ${got}`,
  notInteger: (field: FieldName, got: string) => `${field} must be an integer, got ${got}`,
  loneSurrogate: (field: FieldName, got: string) => `${field} must be valid Unicode text (it has an unpaired surrogate), got ${got}`,
  idPattern: (field: FieldName, got: string) => `${field} must be 1-64 characters from [A-Za-z0-9._:-], got ${got}`,
  idLength: (field: FieldName, got: string) => `${field} must be 1-64 characters, got ${got}`,
  tenantMismatch: (got: string, tenant: string) => `tenant ${got} does not match the credential's tenant ${showString(tenant)}`,
  unknownStore: (storeId: string, tenant: string) => `store_id ${showString(storeId)} is not in tenant ${showString(tenant)}'s registry`,
  seqRange: (got: string) => `seq must be an integer between 0 and ${String(MAX_SAFE)}, got ${got}`,
  badTimestamp: (got: string) => `ts must be an RFC 3339 timestamp with an offset, like 2026-03-01T10:15:00+01:00, got ${got}`,
  future: (got: string) => `ts must not be more than 24 h after the time the line was received, got ${got}`,
  oneOf: (field: FieldName, allowed: readonly string[], got: string) => `${field} must be one of ${allowed.join(', ')}, got ${got}`,
  positive: (field: FieldName, got: string) => `${field} must be an integer > 0, got ${got}`,
  nonNegative: (field: FieldName, got: string) => `${field} must be an integer >= 0, got ${got}`,
  tooLarge: (field: FieldName, got: string) => `${field} must be at most ${String(MAX_SAFE)}, got ${got}`,
  taxAboveAmount: (amount: number, got: string) => `tax_minor must not exceed amount_minor (${String(amount)}), got ${got}`,
  unknownCurrency: (got: string) => `currency must be an active ISO 4217 code, got ${got}`,
  brandWithoutCard: (got: string, tender: string) => `card_brand is only allowed when tender is card or wallet, got ${got} with tender '${tender}'`,
  // Compact records (compact-decoder.ts): the same rules, and what only a binary layout can get wrong.
  recordTooLong: (bytes: number, limit: number) => `record is ${String(bytes)} bytes, the limit is ${String(limit)}`,
  recordTruncated: (declared: number, got: number) => `record is truncated: its frame declares ${String(declared)} bytes, the stream ended after ${String(got)}`,
  recordTooShort: (bytes: number, min: number) => `record is ${String(bytes)} bytes, shorter than the ${String(min)}-byte header`,
  recordVersion: (got: number, supported: number) => `record version ${String(got)} is not supported (this server reads version ${String(supported)})`,
  recordFlags: (got: number, known: number) => `record flags 0x${got.toString(16)} have unknown bits (known: 0x${known.toString(16)})`,
  recordOverrun: (field: string, at: number, bytes: number) => `${field} at byte ${String(at)} overruns the record of ${String(bytes)} bytes`,
  recordTrailing: (extra: number) => `record has ${String(extra)} bytes after its last field`,
  recordNotUtf8: (field: string) => `${field} is not valid UTF-8`,
  recordBrandWithoutFlag: (got: number) => `card_brand byte is ${String(got)} but the card_brand flag is not set`,
  compactTimestamp: (got: string) => `ts must be epoch milliseconds of a time in the years 0000-9999, with an offset between -1439 and 1439 minutes, got ${got}`,
  extraJson: (reason: string) => `extra must be one JSON object: ${reason}`,
};

/** Whether `s` has a UTF-16 surrogate without its partner (JSON can carry one via `\uD800`). */
export function hasLoneSurrogate(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0xd800 || c > 0xdfff) continue;
    if (c >= 0xdc00) return true;
    const d = i + 1 < s.length ? s.charCodeAt(i + 1) : 0;
    if (d < 0xdc00 || d > 0xdfff) return true;
    i++;
  }
  return false;
}
