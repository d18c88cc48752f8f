/**
 * SWIFT MT940 → {@link BankStatement}s: a line scanner (no regex per line,
 * no per-byte work beyond finding line ends) feeding a small state machine
 * that knows the tag order `:20: [:21:] :25: :28C: :60F/M: (:61: [:86:])*
 * :62F/M: [:64:] [:65:]* [:86:]`. Text outside statements (SWIFT block
 * headers, `940` lines, `-` trailers) is skipped. See docs/statements.md.
 */
import type { BankStatement, StatementBalance, StatementEntry } from '../../domain/statement.js';
import { exponentOf } from './statement-amount.js';
import { fail, runParser, show, type StatementParseResult } from './statement-error.js';
import { parseBalance, parseStatementLine, type Mt940Context, type SwiftBalance } from './mt940-fields.js';
import { applyInformation } from './mt940-information.js';

/** Longest line accepted. SWIFT allows 65 characters; banks write more (ING: ~130), nobody 8 KiB. */
export const MT940_MAX_LINE = 8192;

const KNOWN_TAGS = new Set(['20', '21', '25', '25P', '28', '28C', '60F', '60M', '61', '86', '62F', '62M', '64', '65']);

export function parseMt940(text: string): StatementParseResult {
  return runParser(() => readMt940(text));
}

const NO_LINES: readonly string[] = Object.freeze([]);

/**
 * The field being read, as offsets into the file text: its text is sliced
 * only when asked for (the DK `:86:` reader never asks).
 */
export class Field {
  tag = '';
  line = 0;
  /** From after the tag to the end of the first line, then to the end of the last line (line breaks included). */
  start = 0;
  firstEnd = 0;
  end = 0;
  readonly lineStarts: number[] = [];
  readonly lineEnds: number[] = [];

  constructor(readonly text: string) {}

  get first(): string {
    return this.text.slice(this.start, this.firstEnd);
  }

  /** The continuation lines. */
  get rest(): readonly string[] {
    const n = this.lineStarts.length;
    if (n === 0) return NO_LINES;
    const out: string[] = [];
    for (let i = 0; i < n; i++) out.push(this.text.slice(this.lineStarts[i], this.lineEnds[i]));
    return out;
  }
}

/** Like {@link parseMt940} but throws a StatementParseFailure; for composing parsers. */
export function readMt940(text: string, initialRepairs: string[] = []): BankStatement[] {
  const statements: BankStatement[] = [];
  let b: Builder | null = null;
  // One field object, refilled for every tag: the builder consumes it at once.
  const field = new Field(text);
  let open = false;
  const n = text.length;
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
    let nl = text.indexOf('\n', pos);
    if (nl === -1) nl = n;
    line++;
    let end = nl;
    if (end > pos && text.charCodeAt(end - 1) === 0x0d) end--;
    if (end - pos > MT940_MAX_LINE) fail('statement_line_too_long', `the line has ${String(end - pos)} characters; at most ${String(MT940_MAX_LINE)} are read`, { line });
    const c0 = text.charCodeAt(pos);
    const tagEnd = c0 === 0x3a ? tagEndAt(text, pos, end) : -1;
    if (tagEnd !== -1) {
      const tag = tagName(text, pos, tagEnd);
      if (!KNOWN_TAGS.has(tag)) fail('statement_unknown_tag', `unknown tag ':${tag}:'${b === null ? '' : ` in the statement that starts at line ${String(b.startLine)}`}`, { line });
      if (tag === '20') {
        if (b !== null) finish(line);
        b = new Builder(line, initialRepairs);
      } else if (b === null) {
        fail('statement_unexpected_tag', `':${tag}:' outside a statement: a statement starts with ':20:'`, { line });
      }
      flush();
      field.tag = tag;
      field.line = line;
      field.start = tagEnd + 1;
      field.firstEnd = end;
      field.end = end;
      field.lineStarts.length = 0;
      field.lineEnds.length = 0;
      open = true;
    } else if (c0 === 0x2d /* - */ && isTrailer(text, pos, end)) {
      if (b !== null) finish(line);
    } else if (end > pos && !isBlank(text, pos, end)) {
      // A continuation line; outside a statement it is header text and skipped.
      if (open) {
        field.lineStarts.push(pos);
        field.lineEnds.push(end);
        field.end = end;
      }
    }
    pos = nl + 1;
  }
  if (b !== null) finish(line + 1);
  if (statements.length === 0) {
    fail('statement_missing_tag', `no ':20:' tag: this is not an MT940 statement${n === 0 ? ' (the file is empty)' : ''}`, { line: 1 });
  }
  return statements;
}

