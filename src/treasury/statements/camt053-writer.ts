/**
 * {@link BankStatement}s → camt.053 XML that {@link readCamt053} reads back
 * to the same statements (for the fields camt carries). Written as joined
 * template strings, no DOM: {@link camt053Chunks} yields the file in pieces
 * (a few hundred entries each) from any iterable of statements, so a file of
 * millions of entries never has to be one string nor all in memory.
 */
import { formatMinor } from '../../domain/money.js';
import type { BankStatement, StatementBalance, StatementEntry } from '../../domain/statement.js';

export interface Camt053WriteOptions {
  /** Schema version .001.0N, 2…8 (default 2, the one most banks still send). */
  version?: number;
  /** GrpHdr/MsgId (default `TPAY-` + the first statement's id). */
  messageId?: string;
  /** GrpHdr/CreDtTm (default the first statement's createdAt, else the current time). */
  createdAt?: string;
}

/** Entries per yielded chunk: big enough that the per-chunk cost vanishes, small enough to stay in cache. */
const ENTRIES_PER_CHUNK = 512;

export function writeCamt053(statements: readonly BankStatement[], options: Camt053WriteOptions = {}): string {
  return [...camt053Chunks(statements, options)].join('');
}

export function* camt053Chunks(statements: Iterable<BankStatement>, options: Camt053WriteOptions = {}): Generator<string> {
  const version = options.version ?? 2;
  if (!Number.isInteger(version) || version < 2 || version > 8) throw new RangeError(`camt.053 version must be 2…8, got ${String(version)}`);
  // The group header takes its defaults from the first statement, so it is
  // written when that arrives (statements may be a lazy generator).
  const header = (first: BankStatement | undefined): string => {
    const msgId = options.messageId ?? `TPAY-${first?.statementId ?? 'EMPTY'}`;
    const created = options.createdAt ?? first?.createdAt ?? new Date().toISOString();
    return `<?xml version="1.0" encoding="UTF-8"?>\n<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.0${String(version)}">\n<BkToCstmrStmt>\n<GrpHdr><MsgId>${esc(msgId)}</MsgId><CreDtTm>${esc(created)}</CreDtTm></GrpHdr>\n`;
  };
  let started = false;
  for (const st of statements) {
    if (!started) {
      yield header(st);
      started = true;
    }
    let head = `<Stmt><Id>${esc(st.statementId)}</Id>`;
    if (st.createdAt !== null) head += `<CreDtTm>${esc(st.createdAt)}</CreDtTm>`;
    head += `<Acct><Id>${IBAN.test(st.account) ? `<IBAN>${st.account}</IBAN>` : `<Othr><Id>${esc(st.account)}</Id></Othr>`}</Id><Ccy>${esc(st.currency)}</Ccy></Acct>\n`;
    if (st.opening !== null) head += balance('OPBD', st.opening, st.currency);
    if (st.closing !== null) head += balance('CLBD', st.closing, st.currency);
    if (st.closingAvailable) head += balance('CLAV', st.closingAvailable, st.currency);
    for (const b of st.forwardAvailable ?? []) head += balance('FWAV', b, st.currency);
    yield head;
    const parts: string[] = [];
    for (const e of st.entries) {
      parts.push(entry(e, version));
      if (parts.length === ENTRIES_PER_CHUNK) {
        yield parts.join('');
        parts.length = 0;
      }
    }
    if (parts.length > 0) yield parts.join('');
    yield `${st.information != null ? `<AddtlStmtInf>${esc(st.information)}</AddtlStmtInf>` : ''}</Stmt>\n`;
  }
  if (!started) yield header(undefined);
  yield '</BkToCstmrStmt>\n</Document>\n';
}

const IBAN = /^[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}$/;
const DOMAIN_CODE = /^[A-Z]{4}\/[A-Z]{4}\/[A-Z]{4}$/;

function balance(code: string, b: StatementBalance, statementCurrency: string): string {
  const ccy = b.currency ?? statementCurrency;
  const ind = b.amountMinor < 0 ? 'DBIT' : 'CRDT';
  return `<Bal><Tp><CdOrPrtry><Cd>${code}</Cd></CdOrPrtry></Tp><Amt Ccy="${esc(ccy)}">${formatMinor(Math.abs(b.amountMinor), ccy)}</Amt><CdtDbtInd>${ind}</CdtDbtInd><Dt><Dt>${b.date}</Dt></Dt></Bal>\n`;
}

