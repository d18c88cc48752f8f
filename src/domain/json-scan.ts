/**
 * Byte-level JSON (RFC 8259) scanning for the line decoder: validates
 * exactly what `JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes))`
 * accepts, without building values. Strings are validated (escapes, UTF-8)
 * but not decoded; see json-text.ts for turning a validated range into a
 * string.
 *
 * Conventions, chosen for speed on the ingest hot path:
 * - Every function takes `(buf, i, end)` and returns the index after what it
 *   consumed, or -1 on a syntax error, with the reason in {@link scanState}.
 *   No exceptions, no closures, no allocation on the success path.
 * - Bytes past `end` are never read: `buf` is usually a whole batch, and
 *   `buf[end]` belongs to the next line.
 * - `buf[i]!` appears only where `i < end <= buf.length` was just checked.
 */

/** Set by the scan functions: details of the last string/number and of the last failure. */
export const scanState = {
  /** STRING_* or NUMBER_* flags of the last scanned string or number. */
  flags: 0,
  /** Byte index of the last syntax error. */
  errPos: 0,
  /** Human-readable reason of the last syntax error. */
  errReason: '',
};

/** The string contains at least one backslash escape. */
export const STRING_ESCAPED = 1;
/** The string contains at least one byte >= 0x80 (valid UTF-8). */
export const STRING_NON_ASCII = 2;
/** A `\uXXXX` escape produced a surrogate without its partner (JSON allows it; Unicode text does not). */
export const STRING_LONE_SURROGATE = 4;
/** The number has a fraction or an exponent: not an integer as written. */
export const NUMBER_NOT_INTEGER = 1;

function fail(pos: number, reason: string): number {
  scanState.errPos = pos;
  scanState.errReason = reason;
  return -1;
}

/** Describes the byte at `i` for an error message: `'x'`, `byte 0x1f` or `end of line`. */
export function describeByte(buf: Uint8Array, i: number, end: number): string {
  if (i >= end) return 'end of line';
  const c = buf[i]!;
  if (c === 0x27) return `"'"`;
  return c >= 0x21 && c <= 0x7e ? `'${String.fromCharCode(c)}'` : `byte 0x${c.toString(16).padStart(2, '0')}`;
}

function unexpected(buf: Uint8Array, i: number, end: number): number {
  return fail(i, `unexpected ${describeByte(buf, i, end)}`);
}

/** Skips JSON whitespace (space, tab, LF, CR; nothing else, not even a BOM). */
export function skipWs(buf: Uint8Array, i: number, end: number): number {
  while (i < end) {
    const c = buf[i]!;
    if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) break;
    i++;
  }
  return i;
}

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  const l = c | 0x20; // ASCII lower-casing
  if (l >= 0x61 && l <= 0x66) return l - 0x61 + 10;
  return -1;
}

/** Four hex digits at `i` as a code unit, or -1. */
function hex4(buf: Uint8Array, i: number, end: number): number {
  if (i + 4 > end) return -1;
  const a = hexValue(buf[i]!);
  const b = hexValue(buf[i + 1]!);
  const c = hexValue(buf[i + 2]!);
  const d = hexValue(buf[i + 3]!);
  if ((a | b | c | d) < 0) return -1;
  return (a << 12) | (b << 8) | (c << 4) | d;
}

/**
 * Scans a string starting at the opening quote `buf[i]`. Returns the index
 * after the closing quote, or -1. Sets `scanState.flags` to STRING_* bits.
 * UTF-8 is checked as the WHATWG decoder in fatal mode does: no overlong
 * forms, no encoded surrogates, nothing above U+10FFFF.
 */
