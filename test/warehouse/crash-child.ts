/**
 * Child process of the warehouse crash test: appends batches to three
 * partitions (compacting now and then) until the parent kills it with
 * SIGKILL, printing `commit <partition> <offset>` after each append resolves.
 * Writes to a pipe are synchronous on Linux, so a printed line is never lost
 * to the kill. Exits at once without arguments.
 *
 *   node crash-child.js <dir>
 */
import { ParquetWarehouse } from '../../src/warehouse/parquet-warehouse.js';
import type { WarehouseRecord } from '../../src/warehouse/warehouse.js';
import { DAY, DAY0, sale } from './support.js';

export const CRASH_PARTITIONS = 3;

/** Offsets whose records are "undecodable": part of a range, never stored. */
export function crashSkipped(offset: number): boolean {
  return offset % 13 === 0;
}

/** The record the child writes at `offset` of `partition`. */
export function crashRecord(partition: number, offset: number): WarehouseRecord {
  return sale({
    log_partition: partition,
    log_offset: offset,
    tenant: offset % 2 === 0 ? 'acme' : 'globex',
    store_id: `S${String(offset % 17)}`,
    txn_id: `c${String(partition)}-${String(offset)}`,
    ts: DAY0 + (offset % 3) * DAY + offset * 1000,
    amount_minor: 100 + offset,
  });
}

async function main(dir: string): Promise<void> {
  const wh = await ParquetWarehouse.open(dir, { threads: 1 });
  let seed = process.pid;
  const random = (n: number): number => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed % n;
  };
  process.stdout.write('ready\n');
  for (let round = 1; ; round++) {
    const p = random(CRASH_PARTITIONS);
    const from = wh.committedOffset(p);
    const to = from + 1 + random(300);
    const records: WarehouseRecord[] = [];
    for (let o = from; o < to; o++) if (!crashSkipped(o)) records.push(crashRecord(p, o));
    await wh.append(p, from, to, records);
    process.stdout.write(`commit ${String(p)} ${String(to)}\n`);
    if (round % 7 === 0) await wh.compact();
  }
}

const [dir] = process.argv.slice(2);
if (dir !== undefined) await main(dir);
