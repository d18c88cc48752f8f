/**
 * Cash position (DOMAIN.md, "Banking and treasury"): per bank account and
 * day, the balance of the latest statement, plus money already owed —
 * expected payouts and deposits not yet arrived — on the day it is due.
 * Nothing is guessed: an item past its due date plus tolerance (`missing`)
 * is shown as overdue beside the projection, not in it; forecast money
 * (from sales forecasts) is a separate, marked column, zero until
 * forecasts exist for the tenant.
 */
import type { AccountPosition, CashPositionDay } from '../domain/cash-position.js';
import { daysBetween } from '../domain/reconciliation.js';
import type { MatchResult } from './match-result.js';
import type { ItemTable } from './match-tables.js';
import type { StoredStatement } from './treasury-store.js';
import { normaliseAccount } from './treasury-store.js';

export type { AccountPosition, CashPositionDay };

export interface CashPositionInput {
  statements: readonly StoredStatement[];
  items: ItemTable;
  /** The reconciliation of `items` (row k of each is the same item). */
  result: MatchResult;
  /** `YYYY-MM-DD`: the projection starts the day after the latest statement, or on this day when there is none. */
  today: string;
  /** Optional forecast inflow per `normalised account|currency`: date → minor units (mean and 80 % band). */
  forecast?: ReadonlyMap<string, ReadonlyMap<string, { mean: number; lo80: number; hi80: number }>>;
  account?: string;
  to?: string;
}

const addDays = (date: string, n: number): string => new Date(Date.parse(`${date}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);

export function cashPosition(input: CashPositionInput): AccountPosition[] {
  const latest = new Map<string, { amount: number; date: string; statementId: string; currency: string }>();
  for (const s of input.statements) {
    const c = s.statement.closing;
    if (c === null) continue;
    const key = `${normaliseAccount(s.statement.account)}|${s.statement.currency}`;
    const prev = latest.get(key);
    if (prev === undefined || c.date > prev.date) latest.set(key, { amount: c.amountMinor, date: c.date, statementId: s.statement.statementId, currency: s.statement.currency });
  }
  const positions = new Map<string, AccountPosition & { owedByDay: Map<string, number> }>();
  const positionOf = (account: string, currency: string): AccountPosition & { owedByDay: Map<string, number> } => {
    const key = `${normaliseAccount(account)}|${currency}`;
    let p = positions.get(key);
    if (p === undefined) {
      const st = latest.get(key);
      p = { account, currency, statement: st === undefined ? null : { amount: st.amount, date: st.date, statementId: st.statementId }, overdue: { amount: 0, items: 0 }, missing: { amount: 0, items: 0 }, days: [], owedByDay: new Map() };
      positions.set(key, p);
    }
    return p;
  };
  const wanted = input.account === undefined ? null : normaliseAccount(input.account);
  for (const key of latest.keys()) {
    const [account, currency] = key.split('|') as [string, string];
    if (wanted === null || account === wanted) positionOf(account, currency);
  }
  for (const key of input.forecast?.keys() ?? []) {
    const [account, currency] = key.split('|') as [string, string];
    if (wanted === null || account === wanted) positionOf(account, currency);
  }
  const items = input.items;
  for (let i = 0; i < input.result.itemCount; i++) {
    // Only money not yet arrived counts, and the columns are read before any string.
    const status = input.result.itemStatus(i);
    if (status !== 'pending' && status !== 'missing') continue;
    const account = items.accountOf(i);
    if (wanted !== null && normaliseAccount(account) !== wanted) continue;
    const amount = items.amount[i]!;
    const p = positionOf(account, items.currencyOf(i));
    if (status === 'missing') {
      p.missing.amount += amount;
      p.missing.items++;
      continue;
    }
    const start = p.statement === null ? input.today : addDays(p.statement.date, 1);
    const expectedDate = items.dates[i]!;
    if (expectedDate < start) {
      p.overdue.amount += amount;
      p.overdue.items++;
    }
    const day = expectedDate < start ? start : expectedDate;
    p.owedByDay.set(day, (p.owedByDay.get(day) ?? 0) + amount);
  }
  const out: AccountPosition[] = [];
  for (const [key, p] of [...positions].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const start = p.statement === null ? input.today : addDays(p.statement.date, 1);
    const forecast = input.forecast?.get(key);
    let last = start;
    for (const d of p.owedByDay.keys()) if (d > last) last = d;
    if (forecast !== undefined) for (const d of forecast.keys()) if (d > last) last = d;
    if (input.to !== undefined && input.to < last) last = input.to;
    const balance = p.statement?.amount ?? null;
    let owedSoFar = 0;
    let forecastSoFar = 0;
    const n = Math.max(0, daysBetween(start, last));
    for (let i = 0; i <= n; i++) {
      const date = addDays(start, i);
      const owed = p.owedByDay.get(date) ?? 0;
      const fc = forecast?.get(date) ?? { mean: 0, lo80: 0, hi80: 0 };
      owedSoFar += owed;
      forecastSoFar += fc.mean;
      p.days.push({ date, owed, forecast: fc.mean, forecastLo80: fc.lo80, forecastHi80: fc.hi80, balance: balance === null ? null : balance + owedSoFar, balanceWithForecast: balance === null ? null : balance + owedSoFar + forecastSoFar });
    }
    out.push({ account: p.account, currency: p.currency, statement: p.statement, overdue: p.overdue, missing: p.missing, days: p.days });
  }
  return out;
}
