/**
 * ClickHouse's TabSeparated format, both ways, and its SQL string literals.
 * TabSeparated is the one text format that is the same on ClickHouse 18.16
 * and on current servers, prints Int64 unquoted, and needs no JSON layer:
 * a value never holds a raw tab or newline (they are escaped), so a row is
 * found with `indexOf(0x0a)` and a field with `indexOf(0x09)`.
 *
 * Escapes written: `\\`, `\t`, `\n`, `\r`, `\0`, `\b`, `\f` (what
 * ClickHouse's own `writeEscapedString` writes, minus the quote, which needs
 * no escape in TabSeparated). Escapes read: those, `\'`, `\a`, `\v`, `\e`
 * and, as ClickHouse does, `\c` for any other `c`. NULL is `\N`.
 */

/** A SQL string literal: `'` and `\` escaped with a backslash; every other byte, NUL and newline included, is literal. */
export function sqlString(s: string): string {
  return `'${s.replace(/[\\']/g, (c) => `\\${c}`)}'`;
}

const NEEDS_ESCAPE = /[\\\t\n\r\0\b\f]/;
const ESCAPES: Readonly<Record<string, string>> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r', '\0': '\\0', '\b': '\\b', '\f': '\\f' };

/**
 * A growing byte buffer for a TabSeparated INSERT body. Strings are written
 * straight into the buffer as UTF-8; only the rare string with a special
 * character goes through `replace`.
 */
export class TsvWriter {
  private buf: Buffer;
  private pos = 0;

  constructor(initialBytes = 1 << 16) {
    this.buf = Buffer.allocUnsafe(initialBytes);
  }

  get length(): number {
    return this.pos;
  }

  /** A text value, escaped. */
  text(s: string): void {
    const v = NEEDS_ESCAPE.test(s) ? s.replace(/[\\\t\n\r\0\b\f]/g, (c) => ESCAPES[c]!) : s;
    this.reserve(v.length * 3);
    this.pos += this.buf.write(v, this.pos, 'utf8');
  }

  /** An integer (a JS safe integer: its decimal form is plain ASCII). */
  int(n: number): void {
    this.reserve(21);
    this.pos += this.buf.write(String(n), this.pos, 'latin1');
  }

  null(): void {
    this.reserve(2);
    this.buf[this.pos++] = 0x5c;
    this.buf[this.pos++] = 0x4e;
  }

  tab(): void {
    this.reserve(1);
    this.buf[this.pos++] = 0x09;
  }

  newline(): void {
    this.reserve(1);
    this.buf[this.pos++] = 0x0a;
  }

  /** The bytes written so far (a view; `reset` reuses them). */
  bytes(): Buffer {
    return this.buf.subarray(0, this.pos);
  }

  reset(): void {
    this.pos = 0;
  }

  private reserve(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n));
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }
}

/** A field of a TabSeparated row: bytes `[start, end)` of `buf`. */
export interface TsvField {
  start: number;
  end: number;
}

/**
 * Calls `row(fields)` for each row of a TabSeparated body; throws if a row
 * does not have `columns` fields. `fields` is reused between rows.
 */
export function forEachTsvRow(buf: Buffer, columns: number, row: (fields: readonly TsvField[]) => void): void {
  const fields: TsvField[] = Array.from({ length: columns }, () => ({ start: 0, end: 0 }));
  let pos = 0;
  while (pos < buf.length) {
    let eol = buf.indexOf(0x0a, pos);
    if (eol < 0) eol = buf.length;
    let start = pos;
    for (let i = 0; i < columns; i++) {
      const f = fields[i]!;
      const tab = i === columns - 1 ? -1 : buf.indexOf(0x09, start);
      if (i < columns - 1 && (tab < 0 || tab > eol)) throw new TypeError(`row at byte ${String(pos)} has ${String(i + 1)} fields, expected ${String(columns)}`);
      f.start = start;
      f.end = tab < 0 ? eol : tab;
      start = f.end + 1;
    }
    const extra = buf.indexOf(0x09, fields[columns - 1]!.start);
    if (extra >= 0 && extra < eol) throw new TypeError(`row at byte ${String(pos)} has more than ${String(columns)} fields`);
    row(fields);
    pos = eol + 1;
  }
}

/** True if the field is `\N`. */
export function isNull(buf: Buffer, f: TsvField): boolean {
  return f.end - f.start === 2 && buf[f.start] === 0x5c && buf[f.start + 1] === 0x4e;
}

/** A text field, unescaped. */
export function readText(buf: Buffer, f: TsvField): string {
  const slash = buf.indexOf(0x5c, f.start);
  if (slash < 0 || slash >= f.end) return buf.toString('utf8', f.start, f.end);
  const out = Buffer.allocUnsafe(f.end - f.start);
  let n = 0;
  for (let i = f.start; i < f.end; i++) {
    const c = buf[i]!;
    if (c !== 0x5c || i + 1 === f.end) {
      out[n++] = c;
      continue;
    }
    const e = buf[++i]!;
    out[n++] = UNESCAPE[e] ?? e;
  }
  return out.toString('utf8', 0, n);
}

const UNESCAPE: Partial<Record<number, number>> = {
  0x62: 0x08, // \b
  0x66: 0x0c, // \f
  0x6e: 0x0a, // \n
  0x72: 0x0d, // \r
  0x74: 0x09, // \t
  0x30: 0x00, // \0
  0x61: 0x07, // \a
  0x76: 0x0b, // \v
  0x65: 0x1b, // \e
};

/**
 * An integer field as a number, or NaN if it is not a decimal integer of at
 * most 16 digits (every Int64 the warehouse writes is a safe integer, at
 * most 16 digits; anything longer is not one it wrote).
 */
export function readInt(buf: Buffer, f: TsvField): number {
  let i = f.start;
  let neg = false;
  if (buf[i] === 0x2d) {
    neg = true;
    i++;
  }
  if (i === f.end || f.end - i > 16) return NaN;
  let v = 0;
  for (; i < f.end; i++) {
    const d = buf[i]! - 0x30;
    if (d < 0 || d > 9) return NaN;
    v = v * 10 + d;
  }
  return neg ? -v : v;
}
