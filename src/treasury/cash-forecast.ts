/**
 * Forecast money for the cash position (DOMAIN.md, "Banking and
 * treasury"): forecast `net_sales` per store and business day × the
 * store's recent tender mix × (1 − its effective fee rate), on the day the
 * settlement rules would pay it.
 *
 * - The mix and the fee rate come from the store's last MIX_DAYS business
 *   days of lines: settled share = card + wallet net / all net, cash share
 *   = cash net / all net (other tenders are never settled); fee rate =
 *   fees / charged of those card and wallet lines under the store's fee plan
 *   (basis points and fixed fees together, as `lineFee` charges them).
 * - Card and wallet money is paid T+N business days after the sales day
 *   (N of the store's acquirer, the store country's banking calendar) into
 *   the store's bank account; cash is deposited the next business day.
 * - Forecasts are in the reporting currency; a store selling in another
 *   currency is converted back with its own ratio of original to reporting
 *   net sales over the same days. An acquirer paying in a third currency
 *   is left out (`payout_currency`), as is a store without settlement set-up
 *   or bank account, or without sales in the mix window.
 * - Amounts are rounded per store, day and part; the 80 % band is the sum
 *   of the stores' own 80 % bounds put through the same arithmetic (a
 *   conservative range: stores rarely all miss on the same side).
 */
import { dayText } from '../domain/business-calendar.js';
import { isSettledTender, lineFee, ruleFor } from '../domain/fees.js';
import type { DayLine, SettlementRules } from '../domain/settlement.js';
import type { Store } from '../domain/store.js';
import { normaliseAccount } from './treasury-store.js';

/** Business days of lines the tender mix and fee rate are taken from. */
export const MIX_DAYS = 28;

export interface StoreDailyForecast {
  storeId: string;
  /** Day number of `mean[0]`. */
  first: number;
  mean: readonly number[];
  lo80: readonly number[];
  hi80: readonly number[];
}

export interface StoreMix {
  /** The store's sales currency (the one with most net sales in the window). */
  currency: string;
  settledShare: number;
  cashShare: number;
  feeRate: number;
  /** Original-currency minor units per reporting minor unit (exactly 1 in the reporting currency). */
  factor: number;
}

export interface ForecastMoney {
  mean: number;
  lo80: number;
  hi80: number;
}

export const CASH_FORECAST_SKIPS = ['no_settlement_setup', 'no_bank_account', 'no_recent_sales', 'payout_currency'] as const;
export type CashForecastSkip = (typeof CASH_FORECAST_SKIPS)[number];

export interface CashForecast {
  /** `normalised account|currency` → date → forecast money. */
  byAccount: Map<string, Map<string, ForecastMoney>>;
  /** Stores whose forecast went in (fully or their cash part). */
  stores: number;
  skipped: { storeId: string; reason: CashForecastSkip }[];
}

/**
 * Mix, fee rate and currency factor per store from its recent lines.
 * `reportingNet`: each store's net sales in the reporting currency over the same days.
 */
export function storeMixes(lines: readonly DayLine[], rules: SettlementRules, reportingCurrency: string, reportingNet: ReadonlyMap<string, number>): Map<string, StoreMix> {
  const acc = new Map<string, { byCurrency: Map<string, { all: number; settled: number; cash: number; charged: number; fees: number }> }>();
  for (const l of lines) {
    let a = acc.get(l.store.store_id);
    if (a === undefined) acc.set(l.store.store_id, (a = { byCurrency: new Map() }));
    let c = a.byCurrency.get(l.currency);
    if (c === undefined) a.byCurrency.set(l.currency, (c = { all: 0, settled: 0, cash: 0, charged: 0, fees: 0 }));
    const net = l.gross - l.refunds - l.voids;
    c.all += net;
    if (l.tender === 'cash') c.cash += net;
    else if (isSettledTender(l.tender)) {
      c.settled += net;
      const plan = l.store.fee_plan === null ? undefined : rules.feePlans.get(l.store.fee_plan);
      const rule = plan === undefined ? null : ruleFor(plan, l.tender, l.cardBrand, l.currency);
      if (rule !== null) {
        const charged = l.gross - l.voids;
        c.charged += charged;
        c.fees += lineFee(rule, charged, l.saleCount - l.voidCount);
      }
    }
  }
  const out = new Map<string, StoreMix>();
  for (const [id, a] of acc) {
    const [currency, c] = [...a.byCurrency].sort((x, y) => y[1].all - x[1].all)[0]!;
    if (c.all <= 0) continue;
    const rep = reportingNet.get(id) ?? 0;
    const factor = currency === reportingCurrency ? 1 : rep > 0 ? c.all / rep : 0;
    if (factor === 0) continue;
    out.set(id, { currency, settledShare: c.settled / c.all, cashShare: c.cash / c.all, feeRate: c.charged > 0 ? c.fees / c.charged : 0, factor });
  }
  return out;
}

