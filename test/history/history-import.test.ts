/**
 * History import end to end on a real platform: six weeks of past sales of
 * three stores in three files (NDJSON, CSV, Parquet written by DuckDB) with
 * a few bad lines, through the same engine as live ingest. Checks every
 * store-day's net sales against a brute-force sum of the good records, the
 * rejected lines as dead letters with their codes, no restatements for
 * days before go-live (and one for a late live record after it), a re-import
 * answered as duplicates (also of a big file of one till, in any order), the admin route, and the warehouse's own Parquet
 * files imported into a second data directory with the same totals.
 */
import assert from 'node:assert/strict';
import { readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DuckDBInstance } from '@duckdb/node-api';
import pino from 'pino';
import { loadConfig } from '../../src/config/config.js';
import { importHistory, type HistorySummary } from '../../src/history/history-import.js';
import { COMPACT_CONTENT_TYPE } from '../../src/domain/compact-record.js';
import { toCompactChunk } from '../../src/firehose/compact-chunks.js';
import { linesToChunk } from '../../src/firehose/line-chunk.js';
import { csvRecordJson } from '../../src/history/history-sources.js';
import { startPlatform, type Platform } from '../../src/platform/platform.js';
import { TenantStore } from '../../src/tenants/tenant-store.js';
import { seedTenants, type TenantFixture } from '../support/fixtures.js';
import { tempDir, type TempDir } from '../support/temp-dir.js';

const DAY = 86_400_000;
const STORES = ['S1', 'S2', 'S3'];

interface Rec {
  txn_id: string;
  store_id: string;
  terminal_id: string;
  seq: number;
  ts: string;
  type: 'sale' | 'refund';
  amount_minor: number;
  currency: string;
  tax_minor: number;
  tender: 'card' | 'cash';
  card_brand?: string;
  items?: number;
}

/** A deterministic six weeks of sales and a few refunds per store, ending two days ago. */
function history(): Rec[] {
  let x = 12_345;
  const rnd = (): number => ((x = (x * 1_103_515_245 + 12_345) % 2_147_483_648) / 2_147_483_648);
  const out: Rec[] = [];
  const today = Math.floor(Date.now() / DAY);
  for (const s of STORES) {
    let seq = 0;
    for (let d = today - 44; d <= today - 2; d++) {
      const n = 5 + Math.floor(rnd() * 20);
      for (let i = 0; i < n; i++) {
        const amount = 100 + Math.floor(rnd() * 9_900);
        const card = rnd() < 0.6;
        // 08:00–18:00 UTC is 09:00–20:00 in Berlin: the same business day.
        out.push({ txn_id: `${s}-${String(++seq)}`, store_id: s, terminal_id: `${s}-T1`, seq, ts: new Date(d * DAY + 8 * 3_600_000 + Math.floor(rnd() * 10 * 3_600_000)).toISOString(), type: rnd() < 0.05 ? 'refund' : 'sale', amount_minor: amount, currency: 'EUR', tax_minor: Math.floor(amount / 10), tender: card ? 'card' : 'cash', ...(card ? { card_brand: 'visa' } : {}), items: 1 + Math.floor(rnd() * 4) });
      }
    }
  }
  return out;
}

