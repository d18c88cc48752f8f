/**
 * One pass over a line's bytes: validates the whole line as JSON and, for
 * the top-level object, records where each known field's value is (see
 * transaction-fields.ts). Unknown fields are validated and skipped; nested
 * values are never decoded.
 */
import { jsonString, asciiString } from './json-text.js';
import { describeByte, scanLiteral, scanNumber, scanState, scanString, skipValue, skipWs } from './json-scan.js';
import {
  FIELD_COUNT,
  FIELD_INDEX,
  K_ABSENT,
  K_ARRAY,
  K_FALSE,
  K_NULL,
  K_NUMBER,
  K_OBJECT,
  K_STRING,
  K_TRUE,
  FIELD_NAME_BYTES,
  WIRE_ORDER,
  WIRE_POSITION,
  fieldIndexOfKey,
  fieldName,
} from './transaction-fields.js';

export const SCAN_OK = 0;
export const SCAN_INVALID_JSON = 1;
export const SCAN_NOT_OBJECT = 2;
export const SCAN_DUPLICATE = 3;

/**
 * Scan results for one line. The decoder keeps one instance and reuses it:
 * the typed arrays are allocated once, not per line.
 */
export class RecordScanner {
  /** Per field: value start (for strings, after the opening quote). */
  readonly start = new Int32Array(FIELD_COUNT);
  /** Per field: value end (for strings, at the closing quote). */
  readonly end = new Int32Array(FIELD_COUNT);
  /** Per field: K_* kind; K_ABSENT for fields the line does not have. */
  readonly kind = new Uint8Array(FIELD_COUNT);
  /** Per field: STRING_* / NUMBER_* flags from json-scan.ts. */
  readonly flags = new Uint8Array(FIELD_COUNT);
  /** Bit `1 << field` for every known field present. */
  seen = 0;
  /** SCAN_DUPLICATE: the first key that repeated an earlier one. */
  duplicateKey = '';
  /** SCAN_NOT_OBJECT: the K_* kind of the top-level value. */
  topKind = 0;
  /** SCAN_INVALID_JSON: byte offset within the line, and reason. */
  errorOffset = 0;
  errorReason = '';
  /** True while a decode is using this instance (see transaction-decoder.ts). */
  busy = false;

  /** Unknown top-level keys seen so far; only touched by lines that have them. */
  private readonly unknownKeys = new Set<string>();

  /** Whether the last line scanned had top-level keys outside the record table. */
  get hasUnknownFields(): boolean {
    return this.unknownKeys.size > 0;
  }

