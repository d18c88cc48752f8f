/**
 * The tables of the ClickHouse warehouse and how a record becomes a
 * TabSeparated row and back. One column list serves the DDL, the INSERT and
 * the SELECT, so they cannot drift apart.
 *
 * Types: ids and enumerations `String`; money, `seq`, `items`, `ts` and
 * `received_at` `Int64` (epoch ms: 18.16 has no DateTime64; exact, the
 * values are JS safe integers); `ts_offset_min` `Int16`; `log_partition`
 * `UInt32`, `log_offset` `UInt64`. Nullable: `discount_minor`,
 * `card_brand`, `items`, `ref_txn_id`.
 */
import { isCardBrand, isTender, isTxnType } from '../domain/transaction.js';
import { WarehouseCorruptError } from './errors.js';
import { isNull, readInt, readText } from './clickhouse-tsv.js';
import type { TsvField, TsvWriter } from './clickhouse-tsv.js';
import type { WarehouseRecord } from './warehouse.js';

export const TRANSACTIONS = 'transactions';
export const TXN_INDEX = 'txn_index';
export const OFFSETS = 'committed_offsets';
export const RETENTION = 'retention_floor';

const COLUMNS: readonly (readonly [keyof WarehouseRecord, string])[] = [
  ['tenant', 'String'],
  ['txn_id', 'String'],
  ['store_id', 'String'],
  ['terminal_id', 'String'],
  ['seq', 'Int64'],
  ['ts', 'Int64'],
  ['ts_offset_min', 'Int16'],
  ['type', 'String'],
  ['amount_minor', 'Int64'],
  ['currency', 'String'],
  ['tax_minor', 'Int64'],
  ['discount_minor', 'Nullable(Int64)'],
  ['tender', 'String'],
  ['card_brand', 'Nullable(String)'],
  ['items', 'Nullable(Int64)'],
  ['ref_txn_id', 'Nullable(String)'],
  ['received_at', 'Int64'],
  ['log_partition', 'UInt32'],
  ['log_offset', 'UInt64'],
];
export const COLUMN_COUNT = COLUMNS.length;
export const COLUMN_LIST = COLUMNS.map(([name]) => name).join(', ');

/** Columns of the receipt index: where the rows of a `txn_id` are in `transactions`. */
export const INDEX_COLUMN_LIST = 'tenant, txn_id, store_id, ts, log_partition, log_offset';

/** Largest `ts` the month partitions can name: `toDateTime` is seconds in a UInt32 (until 2106-02-07). */
export const MAX_TS_MS = 2 ** 32 * 1000 - 1;

/**
 * The DDL, runnable on ClickHouse 18.16 and on current servers (no TTL,
 * no LowCardinality, no settings clause).
 *
 * Rows: partitioned by tenant and UTC month of `ts`, sorted for the store
 * drill-down. ReplacingMergeTree on that sort key, which ends with the
 * unique `(log_partition, log_offset)`: a row written twice (a replay after
 * a failed append) is one key, so merges keep one copy; reads never rely on
 * merges having run (`LIMIT 1 BY log_partition, log_offset`).
 *
 * The receipt index: `(store_id, ts)` of every row, sorted by `txn_id`, so
 * `findTransaction` reads one granule per partition there, then one range of
 * the primary index of the rows table (18.16 has no bloom-filter indexes).
 * Same partitions as the rows, so retention drops the same partition ids.
 *
 * Offsets and the retention floor: one row per change, never updated in
 * place; a reader takes `max()`, merges only shrink the tables.
 */
