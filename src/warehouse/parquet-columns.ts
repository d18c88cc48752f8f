/**
 * The columns of the warehouse's Parquet files, how rows get into DuckDB
 * (data chunks into a staging table) and how they come back out as
 * `WarehouseRecord`s. Kept in one place so the file schema, the load path
 * and the read path cannot drift apart.
 *
 * Types in the files: ids and enumerations VARCHAR; money, `seq`, `items`
 * and `log_offset` BIGINT (exact; values are JS safe integers);
 * `ts_offset_min` and `log_partition` INTEGER; `ts` and `received_at`
 * TIMESTAMPTZ (Parquet TIMESTAMP(isAdjustedToUTC=true, MICROS); whole
 * milliseconds). Nullable: `discount_minor`, `card_brand`, `items`,
 * `ref_txn_id`.
 */
import { CURRENCY_CODES } from '../domain/currency.js';
import { CARD_BRANDS, TENDERS, TXN_TYPES, isCardBrand, isTender, isTxnType } from '../domain/transaction.js';
import { CHUNK_ROWS, createChunk } from './duckdb-subset.js';
import type { ChunkColumnType, DuckDBAppenderLike, DuckDBVectorLike } from './duckdb-subset.js';
import { WarehouseCorruptError } from './errors.js';
import type { WarehouseRecord } from './warehouse.js';

type ColumnKind = 'text' | 'int' | 'bigint' | 'time';

/** File columns in file order, with their kind and whether they may be NULL. */
const COLUMNS: readonly (readonly [keyof WarehouseRecord, ColumnKind, boolean])[] = [
  ['tenant', 'text', false],
  ['txn_id', 'text', false],
  ['store_id', 'text', false],
  ['terminal_id', 'text', false],
  ['seq', 'bigint', false],
  ['ts', 'time', false],
  ['ts_offset_min', 'int', false],
  ['type', 'text', false],
  ['amount_minor', 'bigint', false],
  ['currency', 'text', false],
  ['tax_minor', 'bigint', false],
  ['discount_minor', 'bigint', true],
  ['tender', 'text', false],
  ['card_brand', 'text', true],
  ['items', 'bigint', true],
  ['ref_txn_id', 'text', true],
  ['received_at', 'time', false],
  ['log_partition', 'int', false],
  ['log_offset', 'bigint', false],
];

/*
 * The staging table. Loading is bound by calls into the native module: a
 * number costs a store into a Float64Array, a string a call of its own.
 * So numbers go in as DOUBLE (exact up to 2^53), enumerations and
 * currencies as their index in the domain's constant lists (mapped back to
 * text by the COPY), and `tenant` and `log_partition`, constant within a
 * file, are not staged at all. Measured: 50,000 rows in ~100 ms, against
 * ~250 ms with a string per enumeration and ~300 ms with the row appender.
 */
const STAGED: readonly (readonly [string, ChunkColumnType])[] = [
  ['txn_id', 'VARCHAR'],
  ['store_id', 'VARCHAR'],
  ['terminal_id', 'VARCHAR'],
  ['ref_txn_id', 'VARCHAR'],
  ['seq', 'DOUBLE'],
  ['ts', 'DOUBLE'],
  ['amount_minor', 'DOUBLE'],
  ['tax_minor', 'DOUBLE'],
  ['discount_minor', 'DOUBLE'],
  ['items', 'DOUBLE'],
  ['received_at', 'DOUBLE'],
  ['log_offset', 'DOUBLE'],
  ['ts_offset_min', 'INTEGER'],
  ['type', 'INTEGER'],
  ['currency', 'INTEGER'],
  ['tender', 'INTEGER'],
  ['card_brand', 'INTEGER'],
  ['grp', 'INTEGER'],
];
const STAGED_TYPES = STAGED.map(([, t]) => t);

const codes = (list: readonly string[]): Map<string, number> => new Map(list.map((v, i) => [v, i]));
const TYPE_CODE = codes(TXN_TYPES);
const CURRENCY_CODE = codes(CURRENCY_CODES);
const TENDER_CODE = codes(TENDERS);
const BRAND_CODE = codes(CARD_BRANDS);
/** A code back to its text: DuckDB lists are 1-based; a NULL code gives NULL. */
const decode = (list: readonly string[], col: string): string => `[${list.map((v) => `'${v}'`).join(', ')}][${col} + 1]`;

const quoted = (name: string): string => `"${name}"`;

export function stagingTableSql(table: string): string {
  return `CREATE OR REPLACE TEMP TABLE ${table} (${STAGED.map(([name, type]) => `${quoted(name)} ${type}`).join(', ')})`;
}

/** Staging columns of one file's rows converted to the file's columns and types, in file order. */
export function fileSelect(tenant: string, partition: number): string {
  return COLUMNS.map(([name, kind]) => {
    const col = quoted(name);
    switch (name) {
      case 'tenant':
        return `'${tenant}'::VARCHAR AS tenant`; // a tenant id is [a-z0-9_-]: nothing to escape
      case 'log_partition':
        return `${String(partition)}::INTEGER AS log_partition`;
      case 'type':
        return `${decode(TXN_TYPES, col)} AS ${col}`;
      case 'currency':
        return `${decode(CURRENCY_CODES, col)} AS ${col}`;
      case 'tender':
        return `${decode(TENDERS, col)} AS ${col}`;
      case 'card_brand':
        return `${decode(CARD_BRANDS, col)} AS ${col}`;
      default:
        if (kind === 'bigint') return `${col}::BIGINT AS ${col}`;
        if (kind === 'time') return `make_timestamptz(${col}::BIGINT * 1000) AS ${col}`;
        return col;
    }
  }).join(', ');
}

