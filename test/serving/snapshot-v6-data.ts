/**
 * What `test/data/serving-v6/snapshot.bin` holds: a serving snapshot of
 * version 6 (one CRC over the whole file), written by the release before
 * block checks from exactly these batches on 2026-12-07, with sealed and
 * plain chunks, so a reader of today can be held to what that release wrote.
 */
import { SUM_COUNT } from '../../src/domain/metrics.js';
import type { Store } from '../../src/domain/store.js';
import type { RollupBatch } from '../../src/serving/serving-store.js';

export const V6_STORES: Store[] = [
  { store_id: 's-paris', name: 'Paris', lat: 48.85, lon: 2.35, country: 'FR', region: 'IDF', city: 'Paris', timezone: 'Europe/Paris', currency: 'EUR', acquirer: 'a', merchant_account: 'm1', bank_account: 'FR00', fee_plan: 'std' },
  { store_id: 's-tokyo', name: 'Tokyo', lat: 35.68, lon: 139.69, country: 'JP', region: 'Kanto', city: 'Tokyo', timezone: 'Asia/Tokyo', currency: 'JPY', acquirer: 'a', merchant_account: 'm2', bank_account: 'JP00', fee_plan: 'std' },
  { store_id: 's-delhi', name: 'Delhi', lat: 28.61, lon: 77.21, country: 'IN', region: 'DL', city: 'Delhi', timezone: 'Asia/Kolkata', currency: 'INR', acquirer: 'a', merchant_account: 'm3', bank_account: 'IN00', fee_plan: 'std' },
];

/** First UTC day of the data: 2026-10-01, so the chunks of October and most of November were sealed when it was written. */
export const V6_FIRST_DAY = Math.floor(Date.UTC(2026, 9, 1) / 86_400_000);
export const V6_DAYS = 66;

/** The batches the snapshot was written from, in order. */
export function v6Batches(): RollupBatch[] {
  const out: RollupBatch[] = [];
  const combos = [['card', 'visa'], ['card', 'mastercard'], ['cash', null], ['wallet', null]] as const;
  for (let d = 0; d < V6_DAYS; d++) {
    const deltas: RollupBatch['deltas'][number][] = [];
    for (let i = 0; i < 12; i++) {
      const store = V6_STORES[i % 3]!;
      const [tender, cardBrand] = combos[(i + d) % combos.length]!;
      const rep = new Float64Array(SUM_COUNT);
      rep[0] = 1000 + 37 * i + d;
      rep[1] = i % 9 === 0 ? 250 : 0;
      rep[3] = 150 + i;
      rep[7] = 1 + (i % 4);
      rep[8] = i % 9 === 0 ? 1 : 0;
      rep[10] = 3;
      const orig = rep.slice(0, 7).map((v) => v * (store.currency === 'JPY' ? 160 : store.currency === 'INR' ? 90 : 1));
      deltas.push({ tenant: 't1', store, quarter: (V6_FIRST_DAY + d) * 96 + ((i * 7 + d) % 96), tender, cardBrand, currency: store.currency, rep, orig });
    }
    out.push({ partition: d % 2, endOffset: 10 * (d + 1), deltas });
  }
  return out;
}