export function scanString(buf: Uint8Array, i: number, end: number): number {
  let flags = 0;
  i++;
  while (i < end) {
    // Tight loop over plain ASCII, the bulk of every line: one table load
    // per byte instead of four comparisons.
    let c = buf[i]!;
    while (PLAIN[c] === 1) {
      if (++i === end) return fail(i, 'unterminated string');
      c = buf[i]!;
    }
    if (c === 0x22) {
      scanState.flags = flags;
      return i + 1;
    }
    if (c === 0x5c) {
      flags |= STRING_ESCAPED;
      if (i + 1 >= end) return fail(i, 'unterminated string');
      const e = buf[i + 1]!;
      if (e === 0x75) {
        const u = hex4(buf, i + 2, end);
        if (u < 0) return fail(i, 'invalid \\u escape');
        i += 6;
        if (u >= 0xd800 && u <= 0xdbff) {
          // A high surrogate pairs only with an immediately following \uDC00–\uDFFF.
          const low = i + 1 < end && buf[i] === 0x5c && buf[i + 1] === 0x75 ? hex4(buf, i + 2, end) : -1;
          if (low >= 0xdc00 && low <= 0xdfff) i += 6;
          else flags |= STRING_LONE_SURROGATE;
        } else if (u >= 0xdc00 && u <= 0xdfff) {
          flags |= STRING_LONE_SURROGATE;
        }
        continue;
      }
      // " \ / b f n r t
      if (e === 0x22 || e === 0x5c || e === 0x2f || e === 0x62 || e === 0x66 || e === 0x6e || e === 0x72 || e === 0x74) {
        i += 2;
        continue;
      }
      return fail(i, `invalid escape ${describeByte(buf, i + 1, end)}`);
    }
    if (c < 0x20) return fail(i, `unescaped control character 0x${c.toString(16).padStart(2, '0')} in string`);
    flags |= STRING_NON_ASCII;
    const n = utf8SequenceLength(buf, i, end, c);
    if (n < 0) return fail(i, 'invalid UTF-8');
    i += n;
  }
  return fail(i, 'unterminated string');
}

/** 1 for bytes that stand for themselves inside a string: ASCII except controls, '"' and '\\'. */
const PLAIN = new Uint8Array(256);
for (let c = 0x20; c < 0x80; c++) PLAIN[c] = c === 0x22 || c === 0x5c ? 0 : 1;

/** Length of the valid UTF-8 sequence starting with lead byte `c` at `i`, or -1. */
function utf8SequenceLength(buf: Uint8Array, i: number, end: number, c: number): number {
  if (c >= 0xc2 && c <= 0xdf) {
    return i + 1 < end && isCont(buf[i + 1]!) ? 2 : -1;
  }
  if (c >= 0xe0 && c <= 0xef) {
    if (i + 2 >= end) return -1;
    const c1 = buf[i + 1]!;
    // E0 needs A0–BF (no overlong), ED needs 80–9F (no surrogates).
    const lo = c === 0xe0 ? 0xa0 : 0x80;
    const hi = c === 0xed ? 0x9f : 0xbf;
    return c1 >= lo && c1 <= hi && isCont(buf[i + 2]!) ? 3 : -1;
  }
  if (c >= 0xf0 && c <= 0xf4) {
    if (i + 3 >= end) return -1;
    const c1 = buf[i + 1]!;
    // F0 needs 90–BF (no overlong), F4 needs 80–8F (≤ U+10FFFF).
    const lo = c === 0xf0 ? 0x90 : 0x80;
    const hi = c === 0xf4 ? 0x8f : 0xbf;
    return c1 >= lo && c1 <= hi && isCont(buf[i + 2]!) && isCont(buf[i + 3]!) ? 4 : -1;
  }
  return -1;
}

