/**
 * The same {@link XmlNode} tree built with fast-xml-parser: the reference
 * engine the fast scanner is checked against (tests parse every sample and
 * every round-trip file with both and require equal statements), and an
 * option for callers who prefer the maintained library over speed. Its
 * validator gives the well-formedness verdict; entities are decoded here,
 * as in the scanner, so both accept and reject the same references.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { fail } from './statement-error.js';
import { localName, type XmlNode } from './xml-node.js';
import { decodeEntities, type OnClose, type OnRoot, type ScanResult } from './xml-scan.js';

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '',
  preserveOrder: true,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  processEntities: false,
  htmlEntities: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
  cdataPropName: '#cdata',
});

/** fast-xml-parser's ordered output: one key naming the element (or `#text`/`#cdata`), plus `:@` for attributes. */
type OrderedItem = Record<string, unknown>;

export function parseXmlWithFxp(s: string, onClose: OnClose, onRoot?: OnRoot): ScanResult {
  if (s.includes('<!DOCTYPE')) fail('statement_invalid_xml', 'a DOCTYPE is not allowed in a camt.053 file');
  const verdict = XMLValidator.validate(s);
  if (verdict !== true) {
    // The validator reports elements still open at the end as "Invalid '[names]' found".
    const open = /^Invalid '(\[[^\]]*\])' found/.exec(verdict.err.msg);
    if (verdict.err.code === 'InvalidXml' && open !== null) {
      const names = JSON.parse(open[1]!) as string[];
      fail('statement_truncated', `the file ends inside <${names[names.length - 1] ?? '?'}>`, { line: s.split('\n').length });
    }
    fail('statement_invalid_xml', verdict.err.msg, { line: verdict.err.line });
  }
  const items = parser.parse(s) as OrderedItem[];
  const elements = items.filter((it) => elementName(it) !== undefined);
  const first = elements[0];
  if (elements.length !== 1 || first === undefined) fail('statement_invalid_xml', `expected one root element, found ${String(elements.length)}`);
  const rootQName = elementName(first)!;
  const root = build(first, 1, undefined, onClose, onRoot);
  return { root, rootQName };
}

function elementName(it: OrderedItem): string | undefined {
  for (const k of Object.keys(it)) if (k !== ':@' && k !== '#text' && k !== '#cdata' && !k.startsWith('?')) return k;
  return undefined;
}

function build(it: OrderedItem, depth: number, parent: XmlNode | undefined, onClose: OnClose, onRoot?: OnRoot): XmlNode {
  const qname = elementName(it)!;
  const rawAttrs = it[':@'] as Record<string, string> | undefined;
  let attrs: Record<string, string> | null = null;
  if (rawAttrs !== undefined) {
    attrs = {};
    for (const [k, v] of Object.entries(rawAttrs)) attrs[k] = decode(v);
  }
  const node: XmlNode = { name: localName(qname), attrs, text: '', children: [], pos: -1 };
  if (parent !== undefined) parent.children.push(node);
  else onRoot?.(node, qname);
  let text = '';
  for (const c of it[qname] as OrderedItem[]) {
    if ('#text' in c) text += decode(String(c['#text']));
    else if ('#cdata' in c) {
      for (const t of c['#cdata'] as OrderedItem[]) text += String(t['#text']);
    } else if (elementName(c) !== undefined) build(c, depth + 1, node, onClose);
  }
  node.text = node.children.length === 0 ? text.trim() : '';
  if (onClose(node, depth, parent) && parent !== undefined) parent.children.pop();
  return node;
}

function decode(text: string): string {
  const raw = text.includes('\r') ? text.replace(/\r\n?/g, '\n') : text;
  return raw.includes('&') ? decodeEntities(raw, (m) => fail('statement_invalid_xml', m)) : raw;
}
