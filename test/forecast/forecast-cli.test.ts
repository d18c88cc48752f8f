import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { dayNumber, dayText } from '../../src/domain/business-calendar.js';
import { SUM, SUM_COUNT } from '../../src/domain/metrics.js';
import { generateDailySales } from '../../src/firehose/daily-sales.js';
import { generateWorld } from '../../src/firehose/world.js';
import { ColumnarServingStore } from '../../src/serving/columnar-serving-store.js';
import type { RollupDelta } from '../../src/serving/serving-store.js';
import { tempDir } from '../support/temp-dir.js';

const CLI = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));

interface Row {
  level: string;
  grain: string;
  forecasts: number;
  mase: number;
  baselineMase: number;
  coverage80: number;
}

describe('tpay forecast backtest', () => {
  it('backtests a data dir per level from its serving rollups', async () => {
    await using dir = tempDir();
    const start = dayNumber('2024-06-03');
    const days = 600;
    const world = generateWorld({ seed: 9, tenants: 1, stores: 40 });
    // Sales are booked at 12:00 UTC, which is the same local date in every zone from −11 to +11 hours.
    const sales = generateDailySales(world.tenants[0]!, { seed: 9, start, days }).filter((s) => !/Pacific|Auckland|Chatham|Fiji/.test(s.site.store.timezone));
    const serving = await ColumnarServingStore.open(`${dir.path}/serving`);
    serving.setTenant('acme', { reportingCurrency: 'USD', cutoffMinutes: 0 });
    const deltas: RollupDelta[] = [];
    for (const s of sales) {
      s.values.forEach((v, i) => {
        if (v === 0) return;
        const rep = new Array<number>(SUM_COUNT).fill(0);
        rep[SUM.gross] = v;
        rep[SUM.saleCount] = 1;
        deltas.push({ tenant: 'acme', store: s.site.store, quarter: (s.first + i) * 96 + 48, tender: 'card', cardBrand: 'visa', currency: 'USD', rep, orig: rep.slice(0, 7) });
      });
    }
    serving.apply({ partition: 0, endOffset: deltas.length, deltas });
    await serving.snapshot();
    const asOf = dayText(start + days);
    const r = spawnSync(process.execPath, [CLI, '--data-dir', dir.path, '--log-level', 'warn', 'forecast', 'backtest', '--tenant', 'acme', '--as-of', asOf, '--history-days', String(days), '--origins', '2', '--workers', '2', '--json'], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout) as { as_of: string; origins: string[]; rows: Row[] };
    assert.equal(out.as_of, asOf);
    assert.deepEqual(out.origins, [dayText(start + days - 56), dayText(start + days - 112)]);
    assert.deepEqual(
      out.rows.map((x) => x.level),
      ['store', 'city', 'region', 'country', 'tenant'],
    );
    const store = out.rows[0]!;
    assert.ok(store.forecasts >= 2 * (sales.length - 3), `${String(store.forecasts)} forecasts`);
    assert.ok(store.mase < 0.9 * store.baselineMase, `MASE ${String(store.mase)} vs ${String(store.baselineMase)}`);

    const bad = spawnSync(process.execPath, [CLI, '--data-dir', dir.path, 'forecast', 'backtest', '--tenant', 'nobody', '--as-of', asOf], { encoding: 'utf8' });
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /tenant 'nobody' has no rollups/);
  });
});
