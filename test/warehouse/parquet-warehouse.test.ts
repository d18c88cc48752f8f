/**
 * ParquetWarehouse: the shared Warehouse conformance suite, then what only a
 * file-based warehouse has: the layout other Parquet tools read, crash
 * recovery (files beyond the manifest, a commit cut before its renames, a
 * real kill -9), index rebuilds, the directory lock, compaction under
 * concurrent queries, retention of directories.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { copyFile, readFile, readdir, rename, rm, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { DuckDBInstance } from '@duckdb/node-api';
import { ParquetWarehouse } from '../../src/warehouse/parquet-warehouse.js';
import type { WarehouseRecord } from '../../src/warehouse/warehouse.js';
import { tempDir } from '../log/temp-dir.js';
import { CRASH_PARTITIONS, crashRecord, crashSkipped } from './crash-child.js';
import { DAY, DAY0, HOUR, allPages, keys, pageOrder, range, sale } from './support.js';
import { runWarehouseConformance } from './warehouse-conformance.js';
import type { WarehouseFixture } from './warehouse-conformance.js';

const CRASH_CHILD = fileURLToPath(new URL('./crash-child.js', import.meta.url));

async function fixture(): Promise<WarehouseFixture> {
  const dir = await tempDir('tpay-wh-test-');
  let current = await ParquetWarehouse.open(dir.path, { threads: 1 });
  return {
    warehouse: current,
    reopen: async () => {
      await current.close();
      current = await ParquetWarehouse.open(dir.path, { threads: 1 });
      return current;
    },
    dispose: async () => {
      await current.close();
      await dir[Symbol.asyncDispose]();
    },
  };
}

runWarehouseConformance('ParquetWarehouse', fixture);

/** Every file under `root`, relative, sorted. */
async function tree(root: string): Promise<string[]> {
  const out = (await readdir(root, { recursive: true, withFileTypes: true })).filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name).slice(root.length + 1));
  return out.sort();
}

/** What an outside tool sees: every `*.parquet` under the Hive layout, read by a separate DuckDB. */
async function outsideView(root: string, sql: string): Promise<unknown[][]> {
  const db = await DuckDBInstance.create(':memory:');
  const c = await db.connect();
  try {
    const r = await c.runAndReadAll(sql.replaceAll('$FILES', `read_parquet('${root}/tenant=*/date=*/*.parquet', hive_partitioning = true)`));
    return r.getRowsJS() as unknown[][];
  } finally {
    c.closeSync();
    db.closeSync();
  }
}

