/**
 * What every warehouse adapter checks on a record before it writes
 * anything, so a bad record fails its append cleanly and all adapters
 * accept and refuse the same records.
 */
import { CURRENCY_CODES } from '../domain/currency.js';
import { CARD_BRANDS, TENDERS, TXN_TYPES } from '../domain/transaction.js';
import type { WarehouseRecord } from './warehouse.js';

/** Fields by kind, for the message of the slow path. */
const TEXT_FIELDS = ['tenant', 'txn_id', 'store_id', 'terminal_id'] as const;
const INT_FIELDS = ['seq', 'ts', 'ts_offset_min', 'amount_minor', 'tax_minor', 'received_at', 'log_offset'] as const;
const NULLABLE_INT_FIELDS = ['discount_minor', 'items'] as const;

const TYPES = new Set<string>(TXN_TYPES);
const CURRENCIES = new Set<string>(CURRENCY_CODES);
const TENDER_SET = new Set<string>(TENDERS);
const BRANDS = new Set<string>(CARD_BRANDS);

/**
 * Why `r` cannot be stored as it is (`null` if it can): every number must
 * be a safe integer (money stays exact), every text a string, every
 * enumeration one the domain knows.
 * @example recordProblem({ ...r, amount_minor: 12.5 }) // 'amount_minor is number 12.5'
 */
export function recordProblem(r: WarehouseRecord): string | null {
  // Explicit property reads (not a loop over field names): this runs for every row appended.
  const texts = typeof r.tenant === 'string' && typeof r.txn_id === 'string' && typeof r.store_id === 'string' && typeof r.terminal_id === 'string';
  const ints =
    Number.isSafeInteger(r.seq) &&
    Number.isSafeInteger(r.ts) &&
    Number.isSafeInteger(r.ts_offset_min) &&
    Number.isSafeInteger(r.amount_minor) &&
    Number.isSafeInteger(r.tax_minor) &&
    Number.isSafeInteger(r.received_at) &&
    Number.isSafeInteger(r.log_offset) &&
    (r.discount_minor === null || Number.isSafeInteger(r.discount_minor)) &&
    (r.items === null || Number.isSafeInteger(r.items));
  if (!texts || !ints || (r.ref_txn_id !== null && typeof r.ref_txn_id !== 'string')) {
    const fields = r as unknown as Record<string, unknown>;
    for (const name of TEXT_FIELDS) if (typeof fields[name] !== 'string') return `${name} is ${typeof fields[name]} ${String(fields[name])}`;
    if (r.ref_txn_id !== null && typeof r.ref_txn_id !== 'string') return `ref_txn_id is ${typeof r.ref_txn_id} ${String(r.ref_txn_id)}`;
    for (const name of INT_FIELDS) if (!Number.isSafeInteger(fields[name])) return `${name} is ${typeof fields[name]} ${String(fields[name])}`;
    for (const name of NULLABLE_INT_FIELDS) {
      if (fields[name] !== null && !Number.isSafeInteger(fields[name])) return `${name} is ${typeof fields[name]} ${String(fields[name])}`;
    }
  }
  if (!TYPES.has(r.type) || !TENDER_SET.has(r.tender) || !CURRENCIES.has(r.currency) || (r.card_brand !== null && !BRANDS.has(r.card_brand))) {
    return `type, tender, currency or card_brand is not one the domain knows (${r.type}, ${r.tender}, ${r.currency}, ${String(r.card_brand)})`;
  }
  if (r.ts_offset_min < -1440 || r.ts_offset_min > 1440) return `ts_offset_min ${String(r.ts_offset_min)} is not an offset`;
  return null;
}
