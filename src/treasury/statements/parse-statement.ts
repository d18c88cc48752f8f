/**
 * One entry point for statement files: decode, detect the format (or take
 * the caller's), parse, and answer with statements or one error value.
 * Never throws on bad input and never returns part of a file: a file
 * either parses completely or is an error (repairs, listed on the
 * statement, are the documented exceptions).
 */
import { Buffer } from 'node:buffer';
import type { StatementFormat } from '../../domain/statement.js';
import { readCamt053, readCamt053Bytes, type XmlEngine } from './camt053.js';
import { readMt940, readMt940Bytes } from './mt940.js';
import { isAsciiSpace, StatementBytes } from './statement-bytes.js';
import { fail, runParser, type StatementParseResult } from './statement-error.js';
import { readStatementCsv, STATEMENT_CSV_COLUMNS } from './statement-csv.js';
import { decodeStatementBytes, MAX_STATEMENT_BYTES, statementEncoding, stripBom, type TextEncodingChoice } from './statement-text.js';

export interface ParseStatementOptions {
  /** The format, or `'auto'` (default) to detect it from the content. */
  format?: StatementFormat | 'auto';
  /**
   * For byte input. `'auto'` (default): UTF-8, except that an MT940 file that
   * is not UTF-8 is read as ISO-8859-1 when it has no C1 bytes (a repair);
   * camt follows its XML declaration (UTF-8 or ISO-8859-1). `'utf-8'` is
   * strict everywhere; `'latin1'` forces ISO-8859-1.
   */
  encoding?: TextEncodingChoice;
  /** XML engine for camt.053 (default: the built-in scanner). */
  camtEngine?: XmlEngine;
}

export function parseStatement(input: Uint8Array | string, options: ParseStatementOptions = {}): StatementParseResult {
  return runParser(() => {
    const encoding = options.encoding ?? 'auto';
    let text: string;
    const repairs: string[] = [];
    let format = options.format ?? 'auto';
    if (typeof input === 'string') {
      if (input.length > MAX_STATEMENT_BYTES) fail('statement_too_large', `the text has ${String(input.length)} characters; at most ${String(MAX_STATEMENT_BYTES)} are accepted`);
      text = stripBom(input);
    } else {
      // Sniff on a Latin-1 view of the head: the format markers are ASCII either way.
      const head = Buffer.from(input.buffer, input.byteOffset, input.byteLength).toString('latin1', 0, SNIFF_HEAD_BYTES);
      if (format === 'auto') format = detectStatementFormat(stripBom(head.replace(/^\u00ef\u00bb\u00bf/, ''))) ?? 'auto';
      let choice = encoding;
      if (format === 'camt053' && encoding === 'auto') choice = xmlDeclaredEncoding(head);
      else if (format !== 'mt940' && encoding === 'auto') choice = 'utf-8';
      if (format === 'mt940' || (format === 'camt053' && options.camtEngine !== 'fast-xml-parser')) {
        // MT940 and camt.053 are read from the bytes: only the values kept are decoded.
        const e = statementEncoding(input, choice);
        if (e.repair !== undefined) repairs.push(e.repair);
        const source = new StatementBytes(input.subarray(e.start), e.charset);
        if (isBlank(source)) fail('statement_empty', 'the file is empty');
        return format === 'mt940' ? readMt940Bytes(source, repairs) : readCamt053Bytes(source);
      }
      const decoded = decodeStatementBytes(input, choice);
      text = decoded.text;
      if (decoded.repair !== undefined) repairs.push(decoded.repair);
    }
    if (text.trim() === '') fail('statement_empty', 'the file is empty');
    if (format === 'auto') {
      const detected = detectStatementFormat(text);
      if (detected === null) {
        fail('statement_unknown_format', 'not a statement file: expected camt.053 XML, MT940 (a line starting with :20:) or the statement CSV (a header starting with record_type)', { line: 1 });
      }
      format = detected;
    }
    switch (format) {
      case 'camt053':
        return readCamt053(text, options.camtEngine === undefined ? {} : { engine: options.camtEngine });
      case 'mt940':
        return readMt940(text, repairs);
      case 'csv':
        return readStatementCsv(text);
    }
  });
}

/** Bytes of the head the format is sniffed on. */
const SNIFF_HEAD_BYTES = 4096;

/** True when the bytes hold nothing but whitespace (as `trim()` sees it). */
function isBlank(source: StatementBytes): boolean {
  const b = source.bytes;
  let i = 0;
  while (i < b.length && isAsciiSpace(b[i]!)) i++;
  if (i === b.length) return true;
  // A non-ASCII first letter: let trim() judge (a no-break space is whitespace).
  return b[i]! >= 0x80 && source.text(i, Math.min(b.length, i + 4096)).trim() === '' && source.text(i, b.length).trim() === '';
}

/** How far into the text format markers are looked for. */
const SNIFF_CHARS = 64 * 1024;

/**
 * camt053 for XML (any root: the reader names a wrong namespace), csv for
 * our header, mt940 for a line starting with `:20:`, else null.
 */
export function detectStatementFormat(text: string): StatementFormat | null {
  const head = text.slice(0, SNIFF_CHARS).trimStart();
  if (head.startsWith('<')) return 'camt053';
  if (head.startsWith(`${STATEMENT_CSV_COLUMNS[0]},`)) return 'csv';
  if (head.startsWith(':20:') || /[\r\n]:20:/.test(head)) return 'mt940';
  return null;
}

/** The encoding an XML declaration names: UTF-8 (or none) → strict UTF-8, ISO-8859-1 → latin1, anything else is refused. */
function xmlDeclaredEncoding(head: string): TextEncodingChoice {
  const m = /^(?:\u00ef\u00bb\u00bf)?<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._-]+)["']/.exec(head);
  const name = m?.[1]?.toLowerCase();
  if (name === undefined || name === 'utf-8' || name === 'utf8') return 'utf-8';
  if (name === 'iso-8859-1' || name === 'latin1' || name === 'iso8859-1') return 'latin1';
  return fail('statement_invalid_encoding', `the XML declares encoding ${JSON.stringify(m?.[1])}; UTF-8 and ISO-8859-1 are read`, { line: 1 });
}
