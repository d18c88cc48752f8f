/**
 * ISO 20022 camt.053 (BkToCstmrStmt) → {@link BankStatement}s, versions
 * .001.02 to .001.08. One statement per `<Stmt>`; each `<Stmt>` is mapped as
 * soon as it closes and then dropped, so memory follows the largest
 * statement rather than the file. See docs/statements.md for the fields read.
 */
import type { BankStatement, EntryDirection, StatementBalance, StatementEntry } from '../../domain/statement.js';
import { currencyExponent } from '../../domain/currency.js';
import { decimalToMinor, exponentOf, plainMinor } from './statement-amount.js';
import { dateOfDateTime, isIsoDate } from './statement-date.js';
import { fail, runParser, show, type StatementParseResult, type StatementWhere, type WhereArg } from './statement-error.js';
import { child, descend, lineAt, rootNamespace, textAt, type XmlNode } from './xml-node.js';
import { parseXmlWithFxp } from './xml-fxp.js';
import { scanXml } from './xml-scan.js';

export const CAMT053_NAMESPACES = [2, 3, 4, 5, 6, 7, 8].map((v) => `urn:iso:std:iso:20022:tech:xsd:camt.053.001.0${String(v)}`);

/** `scan`: the built-in scanner (fast, the default); `fast-xml-parser`: the library, for cross-checks. */
export type XmlEngine = 'scan' | 'fast-xml-parser';

export interface Camt053Options {
  engine?: XmlEngine;
}

export function parseCamt053(text: string, options: Camt053Options = {}): StatementParseResult {
  return runParser(() => readCamt053(text, options));
}

/** Like {@link parseCamt053} but throws a StatementParseFailure; for composing parsers. */
export function readCamt053(text: string, options: Camt053Options = {}): BankStatement[] {
  const statements: BankStatement[] = [];
  const where = (node: XmlNode, path: string): StatementWhere => (node.pos >= 0 ? { line: lineAt(text, node.pos), element: path } : { element: path });
  let seen = 0;
  // Each <Ntry> is mapped when it closes and then dropped, so element
  // objects die young (cheap for the GC) however long the statement is.
  let entries: StatementEntry[] = [];
  const shared = new SharedText();
  const onClose = (node: XmlNode, depth: number, parent: XmlNode | undefined): boolean => {
    if (depth === 4 && node.name === 'Ntry' && parent?.name === 'Stmt') {
      entries.push(mapEntry(node, `Stmt[${String(seen + 1)}]/Ntry[${String(entries.length + 1)}]`, entries.length + 1, where, shared));
      return true;
    }
    if (depth !== 3 || node.name !== 'Stmt' || parent?.name !== 'BkToCstmrStmt') return false;
    seen++;
    statements.push(mapStatement(node, `Stmt[${String(seen)}]`, entries, where));
    entries = [];
    return true;
  };
  // The namespace is checked as soon as the root tag is read, before any
  // <Stmt> is mapped, so a camt.052 or .001.09 file fails on what it is.
  const onRoot = (root: XmlNode, rootQName: string): void => {
    if (root.name !== 'Document') fail('statement_missing_element', `the root element is <${rootQName}>, not <Document>`, { element: rootQName });
    const ns = rootNamespace(root, rootQName);
    if (ns === null || !CAMT053_NAMESPACES.includes(ns)) {
      fail('statement_unsupported_namespace', `namespace ${ns === null ? '(none)' : show(ns, 80)} is not camt.053.001.02 … .001.08`, { element: 'Document' });
    }
  };
  const { root } = (options.engine === 'fast-xml-parser' ? parseXmlWithFxp : scanXml)(text, onClose, onRoot);
  if (child(root, 'BkToCstmrStmt') === undefined) fail('statement_missing_element', 'Document has no BkToCstmrStmt', { element: 'Document/BkToCstmrStmt' });
  if (statements.length === 0) fail('statement_missing_element', 'BkToCstmrStmt has no Stmt', { element: 'Document/BkToCstmrStmt/Stmt' });
  return statements;
}

type Where = (node: XmlNode, path: string) => StatementWhere;

/** Defers `where` so that line numbers are only counted on failure. */
function at(where: Where, node: XmlNode, path: string, suffix = ''): WhereArg {
  return () => where(node, path + suffix);
}

function required(node: XmlNode, path: string, where: Where, a: string, b?: string): XmlNode {
  const n = descend(node, a, b);
  if (n === undefined || (n.children.length === 0 && n.text === '')) {
    const names = b === undefined ? a : `${a}/${b}`;
    fail('statement_missing_element', `${path} has no ${names}`, at(where, node, path, `/${names}`));
  }
  return n;
}

