/**
 * The MT940 information field `:86:` of an entry: free text, SWIFT `/CODE/`
 * fields, or the German DK layout `GVC?00…?20…?32…` with SEPA keywords such
 * as `EREF+` and `SVWZ+` in its purpose text. Hot path: plain char scans on
 * the file text, no regex per entry.
 */
import type { StatementEntry } from '../../domain/statement.js';

/** An `:86:` field as offsets into the file text (see Field in mt940.ts). */
export interface InformationField {
  readonly text: string;
  readonly start: number;
  readonly firstEnd: number;
  readonly end: number;
  readonly first: string;
  readonly rest: readonly string[];
}


/** SEPA keywords (before their '+') of the DK purpose text (DK "Technische Anlage", SEPA-Verwendungszweck); BIC+ is checked apart. */
const SEPA_KEYWORDS = new Set(['EREF', 'KREF', 'MREF', 'CRED', 'DEBT', 'COAM', 'OAMT', 'SVWZ', 'ABWA', 'ABWE', 'IBAN']);
/** A label such as `MTLG:`: it ends an identifier field (EREF+ …) but not the free-text SVWZ+. */
const LABEL = /[A-Z]{4}:/g;

/**
 * `:86:` → the entry's reference (when it has one: it wins over the `:61:` customer reference), remittance and counterparty. DK layout (`NNN?` start):
 * line breaks are dropped (banks wrap anywhere, even inside `?2` `0`), the
 * purpose is `?20`–`?29` then `?60`–`?63` concatenated, the name `?32`+`?33`;
 * if the purpose holds SEPA keywords, EREF+ is the reference and SVWZ+ the
 * remittance (else the whole purpose). Other text: lines joined with one
 * space; SWIFT-coded text (`/EREF/…/NAME/…`) gives reference and name.
 */
export function applyInformation(e: StatementEntry, f: InformationField): void {
  const t = f.text;
  const at = f.start;
  if (f.firstEnd - at >= 4 && isDigit(t.charCodeAt(at)) && isDigit(t.charCodeAt(at + 1)) && isDigit(t.charCodeAt(at + 2)) && t.charCodeAt(at + 3) === 0x3f) {
    applyDk(e, t, at, f.end);
    return;
  }
  const first = f.first;
  const rest = f.rest;
  const text = (rest.length === 0 ? first : `${first} ${rest.join(' ')}`).trim();
  e.remittance = text || null;
  if (text.charCodeAt(0) === 0x2f /* / */) {
    const coded = first + rest.join('');
    e.reference = codedField(coded, 'EREF') ?? e.reference;
    e.counterparty = codedField(coded, 'NAME');
  }
}

/**
 * Reads the DK subfields straight from the file text `s[from, to)`, line
 * breaks included: a value is sliced out and only a value that spans a line
 * break is stitched together, so no joined copy of the field is made.
 */
function applyDk(e: StatementEntry, s: string, from: number, to: number): void {
  let purpose = '';
  let name = '';
  let q = nextSubfield(s, s.indexOf('?', from), to);
  while (q !== -1) {
    const b = codeEnd(s, q);
    const next = nextSubfield(s, s.indexOf('?', b + 1), to);
    const d1 = s.charCodeAt(codeStart(s, q));
    const d2 = s.charCodeAt(b);
    const end = next === -1 ? to : next;
    if (d1 === 0x32 || (d1 === 0x36 && d2 <= 0x33)) purpose += unwrapped(s, b + 1, end); // ?20–?29, ?60–?63
    else if (d1 === 0x33 && (d2 === 0x32 || d2 === 0x33)) name += unwrapped(s, b + 1, end); // ?32, ?33
    q = next;
  }
  const sepa = sepaFields(purpose);
  e.reference = sepa.reference ?? e.reference;
  e.remittance = sepa.remittance;
  e.counterparty = name.trim() || null;
}

