/**
 * Bytes → text for the statement parsers: the size cap, the byte-order
 * mark, strict UTF-8, and the one documented repair (ISO-8859-1 for MT940).
 */
import { Buffer, isAscii, isUtf8 } from 'node:buffer';
import type { ByteCharset } from './statement-bytes.js';
import { fail } from './statement-error.js';

/** Largest statement file accepted: a month of a busy account is a few MB; the cap bounds memory on hostile uploads. */
export const MAX_STATEMENT_BYTES = 256 * 1024 * 1024;

export interface DecodedText {
  text: string;
  /** Set when the bytes were not UTF-8 and were read as ISO-8859-1. */
  repair?: string;
}

export type TextEncodingChoice = 'utf-8' | 'latin1' | 'auto';

/** How a file's bytes read: the charset, where the text starts (after a UTF-8 byte-order mark), and the repair made, if any. */
export interface ByteEncoding {
  charset: ByteCharset;
  start: number;
  repair?: string;
}

/**
 * How `bytes` read, without decoding them. `'utf-8'` rejects invalid
 * UTF-8; `'latin1'` reads every byte as ISO-8859-1; `'auto'` takes UTF-8
 * and, when the bytes are not UTF-8, accepts ISO-8859-1 only if no byte is
 * in 0x80–0x9F: those are C1 control codes, which real ISO-8859-1 text
 * never holds but other code pages (CP850/CP852, Windows-125x) use for
 * letters, so such a file is rejected rather than read as the wrong letters.
 */
export function statementEncoding(bytes: Uint8Array, encoding: TextEncodingChoice): ByteEncoding {
  if (bytes.byteLength > MAX_STATEMENT_BYTES) {
    fail('statement_too_large', `the file has ${String(bytes.byteLength)} bytes; at most ${String(MAX_STATEMENT_BYTES)} are accepted`);
  }
  if (encoding === 'latin1') return { charset: 'latin1', start: 0 };
  // Pure ASCII (most statement files) reads the same as Latin-1, the cheapest decoding.
  if (isAscii(bytes)) return { charset: 'latin1', start: 0 };
  // SIMD checks (simdutf) rather than a fatal TextDecoder, which decodes through ICU at a few hundred MB/s.
  const bom = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  if (isUtf8(bytes)) return { charset: 'utf-8', start: bom };
  const bad = firstInvalidUtf8(bytes);
  const where = `byte ${String(bad.offset)} (0x${(bytes[bad.offset] ?? 0).toString(16).padStart(2, '0')})`;
  if (encoding === 'auto' && bytes.findIndex((b) => b >= 0x80 && b <= 0x9f) === -1) {
    return { charset: 'latin1', start: 0, repair: `line ${String(bad.line)}: the file is not UTF-8 (${where}); read as ISO-8859-1` };
  }
  return fail('statement_invalid_encoding', `invalid UTF-8 at ${where}; the file must be UTF-8${encoding === 'auto' ? ' or ISO-8859-1 (it holds bytes 0x80–0x9F, which ISO-8859-1 text never does)' : ''}`, { line: bad.line });
}

/** Decodes `bytes` as {@link statementEncoding} reads them (a byte-order mark dropped). */
export function decodeStatementBytes(bytes: Uint8Array, encoding: TextEncodingChoice): DecodedText {
  const e = statementEncoding(bytes, encoding);
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const text = b.toString(e.charset === 'utf-8' ? 'utf8' : 'latin1', e.start);
  return e.repair === undefined ? { text } : { text, repair: e.repair };
}

/** Offset and line of the first byte that breaks UTF-8 (only called after the decoder refused). */
function firstInvalidUtf8(b: Uint8Array): { offset: number; line: number } {
  let line = 1;
  let i = 0;
  while (i < b.length) {
    const c = b[i]!;
    if (c === 0x0a) line++;
    if (c < 0x80) {
      i++;
      continue;
    }
    const n = c >= 0xc2 && c <= 0xdf ? 1 : c >= 0xe0 && c <= 0xef ? 2 : c >= 0xf0 && c <= 0xf4 ? 3 : -1;
    if (n === -1) return { offset: i, line };
    for (let k = 1; k <= n; k++) {
      const d = b[i + k];
      if (d === undefined || (d & 0xc0) !== 0x80) return { offset: i, line };
    }
    // Overlong and surrogate forms: the second byte's range depends on the first.
    const d1 = b[i + 1]!;
    if ((c === 0xe0 && d1 < 0xa0) || (c === 0xed && d1 > 0x9f) || (c === 0xf0 && d1 < 0x90) || (c === 0xf4 && d1 > 0x8f)) return { offset: i, line };
    i += n + 1;
  }
  return { offset: b.length, line };
}

/** Drops a leading U+FEFF from text handed in as a string (the byte decoder already drops it). */
export function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}
