/**
 * The entries of one statement file as columns: what an import keeps of
 * an MT940 or camt.053 file. An entry as an object costs ~146 B plus ~80 B for its
 * strings, and 2 million of them kept make every young-generation
 * collection copy them and every old-generation marking walk them (that
 * halved the parse rate of a year of files). Here an entry is one row of
 * typed arrays (amount, flags, dates, names, type codes and currency as
 * ids into small tables of the file's distinct values) and its text values
 * are byte ranges into one arena per file, decoded only when asked for.
 * Off the JavaScript heap but for those small tables: a sealed file's rows
 * are one buffer.
 *
 * One store per file (all its statements append to it); each statement
 * reads its rows through a {@link StatementEntryColumns} view.
 */
import { Buffer } from 'node:buffer';
import type { BankStatement, EntryColumns, EntryDirection, StatementEntry } from '../../domain/statement.js';
import { decode, isAsciiSpace } from './statement-bytes.js';

/** The text columns, in the order of their slots in `text`. */
export const TEXT_REFERENCE = 0;
export const TEXT_BANK_REFERENCE = 1;
export const TEXT_REMITTANCE = 2;
export const TEXT_DETAILS = 3;
const TEXT_FIELDS = 4;

const CREDIT = 1;
const REVERSAL = 2;

/**
 * The growable columns a file is read into, kept from one file to the next
 * (a parse runs to its end on one thread, so one set is enough per
 * thread). Fresh columns per file, then a slice of each to fit, were five
 * or six buffers outside the JavaScript heap per file, ~2× the file's size,
 * and memory there starts a full marking of the whole heap about every
 * 64 MB allocated (`Start (external memory pressure)` in `--trace-gc`):
 * over a year of files that was a marking every few seconds.
 */
class WorkColumns {
  amount = new Float64Array(0);
  flags = new Uint8Array(0);
  valueDate = new Int32Array(0);
  bookingDate = new Int32Array(0);
  counterparty = new Int32Array(0);
  transactionCode = new Int32Array(0);
  currency = new Int32Array(0);
  text = new Int32Array(0);
  arena = Buffer.alloc(0);

  /** Bytes held, to decide whether the set is worth keeping. */
  bytes(): number {
    return this.amount.byteLength + this.flags.byteLength + 5 * this.valueDate.byteLength + this.text.byteLength + this.arena.byteLength;
  }
}

/** Largest working set kept for the next file: a huge file's columns are let go rather than held for good. */
const MAX_KEPT_WORK_BYTES = 64 * 1024 * 1024;
/** The working set between two files; taken (null) while a file is read, so two stores never share it. */
let spareWork: WorkColumns | null = null;

export class EntryColumnStore {
  length = 0;
  amount: Float64Array;
  /** Bit 0: credit, bit 1: reversal. */
  flags: Uint8Array;
  /** Ids into `dates`, -1 for none. */
  valueDate: Int32Array;
  bookingDate: Int32Array;
  /** Per row, per text field: start and end in `arena`; start -1 for null. */
  text: Int32Array;
  /**
   * Ids into `strings`, -1 for null: the counterparty name, the type code
   * and the entry's currency (camt.053 entries may differ from their
   * statement's). A file repeats a few dozen of each; as ids they stay off
   * the JavaScript heap (arrays of string pointers, one slot per entry,
   * were old-generation growth that brought the next full marking closer).
   */
  counterpartyId: Int32Array;
  transactionCodeId: Int32Array;
  currencyId: Int32Array;
  readonly strings: string[] = [];
  private readonly stringIds = new Map<string, number>();
  /** The last string given an id and its id: the currency and codes repeat row after row. */
  private lastString = '';
  private lastStringId = -1;
  readonly dates: string[] = [];
  private readonly dateIds = new Map<string, number>();
  /** The text values' bytes, in the file's charset. */
  arena: Buffer;
  used = 0;
  /** The working columns while the file is read; null once sealed. */
  private work: WorkColumns | null;

