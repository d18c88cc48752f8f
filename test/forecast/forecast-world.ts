/** Generated store series with known seasonality, for the forecasting tests. */
import { dayNumber } from '../../src/domain/business-calendar.js';
import { generateDailySales, type DailySalesOptions } from '../../src/firehose/daily-sales.js';
import { generateWorld } from '../../src/firehose/world.js';
import type { StoreSeries } from '../../src/forecast/hierarchy.js';

export const WORLD_START = dayNumber('2024-01-01');

export function storeSeries(seed: number, stores: number, days: number, o: Partial<DailySalesOptions> = {}): StoreSeries[] {
  const world = generateWorld({ seed, tenants: 1, stores });
  return generateDailySales(world.tenants[0]!, { seed, start: WORLD_START, days, ...o }).map((s) => ({
    id: s.site.store.store_id,
    country: s.site.store.country,
    city: s.site.store.city,
    region: s.site.store.region,
    first: s.first,
    values: s.values,
  }));
}
