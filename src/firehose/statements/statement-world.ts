/**
 * Bank statements for a generated world, written from the platform's own
 * settlement truth (its expected payouts and deposits), with breaks
 * injected, and the answer key reconciliation must reproduce.
 *
 * Every break is placed so it can only be found for the reason it was
 * injected: a booking without a usable reference is only injected for an
 * item whose amount no other item of its account and currency has (the
 * matcher finds it by amount), and stray bookings get amounts that equal no
 * item and no day's sum (so neither the amount nor the batch pass takes
 * them). Everything else is booked cleanly, with its reference, on its date.
 *
 * @example
 * const { statements, key } = generateStatementWorld({ items, from: '2026-03-02', to: '2026-03-27', seed: 7, breakRate: 0.1 });
 * writeStatementFiles(dir, statements, key, 'mt940');
 */
import { BusinessCalendar, dayNumber, dayText } from '../../domain/business-calendar.js';
import { FxTable, parseUtcDay } from '../../domain/fx.js';
import { DEFAULT_MATCH_OPTIONS, type MatchMethod, type MismatchReason } from '../../domain/reconciliation.js';
import { forEachReferenceCandidate, normaliseReference } from '../../domain/reference-text.js';
import { normaliseAccount } from '../../treasury/treasury-store.js';
import { FirehoseOptionError, checkInteger, checkNumber } from '../errors.js';
import { Prng } from '../prng.js';
import { STATEMENT_BREAKS, type AnswerKey, type ItemAnswer, type MoneyItem, type StatementBreak } from './statement-breaks.js';
import { buildStatements, chainKey, type BookedLine, type Chain, type ChainStart, type DatedStatement } from './statement-chains.js';
import { STRAY_KINDS, forbiddenAmounts, strayAmount, strayLine, type StrayKind } from './stray-entries.js';

export interface StatementWorldOptions {
  /** Every expected item of the tenant: those due from `from` to `to` are booked, the others are only kept apart from. */
  items: readonly MoneyItem[];
  /** Statement days, `YYYY-MM-DD`, inclusive. */
  from: string;
  to: string;
  /** The same seed and items always give the same statements. */
  seed: number;
  /** Share of the items booked (`from`–`to`) that get a break, 0–1. */
  breakRate: number;
  /** Kinds drawn from (equal odds; an item a kind cannot apply to gets the next one). Default: all. */
  kinds?: readonly StatementBreak[];
  /** Whether the bank of `account` books on `day` (days since 1970-01-01). Default: {@link ibanBankDays} of the built-in calendar. */
  isBankDay?: (account: string, day: number) => boolean;
  /** The matcher's settings the key assumes (default DEFAULT_MATCH_OPTIONS). */
  match?: { dateWindowDays: number; missingAfterDays: number };
  /**
   * Where chains of statements already booked end, by `chainKey(account,
   * currency)`: the next statement opens at that closing balance and takes
   * the next number (a feed that goes on from earlier statements). A chain
   * not listed opens at a generated balance with number 1.
   */
  chainStarts?: ReadonlyMap<string, ChainStart>;
}

export interface StatementWorld {
  statements: DatedStatement[];
  key: AnswerKey;
}

/**
 * Banking days of an account's country: the country of an IBAN (its first
 * two letters), else Monday to Friday.
 * @example ibanBankDays(new BusinessCalendar())('DE89370400440532013000', dayNumber('2026-12-25')) // false
 */
export function ibanBankDays(calendar: BusinessCalendar): (account: string, day: number) => boolean {
  return (account, day) => {
    const a = normaliseAccount(account);
    if (/^[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}$/.test(a)) return calendar.isBusinessDay(a.slice(0, 2), day);
    const weekday = (day + 4) % 7;
    return weekday !== 0 && weekday !== 6;
  };
}

/** One account: its items' references and amounts (to keep breaks apart from them), and its statement days. */
interface Account {
  name: string;
  items: MoneyItem[];
  refs: Set<string>;
  /** Currency → amount → how many items have it. */
  amounts: Map<string, Map<number, number>>;
  days: number[];
}

