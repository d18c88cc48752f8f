/**
 * SWIFT MT940 → {@link BankStatement}s: a line scanner over the file's
 * bytes (no regex per line, no whole-file string; values are decoded only
 * when kept, see statement-bytes.ts) feeding a small state machine
 * that knows the tag order `:20: [:21:] :25: :28C: :60F/M: (:61: [:86:])*
 * :62F/M: [:64:] [:65:]* [:86:]`. Text outside statements (SWIFT block
 * headers, `940` lines, `-` trailers) is skipped. See docs/statements.md.
 */
import { Buffer, isAscii } from 'node:buffer';
import type { BankStatement, StatementBalance } from '../../domain/statement.js';
import { EntryColumnStore, StatementEntryColumns, withEntryColumns } from './entry-columns.js';
import { exponentOf } from './statement-amount.js';
import { fail, runParser, show, type StatementParseResult } from './statement-error.js';
import { parseBalance, parseStatementLine, type Mt940Context, type SwiftBalance } from './mt940-fields.js';
import { applyInformation } from './mt940-information.js';
import { StatementBytes } from './statement-bytes.js';
import { Field } from './mt940-field.js';

/** Longest line accepted. SWIFT allows 65 characters; banks write more (ING: ~130), nobody 8 KiB. */
export const MT940_MAX_LINE = 8192;

const KNOWN_TAGS = new Set(['20', '21', '25', '25P', '28', '28C', '60F', '60M', '61', '86', '62F', '62M', '64', '65']);

export function parseMt940(text: string): StatementParseResult {
  return runParser(() => readMt940(text));
}

/** Like {@link parseMt940} but throws a StatementParseFailure; for composing parsers. */
export function readMt940(text: string, initialRepairs: string[] = []): BankStatement[] {
  const bytes = Buffer.from(text, 'utf8');
  return readMt940Bytes(new StatementBytes(bytes, isAscii(bytes) ? 'latin1' : 'utf-8'), initialRepairs);
}

/** {@link readMt940} on the file bytes (decoding decided by the caller, a byte-order mark already skipped). */
export function readMt940Bytes(src: StatementBytes, initialRepairs: string[] = []): BankStatement[] {
  const statements: BankStatement[] = [];
  // Every statement of the file keeps its entries in this one store (entry-columns.ts).
  const store = new EntryColumnStore(src.utf8, src.bytes.length, 96);
  let b: Builder | null = null;
  // One field object, refilled for every tag: the builder consumes it at once.
  const field = new Field(src);
  const bytes = src.bytes;
  let open = false;
  const n = bytes.length;
  let pos = 0;
  let line = 0;
  const flush = (): void => {
    if (open && b !== null) b.add(field);
    open = false;
  };
  const finish = (where: number): void => {
    flush();
    if (b !== null) statements.push(b.done(where));
    b = null;
  };
  while (pos < n) {
    let nl = bytes.indexOf(0x0a, pos);
    if (nl === -1) nl = n;
    line++;
    let end = nl;
    if (end > pos && bytes[end - 1] === 0x0d) end--;
    if (end - pos > MT940_MAX_LINE) {
      const chars = src.text(pos, end).length;
      if (chars > MT940_MAX_LINE) fail('statement_line_too_long', `the line has ${String(chars)} characters; at most ${String(MT940_MAX_LINE)} are read`, { line });
    }
    const c0 = bytes[pos];
    const tagEnd = c0 === 0x3a ? tagEndAt(bytes, pos, end) : -1;
    if (tagEnd !== -1) {
      const tag = tagName(src, pos, tagEnd);
      if (!KNOWN_TAGS.has(tag)) fail('statement_unknown_tag', `unknown tag ':${tag}:'${b === null ? '' : ` in the statement that starts at line ${String(b.startLine)}`}`, { line });
      if (tag === '20') {
        if (b !== null) finish(line);
        b = new Builder(line, initialRepairs, src, store);
      } else if (b === null) {
        fail('statement_unexpected_tag', `':${tag}:' outside a statement: a statement starts with ':20:'`, { line });
      }
      flush();
      field.reset(tag, line, tagEnd + 1, end);
      open = true;
    } else if (c0 === 0x2d /* - */ && isTrailer(src.text(pos + 1, end))) {
      if (b !== null) finish(line);
    } else if (end > pos && !isBlank(bytes, pos, end)) {
      // A continuation line; outside a statement it is header text and skipped.
      if (open) {
        field.addLine(pos, end);
      }
    }
    pos = nl + 1;
  }
  if (b !== null) finish(line + 1);
  if (statements.length === 0) {
    fail('statement_missing_tag', `no ':20:' tag: this is not an MT940 statement${n === 0 ? ' (the file is empty)' : ''}`, { line: 1 });
  }
  store.seal();
  return statements;
}

