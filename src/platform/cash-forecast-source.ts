/**
 * The forecast part of the cash position: the tenant's latest stored
 * forecast batch, each store's recent tender mix and fee rate from the
 * rollups, and the settlement set-up (treasury/cash-forecast.ts). Only
 * business days after the last one with recorded sales are forecast: the
 * sales of that day so far are already owed money.
 */
import type { DayLine } from '../domain/settlement.js';
import type { ForecastStore } from '../forecast/forecast-store.js';
import { storeSeriesFromServing } from '../forecast/serving-series.js';
import type { ColumnarServingStore } from '../serving/columnar-serving-store.js';
import { cashForecast, MIX_DAYS, storeMixes, type CashForecast } from '../treasury/cash-forecast.js';
import type { TreasuryService } from '../treasury/treasury-service.js';

export interface CashForecastAnswer {
  asOf: number;
  model: string;
  /** First business day forecast. */
  fromDay: number;
  forecast: CashForecast;
}

export function cashForecastSource(deps: { serving: ColumnarServingStore; forecasts: ForecastStore; treasury: () => TreasuryService }): (tenant: string) => CashForecastAnswer | null {
  return (tenant) => {
    const settings = deps.serving.settings(tenant);
    const f = deps.forecasts.latest(tenant);
    if (settings === undefined || f === undefined) return null;
    const from = f.asOf - MIX_DAYS + 1;
    const to = f.asOf + 1;
    const lines: DayLine[] = [];
    // The source reuses its line object: keep copies.
    deps.serving.businessDayLines(tenant, from, to, null, (l) => lines.push({ ...l }));
    const net = new Map<string, number>();
    for (const s of storeSeriesFromServing(deps.serving, tenant, from, to)) net.set(s.id, s.values.reduce((a, b) => a + b, 0));
    const rules = deps.treasury().expectedBook.rules(tenant);
    const mixes = storeMixes(lines, rules, settings.reportingCurrency, net);
    const fromDay = Math.max(f.asOf, deps.serving.businessDayRange(tenant)?.last ?? f.asOf) + 1;
    const forecasts = f.stores.map((s) => ({ storeId: s.id, first: s.daily.first, mean: s.daily.point, lo80: s.daily.lo80, hi80: s.daily.hi80 }));
    return { asOf: f.asOf, model: f.model, fromDay, forecast: cashForecast(rules, deps.serving.stores(tenant), forecasts, mixes, fromDay) };
  };
}
