/**
 * A small, strict XML scanner for camt.053: fast-xml-parser reads about
 * 6 MB/s, well below the 50 MB/s a month of card payouts needs, so this
 * walks the text with indexOf/charCodeAt and builds only {@link XmlNode}s.
 * It checks well-formedness (matching tags, one root, quoted attributes,
 * known entities, nothing but whitespace outside the root) and refuses
 * DTDs outright: camt needs none, and a DOCTYPE is how entity-expansion
 * attacks arrive. `onClose` lets the caller consume and drop big subtrees
 * (one `<Stmt>` at a time) so memory stays flat on large files.
 */
import { fail, show } from './statement-error.js';
import { lineAt, localName, type XmlNode } from './xml-node.js';

export interface ScanResult {
  root: XmlNode;
  rootQName: string;
}

/** Return true to drop the closed node from its parent (it has been consumed). */
export type OnClose = (node: XmlNode, depth: number, parent: XmlNode | undefined) => boolean;

/**
 * Shared child list of every leaf (most camt elements): a node gets its own
 * array only when a first child arrives, saving an allocation per leaf.
 * Frozen so that a stray push fails loudly instead of corrupting all leaves.
 */
const NO_CHILDREN = Object.freeze([]) as unknown as XmlNode[];

/** Deepest nesting accepted: camt.053 goes ~12 deep; the cap keeps hostile input cheap. */
const MAX_DEPTH = 64;

/** Called once the root's start tag (with its attributes) is read, before any child. */
export type OnRoot = (root: XmlNode, rootQName: string) => void;

