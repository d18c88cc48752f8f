/**
 * The dashboard metrics (DOMAIN.md, "Metrics") and the additive sums they
 * are computed from.
 *
 * A rollup cell holds SUM_COUNT base sums in a fixed layout (a slice of a
 * Float64Array), so cells add up column by column and any grouping of the
 * same transactions gives the same totals. Every derived metric is an exact
 * integer expression of the base sums, except `avg_basket`, a ratio.
 * Sums stay exact while below 2^53; `addTransaction` checks that.
 */
import type { TxnType } from './transaction.js';

export const METRICS = [
  'gross_sales',
  'refunds',
  'voids',
  'net_sales',
  'tax',
  'net_revenue',
  'discounts',
  'sale_count',
  'refund_count',
  'void_count',
  'items',
  'avg_basket',
] as const;
export type Metric = (typeof METRICS)[number];

export function isMetric(v: unknown): v is Metric {
  return typeof v === 'string' && (METRICS as readonly string[]).includes(v);
}

/** Metrics that are amounts of money (in minor units of the reporting or original currency). */
export const MONEY_METRICS: ReadonlySet<Metric> = new Set(['gross_sales', 'refunds', 'voids', 'net_sales', 'tax', 'net_revenue', 'discounts', 'avg_basket']);

/** Positions of the base sums in a cell. */
export const SUM = {
  gross: 0,
  refunds: 1,
  voids: 2,
  taxSale: 3,
  taxRefund: 4,
  taxVoid: 5,
  discounts: 6,
  saleCount: 7,
  refundCount: 8,
  voidCount: 9,
  itemsSale: 10,
  itemsRefund: 11,
} as const;
export const SUM_COUNT = 12;

/** One transaction's amounts, in the currency the cell counts in. */
export interface MetricInput {
  type: TxnType;
  amount: number;
  tax: number;
  discount: number;
  items: number;
}

/** Thrown when a sum would leave the range where float64 holds integers exactly. */
export class SumOverflowError extends RangeError {
  override readonly name = 'SumOverflowError';
  readonly code = 'sum_overflow';
}

function add(cells: Float64Array, at: number, v: number): void {
  const sum = cells[at]! + v;
  if (!Number.isSafeInteger(sum)) throw new SumOverflowError(`a rollup sum reached ${String(sum)}, beyond 2^53 − 1 where float64 stops being exact`);
  cells[at] = sum;
}

/**
 * Adds one transaction to the cell at `base` (a negative `sign` takes it out,
 * for a restatement that moves it).
 * @example
 * const cell = new Float64Array(SUM_COUNT);
 * addTransaction(cell, 0, { type: 'sale', amount: 1250, tax: 200, discount: 0, items: 3 });
 * metricValue(cell, 0, 'net_revenue') // 1050
 */
export function addTransaction(cells: Float64Array, base: number, t: MetricInput, sign: 1 | -1 = 1): void {
  switch (t.type) {
    case 'sale':
      add(cells, base + SUM.gross, sign * t.amount);
      add(cells, base + SUM.taxSale, sign * t.tax);
      add(cells, base + SUM.discounts, sign * t.discount);
      add(cells, base + SUM.saleCount, sign);
      add(cells, base + SUM.itemsSale, sign * t.items);
      return;
    case 'refund':
      add(cells, base + SUM.refunds, sign * t.amount);
      add(cells, base + SUM.taxRefund, sign * t.tax);
      add(cells, base + SUM.refundCount, sign);
      add(cells, base + SUM.itemsRefund, sign * t.items);
      return;
    case 'void':
      add(cells, base + SUM.voids, sign * t.amount);
      add(cells, base + SUM.taxVoid, sign * t.tax);
      add(cells, base + SUM.voidCount, sign);
      return;
  }
}

/** Adds the cell at `fromBase` of `from` into the cell at `base` of `cells`. */
export function addCell(cells: Float64Array, base: number, from: Float64Array, fromBase: number): void {
  for (let i = 0; i < SUM_COUNT; i++) add(cells, base + i, from[fromBase + i]!);
}

/**
 * A metric of the cell at `base`. Money in minor units; `avg_basket` is
 * net_sales / sale_count rounded half to even to a minor unit, null when
 * there are no sales.
 */
export function metricValue(cells: Float64Array, base: number, metric: Metric): number | null {
  const s = (i: number): number => cells[base + i]!;
  const net = s(SUM.gross) - s(SUM.refunds) - s(SUM.voids);
  switch (metric) {
    case 'gross_sales':
      return s(SUM.gross);
    case 'refunds':
      return s(SUM.refunds);
    case 'voids':
      return s(SUM.voids);
    case 'net_sales':
      return net;
    case 'tax':
      return s(SUM.taxSale) - s(SUM.taxRefund) - s(SUM.taxVoid);
    case 'net_revenue':
      return net - (s(SUM.taxSale) - s(SUM.taxRefund) - s(SUM.taxVoid));
    case 'discounts':
      return s(SUM.discounts);
    case 'sale_count':
      return s(SUM.saleCount);
    case 'refund_count':
      return s(SUM.refundCount);
    case 'void_count':
      return s(SUM.voidCount);
    case 'items':
      return s(SUM.itemsSale) - s(SUM.itemsRefund);
    case 'avg_basket': {
      const n = s(SUM.saleCount);
      return n === 0 ? null : divideHalfEven(net, n);
    }
  }
}

/** `a / b` (b > 0, both safe integers) rounded to the nearest integer, ties to even. */
function divideHalfEven(a: number, b: number): number {
  let q = Math.floor(a / b);
  let r = a - q * b;
  // The float quotient can be one off near 2^53; the remainder is exact, so fix q from it.
  if (r < 0) {
    q--;
    r += b;
  } else if (r >= b) {
    q++;
    r -= b;
  }
  if (2 * r < b) return q;
  if (2 * r > b) return q + 1;
  return q % 2 === 0 ? q : q + 1;
}
