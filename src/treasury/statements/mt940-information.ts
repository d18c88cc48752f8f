/**
 * The MT940 information field `:86:` of an entry: free text, SWIFT `/CODE/`
 * fields, or the German DK layout `GVC?00…?20…?32…` with SEPA keywords such
 * as `EREF+` and `SVWZ+` in its purpose text. Hot path: byte scans on the
 * file; the pieces of a value are copied into one scratch buffer and
 * decoded once, so each kept value is one flat string and nothing else is
 * made per entry.
 */
import { Buffer, isAscii } from 'node:buffer';
import { TEXT_REFERENCE, TEXT_REMITTANCE, type EntryColumnStore } from './entry-columns.js';
import type { Field } from './mt940-field.js';
import { isAsciiSpace, StatementBytes } from './statement-bytes.js';

/** SEPA keywords (before their '+') of the DK purpose text (DK "Technische Anlage", SEPA-Verwendungszweck), as 4-byte numbers; BIC+ is checked apart. */
const SEPA_KEYWORDS = new Set(['EREF', 'KREF', 'MREF', 'CRED', 'DEBT', 'COAM', 'OAMT', 'SVWZ', 'ABWA', 'ABWE', 'IBAN'].map((k) => word(k, 0)));
const EREF = word('EREF', 0);
const SVWZ = word('SVWZ', 0);

function word(s: string, at: number): number {
  return ((s.charCodeAt(at) << 24) | (s.charCodeAt(at + 1) << 16) | (s.charCodeAt(at + 2) << 8) | s.charCodeAt(at + 3)) >>> 0;
}

