import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { dayNumber } from '../../src/domain/business-calendar.js';
import { SUM, SUM_COUNT } from '../../src/domain/metrics.js';
import type { Store } from '../../src/domain/store.js';
import { storeSeriesFromServing } from '../../src/forecast/serving-series.js';
import { ColumnarServingStore } from '../../src/serving/columnar-serving-store.js';
import type { RollupDelta } from '../../src/serving/serving-store.js';
import { tempDir } from '../support/temp-dir.js';

function store(id: string, city: string, timezone: string, country: string): Store {
  return { store_id: id, name: id, lat: 50, lon: 8, country, region: 'EMEA-North', city, timezone, currency: 'EUR', acquirer: null, merchant_account: null, bank_account: null, fee_plan: null };
}

/** One sale of `gross` (and a refund of `refund`) at UTC time `iso`. */
function delta(s: Store, iso: string, gross: number, refund = 0): RollupDelta {
  const rep = new Array<number>(SUM_COUNT).fill(0);
  rep[SUM.gross] = gross;
  rep[SUM.refunds] = refund;
  rep[SUM.saleCount] = 1;
  return { tenant: 'acme', store: s, quarter: Math.floor(Date.parse(iso) / 900_000), tender: 'card', cardBrand: 'visa', currency: 'EUR', rep, orig: rep.slice(0, 7) };
}

describe('forecast input from the serving rollups', () => {
  it('reads net_sales per store-local business day, cut-off honoured, zeros for days and stores without sales', async () => {
    await using dir = tempDir();
    const serving = await ColumnarServingStore.open(dir.path);
    // 04:00 business-day cut-off.
    serving.setTenant('acme', { reportingCurrency: 'EUR', cutoffMinutes: 240 });
    const berlin = store('S-1', 'Berlin', 'Europe/Berlin', 'DE');
    const tokyo = store('S-2', 'Tokyo', 'Asia/Tokyo', 'JP');
    const idle = store('S-3', 'Paris', 'Europe/Paris', 'FR');
    serving.upsertStores('acme', [berlin, tokyo, idle]);
    serving.apply({
      partition: 0,
      endOffset: 4,
      deltas: [
        delta(berlin, '2026-03-02T10:00:00Z', 10_000, 1_500), // Monday 11:00 local
        delta(berlin, '2026-03-03T01:30:00Z', 2_000), // Tuesday 02:30 local: still Monday's business day
        delta(berlin, '2026-03-03T09:00:00Z', 7_000), // Tuesday
        delta(tokyo, '2026-03-02T16:00:00Z', 5_000), // Tuesday 01:00 in Tokyo: Monday's business day
      ],
    });
    const from = dayNumber('2026-03-01');
    const series = storeSeriesFromServing(serving, 'acme', from, dayNumber('2026-03-05'));
    assert.deepEqual(
      series.map((s) => [s.id, s.country, s.city, s.first, [...s.values]]),
      [
        ['S-1', 'DE', 'Berlin', from, [0, 10_500, 7_000, 0]],
        ['S-2', 'JP', 'Tokyo', from, [0, 5_000, 0, 0]],
        ['S-3', 'FR', 'Paris', from, [0, 0, 0, 0]],
      ],
    );
  });
});