  /**
   * `fileBytes`: the file's size, from which the rows and text are guessed
   * with `bytesPerEntry` (MT940 ~100 bytes an entry, camt.053 ~450); the
   * columns grow if the guess is short, and are copied to fit at the end.
   */
  constructor(
    readonly utf8: boolean,
    fileBytes: number,
    bytesPerEntry: number,
  ) {
    const rows = 16 + Math.ceil(fileBytes / bytesPerEntry);
    const w = spareWork ?? new WorkColumns();
    spareWork = null;
    if (w.amount.length < rows) {
      w.amount = new Float64Array(rows);
      w.flags = new Uint8Array(rows);
      w.valueDate = new Int32Array(rows);
      w.bookingDate = new Int32Array(rows);
      w.counterparty = new Int32Array(rows);
      w.transactionCode = new Int32Array(rows);
      w.currency = new Int32Array(rows);
      w.text = new Int32Array(rows * 2 * TEXT_FIELDS);
    }
    if (w.arena.length < 1024 + rows * 64) w.arena = Buffer.allocUnsafeSlow(1024 + rows * 64);
    this.work = w;
    this.amount = w.amount;
    this.flags = w.flags;
    this.valueDate = w.valueDate;
    this.bookingDate = w.bookingDate;
    this.counterpartyId = w.counterparty;
    this.transactionCodeId = w.transactionCode;
    this.currencyId = w.currency;
    this.text = w.text;
    this.arena = w.arena;
  }

  /** The id of a date (`YYYY-MM-DD`), -1 for null; a file has a few hundred distinct dates. */
  dateId(d: string | null): number {
    if (d === null) return -1;
    let id = this.dateIds.get(d);
    if (id === undefined) {
      id = this.dates.length;
      this.dates.push(d);
      this.dateIds.set(d, id);
    }
    return id;
  }

  /** The id of a shared string (a name, code or currency), -1 for null. */
  stringId(v: string | null): number {
    if (v === null) return -1;
    if (v === this.lastString && this.lastStringId !== -1) return this.lastStringId;
    let id = this.stringIds.get(v);
    if (id === undefined) {
      id = this.strings.length;
      this.strings.push(v);
      this.stringIds.set(v, id);
    }
    this.lastString = v;
    this.lastStringId = id;
    return id;
  }

  setCounterparty(k: number, name: string | null): void {
    this.counterpartyId[k] = this.stringId(name);
  }

  counterparty(k: number): string | null {
    const id = this.counterpartyId[k]!;
    return id === -1 ? null : this.strings[id]!;
  }

  transactionCode(k: number): string | null {
    const id = this.transactionCodeId[k]!;
    return id === -1 ? null : this.strings[id]!;
  }

  currency(k: number): string {
    return this.strings[this.currencyId[k]!]!;
  }

  /** Appends a row; the text fields and the counterparty start null. */
  add(amountMinor: number, direction: EntryDirection, reversal: boolean, valueDateId: number, bookingDateId: number, transactionCode: string | null, currency: string): number {
    const k = this.length;
    if (k === this.amount.length) this.grow(2 * k);
    this.amount[k] = amountMinor;
    this.flags[k] = (direction === 'credit' ? CREDIT : 0) | (reversal ? REVERSAL : 0);
    this.valueDate[k] = valueDateId;
    this.bookingDate[k] = bookingDateId;
    this.text.fill(-1, k * 2 * TEXT_FIELDS, (k + 1) * 2 * TEXT_FIELDS);
    this.counterpartyId[k] = -1;
    this.transactionCodeId[k] = this.stringId(transactionCode);
    this.currencyId[k] = this.stringId(currency);
    this.length = k + 1;
    return k;
  }

  /**
   * Sets text field `field` of row `k` to the trimmed bytes `src[from, to)`
   * (null when nothing is left), trimming as `String.prototype.trim` does:
   * ASCII whitespace on the bytes, and a value with a non-ASCII byte at
   * either end through `trim()` (a no-break space).
   */
  setText(k: number, field: number, src: Buffer, from: number, to: number): void {
    while (from < to && isAsciiSpace(src[from]!)) from++;
    while (to > from && isAsciiSpace(src[to - 1]!)) to--;
    const slot = (k * TEXT_FIELDS + field) * 2;
    if (from === to) {
      this.text[slot] = -1;
      return;
    }
    if (src[from]! >= 0x80 || src[to - 1]! >= 0x80) {
      const s = decode(src, from, to, this.utf8).trim();
      if (s === '') {
        this.text[slot] = -1;
        return;
      }
      const b = Buffer.from(s, this.utf8 ? 'utf8' : 'latin1');
      this.put(slot, b, 0, b.length);
      return;
    }
    this.put(slot, src, from, to);
  }

