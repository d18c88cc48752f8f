/**
 * A small, strict XML scanner over the file's bytes, for camt.053:
 * fast-xml-parser reads about 6 MB/s, well below the 50 MB/s a year of
 * card payouts needs. It walks the bytes once and reports element starts
 * and ends to an {@link XmlSink}, with element names as indexes into the
 * caller's list (matched on the bytes, never sliced) and text as byte
 * ranges; it makes no element objects and decodes text only when the text
 * needs it (entities, CDATA, a CR) or the caller asks. It checks
 * well-formedness (matching tags, one root, quoted and unique attributes,
 * known entities, nothing but whitespace outside the root) and refuses
 * DTDs outright: camt needs none, and a DOCTYPE is how entity-expansion
 * attacks arrive.
 */
import type { StatementBytes } from './statement-bytes.js';
import { fail, show } from './statement-error.js';
import { decodeEntities, lineOfByte, xmlText, type XmlSink, type XmlTag } from './xml-events.js';
import { equalBytes, equalsAscii, indexOfAscii, NAME_CHAR, NAME_START, NameIds, startsWithAscii } from './xml-names.js';

/** Deepest nesting accepted: camt.053 goes ~12 deep; the cap keeps hostile input cheap. */
export const MAX_XML_DEPTH = 64;

/** Attributes of one tag compared pairwise for repeats up to this many; beyond, through a Set (hostile input). */
const PAIRWISE_ATTRS = 8;

export class XmlByteScanner implements XmlTag {
  private readonly b: Uint8Array;
  private readonly ids: NameIds;
  /** Offset and length of each open element's qualified name (its `<` is just before). */
  private readonly qStart = new Int32Array(MAX_XML_DEPTH + 1);
  private readonly qLen = new Int32Array(MAX_XML_DEPTH + 1);
  /** 1 while the open element at that depth has no child element (its text is kept). */
  private readonly leaf = new Uint8Array(MAX_XML_DEPTH + 1);
  private depth = 0;
  /** Text of the innermost open element: one plain byte range, or decoded text once it needed decoding or came in pieces. */
  private textFrom = -1;
  private textTo = -1;
  private slow: string | null = null;
  /** Name and value ranges (and an '&' flag) of the start tag just read: 5 ints per attribute. */
  private attrs = new Int32Array(5 * PAIRWISE_ATTRS);
  private nattrs = 0;
  /** Attribute names of a tag with very many attributes, for the repeat check. */
  private seen: Set<string> | null = null;
  private tagFrom = 0;
  private tagTo = 0;

  constructor(private readonly src: StatementBytes, names: readonly string[], private readonly sink: XmlSink) {
    this.b = src.bytes;
    this.ids = new NameIds(names);
  }

  get qname(): string {
    return this.src.text(this.tagFrom, this.tagTo);
  }

  attr(qname: string): string | undefined {
    const a = this.attrs;
    for (let k = 0; k < this.nattrs; k++) {
      const o = 5 * k;
      if (!equalsAscii(this.b, a[o]!, a[o + 1]!, qname)) continue;
      const from = a[o + 2]!;
      const to = a[o + 3]!;
      return a[o + 4] === 1 ? decodeEntities(this.src.text(from, to), (m) => this.bad(from, m)) : this.src.intern(this.src.bytes, from, to);
    }
    return undefined;
  }

  private bad(at: number, message: string): never {
    return fail('statement_invalid_xml', message, { line: lineOfByte(this.b, at) });
  }

