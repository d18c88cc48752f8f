/**
 * The port treasury reads sales through: business-day lines per store, as
 * the serving store's rollups hold them (ColumnarServingStore implements
 * it). Treasury never scans raw transactions.
 */
import type { DayLine } from '../domain/settlement.js';
import type { Store } from '../domain/store.js';
import type { StoreFilter } from '../serving/series-query.js';

export interface SettlementSource {
  /** Lines of business days [fromDay, toDay) (days since 1970-01-01) of the stores `filter` selects (all when null); the line object is reused. */
  businessDayLines(tenant: string, fromDay: number, toDay: number, filter: StoreFilter | null, visit: (line: DayLine) => void): void;
  /** First and last business day with sales, or null. */
  businessDayRange(tenant: string): { first: number; last: number } | null;
  stores(tenant: string): Store[];
  /** The stores a geo/store filter selects. */
  storesIn(tenant: string, filter: StoreFilter): Store[];
  /** Changes whenever any sums change (for caches). */
  version(): number;
}