export function schemaSql(db: string): string[] {
  return [
    `CREATE TABLE IF NOT EXISTS ${db}.${TRANSACTIONS} (${COLUMNS.map(([n, t]) => `${n} ${t}`).join(', ')}) ` +
      `ENGINE = ReplacingMergeTree ` +
      `PARTITION BY (tenant, toYYYYMM(toDateTime(intDiv(ts, 1000)), 'UTC')) ` +
      `ORDER BY (tenant, store_id, ts, txn_id, log_partition, log_offset)`,
    `CREATE TABLE IF NOT EXISTS ${db}.${TXN_INDEX} (tenant String, txn_id String, store_id String, ts Int64, log_partition UInt32, log_offset UInt64) ` +
      `ENGINE = ReplacingMergeTree ` +
      `PARTITION BY (tenant, toYYYYMM(toDateTime(intDiv(ts, 1000)), 'UTC')) ` +
      `ORDER BY (tenant, txn_id, log_partition, log_offset)`,
    `CREATE TABLE IF NOT EXISTS ${db}.${OFFSETS} (log_partition UInt32, committed UInt64) ENGINE = ReplacingMergeTree(committed) ORDER BY log_partition`,
    `CREATE TABLE IF NOT EXISTS ${db}.${RETENTION} (id UInt8, floor_ms UInt64) ENGINE = ReplacingMergeTree(floor_ms) ORDER BY id`,
  ];
}

/** One record as a TabSeparated row, in column order. */
export function writeRow(w: TsvWriter, r: WarehouseRecord): void {
  w.text(r.tenant);
  w.tab();
  w.text(r.txn_id);
  w.tab();
  w.text(r.store_id);
  w.tab();
  w.text(r.terminal_id);
  w.tab();
  w.int(r.seq);
  w.tab();
  w.int(r.ts);
  w.tab();
  w.int(r.ts_offset_min);
  w.tab();
  w.text(r.type);
  w.tab();
  w.int(r.amount_minor);
  w.tab();
  w.text(r.currency);
  w.tab();
  w.int(r.tax_minor);
  w.tab();
  if (r.discount_minor === null) w.null();
  else w.int(r.discount_minor);
  w.tab();
  w.text(r.tender);
  w.tab();
  if (r.card_brand === null) w.null();
  else w.text(r.card_brand);
  w.tab();
  if (r.items === null) w.null();
  else w.int(r.items);
  w.tab();
  if (r.ref_txn_id === null) w.null();
  else w.text(r.ref_txn_id);
  w.tab();
  w.int(r.received_at);
  w.tab();
  w.int(r.log_partition);
  w.tab();
  w.int(r.log_offset);
  w.newline();
}

/** The receipt-index row of a record, in `INDEX_COLUMN_LIST` order. */
export function writeIndexRow(w: TsvWriter, r: WarehouseRecord): void {
  w.text(r.tenant);
  w.tab();
  w.text(r.txn_id);
  w.tab();
  w.text(r.store_id);
  w.tab();
  w.int(r.ts);
  w.tab();
  w.int(r.log_partition);
  w.tab();
  w.int(r.log_offset);
  w.newline();
}

/** A row selected as `COLUMN_LIST … FORMAT TabSeparated`; throws `WarehouseCorruptError` naming the column of a bad value. */
export function recordOfRow(buf: Buffer, f: readonly TsvField[], source: string): WarehouseRecord {
  const text = (i: number): string => readText(buf, f[i]!);
  const num = (i: number): number => {
    const v = readInt(buf, f[i]!);
    if (!Number.isSafeInteger(v)) throw bad(i, buf.toString('utf8', f[i]!.start, f[i]!.end), source);
    return v;
  };
  const type = text(7);
  const tender = text(12);
  const brand = isNull(buf, f[13]!) ? null : text(13);
  if (!isTxnType(type)) throw bad(7, type, source);
  if (!isTender(tender)) throw bad(12, tender, source);
  if (brand !== null && !isCardBrand(brand)) throw bad(13, brand, source);
  return {
    tenant: text(0),
    txn_id: text(1),
    store_id: text(2),
    terminal_id: text(3),
    seq: num(4),
    ts: num(5),
    ts_offset_min: num(6),
    type,
    amount_minor: num(8),
    currency: text(9),
    tax_minor: num(10),
    discount_minor: isNull(buf, f[11]!) ? null : num(11),
    tender,
    card_brand: brand,
    items: isNull(buf, f[14]!) ? null : num(14),
    ref_txn_id: isNull(buf, f[15]!) ? null : text(15),
    received_at: num(16),
    log_partition: num(17),
    log_offset: num(18),
  };
}

function bad(i: number, v: string, source: string): WarehouseCorruptError {
  return new WarehouseCorruptError(`column ${COLUMNS[i]?.[0] ?? `#${String(i)}`} holds ${JSON.stringify(v)}`, source);
}
