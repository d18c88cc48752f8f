/**
 * What an XML reader hands the camt.053 mapper, whichever engine read the
 * file (the byte scanner in xml-bytes.ts or fast-xml-parser in xml-fxp.ts):
 * a stream of element starts and ends, names as small integers, and the
 * text of each element as a byte range or, when it needed decoding
 * (entities, CDATA, line ends), as a string. No element objects are made,
 * so reading an entry allocates only the values the mapper keeps.
 */
import { show } from './statement-error.js';

/** The start tag just read, for the few elements whose attributes matter (`Amt Ccy`, the root's `xmlns`). */
export interface XmlTag {
  /** The qualified name as written (`ns2:Document`). */
  readonly qname: string;
  /** The value of the attribute named `qname` exactly, decoded, or undefined. */
  attr(qname: string): string | undefined;
}

export interface XmlSink {
  /**
   * An element starts. `name` is the index of its local name in the list the
   * reader was given, or -1 for any other name; `at` the offset of its `<`
   * in the bytes, or -1 when the engine does not say.
   */
  open(name: number, at: number, tag: XmlTag): void;
  /**
   * The element opened last ends. Its text (empty for an element with
   * child elements, whose text is not meaningful in camt) is `text`,
   * trimmed, when not null; else the bytes `[from, to)`, untrimmed.
   */
  close(from: number, to: number, text: string | null): void;
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

/** Text as XML reads it: a literal CR or CRLF is LF (a written `&#13;` survives), entities decoded. */
export function xmlText(raw: string, bad: (message: string) => never): string {
  const seg = raw.includes('\r') ? raw.replace(/\r\n?/g, '\n') : raw;
  return seg.includes('&') ? decodeEntities(seg, bad) : seg;
}

/** 1-based line of byte offset `pos` (counted only when an error needs it). */
export function lineOfByte(bytes: Uint8Array, pos: number): number {
  let line = 1;
  for (let i = bytes.indexOf(0x0a); i !== -1 && i < pos; i = bytes.indexOf(0x0a, i + 1)) line++;
  return line;
}
