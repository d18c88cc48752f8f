/**
 * Expected money (DOMAIN.md, "Banking and treasury"), computed from a
 * tenant's business-day lines — one store, business day, tender, card
 * brand and currency with its sums, as the rollups hold them:
 *
 * - card and wallet sales settle through the store's acquirer, T+N banking
 *   business days after the business day (N per acquirer, days of the
 *   store's country), as one payout per (acquirer, merchant account, bank
 *   account, payout date, payout currency): charged (sales − voids) minus
 *   refunds minus fees (fees.ts);
 * - cash is deposited by the store the next business day: cash net sales;
 * - everything else is reported as unsettled, with the reason, never guessed.
 *
 * Pure: lines come in through `add`, results come out of `payouts()`,
 * `deposits()` and `unsettled()`. Keys are numbers (a string key per line
 * would cost more than the arithmetic at millions of lines).
 */
import { currencyExponent } from './currency.js';
import { dayText, type BusinessCalendar } from './business-calendar.js';
import { isSettledTender, lineFee, ruleFor, type FeePlan } from './fees.js';
import type { FxTable } from './fx.js';
import { convertMinorByRatio, type Ratio } from './money.js';
import type { Store } from './store.js';
import type { CardBrand, Tender } from './transaction.js';

/** One store's sums of one business day, tender, brand and currency, in that currency's minor units. */
export interface DayLine {
  store: Store;
  /** Business day (store time, the tenant's cut-off), days since 1970-01-01. */
  day: number;
  tender: Tender;
  cardBrand: CardBrand | null;
  currency: string;
  gross: number;
  refunds: number;
  voids: number;
  saleCount: number;
  refundCount: number;
  voidCount: number;
}

export interface AcquirerSetup {
  id: string;
  /** N of T+N, in banking business days of the store's country. */
  lagDays: number;
  /** Currency payouts are made in; null pays each sale's currency as is. */
  payoutCurrency: string | null;
  /** Payout reference template (formatReference). */
  referenceFormat: string;
}

export interface SettlementRules {
  acquirers: ReadonlyMap<string, AcquirerSetup>;
  feePlans: ReadonlyMap<string, FeePlan>;
  calendar: BusinessCalendar;
  /** Cash deposit reference template (formatReference, with `{store_id}` and `{business_day}`). */
  depositReferenceFormat: string;
  /** For payouts in another currency than the sale: the tenant's rates (cross rate of the business day). */
  fx: FxTable | null;
}

export const UNSETTLED_REASONS = [
  'no_settlement_setup', // card/wallet sale of a store without an acquirer
  'no_bank_account', // cash of a store without a bank account
  'unknown_acquirer', // the registry names an acquirer the set-up does not define
  'unknown_fee_plan', // the registry names a fee plan the set-up does not define
  'no_fee_rule', // the fee plan has no rule for the tender/brand/currency
  'fx_rate_missing', // no rate to convert into the payout currency
  'not_settled_tender', // gift cards and `other`: no money moves to a bank
] as const;
export type UnsettledReason = (typeof UNSETTLED_REASONS)[number];

export interface ExpectedPayout {
  id: string;
  acquirer: string;
  merchantAccount: string;
  bankAccount: string;
  /** `YYYY-MM-DD`. */
  payoutDate: string;
  currency: string;
  /** Charged (sales − voids), refunds, fees and the amount paid, in `currency`: amount = charged − refunds − fees. */
  charged: number;
  refunds: number;
  fees: number;
  amount: number;
  saleCount: number;
  refundCount: number;
  reference: string;
  /** Business days it covers (first and last, `YYYY-MM-DD`) and how many store/day lines. */
  firstBusinessDay: string;
  lastBusinessDay: string;
  lines: number;
}

/** A payout's store/day line (drill-down). */
export interface PayoutLine {
  payoutId: string;
  storeId: string;
  businessDay: string;
  tender: Tender;
  cardBrand: CardBrand | null;
  /** The sale currency and the line's sums in it. */
  saleCurrency: string;
  charged: number;
  refunds: number;
  fees: number;
  /** In the payout currency. */
  amount: number;
  saleCount: number;
  refundCount: number;
}

export interface ExpectedDeposit {
  id: string;
  storeId: string;
  bankAccount: string;
  businessDay: string;
  expectedDate: string;
  currency: string;
  gross: number;
  refunds: number;
  voids: number;
  /** Cash net sales: gross − refunds − voids. */
  amount: number;
  reference: string;
}

/** Money that is not expected at any bank, by store, business day and reason. */
export interface UnsettledAmount {
  storeId: string;
  businessDay: string;
  tender: Tender;
  currency: string;
  reason: UnsettledReason;
  /** Net sales (gross − refunds − voids). */
  amount: number;
}

