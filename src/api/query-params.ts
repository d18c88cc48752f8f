/**
 * Reads the parameters of the query endpoints (a query string, or the same
 * names in a JSON body) into serving queries, with an error naming the
 * parameter and the value for anything it cannot use.
 */
import { GeoScopeError, parseBBox, polygonScope, radiusScope, type GeoScope } from '../domain/geo.js';
import { GroupByError, parseGroupBy, type GroupBy } from '../domain/grouping.js';
import { isMetric, type Metric } from '../domain/metrics.js';
import { isGranularity, type Granularity } from '../domain/time-buckets.js';
import { isTimeZone } from '../domain/timezone.js';
import type { SeriesQuery, TopQuery } from '../serving/series-query.js';

export class ParamError extends Error {
  override readonly name = 'ParamError';
  constructor(
    readonly code: 'invalid_parameter' | 'invalid_geo_scope' | 'invalid_group_by',
    message: string,
  ) {
    super(message);
  }
}

/** Parameters as they come: strings from a query string, or JSON values from a body. */
export type Params = Record<string, unknown>;

function text(p: Params, name: string): string | undefined {
  const v = p[name];
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v.join(',');
  throw new ParamError('invalid_parameter', `${name} must be a string, got ${JSON.stringify(v).slice(0, 80)}`);
}

function list(p: Params, name: string): string[] | undefined {
  const t = text(p, name);
  if (t === undefined) return undefined;
  const items = t.split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (items.length > 10_000) throw new ParamError('invalid_parameter', `${name} lists more than 10000 values`);
  return items;
}

function num(p: Params, name: string): number | undefined {
  const t = text(p, name);
  if (t === undefined) return undefined;
  if (!/^-?\d+(\.\d+)?$/.test(t)) throw new ParamError('invalid_parameter', `${name} must be a number, got '${t.slice(0, 40)}'`);
  return Number(t);
}

const LOCAL = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2}))?$/;

/**
 * A bucket name bound: `YYYY-MM-DD` or `YYYY-MM-DDTHH:MM`, local wall-clock
 * time in the query's zone (no offset), as UTC-labelled ms.
 * @example parseLocalTime('from', '2026-03-29') // Date.UTC(2026, 2, 29)
 */
export function parseLocalTime(name: string, t: string): number {
  const m = LOCAL.exec(t);
  const bad = (): ParamError => new ParamError('invalid_parameter', `${name} must be a local date YYYY-MM-DD or date-time YYYY-MM-DDTHH:MM (no offset: the zone is tz), got '${t.slice(0, 40)}'`);
  if (m === null) throw bad();
  const [y, mo, d, h, mi] = [Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4] ?? 0), Number(m[5] ?? 0)];
  const ms = Date.UTC(y, mo - 1, d, h, mi);
  const back = new Date(ms);
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d || h > 23 || mi > 59) throw bad();
  return ms;
}

function metrics(p: Params, name: string, fallback: Metric[]): Metric[] {
  const items = list(p, name);
  if (items === undefined) return fallback;
  for (const m of items) if (!isMetric(m)) throw new ParamError('invalid_parameter', `${name}: unknown metric '${m.slice(0, 40)}'`);
  return items as Metric[];
}

function metric(p: Params, name: string, fallback: Metric): Metric {
  const m = text(p, name) ?? fallback;
  if (!isMetric(m)) throw new ParamError('invalid_parameter', `${name}: unknown metric '${m.slice(0, 40)}'`);
  return m;
}

function tz(p: Params): string {
  const z = text(p, 'tz') ?? 'store';
  if (z !== 'store' && z !== 'UTC' && !isTimeZone(z)) throw new ParamError('invalid_parameter', `tz must be store, UTC or an IANA zone such as Europe/Paris, got '${z.slice(0, 64)}'`);
  return z;
}

function groupBy(p: Params): GroupBy[] {
  const items = list(p, 'group_by') ?? [];
  try {
    const out = items.map(parseGroupBy);
    const names = out.map((g) => g.kind);
    if (new Set(names).size !== names.length) throw new ParamError('invalid_group_by', `group_by names a dimension twice: '${items.join(',')}'`);
    return out;
  } catch (err) {
    if (err instanceof GroupByError) throw new ParamError('invalid_group_by', err.message);
    throw err;
  }
}

