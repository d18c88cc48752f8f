/**
 * camt.053 read with fast-xml-parser: the reference engine the byte
 * scanner is checked against (tests parse every sample and every
 * round-trip file with both and require equal statements), and an option
 * for callers who prefer the maintained library over speed. Its validator
 * gives the well-formedness verdict; its tree is then walked into the same
 * {@link XmlSink} events the scanner gives, texts decoded here (entities
 * as in the scanner, so both accept and reject the same references).
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { fail } from './statement-error.js';
import { xmlText, type XmlSink, type XmlTag } from './xml-events.js';

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

/** Reads `s`, reporting to `sink` with element names as indexes into `names`; throws a StatementParseFailure on a fault. */
export function readXmlWithFxp(s: string, names: readonly string[], sink: XmlSink): void {
  if (s.includes('<!DOCTYPE')) fail('statement_invalid_xml', 'a DOCTYPE is not allowed in a camt.053 file');
  const verdict = XMLValidator.validate(s);
  if (verdict !== true) {
    // The validator reports elements still open at the end as "Invalid '[names]' found".
    const open = /^Invalid '(\[[^\]]*\])' found/.exec(verdict.err.msg);
    if (verdict.err.code === 'InvalidXml' && open !== null) {
      const stillOpen = JSON.parse(open[1]!) as string[];
      fail('statement_truncated', `the file ends inside <${stillOpen[stillOpen.length - 1] ?? '?'}>`, { line: s.split('\n').length });
    }
    fail('statement_invalid_xml', verdict.err.msg, { line: verdict.err.line });
  }
  const items = parser.parse(s) as OrderedItem[];
  const elements = items.filter((it) => elementName(it) !== undefined);
  const first = elements[0];
  if (elements.length !== 1 || first === undefined) fail('statement_invalid_xml', `expected one root element, found ${String(elements.length)}`);
  walk(first, new Map(names.map((n, i) => [n, i])), sink);
}

function elementName(it: OrderedItem): string | undefined {
  for (const k of Object.keys(it)) if (k !== ':@' && k !== '#text' && k !== '#cdata' && !k.startsWith('?')) return k;
  return undefined;
}

function walk(it: OrderedItem, ids: ReadonlyMap<string, number>, sink: XmlSink): void {
  const qname = elementName(it)!;
  const attrs = new Map<string, string>();
  for (const [k, v] of Object.entries((it[':@'] as Record<string, string> | undefined) ?? {})) attrs.set(k, decode(v));
  const tag: XmlTag = { qname, attr: (name) => attrs.get(name) };
  const colon = qname.indexOf(':');
  sink.open(ids.get(colon === -1 ? qname : qname.slice(colon + 1)) ?? -1, -1, tag);
  let text = '';
  let children = false;
  for (const c of it[qname] as OrderedItem[]) {
    if ('#text' in c) text += decode(String(c['#text']));
    else if ('#cdata' in c) {
      for (const t of c['#cdata'] as OrderedItem[]) text += String(t['#text']);
    } else if (elementName(c) !== undefined) {
      children = true;
      walk(c, ids, sink);
    }
  }
  sink.close(0, 0, children ? '' : text.trim());
}

function decode(text: string): string {
  return xmlText(text, (m) => fail('statement_invalid_xml', m));
}