interface Plan {
  item: MoneyItem;
  answer: ItemAnswer;
  /** Lines that pay it, in date order. */
  payers: BookedLine[];
}

const DEPOSIT_TEXT = 'CASH DEPOSIT';
const PAYOUT_TEXT = 'CARD SETTLEMENT';

export function generateStatementWorld(o: StatementWorldOptions): StatementWorld {
  const fromDay = parseUtcDay(o.from);
  const toDay = parseUtcDay(o.to);
  if (fromDay === null) throw new FirehoseOptionError('from', o.from, 'a date YYYY-MM-DD');
  if (toDay === null || toDay < fromDay) throw new FirehoseOptionError('to', o.to, `a date YYYY-MM-DD on or after ${o.from}`);
  checkInteger('to − from (days)', toDay - fromDay, 0, 3660);
  checkNumber('breakRate', o.breakRate, 0, 1);
  checkInteger('seed', o.seed, -(2 ** 53 - 1), 2 ** 53 - 1);
  const kinds = o.kinds ?? STATEMENT_BREAKS;
  if (kinds.length === 0 || kinds.some((k) => !STATEMENT_BREAKS.includes(k))) throw new FirehoseOptionError('kinds', kinds, `a non-empty list of ${STATEMENT_BREAKS.join(', ')}`);
  const match = o.match ?? DEFAULT_MATCH_OPTIONS;
  const isBankDay = o.isBankDay ?? ibanBankDays(new BusinessCalendar());
  const rng = new Prng(o.seed, 0x53544d54);

  // ---- accounts: references, amounts, statement days ----
  const accounts = new Map<string, Account>();
  const accountOf = (item: MoneyItem): Account => {
    const k = normaliseAccount(item.account);
    let a = accounts.get(k);
    if (a === undefined) accounts.set(k, (a = { name: item.account, items: [], refs: new Set(), amounts: new Map(), days: [] }));
    return a;
  };
  for (const item of o.items) {
    const a = accountOf(item);
    a.items.push(item);
    const ref = normaliseReference(item.reference);
    if (ref !== null) {
      if (a.refs.has(ref)) throw new FirehoseOptionError('items', item.reference, `references unique per bank account (two items of ${item.account} carry it, so no statement can name one of them)`);
      a.refs.add(ref);
    }
    let byAmount = a.amounts.get(item.currency);
    if (byAmount === undefined) a.amounts.set(item.currency, (byAmount = new Map()));
    byAmount.set(item.amountMinor, (byAmount.get(item.amountMinor) ?? 0) + 1);
  }
  const keyed = o.items
    .filter((it) => it.expectedDate >= o.from && it.expectedDate <= o.to)
    .sort((x, y) => cmp(normaliseAccount(x.account), normaliseAccount(y.account)) || cmp(x.currency, y.currency) || cmp(x.expectedDate, y.expectedDate) || cmp(x.id, y.id));
  // An account has a statement on each of its banking days, and on any day something is due on it.
  const due = new Map<Account, Set<number>>();
  for (const it of keyed) {
    const a = accountOf(it);
    let days = due.get(a);
    if (days === undefined) {
      due.set(a, (days = new Set()));
      for (let d = fromDay; d <= toDay; d++) if (isBankDay(a.name, d)) days.add(d);
    }
    days.add(dayNumber(it.expectedDate));
  }
  for (const [a, days] of due) a.days = [...days].sort((x, y) => x - y);
  // A chain (account and currency) has a statement on every statement day of its account when items are due in its
  // currency, else (a currency only a wrong booking came in) on the days it has lines.
  const chainDays = new Map<string, Set<number>>();
  const chainOf = (account: string, currency: string): string => {
    const k = chainKey(account, currency);
    if (!chainDays.has(k)) chainDays.set(k, new Set());
    return k;
  };
  for (const it of keyed) {
    const days = chainDays.get(chainOf(it.account, it.currency))!;
    for (const d of accounts.get(normaliseAccount(it.account))!.days) days.add(d);
  }

  // ---- lines ----
  const lines: BookedLine[] = [];
  let bankSeq = 0;
  const book = (item: MoneyItem, day: number, over: Partial<BookedLine>): BookedLine => {
    bankSeq++;
    const currency = over.currency ?? item.currency;
    const amount = over.amountMinor ?? item.amountMinor;
    const line: BookedLine = {
      account: accountOf(item).name,
      chain: chainOf(item.account, currency),
      currency,
      day,
      date: dayText(day),
      amountMinor: amount,
      reference: item.reference,
      remittance: item.kind === 'deposit' ? DEPOSIT_TEXT : PAYOUT_TEXT,
      counterparty: item.counterparty,
      bankReference: `TP${dayText(day).slice(2).replaceAll('-', '')}${String(bankSeq).padStart(7, '0')}`,
      transactionCode: item.kind === 'deposit' ? 'PMNT/CNTR/CDPT' : amount < 0 ? 'PMNT/ICDT/ESCT' : 'PMNT/RCDT/ESCT',
      brk: null,
      status: 'matched',
      itemIds: [item.id],
      reason: null,
      duplicateOf: null,
      ...over,
    };
    lines.push(line);
    return line;
  };
  /** The `k`-th statement day of the account after `day` (k ≥ 1), or null past `to`. */
  const laterDay = (item: MoneyItem, day: number, k: number): number | null => {
    const days = accounts.get(normaliseAccount(item.account))!.days;
    let at = days.findIndex((d) => d > day);
    if (at < 0) return null;
    at += k - 1;
    return at < days.length ? days[at]! : null;
  };
  const uniqueAmount = (item: MoneyItem): boolean => accounts.get(normaliseAccount(item.account))!.amounts.get(item.currency)!.get(item.amountMinor) === 1;
  /** True when none of the texts names an item of the account. */
  const namesNothing = (item: MoneyItem, ...texts: string[]): boolean => {
    const refs = accounts.get(normaliseAccount(item.account))!.refs;
    let hit = false;
    for (const t of texts) forEachReferenceCandidate(t, (c) => (hit ||= refs.has(c)));
    return !hit;
  };
  const foreign = (item: MoneyItem): { currency: string; amount: number } | null => {
    const currency = item.currency === 'USD' ? 'EUR' : 'USD';
    const r = FxTable.defaults(currency).convert(item.amountMinor, item.currency, dayNumber(item.expectedDate) * 86_400_000);
    return r.ok && r.amount !== 0 ? { currency, amount: r.amount } : null;
  };

  const eligible = (kind: StatementBreak, item: MoneyItem, day: number): boolean => {
    switch (kind) {
      case 'missing':
        // Missing as of any day after `to`: the matcher calls it missing once as-of − due > missingAfterDays.
        return toDay - day > match.missingAfterDays;
      case 'short_paid':
        return Math.abs(item.amountMinor) >= 2;
      case 'duplicate_booking':
      case 'late':
        return laterDay(item, day, 1) !== null;
      case 'wrong_reference':
      case 'missing_reference':
        return uniqueAmount(item);
      case 'currency_mismatch':
        return foreign(item) !== null;
      case 'over_paid':
      case 'duplicate_line':
      case 'unexpected':
        return true;
    }
  };

  const plans: Plan[] = [];
  const strays: { item: MoneyItem; day: number; kind: StrayKind }[] = [];
  for (const item of keyed) {
    const day = dayNumber(item.expectedDate);
    const answer: ItemAnswer = {
      id: item.id, kind: item.kind, account: item.account, currency: item.currency, amount: item.amountMinor, expected_date: item.expectedDate, reference: item.reference,
      break: null, status: 'matched', method: 'reference', difference: 0, days_off: 0, booked_currency: null, reason: null, entry_ids: [],
    };
    const plan: Plan = { item, answer, payers: [] };
    plans.push(plan);
    if (item.amountMinor === 0) {
      // No money moves: matched without an entry.
      answer.break = 'zero';
      answer.method = null;
      continue;
    }
    let brk: StatementBreak | null = null;
    if (item.reference !== null && rng.chance(o.breakRate)) {
      const first = rng.int(kinds.length);
      for (let k = 0; k < kinds.length && brk === null; k++) {
        const kind = kinds[(first + k) % kinds.length]!;
        if (eligible(kind, item, day)) brk = kind;
      }
    }
    answer.break = brk;
    const settle = (line: BookedLine, status: 'matched' | 'amount_mismatch' | 'timing', method: MatchMethod, extra: Partial<ItemAnswer> = {}): void => {
      line.status = status;
      Object.assign(answer, { status, method, ...extra });
      plan.payers.push(line);
    };
    switch (brk) {
      case null:
      case 'unexpected': {
        settle(book(item, day, cleanText(rng, item)), 'matched', item.reference === null ? 'amount' : 'reference');
        if (brk === 'unexpected') strays.push({ item, day, kind: rng.pick(STRAY_KINDS) });
        break;
      }
      case 'missing':
        Object.assign(answer, { status: 'missing', method: null });
        break;
      case 'short_paid':
      case 'over_paid': {
        const k = rng.between(1, Math.max(1, Math.floor(Math.abs(item.amountMinor) / 20)));
        const diff = brk === 'short_paid' ? -k : k;
        const line = book(item, day, { amountMinor: item.amountMinor + diff, brk, reason: 'amount' });
        settle(line, 'amount_mismatch', 'reference', { difference: diff, reason: 'amount' });
        break;
      }
      case 'duplicate_booking': {
        const first = book(item, day, cleanText(rng, item));
        settle(first, 'matched', 'reference');
        book(item, laterDay(item, day, 1)!, { ...cleanText(rng, item), brk, status: 'duplicate', itemIds: [], duplicateOf: first });
        break;
      }
      case 'duplicate_line': {
        const first = book(item, day, cleanText(rng, item));
        settle(first, 'matched', 'reference');
        // The next statement repeats the line: same bank reference, date and amount (an overlap).
        const copy = { ...first, day: laterDay(item, day, 1) ?? day, brk, status: 'duplicate' as const, itemIds: [], duplicateOf: first };
        lines.push(copy);
        break;
      }
      case 'late': {
        let late = laterDay(item, day, rng.between(1, 3));
        for (let k = 2; late === null; k--) late = laterDay(item, day, k);
        settle(book(item, late, { ...cleanText(rng, item), brk }), 'timing', 'reference', { days_off: late - day });
        break;
      }
      case 'wrong_reference': {
        const text = item.kind === 'deposit' ? DEPOSIT_TEXT : PAYOUT_TEXT;
        let wrong = mangled(rng, item.reference!);
        while (!namesNothing(item, wrong, text)) wrong = `RF${String(rng.between(10_000_000, 99_999_999))}`;
        settle(book(item, day, { reference: wrong, remittance: text, brk }), 'matched', 'amount');
        break;
      }
      case 'missing_reference': {
        const next = laterDay(item, day, 1);
        const on = next !== null && next - day <= match.dateWindowDays && rng.chance(0.5) ? next : day;
        settle(book(item, on, { reference: null, remittance: item.kind === 'deposit' ? DEPOSIT_TEXT : PAYOUT_TEXT, brk }), on === day ? 'matched' : 'timing', 'amount', { days_off: on - day });
        break;
      }
      case 'currency_mismatch': {
        const f = foreign(item)!;
        const line = book(item, day, { ...cleanText(rng, item), currency: f.currency, amountMinor: f.amount, brk, reason: 'currency' });
        settle(line, 'amount_mismatch', 'reference', { booked_currency: f.currency, reason: 'currency' });
        break;
      }
    }
  }

  // ---- stray entries ----
  const missing = new Map<Account, MoneyItem[]>();
  for (const p of plans) if (p.answer.status === 'missing') missing.set(accountOf(p.item), [...(missing.get(accountOf(p.item)) ?? []), p.item]);
  for (const s of strays) {
    const a = accountOf(s.item);
    const forbidden = forbiddenAmounts(s.item.currency, a.items, missing.get(a) ?? []);
    book(s.item, s.day, { ...strayLine(s.kind, strayAmount(rng, s.kind, s.item.currency, forbidden)), brk: 'unexpected', status: 'unexpected', itemIds: [] });
  }

  const chains = new Map<string, Chain>();
  for (const l of lines) chainDays.get(l.chain)!.add(l.day);
  for (const [k, days] of chainDays) {
    const [account, currency] = [accounts.get(k.slice(0, k.lastIndexOf('|')))!.name, k.slice(k.lastIndexOf('|') + 1)];
    chains.set(k, { account, currency, days: [...days].sort((x, y) => x - y) });
  }
  const statements = buildStatements(chains, lines, new Prng(o.seed, 0x42414c41), o.chainStarts);
  // A bank line seen twice: the lowest entry id is the original (the matcher's rule), whichever statement came first.
  for (const copy of lines.filter((l) => l.brk === 'duplicate_line')) {
    const first = copy.duplicateOf!;
    if (cmp(copy.entryId!, first.entryId!) > 0) continue;
    [copy.status, first.status] = [first.status, copy.status];
    [copy.itemIds, first.itemIds] = [first.itemIds, copy.itemIds];
    [copy.brk, first.brk] = [null, 'duplicate_line'];
    [copy.duplicateOf, first.duplicateOf] = [null, copy];
    const plan = plans.find((p) => p.payers[0] === first)!;
    plan.payers[0] = copy;
  }
  for (const p of plans) p.answer.entry_ids = p.payers.map((l) => l.entryId!);
  return { statements, key: answerKey(o, match, plans, lines, statements.length) };
}