/** Geo scopes and store list: bbox, lat+lon+radius_km, polygon (body only), countries, regions, cities, stores. */
export function storeFilter(p: Params): { scopes: GeoScope[]; storeIds?: string[] } {
  const scopes: GeoScope[] = [];
  try {
    const bbox = text(p, 'bbox');
    if (bbox !== undefined) scopes.push({ kind: 'bbox', bbox: parseBBox(bbox) });
    const radius = num(p, 'radius_km');
    if (radius !== undefined || p['lat'] !== undefined || p['lon'] !== undefined) {
      if (radius === undefined) throw new ParamError('invalid_parameter', 'lat and lon scope by radius: give radius_km too');
      scopes.push(radiusScope(num(p, 'lat'), num(p, 'lon'), radius));
    }
    if (p['polygon'] !== undefined) scopes.push(polygonScope(p['polygon']));
  } catch (err) {
    if (err instanceof GeoScopeError) throw new ParamError('invalid_geo_scope', err.message);
    throw err;
  }
  for (const kind of ['countries', 'regions', 'cities'] as const) {
    const v = list(p, kind);
    if (v !== undefined) scopes.push({ kind, values: new Set(v) });
  }
  const storeIds = list(p, 'stores');
  return storeIds === undefined ? { scopes } : { scopes, storeIds };
}

function range(p: Params): { from: number; to: number } {
  const f = text(p, 'from');
  const t = text(p, 'to');
  if (f === undefined || t === undefined) throw new ParamError('invalid_parameter', 'from and to are required (local dates YYYY-MM-DD or YYYY-MM-DDTHH:MM)');
  const from = parseLocalTime('from', f);
  const to = parseLocalTime('to', t);
  if (from >= to) throw new ParamError('invalid_parameter', `from (${f}) must be before to (${t})`);
  return { from, to };
}

/** GET/POST /v1/series. */
export function seriesQuery(p: Params): SeriesQuery {
  const g = text(p, 'granularity') ?? 'day';
  if (!isGranularity(g)) throw new ParamError('invalid_parameter', `granularity must be 15m, hour, day, week or month, got '${g.slice(0, 40)}'`);
  const currency = text(p, 'currency') ?? 'reporting';
  if (currency !== 'reporting' && currency !== 'original') throw new ParamError('invalid_parameter', `currency must be reporting or original, got '${currency.slice(0, 40)}'`);
  return { metrics: metrics(p, 'metrics', ['net_sales']), granularity: g as Granularity, tz: tz(p), ...range(p), groupBy: groupBy(p), currency, ...storeFilter(p) };
}

/** GET/POST /v1/top. */
export function topQuery(p: Params): TopQuery {
  const m = metric(p, 'metric', 'net_sales');
  const by = text(p, 'by') ?? 'store';
  let g: GroupBy;
  try {
    g = parseGroupBy(by);
  } catch (err) {
    if (err instanceof GroupByError) throw new ParamError('invalid_group_by', `by: ${err.message}`);
    throw err;
  }
  const limit = num(p, 'limit') ?? 10;
  if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) throw new ParamError('invalid_parameter', `limit must be an integer from 1 to 10000, got ${String(limit)}`);
  const order = text(p, 'order') ?? 'desc';
  if (order !== 'desc' && order !== 'asc') throw new ParamError('invalid_parameter', `order must be desc or asc, got '${order.slice(0, 40)}'`);
  return { metric: m, metrics: metrics(p, 'metrics', [m]), by: g, tz: tz(p), ...range(p), limit, order, ...storeFilter(p) };
}

/** `from`/`to` and `tz` only (store page totals). */
export function rangeQuery(p: Params): { tz: string; from: number; to: number; metrics: Metric[] } {
  return { tz: tz(p), ...range(p), metrics: metrics(p, 'metrics', ['net_sales', 'sale_count', 'avg_basket']) };
}
