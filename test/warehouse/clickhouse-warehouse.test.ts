/**
 * ClickHouseWarehouse against a real clickhouse-server (Debian's 18.16 in
 * CI) started by this file on 127.0.0.1: the shared Warehouse conformance
 * suite, unchanged, then what only this adapter has: a failure between the
 * rows insert and the offsets insert (injected, and a real kill -9 of the
 * writing process) followed by a replay from `committedOffset`, a server
 * killed and restarted, exact TabSeparated escaping, the table layout,
 * retention dropping month partitions, compaction to one part a partition.
 *
 * Without clickhouse-server installed these tests are skipped, except with
 * CI=true, where `clickHouseBinary()` throws and the file fails.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ClickHouseHttp } from '../../src/warehouse/clickhouse-http.js';
import type { ClickHouseConnection } from '../../src/warehouse/clickhouse-http.js';
import { ClickHouseWarehouse } from '../../src/warehouse/clickhouse-warehouse.js';
import type { Warehouse, WarehouseRecord } from '../../src/warehouse/warehouse.js';
import { clickHouseBinary, startClickHouse } from '../support/clickhouse-server.js';
import type { ClickHouseServer } from '../support/clickhouse-server.js';
import { CH_CRASH_PARTITIONS, chCrashBatch, chCrashSkipped } from './clickhouse-crash-child.js';
import { DAY, DAY0, HOUR, allPages, keys, pageOrder, range, sale } from './support.js';
import { runWarehouseConformance } from './warehouse-conformance.js';
import type { WarehouseFixture } from './warehouse-conformance.js';

const CRASH_CHILD = fileURLToPath(new URL('./clickhouse-crash-child.js', import.meta.url));
const ALL_TIME: [number, number] = [0, DAY0 + 400 * DAY];
const binary = clickHouseBinary();
const skip = binary === null ? 'clickhouse-server is not installed (scripts/ensure-system-deps.sh installs it)' : false;

let server: ClickHouseServer;
/** Raw SQL on the test server, for what the port does not show (physical rows, parts). */
let raw: ClickHouseHttp;

if (binary !== null) {
  before(async () => {
    server = await startClickHouse(binary);
    raw = new ClickHouseHttp({ url: server.url });
  });
  after(async () => {
    await raw.close();
    await server.stop();
  });
}

async function sql(q: string): Promise<string[][]> {
  const body = (await raw.query(`${q} FORMAT TabSeparated`)).toString('utf8');
  return body === '' ? [] : body.trimEnd().split('\n').map((l) => l.split('\t'));
}

function open(database: string, connection?: ClickHouseConnection): Promise<ClickHouseWarehouse> {
  return connection === undefined ? ClickHouseWarehouse.open({ url: server.url, database }) : ClickHouseWarehouse.open({ database, connection });
}

async function fixture(): Promise<WarehouseFixture> {
  const database = server.freshDatabase();
  let current = await open(database);
  return {
    warehouse: current,
    reopen: async () => {
      await current.close();
      current = await open(database);
      return current;
    },
    dispose: async () => {
      await current.close();
      await raw.query(`DROP DATABASE IF EXISTS ${database}`);
    },
  };
}

if (binary !== null) runWarehouseConformance('ClickHouseWarehouse', fixture);

/** Our connection with a failure injected around the offsets insert: before it is sent, or after it reached the server. */
function failingOffsets(inner: ClickHouseConnection, when: 'before' | 'after'): ClickHouseConnection & { armed: boolean } {
  const c = {
    armed: true,
    query: (q: string, o?: { timeoutMs?: number }) => inner.query(q, o),
    insert: async (q: string, data: Buffer) => {
      const hit = c.armed && q.includes('committed_offsets');
      if (hit) c.armed = false;
      if (hit && when === 'before') throw new Error('injected: process died before the offsets insert');
      await inner.insert(q, data);
      if (hit) throw new Error('injected: the answer to the offsets insert was lost');
    },
    close: () => inner.close(),
  };
  return c;
}

/** Every visible row of the stores in `stores`, page by page. */
async function dump(wh: Warehouse, tenants: readonly string[], stores: readonly string[]): Promise<WarehouseRecord[]> {
  const out: WarehouseRecord[] = [];
  for (const t of tenants) for (const s of stores) out.push(...(await allPages(wh, t, s, ...ALL_TIME, 97)).rows);
  return out;
}

