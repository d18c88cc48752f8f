/**
 * Pairing by exact amount, the matcher against the benchmark's DuckDB peer
 * (bench/treasury-peer.ts, in process): where one amount comes more often on
 * one side than on the other, both leave out the one that gives the most
 * pairs, then the fewest days off (docs/reconciliation.md, rule 4), the
 * later one on a tie; row by row, both give the same status and method.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DuckDBInstance } from '@duckdb/node-api';
import { loadPeerTables, reconcileSql } from '../../bench/treasury-peer.js';
import { DEFAULT_MATCH_OPTIONS, type BookedEntry, type ExpectedItem, type MatchOptions } from '../../src/domain/reconciliation.js';
import { EntryTable, ItemTable } from '../../src/treasury/match-tables.js';
import { reconcileTables } from '../../src/treasury/matcher.js';

const options: MatchOptions = { ...DEFAULT_MATCH_OPTIONS, asOf: '2025-03-31' };
const item = (id: string, date: string): ExpectedItem => ({ id, kind: 'deposit', account: 'DE89370400440532013000', currency: 'EUR', amountMinor: 50000, expectedDate: date, reference: null });
const entry = (id: string, date: string): BookedEntry => ({ id, account: 'DE89370400440532013000', currency: 'EUR', amountMinor: 50000, date, reference: null, remittance: null, bankReference: null });

type Outcome = [string, string, string];

function ours(items: ExpectedItem[], entries: BookedEntry[]): Outcome[] {
  const r = reconcileTables(ItemTable.of(items), EntryTable.of(entries), options);
  return [...r.itemResults().map((x): Outcome => [x.itemId, x.status, x.method ?? 'none']), ...r.entryResults().map((x): Outcome => [x.entryId, x.status, x.method ?? 'none'])];
}

async function peer(items: ExpectedItem[], entries: BookedEntry[]): Promise<Outcome[]> {
  const db = await DuckDBInstance.create(':memory:');
  const conn = await db.connect();
  try {
    await loadPeerTables(conn, items, entries);
    await conn.run(reconcileSql(options));
    const rows = (await conn.runAndReadAll("SELECT side, row, status, method FROM outcome ORDER BY side = 'entry', row")).getRowObjectsJS();
    return rows.map((x): Outcome => [x['side'] === 'item' ? items[Number(x['row'])]!.id : entries[Number(x['row'])]!.id, String(x['status']), String(x['method'])]);
  } finally {
    conn.closeSync();
    db.closeSync();
  }
}

describe('pairing by amount: the matcher and the DuckDB peer', () => {
  it('one more entry: Monday and Friday items, entries Monday, Wednesday, Friday; Wednesday is left out', async () => {
    const items = [item('I-mon', '2025-03-03'), item('I-fri', '2025-03-07')];
    const entries = [entry('E-mon', '2025-03-03'), entry('E-wed', '2025-03-05'), entry('E-fri', '2025-03-07')];
    const want: Outcome[] = [['I-mon', 'matched', 'amount'], ['I-fri', 'matched', 'amount'], ['E-mon', 'matched', 'amount'], ['E-wed', 'unexpected', 'none'], ['E-fri', 'matched', 'amount']];
    assert.deepEqual(ours(items, entries), want);
    assert.deepEqual(await peer(items, entries), want);
  });

  it('one more item: Monday, Wednesday and Friday items, entries Monday and Friday; Wednesday is missing', async () => {
    const items = [item('I-mon', '2025-03-03'), item('I-wed', '2025-03-05'), item('I-fri', '2025-03-07')];
    const entries = [entry('E-mon', '2025-03-03'), entry('E-fri', '2025-03-07')];
    const want: Outcome[] = [['I-mon', 'matched', 'amount'], ['I-wed', 'missing', 'none'], ['I-fri', 'matched', 'amount'], ['E-mon', 'matched', 'amount'], ['E-fri', 'matched', 'amount']];
    assert.deepEqual(ours(items, entries), want);
    assert.deepEqual(await peer(items, entries), want);
  });

  it('a tie (a day off either way): the earlier entry pays, the later is left out', async () => {
    const items = [item('I-tue', '2025-03-04')];
    const entries = [entry('E-mon', '2025-03-03'), entry('E-wed', '2025-03-05')];
    const want: Outcome[] = [['I-tue', 'timing', 'amount'], ['E-mon', 'timing', 'amount'], ['E-wed', 'unexpected', 'none']];
    assert.deepEqual(ours(items, entries), want);
    assert.deepEqual(await peer(items, entries), want);
  });

  it('as many on each side: in date order (Monday and Tuesday items, Tuesday and Wednesday entries)', async () => {
    const items = [item('I-mon', '2025-03-03'), item('I-tue', '2025-03-04')];
    const entries = [entry('E-tue', '2025-03-04'), entry('E-wed', '2025-03-05')];
    const want: Outcome[] = [['I-mon', 'timing', 'amount'], ['I-tue', 'timing', 'amount'], ['E-tue', 'timing', 'amount'], ['E-wed', 'timing', 'amount']];
    assert.deepEqual(ours(items, entries), want);
    assert.deepEqual(await peer(items, entries), want);
  });
});
