/**
 * The index keeps each terminal's highest interval in flat arrays and the
 * rest in a SeqSet; a terminal must behave exactly as one SeqSet holding
 * all of it, whatever the order of seqs and the budget: same verdicts,
 * intervals, floor and counters. Also through a snapshot and back.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DedupIndex } from '../../src/domain/dedup-index.js';
import { restoreDedupIndex, snapshotDedupIndex } from '../../src/domain/dedup-snapshot.js';
import { SeqSet, emptySeqSetStats } from '../../src/domain/seq-set.js';

function prng(seed: number): (n: number) => number {
  let s = seed >>> 0;
  return (n) => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return (s >>> 8) % n;
  };
}

/** A mix of in-order runs, resends, gaps, seqs just below runs and far jumps. */
function nextSeq(rnd: (n: number) => number, last: number): number {
  const k = rnd(100);
  if (k < 50) return last + 1;
  if (k < 60) return Math.max(0, last - rnd(5));
  if (k < 75) return last + 2 + rnd(6);
  if (k < 90) return Math.max(0, last - 2 - rnd(60));
  if (k < 97) return rnd(400);
  return last + 1000 + rnd(1000);
}

void describe('DedupIndex layout', () => {
  for (const budget of [1, 2, 3, 8, 1024]) {
    void it(`behaves as one SeqSet per terminal (budget ${String(budget)})`, () => {
      const idx = new DedupIndex(budget);
      const stats = emptySeqSetStats();
      const plain = new Map<string, SeqSet>();
      const last = new Map<string, number>();
      const rnd = prng(budget * 7919 + 1);
      let seen = { new: 0, duplicate: 0, out_of_window: 0 };
      for (let n = 0; n < 40_000; n++) {
        const id = `T${String(rnd(12))}`;
        const seq = nextSeq(rnd, last.get(id) ?? 0);
        last.set(id, seq);
        let set = plain.get(id);
        if (set === undefined) plain.set(id, (set = new SeqSet(budget, stats)));
        const want = set.add(seq);
        assert.equal(idx.check('acme', id, seq), want, `${id} seq ${String(seq)} after ${String(n)} checks`);
        seen = { ...seen, [want]: seen[want] + 1 };
      }
      assert.ok(seen.new > 0 && seen.duplicate > 0, JSON.stringify(seen));
      if (budget <= 3) assert.ok(seen.out_of_window > 0, JSON.stringify(seen));
      const restored = restoreDedupIndex(snapshotDedupIndex(idx), budget);
      for (const [id, set] of plain) {
        const want = [set.floorLo, set.floorHi, set.hasFloor, set.size, ...set.intervals()];
        for (const got of [idx.terminal('acme', id)!, restored.terminal('acme', id)!]) {
          assert.deepEqual([got.floorLo, got.floorHi, got.hasFloor, got.size, ...got.intervals()], want, id);
        }
      }
      assert.deepEqual(idx.stats, stats);
      assert.deepEqual({ ...restored.stats, floorMerges: 0 }, { ...stats, floorMerges: 0 });
    });
  }

  void it('a restored terminal with a floor and no interval still answers from its floor', () => {
    const idx = new DedupIndex(4);
    assert.equal(idx.restore('acme', 'T', 10, 20, []), true);
    assert.equal(idx.restore('acme', 'T', 10, 20, []), false);
    assert.equal(idx.check('acme', 'T', 15), 'out_of_window');
    assert.equal(idx.check('acme', 'T', 21), 'new');
    assert.equal(idx.check('acme', 'T', 21), 'duplicate');
    assert.equal(idx.check('acme', 'T', 5), 'new');
    assert.deepEqual(idx.terminal('acme', 'T')!.intervals(), [21, 21]);
  });
});
