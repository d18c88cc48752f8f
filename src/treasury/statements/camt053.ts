/**
 * ISO 20022 camt.053 (BkToCstmrStmt) → {@link BankStatement}s, versions
 * .001.02 to .001.08. The XML reader streams element starts and ends (see
 * xml-events.ts); the paths the mapping needs are followed as small ints
 * (camt053-paths.ts) and each `<Ntry>` becomes an entry when it closes, so
 * no element objects are made and memory follows the entries kept, not
 * the file. See docs/statements.md for the fields read.
 */
import { Buffer } from 'node:buffer';
import type { BankStatement, EntryDirection, StatementBalance } from '../../domain/statement.js';
import { EntryColumnStore, StatementEntryColumns, withEntryColumns, TEXT_BANK_REFERENCE, TEXT_REFERENCE, TEXT_REMITTANCE } from './entry-columns.js';
import * as P from './camt053-paths.js';
import { decimalToMinor, exponentOf } from './statement-amount.js';
import { StatementBytes } from './statement-bytes.js';
import { dateOfDateTime, isIsoDate } from './statement-date.js';
import { fail, runParser, show, type StatementParseResult, type WhereArg } from './statement-error.js';
import { stripBom } from './statement-text.js';
import { SharedText } from './camt053-shared-text.js';
import { XmlByteScanner } from './xml-bytes.js';
import { lineOfByte, type XmlSink, type XmlTag } from './xml-events.js';
import { readXmlWithFxp } from './xml-fxp.js';

export const CAMT053_NAMESPACES = [2, 3, 4, 5, 6, 7, 8].map((v) => `urn:iso:std:iso:20022:tech:xsd:camt.053.001.0${String(v)}`);

/** `scan`: the built-in byte scanner (fast, the default); `fast-xml-parser`: the library, for cross-checks. */
export type XmlEngine = 'scan' | 'fast-xml-parser';

export interface Camt053Options {
  engine?: XmlEngine;
}

export function parseCamt053(text: string, options: Camt053Options = {}): StatementParseResult {
  return runParser(() => readCamt053(text, options));
}

/** Like {@link parseCamt053} but throws a StatementParseFailure; for composing parsers. */
export function readCamt053(text: string, options: Camt053Options = {}): BankStatement[] {
  if (options.engine !== 'fast-xml-parser') return readCamt053Bytes(new StatementBytes(Buffer.from(stripBom(text), 'utf8'), 'utf-8'));
  const mapper = new CamtMapper(null, text.length);
  readXmlWithFxp(text, P.CAMT_NAMES, mapper);
  return mapper.finish();
}

/** camt.053 from the file's bytes (without a byte-order mark), read as `src` says; text is decoded only for the values kept. */
export function readCamt053Bytes(src: StatementBytes): BankStatement[] {
  const mapper = new CamtMapper(src, src.bytes.length);
  new XmlByteScanner(src, P.CAMT_NAMES, mapper).scan();
  return mapper.finish();
}

/** Where a failure is: the element's line (when known) and path. Made only when something fails. */
type Where = (at: number, path: () => string, suffix: string) => WhereArg;

/** A `<Bal>` as read, mapped when its `<Stmt>` closes (the statement currency is known then). */
interface RawBalance {
  at: number;
  code: string | null;
  amount: string | null;
  amountAt: number;
  ccy: string | undefined;
  ind: string | null;
  indAt: number;
  hasDate: boolean;
  dateAt: number;
  dateName: 'Dt' | 'DtTm' | null;
  dateText: string | null;
  dateTextAt: number;
}

class CamtMapper implements XmlSink {
  private readonly statements: BankStatement[] = [];
  /** Every statement of the file keeps its entries in this one store (entry-columns.ts); the current one's start at `firstRow`. */
  private readonly store: EntryColumnStore;
  private firstRow = 0;
  private balances: RawBalance[] = [];
  private readonly p: P.CamtPaths;
  private readonly shared = new SharedText();
  private readonly intern = (s: string): string => this.shared.get(s);
  private readonly where: Where;
  /** `Ccy` of the current entry's and balance's `Amt`. */
  private ccy: string | undefined;
  private balanceCcy: string | undefined;
  /** The entry's `Ustrd` lines joined so far, and its first creditor reference. */
  private ustrd: string | null = null;
  private creditorRef: string | null = null;
  private sawBk = false;

  constructor(src: StatementBytes | null, fileSize: number) {
    this.p = new P.CamtPaths(src);
    // A camt.053 entry takes ~450 bytes of XML.
    this.store = new EntryColumnStore(true, fileSize, 450);
    this.where = (at, path, suffix) => () => (at >= 0 && src !== null ? { line: lineOfByte(src.bytes, at), element: path() + suffix } : { element: path() + suffix });
  }

