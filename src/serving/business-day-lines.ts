/**
 * A tenant's business-day lines for treasury: for each store and business
 * day (store time, the tenant's cut-off), one line per tender, card brand
 * and currency with its sums in that currency. Read straight from the
 * stores' business-day rows (B, local axis), so settlement never scans raw
 * transactions.
 */
import { CURRENCY_CODES } from '../domain/currency.js';
import { SUM, SUM_COUNT } from '../domain/metrics.js';
import type { DayLine } from '../domain/settlement.js';
import { CARD_BRANDS, TENDERS } from '../domain/transaction.js';
import { selectStores, type StoreFilter } from './series-query.js';
import { dimsBrand, dimsCurrency, dimsTender, ROW_WIDTH, type TenantRollups } from './tenant-rollups.js';

const NO_BRAND = CARD_BRANDS.length;

/**
 * Calls `visit` for every line of business days [fromDay, toDay) (days
 * since 1970-01-01). The line object is reused between calls: copy what
 * you keep.
 */
export function forEachBusinessDayLine(t: TenantRollups, fromDay: number, toDay: number, filter: StoreFilter | null, visit: (line: DayLine) => void): void {
  const stores = filter === null ? t.stores : selectStores(t, filter);
  for (const s of stores) {
    const line: DayLine = { store: s.store, day: 0, tender: 'card', cardBrand: null, currency: '', gross: 0, refunds: 0, voids: 0, saleCount: 0, refundCount: 0, voidCount: 0 };
    s.node.bLocal.forEachDay(fromDay, toDay, (day, keys, sums, lo, hi) => {
      line.day = day;
      for (let r = lo; r < hi; r++) {
        const dims = keys[r]!;
        const o = r * ROW_WIDTH;
        const brand = dimsBrand(dims);
        line.tender = TENDERS[dimsTender(dims)]!;
        line.cardBrand = brand === NO_BRAND ? null : CARD_BRANDS[brand]!;
        line.currency = CURRENCY_CODES[dimsCurrency(dims)]!;
        // Money in the sale's currency (the original sums after the reporting ones); counts are the same in both.
        line.gross = sums[o + SUM_COUNT + SUM.gross]!;
        line.refunds = sums[o + SUM_COUNT + SUM.refunds]!;
        line.voids = sums[o + SUM_COUNT + SUM.voids]!;
        line.saleCount = sums[o + SUM.saleCount]!;
        line.refundCount = sums[o + SUM.refundCount]!;
        line.voidCount = sums[o + SUM.voidCount]!;
        if (line.gross !== 0 || line.refunds !== 0 || line.voids !== 0) visit(line);
      }
    });
  }
}
