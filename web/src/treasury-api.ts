/**
 * The treasury answers of the public API as the dashboard reads them
 * (`/v1/treasury/...`, docs/treasury.md). Amounts are signed integers in
 * minor units of the row's `currency`, with its `exponent`.
 */
import type { AccountPosition as DomainAccountPosition, CashPositionDay } from '../../src/domain/cash-position.js';
import type { BookedEntry, MatchStatus } from '../../src/domain/reconciliation.js';
import type { Api, Params } from './api.js';

export type { MatchStatus };

/** An expected payout or deposit with its reconciliation outcome (`/v1/treasury/reconciliation` `items`). */
export interface ReconItem {
  id: string;
  kind: 'payout' | 'deposit';
  /** Normalised bank account (no spaces, upper case). */
  account: string;
  currency: string;
  amount: number;
  expectedDate: string;
  reference: string | null;
  status: MatchStatus;
  method: string | null;
  entry_ids: string[];
  /** Booked − expected, for `amount_mismatch`. */
  difference: number;
  booked_currency: string | null;
  days_off: number;
  store_id: string | null;
  business_day: string | null;
  acquirer: string | null;
  first_business_day: string | null;
  last_business_day: string | null;
}

/** A booked statement entry with its outcome (`/v1/treasury/reconciliation` `entries`). */
export interface ReconEntry {
  id: string;
  account: string;
  currency: string;
  exponent: number;
  amount: number;
  date: string;
  reference: string | null;
  remittance: string | null;
  bank_reference: string | null;
  status: MatchStatus;
  method: string | null;
  item_ids: string[];
  duplicate_of: string | null;
}

export interface ReconAnswer {
  as_of: string;
  total_items: number;
  total_entries: number;
  items: ReconItem[];
  entries: ReconEntry[];
}

export interface Payout {
  id: string;
  acquirer: string;
  merchant_account: string;
  bank_account: string;
  payout_date: string;
  currency: string;
  exponent: number;
  charged: number;
  refunds: number;
  fees: number;
  amount: number;
  sale_count: number;
  refund_count: number;
  reference: string;
  first_business_day: string;
  last_business_day: string;
  lines: number;
  status: MatchStatus;
  match: { method: string | null; entry_ids: string[]; difference: number; booked_currency: string | null; days_off: number } | null;
}

export interface PayoutLine {
  store_id: string;
  business_day: string;
  tender: string;
  card_brand: string | null;
  sale_currency: string;
  charged: number;
  refunds: number;
  fees: number;
  /** In the payout's currency. */
  amount: number;
  sale_count: number;
  refund_count: number;
}

/** The entries that paid a payout, as the matcher keeps them. */
export type { BookedEntry };

export interface PayoutAnswer {
  payout: Payout;
  lines: PayoutLine[];
  entries: BookedEntry[];
  history: { itemId: string; at: string; status: string; fromAmount: number; toAmount: number }[];
}

export interface FeeRow {
  key: string;
  period: string | null;
  currency: string;
  exponent: number;
  charged: number;
  fees: number;
  sales: number;
  effective_bps: number | null;
}

export interface FeesAnswer {
  by: string;
  rows: FeeRow[];
}

export type CashDay = CashPositionDay;

/** One account's position, with its currency's exponent. */
export type AccountPosition = DomainAccountPosition & { exponent: number };

export interface CashPositionAnswer {
  as_of: string;
  /** `none` while the tenant has no stored sales forecast; else what the forecast columns come from. */
  forecast: 'none' | { as_of: string; model: string; from: string; stores: number; skipped: { store_id: string; reason: string }[]; method: string };
  accounts: AccountPosition[];
}

export interface StatementsAnswer {
  statements: { key: string; account: string; statement_id: string; currency: string; closing: { amountMinor: number; date: string } | null }[];
}

export interface UnsettledAnswer {
  total: number;
  /** reason → currency → minor units. */
  totals: Record<string, Record<string, number>>;
}

const PAGE = 10_000;
/** Pages asked for at most (100,000 items and entries); beyond, the answer says it is partial. */
const MAX_PAGES = 10;

/**
 * Every item and entry of a reconciliation query, page after page (the
 * API pages items and entries with one offset), so sums over a range are
 * the API's whole answer, not its first page.
 */
export async function loadReconciliation(api: Api, params: Params): Promise<ReconAnswer & { partial: boolean }> {
  const items: ReconItem[] = [];
  const entries: ReconEntry[] = [];
  let first: ReconAnswer | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const a = await api.get<ReconAnswer>('/v1/treasury/reconciliation', { ...params, limit: PAGE, offset: page * PAGE });
    first ??= a;
    items.push(...a.items);
    entries.push(...a.entries);
    if ((page + 1) * PAGE >= Math.max(a.total_items, a.total_entries)) return { ...a, items, entries, partial: false };
  }
  return { ...first!, items, entries, partial: true };
}
