/**
 * Fees by card brand, acquirer, store or tender, per period (day, ISO
 * week, month of the business day), in the sale currency: what the
 * acquirers keep of the tenant's card and wallet sales, by the fee plans of
 * the set-up (domain/fees.ts).
 */
import { dayText } from '../domain/business-calendar.js';
import { Settlement } from '../domain/settlement.js';
import type { StoreFilter } from '../serving/series-query.js';
import type { ExpectedMoneyBook } from './expected-money.js';
import type { SettlementSource } from './settlement-source.js';

export const FEE_GROUPS = ['card_brand', 'acquirer', 'store', 'tender', 'none'] as const;
export type FeeGroup = (typeof FEE_GROUPS)[number];
export const FEE_PERIODS = ['day', 'week', 'month', 'all'] as const;
export type FeePeriod = (typeof FEE_PERIODS)[number];

export interface FeeRow {
  key: string;
  period: string | null;
  currency: string;
  charged: number;
  fees: number;
  sales: number;
  /** fees / charged in basis points, two decimals (null when nothing was charged). */
  effectiveBps: number | null;
}

function periodOf(day: number, period: FeePeriod): string | null {
  if (period === 'all') return null;
  if (period === 'day') return dayText(day);
  if (period === 'week') return dayText(day - ((day + 3) % 7)); // Monday (1970-01-01 was a Thursday)
  return dayText(day).slice(0, 7);
}

export function feeReport(book: ExpectedMoneyBook, source: SettlementSource, tenant: string, q: { by: FeeGroup; period: FeePeriod; fromDay: number; toDay: number; filter: StoreFilter | null }): FeeRow[] {
  const rows = new Map<string, FeeRow>();
  const s = new Settlement(book.rules(tenant), {
    onFee: (line, acquirer, charged, fees) => {
      const key = q.by === 'card_brand' ? (line.cardBrand ?? 'none') : q.by === 'acquirer' ? acquirer : q.by === 'store' ? line.store.store_id : q.by === 'tender' ? line.tender : 'all';
      const period = periodOf(line.day, q.period);
      const k = `${key}\u0000${period ?? ''}\u0000${line.currency}`;
      let r = rows.get(k);
      if (r === undefined) rows.set(k, (r = { key, period, currency: line.currency, charged: 0, fees: 0, sales: 0, effectiveBps: null }));
      r.charged += charged;
      r.fees += fees;
      r.sales += line.saleCount - line.voidCount;
    },
  });
  source.businessDayLines(tenant, q.fromDay, q.toDay, q.filter, (l) => s.add(l));
  const out = [...rows.values()];
  for (const r of out) r.effectiveBps = r.charged === 0 ? null : Math.round((r.fees * 1_000_000) / r.charged) / 100;
  return out.sort((a, b) => (a.period ?? '').localeCompare(b.period ?? '') || b.fees - a.fees || a.key.localeCompare(b.key) || a.currency.localeCompare(b.currency));
}