/** End of a tag `:NN:` / `:NNA:` starting at `pos` (the closing colon's index), or -1. */
function tagEndAt(s: string, pos: number, end: number): number {
  const d1 = s.charCodeAt(pos + 1);
  const d2 = s.charCodeAt(pos + 2);
  if (pos + 3 >= end + 1 || d1 < 0x30 || d1 > 0x39 || d2 < 0x30 || d2 > 0x39) return -1;
  const c3 = s.charCodeAt(pos + 3);
  if (c3 === 0x3a) return pos + 3;
  if (c3 >= 0x41 && c3 <= 0x5a && s.charCodeAt(pos + 4) === 0x3a && pos + 4 < end) return pos + 4;
  return -1;
}

const TAG_NAMES = new Map([...KNOWN_TAGS].map((t) => [t, t]));

/** The tag between `:` and `:`, as a shared constant for the known tags (no new string per field). */
function tagName(s: string, pos: number, tagEnd: number): string {
  if (tagEnd === pos + 3) {
    const a = s.charCodeAt(pos + 1);
    const b = s.charCodeAt(pos + 2);
    if (a === 0x36 && b === 0x31) return '61';
    if (a === 0x38 && b === 0x36) return '86';
  }
  const t = s.slice(pos + 1, tagEnd);
  return TAG_NAMES.get(t) ?? t;
}

/** `-`, `-}`, `-XXX` (ING), `-` + ETX (mBank): the end of a message. */
function isTrailer(s: string, pos: number, end: number): boolean {
  const rest = s.slice(pos + 1, end).trim();
  return rest === '' || rest === '}' || rest === 'XXX' || /^[\x00-\x1f}]*$/.test(rest);
}

function isBlank(s: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i);
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
  private readonly entries: StatementEntry[] = [];
  private lastTag = '';
  private readonly ctx: Mt940Context;

  constructor(
    readonly startLine: number,
    initialRepairs: string[],
  ) {
    this.ctx = { line: startLine, repairs: [...initialRepairs] };
  }

  add(f: Field): void {
    this.ctx.line = f.line;
    // The two tags of every entry first, without the closures the rest needs.
    if (f.tag === '61' && this.stage === 'lines') {
      this.entries.push(parseStatementLine(f.first, f.rest, this.exponent, this.currency, this.entries.length + 1, this.ctx));
      this.lastTag = '61';
      return;
    }
    if (f.tag === '86' && this.lastTag === '61') {
      applyInformation(this.entries[this.entries.length - 1]!, f);
      this.lastTag = '86';
      return;
    }
    this.addOther(f);
  }

  private addOther(f: Field): void {
    const unexpected = (expected: string): never =>
      fail('statement_unexpected_tag', `':${f.tag}:' where ${expected} was expected (statement from line ${String(this.startLine)})`, { line: f.line });
    const oneLine = (): string => {
      if (f.lineStarts.length > 0) fail('statement_invalid_field', `':${f.tag}:' is one line, but ${show(f.rest[0]!)} follows it`, { line: f.line + 1 });
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
        this.opening = parseBalance(f.tag, oneLine(), this.ctx, exp);
        this.currency = this.opening.currency;
        this.exponent = exp(this.currency);
        this.stage = 'lines';
        break;
      case '61':
        unexpected(this.expected());
        break;
      case '86':
        if (this.stage === 'lines' || this.stage === 'closed') {
          const text = [f.first, ...f.rest].join(' ').trim();
          if (text !== '') this.information = this.information === null ? text : `${this.information} ${text}`;
        } else unexpected(this.expected());
        break;
      case '62F':
      case '62M':
        if (this.stage !== 'lines') unexpected(this.expected());
        this.closing = parseBalance(f.tag, oneLine(), this.ctx, exp);
        this.stage = 'closed';
        break;
      case '64':
        if (this.stage !== 'closed' || this.closingAvailable !== null || this.forwardAvailable.length > 0) unexpected(this.expected());
        this.closingAvailable = parseBalance(f.tag, oneLine(), this.ctx, exp);
        break;
      case '65':
        if (this.stage !== 'closed') unexpected(this.expected());
        this.forwardAvailable.push(parseBalance(f.tag, oneLine(), this.ctx, exp));
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
    const st: BankStatement = {
      format: 'mt940',
      statementId: `${this.reference}/${this.number}`,
      account: this.account,
      currency: this.currency,
      opening: bal(this.opening),
      closing: bal(this.closing),
      createdAt: null,
      entries: this.entries,
      statementNumber: this.number,
      closingAvailable: this.closingAvailable === null ? null : bal(this.closingAvailable),
      forwardAvailable: this.forwardAvailable.map(bal),
      information: this.information,
    };
    if (this.ctx.repairs.length > 0) st.repairs = this.ctx.repairs;
    return st;
  }
}