/**
 * Forecast inflows per account and date, for the days from `fromDay` on.
 * @example
 * const f = cashForecast(rules, stores, forecasts, storeMixes(lines, rules, 'EUR', net), dayNumber('2026-12-07'));
 * f.byAccount.get('DE89370400440532013000|EUR')?.get('2026-12-08')?.mean
 */
export function cashForecast(rules: SettlementRules, stores: readonly Store[], forecasts: readonly StoreDailyForecast[], mixes: ReadonlyMap<string, StoreMix>, fromDay: number): CashForecast {
  const byId = new Map(stores.map((s) => [s.store_id, s]));
  const out: CashForecast = { byAccount: new Map(), stores: 0, skipped: [] };
  const add = (account: string, currency: string, day: number, m: ForecastMoney): void => {
    const key = `${normaliseAccount(account)}|${currency}`;
    let days = out.byAccount.get(key);
    if (days === undefined) out.byAccount.set(key, (days = new Map()));
    const date = dayText(day);
    const prev = days.get(date) ?? { mean: 0, lo80: 0, hi80: 0 };
    days.set(date, { mean: prev.mean + m.mean, lo80: prev.lo80 + m.lo80, hi80: prev.hi80 + m.hi80 });
  };
  for (const f of forecasts) {
    const store = byId.get(f.storeId);
    if (store === undefined) continue;
    const mix = mixes.get(f.storeId);
    if (mix === undefined) {
      out.skipped.push({ storeId: f.storeId, reason: 'no_recent_sales' });
      continue;
    }
    if (store.bank_account === null) {
      out.skipped.push({ storeId: f.storeId, reason: 'no_bank_account' });
      continue;
    }
    const acquirer = store.acquirer === null ? undefined : rules.acquirers.get(store.acquirer);
    const settles = acquirer !== undefined && store.merchant_account !== null && store.fee_plan !== null && rules.feePlans.has(store.fee_plan);
    const payoutCurrency = acquirer?.payoutCurrency ?? mix.currency;
    if (!settles) out.skipped.push({ storeId: f.storeId, reason: 'no_settlement_setup' });
    else if (payoutCurrency !== mix.currency) out.skipped.push({ storeId: f.storeId, reason: 'payout_currency' });
    const card = settles && payoutCurrency === mix.currency;
    out.stores++;
    const cardRate = mix.factor * mix.settledShare * (1 - mix.feeRate);
    const cashRate = mix.factor * mix.cashShare;
    for (let h = 0; h < f.mean.length; h++) {
      const day = f.first + h;
      if (day < fromDay) continue;
      const [m, lo, hi] = [f.mean[h]!, f.lo80[h]!, f.hi80[h]!];
      if (card && cardRate > 0) add(store.bank_account, mix.currency, rules.calendar.addBusinessDays(store.country, day, acquirer!.lagDays), { mean: Math.round(m * cardRate), lo80: Math.round(lo * cardRate), hi80: Math.round(hi * cardRate) });
      if (cashRate > 0) add(store.bank_account, mix.currency, rules.calendar.addBusinessDays(store.country, day, 1), { mean: Math.round(m * cashRate), lo80: Math.round(lo * cashRate), hi80: Math.round(hi * cashRate) });
    }
  }
  return out;
}
