/** Exact record builders for the warehouse tests. */
import type { Page, PageRequest, Warehouse, WarehouseRecord } from '../../src/warehouse/warehouse.js';

/** 2026-03-01T00:00:00Z */
export const DAY0 = Date.UTC(2026, 2, 1);
export const DAY = 86_400_000;
export const HOUR = 3_600_000;

/** A plain EUR card sale of store S1 at DAY0 + 10:00 plus `log_offset` seconds; override any field. */
export function sale(over: Partial<WarehouseRecord> & { log_offset: number }): WarehouseRecord {
  const o = over.log_offset;
  return {
    tenant: 'acme',
    txn_id: `S1-T1-${String(o).padStart(6, '0')}`,
    store_id: 'S1',
    terminal_id: 'S1-T1',
    seq: o,
    ts: DAY0 + 10 * HOUR + o * 1000,
    ts_offset_min: 60,
    type: 'sale',
    amount_minor: 4599,
    currency: 'EUR',
    tax_minor: 735,
    discount_minor: null,
    tender: 'card',
    card_brand: 'visa',
    items: 3,
    ref_txn_id: null,
    received_at: DAY0 + 10 * HOUR + o * 1000 + 250,
    log_partition: 0,
    ...over,
  };
}

/** Records for offsets `from .. to-1` of `partition`, built by `make`. */
export function range(partition: number, from: number, to: number, make: (offset: number) => Partial<WarehouseRecord> = () => ({})): WarehouseRecord[] {
  const out: WarehouseRecord[] = [];
  for (let o = from; o < to; o++) out.push(sale({ ...make(o), log_offset: o, log_partition: partition }));
  return out;
}

/** Every row of a store in `[from, to)`, following cursors `limit` rows at a time. */
export async function allPages(wh: Warehouse, tenant: string, store: string, from: number, to: number, limit: number): Promise<{ rows: WarehouseRecord[]; pages: number }> {
  const rows: WarehouseRecord[] = [];
  let pages = 0;
  let req: PageRequest = { limit };
  for (;;) {
    const page: Page<WarehouseRecord> = await wh.storeTransactions(tenant, store, from, to, req);
    pages++;
    rows.push(...page.items);
    if (page.nextCursor === null) return { rows, pages };
    req = { limit, cursor: page.nextCursor };
  }
}

/** The order `storeTransactions` promises: ts, txn_id (UTF-8 bytes), log partition, log offset. */
export function pageOrder(a: WarehouseRecord, b: WarehouseRecord): number {
  return (
    a.ts - b.ts ||
    Buffer.compare(Buffer.from(a.txn_id), Buffer.from(b.txn_id)) ||
    a.log_partition - b.log_partition ||
    a.log_offset - b.log_offset
  );
}

/** `(partition:offset)` keys, for comparing row sets. */
export function keys(rows: readonly WarehouseRecord[]): string[] {
  return rows.map((r) => `${String(r.log_partition)}:${String(r.log_offset)}`);
}

/** The wire form of `ts`: RFC 3339 with the record's own offset, e.g. 2026-03-01T11:00:00.000+01:00. */
export function rfc3339(ts: number, offsetMin: number): string {
  const local = new Date(ts + offsetMin * 60_000).toISOString().slice(0, 23);
  if (offsetMin === 0) return `${local}Z`;
  const a = Math.abs(offsetMin);
  return `${local}${offsetMin < 0 ? '-' : '+'}${String(Math.floor(a / 60)).padStart(2, '0')}:${String(a % 60).padStart(2, '0')}`;
}

/** The NDJSON line a till would send for `r` (optional fields omitted when null). */
export function lineOf(r: WarehouseRecord): string {
  const o: Record<string, unknown> = {
    txn_id: r.txn_id,
    store_id: r.store_id,
    terminal_id: r.terminal_id,
    seq: r.seq,
    ts: rfc3339(r.ts, r.ts_offset_min),
    type: r.type,
    amount_minor: r.amount_minor,
    currency: r.currency,
    tax_minor: r.tax_minor,
    tender: r.tender,
  };
  if (r.discount_minor !== null) o.discount_minor = r.discount_minor;
  if (r.card_brand !== null) o.card_brand = r.card_brand;
  if (r.items !== null) o.items = r.items;
  if (r.ref_txn_id !== null) o.ref_txn_id = r.ref_txn_id;
  return JSON.stringify(o);
}