function entry(e: StatementEntry, version: number): string {
  let s = `<Ntry><Amt Ccy="${esc(e.currency)}">${formatMinor(e.amountMinor, e.currency)}</Amt><CdtDbtInd>${e.direction === 'credit' ? 'CRDT' : 'DBIT'}</CdtDbtInd>`;
  if (e.reversal) s += '<RvslInd>true</RvslInd>';
  s += version >= 8 ? '<Sts><Cd>BOOK</Cd></Sts>' : '<Sts>BOOK</Sts>';
  if (e.bookingDate !== null) s += `<BookgDt><Dt>${e.bookingDate}</Dt></BookgDt>`;
  if (e.valueDate !== null) s += `<ValDt><Dt>${e.valueDate}</Dt></ValDt>`;
  if (e.bankReference !== null) s += `<AcctSvcrRef>${esc(e.bankReference)}</AcctSvcrRef>`;
  const code = e.transactionCode;
  if (code !== null) {
    if (DOMAIN_CODE.test(code)) {
      s += `<BkTxCd><Domn><Cd>${code.slice(0, 4)}</Cd><Fmly><Cd>${code.slice(5, 9)}</Cd><SubFmlyCd>${code.slice(10)}</SubFmlyCd></Fmly></Domn></BkTxCd>`;
    } else {
      s += `<BkTxCd><Prtry><Cd>${esc(code)}</Cd></Prtry></BkTxCd>`;
    }
  }
  if (e.reference !== null || e.counterparty !== null || e.remittance !== null) {
    s += '<NtryDtls><TxDtls>';
    // NOTPROVIDED is the "no reference" value of EndToEndId, so such a reference goes in a creditor reference instead.
    const e2e = e.reference !== null && e.reference !== 'NOTPROVIDED';
    if (e2e) s += `<Refs><EndToEndId>${esc(e.reference!)}</EndToEndId></Refs>`;
    if (e.counterparty !== null) {
      const role = e.direction === 'credit' ? 'Dbtr' : 'Cdtr';
      const name = `<Nm>${esc(e.counterparty)}</Nm>`;
      s += `<RltdPties><${role}>${version >= 8 ? `<Pty>${name}</Pty>` : name}</${role}></RltdPties>`;
    }
    if (e.remittance !== null || (e.reference !== null && !e2e)) {
      s += '<RmtInf>';
      if (e.remittance !== null) for (const line of ustrdLines(e.remittance)) s += `<Ustrd>${esc(line)}</Ustrd>`;
      if (e.reference !== null && !e2e) s += `<Strd><CdtrRefInf><Ref>${esc(e.reference)}</Ref></CdtrRefInf></Strd>`;
      s += '</RmtInf>';
    }
    s += '</TxDtls></NtryDtls>';
  }
  return `${s}</Ntry>\n`;
}

/**
 * Ustrd holds at most 140 characters and the reader joins lines with one
 * space, so long text is split only at a single space between two
 * non-spaces; text with no such place stays one (over-long) line rather
 * than gain a space that was not there.
 */
function ustrdLines(text: string): string[] {
  if (text.length <= 140) return [text];
  const lines: string[] = [];
  let rest = text;
  while (rest.length > 140) {
    let cut = -1;
    for (let i = 140; i > 0; i--) {
      if (rest.charCodeAt(i) === 0x20 && rest.charCodeAt(i - 1) !== 0x20 && rest.charCodeAt(i + 1) !== 0x20 && i + 1 < rest.length) {
        cut = i;
        break;
      }
    }
    if (cut === -1) break;
    lines.push(rest.slice(0, cut));
    rest = rest.slice(cut + 1);
  }
  lines.push(rest);
  return lines;
}

const NOT_XML = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g;

/**
 * XML text/attribute escaping. CR is written as &#13; so it survives the
 * reader's end-of-line normalisation; C0 control characters, which XML 1.0
 * cannot carry even escaped, become U+FFFD.
 */
export function esc(s: string): string {
  if (!/[&<>"\r\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/.test(s)) return s;
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/\r/g, '&#13;')
    .replace(NOT_XML, '\ufffd');
}
