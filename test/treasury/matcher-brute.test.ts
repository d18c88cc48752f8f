/**
 * The matcher's building blocks against plain definitions: reference text
 * and, by exhaustive search on small random inputs, the amount pass's
 * pairing (most pairs within the window, then fewest days off).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { forEachReferenceCandidate, normaliseReference } from '../../src/domain/reference-text.js';
import { pairInDateOrder } from '../../src/domain/window-matching.js';
import { Prng } from '../../src/firehose/prng.js';
import { entry, item, run } from './matcher-fixtures.js';

function candidates(text: string): string[] {
  const out: string[] = [];
  forEachReferenceCandidate(text, (c) => out.push(c));
  return out;
}

void describe('reference text', () => {
  void it('normalises to A–Z and 0–9, upper case; nothing left → null', () => {
    assert.equal(normaliseReference(' po-2026/0001 '), 'PO20260001');
    assert.equal(normaliseReference('ADYEN_MA1.20260302'), 'ADYENMA120260302');
    assert.equal(normaliseReference('ABC123'), 'ABC123');
    assert.equal(normaliseReference('Ünïcode-7'), 'NCODE7');
    assert.equal(normaliseReference(' -/ '), null);
    assert.equal(normaliseReference(null), null);
  });

  void it('tokens at whitespace , ; and parts at / + : = ( ) [ ] | #', () => {
    assert.deepEqual(candidates('Payout /ROC/po-1/ ref:PO2'), ['PAYOUT', 'ROCPO1', 'ROC', 'PO1', 'REFPO2', 'REF', 'PO2']);
    assert.deepEqual(candidates('  A1,B2;;C3\tD-4\u00a0(E5)  '), ['A1', 'B2', 'C3', 'D4', 'E5', 'E5']);
    assert.deepEqual(candidates(''), []);
    assert.deepEqual(candidates(' , ; '), []);
  });

  void it('a long hostile text is scanned in linear time', () => {
    const text = `${'/+:'.repeat(200_000)}${'A'.repeat(600_000)} ${'x '.repeat(300_000)}`;
    const t = performance.now();
    let n = 0;
    forEachReferenceCandidate(text, () => n++);
    assert.equal(n, 300_002);
    assert.ok(performance.now() - t < 2_000);
  });
});

/** Best (pairs, days off) over every assignment, by exhaustive search. */
function bruteBest(items: readonly number[], entries: readonly number[], w: number): [number, number] {
  const used = new Array<boolean>(entries.length).fill(false);
  let best: [number, number] = [0, 0];
  const go = (i: number, pairs: number, cost: number): void => {
    if (i === items.length) {
      if (pairs > best[0] || (pairs === best[0] && cost < best[1])) best = [pairs, cost];
      return;
    }
    go(i + 1, pairs, cost);
    for (let j = 0; j < entries.length; j++) {
      const d = Math.abs(entries[j]! - items[i]!);
      if (used[j] || d > w) continue;
      used[j] = true;
      go(i + 1, pairs + 1, cost + d);
      used[j] = false;
    }
  };
  go(0, 0, 0);
  return best;
}

function sortedDays(rng: Prng, n: number, span: number): number[] {
  return Array.from({ length: n }, () => rng.int(span)).sort((a, b) => a - b);
}

void describe('amount pass pairing against exhaustive search', () => {
  void it('pairInDateOrder: optimal, within the window, in order', () => {
    const rng = new Prng(20260302);
    for (let round = 0; round < 3_000; round++) {
      const w = rng.int(4);
      const items = sortedDays(rng, rng.int(7), 12);
      const entries = sortedDays(rng, rng.int(7), 12);
      const pairs = pairInDateOrder(items, entries, w);
      const cost = pairs.reduce((c, [i, j]) => c + Math.abs(entries[j]! - items[i]!), 0);
      const label = JSON.stringify({ items, entries, w, pairs });
      assert.deepEqual([pairs.length, cost], bruteBest(items, entries, w), label);
      for (let k = 0; k < pairs.length; k++) {
        const [i, j] = pairs[k]!;
        assert.ok(Math.abs(entries[j]! - items[i]!) <= w, label);
        if (k > 0) assert.ok(i > pairs[k - 1]![0] && j > pairs[k - 1]![1], label);
      }
    }
  });

  void it('reconcile by amount: as many pairs and as few days off as the best assignment', () => {
    const rng = new Prng(7);
    const iso = (d: number): string => `2026-03-${String(d + 1).padStart(2, '0')}`;
    for (let round = 0; round < 1_000; round++) {
      const w = rng.int(4);
      const amounts = [100, 200, -100];
      const items = Array.from({ length: rng.int(7) }, (_, k) => item(`P${String(k)}`, { amountMinor: rng.pick(amounts), expectedDate: iso(rng.int(10)) }));
      const entries = Array.from({ length: rng.int(7) }, (_, k) => entry(`E${String(k)}`, { amountMinor: rng.pick(amounts), date: iso(rng.int(10)) }));
      const r = run(items, entries, { dateWindowDays: w });
      let pairs = 0;
      let cost = 0;
      let bestPairs = 0;
      let bestCost = 0;
      for (const a of amounts) {
        const itemDays = items.filter((x) => x.amountMinor === a).map((x) => Number(x.expectedDate.slice(8)));
        const entryDays = entries.filter((x) => x.amountMinor === a).map((x) => Number(x.date.slice(8)));
        const [p, c] = bruteBest(itemDays, entryDays, w);
        bestPairs += p;
        bestCost += c;
      }
      for (const x of r.items) {
        // What the amount pass leaves, the batch pass may still take: only the amount pass is compared.
        if (x.method !== 'amount') continue;
        assert.ok(Math.abs(x.daysOff) <= w);
        pairs++;
        cost += Math.abs(x.daysOff);
      }
      assert.deepEqual([pairs, cost], [bestPairs, bestCost], JSON.stringify({ items, entries, w }));
    }
  });
});