  private readonly statementPath = (): string => `Stmt[${String(this.statements.length + 1)}]`;
  private readonly entryPath = (): string => `${this.statementPath()}/Ntry[${String(this.store.length - this.firstRow + 1)}]`;

  open(name: number, at: number, tag: XmlTag): void {
    const c = this.p.enter(name, at);
    if (this.p.depth === 1) checkRoot(name, tag);
    switch (c) {
      case P.BK:
        this.sawBk = true;
        break;
      case P.NTRY:
        this.ccy = undefined;
        this.ustrd = null;
        this.creditorRef = null;
        break;
      case P.E_AMT:
        this.ccy = tag.attr('Ccy');
        break;
      case P.BAL:
        this.balanceCcy = undefined;
        break;
      case P.B_AMT:
        this.balanceCcy = tag.attr('Ccy');
        break;
    }
  }

  close(from: number, to: number, text: string | null): void {
    const c = this.p.leave(from, to, text);
    switch (c) {
      case P.NTRY:
        this.entry();
        break;
      case P.T_USTRD: {
        const line = this.p.text(P.T_USTRD, P.NTRY);
        if (line !== null) this.ustrd = this.ustrd === null ? line : `${this.ustrd} ${line}`;
        break;
      }
      case P.T_CREDITOR_REF:
        this.creditorRef ??= this.p.text(P.T_CREDITOR_REF, P.NTRY);
        break;
      case P.BAL:
        this.balances.push(this.balance());
        break;
      case P.STMT:
        this.statements.push(this.statement());
        this.firstRow = this.store.length;
        this.balances = [];
        break;
    }
  }

  finish(): BankStatement[] {
    if (!this.sawBk) fail('statement_missing_element', 'Document has no BkToCstmrStmt', { element: 'Document/BkToCstmrStmt' });
    if (this.statements.length === 0) fail('statement_missing_element', 'BkToCstmrStmt has no Stmt', { element: 'Document/BkToCstmrStmt/Stmt' });
    this.store.seal();
    return this.statements;
  }

  /** The entry just closed, as a row of the store: its strings die young (no object per entry is kept). */
  private entry(): void {
    const p = this.p;
    const at = p.at[P.NTRY]!;
    if (!p.has(P.E_AMT, P.NTRY)) fail('statement_missing_element', `${this.entryPath()} has no Amt`, this.where(at, this.entryPath, '/Amt'));
    const ccy = this.ccy;
    // The plain case from the bytes; the full reader, which names what is wrong, otherwise.
    let minor = ccy === undefined ? -1 : p.minor(P.E_AMT, this.shared.exponent(ccy));
    if (minor === -1) minor = amountOf(p.text(P.E_AMT, P.NTRY), ccy, at, p.at[P.E_AMT]!, this.entryPath, this.where);
    const dir = direction(p.shared(P.E_IND, P.NTRY, this.intern), at, p.at[P.E_IND]!, this.entryPath, this.where);
    const rvsl = p.shared(P.E_RVSL, P.NTRY, this.intern);
    if (rvsl !== null && rvsl !== 'true' && rvsl !== 'false' && rvsl !== '1' && rvsl !== '0') {
      fail('statement_invalid_element', `${this.entryPath()}/RvslInd is ${show(rvsl)}, not true or false`, this.where(p.at[P.E_RVSL]!, this.entryPath, '/RvslInd'));
    }
    const e2e = p.text(P.T_E2E, P.NTRY);
    const credit = dir === 'credit';
    const counterparty = credit
      ? (p.shared(P.T_DBTR_NM, P.NTRY, this.intern) ?? p.shared(P.T_DBTR_PTY_NM, P.NTRY, this.intern))
      : (p.shared(P.T_CDTR_NM, P.NTRY, this.intern) ?? p.shared(P.T_CDTR_PTY_NM, P.NTRY, this.intern));
    const st = this.store;
    const bookingDate = this.entryDate(P.E_BOOKED, P.E_BOOKED_DT, P.E_BOOKED_DTTM, '/BookgDt');
    const valueDate = this.entryDate(P.E_VALUE, P.E_VALUE_DT, P.E_VALUE_DTTM, '/ValDt');
    const reference = (e2e !== null && e2e !== 'NOTPROVIDED' ? e2e : null) ?? this.creditorRef;
    const bankReference = p.text(P.E_SVCR_REF, P.NTRY) ?? p.text(P.T_SVCR_REF, P.NTRY);
    const remittance = this.ustrd ?? p.text(P.T_INFO, P.NTRY) ?? p.text(P.E_INFO, P.NTRY);
    const row = st.add(minor, dir, rvsl === 'true' || rvsl === '1', st.dateId(valueDate), st.dateId(bookingDate), this.transactionCode(), ccy!);
    st.setString(row, TEXT_REFERENCE, reference);
    st.setString(row, TEXT_BANK_REFERENCE, bankReference);
    st.setString(row, TEXT_REMITTANCE, remittance);
    st.setCounterparty(row, counterparty);
  }

