/**
 * Transaction record, version 1: the shape every POS line decodes to.
 *
 * Field names follow the wire format exactly. Amounts are integers in minor
 * units of `currency`; `ts` is event time as epoch milliseconds (UTC).
 */

export const TXN_TYPES = ['sale', 'refund', 'void'] as const;
export type TxnType = (typeof TXN_TYPES)[number];

export const TENDERS = ['card', 'cash', 'wallet', 'gift_card', 'other'] as const;
export type Tender = (typeof TENDERS)[number];

export const CARD_BRANDS = ['visa', 'mastercard', 'amex', 'discover', 'jcb', 'unionpay', 'other'] as const;
export type CardBrand = (typeof CARD_BRANDS)[number];

export function isTxnType(v: string): v is TxnType {
  return (TXN_TYPES as readonly string[]).includes(v);
}
export function isTender(v: string): v is Tender {
  return (TENDERS as readonly string[]).includes(v);
}
export function isCardBrand(v: string): v is CardBrand {
  return (CARD_BRANDS as readonly string[]).includes(v);
}

/** A validated transaction. Optional wire fields are `null` when absent. */
export interface Transaction {
  txn_id: string;
  store_id: string;
  terminal_id: string;
  seq: number;
  /** Event time, epoch milliseconds UTC. */
  ts: number;
  /** The offset written in `ts`, in minutes east of UTC (informational). */
  ts_offset_min: number;
  type: TxnType;
  amount_minor: number;
  currency: string;
  tax_minor: number;
  discount_minor: number | null;
  tender: Tender;
  card_brand: CardBrand | null;
  items: number | null;
  ref_txn_id: string | null;
}
