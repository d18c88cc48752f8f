/**
 * Generated worlds with an answer key (matcher-world.ts): every injected
 * break must end in the key's status (and difference, days off, method,
 * booked currency, duplicate-of), and nothing clean may be flagged.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_MATCH_OPTIONS } from '../../src/domain/reconciliation.js';
import { Prng } from '../../src/firehose/prng.js';
import { reconcile } from '../../src/treasury/matcher.js';
import { rows, shuffled, type Rows } from './matcher-fixtures.js';
import { BREAKS, generateWorld, type World } from './matcher-world.js';

function check(w: World, r: Rows): Map<string, number> {
  const seen = new Map<string, number>();
  const wrong: string[] = [];
  for (const x of r.items) {
    const key = w.itemKey.get(x.itemId)!;
    const got = { status: x.status, method: x.method, difference: x.difference, daysOff: x.daysOff, bookedCurrency: x.bookedCurrency };
    const why = w.injected.get(x.itemId) ?? 'clean';
    if (JSON.stringify(got) !== JSON.stringify(key)) wrong.push(`${why} item ${x.itemId}: got ${JSON.stringify(got)}, key ${JSON.stringify(key)}`);
    seen.set(why, (seen.get(why) ?? 0) + 1);
  }
  for (const x of r.entries) {
    const key = w.entryKey.get(x.entryId)!;
    const got = { status: x.status, duplicateOf: x.duplicateOf };
    const why = w.injected.get(x.entryId) ?? 'clean';
    if (JSON.stringify(got) !== JSON.stringify(key)) wrong.push(`${why} entry ${x.entryId}: got ${JSON.stringify(got)}, key ${JSON.stringify(key)}`);
    seen.set(`entry:${why}`, (seen.get(`entry:${why}`) ?? 0) + 1);
  }
  assert.deepEqual(wrong.slice(0, 20), [], `${String(wrong.length)} outcomes differ from the answer key`);
  return seen;
}

void describe('reconcile over generated worlds with an answer key', () => {
  for (const seed of [1, 2, 3, 42, 20260302]) {
    void it(`seed ${String(seed)}: every injected break as keyed, nothing clean flagged`, () => {
      const w = generateWorld(seed, 8, 60);
      const r = rows(reconcile(w.items, w.entries, { ...DEFAULT_MATCH_OPTIONS, asOf: w.asOf }));
      const seen = check(w, r);
      // Every kind of break was injected (so the pass above covered it), and most of the world is clean.
      for (const b of [...BREAKS, 'unexpected', 'zero']) assert.ok((seen.get(b) ?? 0) + (seen.get(`entry:${b}`) ?? 0) > 0, `no ${b} injected`);
      assert.ok(seen.get('clean')! > 0.8 * r.items.length);
      const pending = r.items.filter((x) => x.status === 'pending').length;
      const missing = r.items.filter((x) => x.status === 'missing').length;
      assert.ok(missing > 0 && pending >= 0);
    });
  }

  void it('shuffled inputs give every item and entry the same outcome', () => {
    const w = generateWorld(7, 6, 40);
    const options = { ...DEFAULT_MATCH_OPTIONS, asOf: w.asOf };
    const base = rows(reconcile(w.items, w.entries, options));
    const byId = (r: Rows): string => JSON.stringify([[...r.items].sort((a, b) => (a.itemId < b.itemId ? -1 : 1)), [...r.entries].sort((a, b) => (a.entryId < b.entryId ? -1 : 1))]);
    const rng = new Prng(99);
    for (let k = 0; k < 5; k++) {
      const r = rows(reconcile(shuffled(w.items, () => rng.float()), shuffled(w.entries, () => rng.float()), options));
      assert.equal(byId(r), byId(base));
    }
    check(w, base);
  });

  void it('the statuses of a world add up: every entry explained once', () => {
    const w = generateWorld(5, 4, 30);
    const r = rows(reconcile(w.items, w.entries, { ...DEFAULT_MATCH_OPTIONS, asOf: w.asOf }));
    const paidBy = new Map<string, string[]>();
    for (const x of r.items) for (const e of x.entryIds) paidBy.set(e, [...(paidBy.get(e) ?? []), x.itemId]);
    for (const x of r.entries) {
      assert.deepEqual([...(paidBy.get(x.entryId) ?? [])].sort(), x.itemIds, x.entryId);
      assert.equal(x.itemIds.length === 0, x.status === 'unexpected' || x.status === 'duplicate', x.entryId);
    }
  });
});
