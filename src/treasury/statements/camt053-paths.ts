/**
 * The camt.053 elements the mapper reads, as a fixed tree of paths
 * (`Stmt/Ntry/NtryDtls/TxDtls/Refs/EndToEndId`), and the per-file state
 * that follows the reader through it: which path each open element is on
 * (a small int per depth), and for each path its last element's position
 * and text (a byte range or a decoded string). Element objects are never
 * made: an entry's values are read from these slots when `</Ntry>` comes.
 *
 * A path follows the first child of its name only (`child(node, name)` of
 * a tree), except the repeatable ones (`Stmt`, `Bal`, `Ntry`, `Ustrd`,
 * `Strd`), so a second `TxDtls` or `Acct` is skipped whole.
 */
import { plainMinorBytes, plainMinor } from './statement-amount.js';
import type { StatementBytes } from './statement-bytes.js';
import { MAX_XML_DEPTH } from './xml-bytes.js';

/** Local names of the elements on the paths; readers report an element's name as its index here. */
export const CAMT_NAMES = [
  'Document', 'BkToCstmrStmt', 'Stmt', 'Id', 'CreDtTm', 'Acct', 'IBAN', 'Othr', 'Ccy', 'AddtlStmtInf', 'Bal', 'Tp', 'CdOrPrtry',
  'Cd', 'Prtry', 'Amt', 'CdtDbtInd', 'Dt', 'DtTm', 'Ntry', 'RvslInd', 'BookgDt', 'ValDt', 'AcctSvcrRef', 'AddtlNtryInf', 'BkTxCd',
  'Domn', 'Fmly', 'SubFmlyCd', 'NtryDtls', 'TxDtls', 'Refs', 'EndToEndId', 'RmtInf', 'Ustrd', 'Strd', 'CdtrRefInf', 'Ref',
  'AddtlTxInf', 'RltdPties', 'Dbtr', 'Cdtr', 'Pty', 'Nm',
] as const;
type CamtName = (typeof CAMT_NAMES)[number];

const REPEAT = 1;
const parentOf: number[] = [];
const nameOf: number[] = [];
const repeats: number[] = [];

function path(parent: number, name: CamtName, flags = 0): number {
  parentOf.push(parent);
  nameOf.push(CAMT_NAMES.indexOf(name));
  repeats.push(flags & REPEAT);
  return parentOf.length - 1;
}

export const DOC = path(-1, 'Document');
export const BK = path(DOC, 'BkToCstmrStmt', REPEAT);
export const STMT = path(BK, 'Stmt', REPEAT);
export const S_ID = path(STMT, 'Id');
export const S_CREATED = path(STMT, 'CreDtTm');
export const S_INFO = path(STMT, 'AddtlStmtInf');
const ACCT = path(STMT, 'Acct');
export const A_ID = path(ACCT, 'Id');
export const A_IBAN = path(A_ID, 'IBAN');
export const A_OTHER_ID = path(path(A_ID, 'Othr'), 'Id');
export const A_CCY = path(ACCT, 'Ccy');
export const BAL = path(STMT, 'Bal', REPEAT);
const B_CODE = path(path(BAL, 'Tp'), 'CdOrPrtry');
export const B_CD = path(B_CODE, 'Cd');
export const B_PRTRY = path(B_CODE, 'Prtry');
export const B_AMT = path(BAL, 'Amt');
export const B_IND = path(BAL, 'CdtDbtInd');
export const B_DATE = path(BAL, 'Dt');
export const B_DATE_DT = path(B_DATE, 'Dt');
export const B_DATE_DTTM = path(B_DATE, 'DtTm');
export const NTRY = path(STMT, 'Ntry', REPEAT);
export const E_AMT = path(NTRY, 'Amt');
export const E_IND = path(NTRY, 'CdtDbtInd');
export const E_RVSL = path(NTRY, 'RvslInd');
export const E_BOOKED = path(NTRY, 'BookgDt');
export const E_BOOKED_DT = path(E_BOOKED, 'Dt');
export const E_BOOKED_DTTM = path(E_BOOKED, 'DtTm');
export const E_VALUE = path(NTRY, 'ValDt');
export const E_VALUE_DT = path(E_VALUE, 'Dt');
export const E_VALUE_DTTM = path(E_VALUE, 'DtTm');
export const E_SVCR_REF = path(NTRY, 'AcctSvcrRef');
export const E_INFO = path(NTRY, 'AddtlNtryInf');
export const E_BTC = path(NTRY, 'BkTxCd');
const DOMAIN = path(E_BTC, 'Domn');
export const E_DOMAIN = path(DOMAIN, 'Cd');
const FAMILY = path(DOMAIN, 'Fmly');
export const E_FAMILY = path(FAMILY, 'Cd');
export const E_SUBFAMILY = path(FAMILY, 'SubFmlyCd');
export const E_PRTRY = path(path(E_BTC, 'Prtry'), 'Cd');
const TX = path(path(NTRY, 'NtryDtls'), 'TxDtls');
const REFS = path(TX, 'Refs');
export const T_E2E = path(REFS, 'EndToEndId');
export const T_SVCR_REF = path(REFS, 'AcctSvcrRef');
export const T_RMT = path(TX, 'RmtInf');
export const T_USTRD = path(T_RMT, 'Ustrd', REPEAT);
export const T_CREDITOR_REF = path(path(path(T_RMT, 'Strd', REPEAT), 'CdtrRefInf'), 'Ref');
export const T_INFO = path(TX, 'AddtlTxInf');
const PARTIES = path(TX, 'RltdPties');
const DBTR = path(PARTIES, 'Dbtr');
export const T_DBTR_NM = path(DBTR, 'Nm');
export const T_DBTR_PTY_NM = path(path(DBTR, 'Pty'), 'Nm');
const CDTR = path(PARTIES, 'Cdtr');
export const T_CDTR_NM = path(CDTR, 'Nm');
export const T_CDTR_PTY_NM = path(path(CDTR, 'Pty'), 'Nm');

