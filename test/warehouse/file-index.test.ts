/**
 * The in-memory side of the Parquet warehouse, without files: the per-file
 * index, its saved form, the store-page plan and the rule that keeps files
 * alive while queries read them.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildFileIndex, mergeFileIndexes, parseFileIndex, serializeFileIndex, storeOrdinal, storesOfTxn, txnHash } from '../../src/warehouse/file-index.js';
import type { FileIndex } from '../../src/warehouse/file-index.js';
import { FileSet } from '../../src/warehouse/parquet-file-set.js';
import type { DataFile } from '../../src/warehouse/parquet-file-set.js';
import { filePaths } from '../../src/warehouse/parquet-layout.js';
import { decodeCursor, encodeCursor } from '../../src/warehouse/page-cursor.js';
import { storeSlices, windowEnd } from '../../src/warehouse/store-page-plan.js';

const index = (): FileIndex => buildFileIndex(['S2', 'S1', 'S2', 'Zürich', 'S1'], ['t-1', 't-2', 't-3', 't-4', 't-5'], [500, 100, 300, 900, 200]);

function file(name: string, ix: FileIndex): DataFile {
  return { tenant: 'acme', date: '2026-03-01', name, rows: ix.rows, bytes: 1, paths: filePaths('/w', 'acme', '2026-03-01', name), index: ix };
}

describe('file index', () => {
  it('counts each store and its first and last ts, and finds each txn_id with its store', () => {
    const ix = index();
    assert.deepEqual(ix.stores, ['S1', 'S2', 'Zürich']);
    assert.deepEqual([...ix.storeRows], [2, 2, 1]);
    assert.deepEqual([...ix.storeMinTs], [100, 300, 900]);
    assert.deepEqual([...ix.storeMaxTs], [200, 500, 900]);
    assert.deepEqual([ix.minTs, ix.maxTs, ix.rows], [100, 900, 5]);
    assert.equal(storeOrdinal(ix, 'S2'), 1);
    assert.equal(storeOrdinal(ix, 'S3'), -1);
    assert.deepEqual(storesOfTxn(ix, 't-4'), ['Zürich']);
    assert.deepEqual(storesOfTxn(ix, 't-6'), []);
    assert.deepEqual([...ix.hashes], [...ix.hashes].sort((a, b) => a - b));
  });

  it('merges indexes into the index of the merged rows', () => {
    const a = buildFileIndex(['S1', 'S3'], ['a', 'b'], [10, 20]);
    const b = buildFileIndex(['S3', 'S2', 'S1'], ['c', 'd', 'e'], [5, 30, 40]);
    const merged = mergeFileIndexes([a, b]);
    const direct = buildFileIndex(['S1', 'S3', 'S3', 'S2', 'S1'], ['a', 'b', 'c', 'd', 'e'], [10, 20, 5, 30, 40]);
    assert.deepEqual(merged, direct);
  });

  it('saves and loads exactly, and rejects any damaged byte', () => {
    const ix = index();
    const bytes = serializeFileIndex(ix);
    assert.deepEqual(parseFileIndex(bytes), ix);
    for (let i = 0; i < bytes.length; i += 7) {
      const bad = Buffer.from(bytes);
      bad[i]! ^= 0x40;
      assert.equal(parseFileIndex(bad), null, `byte ${String(i)} flipped`);
    }
    assert.equal(parseFileIndex(bytes.subarray(0, bytes.length - 1)), null);
  });

  it('hashes txn_ids with FNV-1a', () => {
    assert.equal(txnHash(''), 0x811c9dc5);
    assert.equal(txnHash('a'), 0xe40c292c);
  });
});

describe('store page plan', () => {
  // Three days of a store with 60 rows each, and a file that only has the store outside the range.
  const day = (name: string, start: number): DataFile =>
    file(
      name,
      buildFileIndex(
        Array.from({ length: 60 }, () => 'S1'),
        Array.from({ length: 60 }, (_, i) => `${name}-${String(i)}`),
        Array.from({ length: 60 }, (_, i) => start + i),
      ),
    );
  const files = [day('d3', 3000), day('d1', 1000), day('d2', 2000), day('d9', 9000)];

  it('takes files in time order until they hold the page, skipping files outside the range or without the store', () => {
    const slices = storeSlices(files, 'S1', 1000, 5000);
    assert.deepEqual(
      slices.map((s) => s.file.name),
      ['d1', 'd2', 'd3'],
    );
    assert.equal(windowEnd(slices, 0, 101), 2);
    assert.equal(windowEnd(slices, 0, 60), 1);
    assert.equal(windowEnd(slices, 2, 1000), 3);
    assert.deepEqual(storeSlices(files, 'S9', 0, 1e9), []);
  });

  it('keeps every file that overlaps the window in time in the same window', () => {
    const overlapping = [day('a', 1000), day('b', 1050), day('c', 1100)];
    assert.equal(windowEnd(storeSlices(overlapping, 'S1', 0, 1e9), 0, 1), 3);
  });
});

describe('page cursor', () => {
  it('round-trips its key and refuses anything else', () => {
    const key = { ts: 1_772_359_200_123, txnId: 'S1-T1-000001', partition: 7, offset: 123_456_789 };
    assert.deepEqual(decodeCursor(encodeCursor(key)), key);
    assert.throws(() => decodeCursor(encodeCursor(key).slice(1)), { code: 'warehouse_invalid_cursor' });
    assert.throws(() => decodeCursor(Buffer.from('[2,1,"x",0,0]').toString('base64url')), { code: 'warehouse_invalid_cursor' });
  });
});

describe('file set', () => {
  it('deletes a retired file only once no query planned before its retirement is running', () => {
    const set = new FileSet(1);
    const old = file('p0000-000000000000-000000000010', index());
    set.add(old);
    const early = set.pin(); // a query planned on generation 1
    set.generation = 2;
    set.retire([old], 2);
    assert.deepEqual(set.filesOf('acme', '2026-03-01', '2026-03-01'), []);
    const late = set.pin(); // planned on generation 2: cannot see the old file
    assert.deepEqual(set.takeReapable(), []);
    set.unpin(early);
    assert.deepEqual(set.takeReapable(), [old]);
    assert.deepEqual(set.takeReapable(), []);
    set.unpin(late);
  });
});
