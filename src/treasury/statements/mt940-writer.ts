/**
 * {@link BankStatement}s → MT940 text that {@link readMt940} reads back to
 * the same statements (for the fields MT940 carries). Entry details go in a
 * DK-structured `:86:` (`000?20…`): the reference in the `:61:` customer
 * reference when it fits (≤ 16 characters, no `//`), else as `EREF+`;
 * remittance as `SVWZ+`; counterparty in `?32`/`?33`. Text is in the SWIFT
 * X set by default (see swift-charset.ts). {@link mt940Chunks} yields one
 * statement at a time, in pieces, for very large files.
 */
import { formatMinor } from '../../domain/money.js';
import type { BankStatement, StatementBalance, StatementEntry } from '../../domain/statement.js';
import { sepaFields } from './mt940-information.js';
import { CENTURY_PIVOT } from './statement-date.js';
import { isSwiftX, toSwiftX } from './swift-charset.js';

export interface Mt940WriteOptions {
  /** `swift` (default): transliterate to the SWIFT X set; `utf-8`: keep characters, only neutralise the structural ones. */
  charset?: 'swift' | 'utf-8';
}

const ENTRIES_PER_CHUNK = 512;
const LINE = 65;
/** DK subfields of the purpose text, in order; the last one takes whatever is left. */
const PURPOSE_CODES = ['20', '21', '22', '23', '24', '25', '26', '27', '28', '29', '60', '61', '62', '63'] as const;

export function writeMt940(statements: readonly BankStatement[], options: Mt940WriteOptions = {}): string {
  return [...mt940Chunks(statements, options)].join('');
}

export function* mt940Chunks(statements: Iterable<BankStatement>, options: Mt940WriteOptions = {}): Generator<string> {
  const text = options.charset === 'utf-8' ? (s: string): string => s.replace(/[\r\n]+/g, ' ') : toSwiftX;
  for (const st of statements) {
    if (st.opening === null || st.closing === null) throw new RangeError(`MT940 needs opening and closing balances; statement ${st.statementId} lacks one`);
    const [ref, number] = splitStatementId(st);
    let head = `:20:${text(ref)}\r\n:25:${text(st.account)}\r\n:28C:${number}\r\n`;
    head += `:60F:${balance(st.opening, st.currency)}\r\n`;
    yield head;
    const parts: string[] = [];
    for (const e of st.entries) {
      if (e.currency !== st.currency) throw new RangeError(`MT940 entries are in the statement currency; entry ${String(e.index)} of ${st.statementId} is in ${e.currency}`);
      parts.push(entry(e, text));
      if (parts.length === ENTRIES_PER_CHUNK) {
        yield parts.join('');
        parts.length = 0;
      }
    }
    let tail = parts.join('') + `:62F:${balance(st.closing, st.currency)}\r\n`;
    if (st.closingAvailable) tail += `:64:${balance(st.closingAvailable, st.currency)}\r\n`;
    for (const b of st.forwardAvailable ?? []) tail += `:65:${balance(b, st.currency)}\r\n`;
    if (st.information != null && st.information !== '') tail += `:86:${wrapAtSpaces(text(st.information))}\r\n`;
    yield `${tail}-\r\n`;
  }
}

/** `:20:` and `:28C:` from the statement id `REF/NNNNN[/NNNNN]`; an id not of that form is written whole with statement number 1. */
function splitStatementId(st: BankStatement): [string, string] {
  const n = st.statementNumber;
  if (n !== undefined && st.statementId.endsWith(`/${n}`) && st.statementId.length > n.length + 1) return [st.statementId.slice(0, -n.length - 1), n];
  const m = /^(.+?)\/(\d{1,5}(?:\/\d{1,5})?)$/.exec(st.statementId);
  return m === null ? [st.statementId, '1'] : [m[1]!, m[2]!];
}

function yymmdd(iso: string): string {
  const y = Number(iso.slice(0, 4));
  if (y < 1900 + CENTURY_PIVOT || y >= 2000 + CENTURY_PIVOT) throw new RangeError(`MT940 years are two digits (${String(1900 + CENTURY_PIVOT)}–${String(1999 + CENTURY_PIVOT)}); ${iso} is outside`);
  return iso.slice(2, 4) + iso.slice(5, 7) + iso.slice(8, 10);
}

function amount(minor: number, currency: string): string {
  const s = formatMinor(minor, currency);
  return s.includes('.') ? s.replace('.', ',') : `${s},`;
}

function balance(b: StatementBalance, statementCurrency: string): string {
  const ccy = b.currency ?? statementCurrency;
  return `${b.amountMinor < 0 ? 'D' : 'C'}${yymmdd(b.date)}${ccy}${amount(Math.abs(b.amountMinor), ccy)}`;
}

const TYPE_CODE = /^[NFS][A-Z0-9]{3}$/;
const HAS_SEPA_KEYWORD = /(EREF|KREF|MREF|CRED|DEBT|COAM|OAMT|SVWZ|ABWA|ABWE|IBAN|BIC)\+/;