const byLog = (a: WarehouseRecord, b: WarehouseRecord): number => a.log_partition - b.log_partition || a.log_offset - b.log_offset;

describe('ClickHouseWarehouse on a real server', { skip }, () => {
  it('hides rows whose offsets insert never happened, and a replay from committedOffset stores each of them once', async () => {
    const db = server.freshDatabase();
    let wh = await open(db);
    await wh.append(0, 0, 10, range(0, 0, 10));
    await wh.close();
    const faulty = failingOffsets(new ClickHouseHttp({ url: server.url }), 'before');
    wh = await open(db, faulty);
    const batch = range(0, 10, 25, (o) => ({ txn_id: `late-${String(o)}`, amount_minor: 10_000 + o }));
    await assert.rejects(wh.append(0, 10, 25, batch), { code: 'warehouse_io', name: 'WarehouseIoError' });
    assert.equal(wh.committedOffset(0), 10);
    // The rows are on the server (the state a crash between the two inserts leaves) …
    assert.deepEqual(await sql(`SELECT count() FROM ${db}.transactions WHERE log_offset >= 10`), [['15']]);
    // … but no read shows them.
    assert.deepEqual(await wh.findTransaction('acme', 'late-12'), []);
    assert.deepEqual(keys((await allPages(wh, 'acme', 'S1', ...ALL_TIME, 4)).rows), keys(range(0, 0, 10)));
    await wh.close();

    wh = await open(db);
    assert.equal(wh.committedOffset(0), 10);
    await wh.append(0, wh.committedOffset(0), 25, batch);
    assert.equal(wh.committedOffset(0), 25);
    const expected = [...range(0, 0, 10), ...batch];
    assert.deepEqual((await allPages(wh, 'acme', 'S1', ...ALL_TIME, 6)).rows, expected.sort(pageOrder));
    assert.deepEqual(await wh.findTransaction('acme', 'late-12'), [batch[2]]);
    // Physically twice until a merge (compaction, or the server's own) leaves one copy.
    await wh.compact();
    assert.deepEqual(await sql(`SELECT count(), uniqExact(log_partition, log_offset), sum(amount_minor) FROM ${db}.transactions`), [
      ['25', '25', String(10 * 4599 + batch.reduce((n, r) => n + r.amount_minor, 0))],
    ]);
    await wh.close();
  });

  it('counts a replay once when the offsets insert reached the server but its answer was lost', async () => {
    const db = server.freshDatabase();
    const faulty = failingOffsets(new ClickHouseHttp({ url: server.url }), 'after');
    let wh = await open(db, faulty);
    const rows = range(2, 0, 12, (o) => ({ log_partition: 2, store_id: `S${String(o % 2)}` }));
    await assert.rejects(wh.append(2, 0, 12, rows), { code: 'warehouse_io' });
    assert.equal(wh.committedOffset(2), 0); // this instance cannot know it committed
    await wh.append(2, 0, 12, rows); // so the feeder replays
    assert.equal(wh.committedOffset(2), 12);
    assert.deepEqual((await dump(wh, ['acme'], ['S0', 'S1'])).sort(byLog), rows);
    await wh.close();
    wh = await open(db);
    assert.equal(wh.committedOffset(2), 12);
    assert.deepEqual((await dump(wh, ['acme'], ['S0', 'S1'])).sort(byLog), rows);
    await wh.close();
  });

  it('loses nothing and duplicates nothing when the writing process is killed with SIGKILL, then replayed from committedOffset', async () => {
    const db = server.freshDatabase();
    for (let run = 0; run < 3; run++) {
      const child = spawn(process.execPath, [CRASH_CHILD, server.url, db], { stdio: ['ignore', 'pipe', 'inherit'] });
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
          if (++commits === 10 + run * 5) resolve();
        });
      });
      child.removeAllListeners('exit');
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;

      const wh = await open(db);
      const expected: WarehouseRecord[] = [];
      for (let p = 0; p < CH_CRASH_PARTITIONS; p++) {
        const c = wh.committedOffset(p);
        assert.ok(c >= (printed.get(p) ?? 0), `partition ${String(p)}: committed ${String(c)} < printed ${String(printed.get(p))}`);
        // The replay the feeder does: from the committed offset, over whatever the dead process may have half-written.
        const target = c + 150;
        await wh.append(p, c, target, chCrashBatch(p, c, target));
        expected.push(...chCrashBatch(p, 0, target));
      }
      const seen = await dump(wh, ['acme', 'globex'], ['S0', 'S1', 'S2', 'S3', 'S4', 'S5', 'S6']);
      assert.equal(seen.length, expected.length);
      assert.deepEqual(seen.sort(byLog), expected);
      await wh.close();
    }
    assert.ok(chCrashSkipped(0));
  });

  it('keeps every committed row and offset through a server killed with SIGKILL and restarted', async () => {
    const db = server.freshDatabase();
    const wh = await open(db);
    const rows = range(1, 0, 30, (o) => ({ log_partition: 1, ts: DAY0 + o * HOUR, amount_minor: Number.MAX_SAFE_INTEGER - o }));
    await wh.append(1, 0, 30, rows);
    await server.restart({ signal: 'SIGKILL' });
    // The same instance carries on: its keep-alive sockets died with the server and are replaced.
    assert.deepEqual((await allPages(wh, 'acme', 'S1', ...ALL_TIME, 7)).rows, rows);
    await wh.append(1, 30, 31, range(1, 30, 31, () => ({ log_partition: 1 })));
    await wh.close();
    await server.restart();
    const again = await open(db);
    assert.equal(again.committedOffset(1), 31);
    const all = [...rows, ...range(1, 30, 31, () => ({ log_partition: 1 }))].sort(pageOrder);
    assert.deepEqual((await allPages(again, 'acme', 'S1', ...ALL_TIME, 100)).rows, all);
    assert.deepEqual(await again.findTransaction('acme', 'S1-T1-000029'), [rows[29]]);
    await again.close();
  });

  it('stores text with every ASCII control character, backslashes and \\N exactly', async () => {
    const db = server.freshDatabase();
    const wh = await open(db);
    let ascii = '';
    for (let c = 0; c < 0x20; c++) ascii += String.fromCharCode(c);
    const tricky = sale({
      log_offset: 0,
      txn_id: `t\\N\t\n\\\\x'"${ascii}`,
      store_id: `s\\t\\0${ascii}\u007f`,
      terminal_id: '\\',
      ref_txn_id: '\\N',
      card_brand: null,
    });
    const emoji = sale({ log_offset: 1, txn_id: '𝄞-𓀀-ß', store_id: `s\\t\\0${ascii}\u007f`, ref_txn_id: '', items: 0, discount_minor: -5 });
    await wh.append(0, 0, 2, [tricky, emoji]);
    assert.deepEqual(await wh.findTransaction('acme', tricky.txn_id), [tricky]);
    assert.deepEqual(await wh.findTransaction('acme', emoji.txn_id), [emoji]);
    assert.deepEqual((await wh.storeTransactions('acme', tricky.store_id, ...ALL_TIME, { limit: 1 })).items, [tricky]);
    assert.deepEqual(await sql(`SELECT length(txn_id), isNull(ref_txn_id) FROM ${db}.transactions ORDER BY log_offset`), [
      [String(Buffer.byteLength(tricky.txn_id)), '0'],
      [String(Buffer.byteLength(emoji.txn_id)), '0'],
    ]);
    await assert.rejects(wh.findTransaction('acme', 'x\uD800'), { code: 'warehouse_invalid_argument' });
    await assert.rejects(wh.append(0, 2, 3, [sale({ log_offset: 2, store_id: '\uDC00' })]), { code: 'warehouse_invalid_argument' });
    await wh.close();
  });

  it('lays rows out in (tenant, month) partitions sorted by store, with exact Int64 columns', async () => {
    const db = server.freshDatabase();
    const wh = await open(db);
    await wh.append(0, 0, 4, [
      sale({ log_offset: 0 }),
      sale({ log_offset: 1, tenant: 'globex' }),
      sale({ log_offset: 2, ts: DAY0 - DAY }), // 2026-02-28
      sale({ log_offset: 3, amount_minor: Number.MAX_SAFE_INTEGER }),
    ]);
    assert.deepEqual(await sql(`SELECT partition, sum(rows) FROM system.parts WHERE database = '${db}' AND table = 'transactions' AND active GROUP BY partition ORDER BY partition`), [
      ["(\\'acme\\',202602)", '1'],
      ["(\\'acme\\',202603)", '2'],
      ["(\\'globex\\',202603)", '1'],
    ]);
    assert.deepEqual(await sql(`SELECT name, type FROM system.columns WHERE database = '${db}' AND table = 'transactions' AND name IN ('ts', 'amount_minor', 'discount_minor', 'log_offset')`), [
      ['ts', 'Int64'],
      ['amount_minor', 'Int64'],
      ['discount_minor', 'Nullable(Int64)'],
      ['log_offset', 'UInt64'],
    ]);
    assert.deepEqual(await sql(`SELECT max(amount_minor), toString(max(amount_minor) + 1) FROM ${db}.transactions`), [['9007199254740991', '9007199254740992']]);
    await wh.close();
  });

  it('drops the (tenant, month) partitions retention empties and hides older rows of the month it keeps', async () => {
    const db = server.freshDatabase();
    const wh = await open(db);
    const jan = Date.UTC(2026, 0, 15);
    const feb = Date.UTC(2026, 1, 10);
    const mar = Date.UTC(2026, 2, 10);
    await wh.append(0, 0, 5, [
      sale({ log_offset: 0, ts: jan, txn_id: 'jan' }),
      sale({ log_offset: 1, ts: feb, txn_id: 'feb' }),
      sale({ log_offset: 2, ts: feb + DAY, txn_id: 'feb', tenant: 'globex' }),
      sale({ log_offset: 3, ts: mar, txn_id: 'mar-early' }),
      sale({ log_offset: 4, ts: mar + 10 * DAY, txn_id: 'mar-late' }),
    ]);
    // Keep 5 days before 2026-03-20T12:00Z: the first kept day is 2026-03-15.
    const r = await wh.applyRetention(5, Date.UTC(2026, 2, 20, 12));
    assert.equal(r.deletedRows, 4);
    assert.equal(r.deletedDays, 4);
    assert.ok(r.freedBytes > 0);
    for (const table of ['transactions', 'txn_index']) {
      assert.deepEqual(await sql(`SELECT DISTINCT partition FROM system.parts WHERE database = '${db}' AND table = '${table}' AND active`), [["(\\'acme\\',202603)"]]);
    }
    assert.deepEqual(await wh.findTransaction('acme', 'mar-early'), []);
    assert.deepEqual(keys((await wh.storeTransactions('acme', 'S1', ...ALL_TIME, { limit: 10 })).items), ['0:4']);
    await wh.close();
    const again = await open(db);
    assert.deepEqual(await again.findTransaction('acme', 'mar-early'), []);
    assert.deepEqual(keys(await again.findTransaction('acme', 'mar-late')), ['0:4']);
    assert.deepEqual(await again.applyRetention(5, Date.UTC(2026, 2, 20, 12)), { deletedDays: 0, deletedRows: 0, freedBytes: 0 });
    await again.close();
  });

  it('compacts each partition to one part', async () => {
    const db = server.freshDatabase();
    const wh = await open(db);
    for (let b = 0; b < 4; b++) await wh.append(0, b * 10, b * 10 + 10, range(0, b * 10, b * 10 + 10, (o) => ({ tenant: o % 2 === 0 ? 'acme' : 'globex' })));
    const parts = async (): Promise<number> => Number((await sql(`SELECT count() FROM system.parts WHERE database = '${db}' AND table = 'transactions' AND active`))[0]![0]);
    // Eight parts were written; the server's own merges may have joined some already.
    const before = await parts();
    assert.ok(before >= 2 && before <= 8, `${String(before)} parts`);
    const result = await wh.compact();
    assert.equal(result.unitsWritten, result.merged);
    assert.ok(result.unitsRemoved >= 2 * result.merged && result.unitsRemoved <= before, JSON.stringify(result));
    assert.deepEqual(await sql(`SELECT count() FROM system.parts WHERE database = '${db}' AND table = 'transactions' AND active`), [['2']]);
    assert.deepEqual(await wh.compact(), { merged: 0, unitsWritten: 0, unitsRemoved: 0 });
    await wh.close();
  });

  it('rejects unknown options and bad database names, naming them, and reports an unreachable server', async () => {
    await assert.rejects(ClickHouseWarehouse.open({ url: server.url, database: 'x', batchRows: 5 } as never), /unknown ClickHouseWarehouse option 'batchRows'/);
    await assert.rejects(ClickHouseWarehouse.open({ url: server.url, database: 'bad-name' }), { code: 'warehouse_invalid_argument', message: /"bad-name"/ });
    await assert.rejects(ClickHouseWarehouse.open({ url: 'http://127.0.0.1:1', database: 'x' }), { code: 'warehouse_io' });
  });
});