const FIELDS = ['txn_id', 'store_id', 'terminal_id', 'seq', 'ts', 'type', 'amount_minor', 'currency', 'tax_minor', 'tender', 'card_brand', 'items'] as const;
const csvCell = (v: unknown): string => (v === undefined ? '' : /[",\n]/.test(String(v)) ? `"${String(v).replaceAll('"', '""')}"` : String(v));

/** net_sales per store and business day (UTC date = Berlin date here), the brute-force reference. */
function expectedNet(recs: readonly Rec[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const r of recs) {
    const k = `${r.store_id}|${r.ts.slice(0, 10)}`;
    m.set(k, (m.get(k) ?? 0) + (r.type === 'sale' ? r.amount_minor : -r.amount_minor));
  }
  return m;
}

async function netByStoreDay(api: string, key: string): Promise<Map<string, number>> {
  const from = new Date(Date.now() - 60 * DAY).toISOString().slice(0, 10);
  const to = new Date(Date.now() + DAY).toISOString().slice(0, 10);
  const res = await fetch(`${api}/v1/series?metrics=net_sales&granularity=day&tz=store&group_by=store&from=${from}&to=${to}`, { headers: { authorization: `Bearer ${key}` } });
  const body = (await res.json()) as { groups: { key: { store: string }; points: { bucket: string; net_sales: number }[] }[] };
  const m = new Map<string, number>();
  for (const g of body.groups) for (const p of g.points) if (p.net_sales !== 0) m.set(`${g.key.store}|${p.bucket.slice(0, 10)}`, p.net_sales);
  return m;
}

const silent = pino({ level: 'silent' });
const configOf = (dataDir: string) => loadConfig({ env: {}, overrides: { dataDir, logLevel: 'silent', 'ingest.tcpPort': 0, 'api.port': 0, 'log.segmentBytes': 1 << 20, 'warehouse.maxDelayMs': 200 } });

void describe('history import', () => {
  let dir: TempDir;
  let second: TempDir;
  let platform: Platform;
  let api: string;
  let acme: TenantFixture;
  const recs = history();
  const want = expectedNet(recs);
  let first: HistorySummary;
  const bad = ['{"txn_id":"BAD-1","store_id":"S1"}', '{not json', JSON.stringify({ ...recs[0], txn_id: 'BAD-2', seq: 999_999, store_id: 'NOPE' })];

  const get = async (path: string, key: string): Promise<Record<string, unknown>> => (await (await fetch(`${api}${path}`, { headers: { authorization: `Bearer ${key}` } })).json()) as Record<string, unknown>;
  const waitRecords = async (n: number): Promise<void> => {
    for (let i = 0; i < 400 && Number((await get('/v1/status', acme.readKey))['records']) < n; i++) await new Promise((r) => setTimeout(r, 50));
  };

  before(async () => {
    dir = tempDir('tpay-history-');
    second = tempDir('tpay-history-2-');
    ({ acme } = seedTenants(dir.path));
    const third = Math.floor(recs.length / 3);
    const nd = recs.slice(0, third).map((r) => JSON.stringify(r));
    nd.splice(10, 0, bad[0]!, bad[1]!);
    writeFileSync(join(dir.path, 'part1.ndjson'), `${nd.join('\n')}\n`);
    const csvRows = recs.slice(third, 2 * third).map((r) => FIELDS.map((f) => csvCell(r[f])).join(','));
    csvRows.splice(5, 0, [...FIELDS.map((f) => csvCell((JSON.parse(bad[2]!) as Rec)[f]))].join(','));
    writeFileSync(join(dir.path, 'part2.csv'), `${FIELDS.join(',')}\n${csvRows.join('\n')}\n`);
    // Parquet as another tool writes it: DuckDB from NDJSON, `ts` as text.
    const tmp = join(dir.path, 'part3.json');
    writeFileSync(tmp, recs.slice(2 * third).map((r) => JSON.stringify(r)).join('\n'));
    const db = await DuckDBInstance.create(':memory:');
    const c = await db.connect();
    await c.run(`COPY (SELECT * FROM read_json('${tmp}', columns={txn_id:'VARCHAR',store_id:'VARCHAR',terminal_id:'VARCHAR',seq:'BIGINT',ts:'VARCHAR',type:'VARCHAR',amount_minor:'BIGINT',currency:'VARCHAR',tax_minor:'BIGINT',tender:'VARCHAR',card_brand:'VARCHAR',items:'BIGINT'})) TO '${join(dir.path, 'part3.parquet')}' (FORMAT PARQUET)`);
    c.closeSync();
    db.closeSync();
    platform = await startPlatform(configOf(dir.path), silent);
    api = `http://127.0.0.1:${String(platform.ingest.httpPort)}`;
  });
  after(async () => {
    await platform.close();
    await dir[Symbol.asyncDispose]();
    await second[Symbol.asyncDispose]();
  });

  void it('imports NDJSON, CSV and Parquet with the same rules and exact totals, and rejected lines as dead letters', async () => {
    first = await importHistory(platform.ingest.engine, acme.tenant, ['part1.ndjson', 'part2.csv', 'part3.parquet'].map((f) => ({ path: join(dir.path, f) })));
    assert.deepEqual(first.files.map((f) => f.format), ['ndjson', 'csv', 'parquet']);
    assert.equal(first.accepted, recs.length);
    assert.equal(first.duplicates, 0);
    assert.deepEqual(first.rejectedByCode, { missing_field: 1, invalid_json: 1, unknown_store: 1 });
    // Lines point into the files: the NDJSON's 11th and 12th lines, the CSV's 7th (header is line 1).
    assert.deepEqual(first.examples.map((e) => [e.file.split('/').pop(), e.line, e.code]), [['part1.ndjson', 11, 'missing_field'], ['part1.ndjson', 12, 'invalid_json'], ['part2.csv', 7, 'unknown_store']]);
    await waitRecords(recs.length);
    assert.deepEqual(await netByStoreDay(api, acme.readKey), want);
    const dead = (await get('/v1/dead-letters?limit=100', acme.readKey))['items'] as { code: string }[];
    assert.deepEqual(dead.map((d) => d.code).sort(), ['invalid_json', 'missing_field', 'unknown_store']);
  });

  void it('logs no restatement for days before go-live, and one for a late live record after it', async () => {
    assert.deepEqual((await get('/v1/restatements?limit=10', acme.readKey))['items'], []);
    // Go-live 30 days ago: a late record of 5 days ago now lands on a closed live day.
    new TenantStore(dir.path).setGoLive(acme.tenant, new Date(Date.now() - 30 * DAY).toISOString().slice(0, 10));
    await new Promise((r) => setTimeout(r, 1_100));
    const late = { ...recs[0]!, txn_id: 'LATE-1', terminal_id: 'S1-T9', seq: 1, ts: new Date(Math.floor(Date.now() / DAY) * DAY - 5 * DAY + 10 * 3_600_000).toISOString() };
    const res = await fetch(`${api}/v1/transactions`, { method: 'POST', headers: { authorization: `Bearer ${acme.ingestKey}`, 'content-type': 'application/x-ndjson' }, body: `${JSON.stringify(late)}\n` });
    assert.equal(((await res.json()) as { accepted: number }).accepted, 1);
    await waitRecords(recs.length + 1);
    const items = (await get('/v1/restatements?limit=10', acme.readKey))['items'] as { txn_id: string }[];
    assert.deepEqual(items.map((i) => i.txn_id), ['LATE-1']);
    want.set(`S1|${late.ts.slice(0, 10)}`, (want.get(`S1|${late.ts.slice(0, 10)}`) ?? 0) + late.amount_minor);
  });

  void it('answers a re-import as duplicates, changing nothing', async () => {
    const again = await importHistory(platform.ingest.engine, acme.tenant, ['part1.ndjson', 'part2.csv', 'part3.parquet'].map((f) => ({ path: join(dir.path, f) })));
    assert.equal(again.accepted, 0);
    assert.equal(again.duplicates, recs.length);
    assert.equal(again.rejected, 3);
    assert.deepEqual(await netByStoreDay(api, acme.readKey), want);
  });

  void it('takes a file over the admin route, and refuses a CSV without the fields it needs', async () => {
    const extra = { ...recs[0]!, txn_id: 'ROUTE-1', terminal_id: 'S2-T7', seq: 1, store_id: 'S2' };
    const csv = `${FIELDS.join(',')}\n${FIELDS.map((f) => csvCell(extra[f])).join(',')}\n`;
    const post = async (body: string, type: string, key = acme.adminKey): Promise<{ status: number; body: Record<string, unknown> }> => {
      const r = await fetch(`${api}/v1/admin/tenants/${acme.tenant}/history?name=route.csv`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': type }, body });
      return { status: r.status, body: (await r.json()) as Record<string, unknown> };
    };
    const ok = await post(csv, 'text/csv');
    assert.equal(ok.status, 200);
    assert.equal(ok.body['accepted'], 1);
    assert.equal((await post(csv, 'text/csv')).body['duplicates'], 1);
    const refused = await post('txn_id,store_id\nA,S1\n', 'text/csv');
    assert.equal(refused.status, 400);
    assert.equal((refused.body['error'] as { code: string }).code, 'history_csv_header');
    assert.match((refused.body['error'] as { message: string }).message, /route\.csv: line 1: the header lacks terminal_id, seq, ts/);
    assert.equal((await post(csv, 'text/csv', acme.ingestKey)).status, 401);
    const k = `S2|${extra.ts.slice(0, 10)}`;
    want.set(k, (want.get(k) ?? 0) + extra.amount_minor);
  });

  void it("imports the warehouse's own Parquet files into another data directory with the same totals", async () => {
    await platform.feeder.flush();
    const files: string[] = [];
    const walk = (p: string): void => {
      for (const n of readdirSync(p)) {
        const c = join(p, n);
        if (statSync(c).isDirectory()) walk(c);
        else if (n.endsWith('.parquet')) files.push(c);
      }
    };
    walk(join(dir.path, 'warehouse'));
    assert.ok(files.length > 0);
    const { acme: other } = seedTenants(second.path);
    const p2 = await startPlatform(configOf(second.path), silent);
    try {
      const s = await importHistory(p2.ingest.engine, other.tenant, files.map((path) => ({ path })));
      assert.equal(s.rejected, 0, JSON.stringify(s.examples));
      assert.equal(s.accepted, recs.length + 2);
      await p2.stream.caughtUp(30_000);
      assert.deepEqual(await netByStoreDay(`http://127.0.0.1:${String(p2.ingest.httpPort)}`, other.readKey), want);
    } finally {
      await p2.close();
    }
  });

  void it("answers a re-sent big file of one till as duplicate, every line, in any order", async () => {
    // Yesterday's file of one till: 12,359 sales numbered 1..12,359, re-sent as is and then backwards.
    const yesterday = Math.floor(Date.now() / DAY) * DAY - DAY;
    const big = Array.from({ length: 12_359 }, (_, k) => JSON.stringify({ ...recs[0]!, txn_id: `BIG-${String(k + 1)}`, store_id: 'S3', terminal_id: 'S3-T2', seq: k + 1, ts: new Date(yesterday + 8 * 3_600_000 + k * 2_000).toISOString() }));
    writeFileSync(join(dir.path, 'big.ndjson'), `${big.join('\n')}\n`);
    writeFileSync(join(dir.path, 'big-reversed.ndjson'), `${big.slice().reverse().join('\n')}\n`);
    const once = await importHistory(platform.ingest.engine, acme.tenant, [{ path: join(dir.path, 'big.ndjson') }]);
    assert.deepEqual([once.accepted, once.duplicates, once.rejected], [12_359, 0, 0]);
    for (const f of ['big.ndjson', 'big-reversed.ndjson']) {
      const again = await importHistory(platform.ingest.engine, acme.tenant, [{ path: join(dir.path, f) }]);
      assert.deepEqual({ file: f, accepted: again.accepted, duplicates: again.duplicates, rejectedByCode: again.rejectedByCode }, { file: f, accepted: 0, duplicates: 12_359, rejectedByCode: {} });
    }
    const dead = (await get('/v1/dead-letters?limit=100', acme.readKey))['items'] as { code: string }[];
    assert.equal(dead.filter((d) => d.code === 'seq_out_of_window').length, 0);
  });

  void it('imports a compact file with the same rules and totals, over the engine and the admin route', async () => {
    const yesterday = Math.floor(Date.now() / DAY) * DAY - DAY;
    const lines = Array.from({ length: 300 }, (_, k) => JSON.stringify({ ...recs[0]!, txn_id: `TPC-${String(k + 1)}`, store_id: 'S2', terminal_id: 'S2-T5', seq: k + 1, amount_minor: 100 + k, tax_minor: 0, ts: new Date(yesterday + 9 * 3_600_000 + k * 1_000).toISOString() }));
    const conversion = { lines: 0, unconverted: 0 };
    const compact = toCompactChunk(linesToChunk(lines), acme.tenant, conversion);
    assert.deepEqual(conversion, { lines: 300, unconverted: 0 });
    // A record cut short at the end of the file is reported, not dropped.
    writeFileSync(join(dir.path, 'part4.tpc'), Buffer.concat([compact.data, compact.data.subarray(0, 30)]));
    await platform.stream.caughtUp(30_000);
    const before = await netByStoreDay(api, acme.readKey);
    const status = Number((await get('/v1/status', acme.readKey))['records']);
    const s = await importHistory(platform.ingest.engine, acme.tenant, [{ path: join(dir.path, 'part4.tpc') }]);
    assert.deepEqual([s.files[0]!.format, s.accepted, s.duplicates, s.rejectedByCode], ['compact', 300, 0, { invalid_record: 1 }]);
    assert.deepEqual(s.examples.map((e) => [e.line, e.code]), [[301, 'invalid_record']]);
    const r = await fetch(`${api}/v1/admin/tenants/${acme.tenant}/history?name=part4.tpc`, { method: 'POST', headers: { authorization: `Bearer ${acme.adminKey}`, 'content-type': COMPACT_CONTENT_TYPE }, body: compact.data });
    const body = (await r.json()) as HistorySummary;
    assert.deepEqual([r.status, body.accepted, body.duplicates, body.rejected], [200, 0, 300, 0]);
    const k = `S2|${new Date(yesterday).toISOString().slice(0, 10)}`;
    const sale = recs[0]!.type === 'sale' ? 1 : -1;
    before.set(k, (before.get(k) ?? 0) + sale * (300 * 100 + (299 * 300) / 2));
    await waitRecords(status + 300);
    assert.deepEqual(await netByStoreDay(api, acme.readKey), before);
  });

  void it('writes a CSV row as the JSON record live ingest takes', () => {
    assert.equal(csvRecordJson(['txn_id', 'seq', 'amount_minor', 'items', 'note'], ['A"1', '7', '4.5', '', 'x']), '{"txn_id":"A\\"1","seq":7,"amount_minor":"4.5","note":"x"}');
  });
});