describe('ParquetWarehouse on disk', () => {
  it('writes Hive-partitioned Parquet files that DuckDB read_parquet reads back with proper types', async () => {
    await using dir = await tempDir('tpay-wh-test-');
    const wh = await ParquetWarehouse.open(dir.path, { threads: 1 });
    await wh.append(7, 0, 4, [
      sale({ log_partition: 7, log_offset: 0, amount_minor: Number.MAX_SAFE_INTEGER - 1 }),
      sale({ log_partition: 7, log_offset: 1, tenant: 'globex' }),
      sale({ log_partition: 7, log_offset: 2, ts: DAY0 + DAY + 5 }),
      sale({ log_partition: 7, log_offset: 3, store_id: 'Zürich-1', discount_minor: 12 }),
    ]);
    await wh.close();
    assert.deepEqual(await tree(dir.path), [
      '_manifest.json',
      'tenant=acme/date=2026-03-01/_p0007-000000000000-000000000004.idx',
      'tenant=acme/date=2026-03-01/p0007-000000000000-000000000004.parquet',
      'tenant=acme/date=2026-03-02/_p0007-000000000000-000000000004.idx',
      'tenant=acme/date=2026-03-02/p0007-000000000000-000000000004.parquet',
      'tenant=globex/date=2026-03-01/_p0007-000000000000-000000000004.idx',
      'tenant=globex/date=2026-03-01/p0007-000000000000-000000000004.parquet',
    ]);
    const types = await outsideView(dir.path, 'SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM $FILES)');
    assert.deepEqual(types, [
      ['tenant', 'VARCHAR'],
      ['txn_id', 'VARCHAR'],
      ['store_id', 'VARCHAR'],
      ['terminal_id', 'VARCHAR'],
      ['seq', 'BIGINT'],
      ['ts', 'TIMESTAMP WITH TIME ZONE'],
      ['ts_offset_min', 'INTEGER'],
      ['type', 'VARCHAR'],
      ['amount_minor', 'BIGINT'],
      ['currency', 'VARCHAR'],
      ['tax_minor', 'BIGINT'],
      ['discount_minor', 'BIGINT'],
      ['tender', 'VARCHAR'],
      ['card_brand', 'VARCHAR'],
      ['items', 'BIGINT'],
      ['ref_txn_id', 'VARCHAR'],
      ['received_at', 'TIMESTAMP WITH TIME ZONE'],
      ['log_partition', 'INTEGER'],
      ['log_offset', 'BIGINT'],
      ['date', 'DATE'],
    ]);
    const rows = await outsideView(
      dir.path,
      `SELECT tenant, strftime(date, '%Y-%m-%d'), log_offset, epoch_ms(ts), amount_minor, store_id, discount_minor FROM $FILES ORDER BY log_offset`,
    );
    assert.deepEqual(rows, [
      ['acme', '2026-03-01', 0n, BigInt(DAY0 + 10 * HOUR), BigInt(Number.MAX_SAFE_INTEGER - 1), 'S1', null],
      ['globex', '2026-03-01', 1n, BigInt(DAY0 + 10 * HOUR + 1000), 4599n, 'S1', null],
      ['acme', '2026-03-02', 2n, BigInt(DAY0 + DAY + 5), 4599n, 'S1', null],
      ['acme', '2026-03-01', 3n, BigInt(DAY0 + 10 * HOUR + 3000), 4599n, 'Zürich-1', 12n],
    ]);
  });

  it('discards files beyond the manifest after a crash, so a replay of the same offsets adds no duplicate', async () => {
    await using dir = await tempDir('tpay-wh-test-');
    let wh = await ParquetWarehouse.open(dir.path, { threads: 1 });
    await wh.append(0, 0, 10, range(0, 0, 10));
    await wh.close();
    // What an append of offsets 10..19 may leave when the process dies before its commit point:
    const day = join(dir.path, 'tenant=acme', 'date=2026-03-01');
    const done = join(day, 'p0000-000000000000-000000000010.parquet');
    await copyFile(done, join(day, 'p0000-000000000010-000000000020.parquet')); // complete file, never committed
    await copyFile(done, join(day, '_p0000-000000000010-000000000020.parquet.tmp'));
    await writeFile(join(day, '_p0000-000000000010-000000000020.idx.tmp'), 'partial');
    await writeFile(join(dir.path, '_manifest.json.tmp'), '{"format":1');
    await rm(join(dir.path, 'tenant=globex'), { recursive: true, force: true });
    await copyFile(done, join(day, 'stray-notes.txt')); // not ours: left alone
    wh = await ParquetWarehouse.open(dir.path, { threads: 1 });
    assert.equal(wh.committedOffset(0), 10);
    assert.deepEqual(await tree(dir.path), [
      '_manifest.json',
      'tenant=acme/date=2026-03-01/_p0000-000000000000-000000000010.idx',
      'tenant=acme/date=2026-03-01/p0000-000000000000-000000000010.parquet',
      'tenant=acme/date=2026-03-01/stray-notes.txt',
    ]);
    await wh.append(0, 10, 20, range(0, 10, 20));
    await wh.close();
    await unlink(join(day, 'stray-notes.txt'));
    assert.deepEqual(await outsideView(dir.path, 'SELECT count(*), count(DISTINCT log_offset), min(log_offset), max(log_offset) FROM $FILES'), [[20n, 20n, 0n, 19n]]);
  });

  it('finishes a commit cut off between the manifest and the renames', async () => {
    await using dir = await tempDir('tpay-wh-test-');
    let wh = await ParquetWarehouse.open(dir.path, { threads: 1 });
    await wh.append(0, 0, 5, range(0, 0, 5));
    await wh.close();
    const day = join(dir.path, 'tenant=acme', 'date=2026-03-01');
    await rename(join(day, 'p0000-000000000000-000000000005.parquet'), join(day, '_p0000-000000000000-000000000005.parquet.tmp'));
    await rename(join(day, '_p0000-000000000000-000000000005.idx'), join(day, '_p0000-000000000000-000000000005.idx.tmp'));
    wh = await ParquetWarehouse.open(dir.path, { threads: 1 });
    assert.deepEqual(keys(await wh.findTransaction('acme', 'S1-T1-000003')), ['0:3']);
    assert.deepEqual(await tree(dir.path), [
      '_manifest.json',
      'tenant=acme/date=2026-03-01/_p0000-000000000000-000000000005.idx',
      'tenant=acme/date=2026-03-01/p0000-000000000000-000000000005.parquet',
    ]);
    await wh.close();
  });

  it('loses nothing and duplicates nothing when killed with SIGKILL during appends and compactions', async () => {
    await using dir = await tempDir('tpay-wh-test-');
    for (let run = 0; run < 3; run++) {
      const child = spawn(process.execPath, [CRASH_CHILD, dir.path], { stdio: ['ignore', 'pipe', 'inherit'] });
      const printed = new Map<number, number>();
      let commits = 0;
      await new Promise<void>((resolve, reject) => {
        child.once('exit', (code) => {
          reject(new Error(`crash child exited early with ${String(code)}`));
        });
        createInterface({ input: child.stdout }).on('line', (line) => {
          const [word, p, off] = line.split(' ');
          if (word !== 'commit') return;
          printed.set(Number(p), Number(off));
          // Kill at a varying point once a few dozen appends went through.
          if (++commits === 40 + run * 17) resolve();
        });
      });
      child.removeAllListeners('exit');
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
      const wh = await ParquetWarehouse.open(dir.path, { threads: 1 });
      let expected = 0;
      for (let p = 0; p < CRASH_PARTITIONS; p++) {
        const c = wh.committedOffset(p);
        assert.ok(c >= (printed.get(p) ?? 0), `partition ${String(p)}: committed ${String(c)} < printed ${String(printed.get(p))}`);
        for (let o = 0; o < c; o++) if (!crashSkipped(o)) expected++;
        const probe = c - 1 - (crashSkipped(c - 1) ? 1 : 0);
        if (probe >= 0) assert.deepEqual(await wh.findTransaction(crashRecord(p, probe).tenant, `c${String(p)}-${String(probe)}`), [crashRecord(p, probe)]);
      }
      await wh.close();
      const [[rows, distinct]] = (await outsideView(dir.path, 'SELECT count(*), count(DISTINCT (log_partition, log_offset)) FROM $FILES')) as [[bigint, bigint]];
      assert.equal(rows, BigInt(expected));
      assert.equal(distinct, BigInt(expected));
    }
  });

  it('rebuilds a missing or damaged index from its Parquet file', async () => {
    await using dir = await tempDir('tpay-wh-test-');
    let wh = await ParquetWarehouse.open(dir.path, { threads: 1 });
    await wh.append(0, 0, 6, range(0, 0, 6, (o) => ({ tenant: o % 2 === 0 ? 'acme' : 'globex' })));
    await wh.close();
    const acmeIdx = join(dir.path, 'tenant=acme', 'date=2026-03-01', '_p0000-000000000000-000000000006.idx');
    const globexIdx = join(dir.path, 'tenant=globex', 'date=2026-03-01', '_p0000-000000000000-000000000006.idx');
    const intact = await readFile(acmeIdx);
    await unlink(acmeIdx);
    const damaged = await readFile(globexIdx);
    damaged[damaged.length - 9]! ^= 0xff;
    await writeFile(globexIdx, damaged);
    wh = await ParquetWarehouse.open(dir.path, { threads: 1 });
    assert.deepEqual(keys(await wh.findTransaction('acme', 'S1-T1-000004')), ['0:4']);
    assert.deepEqual(keys(await wh.findTransaction('globex', 'S1-T1-000005')), ['0:5']);
    assert.deepEqual(await readFile(acmeIdx), intact);
    await wh.close();
  });

  it('refuses a second open of the same directory while the first is open', async () => {
    await using dir = await tempDir('tpay-wh-test-');
    const wh = await ParquetWarehouse.open(dir.path, { threads: 1 });
    await assert.rejects(ParquetWarehouse.open(dir.path, { threads: 1 }), { code: 'warehouse_locked', name: 'WarehouseLockedError' });
    await wh.close();
    const again = await ParquetWarehouse.open(dir.path, { threads: 1 });
    await again.close();
  });

  it('merges each tenant/date into one file sorted by store, while concurrent queries see every row once', async () => {
    await using dir = await tempDir('tpay-wh-test-');
    const wh = await ParquetWarehouse.open(dir.path, { threads: 1 });
    const all: WarehouseRecord[] = [];
    for (let b = 0; b < 8; b++) {
      const rows = range(0, b * 50, b * 50 + 50, (o) => ({ store_id: `S${String(o % 5)}`, ts: DAY0 + (o % 2) * DAY + o * 1000, txn_id: `m-${String(o)}` }));
      await wh.append(0, b * 50, b * 50 + 50, rows);
      all.push(...rows);
    }
    assert.equal(wh.stats().files, 16);
    const s3 = keys(all.filter((r) => r.store_id === 'S3').sort(pageOrder));
    const queries = (async () => {
      let n = 0;
      for (; n < 40; n++) {
        const { rows } = await allPages(wh, 'acme', 'S3', 0, DAY0 + 10 * DAY, 13);
        assert.deepEqual(keys(rows), s3);
        assert.deepEqual(keys(await wh.findTransaction('acme', 'm-123')), ['0:123']);
      }
      return n;
    })();
    const [result] = await Promise.all([wh.compact(), queries]);
    assert.deepEqual(result, { merged: 2, unitsWritten: 2, unitsRemoved: 16 });
    assert.deepEqual(await wh.compact(), { merged: 0, unitsWritten: 0, unitsRemoved: 0 });
    await wh.close();
    assert.deepEqual(await tree(dir.path), [
      '_manifest.json',
      'tenant=acme/date=2026-03-01/_m000000000001.idx',
      'tenant=acme/date=2026-03-01/m000000000001.parquet',
      'tenant=acme/date=2026-03-02/_m000000000002.idx',
      'tenant=acme/date=2026-03-02/m000000000002.parquet',
    ]);
    const merged = join(dir.path, 'tenant=acme/date=2026-03-01/m000000000001.parquet');
    const order = await outsideView(dir.path, `SELECT store_id, log_offset FROM read_parquet('${merged}') LIMIT 3`);
    assert.deepEqual(order, [
      ['S0', 0n],
      ['S0', 10n],
      ['S0', 20n],
    ]);
  });

  it('removes the directories of days that retention deleted', async () => {
    await using dir = await tempDir('tpay-wh-test-');
    const wh = await ParquetWarehouse.open(dir.path, { threads: 1 });
    await wh.append(0, 0, 3, [sale({ log_offset: 0, ts: DAY0 - 10 * DAY }), sale({ log_offset: 1, tenant: 'globex', ts: DAY0 - 10 * DAY }), sale({ log_offset: 2 })]);
    const r = await wh.applyRetention(5, DAY0);
    assert.equal(r.deletedDays, 2);
    assert.equal(r.deletedRows, 2);
    assert.ok(r.freedBytes > 0);
    await wh.close();
    assert.deepEqual(await tree(dir.path), [
      '_manifest.json',
      'tenant=acme/date=2026-03-01/_p0000-000000000000-000000000003.idx',
      'tenant=acme/date=2026-03-01/p0000-000000000000-000000000003.parquet',
    ]);
  });

  it('rejects unknown options, naming the key', async () => {
    await using dir = await tempDir('tpay-wh-test-');
    await assert.rejects(ParquetWarehouse.open(dir.path, { threads: 1, rowGroupSize: 5 } as never), /unknown ParquetWarehouse option 'rowGroupSize'/);
    await assert.rejects(ParquetWarehouse.open(dir.path, { rowGroupRows: 10 }), { code: 'warehouse_invalid_argument' });
  });
});