const PATHS = parentOf.length;
const NAMES = CAMT_NAMES.length;
/** `CHILD[p * NAMES + name]`: the path of a `name` element inside path `p`, or -1. */
const CHILD = new Int16Array(PATHS * NAMES).fill(-1);
for (let c = 1; c < PATHS; c++) CHILD[parentOf[c]! * NAMES + nameOf[c]!] = c;
const REPEATS = Uint8Array.from(repeats);

export class CamtPaths {
  /** The path of the open element at each depth, -1 for one off the paths. */
  private readonly stack = new Int16Array(MAX_XML_DEPTH + 2).fill(-1);
  depth = 0;
  /** When each path's last element opened, as a count of path elements: within `p` means opened after `p`. */
  private readonly opened = new Int32Array(PATHS);
  /** The `opened` stamp of the parent in which a first-only path was last seen. */
  private readonly seenIn = new Int32Array(PATHS);
  private count = 0;
  /** Offset of the `<` of each path's last element (-1 when the engine does not say). */
  readonly at = new Int32Array(PATHS);
  private readonly from = new Int32Array(PATHS);
  private readonly to = new Int32Array(PATHS);
  private readonly strings: (string | null)[] = new Array<string | null>(PATHS).fill(null);

  /** `src`: the file's bytes the ranges point into; null when every text comes decoded (fast-xml-parser). */
  constructor(private readonly src: StatementBytes | null) {}

  /** An element named `name` (an index of {@link CAMT_NAMES}, -1 for others) starts at `at`: its path, or -1. */
  enter(name: number, at: number): number {
    const p = this.stack[this.depth]!;
    let c = -1;
    if (this.depth === 0) c = name === 0 ? DOC : -1;
    else if (p !== -1 && name !== -1) {
      c = CHILD[p * NAMES + name]!;
      if (c !== -1 && REPEATS[c] === 0) {
        if (this.seenIn[c] === this.opened[p]) c = -1;
        else this.seenIn[c] = this.opened[p]!;
      }
    }
    this.stack[++this.depth] = c;
    if (c !== -1) {
      this.opened[c] = ++this.count;
      this.at[c] = at;
    }
    return c;
  }

  /** The open element ends with this text (see XmlSink.close): its path, or -1. */
  leave(from: number, to: number, text: string | null): number {
    const c = this.stack[this.depth--]!;
    if (c !== -1) {
      this.from[c] = from;
      this.to[c] = to;
      this.strings[c] = text;
    }
    return c;
  }

  /** Whether path `c` had an element inside the current element of path `within`. */
  has(c: number, within: number): boolean {
    return this.opened[c]! > this.opened[within]!;
  }

  /** The trimmed text of `c` inside `within`, or null when absent or empty. */
  text(c: number, within: number): string | null {
    if (!this.has(c, within)) return null;
    const s = this.strings[c] ?? null;
    if (s !== null) return s === '' ? null : s;
    return this.src === null ? null : this.src.trimmed(this.src.bytes, this.from[c]!, this.to[c]!);
  }

  /** {@link text}, the same string each time the same text comes again (dates, names, codes). */
  shared(c: number, within: number, intern: (s: string) => string): string | null {
    if (!this.has(c, within)) return null;
    const s = this.strings[c] ?? null;
    if (s !== null) return s === '' ? null : intern(s);
    return this.src === null ? null : this.src.trimmedIntern(this.src.bytes, this.from[c]!, this.to[c]!);
  }

  /** A plain amount of `c` in minor units (see plainMinor), read from the bytes; -1 for anything else. */
  minor(c: number, exponent: number): number {
    const s = this.strings[c] ?? null;
    if (s !== null) return plainMinor(s, exponent);
    return this.src === null ? -1 : plainMinorBytes(this.src.bytes, this.from[c]!, this.to[c]!, exponent);
  }
}
