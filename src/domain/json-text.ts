/**
 * Turning a JSON string that json-scan.ts has already validated into a JS
 * string, with the same result as JSON.parse.
 *
 * Most values on the wire are short ASCII with no escapes (ids, codes), so
 * that case avoids TextDecoder, and ids that repeat line after line (store,
 * terminal) come from a small cache instead of being built again.
 * Everything here is synchronous and single-threaded, which is what makes the
 * reused scratch arrays safe.
 */
import { STRING_ESCAPED, STRING_NON_ASCII } from './json-scan.js';

const utf8 = new TextDecoder('utf-8');

/**
 * One reusable argument array per length: `String.fromCharCode.apply` on an
 * exact-length array builds a flat string in one call. Measured on Node 20
 * for a 36-byte id: ~260 ns, vs ~360 ns in 8-byte chunks, ~280 ns for
 * TextDecoder on a subarray and ~740 ns char by char (which also leaves a
 * rope that is flattened later).
 */
export const CHAR_ARGS: readonly number[][] = Array.from({ length: 65 }, (_, n) => new Array<number>(n).fill(0));

/**
 * String from `buf[start, end)`, all bytes < 0x80, no escapes.
 * `buf[i]!`: callers pass ranges that json-scan.ts validated, inside `buf`.
 */
export function asciiString(buf: Uint8Array, start: number, end: number): string {
  const args = CHAR_ARGS[end - start];
  if (args === undefined) return utf8.decode(buf.subarray(start, end));
  for (let k = 0; k < args.length; k++) args[k] = buf[start + k]!;
  return String.fromCharCode.apply(null, args);
}

/** Cache geometry: 4096 slots of up to 32 bytes = 128 KiB, fixed. */
const INTERN_SLOTS = 4096;
const INTERN_MAX_BYTES = 32;

/**
 * A direct-mapped cache from short ASCII byte strings to JS strings. A store
 * or terminal id repeats on every line from that till; a hit costs a hash
 * and a compare of ~10 bytes instead of building a new string (and gives the
 * consumer the same string object, which makes Map lookups on it cheaper).
 * Bounded: a new id simply replaces whatever shared its slot.
 */
export class AsciiInterner {
  private readonly keys = new Uint8Array(INTERN_SLOTS * INTERN_MAX_BYTES);
  private readonly lengths = new Uint8Array(INTERN_SLOTS);
  private readonly strings: string[] = new Array<string>(INTERN_SLOTS).fill('');

  /** The string for ASCII, escape-free `buf[start, end)`. */
  get(buf: Uint8Array, start: number, end: number): string {
    const n = end - start;
    if (n === 0 || n > INTERN_MAX_BYTES) return asciiString(buf, start, end);
    let h = 0x811c9dc5; // FNV-1a
    for (let i = start; i < end; i++) h = Math.imul(h ^ buf[i]!, 0x01000193);
    const slot = (h >>> 0) & (INTERN_SLOTS - 1);
    const base = slot * INTERN_MAX_BYTES;
    if (this.lengths[slot] === n) {
      let k = 0;
      while (k < n && this.keys[base + k] === buf[start + k]) k++;
      if (k === n) return this.strings[slot]!;
    }
    const s = asciiString(buf, start, end);
    for (let k = 0; k < n; k++) this.keys[base + k] = buf[start + k]!;
    this.lengths[slot] = n;
    this.strings[slot] = s;
    return s;
  }
}

/**
 * Decodes the validated JSON string content `buf[start, end)` (between the
 * quotes). `flags` are the STRING_* bits json-scan.ts reported for it.
 */
export function jsonString(buf: Uint8Array, start: number, end: number, flags: number): string {
  if ((flags & STRING_ESCAPED) === 0) {
    return (flags & STRING_NON_ASCII) === 0 ? asciiString(buf, start, end) : utf8.decode(buf.subarray(start, end));
  }
  // Escapes are rare on the wire: a simple segment-by-segment build is enough.
  let out = '';
  let segment = start;
  let i = start;
  while (i < end) {
    if (buf[i] !== 0x5c) {
      i++;
      continue;
    }
    if (i > segment) out += utf8.decode(buf.subarray(segment, i));
    const e = buf[i + 1]!;
    if (e === 0x75) {
      // Surrogate halves are appended one by one; adjacent halves join into
      // one code point in the JS string exactly as JSON.parse joins them.
      out += String.fromCharCode(parseInt(String.fromCharCode(buf[i + 2]!, buf[i + 3]!, buf[i + 4]!, buf[i + 5]!), 16));
      i += 6;
    } else {
      out += ESCAPED[e] ?? '';
      i += 2;
    }
    segment = i;
  }
  if (end > segment) out += utf8.decode(buf.subarray(segment, end));
  return out;
}

/** Single-character escapes, by the byte after the backslash. */
const ESCAPED: Partial<Record<number, string>> = {
  0x22: '"',
  0x5c: '\\',
  0x2f: '/',
  0x62: '\b',
  0x66: '\f',
  0x6e: '\n',
  0x72: '\r',
  0x74: '\t',
};