  /** Scans `buf[start, end)`. Returns a SCAN_* status. */
  scan(buf: Uint8Array, start: number, end: number): number {
    this.seen = 0;
    // Absent until seen: the rules then read a field's kind with one load.
    this.kind.fill(K_ABSENT);
    this.duplicateKey = '';
    let duplicate = false;
    let expected = 0; // position in WIRE_ORDER of the key we guess comes next
    if (this.unknownKeys.size > 0) this.unknownKeys.clear();
    let i = skipWs(buf, start, end);
    if (i >= end || buf[i] !== 0x7b) return this.notAnObject(buf, start, i, end);
    i = skipWs(buf, i + 1, end);
    if (i < end && buf[i] === 0x7d) {
      i++;
    } else {
      for (;;) {
        if (i >= end || buf[i] !== 0x22) return this.syntax(start, i, `expected a field name, got ${describeByte(buf, i, end)}`);
        const keyStart = i + 1;
        let keyEnd = -1;
        let key: string | null = null;
        let id = -1;
        // Fast path: the key is one of the next few in table order (optional
        // fields may be left out). Its bytes followed by '"' prove both that
        // it is a valid JSON string and which field it is, in one pass.
        for (let pos = expected; pos < expected + 3 && pos < WIRE_ORDER.length; pos++) {
          const guess = WIRE_ORDER[pos]!;
          const name = FIELD_NAME_BYTES[guess]!;
          const n = name.length;
          if (keyStart + n >= end || buf[keyStart + n] !== 0x22) continue;
          let k = 0;
          while (k < n && buf[keyStart + k] === name[k]) k++;
          if (k === n) {
            id = guess;
            keyEnd = keyStart + n;
            i = keyEnd + 1;
            break;
          }
        }
        if (keyEnd < 0) {
          i = scanString(buf, i, end);
          if (i < 0) return this.scanFailed(start);
          keyEnd = i - 1;
          if (scanState.flags === 0) {
            id = fieldIndexOfKey(buf, keyStart, keyEnd);
          } else {
            // A key with escapes can still name a known field ("t\u0073" is "ts").
            key = jsonString(buf, keyStart, keyEnd, scanState.flags);
            id = FIELD_INDEX.get(key) ?? -1;
          }
        }
        if (id >= 0) expected = WIRE_POSITION[id]! + 1;
        i = skipWs(buf, i, end);
        if (i >= end || buf[i] !== 0x3a) return this.syntax(start, i, `expected ':', got ${describeByte(buf, i, end)}`);
        i = skipWs(buf, i + 1, end);
        if (i >= end) return this.syntax(start, i, 'unexpected end of line');
        const c = buf[i]!;
        const valueStart = i;
        let kind: number;
        let flags = 0;
        if (c === 0x22) {
          kind = K_STRING;
          i = scanString(buf, i, end);
          flags = scanState.flags;
        } else if (c === 0x2d || (c >= 0x30 && c <= 0x39)) {
          kind = K_NUMBER;
          i = scanNumber(buf, i, end);
          flags = scanState.flags;
        } else if (c === 0x6e || c === 0x74 || c === 0x66) {
          kind = c === 0x6e ? K_NULL : c === 0x74 ? K_TRUE : K_FALSE;
          i = scanLiteral(buf, i, end);
        } else if (c === 0x7b || c === 0x5b) {
          kind = c === 0x7b ? K_OBJECT : K_ARRAY;
          i = skipValue(buf, i, end);
        } else {
          return this.syntax(start, i, `unexpected ${describeByte(buf, i, end)}`);
        }
        if (i < 0) return this.scanFailed(start);
        if (id >= 0) {
          const bit = 1 << id;
          if ((this.seen & bit) !== 0) {
            if (!duplicate) this.duplicateKey = fieldName(id);
            duplicate = true;
          } else {
            this.seen |= bit;
            const quoted = kind === K_STRING ? 1 : 0;
            this.start[id] = valueStart + quoted;
            this.end[id] = i - quoted;
            this.kind[id] = kind;
            this.flags[id] = flags;
          }
        } else {
          key ??= asciiString(buf, keyStart, keyEnd);
          if (this.unknownKeys.has(key)) {
            if (!duplicate) this.duplicateKey = key;
            duplicate = true;
          } else {
            this.unknownKeys.add(key);
          }
        }
        i = skipWs(buf, i, end);
        if (i < end && buf[i] === 0x2c) {
          i = skipWs(buf, i + 1, end);
          continue;
        }
        if (i < end && buf[i] === 0x7d) {
          i++;
          break;
        }
        return this.syntax(start, i, `expected ',' or '}', got ${describeByte(buf, i, end)}`);
      }
    }
    i = skipWs(buf, i, end);
    if (i < end) return this.syntax(start, i, `unexpected ${describeByte(buf, i, end)} after the end of the object`);
    // Syntax errors anywhere in the line win over a duplicate key: that is
    // why the loop above only notes the duplicate and keeps scanning.
    return duplicate ? SCAN_DUPLICATE : SCAN_OK;
  }

  private notAnObject(buf: Uint8Array, lineStart: number, i: number, end: number): number {
    if (i >= end) return this.syntax(lineStart, i, 'empty line');
    const j = skipValue(buf, i, end);
    if (j < 0) return this.scanFailed(lineStart);
    const k = skipWs(buf, j, end);
    if (k < end) return this.syntax(lineStart, k, `unexpected ${describeByte(buf, k, end)} after the end of the value`);
    const c = buf[i]!;
    this.topKind =
      c === 0x22 ? K_STRING : c === 0x5b ? K_ARRAY : c === 0x6e ? K_NULL : c === 0x74 ? K_TRUE : c === 0x66 ? K_FALSE : K_NUMBER;
    return SCAN_NOT_OBJECT;
  }

  private scanFailed(lineStart: number): number {
    return this.syntax(lineStart, scanState.errPos, scanState.errReason);
  }

  private syntax(lineStart: number, at: number, reason: string): number {
    this.errorOffset = at - lineStart;
    this.errorReason = reason;
    return SCAN_INVALID_JSON;
  }
}
