/**
 * What ClickHouseWarehouse checks before it sends anything: records against
 * their offset range and against what its tables can hold, and query
 * strings that would not survive the round trip.
 */
import { MAX_TS_MS } from './clickhouse-schema.js';
import { WarehouseInvalidArgumentError } from './errors.js';
import { recordProblem } from './record-check.js';
import { isTenantId } from './warehouse.js';
import type { WarehouseRecord } from './warehouse.js';

/**
 * Checks `records` against the range `[committed, to)` of `partition` (see
 * `Warehouse.append`) before anything is sent; returns the index of the
 * first record at or after `committed`.
 */
export function checkRecords(records: readonly WarehouseRecord[], partition: number, committed: number, to: number): number {
  let prev = -1;
  let first = records.length;
  for (let i = 0; i < records.length; i++) {
    const r = records[i]!;
    if (r.log_partition !== partition) throw new WarehouseInvalidArgumentError(`record at offset ${String(r.log_offset)} has log_partition ${String(r.log_partition)}, expected ${String(partition)}`);
    if (!Number.isSafeInteger(r.log_offset) || r.log_offset >= to || r.log_offset <= prev) {
      throw new WarehouseInvalidArgumentError(`record offsets must increase within [from, ${String(to)}); got ${String(r.log_offset)} after ${String(prev)}`);
    }
    prev = r.log_offset;
    if (r.log_offset < committed) continue;
    if (first === records.length) first = i;
    const problem = recordProblem(r);
    if (problem !== null) throw new WarehouseInvalidArgumentError(`record at offset ${String(r.log_offset)}: ${problem}`);
    if (!isTenantId(r.tenant)) throw new WarehouseInvalidArgumentError(`record at offset ${String(r.log_offset)} has tenant ${JSON.stringify(r.tenant)}, not a tenant id`);
    if (r.ts < 0 || r.ts > MAX_TS_MS) throw new WarehouseInvalidArgumentError(`record at offset ${String(r.log_offset)} has ts ${String(r.ts)}, outside 1970-01-01..2106-02-07 (the month partitions' range)`);
    // A lone surrogate would be stored as U+FFFD and come back different.
    if (!wellFormed(r.txn_id) || !wellFormed(r.store_id) || !wellFormed(r.terminal_id) || (r.ref_txn_id !== null && !wellFormed(r.ref_txn_id))) {
      throw new WarehouseInvalidArgumentError(`record at offset ${String(r.log_offset)} has an id that is not well-formed UTF-16 (a lone surrogate)`);
    }
  }
  return first;
}

/** A surrogate without its pair (one code unit of look-around: no backtracking). */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** `String.prototype.isWellFormed` (ES2024; the build targets ES2023). */
function wellFormed(s: string): boolean {
  return !LONE_SURROGATE.test(s);
}

export function checkText(name: string, v: string): void {
  if (typeof v !== 'string' || !wellFormed(v)) throw new WarehouseInvalidArgumentError(`${name} must be a well-formed string, got ${JSON.stringify(v)}`);
}