  /** Sets text field `field` of row `k` to `value` as it is (camt.053 values, read as strings). */
  setString(k: number, field: number, value: string | null): void {
    const slot = (k * TEXT_FIELDS + field) * 2;
    if (value === null) {
      this.text[slot] = -1;
      return;
    }
    const room = this.utf8 ? 3 * value.length : value.length;
    if (this.used + room > this.arena.length) this.room(room);
    const n = this.arena.write(value, this.used, this.utf8 ? 'utf8' : 'latin1');
    this.text[slot] = this.used;
    this.text[slot + 1] = this.used + n;
    this.used += n;
  }

  private room(n: number): void {
    const bigger = Buffer.allocUnsafeSlow(Math.max(2 * this.arena.length, this.used + n));
    this.arena.copy(bigger, 0, 0, this.used);
    this.arena = bigger;
    if (this.work !== null) this.work.arena = bigger;
  }

  /** Sets text field `field` of row `k` to the same value as field `of` of row `k` (or of another field already set). */
  copyText(k: number, field: number, fromField: number): void {
    const to = (k * TEXT_FIELDS + field) * 2;
    const from = (k * TEXT_FIELDS + fromField) * 2;
    this.text[to] = this.text[from]!;
    this.text[to + 1] = this.text[from + 1]!;
  }

  hasText(k: number, field: number): boolean {
    return this.text[(k * TEXT_FIELDS + field) * 2]! !== -1;
  }

  /** First byte of a non-null text field. */
  firstByte(k: number, field: number): number {
    return this.arena[this.text[(k * TEXT_FIELDS + field) * 2]!]!;
  }

  textOf(k: number, field: number): string | null {
    const slot = (k * TEXT_FIELDS + field) * 2;
    const start = this.text[slot]!;
    return start === -1 ? null : decode(this.arena, start, this.text[slot + 1]!, this.utf8);
  }

  private put(slot: number, src: Buffer, from: number, to: number): void {
    const n = to - from;
    if (this.used + n > this.arena.length) this.room(n);
    const a = this.arena;
    let at = this.used;
    // Most values are a few dozen bytes: a loop beats the native copy's call cost.
    if (n <= 64) for (let i = from; i < to; i++) a[at++] = src[i]!;
    else at += src.copy(a, at, from, to);
    this.text[slot] = this.used;
    this.text[slot + 1] = at;
    this.used = at;
  }

  /**
   * Called when the file is read: the rows and text are copied out of the
   * working columns into one buffer that fits them (one allocation per
   * file), and the working columns are kept for the next file.
   */
  seal(): void {
    const w = this.work;
    if (w === null) return;
    const n = this.length;
    // Float64 first, then the Int32 columns, then the bytes: every view stays aligned.
    const amountAt = 0;
    const valueAt = amountAt + 8 * n;
    const bookingAt = valueAt + 4 * n;
    const counterpartyAt = bookingAt + 4 * n;
    const codeAt = counterpartyAt + 4 * n;
    const currencyAt = codeAt + 4 * n;
    const textAt = currencyAt + 4 * n;
    const flagsAt = textAt + 4 * n * 2 * TEXT_FIELDS;
    const arenaAt = flagsAt + n;
    const buffer = new ArrayBuffer(arenaAt + this.used);
    this.amount = new Float64Array(buffer, amountAt, n);
    this.amount.set(w.amount.subarray(0, n));
    this.valueDate = new Int32Array(buffer, valueAt, n);
    this.valueDate.set(w.valueDate.subarray(0, n));
    this.bookingDate = new Int32Array(buffer, bookingAt, n);
    this.bookingDate.set(w.bookingDate.subarray(0, n));
    this.counterpartyId = new Int32Array(buffer, counterpartyAt, n);
    this.counterpartyId.set(w.counterparty.subarray(0, n));
    this.transactionCodeId = new Int32Array(buffer, codeAt, n);
    this.transactionCodeId.set(w.transactionCode.subarray(0, n));
    this.currencyId = new Int32Array(buffer, currencyAt, n);
    this.currencyId.set(w.currency.subarray(0, n));
    this.text = new Int32Array(buffer, textAt, n * 2 * TEXT_FIELDS);
    this.text.set(w.text.subarray(0, n * 2 * TEXT_FIELDS));
    this.flags = new Uint8Array(buffer, flagsAt, n);
    this.flags.set(w.flags.subarray(0, n));
    this.arena = Buffer.from(buffer, arenaAt, this.used);
    w.arena.copy(this.arena, 0, 0, this.used);
    this.dateIds.clear();
    this.stringIds.clear();
    this.work = null;
    if (w.bytes() <= MAX_KEPT_WORK_BYTES) spareWork = w;
  }