  /** `BookgDt` / `ValDt`: its `Dt`, or the date part of its `DtTm`; one shared string per distinct date. */
  private entryDate(choice: number, dt: number, dtTm: number, suffix: string): string | null {
    const p = this.p;
    if (!p.has(choice, P.NTRY)) return null;
    const c = p.has(dt, P.NTRY) ? dt : p.has(dtTm, P.NTRY) ? dtTm : -1;
    const text = c === -1 ? null : p.shared(c, P.NTRY, this.intern);
    if (text !== null && isIsoDate(text)) return text;
    const name = c === -1 ? null : c === dt ? 'Dt' : 'DtTm';
    return this.shared.get(dateOf(text, name, p.at[choice]!, c === -1 ? -1 : p.at[c]!, this.entryPath, suffix, this.where));
  }

  /** `PMNT/RCDT/DMCT` from the ISO domain code, else the proprietary code. */
  private transactionCode(): string | null {
    const p = this.p;
    if (!p.has(P.E_BTC, P.NTRY)) return null;
    const domain = p.shared(P.E_DOMAIN, P.NTRY, this.intern);
    if (domain !== null) return this.shared.code(domain, p.shared(P.E_FAMILY, P.NTRY, this.intern), p.shared(P.E_SUBFAMILY, P.NTRY, this.intern));
    return p.shared(P.E_PRTRY, P.NTRY, this.intern);
  }

  private balance(): RawBalance {
    const p = this.p;
    const hasDate = p.has(P.B_DATE, P.BAL);
    const dateC = !hasDate ? -1 : p.has(P.B_DATE_DT, P.BAL) ? P.B_DATE_DT : p.has(P.B_DATE_DTTM, P.BAL) ? P.B_DATE_DTTM : -1;
    return {
      at: p.at[P.BAL]!,
      code: p.text(P.B_CD, P.BAL) ?? p.text(P.B_PRTRY, P.BAL),
      amount: p.text(P.B_AMT, P.BAL),
      amountAt: p.at[P.B_AMT]!,
      ccy: p.has(P.B_AMT, P.BAL) ? this.balanceCcy : undefined,
      ind: p.text(P.B_IND, P.BAL),
      indAt: p.at[P.B_IND]!,
      hasDate,
      dateAt: p.at[P.B_DATE]!,
      dateName: dateC === -1 ? null : dateC === P.B_DATE_DT ? 'Dt' : 'DtTm',
      dateText: dateC === -1 ? null : p.text(dateC, P.BAL),
      dateTextAt: dateC === -1 ? -1 : p.at[dateC]!,
    };
  }

  private statement(): BankStatement {
    const p = this.p;
    const path = this.statementPath;
    const at = p.at[P.STMT]!;
    const statementId = p.text(P.S_ID, P.STMT);
    if (statementId === null) fail('statement_missing_element', `${path()} has no Id`, this.where(at, path, '/Id'));
    if (!p.has(P.A_ID, P.STMT)) fail('statement_missing_element', `${path()} has no Acct/Id`, this.where(at, path, '/Acct/Id'));
    const account = p.text(P.A_IBAN, P.STMT) ?? p.text(P.A_OTHER_ID, P.STMT);
    if (account === null) fail('statement_missing_element', `${path()} has no Acct/Id/IBAN or Acct/Id/Othr/Id`, this.where(p.at[P.A_ID]!, path, '/Acct/Id'));
    const createdAt = p.text(P.S_CREATED, P.STMT);
    if (createdAt !== null) dateOfDateTime(createdAt, this.where(p.at[P.S_CREATED]!, path, '/CreDtTm'));
    const currency = p.shared(P.A_CCY, P.STMT, this.intern) ?? this.balances[0]?.ccy ?? (this.store.length > this.firstRow ? this.store.currency(this.firstRow) : undefined);
    if (currency === undefined) fail('statement_missing_element', `${path()} has no Acct/Ccy and no amount to take the currency from`, this.where(at, path, '/Acct/Ccy'));
    exponentOf(currency, this.where(at, path, '/Acct/Ccy'));

    let opening: StatementBalance | null = null;
    let previous: StatementBalance | null = null;
    let closing: StatementBalance | null = null;
    let closingAvailable: StatementBalance | null = null;
    const forwardAvailable: StatementBalance[] = [];
    this.balances.forEach((raw, i) => {
      const bpath = (): string => `${path()}/Bal[${String(i + 1)}]`;
      if (raw.code === null) fail('statement_missing_element', `${bpath()} has no Tp/CdOrPrtry/Cd`, this.where(raw.at, bpath, '/Tp/CdOrPrtry/Cd'));
      const b = this.mapBalance(raw, bpath, currency);
      if (raw.code === 'OPBD') opening ??= b;
      else if (raw.code === 'PRCD') previous ??= b;
      else if (raw.code === 'CLBD') closing ??= b;
      else if (raw.code === 'CLAV') closingAvailable ??= b;
      else if (raw.code === 'FWAV') forwardAvailable.push(b);
    });
    const columns = new StatementEntryColumns(this.store, this.firstRow, this.store.length - this.firstRow, false);
    return withEntryColumns({
      format: 'camt053',
      statementId,
      account,
      currency,
      opening: opening ?? previous,
      closing,
      createdAt,
      closingAvailable,
      forwardAvailable,
      information: p.text(P.S_INFO, P.STMT),
    }, columns);
  }

