/**
 * The serving snapshot on disk: written while the stream keeps applying
 * (copy on write: the file holds the state of the moment it began), read
 * back in slabs, each block checked before its numbers are first served,
 * and refused with a clear error when damaged.
 */
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { open, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { after, describe, it } from 'node:test';
import { SUM_COUNT } from '../../src/domain/metrics.js';
import type { Store } from '../../src/domain/store.js';
import { ColumnarServingStore, ServingSnapshotError } from '../../src/serving/columnar-serving-store.js';
import type { SeriesQuery } from '../../src/serving/series-query.js';
import type { RollupDelta } from '../../src/serving/serving-store.js';
import { SlabReader } from '../../src/serving/slab-reader.js';
import { tempDir } from '../support/temp-dir.js';
import { V6_DAYS, V6_FIRST_DAY, v6Batches } from './snapshot-v6-data.js';

const DAY = 86_400_000;
const TODAY = Math.floor(Date.now() / DAY);
const stores: Store[] = [
  { store_id: 's-paris', name: 'Paris', lat: 48.85, lon: 2.35, country: 'FR', region: 'IDF', city: 'Paris', timezone: 'Europe/Paris', currency: 'EUR', acquirer: 'a', merchant_account: 'm1', bank_account: 'FR00', fee_plan: 'std' },
  { store_id: 's-tokyo', name: 'Tokyo', lat: 35.68, lon: 139.69, country: 'JP', region: 'Kanto', city: 'Tokyo', timezone: 'Asia/Tokyo', currency: 'JPY', acquirer: 'a', merchant_account: 'm2', bank_account: 'JP00', fee_plan: 'std' },
];

function deltas(from: number, count: number): RollupDelta[] {
  const out: RollupDelta[] = [];
  for (let i = 0; i < count; i++) {
    const rep = new Float64Array(SUM_COUNT);
    rep[0] = 1000 + i;
    rep[7] = 1;
    const quarter = (TODAY - 3) * 96 + ((from + i) % (96 * 4));
    out.push({ tenant: 't1', store: stores[i % 2]!, quarter, tender: i % 3 === 0 ? 'cash' : 'card', cardBrand: i % 3 === 0 ? null : 'visa', currency: i % 2 === 0 ? 'EUR' : 'JPY', rep, orig: rep.slice(0, 7) });
  }
  return out;
}

const query: SeriesQuery = { metrics: ['gross_sales', 'sale_count'], granularity: 'hour', tz: 'UTC', from: (TODAY - 4) * DAY, to: (TODAY + 1) * DAY, groupBy: [{ kind: 'store' }, { kind: 'tender' }], scopes: [], currency: 'reporting' };

describe('serving snapshot', () => {
  const tmp = tempDir('tpay-serving-snap-');
  after(() => tmp[Symbol.asyncDispose]());

  it('holds the state of the moment it began, while batches keep applying', async () => {
    const dir = join(tmp.path, 'cow');
    const s = await ColumnarServingStore.open(dir);
    s.setTenant('t1', { reportingCurrency: 'EUR', cutoffMinutes: 0 });
    s.apply({ partition: 0, endOffset: 100, deltas: deltas(0, 300) });
    const before = JSON.stringify(s.series('t1', query));
    const writing = s.snapshot();
    // Applied while the file is being written: into the same chunks, and new ones.
    s.apply({ partition: 0, endOffset: 200, deltas: deltas(7, 300) });
    const info = await writing;
    assert.deepEqual([...info.offsets], [[0, 100]]);
    const live = JSON.stringify(s.series('t1', query));
    assert.notEqual(live, before);
    const back = await ColumnarServingStore.open(dir);
    assert.equal(back.appliedOffset(0), 100);
    assert.equal(JSON.stringify(back.series('t1', query)), before);
    // The live store goes on changing its own copies; the reopened one is untouched.
    s.apply({ partition: 0, endOffset: 300, deltas: deltas(11, 50) });
    assert.equal(JSON.stringify(back.series('t1', query)), before);
    // The next snapshot holds everything.
    await s.snapshot();
    assert.equal(JSON.stringify((await ColumnarServingStore.open(dir)).series('t1', query)), JSON.stringify(s.series('t1', query)));
  });

  const waitForSweep = async (s: ColumnarServingStore): Promise<void> => {
    while (s.verifyingSnapshot) await new Promise((r) => setImmediate(r));
  };
  const isCorrupt = (file: string) => (e: unknown): boolean => e instanceof ServingSnapshotError && e.code === 'serving_snapshot_corrupt' && e.message.includes(file);

  it('refuses a damaged head or a cut file at start-up, and a damaged block before any number of it is served', async () => {
    const dir = join(tmp.path, 'bad');
    const s = await ColumnarServingStore.open(dir);
    s.setTenant('t1', { reportingCurrency: 'EUR', cutoffMinutes: 0 });
    s.apply({ partition: 0, endOffset: 10, deltas: deltas(0, 200) });
    await s.snapshot();
    const want = JSON.stringify(s.series('t1', query));
    const file = join(dir, 'snapshot.bin');
    const good = await readFile(file);
    const firstBlock = (16 + good.readUInt32LE(8) + 7) & ~7;
    const damaged = async (at: number): Promise<void> => {
      const b = Buffer.from(good);
      b[at]! ^= 0x40;
      await writeFile(file, b);
    };
    // The header, a block's head, a cut file: refused before the store opens.
    for (const at of [20, firstBlock + 4, firstBlock + 16]) {
      await damaged(at);
      await assert.rejects(ColumnarServingStore.open(dir), isCorrupt(file), `byte ${String(at)}`);
    }
    await writeFile(file, good.subarray(0, good.length - 100));
    await assert.rejects(ColumnarServingStore.open(dir), isCorrupt(file));
    // A block's rows (the first store's first chunk): the store opens, and the first read of them fails, and every read after.
    await damaged(firstBlock + 24 + 16);
    const hurt = await ColumnarServingStore.open(dir);
    assert.throws(() => hurt.series('t1', query), (e: unknown) => isCorrupt(file)(e) && (e as Error).message.includes('block 0 fails its checksum'));
    assert.throws(() => hurt.series('t1', { ...query, storeIds: ['s-tokyo'] }), isCorrupt(file));
    await assert.rejects(hurt.snapshot(), isCorrupt(file));
    // Untouched, the background check finds it on its own.
    const swept = await ColumnarServingStore.open(dir);
    await waitForSweep(swept);
    assert.throws(() => swept.series('t1', { ...query, storeIds: ['s-tokyo'] }), isCorrupt(file));
    await writeFile(file, good);
    const back = await ColumnarServingStore.open(dir);
    assert.equal(back.appliedOffset(0), 10);
    assert.equal(JSON.stringify(back.series('t1', query)), want);
    await waitForSweep(back);
    assert.equal(JSON.stringify(back.series('t1', query)), want);
  });

  it('opens a snapshot of versions 5 and 6 with the answers they were written with, and refuses a newer one', async () => {
    // Breakdowns at hour grain kept for ever here, so the fixture's stay in the window whenever this runs.
    const opts = { hotDays: 100_000 };
    const live = await ColumnarServingStore.open(join(tmp.path, 'live'), opts);
    live.setTenant('t1', { reportingCurrency: 'EUR', cutoffMinutes: 240 });
    for (const b of v6Batches()) live.apply(b);
    live.age();
    const from = V6_FIRST_DAY * DAY;
    const to = (V6_FIRST_DAY + V6_DAYS + 1) * DAY;
    const questions: SeriesQuery[] = [
      { metrics: ['net_sales', 'tax', 'sale_count', 'refund_count', 'items', 'avg_basket'], granularity: 'day', tz: 'store', from, to, groupBy: [{ kind: 'tender' }], scopes: [], currency: 'reporting' },
      { metrics: ['gross_sales', 'net_sales'], granularity: 'week', tz: 'UTC', from, to, groupBy: [{ kind: 'currency' }], scopes: [], currency: 'original' },
      // From 2026-11-10: the file kept breakdowns at hour grain for the 35 days before it was written.
      { metrics: ['net_sales', 'sale_count'], granularity: 'hour', tz: 'Asia/Kolkata', from: Date.UTC(2026, 10, 10), to, groupBy: [{ kind: 'card_brand' }], scopes: [], currency: 'reporting' },
      { metrics: ['net_revenue', 'refunds'], granularity: 'month', tz: 'store', from, to, groupBy: [{ kind: 'country' }], scopes: [], currency: 'reporting' },
    ];
    const answers = (s: ColumnarServingStore): string => JSON.stringify(questions.map((q) => s.series('t1', q)));
    const want = answers(live);
    assert.ok(want.length > 20_000, 'the questions have answers');
    const dir = join(tmp.path, 'v6');
    mkdirSync(dir, { recursive: true });
    const file = join(dir, 'snapshot.bin');
    const v6 = await readFile(join('test', 'data', 'serving-v6', 'snapshot.bin'));
    await writeFile(file, v6);
    const old = await ColumnarServingStore.open(dir, opts);
    assert.deepEqual([old.appliedOffset(0), old.appliedOffset(1)], [650, 660]);
    assert.equal(answers(old), want);
    // Its next snapshot is of this version, with the same answers.
    await old.snapshot();
    assert.equal((await readFile(file)).readUInt32LE(4), 7);
    assert.equal(answers(await ColumnarServingStore.open(dir, opts)), want);
    const withVersion = async (v: number): Promise<void> => {
      const b = Buffer.from(v6);
      b.writeUInt32LE(v, 4);
      b.writeUInt32LE(crc32(b.subarray(0, b.length - 4)), b.length - 4);
      await writeFile(file, b);
    };
    await withVersion(5);
    assert.equal(answers(await ColumnarServingStore.open(dir, opts)), want);
    await withVersion(8);
    await assert.rejects(ColumnarServingStore.open(dir), (e: unknown) => e instanceof ServingSnapshotError && e.message.includes('has version 8'));
  });

  it('reads a file in slabs: views across slab ends, and the CRC of every byte', async () => {
    const file = join(tmp.path, 'slabs.bin');
    const data = Buffer.alloc(10_000);
    for (let i = 0; i < data.length; i++) data[i] = (i * 31) & 0xff;
    await writeFile(file, data);
    const fh = await open(file, 'r');
    try {
      const r = new SlabReader(fh, data.length, 1024);
      let at = 0;
      for (const n of [8, 1000, 24, 3000, 16, 5952]) {
        await r.want(n);
        const b = r.take(n);
        assert.ok(b.equals(data.subarray(at, at + n)), `bytes ${String(at)}+${String(n)}`);
        assert.equal(b.byteOffset % 8, 0, 'an 8-aligned position gives an 8-aligned view');
        at += n;
      }
      assert.equal(r.crc, crc32(data));
      await assert.rejects(r.want(1), RangeError);
    } finally {
      await fh.close();
    }
  });

  it('reads a file in slabs read ahead: blocks across every slab end come back whole, in order', async () => {
    const file = join(tmp.path, 'ahead.bin');
    const data = Buffer.alloc(100_000);
    for (let i = 0; i < data.length; i++) data[i] = (i * 131 + (i >> 8)) & 0xff;
    await writeFile(file, data);
    const fh = await open(file, 'r');
    try {
      // Slabs of 4,096 bytes, each read ahead from 2,048 bytes before the last one ends; blocks of 8 to 3,000 bytes.
      const r = new SlabReader(fh, data.length, 4096);
      let at = 0;
      for (let k = 0; at < data.length; k++) {
        const n = Math.min(data.length - at, 8 * (1 + ((k * 37) % 375)));
        if (!r.has(n)) await r.want(n);
        // Every other block as a Buffer, the others in place (as block heads are read): both are summed into the CRC.
        const b = k % 2 === 0 ? r.take(n) : Buffer.from(r.view.buffer, r.view.byteOffset + r.takeAt(n), n);
        assert.ok(b.equals(data.subarray(at, at + n)), `bytes ${String(at)}+${String(n)}`);
        assert.equal(b.byteOffset % 8, 0, 'an 8-aligned position gives an 8-aligned view');
        at += n;
      }
      assert.equal(at, data.length);
      assert.equal(r.crc, crc32(data));
    } finally {
      await fh.close();
    }
  });
});
