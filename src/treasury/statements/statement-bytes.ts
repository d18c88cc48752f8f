/**
 * A statement file as bytes, for the parsers that read bytes (MT940):
 * fields stay byte offsets and only the values kept become strings, each
 * decoded once. Decoding per value instead of the whole file means no
 * file-sized string is made and no kept value is a slice that pins the
 * whole file text in memory (a V8 sliced string keeps its parent alive).
 */
import { Buffer } from 'node:buffer';

/** How the bytes read: `latin1` (ASCII files too: the same letters), or `utf-8`. */
export type ByteCharset = 'latin1' | 'utf-8';

/** Slots of the intern table: a file repeats a few dozen names and codes. */
const POOL_SIZE = 1024;
/** Longest value interned: names and codes, not free text. */
const POOL_MAX_LENGTH = 70;

export class StatementBytes {
  readonly bytes: Buffer;
  readonly utf8: boolean;
  /** Values made of several pieces (wrapped lines, DK subfields) are copied here and decoded once. */
  scratch: Buffer = Buffer.allocUnsafe(4096);
  private readonly pool: (string | undefined)[] = new Array<string | undefined>(POOL_SIZE);

  constructor(bytes: Uint8Array, charset: ByteCharset) {
    this.bytes = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.utf8 = charset === 'utf-8';
  }

  /** `src[from, to)` as text (the file bytes unless told). */
  text(from: number, to: number, src: Buffer = this.bytes): string {
    return decode(src, from, to, this.utf8);
  }

  /**
   * Trimmed text of `src[from, to)` (the file bytes or the scratch buffer),
   * or null when nothing is left. ASCII whitespace is trimmed on the bytes;
   * a value with a non-ASCII byte at either end also goes through `trim()`,
   * so that a no-break space is dropped as `trim()` would.
   */
  trimmed(src: Buffer, from: number, to: number): string | null {
    return this.trimmedOf(src, from, to, false);
  }

  /** {@link trimmed}, {@link intern}ed: for names, which repeat. */
  trimmedIntern(src: Buffer, from: number, to: number): string | null {
    return this.trimmedOf(src, from, to, true);
  }

  private trimmedOf(src: Buffer, from: number, to: number, intern: boolean): string | null {
    while (from < to && isAsciiSpace(src[from]!)) from++;
    while (to > from && isAsciiSpace(src[to - 1]!)) to--;
    if (from === to) return null;
    const s = intern ? this.intern(src, from, to) : decode(src, from, to, this.utf8);
    return src[from]! < 0x80 && src[to - 1]! < 0x80 ? s : s.trim() || null;
  }

  /** Makes room for `n` bytes in the scratch buffer, keeping its first `keep` bytes. */
  reserve(n: number, keep: number): Buffer {
    if (n > this.scratch.length) {
      const bigger = Buffer.allocUnsafe(Math.max(n, this.scratch.length * 2));
      this.scratch.copy(bigger, 0, 0, keep);
      this.scratch = bigger;
    }
    return this.scratch;
  }

  /**
   * `src[from, to)` as text, the same string object each time the same
   * bytes come again (counterparty names, type codes): one string kept for
   * thousands of entries instead of one each.
   */
  intern(src: Buffer, from: number, to: number): string {
    const n = to - from;
    if (n > POOL_MAX_LENGTH) return decode(src, from, to, this.utf8);
    let h = n;
    let high = false;
    for (let i = from; i < to; i++) {
      const c = src[i]!;
      if (c > 0x7f) high = true;
      h = Math.imul(h ^ c, 0x01000193);
    }
    const slot = (h >>> 0) % POOL_SIZE;
    // Non-ASCII UTF-8 (`Café Zürich AG`) is compared on a copy of its bytes: the compare below is byte = char code.
    if (high && this.utf8) return this.internUtf8(src, from, to, slot);
    const known = this.pool[slot];
    if (known !== undefined && known.length === n) {
      let k = 0;
      while (k < n && known.charCodeAt(k) === src[from + k]) k++;
      if (k === n) return known;
    }
    const s = decode(src, from, to, false);
    this.pool[slot] = s;
    return s;
  }

  private readonly utf8Pool: ({ bytes: Buffer; text: string } | undefined)[] = new Array<{ bytes: Buffer; text: string } | undefined>(POOL_SIZE);

  private internUtf8(src: Buffer, from: number, to: number, slot: number): string {
    const known = this.utf8Pool[slot];
    if (known !== undefined && known.bytes.length === to - from) {
      let k = 0;
      while (k < known.bytes.length && known.bytes[k] === src[from + k]) k++;
      if (k === known.bytes.length) return known.text;
    }
    const text = src.utf8Slice(from, to);
    this.utf8Pool[slot] = { bytes: Buffer.from(src.subarray(from, to)), text };
    return text;
  }
}

/**
 * Node's own Buffer decoders, which `toString(encoding, start, end)` calls
 * after checking its arguments and looking the encoding up: called
 * directly, once per kept value, they save ~5 % of an MT940 parse.
 * Undocumented but long-standing (undici calls `latin1Slice` the same way).
 */
declare global {
  interface Buffer {
    latin1Slice(start: number, end: number): string;
    utf8Slice(start: number, end: number): string;
  }
}

/** Decodes a range; in a UTF-8 file a range of ASCII bytes takes the (faster) Latin-1 decoder, which reads it the same. */
export function decode(b: Buffer, from: number, to: number, utf8: boolean): string {
  if (utf8) {
    for (let i = from; i < to; i++) if (b[i]! > 0x7f) return b.utf8Slice(from, to);
  }
  return b.latin1Slice(from, to);
}

/** Whitespace that `String.prototype.trim` removes, among ASCII bytes. */
export function isAsciiSpace(c: number): boolean {
  return c === 0x20 || (c >= 0x09 && c <= 0x0d);
}
