/**
 * The conformance suite of the `Warehouse` port: every adapter runs it (see
 * parquet-warehouse.test.ts). Facts about the product, with exact values:
 * what goes in comes out, pages are complete and stable, tenants never see
 * each other's rows, log offsets are stored exactly once.
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { Warehouse, WarehouseRecord } from '../../src/warehouse/warehouse.js';
import { DAY, DAY0, HOUR, allPages, keys, pageOrder, range, sale } from './support.js';

export interface WarehouseFixture {
  warehouse: Warehouse;
  /** Close the current warehouse and open the same storage again. */
  reopen(): Promise<Warehouse>;
  /** Close whatever is open and delete the storage. */
  dispose(): Promise<void>;
}

const ALL_TIME: [number, number] = [0, DAY0 + 400 * DAY];

export function runWarehouseConformance(name: string, make: () => Promise<WarehouseFixture>): void {
  describe(`Warehouse conformance: ${name}`, () => {
    let fx: WarehouseFixture;
    let wh: Warehouse;
    beforeEach(async () => {
      fx = await make();
      wh = fx.warehouse;
    });
    afterEach(async () => {
      await fx.dispose();
    });

    it('stores every field exactly: nulls, non-ASCII ids, JPY and BHD amounts, 2^53-1', async () => {
      const yen = sale({
        log_offset: 0,
        txn_id: 'JP-0001',
        store_id: '東京-01',
        terminal_id: 'Kasse-ü-1',
        ts_offset_min: 540,
        amount_minor: 1_000_000, // ¥1,000,000: JPY has no minor unit
        currency: 'JPY',
        tax_minor: 90_909,
        discount_minor: 0,
        tender: 'cash',
        card_brand: null,
        items: null,
      });
      const dinar = sale({
        log_offset: 1,
        txn_id: 'BH-0001',
        store_id: 'منامة-1',
        terminal_id: '🧾-till-1',
        type: 'refund',
        ts_offset_min: 180,
        amount_minor: 12_345, // 12.345 BHD: three decimals
        currency: 'BHD',
        tax_minor: 0,
        tender: 'card',
        card_brand: 'amex',
        items: 0,
        ref_txn_id: 'BH-0000',
      });
      const huge = sale({
        log_offset: 2,
        txn_id: 'MAX.1:_-x',
        type: 'void',
        seq: Number.MAX_SAFE_INTEGER,
        ts_offset_min: -330,
        amount_minor: Number.MAX_SAFE_INTEGER,
        tax_minor: Number.MAX_SAFE_INTEGER,
        discount_minor: Number.MAX_SAFE_INTEGER,
        items: Number.MAX_SAFE_INTEGER,
        tender: 'wallet',
        card_brand: null,
        ref_txn_id: 'S1-T1-000001',
        ts: DAY0 + 123, // milliseconds survive
        received_at: DAY0 + 1_000_456,
      });
      await wh.append(0, 0, 3, [yen, dinar, huge]);
      assert.deepEqual(await wh.findTransaction('acme', 'JP-0001'), [yen]);
      assert.deepEqual(await wh.findTransaction('acme', 'BH-0001'), [dinar]);
      assert.deepEqual(await wh.findTransaction('acme', 'MAX.1:_-x'), [huge]);
      assert.deepEqual((await wh.storeTransactions('acme', '東京-01', ...ALL_TIME, { limit: 10 })).items, [yen]);
      assert.deepEqual((await wh.storeTransactions('acme', 'منامة-1', ...ALL_TIME, { limit: 10 })).items, [dinar]);
      wh = await fx.reopen();
      assert.deepEqual(await wh.findTransaction('acme', 'BH-0001'), [dinar]);
    });

    it('pages through a store completely, in (ts, txn_id, partition, offset) order, each row once', async () => {
      // Three partitions, several appends each (several files per day), ties on ts and on txn_id.
      const all: WarehouseRecord[] = [];
      for (let p = 0; p < 3; p++) {
        for (let batch = 0; batch < 4; batch++) {
          const rows = range(p, batch * 30, batch * 30 + 30, (o) => ({
            store_id: o % 3 === 0 ? 'S2' : 'S1',
            ts: DAY0 + (o % 5) * DAY + Math.floor(o / 4) * HOUR, // runs of equal ts
            txn_id: o % 7 === 0 ? 'DUP' : `p${String(p)}-${String(o)}`,
          }));
          await wh.append(p, batch * 30, batch * 30 + 30, rows);
          all.push(...rows);
        }
      }
      const expected = all.filter((r) => r.store_id === 'S1').sort(pageOrder);
      assert.equal(expected.length, 240);
      const paged = await allPages(wh, 'acme', 'S1', ...ALL_TIME, 7);
      assert.deepEqual(paged.rows, expected);
      assert.equal(paged.pages, Math.ceil(240 / 7));
      const one = await wh.storeTransactions('acme', 'S1', ...ALL_TIME, { limit: 240 });
      assert.deepEqual(one, { items: expected, nextCursor: null });
      // A range inside the data, paged in odd sizes, is the matching slice.
      const from = DAY0 + DAY + 3 * HOUR;
      const to = DAY0 + 3 * DAY + 5 * HOUR;
      const slice = await allPages(wh, 'acme', 'S1', from, to, 11);
      assert.deepEqual(slice.rows, expected.filter((r) => r.ts >= from && r.ts < to));
    });

    it('keeps a cursor valid while rows are appended: later pages hold only rows after it', async () => {
      const first = range(0, 0, 20, (o) => ({ ts: DAY0 + o * HOUR }));
      await wh.append(0, 0, 20, first);
      const page1 = await wh.storeTransactions('acme', 'S1', ...ALL_TIME, { limit: 8 });
      assert.deepEqual(keys(page1.items), keys(first.slice(0, 8)));
      assert.notEqual(page1.nextCursor, null);
      // New rows before the cursor (late data) and after it.
      const late = range(1, 0, 10, (o) => ({ ts: DAY0 + o * 2 * HOUR + 30 * 60_000, txn_id: `late-${String(o)}` }));
      await wh.append(1, 0, 10, late);
      const rest: WarehouseRecord[] = [];
      for (let cursor = page1.nextCursor; cursor !== null; ) {
        const p = await wh.storeTransactions('acme', 'S1', ...ALL_TIME, { limit: 5, cursor });
        rest.push(...p.items);
        cursor = p.nextCursor;
      }
      const lastTs = page1.items[7]!.ts;
      const expected = [...first, ...late].filter((r) => r.ts > lastTs).sort(pageOrder);
      assert.deepEqual(rest, expected);
    });

    it('treats the time range as [from, to)', async () => {
      const t = DAY0 + 5 * HOUR;
      const rows = [t - 1, t, t + 999, t + 1000].map((ts, i) => sale({ log_offset: i, ts }));
      await wh.append(0, 0, 4, rows);
      const page = await wh.storeTransactions('acme', 'S1', t, t + 1000, { limit: 10 });
      assert.deepEqual(keys(page.items), ['0:1', '0:2']);
      assert.deepEqual((await wh.storeTransactions('acme', 'S1', t, t, { limit: 10 })).items, []);
    });

    it('never shows one tenant the rows of another', async () => {
      await wh.append(0, 0, 2, [sale({ log_offset: 0, tenant: 'acme', txn_id: 'X-1', amount_minor: 100 }), sale({ log_offset: 1, tenant: 'globex', txn_id: 'X-1', amount_minor: 200 })]);
      await wh.append(1, 0, 1, [sale({ log_offset: 0, log_partition: 1, tenant: 'globex', txn_id: 'X-2', amount_minor: 300, ts: DAY0 + 11 * HOUR })]);
      assert.deepEqual((await wh.findTransaction('acme', 'X-1')).map((r) => [r.tenant, r.amount_minor]), [['acme', 100]]);
      assert.deepEqual((await wh.findTransaction('globex', 'X-1')).map((r) => [r.tenant, r.amount_minor]), [['globex', 200]]);
      assert.deepEqual(await wh.findTransaction('acme', 'X-2'), []);
      const acme = await wh.storeTransactions('acme', 'S1', ...ALL_TIME, { limit: 10 });
      assert.deepEqual(acme.items.map((r) => r.amount_minor), [100]);
      const globex = await wh.storeTransactions('globex', 'S1', ...ALL_TIME, { limit: 10 });
      assert.deepEqual(globex.items.map((r) => r.amount_minor), [200, 300]);
      assert.deepEqual(await wh.findTransaction('initech', 'X-1'), []);
      assert.deepEqual(await wh.storeTransactions('initech', 'S1', ...ALL_TIME, { limit: 10 }), { items: [], nextCursor: null });
    });

    it('stores each log offset exactly once: replays are no-ops, overlaps add only the new part, gaps are refused', async () => {
      await wh.append(0, 0, 10, range(0, 0, 10));
      assert.equal(wh.committedOffset(0), 10);
      await wh.append(0, 0, 10, range(0, 0, 10));
      await wh.append(0, 3, 7, range(0, 3, 7));
      await wh.append(0, 5, 15, range(0, 5, 15));
      assert.equal(wh.committedOffset(0), 15);
      await assert.rejects(wh.append(0, 20, 25, range(0, 20, 25)), { code: 'warehouse_offset_gap', name: 'WarehouseOffsetGapError' });
      assert.equal(wh.committedOffset(0), 15);
      assert.equal(wh.committedOffset(1), 0);
      const rows = (await allPages(wh, 'acme', 'S1', ...ALL_TIME, 4)).rows;
      assert.deepEqual(keys(rows), keys(range(0, 0, 15)));
      wh = await fx.reopen();
      assert.equal(wh.committedOffset(0), 15);
      assert.equal((await allPages(wh, 'acme', 'S1', ...ALL_TIME, 100)).rows.length, 15);
    });

    it('advances the offset over a range that has no storable records', async () => {
      await wh.append(1, 0, 100, []);
      assert.equal(wh.committedOffset(1), 100);
      await wh.append(1, 100, 102, range(1, 100, 102));
      assert.equal(wh.committedOffset(1), 102);
      wh = await fx.reopen();
      assert.equal(wh.committedOffset(1), 102);
      assert.deepEqual(keys((await wh.storeTransactions('acme', 'S1', ...ALL_TIME, { limit: 10 })).items), ['1:100', '1:101']);
    });

    it('finds every row of a txn_id in log order, on any day, and nothing for an unknown one', async () => {
      await wh.append(2, 0, 3, [
        sale({ log_partition: 2, log_offset: 0, txn_id: 'R-9', ts: DAY0 + 20 * DAY }),
        sale({ log_partition: 2, log_offset: 1, txn_id: 'R-8' }),
        sale({ log_partition: 2, log_offset: 2, txn_id: 'R-9', store_id: 'S7', ts: DAY0 - 40 * DAY }),
      ]);
      await wh.append(0, 0, 1, [sale({ log_offset: 0, txn_id: 'R-9', type: 'void', ref_txn_id: 'R-8' })]);
      assert.deepEqual(keys(await wh.findTransaction('acme', 'R-9')), ['0:0', '2:0', '2:2']);
      assert.deepEqual(await wh.findTransaction('acme', 'R-10'), []);
    });

    it('keeps exactly the same rows through compaction', async () => {
      const all: WarehouseRecord[] = [];
      for (let b = 0; b < 6; b++) {
        const rows = range(b % 2, b * 20, b * 20 + 20, (o) => ({ store_id: `S${String(o % 4)}`, ts: DAY0 + (o % 3) * DAY + o * 60_000, txn_id: `c-${String(o)}` }));
        await wh.append(b % 2, wh.committedOffset(b % 2), b * 20 + 20, rows);
        all.push(...rows);
      }
      const dump = async (): Promise<WarehouseRecord[]> => {
        const out: WarehouseRecord[] = [];
        for (const s of ['S0', 'S1', 'S2', 'S3']) out.push(...(await allPages(wh, 'acme', s, ...ALL_TIME, 9)).rows);
        return out;
      };
      const before = await dump();
      assert.equal(before.length, all.length);
      await wh.compact();
      assert.deepEqual(await dump(), before);
      assert.deepEqual(await wh.findTransaction('acme', 'c-77'), all.filter((r) => r.txn_id === 'c-77'));
      wh = await fx.reopen();
      assert.deepEqual(await dump(), before);
    });

    it('deletes whole UTC days older than the retention limit, and only those', async () => {
      const rows = [-3, -2, -1, 0].flatMap((d, i) => [
        sale({ log_offset: 2 * i, ts: DAY0 + d * DAY + 1000, txn_id: `a${String(d)}` }),
        sale({ log_offset: 2 * i + 1, tenant: 'globex', ts: DAY0 + d * DAY + 2000, txn_id: `g${String(d)}` }),
      ]);
      await wh.append(0, 0, 8, rows);
      // Cut-off 1.5 days before now: day -3 ended 2 days before now, day -2 only 1 day before.
      const result = await wh.applyRetention(2, DAY0 + 12 * HOUR);
      assert.deepEqual(result.deletedDays, 2);
      assert.equal(result.deletedRows, 2);
      assert.deepEqual(await wh.findTransaction('acme', 'a-3'), []);
      assert.deepEqual(await wh.findTransaction('globex', 'g-3'), []);
      assert.deepEqual(keys(await wh.findTransaction('acme', 'a-2')), ['0:2']);
      assert.deepEqual(keys((await wh.storeTransactions('acme', 'S1', ...ALL_TIME, { limit: 10 })).items), ['0:2', '0:4', '0:6']);
      assert.equal(wh.committedOffset(0), 8);
      assert.deepEqual((await wh.applyRetention(2, DAY0 + 12 * HOUR)).deletedRows, 0);
    });

    it('refuses cursors it did not issue, bad limits and records that do not match their range', async () => {
      await wh.append(0, 0, 3, range(0, 0, 3));
      for (const cursor of ['nope', 'WzEsMiwzXQ', Buffer.from('[1,"x","y",0,0]').toString('base64url'), 'a'.repeat(5000)]) {
        await assert.rejects(wh.storeTransactions('acme', 'S1', ...ALL_TIME, { limit: 2, cursor }), { code: 'warehouse_invalid_cursor' });
      }
      for (const limit of [0, -1, 1.5, 10_001]) {
        await assert.rejects(wh.storeTransactions('acme', 'S1', ...ALL_TIME, { limit }), { code: 'warehouse_invalid_argument' });
      }
      await assert.rejects(wh.append(0, 3, 5, range(1, 3, 5)), { code: 'warehouse_invalid_argument' });
      await assert.rejects(wh.append(0, 3, 5, range(0, 3, 6)), { code: 'warehouse_invalid_argument' });
      await assert.rejects(wh.append(0, 3, 5, [sale({ log_offset: 4 }), sale({ log_offset: 3 })]), { code: 'warehouse_invalid_argument' });
      await assert.rejects(wh.append(0, 3, 4, [sale({ log_offset: 3, amount_minor: 12.5 })]), { code: 'warehouse_invalid_argument' });
      assert.equal(wh.committedOffset(0), 3);
      assert.equal((await wh.storeTransactions('acme', 'S1', ...ALL_TIME, { limit: 10 })).items.length, 3);
    });

    it('refuses every call once closed', async () => {
      await wh.close();
      await assert.rejects(wh.append(0, 0, 1, range(0, 0, 1)), { code: 'warehouse_closed' });
      await assert.rejects(wh.storeTransactions('acme', 'S1', ...ALL_TIME, { limit: 1 }), { code: 'warehouse_closed' });
      await assert.rejects(wh.findTransaction('acme', 'x'), { code: 'warehouse_closed' });
      await assert.rejects(wh.compact(), { code: 'warehouse_closed' });
    });
  });
}