function wordAt(b: Uint8Array, at: number): number {
  return ((b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!) >>> 0;
}

/** What a purpose text gives: the reference (EREF+) and remittance, null when absent. */
export interface SepaFields {
  reference: string | null;
  remittance: string | null;
}

/**
 * `:86:` → the entry's reference (when it has one: it wins over the `:61:` customer reference), remittance and counterparty. DK layout (`NNN?` start):
 * line breaks are dropped (banks wrap anywhere, even inside `?2` `0`), the
 * purpose is `?20`–`?29` then `?60`–`?63` concatenated, the name `?32`+`?33`;
 * if the purpose holds SEPA keywords, EREF+ is the reference and SVWZ+ the
 * remittance (else the whole purpose). Other text: lines joined with one
 * space; SWIFT-coded text (`/EREF/…/NAME/…`) gives reference and name.
 */
export function applyInformation(out: EntryColumnStore, row: number, f: Field): void {
  const src = f.src;
  const t = src.bytes;
  const at = f.start;
  if (f.firstEnd - at >= 4 && isDigit(t[at]!) && isDigit(t[at + 1]!) && isDigit(t[at + 2]!) && t[at + 3] === 0x3f) {
    applyDk(out, row, src, at, f.end);
    return;
  }
  const n = f.copyLines(true, 0x20);
  out.setText(row, TEXT_REMITTANCE, src.scratch, 0, n);
  if (out.hasText(row, TEXT_REMITTANCE) && out.firstByte(row, TEXT_REMITTANCE) === 0x2f /* / */) {
    // Codes are read from the lines joined without a separator: they are hard-wrapped.
    const m = f.copyLines(true, -1);
    if (codedField(src, m, EREF)) out.setText(row, TEXT_REFERENCE, src.scratch, range[0]!, range[1]!);
    out.setCounterparty(row, codedField(src, m, word('NAME', 0)) ? src.trimmedIntern(src.scratch, range[0]!, range[1]!) : null);
  }
}

/** The range the last {@link codedField} or {@link sepaRanges} found (reused: no object per entry). */
const range = new Int32Array(4);

/**
 * Reads the DK subfields straight from the file bytes `[from, to)`, line
 * breaks included, in one pass: the purpose bytes are copied to the
 * scratch buffer's first half and the name bytes to its second half, line
 * breaks dropped, so each becomes one string.
 */
function applyDk(out: EntryColumnStore, row: number, src: StatementBytes, from: number, to: number): void {
  const s = src.bytes;
  const half = to - from;
  const scratch = src.reserve(2 * half, 0);
  let purpose = 0;
  let name = half;
  /** Where the current subfield's bytes go: 1 purpose, 2 name, 0 nowhere (before the first subfield, or a subfield not read). */
  let into = 0;
  let i = from;
  while (i < to) {
    // From '?' to '?' with the native indexOf (a DK field has a handful), the bytes between copied in a tight loop.
    const q = s.indexOf(0x3f, i);
    const stop = q === -1 || q >= to ? to : q;
    if (into !== 0) {
      let n = into === 1 ? purpose : name;
      for (let k = i; k < stop; k++) {
        const c = s[k]!;
        if (c === 0x0a || (c === 0x0d && k + 1 < to && s[k + 1] === 0x0a)) continue;
        scratch[n++] = c;
      }
      if (into === 1) purpose = n;
      else name = n;
    }
    if (stop === to) break;
    const b = codeEnd(s, q, to);
    if (b === -1) {
      // A '?' without two digits after it is text.
      if (into === 1) scratch[purpose++] = 0x3f;
      else if (into === 2) scratch[name++] = 0x3f;
      i = q + 1;
      continue;
    }
    const d1 = s[codeStart(s, q, to)]!;
    const d2 = s[b]!;
    into = d1 === 0x32 || (d1 === 0x36 && d2 <= 0x33) ? 1 : d1 === 0x33 && (d2 === 0x32 || d2 === 0x33) ? 2 : 0; // ?20–?29, ?60–?63; ?32, ?33
    i = b + 1;
  }
  const eref = sepaRanges(src, scratch, 0, purpose);
  if (eref) out.setText(row, TEXT_REFERENCE, scratch, range[0]!, range[1]!);
  out.setText(row, TEXT_REMITTANCE, scratch, range[2]!, range[3]!);
  out.setCounterparty(row, src.trimmedIntern(scratch, half, name));
}

/**
 * Finds in the purpose text `buf[from, to)` the reference (EREF+; the
 * answer is whether there is one, in `range[0..1]`) and the remittance
 * (SVWZ+ when present, else the whole text; `range[2..3]`).
 */
function sepaRanges(src: StatementBytes, buf: Buffer, from: number, to: number): boolean {
  // Keyword starts found by looking behind each '+': no regex, no objects (hot path).
  let erefAt = -1;
  let erefEnd = -1;
  let svwzAt = -1;
  let svwzEnd = -1;
  let any = false;
  for (let plus = buf.indexOf(0x2b, from); plus !== -1 && plus < to; plus = buf.indexOf(0x2b, plus + 1)) {
    const len = keywordBefore(buf, from, plus);
    if (len === 0) continue;
    const start = plus - len;
    if (erefAt !== -1 && erefEnd === -1) erefEnd = start;
    if (svwzAt !== -1 && svwzEnd === -1) svwzEnd = start;
    if (len === 4) {
      const w = wordAt(buf, start);
      if (w === EREF && erefAt === -1) erefAt = plus + 1;
      else if (w === SVWZ && svwzAt === -1) svwzAt = plus + 1;
    }
    any = true;
  }
  range[2] = from;
  range[3] = to;
  if (!any) return false;
  let eref = false;
  if (erefAt !== -1) {
    let stop = erefEnd === -1 ? to : erefEnd;
    // A label such as `MTLG:` ends an identifier (but not the free-text SVWZ+).
    for (let i = erefAt; i + 4 < stop; i++) {
      if (buf[i + 4] === 0x3a && isUpper(buf[i]!) && isUpper(buf[i + 1]!) && isUpper(buf[i + 2]!) && isUpper(buf[i + 3]!)) {
        stop = i;
        break;
      }
    }
    let a = erefAt;
    let z = stop;
    while (a < z && isAsciiSpace(buf[a]!)) a++;
    while (z > a && isAsciiSpace(buf[z - 1]!)) z--;
    // NOTPROVIDED (the SEPA placeholder) and an empty value are no reference.
    if (a < z && buf[a]! < 0x80 && buf[z - 1]! < 0x80) eref = !isNotProvided(buf, a, z);
    else if (a < z) {
      const v = src.trimmed(buf, a, z);
      eref = v !== null && v !== 'NOTPROVIDED';
    }
    range[0] = a;
    range[1] = z;
  }
  if (svwzAt !== -1) {
    range[2] = svwzAt;
    range[3] = svwzEnd === -1 ? to : svwzEnd;
  }
  return eref;
}

const NOT_PROVIDED = Buffer.from('NOTPROVIDED', 'latin1');

function isNotProvided(b: Buffer, from: number, to: number): boolean {
  return to - from === NOT_PROVIDED.length && b.compare(NOT_PROVIDED, 0, NOT_PROVIDED.length, from, to) === 0;
}

/** Reference (EREF+) and remittance (SVWZ+, else the whole text) of a DK purpose text; the writer checks its output with this. */
export function sepaFields(purpose: string): SepaFields {
  const bytes = Buffer.from(purpose, 'utf8');
  const src = new StatementBytes(bytes, isAscii(bytes) ? 'latin1' : 'utf-8');
  const eref = sepaRanges(src, bytes, 0, bytes.length);
  return { reference: eref ? src.trimmed(bytes, range[0]!, range[1]!) : null, remittance: src.trimmed(bytes, range[2]!, range[3]!) };
}

/** Length of the SEPA keyword that ends right before the '+' at `plus` (4, or 3 for BIC), or 0. */
function keywordBefore(b: Uint8Array, from: number, plus: number): number {
  if (plus - from >= 4 && isUpper(b[plus - 1]!) && isUpper(b[plus - 4]!) && SEPA_KEYWORDS.has(wordAt(b, plus - 4))) return 4;
  if (plus - from >= 3 && b[plus - 3] === 0x42 && b[plus - 2] === 0x49 && b[plus - 1] === 0x43) return 3;
  return 0;
}

/**
 * Index of the second code digit of a `?NN` subfield whose '?' is at `q`,
 * or -1 if no two digits follow. A line break may sit inside (`?2` / `2…`).
 */
function codeEnd(s: Uint8Array, q: number, to: number): number {
  const a = codeStart(s, q, to);
  if (a >= to || !isDigit(s[a]!)) return -1;
  let b = a + 1;
  while (b < to && (s[b] === 0x0d || s[b] === 0x0a)) b++;
  return b < to && isDigit(s[b]!) ? b : -1;
}

/** Index of the first code digit after the '?' at `q` (line breaks skipped). */
function codeStart(s: Uint8Array, q: number, to: number): number {
  let a = q + 1;
  while (a < to && (s[a] === 0x0d || s[a] === 0x0a)) a++;
  return a;
}

/** `/CODE/value` in the scratch buffer's first `n` bytes, up to the next `/XXXX/` code: whether it is there with a value (trimmed), the value's range in `range[0..1]`. */
function codedField(src: StatementBytes, n: number, code: number): boolean {
  const b = src.scratch;
  let at = -1;
  for (let i = 0; i + 5 < n; i++) {
    if (b[i] === 0x2f && b[i + 5] === 0x2f && wordAt(b, i + 1) === code) {
      at = i;
      break;
    }
  }
  if (at === -1) return false;
  const from = at + 6;
  let to = n;
  for (let i = from; i + 5 < n; i++) {
    if (b[i] === 0x2f && b[i + 5] === 0x2f && isUpper(b[i + 1]!) && isUpper(b[i + 2]!) && isUpper(b[i + 3]!) && isUpper(b[i + 4]!)) {
      to = i;
      break;
    }
  }
  range[0] = from;
  range[1] = to;
  return src.trimmed(b, from, to) !== null;
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

function isUpper(c: number): boolean {
  return c >= 0x41 && c <= 0x5a;
}
