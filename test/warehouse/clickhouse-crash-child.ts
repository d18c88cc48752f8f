/**
 * Child process of the ClickHouse crash test: appends batches of varying
 * size to three partitions of a ClickHouseWarehouse until the parent kills
 * it with SIGKILL, printing `commit <partition> <offset>` after each append
 * resolves (pipe writes are synchronous on Linux, so a printed line is
 * never lost to the kill).
 *
 *   node clickhouse-crash-child.js <url> <database>
 */
import { fileURLToPath } from 'node:url';
import { ClickHouseWarehouse } from '../../src/warehouse/clickhouse-warehouse.js';
import type { WarehouseRecord } from '../../src/warehouse/warehouse.js';
import { DAY, DAY0, sale } from './support.js';

export const CH_CRASH_PARTITIONS = 3;

/** Offsets whose records are "undecodable": part of a range, never stored. */
export function chCrashSkipped(offset: number): boolean {
  return offset % 11 === 0;
}

/** The record the child writes at `offset` of `partition`: two tenants, 7 stores, three days, amounts that differ per row. */
export function chCrashRecord(partition: number, offset: number): WarehouseRecord {
  return sale({
    log_partition: partition,
    log_offset: offset,
    tenant: offset % 2 === 0 ? 'acme' : 'globex',
    store_id: `S${String(offset % 7)}`,
    txn_id: `k${String(partition)}-${String(offset)}`,
    ts: DAY0 + (offset % 3) * DAY + offset * 1000,
    amount_minor: 1000 + partition * 100_000 + offset,
  });
}

/** Records of offsets `[from, to)` of `partition`, skipped ones left out. */
export function chCrashBatch(partition: number, from: number, to: number): WarehouseRecord[] {
  const out: WarehouseRecord[] = [];
  for (let o = from; o < to; o++) if (!chCrashSkipped(o)) out.push(chCrashRecord(partition, o));
  return out;
}

async function main(url: string, database: string): Promise<void> {
  // Small inserts, so a kill often lands between a batch's row inserts and its offsets insert.
  const wh = await ClickHouseWarehouse.open({ url, database, insertRows: 50 });
  let seed = process.pid;
  const random = (n: number): number => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed % n;
  };
  process.stdout.write('ready\n');
  for (;;) {
    const p = random(CH_CRASH_PARTITIONS);
    const from = wh.committedOffset(p);
    const to = from + 1 + random(200);
    await wh.append(p, from, to, chCrashBatch(p, from, to));
    process.stdout.write(`commit ${String(p)} ${String(to)}\n`);
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [url, database] = process.argv.slice(2);
  if (url === undefined || database === undefined) throw new Error('usage: clickhouse-crash-child.js <url> <database>');
  await main(url, database);
}
