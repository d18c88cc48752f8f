/**
 * WarehouseFeeder against a real SegmentLog holding ingested-record payloads
 * (as ingest writes them) and a real ParquetWarehouse.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { encodeIngestedRecord } from '../../src/domain/ingested-record.js';
import { partitionOf } from '../../src/domain/partition.js';
import type { LogWriter } from '../../src/log/log.js';
import { SegmentLog } from '../../src/log/segment-log.js';
import { ParquetWarehouse } from '../../src/warehouse/parquet-warehouse.js';
import { WarehouseFeeder } from '../../src/warehouse/warehouse-feeder.js';
import type { WarehouseRecord } from '../../src/warehouse/warehouse.js';
import { tempDir } from '../log/temp-dir.js';
import { DAY, DAY0, allPages, lineOf, sale } from './support.js';

const PARTITIONS = 4;

/** The i-th transaction of the test stream (log position to be filled in): two tenants, four terminals, three days. */
function txn(i: number): WarehouseRecord {
  const tenant = i % 3 === 0 ? 'globex' : 'acme';
  const terminal = `S${String(i % 4)}-T${String(i % 2)}`;
  const r = sale({
    log_offset: 0,
    tenant,
    store_id: `S${String(i % 4)}`,
    terminal_id: terminal,
    txn_id: `${terminal}-${String(i).padStart(6, '0')}`,
    seq: i,
    ts: DAY0 + (i % 3) * DAY + i * 1000,
    amount_minor: 100 + i,
    tax_minor: 10,
    currency: i % 5 === 0 ? 'JPY' : 'EUR',
    discount_minor: i % 4 === 0 ? null : i,
    card_brand: i % 2 === 0 ? 'visa' : null,
    tender: i % 2 === 0 ? 'card' : 'cash',
  });
  r.received_at = r.ts + 2000;
  return r;
}

/** Appends `count` transactions from number `first`, plus undecodable payloads at `bad`; returns the stored rows. */
async function writeStream(writer: LogWriter, first: number, count: number, ends: number[], bad: ReadonlySet<number> = new Set()): Promise<WarehouseRecord[]> {
  const out: WarehouseRecord[] = [];
  const scratch = Buffer.alloc(4096);
  for (let i = first; i < first + count; i++) {
    const t = txn(i);
    const p = partitionOf(t.tenant, t.terminal_id, PARTITIONS);
    if (bad.has(i)) {
      // A valid header around a line that is not JSON: ingest would never write it.
      const line = Buffer.from('{"txn_id":');
      const n = encodeIngestedRecord(scratch, Buffer.from(t.tenant), t.terminal_id, t.seq, t.received_at, line, 0, line.length);
      writer.append(p, scratch.subarray(0, n));
    } else {
      const line = Buffer.from(lineOf(t));
      const n = encodeIngestedRecord(scratch, Buffer.from(t.tenant), t.terminal_id, t.seq, t.received_at, line, 0, line.length);
      writer.append(p, scratch.subarray(0, n));
      out.push({ ...t, log_partition: p, log_offset: ends[p]! });
    }
    ends[p]!++;
  }
  await writer.commit();
  return out;
}

async function storedRows(wh: ParquetWarehouse): Promise<WarehouseRecord[]> {
  const rows: WarehouseRecord[] = [];
  for (const tenant of ['acme', 'globex']) {
    for (const store of ['S0', 'S1', 'S2', 'S3']) rows.push(...(await allPages(wh, tenant, store, 0, DAY0 + 10 * DAY, 500)).rows);
  }
  return rows.sort((a, b) => a.log_partition - b.log_partition || a.log_offset - b.log_offset);
}

const byLog = (a: WarehouseRecord, b: WarehouseRecord): number => a.log_partition - b.log_partition || a.log_offset - b.log_offset;