/**
 * A reference from a template: `{acquirer}`, `{merchant_account}`,
 * `{bank_account}`, `{currency}`, `{payout_date}` (YYYYMMDD),
 * `{payout_date_iso}`, `{store_id}`, `{business_day}` (YYYYMMDD).
 * @example formatReference('{acquirer}-{payout_date}', { acquirer: 'ADY', payout_date: '20260302' }) // 'ADY-20260302'
 */
export function formatReference(template: string, values: Readonly<Record<string, string>>): string {
  let out = '';
  let i = 0;
  while (i < template.length) {
    const open = template.indexOf('{', i);
    if (open < 0) break;
    const close = template.indexOf('}', open);
    if (close < 0) break;
    out += template.slice(i, open);
    const name = template.slice(open + 1, close);
    out += values[name] ?? template.slice(open, close + 1);
    i = close + 1;
  }
  return out + template.slice(i);
}

export const REFERENCE_TOKENS = ['acquirer', 'merchant_account', 'bank_account', 'currency', 'payout_date', 'payout_date_iso', 'store_id', 'business_day'] as const;

const compact = (date: string): string => date.replaceAll('-', '');

interface PayoutAcc {
  acquirer: AcquirerSetup;
  merchantAccount: string;
  bankAccount: string;
  payoutDay: number;
  currency: string;
  charged: number;
  refunds: number;
  fees: number;
  saleCount: number;
  refundCount: number;
  firstDay: number;
  lastDay: number;
  lines: number;
}

interface DepositAcc {
  store: Store;
  day: number;
  currency: string;
  gross: number;
  refunds: number;
  voids: number;
}

/** Told each settled line's acquirer, charged amount and fees, in the sale's currency (fee reports). */
export type FeeSink = (line: DayLine, acquirer: string, charged: number, fees: number) => void;

/** What a store settles with, worked out once per store. */
type StoreContext =
  | { ok: true; acquirer: AcquirerSetup; plan: FeePlan; account: number }
  | { ok: false; reason: UnsettledReason };

/**
 * Accumulates expected payouts, deposits and unsettled amounts from lines.
 * @example
 * const s = new Settlement(rules);
 * serving.businessDayLines('acme', from, to, (line) => s.add(line));
 * s.payouts(); s.deposits(); s.unsettled();
 */
export class Settlement {
  private readonly payoutAccs = new Map<number, PayoutAcc>();
  private readonly depositAccs = new Map<number, DepositAcc>();
  private readonly unsettledAccs = new Map<string, UnsettledAmount>();
  private readonly contexts = new Map<Store, StoreContext>();
  /** (merchant account, bank account) → small number, for numeric payout keys. */
  private readonly accountIds = new Map<string, number>();
  private readonly accountNames: { merchant: string; bank: string }[] = [];
  private readonly currencyIds = new Map<string, number>();
  private readonly currencies: string[] = [];
  private readonly storeIds = new Map<Store, number>();
  /** (country, lag) → day → payout day. */
  private readonly payoutDays = new Map<string, Map<number, number>>();
  /** Optional drill-down: lines of these payout ids are kept. */
  private readonly keepLinesOf: ReadonlySet<string> | null;
  private readonly keptLines: PayoutLine[] = [];
  private readonly onFee: FeeSink | null;

  constructor(
    private readonly rules: SettlementRules,
    options: { keepLinesOf?: ReadonlySet<string>; onFee?: FeeSink } = {},
  ) {
    this.keepLinesOf = options.keepLinesOf ?? null;
    this.onFee = options.onFee ?? null;
  }

  add(line: DayLine): void {
    if (line.tender === 'cash') this.addCash(line);
    else if (isSettledTender(line.tender)) this.addCard(line);
    else this.addUnsettled(line, 'not_settled_tender');
  }

  private addCash(line: DayLine): void {
    if (line.store.bank_account === null) {
      this.addUnsettled(line, 'no_bank_account');
      return;
    }
    const key = (this.storeId(line.store) * 65_536 + line.day) * 1024 + this.currencyId(line.currency);
    let acc = this.depositAccs.get(key);
    if (acc === undefined) {
      acc = { store: line.store, day: line.day, currency: line.currency, gross: 0, refunds: 0, voids: 0 };
      this.depositAccs.set(key, acc);
    }
    acc.gross += line.gross;
    acc.refunds += line.refunds;
    acc.voids += line.voids;
  }