/** End of a tag `:NN:` / `:NNA:` starting at `pos` (the closing colon's index), or -1. */
function tagEndAt(s: Uint8Array, pos: number, end: number): number {
  if (pos + 3 >= end + 1) return -1;
  const d1 = s[pos + 1]!;
  const d2 = s[pos + 2]!;
  if (d1 < 0x30 || d1 > 0x39 || d2 < 0x30 || d2 > 0x39) return -1;
  const c3 = s[pos + 3];
  if (c3 === 0x3a) return pos + 3;
  if (c3 !== undefined && c3 >= 0x41 && c3 <= 0x5a && pos + 4 < end && s[pos + 4] === 0x3a) return pos + 4;
  return -1;
}

const TAG_NAMES = new Map([...KNOWN_TAGS].map((t) => [t, t]));

/** The tag between `:` and `:`, as a shared constant for the known tags (no new string per field). */
function tagName(src: StatementBytes, pos: number, tagEnd: number): string {
  const s = src.bytes;
  if (tagEnd === pos + 3) {
    const a = s[pos + 1];
    const b = s[pos + 2];
    if (a === 0x36 && b === 0x31) return '61';
    if (a === 0x38 && b === 0x36) return '86';
  }
  const t = src.text(pos + 1, tagEnd);
  return TAG_NAMES.get(t) ?? t;
}

/** `-`, `-}`, `-XXX` (ING), `-` + ETX (mBank): the end of a message; `rest` is the line after the `-`. */
function isTrailer(rest: string): boolean {
  const r = rest.trim();
  return r === '' || r === '}' || r === 'XXX' || /^[\x00-\x1f}]*$/.test(r);
}

function isBlank(s: Uint8Array, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const c = s[i]!;
    if (c !== 0x20 && c !== 0x09 && c > 0x1f) return false;
  }
  return true;
}

type Stage = 'id' | 'account' | 'number' | 'opening' | 'lines' | 'closed';

/** One statement being read: checks the tag order and builds the result. */
class Builder {
  private stage: Stage = 'id';
  private reference = '';
  private account = '';
  private number = '';
  private currency = '';
  private exponent = 2;
  private opening: SwiftBalance | null = null;
  private closing: SwiftBalance | null = null;
  private closingAvailable: SwiftBalance | null = null;
  private readonly forwardAvailable: SwiftBalance[] = [];
  private information: string | null = null;
  /** This statement's first row in the file's store. */
  private readonly firstRow: number;
  private lastRow = -1;
  private lastTag = '';
  private readonly ctx: Mt940Context;

  constructor(
    readonly startLine: number,
    initialRepairs: string[],
    private readonly src: StatementBytes,
    private readonly store: EntryColumnStore,
  ) {
    this.ctx = { line: startLine, repairs: [...initialRepairs] };
    this.firstRow = store.length;
  }

  add(f: Field): void {
    this.ctx.line = f.line;
    // The two tags of every entry first, without the closures the rest needs.
    if (f.tag === '61' && this.stage === 'lines') {
      this.lastRow = parseStatementLine(f, this.exponent, this.currency, this.store, this.ctx);
      this.lastTag = '61';
      return;
    }
    if (f.tag === '86' && this.lastTag === '61') {
      applyInformation(this.store, this.lastRow, f);
      this.lastTag = '86';
      return;
    }
    this.addOther(f);
  }

