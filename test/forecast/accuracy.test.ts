import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { coverage, mase, maseScale, smape } from '../../src/forecast/accuracy.js';
import { emptyTally, scoreBands } from '../../src/forecast/backtest.js';
import { emptyBands } from '../../src/forecast/series.js';
import { seasonalNaive } from '../../src/forecast/seasonal-naive.js';

describe('forecast accuracy measures', () => {
  it('scales MASE by the in-sample error of seasonal naive', () => {
    // |3−1| + |4−2| + |9−3| over 3 pairs at lag 2.
    assert.equal(maseScale([1, 2, 3, 4, 9], 2), 10 / 3);
    assert.equal(mase([10, 20], [12, 17], 2.5), 2.5 / 2.5);
  });

  it('falls back to lag 1, then the mean absolute value, then 1, never 0', () => {
    assert.equal(maseScale([5, 5, 5, 7], 7), 2 / 3); // no lag-7 pair: lag 1, (0 + 0 + 2) / 3
    assert.equal(maseScale([4, 4, 4], 7), 4);
    assert.equal(maseScale([0, 0, 0], 7), 1);
    assert.equal(maseScale([], 7), 1);
  });

  it('counts a closed day forecast closed as a perfect sMAPE day', () => {
    assert.equal(smape([0, 100], [0, 300]), 50); // (0 + 200·200/400) / 2
    assert.equal(smape([100], [0]), 200);
  });

  it('counts coverage on days that are not trivially closed', () => {
    assert.deepEqual(coverage([0, 5, 9, 0], [0, 4, 10, 0], [0, 6, 12, 3]), { hits: 2, count: 3 });
  });

  it('scores a series from its first sale, and not at all before it has one', () => {
    const f = emptyBands(0, 2);
    f.point.set([10, 10]);
    const t = emptyTally();
    scoreBands(t, [0, 0, 0, 8, 12, 8, 12], [10, 14], f, 2);
    // Scale from [8, 12, 8, 12] at lag 2 is 0, so lag 1: (4 + 4 + 4) / 3 = 4; MAE (0 + 4) / 2 = 2.
    assert.equal(t.forecasts, 1);
    assert.equal(t.maseSum, 0.5);
    scoreBands(t, [0, 0, 0], [10, 14], f, 2);
    assert.equal(t.forecasts, 1, 'a store with no sale yet is not scored');
  });

  it('repeats the last week for the daily baseline', () => {
    assert.deepEqual([...seasonalNaive([1, 2, 3, 4, 5, 6, 7, 8, 9], 7, 9)], [3, 4, 5, 6, 7, 8, 9, 3, 4]);
    assert.deepEqual([...seasonalNaive([5, 6], 7, 3)], [6, 6, 6]);
    assert.deepEqual([...seasonalNaive([], 7, 2)], [0, 0]);
  });
});