  private addCard(line: DayLine): void {
    const ctx = this.context(line.store);
    if (!ctx.ok) {
      this.addUnsettled(line, ctx.reason);
      return;
    }
    const tender = line.tender === 'card' ? 'card' : 'wallet';
    const rule = ruleFor(ctx.plan, tender, line.cardBrand, line.currency);
    if (rule === null) {
      this.addUnsettled(line, 'no_fee_rule');
      return;
    }
    const charged = line.gross - line.voids;
    const fees = lineFee(rule, charged, line.saleCount - line.voidCount);
    this.onFee?.(line, ctx.acquirer.id, charged, fees);
    const payoutCurrency = ctx.acquirer.payoutCurrency ?? line.currency;
    let c = { charged, refunds: line.refunds, fees };
    if (payoutCurrency !== line.currency) {
      const converted = this.convert(c, line.currency, payoutCurrency, line.day);
      if (converted === null) {
        this.addUnsettled(line, 'fx_rate_missing');
        return;
      }
      c = converted;
    }
    const payoutDay = this.payoutDay(line.store.country, ctx.acquirer.lagDays, line.day);
    const key = (ctx.account * 65_536 + payoutDay) * 1024 + this.currencyId(payoutCurrency);
    let acc = this.payoutAccs.get(key);
    if (acc === undefined) {
      const names = this.accountNames[ctx.account]!;
      acc = { acquirer: ctx.acquirer, merchantAccount: names.merchant, bankAccount: names.bank, payoutDay, currency: payoutCurrency, charged: 0, refunds: 0, fees: 0, saleCount: 0, refundCount: 0, firstDay: line.day, lastDay: line.day, lines: 0 };
      this.payoutAccs.set(key, acc);
    }
    acc.charged += c.charged;
    acc.refunds += c.refunds;
    acc.fees += c.fees;
    acc.saleCount += line.saleCount - line.voidCount;
    acc.refundCount += line.refundCount;
    if (line.day < acc.firstDay) acc.firstDay = line.day;
    if (line.day > acc.lastDay) acc.lastDay = line.day;
    acc.lines++;
    if (this.keepLinesOf !== null) {
      const id = payoutId(acc);
      if (this.keepLinesOf.has(id)) {
        this.keptLines.push({ payoutId: id, storeId: line.store.store_id, businessDay: dayText(line.day), tender, cardBrand: line.cardBrand, saleCurrency: line.currency, charged, refunds: line.refunds, fees, amount: c.charged - c.refunds - c.fees, saleCount: line.saleCount - line.voidCount, refundCount: line.refundCount });
      }
    }
  }

  private addUnsettled(line: DayLine, reason: UnsettledReason): void {
    const businessDay = dayText(line.day);
    const key = `${line.store.store_id}\u0000${businessDay}\u0000${line.tender}\u0000${line.currency}\u0000${reason}`;
    let u = this.unsettledAccs.get(key);
    if (u === undefined) {
      u = { storeId: line.store.store_id, businessDay, tender: line.tender, currency: line.currency, reason, amount: 0 };
      this.unsettledAccs.set(key, u);
    }
    u.amount += line.gross - line.refunds - line.voids;
  }

  private context(store: Store): StoreContext {
    let ctx = this.contexts.get(store);
    if (ctx !== undefined) return ctx;
    if (store.acquirer === null || store.merchant_account === null || store.bank_account === null || store.fee_plan === null) ctx = { ok: false, reason: 'no_settlement_setup' };
    else {
      const acquirer = this.rules.acquirers.get(store.acquirer);
      const plan = this.rules.feePlans.get(store.fee_plan);
      if (acquirer === undefined) ctx = { ok: false, reason: 'unknown_acquirer' };
      else if (plan === undefined) ctx = { ok: false, reason: 'unknown_fee_plan' };
      else {
        const name = `${acquirer.id}\u0000${store.merchant_account}\u0000${store.bank_account}`;
        let account = this.accountIds.get(name);
        if (account === undefined) {
          account = this.accountNames.length;
          this.accountIds.set(name, account);
          this.accountNames.push({ merchant: store.merchant_account, bank: store.bank_account });
        }
        ctx = { ok: true, acquirer, plan, account };
      }
    }
    this.contexts.set(store, ctx);
    return ctx;
  }

  private storeId(store: Store): number {
    let id = this.storeIds.get(store);
    if (id === undefined) this.storeIds.set(store, (id = this.storeIds.size));
    return id;
  }

  private currencyId(currency: string): number {
    let id = this.currencyIds.get(currency);
    if (id === undefined) {
      id = this.currencies.length;
      this.currencyIds.set(currency, id);
      this.currencies.push(currency);
    }
    return id;
  }

