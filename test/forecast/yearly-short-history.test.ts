import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { ForecastPool } from '../../src/forecast/forecast-pool.js';
import { backtestLevels } from '../../src/forecast/level-backtest.js';
import { WORLD_START, storeSeries } from './forecast-world.js';

// The generated demand curve (December +42 %, January −22 %) with 11 to 15
// months of history at the origin: 380 days forecast December from a
// history that never saw one, 420 days forecast January from one that saw
// a single January, 460 and 500 days have one cycle and a bit (a trend and
// the yearly curve nearly the same line).
describe('forecast model on the yearly cycle with about a year of history', () => {
  const pool = new ForecastPool({ workers: 2 });
  after(() => pool.close());
  const worlds = [
    { seed: 1, days: 380 },
    { seed: 1, days: 420 },
    { seed: 2, days: 420 },
    { seed: 1, days: 460 },
    { seed: 3, days: 500 },
  ];
  for (const w of worlds) {
    it(`beats seasonal naive by 10 % MASE with 80 % intervals covering 65–92 % (seed ${String(w.seed)}, ${String(w.days)} days)`, async () => {
      const stores = storeSeries(w.seed, 10, w.days);
      const end = WORLD_START + w.days;
      const rows = await backtestLevels(pool, stores, { origins: [end - 56], days: 56 });
      const s = rows.find((r) => r.level === 'store')!;
      assert.ok(s.forecasts >= 8, `${String(s.forecasts)} stores scored`);
      assert.ok(s.maseGain >= 0.1, `MASE ${s.mase.toFixed(3)} vs seasonal naive ${s.baselineMase.toFixed(3)}`);
      assert.ok(s.coverage80 >= 0.65 && s.coverage80 <= 0.92, `80 % coverage ${s.coverage80.toFixed(3)}`);
      assert.ok(s.coverage95 >= 0.85, `95 % coverage ${s.coverage95.toFixed(3)}`);
    });
  }
});
