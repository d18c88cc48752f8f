/** The API's metrics with the words a finance reader uses for them. */
import { METRICS, MONEY_METRICS, type Metric } from '../../src/domain/metrics.js';
import { formatCount, formatMoney, formatMoneyShort } from './format.js';

export { METRICS, type Metric };

export const METRIC_LABELS: Record<Metric, string> = {
  gross_sales: 'Gross sales',
  refunds: 'Refunds',
  voids: 'Voids',
  net_sales: 'Net sales',
  tax: 'Tax',
  net_revenue: 'Net revenue',
  discounts: 'Discounts',
  sale_count: 'Sales (count)',
  refund_count: 'Refunds (count)',
  void_count: 'Voids (count)',
  items: 'Items sold',
  avg_basket: 'Average basket',
};

export const isMoney = (m: Metric): boolean => MONEY_METRICS.has(m);

/** A metric's value for the reader: money in the reporting currency, counts as integers. */
export function formatMetric(m: Metric, v: number | null | undefined, currency: string, exponent: number): string {
  return isMoney(m) ? formatMoney(v, currency, exponent) : formatCount(v);
}

export function formatMetricShort(m: Metric, v: number, currency: string, exponent: number): string {
  return isMoney(m) ? formatMoneyShort(v, currency, exponent) : new Intl.NumberFormat(undefined, { notation: 'compact', maximumFractionDigits: 1 }).format(v);
}

export const TENDERS = ['card', 'cash', 'wallet', 'gift_card', 'other'] as const;
export const TENDER_LABELS: Record<string, string> = { card: 'Card', cash: 'Cash', wallet: 'Wallet', gift_card: 'Gift card', other: 'Other' };
/** Okabe–Ito colours: distinguishable with the common colour-vision deficiencies. */
export const TENDER_COLOURS: Record<string, string> = { card: '#0072B2', cash: '#E69F00', wallet: '#009E73', gift_card: '#CC79A7', other: '#56B4E9' };
