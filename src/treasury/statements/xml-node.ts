/**
 * The element tree the camt.053 reader works on, whichever XML engine built
 * it (the fast scanner in xml-scan.ts or fast-xml-parser in xml-fxp.ts):
 * local element names, attributes as written, leaf text trimmed and with
 * entities decoded. Mixed content (text between child elements) is not
 * meaningful in camt and is dropped.
 */
export interface XmlNode {
  /** Local name: `Ntry` for both `<Ntry>` and `<ns2:Ntry>`. */
  name: string;
  /** Attributes by qualified name as written (`Ccy`, `xmlns`, `xmlns:ns2`), or null when there are none. */
  attrs: Record<string, string> | null;
  /** Trimmed text content of a leaf element; '' for containers. */
  text: string;
  children: XmlNode[];
  /** Offset of the element's `<` in the input, or -1 when the engine does not say. */
  pos: number;
}

/** Local part of a qualified name. */
export function localName(qname: string): string {
  const colon = qname.indexOf(':');
  return colon === -1 ? qname : qname.slice(colon + 1);
}

/** The namespace URI the root's own prefix (or the default namespace) is bound to, or null. */
export function rootNamespace(root: XmlNode, rootQName: string): string | null {
  const colon = rootQName.indexOf(':');
  const attr = colon === -1 ? 'xmlns' : `xmlns:${rootQName.slice(0, colon)}`;
  return root.attrs?.[attr] ?? null;
}

/** First child named `name`, or undefined. */
export function child(node: XmlNode, name: string): XmlNode | undefined {
  const cs = node.children;
  for (let i = 0; i < cs.length; i++) if (cs[i]!.name === name) return cs[i];
  return undefined;
}

/**
 * Follows a path of up to four child names from `node`. Fixed parameters
 * rather than a rest array: this runs a dozen times per entry.
 */
export function descend(node: XmlNode, a: string, b?: string, c?: string, d?: string): XmlNode | undefined {
  let cur = child(node, a);
  if (b === undefined || cur === undefined) return cur;
  cur = child(cur, b);
  if (c === undefined || cur === undefined) return cur;
  cur = child(cur, c);
  if (d === undefined || cur === undefined) return cur;
  return child(cur, d);
}

/** Text at a path, or null when an element on the path is missing or the text is empty. */
export function textAt(node: XmlNode, a: string, b?: string, c?: string, d?: string): string | null {
  const n = descend(node, a, b, c, d);
  return n === undefined || n.text === '' ? null : n.text;
}

/** 1-based line of offset `pos` in `text` (counted only when an error needs it). */
export function lineAt(text: string, pos: number): number {
  let line = 1;
  let i = text.indexOf('\n');
  while (i !== -1 && i < pos) {
    line++;
    i = text.indexOf('\n', i + 1);
  }
  return line;
}