/** How a clean booking carries its reference: as its reference, in lower case, or only inside the remittance text. */
function cleanText(rng: Prng, item: MoneyItem): Partial<BookedLine> {
  const text = item.kind === 'deposit' ? DEPOSIT_TEXT : PAYOUT_TEXT;
  if (item.reference === null) return { remittance: text };
  switch (rng.int(4)) {
    case 0:
      return { reference: item.reference.toLowerCase() };
    case 1:
      return { reference: null, remittance: `${text} ${item.reference}` };
    default:
      return { reference: item.reference };
  }
}

/** A reference with its last digits mistyped. */
function mangled(rng: Prng, reference: string): string {
  const keep = Math.max(0, reference.length - 4);
  return `${reference.slice(0, keep)}${String(rng.between(1000, 9999))}`;
}

function answerKey(o: StatementWorldOptions, match: { dateWindowDays: number; missingAfterDays: number }, plans: readonly Plan[], lines: readonly BookedLine[], statements: number): AnswerKey {
  const breaks: Partial<Record<StatementBreak, number>> = {};
  for (const p of plans) if (p.answer.break !== null && p.answer.break !== 'zero') breaks[p.answer.break] = (breaks[p.answer.break] ?? 0) + 1;
  const entries = lines
    .map((l) => ({
      entry_id: l.entryId!, file: null, statement_id: l.statementId!, index: l.index!, account: l.account, currency: l.currency, date: l.date, amount: l.amountMinor, bank_reference: l.bankReference,
      break: l.brk, status: l.status, item_ids: l.itemIds, duplicate_of: l.duplicateOf?.entryId ?? null, reason: l.reason as MismatchReason | null,
    }))
    .sort((a, b) => cmp(a.entry_id, b.entry_id));
  return {
    seed: o.seed,
    break_rate: o.breakRate,
    from: o.from,
    to: o.to,
    match: { date_window_days: match.dateWindowDays, missing_after_days: match.missingAfterDays },
    summary: { items: plans.length, entries: entries.length, statements, breaks },
    items: plans.map((p) => p.answer),
    entries,
  };
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
