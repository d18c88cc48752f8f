/**
 * Real bank statement files through reconciliation: every entry of every
 * sample ends in exactly one status. Expected payouts are made for some of
 * a file's entries (by their reference, amount and value date, as an
 * acquirer would have announced them): those match by reference, the
 * others are unexpected (or duplicate), and a payout that never arrived is
 * missing.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MATCH_STATUSES, type ExpectedItem } from '../../src/domain/reconciliation.js';
import { reconcile } from '../../src/treasury/matcher.js';
import { parseStatement } from '../../src/treasury/statements/parse-statement.js';
import { bookedEntries } from '../../src/treasury/booked-entries.js';
import { statementKey, type StoredStatement } from '../../src/treasury/treasury-store.js';
import { rows } from './matcher-fixtures.js';
import { sampleBytes, sampleFiles, statementsOf } from './statements-helpers.js';

const SAMPLES = [...sampleFiles('camt053', '.xml').map((f) => ['camt053', f] as const), ...sampleFiles('mt940', '.sta').map((f) => ['mt940', f] as const)].filter(([, f]) => !f.startsWith('bad_'));

void describe('reconciliation of the real sample statements', () => {
  for (const [dir, file] of SAMPLES) {
    void it(`${file}: every entry in one status`, () => {
      const statements: StoredStatement[] = statementsOf(parseStatement(sampleBytes(dir, file))).map((statement) => ({ key: statementKey(statement), fileSha256: '', importedAt: '', statement }));
      const entries = bookedEntries(statements);
      assert.ok(entries.length > 0, 'the sample has entries');
      const refCount = new Map<string, number>();
      for (const e of entries) if (e.reference !== null) refCount.set(e.reference, (refCount.get(e.reference) ?? 0) + 1);
      // Every other entry with a reference of its own is an announced payout.
      const announced = entries.filter((e) => e.reference !== null && refCount.get(e.reference) === 1 && e.date !== '').filter((_, i) => i % 2 === 0);
      const items: ExpectedItem[] = announced.map((e, i) => ({ id: `payout:${String(i)}`, kind: 'payout', account: e.account, currency: e.currency, amountMinor: e.amountMinor, expectedDate: e.date, reference: e.reference }));
      const last = entries.map((e) => e.date).sort().at(-1)!;
      items.push({ id: 'payout:never', kind: 'payout', account: entries[0]!.account, currency: entries[0]!.currency, amountMinor: 12_345, expectedDate: entries[0]!.date || last, reference: 'NEVER-ARRIVED-1' });
      const asOf = new Date(Date.parse(`${last}T00:00:00Z`) + 30 * 86_400_000).toISOString().slice(0, 10);

      const result = rows(reconcile(items, entries, { amountToleranceMinor: 0, dateWindowDays: 3, missingAfterDays: 2, asOf }));

      assert.deepEqual(result.entries.map((r) => r.entryId).sort(), entries.map((e) => e.id).sort(), 'each entry judged once');
      for (const r of result.entries) assert.ok((MATCH_STATUSES as readonly string[]).includes(r.status), `${r.entryId}: ${r.status}`);
      const byEntry = new Map(result.entries.map((r) => [r.entryId, r]));
      for (const [i, e] of announced.entries()) {
        const r = byEntry.get(e.id)!;
        assert.equal(r.status, 'matched', `${e.id} (${String(e.reference)})`);
        assert.equal(r.method, 'reference');
        assert.deepEqual(r.itemIds, [`payout:${String(i)}`]);
      }
      const used = new Set(announced.map((e) => e.id));
      for (const r of result.entries) if (!used.has(r.entryId)) assert.ok(r.status === 'unexpected' || r.status === 'duplicate', `${r.entryId}: ${r.status}`);
      assert.equal(result.items.find((r) => r.itemId === 'payout:never')?.status, 'missing');
    });
  }
});