  private grow(rows: number): void {
    const w = this.work;
    if (w === null) throw new Error('EntryColumnStore: a row was added after the file was sealed');
    const amount = new Float64Array(rows);
    amount.set(this.amount);
    this.amount = w.amount = amount;
    const flags = new Uint8Array(rows);
    flags.set(this.flags);
    this.flags = w.flags = flags;
    const vd = new Int32Array(rows);
    vd.set(this.valueDate);
    this.valueDate = w.valueDate = vd;
    const bd = new Int32Array(rows);
    bd.set(this.bookingDate);
    this.bookingDate = w.bookingDate = bd;
    const cp = new Int32Array(rows);
    cp.set(this.counterpartyId);
    this.counterpartyId = w.counterparty = cp;
    const tc = new Int32Array(rows);
    tc.set(this.transactionCodeId);
    this.transactionCodeId = w.transactionCode = tc;
    const cy = new Int32Array(rows);
    cy.set(this.currencyId);
    this.currencyId = w.currency = cy;
    const text = new Int32Array(rows * 2 * TEXT_FIELDS);
    text.set(this.text);
    this.text = w.text = text;
  }
}

/** One statement's rows `[from, from + length)` of a file's {@link EntryColumnStore}. */
export class StatementEntryColumns implements EntryColumns {
  constructor(
    private readonly store: EntryColumnStore,
    private readonly from: number,
    readonly length: number,
    /** Whether materialised entries carry `supplementaryDetails` (MT940's do, null when absent). */
    private readonly withDetails: boolean,
  ) {}

  signedAmount(k: number): number {
    const r = this.from + k;
    const a = this.store.amount[r]!;
    return (this.store.flags[r]! & CREDIT) !== 0 ? a : -a;
  }

  currency(k: number): string {
    return this.store.currency(this.from + k);
  }

  date(k: number): string | null {
    const r = this.from + k;
    const id = this.store.valueDate[r]!;
    const b = id === -1 ? this.store.bookingDate[r]! : id;
    return b === -1 ? null : this.store.dates[b]!;
  }

  reference(k: number): string | null {
    return this.store.textOf(this.from + k, TEXT_REFERENCE);
  }

  remittance(k: number): string | null {
    return this.store.textOf(this.from + k, TEXT_REMITTANCE);
  }

  bankReference(k: number): string | null {
    return this.store.textOf(this.from + k, TEXT_BANK_REFERENCE);
  }

  entry(k: number): StatementEntry {
    const s = this.store;
    const r = this.from + k;
    const f = s.flags[r]!;
    const vd = s.valueDate[r]!;
    const bd = s.bookingDate[r]!;
    const e: StatementEntry = {
      index: k + 1,
      amountMinor: s.amount[r]!,
      direction: (f & CREDIT) !== 0 ? 'credit' : 'debit',
      currency: s.currency(r),
      bookingDate: bd === -1 ? null : s.dates[bd]!,
      valueDate: vd === -1 ? null : s.dates[vd]!,
      reference: s.textOf(r, TEXT_REFERENCE),
      bankReference: s.textOf(r, TEXT_BANK_REFERENCE),
      remittance: s.textOf(r, TEXT_REMITTANCE),
      counterparty: s.counterparty(r),
      reversal: (f & REVERSAL) !== 0,
      transactionCode: s.transactionCode(r),
    };
    if (this.withDetails) e.supplementaryDetails = s.textOf(r, TEXT_DETAILS);
    return e;
  }

  /** All entries as objects, made afresh. */
  entries(): StatementEntry[] {
    const out = new Array<StatementEntry>(this.length);
    for (let k = 0; k < this.length; k++) out[k] = this.entry(k);
    return out;
  }
}

/**
 * A parsed statement whose entries are `columns`: `entries` is an
 * enumerable getter that makes the objects afresh on each read (so copies,
 * JSON and tests see them), `columns` is not enumerable.
 */
export function withEntryColumns(fields: Omit<BankStatement, 'entries' | 'columns'>, columns: StatementEntryColumns): BankStatement {
  const st = fields as BankStatement;
  Object.defineProperty(st, 'entries', { get: () => columns.entries(), enumerable: true, configurable: true });
  Object.defineProperty(st, 'columns', { value: columns, enumerable: false });
  return st;
}