function mapStatement(stmt: XmlNode, path: string, entries: StatementEntry[], where: Where): BankStatement {
  const statementId = required(stmt, path, where, 'Id').text;
  const acctId = required(stmt, path, where, 'Acct', 'Id');
  const account = textAt(acctId, 'IBAN') ?? textAt(acctId, 'Othr', 'Id');
  if (account === null) fail('statement_missing_element', `${path} has no Acct/Id/IBAN or Acct/Id/Othr/Id`, at(where, acctId, path, '/Acct/Id'));
  const createdAt = textAt(stmt, 'CreDtTm');
  if (createdAt !== null) dateOfDateTime(createdAt, at(where, child(stmt, 'CreDtTm')!, path, '/CreDtTm'));

  const bals = stmt.children.filter((c) => c.name === 'Bal');
  const currency = textAt(stmt, 'Acct', 'Ccy') ?? child(bals[0] ?? stmt, 'Amt')?.attrs?.Ccy ?? entries[0]?.currency;
  if (currency === undefined) fail('statement_missing_element', `${path} has no Acct/Ccy and no amount to take the currency from`, at(where, stmt, path, '/Acct/Ccy'));
  exponentOf(currency, at(where, stmt, path, '/Acct/Ccy'));

  let opening: StatementBalance | null = null;
  let previous: StatementBalance | null = null;
  let closing: StatementBalance | null = null;
  let closingAvailable: StatementBalance | null = null;
  const forwardAvailable: StatementBalance[] = [];
  bals.forEach((bal, i) => {
    const bpath = `${path}/Bal[${String(i + 1)}]`;
    const code = textAt(bal, 'Tp', 'CdOrPrtry', 'Cd') ?? textAt(bal, 'Tp', 'CdOrPrtry', 'Prtry');
    if (code === null) fail('statement_missing_element', `${bpath} has no Tp/CdOrPrtry/Cd`, at(where, bal, bpath, '/Tp/CdOrPrtry/Cd'));
    const b = mapBalance(bal, bpath, currency, where);
    if (code === 'OPBD') opening ??= b;
    else if (code === 'PRCD') previous ??= b;
    else if (code === 'CLBD') closing ??= b;
    else if (code === 'CLAV') closingAvailable ??= b;
    else if (code === 'FWAV') forwardAvailable.push(b);
  });

  return {
    format: 'camt053',
    statementId,
    account,
    currency,
    opening: opening ?? previous,
    closing,
    createdAt,
    entries,
    closingAvailable,
    forwardAvailable,
    information: textAt(stmt, 'AddtlStmtInf'),
  };
}

function direction(node: XmlNode, path: string, where: Where): EntryDirection {
  const ind = required(node, path, where, 'CdtDbtInd');
  if (ind.text === 'CRDT') return 'credit';
  if (ind.text === 'DBIT') return 'debit';
  return fail('statement_invalid_element', `${path}/CdtDbtInd is ${show(ind.text)}, not CRDT or DBIT`, at(where, ind, path, '/CdtDbtInd'));
}

/** An amount element `<Amt Ccy="EUR">8.85</Amt>` → magnitude in minor units and its currency. */
function amount(node: XmlNode, path: string, where: Where, shared?: SharedText): { minor: number; currency: string } {
  const amt = required(node, path, where, 'Amt');
  const ccy = amt.attrs?.Ccy;
  if (ccy === undefined) fail('statement_missing_element', `${path}/Amt has no Ccy attribute`, at(where, amt, path, '/Amt'));
  // The plain case first: the full reader needs a place for its messages, a closure made per call.
  const plain = shared === undefined ? -1 : plainMinor(amt.text, shared.exponent(ccy));
  return { minor: plain !== -1 ? plain : decimalToMinor(amt.text, ccy, at(where, amt, path, '/Amt')), currency: ccy };
}

function dateChoice(node: XmlNode | undefined, path: string, where: Where, shared?: SharedText): string | null {
  if (node === undefined) return null;
  const dt = child(node, 'Dt') ?? child(node, 'DtTm');
  if (dt === undefined || dt.text === '') fail('statement_missing_element', `${path} has neither Dt nor DtTm`, at(where, node, path));
  if (shared !== undefined && isIsoDate(dt.text)) return shared.get(dt.text);
  return dateOfDateTime(dt.text, at(where, dt, path, `/${dt.name}`));
}

function mapBalance(bal: XmlNode, path: string, statementCurrency: string, where: Where): StatementBalance {
  const { minor, currency } = amount(bal, path, where);
  const signed = direction(bal, path, where) === 'credit' ? minor : -minor;
  const date = dateChoice(child(bal, 'Dt'), `${path}/Dt`, where);
  if (date === null) fail('statement_missing_element', `${path} has no Dt`, at(where, bal, path, '/Dt'));
  const b: StatementBalance = { amountMinor: signed === 0 ? 0 : signed, date };
  if (currency !== statementCurrency) b.currency = currency;
  return b;
}