/** Reference (EREF+) and remittance (SVWZ+, else the whole text) of a DK purpose text. */
export function sepaFields(purpose: string): { reference: string | null; remittance: string | null } {
  // Keyword starts found by looking behind each '+': no regex, no objects (hot path).
  let plus = purpose.indexOf('+');
  if (plus === -1) return { reference: null, remittance: purpose.trim() || null };
  let erefAt = -1;
  let erefEnd = -1;
  let svwzAt = -1;
  let svwzEnd = -1;
  let any = false;
  while (plus !== -1) {
    const len = keywordBefore(purpose, plus);
    if (len > 0) {
      const start = plus - len;
      if (erefAt !== -1 && erefEnd === -1) erefEnd = start;
      if (svwzAt !== -1 && svwzEnd === -1) svwzEnd = start;
      if (len === 4 && purpose.startsWith('EREF', start) && erefAt === -1) erefAt = plus + 1;
      else if (len === 4 && purpose.startsWith('SVWZ', start) && svwzAt === -1) svwzAt = plus + 1;
      any = true;
    }
    plus = purpose.indexOf('+', plus + 1);
  }
  if (!any) return { reference: null, remittance: purpose.trim() || null };
  let reference: string | null = null;
  if (erefAt !== -1) {
    let stop = erefEnd === -1 ? purpose.length : erefEnd;
    LABEL.lastIndex = erefAt;
    const label = LABEL.exec(purpose);
    if (label !== null && label.index < stop) stop = label.index;
    const v = purpose.slice(erefAt, stop).trim();
    reference = v === '' || v === 'NOTPROVIDED' ? null : v;
  }
  const remittance = svwzAt !== -1 ? purpose.slice(svwzAt, svwzEnd === -1 ? purpose.length : svwzEnd).trim() || null : purpose.trim() || null;
  return { reference, remittance };
}

/** Length of the SEPA keyword that ends right before the '+' at `plus` (4, or 3 for BIC), or 0. */
function keywordBefore(s: string, plus: number): number {
  if (plus >= 4 && isUpper(s.charCodeAt(plus - 1)) && isUpper(s.charCodeAt(plus - 4)) && SEPA_KEYWORDS.has(s.slice(plus - 4, plus))) return 4;
  if (plus >= 3 && s.startsWith('BIC', plus - 3)) return 3;
  return 0;
}

/**
 * Index of the second code digit of a `?NN` subfield whose '?' is at `q`,
 * or -1 if no two digits follow. A line break may sit inside (`?2` / `2…`).
 */
function codeEnd(s: string, q: number): number {
  const a = codeStart(s, q);
  if (!isDigit(s.charCodeAt(a))) return -1;
  let b = a + 1;
  while (s.charCodeAt(b) === 0x0d || s.charCodeAt(b) === 0x0a) b++;
  return isDigit(s.charCodeAt(b)) ? b : -1;
}

/** Index of the first code digit after the '?' at `q` (line breaks skipped). */
function codeStart(s: string, q: number): number {
  let a = q + 1;
  while (s.charCodeAt(a) === 0x0d || s.charCodeAt(a) === 0x0a) a++;
  return a;
}

/** The first '?' at or after `q` (an indexOf result) before `to` that starts a subfield, or -1. */
function nextSubfield(s: string, q: number, to: number): number {
  while (q !== -1 && q < to) {
    if (codeEnd(s, q) !== -1) return q;
    q = s.indexOf('?', q + 1);
  }
  return -1;
}

/** `s[from, to)` without its line breaks. */
function unwrapped(s: string, from: number, to: number): string {
  let nl = s.indexOf('\n', from);
  if (nl === -1 || nl >= to) return s.slice(from, to);
  let out = '';
  let at = from;
  while (nl !== -1 && nl < to) {
    out += s.slice(at, nl > at && s.charCodeAt(nl - 1) === 0x0d ? nl - 1 : nl);
    at = nl + 1;
    nl = s.indexOf('\n', at);
  }
  return out + s.slice(at, to);
}

/** `/CODE/value` up to the next `/XXXX/` code, or null. */
function codedField(text: string, code: string): string | null {
  const at = text.indexOf(`/${code}/`);
  if (at === -1) return null;
  const from = at + code.length + 2;
  const m = /\/[A-Z]{4}\//.exec(text.slice(from));
  const v = (m === null ? text.slice(from) : text.slice(from, from + m.index)).trim();
  return v === '' ? null : v;
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

function isUpper(c: number): boolean {
  return c >= 0x41 && c <= 0x5a;
}