  /** Reads the whole file, reporting to the sink; throws a StatementParseFailure on the first fault. */
  scan(): void {
    const b = this.b;
    const n = b.length;
    let pos = 0;
    let hadRoot = false;
    while (pos < n) {
      // Text up to the next '<': a byte loop, as runs between camt tags are a few bytes (faster than a native indexOf per tag).
      let i = pos;
      let amp = false;
      let cr = false;
      for (; i < n; i++) {
        const c = b[i]!;
        if (c === 0x3c) break;
        if (c === 0x26) amp = true;
        else if (c === 0x0d) cr = true;
      }
      if (i > pos) this.text(pos, i, amp, cr);
      if (i === n) {
        pos = n;
        break;
      }
      const lt = i;
      const c = b[lt + 1];
      if (c === 0x2f /* / */) {
        const next = this.endTag(lt);
        if (next === -1) {
          pos = lt;
          break;
        }
        pos = next;
      } else if (c === 0x3f /* ? */) {
        const close = indexOfAscii(b, '?>', lt + 2);
        if (close === -1) {
          pos = lt;
          break;
        }
        if (lt > 0 && startsWithAscii(b, lt + 2, 'xml') && isSpaceOrEnd(b[lt + 5])) this.bad(lt, 'the XML declaration must be at the very start of the file');
        this.interrupt();
        pos = close + 2;
      } else if (c === 0x21 /* ! */) {
        if (startsWithAscii(b, lt, '<!--')) {
          const close = indexOfAscii(b, '-->', lt + 4);
          if (close === -1) {
            pos = lt;
            break;
          }
          this.interrupt();
          pos = close + 3;
        } else if (startsWithAscii(b, lt, '<![CDATA[')) {
          const close = indexOfAscii(b, ']]>', lt + 9);
          if (close === -1) {
            pos = lt;
            break;
          }
          if (this.depth === 0) this.bad(lt, 'CDATA outside the root element');
          // CDATA is taken as written: no entities, no line-end normalisation.
          if (this.leaf[this.depth] === 1) this.slow = this.pending() + this.src.text(lt + 9, close);
          pos = close + 3;
        } else if (startsWithAscii(b, lt, '<!DOCTYPE')) {
          return this.bad(lt, 'a DOCTYPE is not allowed in a camt.053 file');
        } else {
          return this.bad(lt, `unexpected ${show(this.src.text(lt, Math.min(n, lt + 12)))}`);
        }
      } else {
        if (this.depth === 0 && hadRoot) {
          const end = nameEnd(b, lt + 1);
          this.bad(lt, `a second root element <${this.src.text(lt + 1, end)}>`);
        }
        const next = this.startTag(lt);
        if (next === -1) {
          pos = lt;
          break;
        }
        hadRoot = true;
        pos = next;
      }
    }
    if (this.depth > 0) {
      const d = this.depth;
      const open = this.src.text(this.qStart[d]!, this.qStart[d]! + this.qLen[d]!);
      fail('statement_truncated', `the file ends inside <${open}> (opened at line ${String(lineOfByte(b, this.qStart[d]! - 1))})`, { line: lineOfByte(b, n) });
    }
    if (pos < n) fail('statement_truncated', 'the file ends inside a tag', { line: lineOfByte(b, n) });
    if (!hadRoot) fail('statement_invalid_xml', 'no root element');
  }

  /** Text `[from, to)` between two markup items. */
  private text(from: number, to: number, amp: boolean, cr: boolean): void {
    const d = this.depth;
    if (d === 0) {
      for (let k = from; k < to; k++) {
        const c = this.b[k]!;
        if (c !== 0x20 && c !== 0x0a && c !== 0x09 && c !== 0x0d) this.bad(from, `text ${show(this.src.text(from, to).trim())} outside the root element`);
      }
      return;
    }
    if (this.leaf[d] !== 1) {
      // Between child elements: not kept, but an entity in it must still be a known one.
      if (amp) decodeEntities(this.src.text(from, to), (m) => this.bad(from, m));
      return;
    }
    if (!amp && !cr && this.slow === null && this.textFrom === -1) {
      this.textFrom = from;
      this.textTo = to;
      return;
    }
    this.slow = this.pending() + xmlText(this.src.text(from, to), (m) => this.bad(from, m));
  }

  /** The text so far as a string (the plain range decoded); the range is dropped. */
  private pending(): string {
    let s = this.slow ?? '';
    if (this.textFrom !== -1) {
      s += this.src.text(this.textFrom, this.textTo);
      this.textFrom = -1;
    }
    return s;
  }

  /** A comment or processing instruction inside an element: text on both sides of it is one text, so it goes to a string. */
  private interrupt(): void {
    if (this.depth > 0 && this.leaf[this.depth] === 1 && this.textFrom !== -1) this.slow = this.pending();
  }

  /** `</name>` at `lt`: the offset after it, or -1 when the file ends inside it. */
  private endTag(lt: number): number {
    const b = this.b;
    const d = this.depth;
    const from = lt + 2;
    let j = from;
    let match = d > 0;
    if (match) {
      const q = this.qStart[d]!;
      const len = this.qLen[d]!;
      // Compare the closing name in place: nothing sliced per end tag.
      for (let k = 0; k < len; k++) {
        if (b[from + k] !== b[q + k]) {
          match = false;
          break;
        }
      }
      j = from + len;
      while (j < b.length && isSpace(b[j]!)) j++;
      if (b[j] !== 0x3e) match = false;
    }
    if (!match) {
      const gt = b.indexOf(0x3e, from);
      if (gt === -1) return -1;
      let e = gt;
      while (e > from && isSpace(b[e - 1]!)) e--;
      const qname = this.src.text(from, e);
      if (d === 0) return this.bad(lt, `closing tag </${qname}> without an open element`);
      return this.bad(lt, `closing tag </${qname}> does not match <${this.src.text(this.qStart[d]!, this.qStart[d]! + this.qLen[d]!)}>`);
    }
    this.closeTop(j);
    return j + 1;
  }

  /** Reports the end of the innermost element, with its text. */
  private closeTop(at: number): void {
    const d = this.depth;
    if (this.leaf[d] !== 1) this.sink.close(at, at, null);
    else if (this.slow !== null) this.sink.close(at, at, this.pending().trim());
    else if (this.textFrom !== -1) this.sink.close(this.textFrom, this.textTo, null);
    else this.sink.close(at, at, null);
    this.textFrom = -1;
    this.slow = null;
    this.depth = d - 1;
  }

