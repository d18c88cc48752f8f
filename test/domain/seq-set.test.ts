import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SeqSet, emptySeqSetStats, type SeqSetStats, type SeqVerdict } from '../../src/domain/seq-set.js';

function fresh(budget = 1024): { set: SeqSet; stats: SeqSetStats } {
  const stats = emptySeqSetStats();
  return { set: new SeqSet(budget, stats), stats };
}

/**
 * The rule of DOMAIN.md written the slow, obvious way: every accepted seq in
 * a Set; the floor recomputed from scratch after each accept by merging the
 * lowest intervals above it while there are more than `budget`.
 */
class ModelSet {
  readonly accepted = new Set<number>();
  floorLo = -1;
  floorHi = -1;
  constructor(private readonly budget: number) {}

  add(s: number): SeqVerdict {
    if (this.floorHi >= 0 && s >= this.floorLo && s <= this.floorHi) return 'out_of_window';
    if (this.accepted.has(s)) return 'duplicate';
    this.accepted.add(s);
    if (this.floorHi >= 0 && s < this.floorLo) this.floorLo = s;
    else {
      let iv = this.intervals();
      while (iv.length > this.budget) {
        if (this.floorHi < 0) this.floorLo = iv[0]![0];
        this.floorHi = iv[0]![1];
        iv = iv.slice(1);
      }
    }
    return 'new';
  }

  intervals(): [number, number][] {
    const above = [...this.accepted].filter((s) => s > this.floorHi).sort((a, b) => a - b);
    const out: [number, number][] = [];
    for (const s of above) {
      const last = out[out.length - 1];
      if (last !== undefined && last[1] === s - 1) last[1] = s;
      else out.push([s, s]);
    }
    return out;
  }
}

void describe('SeqSet: exact accepted seqs as intervals', () => {
  void it('a contiguous till is one interval however many records it sends, and every resend is a duplicate', () => {
    const { set, stats } = fresh();
    for (let s = 1; s <= 12_359; s++) assert.equal(set.add(s), 'new');
    assert.deepEqual(set.intervals(), [1, 12_359]);
    assert.equal(stats.intervals, 1);
    // Yesterday's file again, in its own order and then backwards: all duplicates.
    for (let s = 1; s <= 12_359; s++) assert.equal(set.add(s), 'duplicate');
    for (let s = 12_359; s >= 1; s--) assert.equal(set.add(s), 'duplicate');
    assert.equal(set.add(0), 'new');
    assert.equal(set.add(12_360), 'new');
    assert.deepEqual(set.intervals(), [0, 12_360]);
  });

  void it('one corrupted seq far ahead does not poison the till: the records after it are new', () => {
    const { set, stats } = fresh();
    for (let s = 1; s <= 1000; s++) set.add(s);
    assert.equal(set.add(9_001_000), 'new'); // a digit gone wrong
    for (let s = 1001; s <= 15_519; s++) assert.equal(set.add(s), 'new', String(s));
    assert.deepEqual(set.intervals(), [1, 15_519, 9_001_000, 9_001_000]);
    assert.equal(stats.intervals, 2);
    assert.equal(set.add(9_001_000), 'duplicate');
  });

  void it('fills gaps from either side and joins intervals that meet', () => {
    const { set, stats } = fresh();
    for (const s of [10, 12, 14]) set.add(s);
    assert.deepEqual(set.intervals(), [10, 10, 12, 12, 14, 14]);
    assert.equal(stats.intervals, 3);
    assert.equal(set.add(11), 'new'); // joins 10 and 12
    assert.deepEqual(set.intervals(), [10, 12, 14, 14]);
    assert.equal(set.add(9), 'new'); // extends down
    assert.equal(set.add(15), 'new'); // extends up
    assert.equal(set.add(13), 'new');
    assert.deepEqual(set.intervals(), [9, 15]);
    assert.equal(stats.intervals, 1);
    assert.equal(stats.peak, 3);
    for (let s = 9; s <= 15; s++) assert.equal(set.add(s), 'duplicate');
  });

  void it('the extremes of seq', () => {
    const { set } = fresh();
    assert.equal(set.add(0), 'new');
    assert.equal(set.add(Number.MAX_SAFE_INTEGER), 'new');
    assert.equal(set.add(Number.MAX_SAFE_INTEGER - 1), 'new');
    assert.equal(set.add(Number.MAX_SAFE_INTEGER), 'duplicate');
    assert.equal(set.add(0), 'duplicate');
    assert.deepEqual(set.intervals(), [0, 0, Number.MAX_SAFE_INTEGER - 1, Number.MAX_SAFE_INTEGER]);
  });
});

