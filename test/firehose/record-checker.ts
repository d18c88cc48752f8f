/**
 * A small, independent checker of transaction records v1 per DOMAIN.md,
 * written for the firehose tests (the domain decoder is another part's
 * work). It answers with the reject code a line must get, or the parsed
 * record. Deliberately plain: JSON.parse and field checks.
 */
import type { Store } from '../../src/domain/store.js';

export interface Rec {
  txn_id: string;
  store_id: string;
  terminal_id: string;
  seq: number;
  ts: string;
  type: 'sale' | 'refund' | 'void';
  amount_minor: number;
  currency: string;
  tax_minor: number;
  discount_minor?: number;
  tender: string;
  card_brand?: string;
  items?: number;
  ref_txn_id?: string;
  tenant?: string;
}

export type Verdict = { ok: true; rec: Rec; tsMs: number } | { ok: false; code: string };

const ID = /^[A-Za-z0-9._:-]{1,64}$/;
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;
const TYPES = ['sale', 'refund', 'void'];
const TENDERS = ['card', 'cash', 'wallet', 'gift_card', 'other'];
const BRANDS = ['visa', 'mastercard', 'amex', 'discover', 'jcb', 'unionpay', 'other'];
const REQUIRED = ['txn_id', 'store_id', 'terminal_id', 'seq', 'ts', 'type', 'amount_minor', 'currency', 'tax_minor', 'tender'] as const;
const STRINGS = ['txn_id', 'store_id', 'terminal_id', 'ts', 'type', 'currency', 'tender', 'card_brand', 'ref_txn_id', 'tenant'];
const INTEGERS = ['seq', 'amount_minor', 'tax_minor', 'discount_minor', 'items'];
/** The ISO 4217 codes our worlds use, plus a few more real ones. */
const CURRENCIES = new Set('AED ARS AUD BHD BRL CAD CHF CLP CNY COP DKK EGP EUR FJD GBP GHS HKD IDR ILS INR JOD JPY KES KRW KWD MAD MXN MYR NGN NOK NPR NZD PEN PHP PLN SAR SEK SGD THB TRY TWD USD VND ZAR'.split(' '));

/**
 * @param nowMs the receipt time: `ts` more than 24 h after it is `timestamp_in_future`
 */
export function checkLine(line: string, tenant: string, stores: ReadonlyMap<string, Store>, nowMs: number): Verdict {
  if (Buffer.byteLength(line) > 4096) return { ok: false, code: 'line_too_long' };
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    return { ok: false, code: 'invalid_json' };
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return { ok: false, code: 'not_an_object' };
  const o = v as Record<string, unknown>;
  for (const f of REQUIRED) if (!(f in o)) return { ok: false, code: 'missing_field' };
  for (const f of STRINGS) if (f in o && typeof o[f] !== 'string') return { ok: false, code: 'invalid_type' };
  for (const f of INTEGERS) if (f in o && !Number.isInteger(o[f])) return { ok: false, code: 'invalid_type' };
  const r = o as unknown as Rec;
  if (!ID.test(r.txn_id) || r.terminal_id.length < 1 || r.terminal_id.length > 64) return { ok: false, code: 'invalid_value' };
  if (r.seq < 0 || r.seq > 2 ** 53 - 1) return { ok: false, code: 'invalid_value' };
  if (!TYPES.includes(r.type) || !TENDERS.includes(r.tender)) return { ok: false, code: 'invalid_value' };
  if (r.card_brand !== undefined && !BRANDS.includes(r.card_brand)) return { ok: false, code: 'invalid_value' };
  if (r.amount_minor <= 0 || r.tax_minor < 0 || r.tax_minor > r.amount_minor) return { ok: false, code: 'invalid_value' };
  if ((r.discount_minor !== undefined && r.discount_minor < 0) || (r.items !== undefined && r.items < 0)) return { ok: false, code: 'invalid_value' };
  if (r.type === 'void' && r.ref_txn_id === undefined) return { ok: false, code: 'missing_field' };
  if (!RFC3339.test(r.ts)) return { ok: false, code: 'invalid_timestamp' };
  const tsMs = Date.parse(r.ts);
  if (!Number.isFinite(tsMs)) return { ok: false, code: 'invalid_timestamp' };
  if (tsMs > nowMs + 86_400_000) return { ok: false, code: 'timestamp_in_future' };
  if (!stores.has(r.store_id)) return { ok: false, code: 'unknown_store' };
  if (!CURRENCIES.has(r.currency)) return { ok: false, code: 'unknown_currency' };
  if (r.tenant !== undefined && r.tenant !== tenant) return { ok: false, code: 'tenant_mismatch' };
  return { ok: true, rec: r, tsMs };
}

/** Local wall-clock parts written in an RFC 3339 time stamp. */
export function localParts(ts: string): { date: string; y: number; mo: number; d: number; minuteOfDay: number; offsetMin: number } {
  const m = RFC3339.exec(ts);
  if (m === null) throw new Error(`not RFC 3339: ${ts}`);
  const off = m[8]!;
  const offsetMin = off === 'Z' ? 0 : (off.startsWith('-') ? -1 : 1) * (Number(off.slice(1, 3)) * 60 + Number(off.slice(4, 6)));
  return { date: ts.slice(0, 10), y: Number(m[1]), mo: Number(m[2]), d: Number(m[3]), minuteOfDay: Number(m[4]) * 60 + Number(m[5]), offsetMin };
}