export function scanXml(s: string, onClose: OnClose, onRoot?: OnRoot): ScanResult {
  const n = s.length;
  const stack: XmlNode[] = [];
  const qnames: string[] = [];
  let root: XmlNode | undefined;
  let rootQName = '';
  const names = new NameTable();
  let pos = s.charCodeAt(0) === 0xfeff ? 1 : 0;
  const bad = (at: number, message: string): never => fail('statement_invalid_xml', message, { line: lineAt(s, at) });

  while (pos < n) {
    const lt = s.indexOf('<', pos);
    const end = lt === -1 ? n : lt;
    if (end > pos) {
      const top = stack[stack.length - 1];
      if (top === undefined) {
        if (!isBlank(s, pos, end)) bad(pos, `text ${show(s.slice(pos, end).trim())} outside the root element`);
      } else if (top.children.length === 0) {
        appendText(top, s, pos, end, bad);
      }
    }
    if (lt === -1) {
      pos = n;
      break;
    }
    const c = s.charCodeAt(lt + 1);
    if (c === 0x2f /* / */) {
      const open = qnames.pop();
      const node = stack.pop();
      // Compare the closing name in place: no slice per end tag.
      let j = lt + 2 + (open?.length ?? 0);
      while (j < n && isSpace(s.charCodeAt(j))) j++;
      if (open === undefined || node === undefined || !s.startsWith(open, lt + 2) || s.charCodeAt(j) !== 0x3e) {
        const gt = s.indexOf('>', lt + 2);
        if (gt === -1) {
          pos = lt;
          break;
        }
        const qname = trimEnd(s, lt + 2, gt);
        if (open === undefined) return bad(lt, `closing tag </${qname}> without an open element`);
        return bad(lt, `closing tag </${qname}> does not match <${open}>`);
      }
      if (node.children.length > 0) node.text = '';
      else if (node.text !== '') node.text = node.text.trim();
      const parent = stack[stack.length - 1];
      if (onClose(node, stack.length + 1, parent) && parent !== undefined) parent.children.pop();
      pos = j + 1;
    } else if (c === 0x3f /* ? */) {
      const close = s.indexOf('?>', lt + 2);
      if (close === -1) {
        pos = lt;
        break;
      }
      if (s.startsWith('xml', lt + 2) && isSpaceOrEnd(s.charCodeAt(lt + 5)) && lt > (s.charCodeAt(0) === 0xfeff ? 1 : 0)) {
        bad(lt, 'the XML declaration must be at the very start of the file');
      }
      pos = close + 2;
    } else if (c === 0x21 /* ! */) {
      if (s.startsWith('<!--', lt)) {
        const close = s.indexOf('-->', lt + 4);
        if (close === -1) {
          pos = lt;
          break;
        }
        pos = close + 3;
      } else if (s.startsWith('<![CDATA[', lt)) {
        const close = s.indexOf(']]>', lt + 9);
        if (close === -1) {
          pos = lt;
          break;
        }
        const top = stack[stack.length - 1];
        if (top === undefined) bad(lt, 'CDATA outside the root element');
        else if (top.children.length === 0) top.text += s.slice(lt + 9, close);
        pos = close + 3;
      } else if (s.startsWith('<!DOCTYPE', lt)) {
        return bad(lt, 'a DOCTYPE is not allowed in a camt.053 file');
      } else {
        return bad(lt, `unexpected ${show(s.slice(lt, lt + 12))}`);
      }
    } else {
      // Start tag: name, attributes, then '>' or '/>'.
      let i = lt + 1;
      let h = 0;
      for (let c = s.charCodeAt(i); i < n && isNameChar(c); c = s.charCodeAt(++i)) h = (Math.imul(h, 31) + c) | 0;
      if (i === lt + 1 || !isNameStart(s.charCodeAt(lt + 1))) return bad(lt, `invalid element name after '<': ${show(s.slice(lt, lt + 20))}`);
      const slot = names.slot(s, lt + 1, i, h);
      // Both read now: an attribute looked up below may take the slot over.
      const qname = names.qnames[slot]!;
      const name = names.locals[slot]!;
      let attrs: Record<string, string> | null = null;
      let selfClosing = false;
      let complete = false;
      for (;;) {
        const ws = i;
        while (i < n && isSpace(s.charCodeAt(i))) i++;
        if (i >= n) break;
        const d = s.charCodeAt(i);
        if (d === 0x3e /* > */) {
          i++;
          complete = true;
          break;
        }
        if (d === 0x2f) {
          if (i + 1 >= n) break;
          if (s.charCodeAt(i + 1) !== 0x3e) return bad(i, `expected '/>' in <${qname}>`);
          selfClosing = true;
          complete = true;
          i += 2;
          break;
        }
        if (i === ws) return bad(i, `expected a space before the attribute in <${qname}>`);
        const an = i;
        let ah = 0;
        for (let c = s.charCodeAt(i); i < n && isNameChar(c); c = s.charCodeAt(++i)) ah = (Math.imul(ah, 31) + c) | 0;
        if (i === an) return bad(i, `invalid attribute in <${qname}>: ${show(s.slice(an, an + 20))}`);
        const aname = names.qnames[names.slot(s, an, i, ah)]!;
        while (i < n && isSpace(s.charCodeAt(i))) i++;
        if (s.charCodeAt(i) !== 0x3d /* = */) return bad(i, `attribute ${aname} in <${qname}> has no '='`);
        i++;
        while (i < n && isSpace(s.charCodeAt(i))) i++;
        const q = s.charCodeAt(i);
        if (q !== 0x22 && q !== 0x27) return bad(i, `attribute ${aname} in <${qname}> is not quoted`);
        const close = s.indexOf(q === 0x22 ? '"' : "'", i + 1);
        if (close === -1) break;
        // One pass over the value: the '<' and '&' checks and a hash, so that short values (currency codes) are one shared string.
        let vh = 0;
        let amp = false;
        for (let k = i + 1; k < close; k++) {
          const c = s.charCodeAt(k);
          if (c === 0x3c) return bad(i, `attribute ${aname} in <${qname}> contains '<'`);
          if (c === 0x26) amp = true;
          vh = (Math.imul(vh, 31) + c) | 0;
        }
        const raw = amp || close - i - 1 > MAX_SHARED_VALUE ? s.slice(i + 1, close) : names.qnames[names.slot(s, i + 1, close, vh)]!;
        attrs ??= {};
        if (aname in attrs) return bad(an, `attribute ${aname} repeated in <${qname}>`);
        attrs[aname] = amp ? decodeEntities(raw, (m) => bad(i, m)) : raw;
        i = close + 1;
      }
      if (!complete) {
        pos = lt;
        break;
      }
      const node: XmlNode = { name, attrs, text: '', children: NO_CHILDREN, pos: lt };
      const parent = stack[stack.length - 1];
      if (parent === undefined) {
        if (root !== undefined) return bad(lt, `a second root element <${qname}>`);
        root = node;
        rootQName = qname;
        onRoot?.(node, qname);
      } else {
        if (parent.children === NO_CHILDREN) parent.children = [node];
        else parent.children.push(node);
        if (parent.text !== '') parent.text = '';
      }
      if (selfClosing) {
        if (onClose(node, stack.length + 1, parent) && parent !== undefined) parent.children.pop();
      } else {
        if (stack.length >= MAX_DEPTH) return bad(lt, `elements nest deeper than ${String(MAX_DEPTH)} levels`);
        stack.push(node);
        qnames.push(qname);
      }
      pos = i;
    }
  }
  const open = qnames[qnames.length - 1];
  if (pos < n && open === undefined) fail('statement_truncated', 'the file ends inside a tag', { line: lineAt(s, n) });
  if (open !== undefined) {
    fail('statement_truncated', `the file ends inside <${open}> (opened at line ${String(lineAt(s, stack[stack.length - 1]!.pos))})`, { line: lineAt(s, n) });
  }
  if (root === undefined) fail('statement_invalid_xml', 'no root element');
  return { root, rootQName };
}