void describe('SeqSet budget and floor', () => {
  void it('past the budget the oldest interval is merged into the floor; only seqs inside the floor are out of window', () => {
    const { set, stats } = fresh(3);
    for (const s of [10, 20, 30]) set.add(s);
    assert.equal(set.hasFloor, false);
    assert.equal(set.add(40), 'new'); // 4 intervals > 3: [10] goes to the floor
    assert.deepEqual([set.floorLo, set.floorHi], [10, 10]);
    assert.equal(set.add(50), 'new'); // [20] too: the floor is 10..20, its gap 11..19 forgotten
    assert.deepEqual([set.floorLo, set.floorHi], [10, 20]);
    assert.deepEqual(set.intervals(), [30, 30, 40, 40, 50, 50]);
    assert.deepEqual({ ...stats }, { intervals: 3, atBudget: 1, floorMerges: 2, peak: 3 });
    assert.equal(set.add(15), 'out_of_window'); // in a merged gap: cannot be proven new
    assert.equal(set.add(10), 'out_of_window');
    assert.equal(set.add(20), 'out_of_window');
    assert.equal(set.add(21), 'new'); // just above the floor: a known gap, still exact
    // A 4th interval [21] below the others: it is the oldest, so it joins the floor.
    assert.deepEqual([set.floorLo, set.floorHi], [10, 21]);
    assert.equal(set.add(30), 'duplicate');
    assert.equal(set.add(31), 'new');
    assert.equal(set.add(9), 'new'); // below anything the terminal ever sent
    assert.deepEqual([set.floorLo, set.floorHi], [9, 21]);
    assert.equal(set.add(8), 'new');
    assert.equal(set.add(9), 'out_of_window');
  });

  void it('a gap-heavy terminal stays within its budget: 100,000 seqs two apart, budget 1024', () => {
    const { set, stats } = fresh(1024);
    for (let k = 0; k < 100_000; k++) assert.equal(set.add(2 * k), 'new');
    assert.equal(set.size, 1024);
    assert.deepEqual({ ...stats }, { intervals: 1024, atBudget: 1, floorMerges: 100_000 - 1024, peak: 1024 });
    assert.deepEqual([set.floorLo, set.floorHi], [0, 2 * (100_000 - 1024 - 1)]);
    // The last 1024 are exact: their gaps are new, their seqs duplicates.
    const lowestExact = 2 * (100_000 - 1024);
    assert.equal(set.add(lowestExact), 'duplicate');
    assert.equal(set.add(lowestExact + 1), 'new');
    assert.equal(set.add(lowestExact - 2), 'out_of_window');
  });

  void it('agrees with the brute-force model on 13,333 random seqs at each budget of 1, 2 and 8', () => {
    let x = 99;
    const rnd = (n: number): number => {
      x = (Math.imul(x, 1_103_515_245) + 12_345) >>> 0;
      return (x >>> 8) % n;
    };
    for (const budget of [1, 2, 8]) {
      const { set, stats } = fresh(budget);
      const model = new ModelSet(budget);
      let counts = { new: 0, duplicate: 0, out_of_window: 0 };
      for (let k = 0; k < 13_333; k++) {
        // Mostly in order with jumps, resends and gaps, like a till and its retries.
        const base = Math.floor(k / 3);
        const s = rnd(4) === 0 ? rnd(base + 50) : base + rnd(20);
        const v = set.add(s);
        assert.equal(v, model.add(s), `budget ${String(budget)}, step ${String(k)}, seq ${String(s)}`);
        counts = { ...counts, [v]: counts[v] + 1 };
      }
      assert.deepEqual(set.intervals(), model.intervals().flat());
      assert.deepEqual([set.floorLo, set.floorHi], [model.floorLo, model.floorHi]);
      assert.equal(stats.intervals, set.size);
      assert.ok(counts.new > 0 && counts.duplicate > 0 && counts.out_of_window > 0, JSON.stringify(counts));
    }
  });

  void it('from() restores a set, merging down to a lowered budget without counting merges', () => {
    const stats = emptySeqSetStats();
    const s = SeqSet.from(2, stats, -1, -1, [1, 2, 5, 6, 9, 9]);
    assert.deepEqual([s.floorLo, s.floorHi], [1, 2]);
    assert.deepEqual(s.intervals(), [5, 6, 9, 9]);
    assert.deepEqual({ ...stats }, { intervals: 2, atBudget: 1, floorMerges: 0, peak: 2 });
    assert.equal(s.add(10), 'new');
    assert.equal(s.add(3), 'new');
    assert.equal(s.add(2), 'out_of_window');
  });
});
