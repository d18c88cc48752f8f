/**
 * Warehouse benchmark: ParquetWarehouse on a realistic dataset (default 10M
 * transactions, 5,000 stores in 3 tenants, 35 days), written the way the
 * feeder writes it (8 log partitions, appends of 50,000 records in event-time
 * order), then compacted, then queried the way the API drills down:
 *
 * - store pages: a random store, a range of 1 day (40%), 7 days (40%) or
 *   30 days (20%) ending on a random day, 100 rows a page; 30% of them also
 *   fetch the next page with the cursor;
 * - txn lookups: 80% existing `txn_id`s drawn from the whole dataset, 20%
 *   unknown ones.
 *
 * Queries run one at a time (latency, not throughput), before compaction
 * (many small files per day, the state of "today") and after. Then the
 * feeder: a SegmentLog holding ingested-record payloads, decoded and
 * appended end to end. Then ClickHouseWarehouse (`clickhouse_*` figures):
 * the same generator, appends and query mix on a clickhouse-server started
 * on 127.0.0.1 for the run (default 1M records, 500 queries of each kind;
 * `--clickhouse-records 10000000` gives the Parquet run's size).
 * Prints `name: value unit` lines (medians over --runs) and writes
 * bench-output/warehouse.json.
 *
 *   node --expose-gc dist/bench/warehouse.js [--records 10000000] [--stores 5000] [--days 35] [--runs 3] [--queries 2000] [--feeder-records 500000]
 *     [--engines parquet,clickhouse] [--clickhouse-records 1000000] [--clickhouse-queries 500]
 */
import { mkdir, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { encodeIngestedRecord } from '../src/domain/ingested-record.js';
import { partitionOf } from '../src/domain/partition.js';
import { SegmentLog } from '../src/log/segment-log.js';
import { ClickHouseWarehouse } from '../src/warehouse/clickhouse-warehouse.js';
import { ClickHouseHttp } from '../src/warehouse/clickhouse-http.js';
import { ParquetWarehouse } from '../src/warehouse/parquet-warehouse.js';
import { WarehouseFeeder } from '../src/warehouse/warehouse-feeder.js';
import type { Warehouse, WarehouseRecord } from '../src/warehouse/warehouse.js';
import { clickHouseBinary, startClickHouse } from '../test/support/clickhouse-server.js';
import { lineOf } from '../test/warehouse/support.js';

const { values } = parseArgs({
  options: {
    records: { type: 'string', default: '10000000' },
    stores: { type: 'string', default: '5000' },
    days: { type: 'string', default: '35' },
    runs: { type: 'string', default: '3' },
    queries: { type: 'string', default: '2000' },
    'feeder-records': { type: 'string', default: '500000' },
    engines: { type: 'string', default: 'parquet,clickhouse' },
    'clickhouse-records': { type: 'string', default: '1000000' },
    'clickhouse-queries': { type: 'string', default: '500' },
  },
});
const RECORDS = Number(values.records);
const STORES = Number(values.stores);
const DAYS = Number(values.days);
const RUNS = Number(values.runs);
const QUERIES = Number(values.queries);
const FEEDER_RECORDS = Number(values['feeder-records']);
const ENGINES = values.engines.split(',');
for (const e of ENGINES) if (e !== 'parquet' && e !== 'clickhouse') throw new Error(`--engines: unknown engine '${e}' (known: parquet, clickhouse)`);
const CH_RECORDS = Number(values['clickhouse-records']);
const CH_QUERIES = Number(values['clickhouse-queries']);
const PARTITIONS = 8;
const BATCH = 50_000;
const DAY = 86_400_000;
const TENANTS = [
  { id: 'acme', currency: 'EUR', share: 0.5 },
  { id: 'globex', currency: 'JPY', share: 0.3 },
  { id: 'initech', currency: 'BHD', share: 0.2 },
] as const;
/** First day of the dataset: 35 days ending yesterday, so nothing is in the future. */
const START = Math.floor(Date.now() / DAY - DAYS) * DAY;

/** mulberry32: a fast, seeded PRNG so every run writes the same data. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Store {
  tenant: string;
  id: string;
  currency: string;
  seq: number[];
}

function makeStores(): Store[] {
  const out: Store[] = [];
  for (let i = 0; i < STORES; i++) {
    const x = i / STORES;
    const t = x < TENANTS[0].share ? TENANTS[0] : x < TENANTS[0].share + TENANTS[1].share ? TENANTS[1] : TENANTS[2];
    out.push({ tenant: t.id, id: `S${String(i).padStart(5, '0')}`, currency: t.currency, seq: [0, 0, 0, 0] });
  }
  return out;
}

/**
 * The dataset in event-time order, day by day: each record is a sale (94%),
 * refund (4%) or void (2%) at a random store, terminal and time of the day.
 */
function* dataset(stores: Store[], total: number, random: () => number, start = START, days = DAYS): Generator<WarehouseRecord> {
  const perDay = Math.ceil(total / days);
  let emitted = 0;
  for (let d = 0; d < days && emitted < total; d++) {
    const n = Math.min(perDay, total - emitted);
    const times = new Float64Array(n);
    for (let i = 0; i < n; i++) times[i] = start + d * DAY + 7 * 3_600_000 + Math.floor(random() * 15 * 3_600_000);
    times.sort();
    for (let i = 0; i < n; i++) {
      const s = stores[Math.floor(random() * stores.length)]!;
      const term = Math.floor(random() * 4);
      const seq = ++s.seq[term]!;
      const terminal = `${s.id}-T${String(term)}`;
      const roll = random();
      const type = roll < 0.94 ? 'sale' : roll < 0.98 ? 'refund' : 'void';
      const amount = 100 + Math.floor(random() * 20_000);
      const card = random() < 0.7;
      yield {
        tenant: s.tenant,
        txn_id: `${terminal}-${String(seq).padStart(7, '0')}`,
        store_id: s.id,
        terminal_id: terminal,
        seq,
        ts: times[i]!,
        ts_offset_min: 60,
        type,
        amount_minor: amount,
        currency: s.currency,
        tax_minor: Math.floor(amount / 6),
        discount_minor: random() < 0.2 ? Math.floor(amount / 10) : null,
        tender: card ? 'card' : 'cash',
        card_brand: card ? 'visa' : null,
        items: 1 + Math.floor(random() * 12),
        ref_txn_id: type === 'sale' ? null : `${terminal}-${String(Math.max(1, seq - 1)).padStart(7, '0')}`,
        received_at: times[i]! + 800,
        // Set by the caller. One object literal with every field: records of one
        // hidden class, as the feeder's decoder makes them (a spread would not be).
        log_partition: 0,
        log_offset: 0,
      };
      emitted++;
    }
  }
}

function percentile(xs: readonly number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(p * s.length))] ?? NaN;
}

