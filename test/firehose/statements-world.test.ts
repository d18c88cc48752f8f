/**
 * Generated bank statements end to end: a generated world's sales go in
 * through the history import path of a real platform, the platform's own
 * expected payouts and deposits are written out as camt.053, MT940 and CSV
 * statement files with injected breaks of every kind, the files are
 * imported through the statement import path, and reconciliation must give
 * every item and entry the answer key's outcome: every break found for what
 * it is, nothing clean flagged.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pino from 'pino';
import { importDemoHistory } from '../../src/cli/demo-history.js';
import { feedDemoStatements } from '../../src/cli/demo-statements.js';
import { provisionWorld } from '../../src/cli/firehose-commands.js';
import { loadConfig } from '../../src/config/config.js';
import { BREAK_STATUSES, DEFAULT_MATCH_OPTIONS, type MatchStatus } from '../../src/domain/reconciliation.js';
import { STATEMENT_FORMATS, type StatementFormat } from '../../src/domain/statement.js';
import { generatedSettlementSetup } from '../../src/firehose/settlement.js';
import { moneyItems } from '../../src/firehose/statements/expected-items.js';
import { STATEMENT_BREAKS, type AnswerKey, type StatementBreak } from '../../src/firehose/statements/statement-breaks.js';
import { statementFiles } from '../../src/firehose/statements/statement-files.js';
import { generateStatementWorld, ibanBankDays } from '../../src/firehose/statements/statement-world.js';
import { generateWorld } from '../../src/firehose/world.js';
import { startPlatform, type Platform } from '../../src/platform/platform.js';
import { reconcileTables } from '../../src/treasury/matcher.js';
import { calendarOf, parseSettlementSetup } from '../../src/treasury/settlement-setup.js';
import { bookedEntries } from '../../src/treasury/booked-entries.js';
import { EntryTable } from '../../src/treasury/match-tables.js';
import { statementKey } from '../../src/treasury/treasury-store.js';
import { tempDir, type TempDir } from '../support/temp-dir.js';

const DAY = 86_400_000;
const today = (): string => new Date().toISOString().slice(0, 10);
const yesterday = (): string => new Date(Date.now() - DAY).toISOString().slice(0, 10);

interface Outcome {
  key: AnswerKey;
  wrong: string[];
  /** Statuses of the items the key does not cover (due after the last statement day). */
  unkeyed: Map<string, number>;
  flagged: number;
}