  private payoutDay(country: string, lag: number, day: number): number {
    const k = `${country}:${String(lag)}`;
    let days = this.payoutDays.get(k);
    if (days === undefined) this.payoutDays.set(k, (days = new Map()));
    let d = days.get(day);
    if (d === undefined) days.set(day, (d = this.rules.calendar.addBusinessDays(country, day, lag)));
    return d;
  }

  /** Charged, refunds and fees in the payout currency, each converted at the business day's cross rate. */
  private convert(c: { charged: number; refunds: number; fees: number }, from: string, to: string, day: number): { charged: number; refunds: number; fees: number } | null {
    const fx = this.rules.fx;
    const a = fx?.rateOn(from, day) ?? null;
    const b = fx?.rateOn(to, day) ?? null;
    const ef = currencyExponent(from);
    const et = currencyExponent(to);
    if (a === null || b === null || ef === undefined || et === undefined) return null;
    const rate: Ratio = { num: a.num * b.den, den: a.den * b.num };
    return { charged: convertMinorByRatio(c.charged, ef, et, rate), refunds: convertMinorByRatio(c.refunds, ef, et, rate), fees: convertMinorByRatio(c.fees, ef, et, rate) };
  }

  /** Expected payouts (zero payouts left out: no acquirer sends one), by payout date then id. */
  payouts(): ExpectedPayout[] {
    const out: ExpectedPayout[] = [];
    for (const acc of this.payoutAccs.values()) {
      const amount = acc.charged - acc.refunds - acc.fees;
      if (amount === 0 && acc.charged === 0 && acc.refunds === 0) continue;
      const payoutDate = dayText(acc.payoutDay);
      const reference = formatReference(acc.acquirer.referenceFormat, {
        acquirer: acc.acquirer.id,
        merchant_account: acc.merchantAccount,
        bank_account: acc.bankAccount,
        currency: acc.currency,
        payout_date: compact(payoutDate),
        payout_date_iso: payoutDate,
      });
      out.push({ id: payoutId(acc), acquirer: acc.acquirer.id, merchantAccount: acc.merchantAccount, bankAccount: acc.bankAccount, payoutDate, currency: acc.currency, charged: acc.charged, refunds: acc.refunds, fees: acc.fees, amount, saleCount: acc.saleCount, refundCount: acc.refundCount, reference, firstBusinessDay: dayText(acc.firstDay), lastBusinessDay: dayText(acc.lastDay), lines: acc.lines });
    }
    return out.sort((x, y) => (x.payoutDate < y.payoutDate ? -1 : x.payoutDate > y.payoutDate ? 1 : x.id < y.id ? -1 : x.id > y.id ? 1 : 0));
  }

  /** Expected cash deposits with something to deposit (cash net sales > 0), by business day then store. */
  deposits(): ExpectedDeposit[] {
    const out: ExpectedDeposit[] = [];
    for (const acc of this.depositAccs.values()) {
      const amount = acc.gross - acc.refunds - acc.voids;
      if (amount <= 0) continue;
      const businessDay = dayText(acc.day);
      const expectedDate = dayText(this.payoutDay(acc.store.country, 1, acc.day));
      out.push({
        id: `deposit:${acc.store.store_id}:${businessDay}:${acc.currency}`,
        storeId: acc.store.store_id,
        bankAccount: acc.store.bank_account!,
        businessDay,
        expectedDate,
        currency: acc.currency,
        gross: acc.gross,
        refunds: acc.refunds,
        voids: acc.voids,
        amount,
        reference: formatReference(this.rules.depositReferenceFormat, { store_id: acc.store.store_id, business_day: compact(businessDay), currency: acc.currency, bank_account: acc.store.bank_account! }),
      });
    }
    return out.sort((x, y) => (x.businessDay < y.businessDay ? -1 : x.businessDay > y.businessDay ? 1 : x.id < y.id ? -1 : 1));
  }

  unsettled(): UnsettledAmount[] {
    return [...this.unsettledAccs.values()].filter((u) => u.amount !== 0).sort((x, y) => (x.businessDay < y.businessDay ? -1 : x.businessDay > y.businessDay ? 1 : x.storeId < y.storeId ? -1 : x.storeId > y.storeId ? 1 : 0));
  }

  /** Lines of the payouts named in `keepLinesOf`. */
  lines(): PayoutLine[] {
    return this.keptLines;
  }
}

function payoutId(acc: Pick<PayoutAcc, 'acquirer' | 'merchantAccount' | 'bankAccount' | 'payoutDay' | 'currency'>): string {
  return `payout:${acc.acquirer.id}:${acc.merchantAccount}:${acc.bankAccount}:${dayText(acc.payoutDay)}:${acc.currency}`;
}
