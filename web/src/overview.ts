/**
 * "Today so far against the same weekday last week", per country, in each
 * store's own business day.
 *
 * Stores are grouped by time zone: in one zone every store has the same
 * business day and the same local "now". Today is the whole current
 * business day (later quarters hold nothing yet); last week is the same
 * business day seven days earlier, from its cut-off up to the quarter hour
 * that is "now" in that zone, so both sides cover the same hours of trade.
 */
import type { Api, SeriesAnswer, Store } from './api.js';
import { addDays, businessDayOf, DAY_MS, dayText, localNaive, minuteText, QUARTER_MS } from './time.js';

export interface Totals {
  net_sales: number;
  sale_count: number;
}
export interface CountryOverview {
  country: string;
  today: Totals;
  lastWeek: Totals;
}
export interface Overview {
  currency: string;
  exponent: number;
  countries: CountryOverview[];
  total: { today: Totals; lastWeek: Totals };
}

interface Ask {
  params: Record<string, string>;
  stores: string[];
  side: 'today' | 'lastWeek';
}

/** The queries for `stores` at instant `nowMs` (pure: tested through the page). */
export function overviewAsks(stores: readonly Store[], cutoffMinutes: number, nowMs: number): Ask[] {
  const today = new Map<string, string[]>();
  const lastWeek = new Map<string, string[]>();
  for (const s of stores) {
    const local = localNaive(nowMs, s.timezone);
    const day = businessDayOf(local, cutoffMinutes);
    const t = dayText(day);
    today.set(t, [...(today.get(t) ?? []), s.store_id]);
    const from = minuteText(day - 7 * DAY_MS + cutoffMinutes * 60_000);
    const to = minuteText(Math.floor((local - 7 * DAY_MS) / QUARTER_MS) * QUARTER_MS);
    const k = `${from}|${to}`;
    lastWeek.set(k, [...(lastWeek.get(k) ?? []), s.store_id]);
  }
  const asks: Ask[] = [];
  for (const [day, ids] of today) asks.push({ side: 'today', stores: ids, params: { granularity: 'day', from: day, to: addDays(day, 1) } });
  for (const [k, ids] of lastWeek) {
    const [from, to] = k.split('|') as [string, string];
    // A cut-off of 00:00 and "now" right at it: nothing has happened yet on either side.
    if (from < to) asks.push({ side: 'lastWeek', stores: ids, params: { granularity: '15m', from, to } });
  }
  return asks;
}

const zero = (): Totals => ({ net_sales: 0, sale_count: 0 });

export async function loadOverview(api: Api, stores: readonly Store[], cutoffMinutes: number, nowMs: number, fallback: { currency: string; exponent: number }): Promise<Overview> {
  const asks = overviewAsks(stores, cutoffMinutes, nowMs);
  const answers = await Promise.all(
    asks.map((a) => api.post<SeriesAnswer>('/v1/series', { ...a.params, metrics: 'net_sales,sale_count', tz: 'store', group_by: 'country', stores: a.stores.join(',') })),
  );
  const byCountry = new Map<string, CountryOverview>();
  for (const s of stores) if (!byCountry.has(s.country)) byCountry.set(s.country, { country: s.country, today: zero(), lastWeek: zero() });
  let money = fallback;
  answers.forEach((ans, i) => {
    money = { currency: ans.currency, exponent: ans.exponent };
    const side = asks[i]!.side;
    for (const g of ans.groups) {
      const row = byCountry.get(g.key['country'] ?? '');
      if (row === undefined) continue;
      for (const p of g.points) {
        row[side].net_sales += Number(p['net_sales'] ?? 0);
        row[side].sale_count += Number(p['sale_count'] ?? 0);
      }
    }
  });
  const countries = [...byCountry.values()].sort((a, b) => b.today.net_sales - a.today.net_sales || a.country.localeCompare(b.country));
  const total = { today: zero(), lastWeek: zero() };
  for (const c of countries) {
    for (const side of ['today', 'lastWeek'] as const) {
      total[side].net_sales += c[side].net_sales;
      total[side].sale_count += c[side].sale_count;
    }
  }
  return { ...money, countries, total };
}

/** Average basket in minor units, rounded half to even like the API; null without sales. */
export function avgBasket(t: Totals): number | null {
  if (t.sale_count === 0) return null;
  const q = t.net_sales / t.sale_count;
  const f = Math.floor(q);
  const diff = q - f;
  if (diff > 0.5) return f + 1;
  if (diff < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}