function mapEntry(ntry: XmlNode, path: string, index: number, where: Where, shared: SharedText): StatementEntry {
  const { minor, currency } = amount(ntry, path, where, shared);
  const dir = direction(ntry, path, where);
  const rvsl = textAt(ntry, 'RvslInd');
  if (rvsl !== null && rvsl !== 'true' && rvsl !== 'false' && rvsl !== '1' && rvsl !== '0') {
    fail('statement_invalid_element', `${path}/RvslInd is ${show(rvsl)}, not true or false`, at(where, child(ntry, 'RvslInd')!, path, '/RvslInd'));
  }
  const tx = descend(ntry, 'NtryDtls', 'TxDtls');
  const rmt = tx === undefined ? undefined : child(tx, 'RmtInf');
  const e2e = tx === undefined ? null : textAt(tx, 'Refs', 'EndToEndId');
  const creditorRef = rmt === undefined ? null : firstCreditorRef(rmt);
  const counterparty = tx === undefined ? null : partyName(tx, dir === 'credit' ? 'Dbtr' : 'Cdtr');
  // Dates, names and codes repeat across entries: the entry keeps one shared string for each, and the copies read for it die young.
  return {
    index,
    amountMinor: minor,
    direction: dir,
    currency,
    bookingDate: dateChoice(child(ntry, 'BookgDt'), `${path}/BookgDt`, where, shared),
    valueDate: dateChoice(child(ntry, 'ValDt'), `${path}/ValDt`, where, shared),
    reference: (e2e !== null && e2e !== 'NOTPROVIDED' ? e2e : null) ?? creditorRef,
    bankReference: textAt(ntry, 'AcctSvcrRef') ?? (tx === undefined ? null : textAt(tx, 'Refs', 'AcctSvcrRef')),
    remittance: (rmt === undefined ? null : unstructured(rmt)) ?? (tx === undefined ? null : textAt(tx, 'AddtlTxInf')) ?? textAt(ntry, 'AddtlNtryInf'),
    counterparty: counterparty === null ? null : shared.get(counterparty),
    reversal: rvsl === 'true' || rvsl === '1',
    transactionCode: bankTransactionCode(ntry, shared),
  };
}

/** The non-empty `Ustrd` lines joined with one space, or null: no array for the usual single line. */
function unstructured(rmt: XmlNode): string | null {
  let out: string | null = null;
  for (const c of rmt.children) {
    if (c.name !== 'Ustrd' || c.text === '') continue;
    out = out === null ? c.text : `${out} ${c.text}`;
  }
  return out;
}

function firstCreditorRef(rmt: XmlNode): string | null {
  for (const strd of rmt.children) {
    if (strd.name !== 'Strd') continue;
    const ref = textAt(strd, 'CdtrRefInf', 'Ref');
    if (ref !== null) return ref;
  }
  return null;
}

/** The other side's name: the debtor of a credit, the creditor of a debit (camt .08 wraps it in `Pty`). */
function partyName(tx: XmlNode, role: 'Dbtr' | 'Cdtr'): string | null {
  return textAt(tx, 'RltdPties', role, 'Nm') ?? textAt(tx, 'RltdPties', role, 'Pty', 'Nm');
}

/** `PMNT/RCDT/DMCT` from the ISO domain code, else the proprietary code. */
function bankTransactionCode(ntry: XmlNode, shared: SharedText): string | null {
  const btc = child(ntry, 'BkTxCd');
  if (btc === undefined) return null;
  const domain = textAt(btc, 'Domn', 'Cd');
  if (domain !== null) {
    const family = textAt(btc, 'Domn', 'Fmly', 'Cd');
    const sub = textAt(btc, 'Domn', 'Fmly', 'SubFmlyCd');
    return shared.code(domain, family, sub);
  }
  const prtry = textAt(btc, 'Prtry', 'Cd');
  return prtry === null ? null : shared.get(prtry);
}

/** Longest text shared (names, codes, dates); longer text is rarely repeated. */
const MAX_SHARED_LENGTH = 70;
/** Distinct texts remembered before starting afresh: bounds memory on a file of all-different names. */
const MAX_SHARED = 4096;

/**
 * One string per distinct short text of a file (dates, counterparty names,
 * transaction codes): an entry then keeps a shared string, and the copy
 * the scanner made for it is garbage at once, which is cheap for the GC,
 * instead of one more object kept per entry.
 */
class SharedText {
  private readonly known = new Map<string, string>();
  private lastDomain = '';
  private lastFamily: string | null = null;
  private lastSub: string | null = null;
  private lastCode = '';
  private lastCurrency = '';
  private lastExponent = 0;

  /** The exponent of a currency the caller knows to be valid or checks after (-1 when unknown, which no plain amount matches). */
  exponent(currency: string): number {
    if (currency !== this.lastCurrency) {
      this.lastCurrency = currency;
      this.lastExponent = currencyExponent(currency) ?? -1;
    }
    return this.lastExponent;
  }

  get(text: string): string {
    if (text.length > MAX_SHARED_LENGTH) return text;
    const k = this.known.get(text);
    if (k !== undefined) return k;
    if (this.known.size >= MAX_SHARED) this.known.clear();
    this.known.set(text, text);
    return text;
  }

  /** `domain/family/sub` (absent parts left out), built once per distinct triple in a row. */
  code(domain: string, family: string | null, sub: string | null): string {
    if (domain !== this.lastDomain || family !== this.lastFamily || sub !== this.lastSub) {
      this.lastDomain = domain;
      this.lastFamily = family;
      this.lastSub = sub;
      this.lastCode = this.get(family === null ? (sub === null ? domain : `${domain}/${sub}`) : sub === null ? `${domain}/${family}` : `${domain}/${family}/${sub}`);
    }
    return this.lastCode;
  }
}