  private mapBalance(raw: RawBalance, path: () => string, statementCurrency: string): StatementBalance {
    const minor = amountOf(raw.amount, raw.ccy, raw.at, raw.amountAt, path, this.where);
    const signed = direction(raw.ind, raw.at, raw.indAt, path, this.where) === 'credit' ? minor : -minor;
    if (!raw.hasDate) fail('statement_missing_element', `${path()} has no Dt`, this.where(raw.at, path, '/Dt'));
    const date = dateOf(raw.dateText, raw.dateName, raw.dateAt, raw.dateTextAt, path, '/Dt', this.where);
    const b: StatementBalance = { amountMinor: signed === 0 ? 0 : signed, date };
    if (raw.ccy !== statementCurrency) b.currency = raw.ccy!;
    return b;
  }
}

/** The root must be a camt.053 `Document`: checked on its start tag, so a camt.052 or .001.09 file fails on what it is. */
function checkRoot(name: number, tag: XmlTag): void {
  const qname = tag.qname;
  if (name !== P.CAMT_NAMES.indexOf('Document')) fail('statement_missing_element', `the root element is <${qname}>, not <Document>`, { element: qname });
  const colon = qname.indexOf(':');
  const ns = tag.attr(colon === -1 ? 'xmlns' : `xmlns:${qname.slice(0, colon)}`) ?? null;
  if (ns === null || !CAMT053_NAMESPACES.includes(ns)) {
    fail('statement_unsupported_namespace', `namespace ${ns === null ? '(none)' : show(ns, 80)} is not camt.053.001.02 … .001.08`, { element: 'Document' });
  }
}

/** An amount element `<Amt Ccy="EUR">8.85</Amt>` (`at`: its parent) → magnitude in minor units. */
function amountOf(text: string | null, ccy: string | undefined, at: number, amtAt: number, path: () => string, where: Where): number {
  if (text === null) fail('statement_missing_element', `${path()} has no Amt`, where(at, path, '/Amt'));
  if (ccy === undefined) fail('statement_missing_element', `${path()}/Amt has no Ccy attribute`, where(amtAt, path, '/Amt'));
  return decimalToMinor(text, ccy, where(amtAt, path, '/Amt'));
}

/** `CdtDbtInd` (`at`: its parent) → direction. */
function direction(ind: string | null, at: number, indAt: number, path: () => string, where: Where): EntryDirection {
  if (ind === 'CRDT') return 'credit';
  if (ind === 'DBIT') return 'debit';
  if (ind === null) fail('statement_missing_element', `${path()} has no CdtDbtInd`, where(at, path, '/CdtDbtInd'));
  return fail('statement_invalid_element', `${path()}/CdtDbtInd is ${show(ind)}, not CRDT or DBIT`, where(indAt, path, '/CdtDbtInd'));
}

/** The date of a date choice (`Dt` or `DtTm`, named `name`; `at`: the choice element). */
function dateOf(text: string | null, name: 'Dt' | 'DtTm' | null, at: number, textAt: number, path: () => string, suffix: string, where: Where): string {
  if (name === null || text === null) fail('statement_missing_element', `${path()}${suffix} has neither Dt nor DtTm`, where(at, path, suffix));
  return dateOfDateTime(text, where(textAt, path, `${suffix}/${name}`));
}
