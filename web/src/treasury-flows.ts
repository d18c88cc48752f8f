/**
 * "Expected against arrived" per bank account, currency and day, from one
 * reconciliation answer:
 *
 * - expected: the payouts and deposits due that day (whatever became of them);
 * - arrived: statement entries booked that day that paid expected items
 *   (`matched`, `amount_mismatch`, `timing`): money late or early shows on
 *   the day it was booked, so each day's difference is what that day's
 *   balance really missed or gained;
 * - not expected: entries booked that day that no expected item explains
 *   (`unexpected`, `duplicate`), kept apart from "arrived".
 *
 * Sums are integers in the row currency's minor units; no currency is mixed.
 */
import { BREAK_STATUSES } from '../../src/domain/reconciliation.js';
import { currencyExponent } from '../../src/domain/currency.js';
import type { MatchStatus, ReconEntry, ReconItem } from './treasury-api.js';

export interface FlowDay {
  date: string;
  expected: number;
  expectedCount: number;
  arrived: number;
  arrivedCount: number;
  notExpected: number;
  notExpectedCount: number;
  /** Items due this day and entries booked this day whose status needs a look. */
  breaks: number;
}

export interface AccountFlows {
  /** `account currency`: the series' key. */
  key: string;
  account: string;
  currency: string;
  exponent: number;
  days: FlowDay[];
  total: Omit<FlowDay, 'date'>;
}

const PAID: ReadonlySet<MatchStatus> = new Set(['matched', 'amount_mismatch', 'timing']);

const zero = (): Omit<FlowDay, 'date'> => ({ expected: 0, expectedCount: 0, arrived: 0, arrivedCount: 0, notExpected: 0, notExpectedCount: 0, breaks: 0 });
const emptyDay = (date: string): FlowDay => ({ date, ...zero() });

/** Per account and currency (sorted), each with its days in date order (only days with something on them). */
export function accountFlows(items: readonly ReconItem[], entries: readonly ReconEntry[]): AccountFlows[] {
  const byKey = new Map<string, { account: string; currency: string; days: Map<string, FlowDay> }>();
  const dayOf = (account: string, currency: string, date: string): FlowDay => {
    const key = `${account} ${currency}`;
    let a = byKey.get(key);
    if (a === undefined) byKey.set(key, (a = { account, currency, days: new Map() }));
    let d = a.days.get(date);
    if (d === undefined) a.days.set(date, (d = emptyDay(date)));
    return d;
  };
  for (const it of items) {
    const d = dayOf(it.account, it.currency, it.expectedDate);
    d.expected += it.amount;
    d.expectedCount++;
    if (BREAK_STATUSES.has(it.status)) d.breaks++;
  }
  for (const e of entries) {
    const d = dayOf(e.account, e.currency, e.date);
    if (PAID.has(e.status)) {
      d.arrived += e.amount;
      d.arrivedCount++;
    } else {
      d.notExpected += e.amount;
      d.notExpectedCount++;
    }
    if (BREAK_STATUSES.has(e.status)) d.breaks++;
  }
  return [...byKey.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([key, a]) => {
      const days = [...a.days.values()].sort((x, y) => (x.date < y.date ? -1 : 1));
      const total = zero();
      for (const d of days) {
        total.expected += d.expected;
        total.expectedCount += d.expectedCount;
        total.arrived += d.arrived;
        total.arrivedCount += d.arrivedCount;
        total.notExpected += d.notExpected;
        total.notExpectedCount += d.notExpectedCount;
        total.breaks += d.breaks;
      }
      return { key, account: a.account, currency: a.currency, exponent: currencyExponent(a.currency) ?? 2, days, total };
    });
}