  /** A start tag at `lt`: name, attributes, then `>` or `/>`. The offset after it, or -1 when the file ends inside it. */
  private startTag(lt: number): number {
    const b = this.b;
    const n = b.length;
    let i = lt + 1;
    if (i >= n || NAME_START[b[i]!] !== 1) return this.bad(lt, `invalid element name after '<': ${show(this.src.text(lt, Math.min(n, lt + 20)))}`);
    // The hash of the local name (after a prefix's ':') is taken while scanning, for the name lookup.
    let h = 0;
    let local = i;
    for (; i < n; i++) {
      const c = b[i]!;
      if (NAME_CHAR[c] !== 1) break;
      if (c === 0x3a && local === lt + 1) {
        local = i + 1;
        h = 0;
      } else h = (Math.imul(h, 31) + c) | 0;
    }
    this.tagFrom = lt + 1;
    this.tagTo = i;
    this.nattrs = 0;
    let selfClosing = false;
    for (;;) {
      const ws = i;
      while (i < n && isSpace(b[i]!)) i++;
      if (i >= n) return -1;
      const d = b[i]!;
      if (d === 0x3e /* > */) {
        i++;
        break;
      }
      if (d === 0x2f) {
        if (i + 1 >= n) return -1;
        if (b[i + 1] !== 0x3e) return this.bad(i, `expected '/>' in <${this.qname}>`);
        selfClosing = true;
        i += 2;
        break;
      }
      if (i === ws) return this.bad(i, `expected a space before the attribute in <${this.qname}>`);
      i = this.attribute(i);
      if (i === -1) return -1;
    }
    const parent = this.depth;
    if (parent > 0) {
      // A child element: the parent's text so far is mixed content, not kept.
      this.leaf[parent] = 0;
      this.textFrom = -1;
      this.slow = null;
    }
    if (!selfClosing && parent >= MAX_XML_DEPTH) return this.bad(lt, `elements nest deeper than ${String(MAX_XML_DEPTH)} levels`);
    const d = parent + 1;
    this.depth = d;
    this.qStart[d] = lt + 1;
    this.qLen[d] = this.tagTo - lt - 1;
    this.leaf[d] = 1;
    this.sink.open(this.ids.of(b, local, this.tagTo, h), lt, this);
    if (selfClosing) this.closeTop(i);
    return i;
  }

  /** One `name="value"` at `i`: the offset after it, or -1 when the file ends inside it. */
  private attribute(i: number): number {
    const b = this.b;
    const n = b.length;
    const an = i;
    while (i < n && NAME_CHAR[b[i]!] === 1) i++;
    if (i === an) return this.bad(i, `invalid attribute in <${this.qname}>: ${show(this.src.text(an, Math.min(n, an + 20)))}`);
    const ae = i;
    while (i < n && isSpace(b[i]!)) i++;
    if (b[i] !== 0x3d /* = */) return this.bad(i, `attribute ${this.src.text(an, ae)} in <${this.qname}> has no '='`);
    i++;
    while (i < n && isSpace(b[i]!)) i++;
    const q = b[i];
    if (q !== 0x22 && q !== 0x27) return this.bad(i, `attribute ${this.src.text(an, ae)} in <${this.qname}> is not quoted`);
    let amp = 0;
    let k = i + 1;
    for (; k < n; k++) {
      const c = b[k]!;
      if (c === q) break;
      if (c === 0x3c) return this.bad(i, `attribute ${this.src.text(an, ae)} in <${this.qname}> contains '<'`);
      if (c === 0x26) amp = 1;
    }
    if (k >= n) return -1;
    if (this.repeated(an, ae)) return this.bad(an, `attribute ${this.src.text(an, ae)} repeated in <${this.qname}>`);
    if (amp === 1) decodeEntities(this.src.text(i + 1, k), (m) => this.bad(i, m));
    if (5 * (this.nattrs + 1) > this.attrs.length) {
      const bigger = new Int32Array(this.attrs.length * 2);
      bigger.set(this.attrs);
      this.attrs = bigger;
    }
    const o = 5 * this.nattrs++;
    const a = this.attrs;
    a[o] = an;
    a[o + 1] = ae;
    a[o + 2] = i + 1;
    a[o + 3] = k;
    a[o + 4] = amp;
    return k + 1;
  }

  /** Whether the start tag being read already has an attribute named `b[from, to)`. */
  private repeated(from: number, to: number): boolean {
    const a = this.attrs;
    if (this.nattrs < PAIRWISE_ATTRS) {
      for (let k = 0; k < this.nattrs; k++) if (equalBytes(this.b, a[5 * k]!, a[5 * k + 1]!, from, to)) return true;
      return false;
    }
    if (this.nattrs === PAIRWISE_ATTRS) {
      this.seen = new Set();
      for (let k = 0; k < this.nattrs; k++) this.seen.add(this.src.text(a[5 * k]!, a[5 * k + 1]!));
    }
    const name = this.src.text(from, to);
    if (this.seen!.has(name)) return true;
    this.seen!.add(name);
    return false;
  }
}

function nameEnd(b: Uint8Array, i: number): number {
  while (i < b.length && NAME_CHAR[b[i]!] === 1) i++;
  return i;
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x09 || c === 0x0d;
}

function isSpaceOrEnd(c: number | undefined): boolean {
  return c === undefined || isSpace(c) || c === 0x3f;
}
