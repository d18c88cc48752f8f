import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { METRICS, SUM_COUNT, SumOverflowError, addCell, addTransaction, isMetric, metricValue, type Metric, type MetricInput } from '../../src/domain/metrics.js';
import { Prng } from '../../src/firehose/prng.js';

/** The definitions of DOMAIN.md, "Metrics", computed straight from a list, in BigInt. */
function reference(txns: readonly MetricInput[], metric: Metric): bigint | null {
  const sum = (type: string, f: (t: MetricInput) => number): bigint => txns.filter((t) => t.type === type).reduce((n, t) => n + BigInt(f(t)), 0n);
  const count = (type: string): bigint => BigInt(txns.filter((t) => t.type === type).length);
  const gross = sum('sale', (t) => t.amount);
  const refunds = sum('refund', (t) => t.amount);
  const voids = sum('void', (t) => t.amount);
  const net = gross - refunds - voids;
  const tax = sum('sale', (t) => t.tax) - sum('refund', (t) => t.tax) - sum('void', (t) => t.tax);
  switch (metric) {
    case 'gross_sales':
      return gross;
    case 'refunds':
      return refunds;
    case 'voids':
      return voids;
    case 'net_sales':
      return net;
    case 'tax':
      return tax;
    case 'net_revenue':
      return net - tax;
    case 'discounts':
      return sum('sale', (t) => t.discount);
    case 'sale_count':
      return count('sale');
    case 'refund_count':
      return count('refund');
    case 'void_count':
      return count('void');
    case 'items':
      return sum('sale', (t) => t.items) - sum('refund', (t) => t.items);
    case 'avg_basket': {
      const n = count('sale');
      if (n === 0n) return null;
      // Half to even, by hand.
      let q = net / n;
      let r = net % n;
      if (r < 0n) {
        q -= 1n;
        r += n;
      }
      if (2n * r > n || (2n * r === n && q % 2n !== 0n)) q += 1n;
      return q;
    }
  }
}

function randomTxn(rng: Prng, big: boolean): MetricInput {
  const types = ['sale', 'sale', 'sale', 'sale', 'sale', 'sale', 'refund', 'void'] as const;
  const amount = 1 + rng.int(big ? 2_000_000_000 : 50_000);
  return { type: types[rng.int(types.length)]!, amount, tax: rng.int(amount + 1), discount: rng.int(500), items: rng.int(12) };
}

void describe('metrics', () => {
  void it('knows its metrics', () => {
    assert.equal(METRICS.length, 12);
    assert.ok(isMetric('net_revenue'));
    assert.ok(!isMetric('revenue'));
  });

  void it('computes one sale, refund and void to the minor unit', () => {
    const cell = new Float64Array(SUM_COUNT);
    addTransaction(cell, 0, { type: 'sale', amount: 1250, tax: 200, discount: 50, items: 3 });
    addTransaction(cell, 0, { type: 'sale', amount: 999, tax: 99, discount: 0, items: 1 });
    addTransaction(cell, 0, { type: 'refund', amount: 300, tax: 48, discount: 0, items: 1 });
    addTransaction(cell, 0, { type: 'void', amount: 999, tax: 99, discount: 0, items: 1 });
    const got = Object.fromEntries(METRICS.map((m) => [m, metricValue(cell, 0, m)]));
    assert.deepEqual(got, {
      gross_sales: 2249,
      refunds: 300,
      voids: 999,
      net_sales: 950,
      tax: 152,
      net_revenue: 798,
      discounts: 50,
      sale_count: 2,
      refund_count: 1,
      void_count: 1,
      items: 3,
      avg_basket: 475,
    });
  });

  void it('rounds avg_basket half to even and gives null without sales', () => {
    const cell = new Float64Array(SUM_COUNT);
    assert.equal(metricValue(cell, 0, 'avg_basket'), null);
    addTransaction(cell, 0, { type: 'refund', amount: 5, tax: 0, discount: 0, items: 0 });
    assert.equal(metricValue(cell, 0, 'avg_basket'), null);
    const half = (sales: number[], refund: number): number | null => {
      const c = new Float64Array(SUM_COUNT);
      for (const a of sales) addTransaction(c, 0, { type: 'sale', amount: a, tax: 0, discount: 0, items: 0 });
      if (refund > 0) addTransaction(c, 0, { type: 'refund', amount: refund, tax: 0, discount: 0, items: 0 });
      return metricValue(c, 0, 'avg_basket');
    };
    assert.equal(half([2, 3], 0), 2); // 2.5 → 2
    assert.equal(half([3, 4], 0), 4); // 3.5 → 4
    assert.equal(half([1, 1], 5), -2); // −1.5 → −2
    assert.equal(half([1, 2], 5), -1); // −1 exactly
    assert.equal(half([1, 1, 2], 0), 1); // 1.33 → 1
  });

  void it('matches the brute-force definitions over random groupings, and groupings add up to the same totals', () => {
    const rng = new Prng(99);
    for (let round = 0; round < 40; round++) {
      const big = round % 4 === 0;
      const txns = Array.from({ length: 1 + rng.int(400) }, () => randomTxn(rng, big));
      const groups = 1 + rng.int(8);
      const cells = new Float64Array(groups * SUM_COUNT);
      const members: MetricInput[][] = Array.from({ length: groups }, () => []);
      for (const t of txns) {
        const g = rng.int(groups);
        addTransaction(cells, g * SUM_COUNT, t);
        members[g]!.push(t);
      }
      const total = new Float64Array(SUM_COUNT);
      for (let g = 0; g < groups; g++) {
        addCell(total, 0, cells, g * SUM_COUNT);
        for (const m of METRICS) {
          const want = reference(members[g]!, m);
          assert.equal(metricValue(cells, g * SUM_COUNT, m), want === null ? null : Number(want), `round ${String(round)} group ${String(g)} ${m}`);
        }
      }
      for (const m of METRICS) {
        const want = reference(txns, m);
        assert.equal(metricValue(total, 0, m), want === null ? null : Number(want), `round ${String(round)} total ${m}`);
      }
    }
  });

  void it('takes a transaction back out with sign −1 (a restatement that moves it)', () => {
    const cell = new Float64Array(SUM_COUNT);
    const t: MetricInput = { type: 'sale', amount: 700, tax: 70, discount: 7, items: 2 };
    addTransaction(cell, 0, t);
    addTransaction(cell, 0, t, -1);
    assert.deepEqual([...cell], new Array<number>(SUM_COUNT).fill(0));
  });

  void it('refuses a sum past 2^53 − 1 instead of losing a minor unit', () => {
    const cell = new Float64Array(SUM_COUNT);
    addTransaction(cell, 0, { type: 'sale', amount: Number.MAX_SAFE_INTEGER - 1, tax: 0, discount: 0, items: 0 });
    assert.throws(() => addTransaction(cell, 0, { type: 'sale', amount: 2, tax: 0, discount: 0, items: 0 }), SumOverflowError);
  });
});
