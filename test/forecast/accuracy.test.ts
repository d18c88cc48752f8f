import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { coverage, mase, maseScale, smape } from '../../src/forecast/accuracy.js';
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

  it('repeats the last week for the daily baseline', () => {
    assert.deepEqual([...seasonalNaive([1, 2, 3, 4, 5, 6, 7, 8, 9], 7, 9)], [3, 4, 5, 6, 7, 8, 9, 3, 4]);
    assert.deepEqual([...seasonalNaive([5, 6], 7, 3)], [6, 6, 6]);
    assert.deepEqual([...seasonalNaive([], 7, 2)], [0, 0]);
  });
});