/** File columns converted to what `recordOfRow` expects (numbers as DOUBLE, times as epoch ms), from table alias `f`. */
export const READ_SELECT = COLUMNS.map(([name, kind]) => {
  const col = `f.${quoted(name)}`;
  if (kind === 'bigint') return `${col}::DOUBLE AS ${quoted(name)}`;
  if (kind === 'time') return `epoch_ms(${col})::DOUBLE AS ${quoted(name)}`;
  return col;
}).join(', ');

/** Sort order of rows inside a file: a store's rows are contiguous, so row-group statistics prune by store. */
export const FILE_ORDER = 'store_id, ts, txn_id, log_partition, log_offset';

/**
 * Loads `groups` into the staging table, each row tagged with its group's
 * index; `pause` runs between chunks (to yield to the event loop).
 */
export async function stageRecords(a: DuckDBAppenderLike, groups: readonly (readonly WarehouseRecord[])[], pause: () => Promise<void>): Promise<void> {
  // One full-size chunk is reused (the appender copies what it is given); only a
  // group's last, shorter chunk needs one of its own.
  const full = createChunk(STAGED_TYPES, CHUNK_ROWS);
  const fullVectors = STAGED.map((_, i) => full.getColumnVector(i));
  for (let g = 0; g < groups.length; g++) {
    const rows = groups[g]!;
    for (let start = 0; start < rows.length; start += CHUNK_ROWS) {
      const n = Math.min(CHUNK_ROWS, rows.length - start);
      const chunk = n === CHUNK_ROWS ? full : createChunk(STAGED_TYPES, n);
      const v = n === CHUNK_ROWS ? fullVectors : STAGED.map((_, i) => chunk.getColumnVector(i));
      const [txn, store, terminal, ref, seq, ts, amount, tax, discount, items, received, offset, tsOffset, type, currency, tender, brand, grp] = v as [
        DuckDBVectorLike, DuckDBVectorLike, DuckDBVectorLike, DuckDBVectorLike, DuckDBVectorLike, DuckDBVectorLike, DuckDBVectorLike, DuckDBVectorLike, DuckDBVectorLike,
        DuckDBVectorLike, DuckDBVectorLike, DuckDBVectorLike, DuckDBVectorLike, DuckDBVectorLike, DuckDBVectorLike, DuckDBVectorLike, DuckDBVectorLike, DuckDBVectorLike,
      ];
      for (let i = 0; i < n; i++) {
        const r = rows[start + i]!;
        txn.setItem(i, r.txn_id);
        store.setItem(i, r.store_id);
        terminal.setItem(i, r.terminal_id);
        ref.setItem(i, r.ref_txn_id);
        seq.setItem(i, r.seq);
        ts.setItem(i, r.ts);
        amount.setItem(i, r.amount_minor);
        tax.setItem(i, r.tax_minor);
        discount.setItem(i, r.discount_minor);
        items.setItem(i, r.items);
        received.setItem(i, r.received_at);
        offset.setItem(i, r.log_offset);
        tsOffset.setItem(i, r.ts_offset_min);
        type.setItem(i, TYPE_CODE.get(r.type)!);
        currency.setItem(i, CURRENCY_CODE.get(r.currency)!);
        tender.setItem(i, TENDER_CODE.get(r.tender)!);
        brand.setItem(i, r.card_brand === null ? null : BRAND_CODE.get(r.card_brand)!);
        grp.setItem(i, g);
      }
      for (const x of v) x.flush();
      a.appendDataChunk(chunk);
      await pause();
    }
  }
}

/**
 * A row selected with `READ_SELECT` as a record; throws
 * `WarehouseCorruptError` naming the column if a value has the wrong type.
 */
export function recordOfRow(row: readonly unknown[], source: string): WarehouseRecord {
  const text = (i: number): string => {
    const v = row[i];
    if (typeof v !== 'string') throw bad(i, v, source);
    return v;
  };
  const num = (i: number): number => {
    const v = row[i];
    if (typeof v !== 'number' || !Number.isSafeInteger(v)) throw bad(i, v, source);
    return v;
  };
  const type = text(7);
  const tender = text(12);
  const brand = row[13] === null ? null : text(13);
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
    discount_minor: row[11] === null ? null : num(11),
    tender,
    card_brand: brand,
    items: row[14] === null ? null : num(14),
    ref_txn_id: row[15] === null ? null : text(15),
    received_at: num(16),
    log_partition: num(17),
    log_offset: num(18),
  };
}

function bad(i: number, v: unknown, source: string): WarehouseCorruptError {
  const name = COLUMNS[i]?.[0] ?? `#${String(i)}`;
  return new WarehouseCorruptError(`column ${name} holds ${typeof v} ${String(v)}`, source);
}
