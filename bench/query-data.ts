/**
 * Rollups for the query benchmark, generated straight into the serving
 * store: every store of a generated world, a year of days back from today,
 * sales in each local opening quarter hour (08:00–21:00, fewer on Sundays,
 * a December peak), split over one to three tender/brand combinations. The
 * same rows go to a callback, so a peer engine can load identical data.
 */
import { currencyExponent } from '../src/domain/currency.js';
import { DEFAULT_USD_PER_UNIT } from '../src/domain/fx-defaults.js';
import { SUM, SUM_COUNT } from '../src/domain/metrics.js';
import { DAY_MS, QUARTER_MS } from '../src/domain/time-buckets.js';
import { ZoneOffsets } from '../src/domain/zone-offsets.js';
import { Prng } from '../src/firehose/prng.js';
import type { World } from '../src/firehose/world.js';
import { dimsOf, type TenantRollups } from '../src/serving/tenant-rollups.js';

export interface BenchRow {
  store: number;
  quarter: number;
  tender: string;
  brand: string | null;
  currency: string;
  rep: Float64Array;
  orig: Float64Array;
}

const COMBOS: readonly [string, string | null][] = [
  ['card', 'visa'],
  ['card', 'mastercard'],
  ['cash', null],
  ['card', 'amex'],
  ['wallet', null],
  ['gift_card', null],
];

/**
 * Fills `t` with `days` days of rollups ending today for every store of the
 * world's first tenant; returns the number of rows added. `afterDay` runs
 * (and is awaited) after each day, for a consumer of `onRow` to catch up.
 */
export async function generateRollups(world: World, t: TenantRollups, days: number, onRow?: (r: BenchRow) => void, onProgress?: (days: number, rows: number) => void, afterDay?: () => Promise<void>): Promise<number> {
  const tw = world.tenants[0]!;
  const reporting = tw.tenant.reporting_currency;
  const rng = new Prng(7, 99);
  const today = Math.floor(Date.now() / DAY_MS);
  const rep = new Float64Array(SUM_COUNT);
  const orig = new Float64Array(SUM_COUNT);
  let rows = 0;
  const stores = tw.stores.map((st) => {
    const s = t.upsertStore(st);
    const usd = Number(DEFAULT_USD_PER_UNIT[st.currency] ?? '1');
    const exp = currencyExponent(st.currency) ?? 2;
    return {
      s,
      zone: ZoneOffsets.of(st.timezone),
      // Cross rate as a float: exactness is not what this benchmark measures.
      rate: usd / Number(DEFAULT_USD_PER_UNIT[reporting] ?? '1'),
      scale: 10 ** ((currencyExponent(reporting) ?? 2) - exp),
      basket: Math.round((25 / usd) * 10 ** exp) || 1,
      size: 0.5 + rng.float() * 1.5,
    };
  });
  // Quarter hour by quarter hour across all stores, as the stream sees time pass.
  for (let d = today - days + 1; d <= today; d++) {
    for (let u = 0; u < 96; u++) {
      const quarter = d * 96 + u;
      const ms = quarter * QUARTER_MS;
      stores.forEach(({ s, zone, rate, scale, basket, size }, si) => {
        const local = zone.toLocal(ms);
        const slot = Math.floor((local % DAY_MS) / QUARTER_MS);
        if (slot < 32 || slot >= 84) return; // open 08:00–21:00 local
        const localDay = Math.floor(local / DAY_MS);
        const weekday = (((localDay + 3) % 7) + 7) % 7; // 0 = Monday
        const month = new Date(local).getUTCMonth();
        const dayFactor = size * (weekday === 6 ? 0.6 : weekday === 5 ? 1.3 : 1) * (month === 11 ? 1.4 : month === 0 ? 0.8 : 1);
        const sales = Math.max(0, Math.round(dayFactor * (2 + rng.float() * 8)));
        if (sales === 0) return;
        const parts = 1 + (rng.u32() % 3);
        let left = sales;
        for (let p = 0; p < parts && left > 0; p++) {
          const n = p === parts - 1 ? left : 1 + (rng.u32() % left);
          left -= n;
          const [tender, brand] = COMBOS[(si + slot + p * 3 + localDay) % COMBOS.length]!;
          rep.fill(0);
          orig.fill(0);
          const amount = Math.round(n * basket * (0.6 + rng.float() * 0.8));
          const refund = rng.u32() % 40 === 0 ? Math.round(basket * 0.7) : 0;
          orig[SUM.gross] = amount;
          orig[SUM.taxSale] = Math.round(amount * 0.15);
          orig[SUM.refunds] = refund;
          orig[SUM.discounts] = rng.u32() % 5 === 0 ? Math.round(amount * 0.05) : 0;
          for (let i = 0; i < 7; i++) rep[i] = Math.round(orig[i]! * rate * scale);
          rep[SUM.saleCount] = n;
          rep[SUM.refundCount] = refund > 0 ? 1 : 0;
          rep[SUM.itemsSale] = n * 3;
          rep[SUM.itemsRefund] = refund > 0 ? 1 : 0;
          t.stage(s, quarter, dimsOf(tender, brand, s.store.currency), rep, orig);
          onRow?.({ store: si, quarter, tender, brand, currency: s.store.currency, rep, orig });
          rows++;
        }
      });
      t.flush();
    }
    await afterDay?.();
    if ((today - d) % 30 === 0) {
      t.age();
      onProgress?.(d - today + days, rows);
    }
  }
  t.age();
  return rows;
}