function isCont(c: number): boolean {
  return (c & 0xc0) === 0x80;
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

/**
 * Scans a number: `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`.
 * Returns the index after it, or -1. Sets `scanState.flags` to
 * NUMBER_NOT_INTEGER when a fraction or exponent is present.
 */
export function scanNumber(buf: Uint8Array, i: number, end: number): number {
  const start = i;
  let flags = 0;
  if (buf[i] === 0x2d) i++;
  if (i >= end) return fail(i, 'invalid number');
  let c = buf[i]!;
  if (c === 0x30) {
    i++;
  } else if (c >= 0x31 && c <= 0x39) {
    i++;
    while (i < end && isDigit(buf[i]!)) i++;
  } else {
    return fail(start, 'invalid number');
  }
  if (i < end && buf[i] === 0x2e) {
    flags = NUMBER_NOT_INTEGER;
    i++;
    const digitsAt = i;
    while (i < end && isDigit(buf[i]!)) i++;
    if (i === digitsAt) return fail(start, 'invalid number (digits must follow ".")');
  }
  if (i < end) {
    c = buf[i]!;
    if (c === 0x65 || c === 0x45) {
      flags = NUMBER_NOT_INTEGER;
      i++;
      if (i < end && (buf[i] === 0x2b || buf[i] === 0x2d)) i++;
      const digitsAt = i;
      while (i < end && isDigit(buf[i]!)) i++;
      if (i === digitsAt) return fail(start, 'invalid number (digits must follow the exponent)');
    }
  }
  scanState.flags = flags;
  return i;
}

const TRUE = [0x74, 0x72, 0x75, 0x65];
const FALSE = [0x66, 0x61, 0x6c, 0x73, 0x65];
const NULL = [0x6e, 0x75, 0x6c, 0x6c];

/** Scans `true`, `false` or `null` at `i`; returns the index after it, or -1. */
export function scanLiteral(buf: Uint8Array, i: number, end: number): number {
  const c = buf[i];
  const word = c === 0x74 ? TRUE : c === 0x66 ? FALSE : NULL;
  if (i + word.length > end) return unexpected(buf, i, end);
  for (let k = 0; k < word.length; k++) {
    if (buf[i + k] !== word[k]) return unexpected(buf, i + k, end);
  }
  return i + word.length;
}

/** Container stack for skipValue: 1 = object, 2 = array. Grows; never shrinks. */
let stack = new Uint8Array(64);

/**
 * Scans any JSON value (including nested containers) at `i`, after optional
 * whitespace. Returns the index after it, or -1. Iterative, so nesting depth
 * is bounded only by the line length, as with JSON.parse.
 */
export function skipValue(buf: Uint8Array, i: number, end: number): number {
  let depth = 0;
  for (;;) {
    // Expect a value.
    i = skipWs(buf, i, end);
    if (i >= end) return fail(i, 'unexpected end of line');
    const c = buf[i]!;
    if (c === 0x7b || c === 0x5b) {
      const close = c === 0x7b ? 0x7d : 0x5d;
      const j = skipWs(buf, i + 1, end);
      if (j < end && buf[j] === close) {
        i = j + 1;
      } else {
        if (depth === stack.length) {
          const bigger = new Uint8Array(stack.length * 2);
          bigger.set(stack);
          stack = bigger;
        }
        stack[depth++] = c === 0x7b ? 1 : 2;
        if (c === 0x7b) {
          i = objectKey(buf, j, end);
          if (i < 0) return -1;
        } else {
          i = j;
        }
        continue;
      }
    } else if (c === 0x22) {
      i = scanString(buf, i, end);
    } else if (c === 0x2d || isDigit(c)) {
      i = scanNumber(buf, i, end);
    } else if (c === 0x74 || c === 0x66 || c === 0x6e) {
      i = scanLiteral(buf, i, end);
    } else {
      return unexpected(buf, i, end);
    }
    if (i < 0) return -1;
    // After a value: close containers or move to the next element.
    for (;;) {
      if (depth === 0) return i;
      i = skipWs(buf, i, end);
      const top = stack[depth - 1];
      const d = i < end ? buf[i]! : -1;
      if (d === 0x2c) {
        if (top === 1) {
          i = objectKey(buf, skipWs(buf, i + 1, end), end);
          if (i < 0) return -1;
        } else {
          i++;
        }
        break;
      }
      if ((d === 0x7d && top === 1) || (d === 0x5d && top === 2)) {
        depth--;
        i++;
        continue;
      }
      return unexpected(buf, i, end);
    }
  }
}

/** At a member's key: scans `"key"`, whitespace and `:`; returns the index after the colon. */
function objectKey(buf: Uint8Array, i: number, end: number): number {
  if (i >= end || buf[i] !== 0x22) return unexpected(buf, i, end);
  i = scanString(buf, i, end);
  if (i < 0) return -1;
  i = skipWs(buf, i, end);
  if (i >= end || buf[i] !== 0x3a) return unexpected(buf, i, end);
  return i + 1;
}