describe('WarehouseFeeder', () => {
  it('feeds every decodable record of a SegmentLog exactly once and checkpoints the end offsets', async () => {
    await using dir = await tempDir('tpay-feeder-test-');
    const log = await SegmentLog.open(`${dir.path}/log`, { partitions: PARTITIONS, durability: 'write', segmentBytes: 64 * 1024 });
    const writer = await log.openWriter([0, 1, 2, 3]);
    const ends = [0, 0, 0, 0];
    const expected = await writeStream(writer, 0, 700, ends, new Set([5, 77, 301]));
    const wh = await ParquetWarehouse.open(`${dir.path}/warehouse`, { threads: 1 });
    const feeder = new WarehouseFeeder({ log, warehouse: wh, maxBatchRecords: 64, pollIntervalMs: 10, maxDelayMs: 60_000 });
    await feeder.start();
    await feeder.flush();
    assert.deepEqual(await storedRows(wh), expected.sort(byLog));
    assert.equal(feeder.stats.appended, 697);
    assert.equal(feeder.stats.skipped, 3);
    for (let p = 0; p < PARTITIONS; p++) {
      assert.equal(wh.committedOffset(p), ends[p]);
      assert.equal(await log.loadCheckpoint('warehouse', p), ends[p]);
    }
    // More records while running: a flush waits for them too.
    expected.push(...(await writeStream(writer, 700, 150, ends)));
    await feeder.flush();
    await feeder.stop();
    assert.deepEqual(await storedRows(wh), expected.sort(byLog));
    for (let p = 0; p < PARTITIONS; p++) assert.equal(await log.loadCheckpoint('warehouse', p), ends[p]);
    await wh.close();
    await log.close();
  });

  it('resumes where the warehouse stands after a restart, with no duplicate, without start()', async () => {
    await using dir = await tempDir('tpay-feeder-test-');
    const log = await SegmentLog.open(`${dir.path}/log`, { partitions: PARTITIONS, durability: 'write' });
    const writer = await log.openWriter([0, 1, 2, 3]);
    const ends = [0, 0, 0, 0];
    const expected = await writeStream(writer, 0, 200, ends);
    let wh = await ParquetWarehouse.open(`${dir.path}/warehouse`, { threads: 1 });
    await new WarehouseFeeder({ log, warehouse: wh }).flush();
    await wh.close();
    expected.push(...(await writeStream(writer, 200, 100, ends)));
    wh = await ParquetWarehouse.open(`${dir.path}/warehouse`, { threads: 1 });
    const feeder = new WarehouseFeeder({ log, warehouse: wh, maxBatchRecords: 7 });
    await feeder.flush();
    assert.equal(feeder.stats.appended, 100);
    assert.deepEqual(await storedRows(wh), expected.sort(byLog));
    assert.equal(wh.stats().rows, 300);
    await feeder.stop();
    await wh.close();
    await log.close();
  });

  it('appends a quiet partition after maxDelayMs rather than every poll, and stop() appends what is buffered', async () => {
    await using dir = await tempDir('tpay-feeder-test-');
    const log = await SegmentLog.open(`${dir.path}/log`, { partitions: PARTITIONS, durability: 'write' });
    const writer = await log.openWriter([0, 1, 2, 3]);
    const ends = [0, 0, 0, 0];
    await writeStream(writer, 0, 1, ends);
    const p = ends.findIndex((e) => e === 1);
    const wh = await ParquetWarehouse.open(`${dir.path}/warehouse`, { threads: 1 });
    const feeder = new WarehouseFeeder({ log, warehouse: wh, pollIntervalMs: 10, maxDelayMs: 400 });
    const started = performance.now();
    await feeder.start();
    await new Promise((r) => setTimeout(r, 150));
    assert.equal(wh.committedOffset(p), 0, 'appended before maxDelayMs');
    while (wh.committedOffset(p) === 0 && performance.now() - started < 10_000) await new Promise((r) => setTimeout(r, 10));
    assert.equal(wh.committedOffset(p), 1);
    assert.ok(performance.now() - started >= 400);
    await writeStream(writer, 1, 5, ends);
    await new Promise((r) => setTimeout(r, 100));
    await feeder.stop();
    for (let q = 0; q < PARTITIONS; q++) assert.equal(wh.committedOffset(q), ends[q]);
    assert.equal(wh.stats().rows, 6);
    await wh.close();
    await log.close();
  });

  it('rejects unknown options and partitions the log does not have', async () => {
    await using dir = await tempDir('tpay-feeder-test-');
    const log = await SegmentLog.open(`${dir.path}/log`, { partitions: PARTITIONS, durability: 'write' });
    const wh = await ParquetWarehouse.open(`${dir.path}/warehouse`, { threads: 1 });
    assert.throws(() => new WarehouseFeeder({ log, warehouse: wh, batch: 5 } as never), /unknown WarehouseFeeder option 'batch'/);
    assert.throws(() => new WarehouseFeeder({ log, warehouse: wh, partitions: [4] }), { code: 'warehouse_invalid_argument' });
    await wh.close();
    await log.close();
  });
});
