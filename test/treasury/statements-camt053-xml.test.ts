/**
 * The camt.053 byte scanner on XML as banks may write it (comments, CDATA,
 * entities, CR line ends, prefixes, indentation, repeated elements): exact
 * values, the same from fast-xml-parser; and its well-formedness faults,
 * each with its message and line.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseCamt053 } from '../../src/treasury/statements/camt053.js';
import { parseStatement } from '../../src/treasury/statements/parse-statement.js';
import { statementsOf } from './statements-helpers.js';

const V2 = 'urn:iso:std:iso:20022:tech:xsd:camt.053.001.02';
const doc = (stmt: string): string =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<Document xmlns="${V2}"><BkToCstmrStmt><GrpHdr><MsgId>M</MsgId></GrpHdr>${stmt}</BkToCstmrStmt></Document>\n`;
const stmt = (ntry: string): string => `<Stmt><Id>S</Id><Acct><Id><IBAN>DE89370400440532013000</IBAN></Id><Ccy>EUR</Ccy></Acct>\n${ntry}\n</Stmt>`;
const ntry = (details: string): string =>
  `<Ntry><Amt Ccy="EUR">1.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts/><NtryDtls><TxDtls>${details}</TxDtls></NtryDtls></Ntry>`;

/** The first entry, checked to be the same with both engines. */
function firstEntry(xml: string): ReturnType<typeof statementsOf>[number]['entries'][number] {
  const a = statementsOf(parseCamt053(xml));
  assert.deepEqual(statementsOf(parseCamt053(xml, { engine: 'fast-xml-parser' })), a, 'fast-xml-parser reads the same');
  return a[0]!.entries[0]!;
}

describe('camt.053 byte scanner: text as XML reads it', () => {
  it('comments and CDATA inside a value, entities, CR line ends, a written &#13;', () => {
    const e = firstEntry(doc(stmt(ntry('<RmtInf><Ustrd> Card <!-- c --> payout </Ustrd><Ustrd><![CDATA[a < b & c]]></Ustrd><Ustrd>M&#252;ller &amp; S&#xF6;hne&#13;\r\nGmbH</Ustrd></RmtInf>'))));
    assert.equal(e.remittance, 'Card  payout a < b & c Müller & Söhne\r\nGmbH');
  });
  it('an entity in an attribute, a prefixed document, indentation, an unknown child element', () => {
    const xml = doc(stmt(ntry('<Refs><EndToEndId>E2E-1</EndToEndId></Refs><RltdPties><Dbtr><Nm>A &lt;B&gt;</Nm></Dbtr></RltdPties>')))
      .replace(/<(\/?)(?=[A-Z])/g, '<$1c:')
      .replace(`xmlns="${V2}"`, `xmlns:c="${V2}" note='a&amp;b'`)
      .replace(/></g, '>\n  <');
    const e = firstEntry(xml);
    assert.deepEqual([e.amountMinor, e.reference, e.counterparty, e.remittance], [100, 'E2E-1', 'A <B>', null]);
  });
  it('only the first TxDtls and the first Refs count; a no-break space around a value is trimmed', () => {
    const e = firstEntry(doc(stmt(ntry('<Refs><EndToEndId>\u00a0FIRST\u00a0</EndToEndId></Refs><Refs><EndToEndId>SECOND</EndToEndId></Refs>').replace('</TxDtls>', '</TxDtls><TxDtls><Refs><AcctSvcrRef>X</AcctSvcrRef></Refs></TxDtls>'))));
    assert.deepEqual([e.reference, e.bankReference], ['FIRST', null]);
  });
  it('ISO-8859-1 bytes: values decoded as Latin-1, names shared', () => {
    const latin = doc(stmt(ntry('<RltdPties><Dbtr><Nm>Caf\u00e9 Z\u00fcrich</Nm></Dbtr></RltdPties>').repeat(2))).replace('UTF-8', 'ISO-8859-1');
    const st = statementsOf(parseStatement(Buffer.from(latin, 'latin1')))[0]!;
    assert.deepEqual(st.entries.map((e) => e.counterparty), ['Café Zürich', 'Café Zürich']);
  });
});

describe('camt.053 byte scanner: well-formedness faults', () => {
  const full = doc(stmt(ntry('')));
  const cases: [string, string, string][] = [
    [full.replace('<Amt Ccy="EUR">', '<Amt Ccy="EUR" Ccy="USD">'), 'statement_invalid_xml', 'line 3: attribute Ccy repeated in <Amt>'],
    [full.replace('Ccy="EUR"', 'Ccy=EUR'), 'statement_invalid_xml', 'line 3: attribute Ccy in <Amt> is not quoted'],
    [full.replace('Ccy="EUR"', 'Ccy="E<R"'), 'statement_invalid_xml', `line 3: attribute Ccy in <Amt> contains '<'`],
    [`${full}trailing`, 'statement_invalid_xml', 'line 4: text "trailing" outside the root element'],
    [`${full}<Document/>`, 'statement_invalid_xml', 'line 5: a second root element <Document>'],
    [full.replace('</Stmt>', '</Stmt></BkToCstmrStmt></Document></Extra>'), 'statement_invalid_xml', 'line 4: closing tag </Extra> without an open element'],
    [` ${full}`, 'statement_invalid_xml', 'line 1: the XML declaration must be at the very start of the file'],
    [full.replace('<Sts/>', '<Sts>&nbsp;</Sts>'), 'statement_invalid_xml', `line 3: unknown entity "&nbsp;"`],
    [full.replace('<Sts/>', '<Sts>a & b</Sts>'), 'statement_invalid_xml', `line 3: '&' must start an entity such as &amp;: "& b"`],
    [full.replace('<Sts/>', `${'<X>'.repeat(61)}${'</X>'.repeat(61)}`), 'statement_invalid_xml', 'line 3: elements nest deeper than 64 levels'],
    [full.replace('<Sts/>', '<!-- open'), 'statement_truncated', 'line 5: the file ends inside <Ntry> (opened at line 3)'],
    [full.slice(0, full.indexOf('Ccy=')), 'statement_truncated', 'line 3: the file ends inside <Ntry> (opened at line 3)'],
  ];
  for (const [xml, code, message] of cases) {
    it(message, () => {
      const r = parseCamt053(xml);
      assert.equal(r.ok, false);
      if (!r.ok) assert.deepEqual([r.error.code, r.error.message], [code, message]);
    });
  }
});