/** Longest attribute value shared through the name table (a currency code is 3). */
const MAX_SHARED_VALUE = 16;

/**
 * Element and attribute names (and short attribute values) as one shared
 * string each: a camt file repeats a few dozen names millions of times, so
 * a name is looked up by a hash taken while scanning it and compared in
 * place instead of sliced per tag. A slot holds the last name that hashed
 * to it; a collision just slices again.
 */
class NameTable {
  readonly qnames: (string | undefined)[] = new Array<string | undefined>(NAME_SLOTS);
  /** The local part of each slot's name (`Ntry` for `ns2:Ntry`). */
  readonly locals: (string | undefined)[] = new Array<string | undefined>(NAME_SLOTS);

  /** The slot holding `s[from, to)`, whose hash is `h`. */
  slot(s: string, from: number, to: number, h: number): number {
    const k = h & (NAME_SLOTS - 1);
    const known = this.qnames[k];
    if (known !== undefined && known.length === to - from && s.startsWith(known, from)) return k;
    const qname = s.slice(from, to);
    this.qnames[k] = qname;
    this.locals[k] = qname.includes(':') ? localName(qname) : qname;
    return k;
  }
}

const NAME_SLOTS = 1024;

function appendText(top: XmlNode, s: string, from: number, to: number, bad: (at: number, m: string) => never): void {
  let seg = s.slice(from, to);
  // XML end-of-line handling: a literal CR or CRLF reads as LF (a written &#13; survives).
  if (seg.includes('\r')) seg = seg.replace(/\r\n?/g, '\n');
  if (seg.includes('&')) seg = decodeEntities(seg, (m) => bad(from, m));
  top.text = top.text === '' ? seg : top.text + seg;
}

const NAMED: Readonly<Record<string, string>> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

/** Replaces the five predefined entities and numeric character references; anything else is an error (there is no DTD to define it). */
export function decodeEntities(raw: string, bad: (message: string) => never): string {
  return raw.replace(/&([^;&\s]{0,10});?/g, (all, name: string) => {
    if (!all.endsWith(';')) return bad(`'&' must start an entity such as &amp;: ${show(raw.slice(raw.indexOf(all), raw.indexOf(all) + 12))}`);
    const named = NAMED[name];
    if (named !== undefined) return named;
    const m = /^#(?:x([0-9a-fA-F]{1,6})|([0-9]{1,7}))$/.exec(name);
    if (m !== null) {
      const cp = m[1] !== undefined ? parseInt(m[1], 16) : Number(m[2]);
      if (cp === 0x9 || cp === 0xa || cp === 0xd || (cp >= 0x20 && cp <= 0xd7ff) || (cp >= 0xe000 && cp <= 0xfffd) || (cp >= 0x10000 && cp <= 0x10ffff)) {
        return String.fromCodePoint(cp);
      }
    }
    return bad(`unknown entity ${show(all)}`);
  });
}

function isBlank(s: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (!isSpace(s.charCodeAt(i))) return false;
  return true;
}

function trimEnd(s: string, from: number, to: number): string {
  let e = to;
  while (e > from && isSpace(s.charCodeAt(e - 1))) e--;
  return s.slice(from, e);
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x09 || c === 0x0d;
}

function isSpaceOrEnd(c: number): boolean {
  return Number.isNaN(c) || isSpace(c) || c === 0x3f;
}

function isNameStart(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || c === 0x5f || c === 0x3a || c > 0x7f;
}

function isNameChar(c: number): boolean {
  return isNameStart(c) || (c >= 0x30 && c <= 0x39) || c === 0x2d || c === 0x2e;
}