function entry(e: StatementEntry, text: (s: string) => string): string {
  const value = e.valueDate ?? e.bookingDate;
  if (value === null) throw new RangeError(`MT940 needs a value date; entry ${String(e.index)} has neither value nor booking date`);
  const mark = e.reversal ? (e.direction === 'debit' ? 'RC' : 'RD') : e.direction === 'credit' ? 'C' : 'D';
  const code = e.transactionCode !== null && TYPE_CODE.test(e.transactionCode) ? e.transactionCode : 'NMSC';
  const ref = e.reference === null ? null : text(e.reference);
  // The reference goes in the :61: field when the reader will give it back unchanged.
  const inLine = ref !== null && ref.length <= 16 && ref === ref.trim() && ref !== '' && !ref.includes('//') && ref !== 'NONREF' && isSwiftX(ref);
  let s = `:61:${yymmdd(value)}${e.bookingDate !== null ? e.bookingDate.slice(5, 7) + e.bookingDate.slice(8, 10) : ''}${mark}${amount(e.amountMinor, e.currency)}${code}${inLine ? ref : 'NONREF'}`;
  if (e.bankReference !== null) s += `//${text(e.bankReference)}`;
  s += '\r\n';
  if (e.supplementaryDetails != null && e.supplementaryDetails !== '') s += `${safeLineStart(text(e.supplementaryDetails))}\r\n`;
  const eref = ref !== null && !inLine;
  const dk = (x: string): string => text(x).replace(/\?/g, '.');
  const remittance = e.remittance === null ? null : dk(e.remittance);
  let purpose: string;
  const verbatim = remittance !== null && HAS_SEPA_KEYWORD.test(remittance) ? sepaFields(remittance) : null;
  if (verbatim !== null && verbatim.remittance === remittance && (eref ? verbatim.reference === ref : verbatim.reference === null || verbatim.reference === ref)) {
    // Text with SEPA keywords of its own (a purpose read without SVWZ+) is
    // written as it is when it reads back the same: behind an SVWZ+ the
    // reader would split it again.
    purpose = remittance!;
  } else {
    purpose = eref ? `EREF+${dk(ref)}` : '';
    if (remittance !== null || eref) purpose += `SVWZ+${remittance ?? ''}`;
  }
  if (purpose === '' && e.counterparty === null) return s;
  let info = '000';
  for (let i = 0, at = 0; at < purpose.length; i++) {
    const last = i === PURPOSE_CODES.length - 1;
    info += `?${PURPOSE_CODES[i]!}${last ? purpose.slice(at) : purpose.slice(at, at + 27)}`;
    at = last ? purpose.length : at + 27;
  }
  if (e.counterparty !== null) {
    const name = dk(e.counterparty);
    info += `?32${name.slice(0, 27)}`;
    if (name.length > 27) info += `?33${name.slice(27)}`;
  }
  return `${s}:86:${wrapAnywhere(info)}\r\n`;
}

/** A line must not look like a tag (`:NN:`) or a trailer (`-`): such a first character becomes `.`. */
function safeLineStart(line: string): string {
  return line.startsWith(':') || line.startsWith('-') ? `.${line.slice(1)}` : line;
}

/**
 * DK `:86:` text is read with its line breaks removed, so it may break at
 * any character, except before a `:` or `-`, which would start a tag or a
 * trailer line.
 */
function wrapAnywhere(s: string): string {
  if (s.length <= LINE - 4) return s;
  const lines: string[] = [];
  let at = 0;
  let width = LINE - 4; // the first line carries ":86:"
  while (s.length - at > width) {
    let cut = at + width;
    while (cut > at + 1 && (s.charCodeAt(cut) === 0x3a || s.charCodeAt(cut) === 0x2d)) cut--;
    lines.push(s.slice(at, cut));
    at = cut;
    width = LINE;
  }
  lines.push(s.slice(at));
  return lines.join('\r\n');
}

/**
 * Free text (statement information) is read with lines joined by one
 * space, so it is broken only at a single space, never before `:` or `-`;
 * a longer run stays on one (over-long) line.
 */
function wrapAtSpaces(s: string): string {
  const lines: string[] = [];
  let rest = safeLineStart(s);
  let width = LINE - 4;
  while (rest.length > width) {
    let cut = -1;
    for (let i = width; i > 0; i--) {
      const next = rest.charCodeAt(i + 1);
      if (rest.charCodeAt(i) === 0x20 && rest.charCodeAt(i - 1) !== 0x20 && next !== 0x20 && next !== 0x3a && next !== 0x2d && i + 1 < rest.length) {
        cut = i;
        break;
      }
    }
    if (cut === -1) break;
    lines.push(rest.slice(0, cut));
    rest = rest.slice(cut + 1);
    width = LINE;
  }
  lines.push(rest);
  return lines.join('\r\n');
}
