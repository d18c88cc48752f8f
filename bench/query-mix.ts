/**
 * The query benchmark's dashboard mix: what an overview, a map, a
 * time-series panel, a top table and a store page ask, as HTTP requests.
 */
import { DAY_MS } from '../src/domain/time-buckets.js';
import type { World } from '../src/firehose/world.js';
import type { LoadRequest } from './query-load.js';

const iso = (day: number): string => new Date(day * DAY_MS).toISOString().slice(0, 10);

/** The dashboard mix: what an overview, a map, a time-series panel, a top table and a store page ask. */
export interface BenchQuery {
  name: string;
  req: LoadRequest;
}

export function dashboardQueries(world: World): BenchQuery[] {
  const today = Math.floor(Date.now() / DAY_MS);
  const st = world.tenants[0]!.stores;
  const d = (n: number): string => iso(today - n);
  const tomorrow = iso(today + 1);
  const cities = [...new Set(st.map((s) => s.city))].slice(0, 12);
  const countries = [...new Set(st.map((s) => s.country))];
  const get = (name: string, qs: Record<string, string>): BenchQuery => ({ name, req: { method: 'GET', path: `/v1/series?${new URLSearchParams(qs).toString()}` } });
  const top = (name: string, qs: Record<string, string>): BenchQuery => ({ name, req: { method: 'GET', path: `/v1/top?${new URLSearchParams(qs).toString()}` } });
  const out: BenchQuery[] = [
    get('overview today vs last week by country', { metrics: 'net_sales,sale_count,avg_basket', granularity: 'day', tz: 'store', from: d(7), to: tomorrow, group_by: 'country' }),
    get('tenant 30 days by day', { metrics: 'net_sales,gross_sales,refunds,sale_count', granularity: 'day', tz: 'store', from: d(30), to: tomorrow }),
    get('tenant 90 days by week, previous period too', { metrics: 'net_sales', granularity: 'week', tz: 'store', from: d(180), to: tomorrow }),
    get('tenant year by month in UTC', { metrics: 'net_sales,net_revenue,tax', granularity: 'month', tz: 'UTC', from: d(365), to: tomorrow }),
    get('tenant today by 15 minutes', { metrics: 'net_sales,sale_count', granularity: '15m', tz: 'store', from: d(1), to: tomorrow }),
    get('tenant 7 days by hour in New York time', { metrics: 'net_sales', granularity: 'hour', tz: 'America/New_York', from: d(7), to: tomorrow }),
    get('tender breakdown 30 days', { metrics: 'net_sales', granularity: 'day', tz: 'store', from: d(30), to: tomorrow, group_by: 'tender' }),
    get('card brands 7 days by hour (hot window)', { metrics: 'net_sales', granularity: 'hour', tz: 'UTC', from: d(7), to: tomorrow, group_by: 'card_brand' }),
    get('currencies unconverted 30 days', { metrics: 'gross_sales', granularity: 'day', tz: 'UTC', from: d(30), to: tomorrow, group_by: 'currency', currency: 'original' }),
    get('countries list by week', { metrics: 'net_sales', granularity: 'week', tz: 'store', from: d(90), to: tomorrow, countries: countries.slice(0, 4).join(',') }),
    get('cities list by day', { metrics: 'net_sales,sale_count', granularity: 'day', tz: 'store', from: d(30), to: tomorrow, cities: cities.slice(0, 5).join(','), group_by: 'city' }),
    get('map: H3 cells over 7 days', { metrics: 'net_sales', granularity: 'week', tz: 'UTC', from: d(14), to: tomorrow, group_by: 'h3:3' }),
    top('top 20 stores 7 days', { metric: 'net_sales', metrics: 'net_sales,sale_count', limit: '20', from: d(7), to: tomorrow }),
    top('top 10 stores 30 days in one country', { metric: 'avg_basket', limit: '10', from: d(30), to: tomorrow, countries: countries[0]! }),
    top('top cities 90 days', { metric: 'net_sales', by: 'city', limit: '25', from: d(90), to: tomorrow }),
  ];
  // Map scopes around stores: boxes and radii of several sizes.
  for (let i = 0; i < 6; i++) {
    const s = st[(i * 997) % st.length]!;
    const half = [0.5, 2, 8][i % 3]!;
    const bbox = `${Math.max(-180, s.lon - half).toFixed(3)},${Math.max(-90, s.lat - half).toFixed(3)},${Math.min(180, s.lon + half).toFixed(3)},${Math.min(90, s.lat + half).toFixed(3)}`;
    out.push(get(`bbox ±${String(half)}° by day`, { metrics: 'net_sales,sale_count', granularity: 'day', tz: 'store', from: d(30), to: tomorrow, bbox }));
    out.push(get(`bbox ±${String(half)}° by hour, 2 days`, { metrics: 'net_sales', granularity: 'hour', tz: 'store', from: d(2), to: tomorrow, bbox }));
    out.push(get(`radius ${String(half * 100)} km by day`, { metrics: 'net_sales', granularity: 'day', tz: 'UTC', from: d(30), to: tomorrow, lat: String(s.lat), lon: String(s.lon), radius_km: String(half * 100) }));
    out.push(top(`top stores in bbox ±${String(half)}°`, { metric: 'net_sales', limit: '10', from: d(7), to: tomorrow, bbox }));
  }
  // A store page: its own series at hour grain, and its tenders.
  for (let i = 0; i < 3; i++) {
    const s = st[(i * 1553) % st.length]!;
    out.push(get('store page by hour', { metrics: 'net_sales,sale_count,avg_basket', granularity: 'hour', tz: 'store', from: d(2), to: tomorrow, stores: s.store_id }));
    out.push(get('store page tenders by day', { metrics: 'net_sales', granularity: 'day', tz: 'store', from: d(30), to: tomorrow, stores: s.store_id, group_by: 'tender' }));
  }
  // A polygon with a hole (POST).
  const c = st[0]!;
  out.push({
    name: 'polygon with a hole by day',
    req: {
      method: 'POST',
      path: '/v1/series',
      body: JSON.stringify({
        metrics: 'net_sales',
        granularity: 'day',
        tz: 'store',
        from: d(30),
        to: tomorrow,
        polygon: {
          type: 'Polygon',
          coordinates: [
            [[c.lon - 10, c.lat - 10], [c.lon + 10, c.lat - 10], [c.lon + 10, c.lat + 10], [c.lon - 10, c.lat + 10], [c.lon - 10, c.lat - 10]].map(([x, y]) => [Math.max(-180, Math.min(180, x!)), Math.max(-90, Math.min(90, y!))]),
            [[c.lon - 1, c.lat - 1], [c.lon + 1, c.lat - 1], [c.lon + 1, c.lat + 1], [c.lon - 1, c.lat + 1], [c.lon - 1, c.lat - 1]],
          ],
        },
      }),
    },
  });
  return out;
}