function median(xs: readonly number[]): number {
  return percentile(xs, 0.5);
}

async function dirBytes(dir: string, suffix: string): Promise<number> {
  let n = 0;
  for (const e of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (e.isFile() && e.name.endsWith(suffix)) n += (await stat(join(e.parentPath, e.name))).size;
  }
  return n;
}

interface QueryFigures {
  storeP50: number;
  storeP99: number;
  storeMax: number;
  txnP50: number;
  txnP99: number;
  txnMax: number;
  rowsPerPage: number;
}

/** With `node --expose-gc`: start each query phase without the write phase's garbage, so its pauses are not charged to queries. */
function collectGarbage(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

async function queries(wh: Warehouse, stores: Store[], sample: { tenant: string; txn: string }[], random: () => number, count = QUERIES): Promise<QueryFigures> {
  collectGarbage();
  const storeMs: number[] = [];
  let rows = 0;
  for (let q = 0; q < count; q++) {
    const s = stores[Math.floor(random() * stores.length)]!;
    const r = random();
    const span = r < 0.4 ? 1 : r < 0.8 ? 7 : 30;
    const endDay = span + Math.floor(random() * (DAYS - span + 1));
    const to = START + endDay * DAY;
    const from = to - span * DAY;
    let t = performance.now();
    const page = await wh.storeTransactions(s.tenant, s.id, from, to, { limit: 100 });
    storeMs.push(performance.now() - t);
    rows += page.items.length;
    if (page.nextCursor !== null && random() < 0.3) {
      t = performance.now();
      const next = await wh.storeTransactions(s.tenant, s.id, from, to, { limit: 100, cursor: page.nextCursor });
      storeMs.push(performance.now() - t);
      rows += next.items.length;
    }
  }
  const txnMs: number[] = [];
  for (let q = 0; q < count; q++) {
    const known = random() < 0.8;
    const pick = sample[Math.floor(random() * sample.length)]!;
    const id = known ? pick.txn : `${pick.txn}-missing`;
    const t = performance.now();
    const found = await wh.findTransaction(pick.tenant, id);
    txnMs.push(performance.now() - t);
    if (known && found.length === 0) throw new Error(`txn ${id} of ${pick.tenant} not found`);
    if (!known && found.length !== 0) throw new Error(`unknown txn ${id} found`);
  }
  return {
    storeP50: percentile(storeMs, 0.5),
    storeP99: percentile(storeMs, 0.99),
    storeMax: Math.max(...storeMs),
    txnP50: percentile(txnMs, 0.5),
    txnP99: percentile(txnMs, 0.99),
    txnMax: Math.max(...txnMs),
    rowsPerPage: rows / storeMs.length,
  };
}

interface Run {
  writeRowsPerS: number;
  compactRowsPerS: number;
  bytesPerRecord: number;
  indexBytesPerRecord: number;
  indexMemoryBytesPerRecord: number;
  filesBeforeCompaction: number;
  filesAfterCompaction: number;
  openMs: number;
  before: QueryFigures;
  after: QueryFigures;
  feederRecordsPerS: number;
}

async function writeAll(wh: Warehouse, stores: Store[], sample: { tenant: string; txn: string }[], records = RECORDS): Promise<number> {
  const random = prng(42);
  const buffers = Array.from({ length: PARTITIONS }, () => [] as WarehouseRecord[]);
  const next = new Array<number>(PARTITIONS).fill(0);
  let appendMs = 0;
  const flush = async (p: number): Promise<void> => {
    const rows = buffers[p]!;
    if (rows.length === 0) return;
    const t = performance.now();
    await wh.append(p, wh.committedOffset(p), next[p]!, rows);
    appendMs += performance.now() - t;
    buffers[p] = [];
  };
  let i = 0;
  const every = Math.max(1, Math.floor(records / 20_000));
  for (const r of dataset(stores, records, random)) {
    const p = partitionOf(r.tenant, r.terminal_id, PARTITIONS);
    r.log_partition = p;
    r.log_offset = next[p]!++;
    buffers[p]!.push(r);
    if (i++ % every === 0) sample.push({ tenant: r.tenant, txn: r.txn_id });
    if (buffers[p]!.length >= BATCH) await flush(p);
  }
  for (let p = 0; p < PARTITIONS; p++) await flush(p);
  return (records * 1000) / appendMs;
}

async function feeder(root: string, stores: Store[]): Promise<number> {
  const log = await SegmentLog.open(join(root, 'log'), { partitions: PARTITIONS, durability: 'write' });
  const writer = await log.openWriter([...Array(PARTITIONS).keys()]);
  const scratch = Buffer.alloc(4096);
  // One recent day, as a live feed delivers it (the feeder appends per partition; a
  // batch spread over 35 days would make 35 files per tenant per append).
  const yesterday = START + (DAYS - 1) * DAY;
  for (const r of dataset(stores.map((s) => ({ ...s, seq: [0, 0, 0, 0] })), FEEDER_RECORDS, prng(7), yesterday, 1)) {
    const line = Buffer.from(lineOf(r));
    const n = encodeIngestedRecord(scratch, Buffer.from(r.tenant), r.terminal_id, r.seq, r.received_at, line, 0, line.length);
    writer.append(partitionOf(r.tenant, r.terminal_id, PARTITIONS), scratch.subarray(0, n));
    if (writer.stagedBytes > 8 << 20) await writer.commit();
  }
  await writer.commit();
  const wh = await ParquetWarehouse.open(join(root, 'feeder-warehouse'));
  const f = new WarehouseFeeder({ log, warehouse: wh });
  const t = performance.now();
  await f.flush();
  const s = (performance.now() - t) / 1000;
  if (f.stats.appended !== FEEDER_RECORDS) throw new Error(`feeder appended ${String(f.stats.appended)} of ${String(FEEDER_RECORDS)}`);
  await f.stop();
  await wh.close();
  await log.close();
  return FEEDER_RECORDS / s;
}

async function runOnce(run: number): Promise<Run> {
  const root = await mkdtemp(join(tmpdir(), 'tpay-bench-wh-'));
  try {
    const stores = makeStores();
    const sample: { tenant: string; txn: string }[] = [];
    const dir = join(root, 'warehouse');
    let wh = await ParquetWarehouse.open(dir);
    process.stderr.write(`run ${String(run)}: writing ${String(RECORDS)} records…\n`);
    const writeRowsPerS = await writeAll(wh, stores, sample);
    const filesBeforeCompaction = wh.stats().files;
    process.stderr.write(`run ${String(run)}: ${String(Math.round(writeRowsPerS))} rows/s, ${String(filesBeforeCompaction)} files; querying before compaction…\n`);
    const before = await queries(wh, stores, sample, prng(1000 + run));
    let t = performance.now();
    await wh.compact();
    const compactRowsPerS = (RECORDS * 1000) / (performance.now() - t);
    const st = wh.stats();
    await wh.close();
    t = performance.now();
    wh = await ParquetWarehouse.open(dir);
    const openMs = performance.now() - t;
    process.stderr.write(`run ${String(run)}: compacted to ${String(st.files)} files; querying…\n`);
    const after = await queries(wh, stores, sample, prng(2000 + run));
    await wh.close();
    const feederRecordsPerS = await feeder(root, stores);
    const r: Run = {
      writeRowsPerS,
      compactRowsPerS,
      bytesPerRecord: (await dirBytes(dir, '.parquet')) / RECORDS,
      indexBytesPerRecord: (await dirBytes(dir, '.idx')) / RECORDS,
      indexMemoryBytesPerRecord: st.indexBytesInMemory / RECORDS,
      filesBeforeCompaction,
      filesAfterCompaction: st.files,
      openMs,
      before,
      after,
      feederRecordsPerS,
    };
    process.stderr.write(`run ${String(run)}: ${JSON.stringify(r)}\n`);
    return r;
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

interface ClickHouseRun {
  appendRowsPerS: number;
  compactRowsPerS: number;
  bytesPerRecord: number;
  partsBeforeCompaction: number;
  partsAfterCompaction: number;
  before: QueryFigures;
  after: QueryFigures;
}

/**
 * The same dataset, appends and queries on ClickHouseWarehouse, against a
 * clickhouse-server this run starts on 127.0.0.1 (as the tests do) and stops.
 */
async function clickhouseRunOnce(run: number): Promise<ClickHouseRun> {
  const binary = clickHouseBinary();
  if (binary === null) throw new Error('clickhouse-server is not installed (scripts/ensure-system-deps.sh); run with --engines parquet to leave it out');
  await using server = await startClickHouse(binary);
  const raw = new ClickHouseHttp({ url: server.url });
  const parts = async (): Promise<[number, number]> => {
    const body = await raw.query("SELECT count(), sum(bytes_on_disk) FROM system.parts WHERE database = 'bench' AND table = 'transactions' AND active FORMAT TabSeparated");
    const [n, bytes] = body.toString('latin1').trim().split('\t').map(Number);
    return [n!, bytes!];
  };
  try {
    const stores = makeStores();
    const sample: { tenant: string; txn: string }[] = [];
    const wh = await ClickHouseWarehouse.open({ url: server.url, database: 'bench' });
    process.stderr.write(`clickhouse run ${String(run)}: writing ${String(CH_RECORDS)} records…\n`);
    const appendRowsPerS = await writeAll(wh, stores, sample, CH_RECORDS);
    const [partsBeforeCompaction] = await parts();
    process.stderr.write(`clickhouse run ${String(run)}: ${String(Math.round(appendRowsPerS))} rows/s, ${String(partsBeforeCompaction)} parts; querying before compaction…\n`);
    const before = await queries(wh, stores, sample, prng(3000 + run), CH_QUERIES);
    const t = performance.now();
    await wh.compact();
    const compactRowsPerS = (CH_RECORDS * 1000) / (performance.now() - t);
    const [partsAfterCompaction, bytes] = await parts();
    process.stderr.write(`clickhouse run ${String(run)}: compacted to ${String(partsAfterCompaction)} parts; querying…\n`);
    const after = await queries(wh, stores, sample, prng(4000 + run), CH_QUERIES);
    await wh.close();
    const r: ClickHouseRun = { appendRowsPerS, compactRowsPerS, bytesPerRecord: bytes / CH_RECORDS, partsBeforeCompaction, partsAfterCompaction, before, after };
    process.stderr.write(`clickhouse run ${String(run)}: ${JSON.stringify(r)}\n`);
    return r;
  } finally {
    await raw.close();
  }
}

async function main(): Promise<void> {
  const runs: Run[] = [];
  const chRuns: ClickHouseRun[] = [];
  for (let r = 1; r <= RUNS; r++) {
    if (ENGINES.includes('parquet')) runs.push(await runOnce(r));
    if (ENGINES.includes('clickhouse')) chRuns.push(await clickhouseRunOnce(r));
  }
  const m = (f: (r: Run) => number): number => median(runs.map(f));
  const c = (f: (r: ClickHouseRun) => number): number => median(chRuns.map(f));
  const figures: [string, number, string][] = [];
  if (runs.length > 0) {
    figures.push(
      ['warehouse_write_rows_per_s', Math.round(m((r) => r.writeRowsPerS)), 'rows/s'],
      ['warehouse_compact_rows_per_s', Math.round(m((r) => r.compactRowsPerS)), 'rows/s'],
      ['feeder_records_per_s', Math.round(m((r) => r.feederRecordsPerS)), 'records/s'],
      ['warehouse_bytes_per_record', +m((r) => r.bytesPerRecord).toFixed(1), 'B'],
      ['warehouse_index_bytes_per_record', +m((r) => r.indexBytesPerRecord).toFixed(1), 'B'],
      ['warehouse_index_memory_bytes_per_record', +m((r) => r.indexMemoryBytesPerRecord).toFixed(1), 'B'],
      ['warehouse_open_ms', Math.round(m((r) => r.openMs)), 'ms'],
      ['files_before_compaction', m((r) => r.filesBeforeCompaction), ''],
      ['files_after_compaction', m((r) => r.filesAfterCompaction), ''],
      ['store_page_p50_ms', +m((r) => r.after.storeP50).toFixed(2), 'ms'],
      ['store_page_p99_ms', +m((r) => r.after.storeP99).toFixed(2), 'ms'],
      ['store_page_max_ms', +m((r) => r.after.storeMax).toFixed(2), 'ms'],
      ['store_page_rows_avg', +m((r) => r.after.rowsPerPage).toFixed(1), ''],
      ['txn_lookup_p50_ms', +m((r) => r.after.txnP50).toFixed(2), 'ms'],
      ['txn_lookup_p99_ms', +m((r) => r.after.txnP99).toFixed(2), 'ms'],
      ['txn_lookup_max_ms', +m((r) => r.after.txnMax).toFixed(2), 'ms'],
      ['uncompacted_store_page_p50_ms', +m((r) => r.before.storeP50).toFixed(2), 'ms'],
      ['uncompacted_store_page_p99_ms', +m((r) => r.before.storeP99).toFixed(2), 'ms'],
      ['uncompacted_txn_lookup_p50_ms', +m((r) => r.before.txnP50).toFixed(2), 'ms'],
      ['uncompacted_txn_lookup_p99_ms', +m((r) => r.before.txnP99).toFixed(2), 'ms'],
    );
  }
  if (chRuns.length > 0) {
    figures.push(
      ['clickhouse_append_rows_per_s', Math.round(c((r) => r.appendRowsPerS)), 'rows/s'],
      ['clickhouse_compact_rows_per_s', Math.round(c((r) => r.compactRowsPerS)), 'rows/s'],
      ['clickhouse_bytes_per_record', +c((r) => r.bytesPerRecord).toFixed(1), 'B'],
      ['clickhouse_parts_before_compaction', c((r) => r.partsBeforeCompaction), ''],
      ['clickhouse_parts_after_compaction', c((r) => r.partsAfterCompaction), ''],
      ['clickhouse_store_page_p50_ms', +c((r) => r.after.storeP50).toFixed(2), 'ms'],
      ['clickhouse_store_page_p99_ms', +c((r) => r.after.storeP99).toFixed(2), 'ms'],
      ['clickhouse_store_page_rows_avg', +c((r) => r.after.rowsPerPage).toFixed(1), ''],
      ['clickhouse_txn_lookup_p50_ms', +c((r) => r.after.txnP50).toFixed(2), 'ms'],
      ['clickhouse_txn_lookup_p99_ms', +c((r) => r.after.txnP99).toFixed(2), 'ms'],
      ['clickhouse_uncompacted_store_page_p50_ms', +c((r) => r.before.storeP50).toFixed(2), 'ms'],
      ['clickhouse_uncompacted_store_page_p99_ms', +c((r) => r.before.storeP99).toFixed(2), 'ms'],
      ['clickhouse_uncompacted_txn_lookup_p50_ms', +c((r) => r.before.txnP50).toFixed(2), 'ms'],
      ['clickhouse_uncompacted_txn_lookup_p99_ms', +c((r) => r.before.txnP99).toFixed(2), 'ms'],
    );
  }
  for (const [name, value, unit] of figures) process.stdout.write(`${name}: ${String(value)}${unit === '' ? '' : ` ${unit}`}\n`);
  await mkdir('bench-output', { recursive: true });
  const meta = {
    records: RECORDS, stores: STORES, days: DAYS, tenants: TENANTS.length, partitions: PARTITIONS, batch: BATCH, queries: QUERIES, runs: RUNS,
    engines: ENGINES, clickhouseRecords: CH_RECORDS, clickhouseQueries: CH_QUERIES,
  };
  await writeFile('bench-output/warehouse.json', `${JSON.stringify({ ...meta, figures: Object.fromEntries(figures.map(([n, v]) => [n, v])), runs, clickhouseRuns: chRuns }, null, 2)}\n`);
}

await main();
