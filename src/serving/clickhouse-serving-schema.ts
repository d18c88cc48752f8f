/**
 * The tables of the ClickHouse serving store (docs/serving.md, "ClickHouse
 * adapter"). DDL runnable on ClickHouse 18.16 and on current servers: no
 * TTL, no LowCardinality, no Nullable in a sort key, no settings clause,
 * `PARTITION BY` with an expression (18.16 has custom partitioning).
 *
 * - `rollup_rows`: one row per (store, UTC quarter hour, tender, card brand,
 *   currency) of one batch: the twelve reporting sums `r0…r11` and the seven
 *   original-currency sums `o0…o6` of domain/metrics.ts as Int64 (exact;
 *   every sum is a JS safe integer), tagged with the batch's partition,
 *   lease epoch and offset range. SummingMergeTree whose sort key ends with
 *   that tag, so a merge only ever folds rows of one batch: a committed and
 *   an uncommitted batch never mix, and reads never rely on merges.
 * - `rollup_commits`: (partition, epoch, from, to) per claim and per batch;
 *   one row per change, never updated (commit-chain.ts reads them).
 * - `rollup_stores`: each store's description as JSON, newest version wins.
 */
import type { TsvWriter } from '../warehouse/clickhouse-tsv.js';
import type { RollupDelta } from './serving-store.js';

export const ROWS = 'rollup_rows';
export const COMMITS = 'rollup_commits';
export const STORES = 'rollup_stores';

const REP = Array.from({ length: 12 }, (_, i) => `r${String(i)}`);
const ORIG = Array.from({ length: 7 }, (_, i) => `o${String(i)}`);
/** The sum columns, reporting then original. */
export const SUM_COLUMNS = [...REP, ...ORIG];
const DIMS = ['tenant', 'store_id', 'quarter', 'tender', 'card_brand', 'currency'];
const TAG = ['log_partition', 'epoch', 'from_offset', 'to_offset'];
export const ROW_COLUMN_LIST = [...DIMS, ...SUM_COLUMNS, ...TAG].join(', ');

export function servingSchemaSql(db: string): string[] {
  const sums = SUM_COLUMNS.map((c) => `${c} Int64`).join(', ');
  return [
    `CREATE TABLE IF NOT EXISTS ${db}.${ROWS} (tenant String, store_id String, quarter Int64, tender String, card_brand String, currency String, ${sums}, ` +
      `log_partition UInt32, epoch UInt64, from_offset UInt64, to_offset UInt64) ` +
      `ENGINE = SummingMergeTree ` +
      `PARTITION BY (tenant, toYYYYMM(toDateTime(quarter * 900), 'UTC')) ` +
      `ORDER BY (tenant, quarter, store_id, tender, card_brand, currency, log_partition, epoch, from_offset, to_offset)`,
    `CREATE TABLE IF NOT EXISTS ${db}.${COMMITS} (log_partition UInt32, epoch UInt64, from_offset UInt64, to_offset UInt64, at_ms Int64) ` +
      `ENGINE = MergeTree ORDER BY (log_partition, epoch, from_offset)`,
    `CREATE TABLE IF NOT EXISTS ${db}.${STORES} (tenant String, store_id String, version UInt64, store String) ` +
      `ENGINE = ReplacingMergeTree(version) ORDER BY (tenant, store_id)`,
  ];
}

/** One delta as a row of `rollup_rows` (card brand '' for none: no Nullable in the sort key). */
export function writeRollupRow(w: TsvWriter, d: RollupDelta, partition: number, epoch: number, from: number, to: number): void {
  w.text(d.tenant);
  w.tab();
  w.text(d.store.store_id);
  w.tab();
  w.int(d.quarter);
  w.tab();
  w.text(d.tender);
  w.tab();
  w.text(d.cardBrand ?? '');
  w.tab();
  w.text(d.currency);
  for (let i = 0; i < 12; i++) {
    w.tab();
    w.int(d.rep[i]!);
  }
  for (let i = 0; i < 7; i++) {
    w.tab();
    w.int(d.orig[i]!);
  }
  for (const n of [partition, epoch, from, to]) {
    w.tab();
    w.int(n);
  }
  w.newline();
}
