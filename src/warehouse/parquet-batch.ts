/**
 * The rows of one append, checked and split by tenant and UTC date of `ts`:
 * each group becomes one Parquet file in `tenant=<id>/date=<YYYY-MM-DD>`.
 */
import { WarehouseInvalidArgumentError } from './errors.js';
import { recordProblem } from './record-check.js';
import { DAY_MS, utcDate } from './parquet-layout.js';
import { isTenantId } from './warehouse.js';
import type { WarehouseRecord } from './warehouse.js';

/** Instants the date directories can name (RFC 3339 years 0000-9999). */
export const MIN_MS = Date.parse('0000-01-01T00:00:00.000Z');
export const MAX_MS = Date.parse('9999-12-31T23:59:59.999Z');

export interface DayGroup {
  tenant: string;
  date: string;
  rows: WarehouseRecord[];
}

/**
 * Records at offsets `>= committed`, checked and grouped by tenant and UTC
 * date of `ts`; throws `WarehouseInvalidArgumentError` for a record that does
 * not belong to the range or cannot be stored.
 * @example groupByDay(records, 3, 1200, 1500) // [{ tenant: 'acme', date: '2026-03-01', rows: [...] }, …]
 */
export function groupByDay(records: readonly WarehouseRecord[], partition: number, committed: number, to: number): DayGroup[] {
  const groups: DayGroup[] = [];
  // tenant → UTC day number → group; consecutive records nearly always share both, so the last group is tried first.
  const byTenant = new Map<string, Map<number, DayGroup>>();
  let last: DayGroup | null = null;
  let lastDay = NaN;
  let prev = -1;
  for (const r of records) {
    if (r.log_partition !== partition) throw new WarehouseInvalidArgumentError(`record at offset ${String(r.log_offset)} has log_partition ${String(r.log_partition)}, expected ${String(partition)}`);
    if (!Number.isSafeInteger(r.log_offset) || r.log_offset >= to || r.log_offset <= prev) {
      throw new WarehouseInvalidArgumentError(`record offsets must increase within [from, ${String(to)}); got ${String(r.log_offset)} after ${String(prev)}`);
    }
    prev = r.log_offset;
    if (r.log_offset < committed) continue;
    const problem = recordProblem(r);
    if (problem !== null) throw new WarehouseInvalidArgumentError(`record at offset ${String(r.log_offset)}: ${problem}`);
    if (r.ts < MIN_MS || r.ts > MAX_MS) throw new WarehouseInvalidArgumentError(`record at offset ${String(r.log_offset)} has ts ${String(r.ts)}, outside years 0000-9999`);
    const day = Math.floor(r.ts / DAY_MS);
    if (last === null || last.tenant !== r.tenant || lastDay !== day) {
      let days = byTenant.get(r.tenant);
      if (days === undefined) {
        if (!isTenantId(r.tenant)) throw new WarehouseInvalidArgumentError(`record at offset ${String(r.log_offset)} has tenant ${JSON.stringify(r.tenant)}, not a tenant id`);
        byTenant.set(r.tenant, (days = new Map()));
      }
      let g = days.get(day);
      if (g === undefined) {
        g = { tenant: r.tenant, date: utcDate(r.ts), rows: [] };
        days.set(day, g);
        groups.push(g);
      }
      last = g;
      lastDay = day;
    }
    last.rows.push(r);
  }
  return groups;
}