void describe('generated bank statements with an answer key, through import and reconciliation', () => {
  let dir: TempDir;
  let platform: Platform;
  // A fourth tenant is left for the demo's feed.
  const world = generateWorld({ seed: 5, tenants: 4, stores: 72, terminalsPerStore: [1, 2] });
  const setup = parseSettlementSetup(generatedSettlementSetup());
  const outcomes = new Map<StatementFormat, Outcome>();

  before(async () => {
    dir = tempDir();
    provisionWorld(dir.path, world);
    const config = loadConfig({ env: {}, overrides: { dataDir: dir.path, logLevel: 'silent', 'ingest.tcpPort': 0, 'api.port': 0, 'log.segmentBytes': 1 << 20, 'treasury.refreshMs': 0 } });
    platform = await startPlatform(config, pino({ level: 'silent' }), { listen: false });
    await importDemoHistory(platform.ingest.engine, world, { days: 16, salesPerStoreDay: 12, endMs: Date.now() - 3_600_000 });
    await platform.stream.caughtUp(60_000);
  });

  after(async () => {
    await platform.close();
    await dir[Symbol.asyncDispose]();
  });

  // One tenant per format, so each tenant's statements come in once.
  STATEMENT_FORMATS.forEach((format, i) => {
    void it(`${format}: every item and entry as the answer key says`, (t) => {
      const tenant = world.tenants[i]!.tenant.tenant_id;
      const items = moneyItems(platform.treasury.expectedBook.compute(tenant, null));
      const from = items.map((x) => x.expectedDate).sort()[0]!;
      const { statements, key } = generateStatementWorld({ items, from, to: yesterday(), seed: 40 + i, breakRate: 0.2, isBankDay: ibanBankDays(calendarOf(setup)) });
      for (const f of statementFiles(statements, key, format)) {
        const r = platform.treasury.importStatements(tenant, Buffer.from(f.text), f.name);
        assert.deepEqual(r.statements.map((s) => s.status), r.statements.map(() => 'imported'), f.name);
        assert.deepEqual(r.statements.flatMap((s) => s.flags), [], `${f.name}: the balance chain holds`);
      }
      assert.equal(platform.treasury.statements(tenant).flags.length, 0);
      const rec = platform.treasury.reconciliation(tenant);
      const itemResults = rec.result.itemResults();
      const entryResults = rec.result.entryResults();
      const wrong: string[] = [];
      const keyed = new Map(key.items.map((x) => [x.id, x]));
      const unkeyed = new Map<string, number>();
      let flagged = 0;
      for (const r of itemResults) {
        const k = keyed.get(r.itemId);
        if (BREAK_STATUSES.has(r.status)) flagged++;
        if (k === undefined) {
          unkeyed.set(r.status, (unkeyed.get(r.status) ?? 0) + 1);
          continue;
        }
        const got = { status: r.status, method: r.method, difference: r.difference, days_off: r.daysOff, booked_currency: r.bookedCurrency, reason: r.reason, entry_ids: r.entryIds };
        const want = { status: k.status, method: k.method, difference: k.difference, days_off: k.days_off, booked_currency: k.booked_currency, reason: k.reason, entry_ids: k.entry_ids };
        if (JSON.stringify(got) !== JSON.stringify(want)) wrong.push(`${k.break ?? 'clean'} item ${r.itemId}: got ${JSON.stringify(got)}, key ${JSON.stringify(want)}`);
      }
      const keyedEntries = new Map(key.entries.map((x) => [x.entry_id, x]));
      assert.equal(entryResults.length, key.entries.length, 'every booked entry is in the key');
      for (const r of entryResults) {
        const k = keyedEntries.get(r.entryId);
        if (BREAK_STATUSES.has(r.status)) flagged++;
        if (k === undefined) {
          wrong.push(`entry ${r.entryId} is not in the key`);
          continue;
        }
        const got = { status: r.status, item_ids: r.itemIds, duplicate_of: r.duplicateOf, reason: r.reason };
        const want = { status: k.status, item_ids: k.item_ids, duplicate_of: k.duplicate_of, reason: k.reason };
        if (JSON.stringify(got) !== JSON.stringify(want)) wrong.push(`${k.break ?? 'clean'} entry ${r.entryId}: got ${JSON.stringify(got)}, key ${JSON.stringify(want)}`);
      }
      outcomes.set(format, { key, wrong, unkeyed, flagged });
      t.diagnostic(`${tenant}: ${String(key.summary.items)} items, ${String(key.summary.entries)} entries, ${String(key.summary.statements)} statements; breaks ${JSON.stringify(key.summary.breaks)}`);
      assert.deepEqual(wrong.slice(0, 10), [], `${String(wrong.length)} outcomes differ from the answer key`);
      // What the key does not cover is due from today on: not yet due, never a break.
      for (const status of unkeyed.keys()) assert.ok(status === 'pending' || status === 'matched', `an item after the last statement day is ${status}`);
      for (let i = 0; i < rec.result.itemCount; i++) if (!keyed.has(rec.items.ids[i]!)) assert.ok(rec.items.dates[i]! >= today());
      assert.ok(key.items.length > 200, `${String(key.items.length)} items keyed`);
      assert.ok(key.items.filter((x) => x.break === null).length > 0.7 * key.items.length, 'most items are clean');
    });
  });

  void it('every kind of break was injected, and only the breaks are flagged', () => {
    assert.equal(outcomes.size, STATEMENT_FORMATS.length);
    const seen = new Map<StatementBreak, number>();
    for (const o of outcomes.values()) {
      for (const [k, n] of Object.entries(o.key.summary.breaks) as [StatementBreak, number][]) seen.set(k, (seen.get(k) ?? 0) + n);
      // Flagged: the breaks whose item or entry ends in a break status, and nothing else.
      const expectedFlags = o.key.items.filter((x) => BREAK_STATUSES.has(x.status)).length + o.key.entries.filter((x) => BREAK_STATUSES.has(x.status)).length;
      assert.equal(o.flagged, expectedFlags);
      assert.ok(o.key.items.every((x) => x.break !== null || !BREAK_STATUSES.has(x.status)));
      assert.ok(o.key.entries.every((x) => x.break !== null || !BREAK_STATUSES.has(x.status)));
    }
    for (const b of STATEMENT_BREAKS) assert.ok((seen.get(b) ?? 0) > 0, `no ${b} injected`);
  });

  void it('many seeds at a high break rate: the matcher over the generated statements gives the key, item by item', () => {
    const tenant = world.tenants[0]!.tenant.tenant_id;
    const expected = platform.treasury.reconciliation(tenant);
    const items = moneyItems(expected.expected);
    const from = items.map((x) => x.expectedDate).sort()[0]!;
    for (const seed of [1, 2, 3, 4, 5, 6]) {
      const { statements, key } = generateStatementWorld({ items, from, to: yesterday(), seed, breakRate: 0.6, isBankDay: ibanBankDays(calendarOf(setup)) });
      const entries = bookedEntries(statements.map((s) => ({ key: statementKey(s.statement), fileSha256: '', importedAt: '', statement: s.statement })));
      const r = reconcileTables(expected.items, EntryTable.of(entries), { ...DEFAULT_MATCH_OPTIONS, asOf: today() });
      const byItem = new Map(r.itemResults().map((x) => [x.itemId, x]));
      const byEntry = new Map(r.entryResults().map((x) => [x.entryId, x]));
      const wrong: string[] = [];
      for (const k of key.items) {
        const x = byItem.get(k.id)!;
        if (JSON.stringify([x.status, x.method, x.difference, x.daysOff, x.bookedCurrency, x.entryIds]) !== JSON.stringify([k.status, k.method, k.difference, k.days_off, k.booked_currency, k.entry_ids])) wrong.push(`seed ${String(seed)} ${k.break ?? 'clean'} item ${k.id}: ${x.status}`);
      }
      for (const k of key.entries) {
        const x = byEntry.get(k.entry_id)!;
        if (JSON.stringify([x.status, x.itemIds, x.duplicateOf]) !== JSON.stringify([k.status, k.item_ids, k.duplicate_of])) wrong.push(`seed ${String(seed)} ${k.break ?? 'clean'} entry ${k.entry_id}: ${x.status}`);
      }
      assert.equal(r.entryCount, key.entries.length);
      assert.deepEqual(wrong.slice(0, 10), [], `${String(wrong.length)} outcomes differ`);
      assert.ok(key.items.filter((x) => x.break !== null && x.break !== 'zero').length > 0.4 * key.items.length);
    }
  });

  void it("the demo's feed: statements with a few breaks for a tenant without any, nothing for those up to date, nothing twice", async () => {
    const lines = await feedDemoStatements(platform, world);
    const demo = world.tenants[3]!.tenant.tenant_id;
    const upToDate = (t: (typeof world.tenants)[number]): RegExp => new RegExp(`^${t.tenant.tenant_id}: bank statements up to date \\(to \\d{4}-\\d{2}-\\d{2}\\)$`);
    world.tenants.slice(0, 3).forEach((t, i) => assert.match(lines[i]!, upToDate(t)));
    assert.match(lines[3]!, new RegExp(`^${demo}: fed \\d+ camt053 bank statements \\(\\d{4}-\\d{2}-\\d{2} to ${yesterday()}, \\d+ entries, \\d+ breaks\\)$`));
    const { statements, flags } = platform.treasury.statements(demo);
    assert.ok(statements.length > 20);
    assert.deepEqual(flags, []);
    const rec = platform.treasury.reconciliation(demo);
    const count = (pred: (s: MatchStatus) => boolean): number => {
      let n = 0;
      for (let i = 0; i < rec.result.itemCount; i++) if (pred(rec.result.itemStatus(i))) n++;
      for (let e = 0; e < rec.result.entryCount; e++) if (pred(rec.result.entryStatus(e))) n++;
      return n;
    };
    const breaks = count((s) => BREAK_STATUSES.has(s));
    assert.ok(count((s) => s === 'matched') > 10 * breaks && breaks > 0, `${String(breaks)} breaks`);
    const again = await feedDemoStatements(platform, world);
    world.tenants.forEach((t, i) => assert.match(again[i]!, upToDate(t)));
    assert.equal(platform.treasury.statements(demo).statements.length, statements.length);
  });
});