  private addOther(f: Field): void {
    const unexpected = (expected: string): never =>
      fail('statement_unexpected_tag', `':${f.tag}:' where ${expected} was expected (statement from line ${String(this.startLine)})`, { line: f.line });
    const oneLine = (): string => {
      if (f.lines > 0) fail('statement_invalid_field', `':${f.tag}:' is one line, but ${show(f.rest[0]!)} follows it`, { line: f.line + 1 });
      return f.first.trim();
    };
    const exp = (ccy: string): number => exponentOf(ccy, { line: f.line });
    switch (f.tag) {
      case '20':
        this.reference = oneLine();
        if (this.reference === '') fail('statement_invalid_field', "':20:' (transaction reference) is empty", { line: f.line });
        this.stage = 'account';
        break;
      case '21':
        if (this.stage !== 'account' || this.lastTag !== '20') unexpected("':25:'");
        break;
      case '25':
      case '25P':
        if (this.stage !== 'account') unexpected(this.expected());
        this.account = oneLine();
        if (this.account === '') fail('statement_invalid_field', "':25:' (account) is empty", { line: f.line });
        this.stage = 'number';
        break;
      case '28':
      case '28C':
        if (this.stage !== 'number') unexpected(this.expected());
        this.number = oneLine();
        if (!/^\d{1,5}(\/\d{1,5})?$/.test(this.number)) fail('statement_invalid_field', `':${f.tag}:' ${show(this.number)} is not a statement number (NNNNN or NNNNN/NNNNN)`, { line: f.line });
        this.stage = 'opening';
        break;
      case '60F':
      case '60M':
        if (this.stage !== 'opening') unexpected(this.expected());
        this.opening = parseBalance(f, oneLine(), this.ctx, exp);
        this.currency = this.opening.currency;
        this.exponent = exp(this.currency);
        this.stage = 'lines';
        break;
      case '61':
        unexpected(this.expected());
        break;
      case '86':
        if (this.stage === 'lines' || this.stage === 'closed') {
          const text = this.src.trimmed(this.src.scratch, 0, f.copyLines(true, 0x20));
          if (text !== null) this.information = this.information === null ? text : `${this.information} ${text}`;
        } else unexpected(this.expected());
        break;
      case '62F':
      case '62M':
        if (this.stage !== 'lines') unexpected(this.expected());
        this.closing = parseBalance(f, oneLine(), this.ctx, exp);
        this.stage = 'closed';
        break;
      case '64':
        if (this.stage !== 'closed' || this.closingAvailable !== null || this.forwardAvailable.length > 0) unexpected(this.expected());
        this.closingAvailable = parseBalance(f, oneLine(), this.ctx, exp);
        break;
      case '65':
        if (this.stage !== 'closed') unexpected(this.expected());
        this.forwardAvailable.push(parseBalance(f, oneLine(), this.ctx, exp));
        break;
    }
    this.lastTag = f.tag;
  }

  private expected(): string {
    switch (this.stage) {
      case 'id':
        return "':20:'";
      case 'account':
        return "':25:' (account)";
      case 'number':
        return "':28C:' (statement number)";
      case 'opening':
        return "':60F:' (opening balance)";
      case 'lines':
        return "':61:', ':86:' or ':62F:' (closing balance)";
      case 'closed':
        return "':64:', ':65:', ':86:' or the end of the statement";
    }
  }

  done(line: number): BankStatement {
    if (this.stage !== 'closed' || this.opening === null || this.closing === null) {
      fail('statement_truncated', `the statement that starts at line ${String(this.startLine)} ends before ${this.expected()}`, { line });
    }
    const bal = (x: SwiftBalance): StatementBalance => (x.currency === this.currency ? { amountMinor: x.amountMinor, date: x.date } : { amountMinor: x.amountMinor, date: x.date, currency: x.currency });
    const columns = new StatementEntryColumns(this.store, this.firstRow, this.store.length - this.firstRow, true);
    const st = withEntryColumns({
      format: 'mt940',
      statementId: `${this.reference}/${this.number}`,
      account: this.account,
      currency: this.currency,
      opening: bal(this.opening),
      closing: bal(this.closing),
      createdAt: null,
      statementNumber: this.number,
      closingAvailable: this.closingAvailable === null ? null : bal(this.closingAvailable),
      forwardAvailable: this.forwardAvailable.map(bal),
      information: this.information,
    }, columns);
    if (this.ctx.repairs.length > 0) st.repairs = this.ctx.repairs;
    return st;
  }
}
