/**
 * Forecasts of any set of stores from a stored batch, the way the API
 * serves them. The mean of a set is the sum of its stores' means, to the
 * minor unit (bottom-up, as the batch's own nodes are). Its interval:
 *
 * - a single store: the store's own calibrated bands;
 * - a set equal to a stored node (a city, region, country or the tenant):
 *   that node's bands: its stores' combined with the correlation of their
 *   level's errors (`rollUp`);
 * - any other set (a bounding box, a polygon, a store list): the stores'
 *   deviations from their means combined as independent errors, each side
 *   separately: hi = mean + √Σ(hiᵢ − meanᵢ)², lo = max(0, mean − √Σ(meanᵢ − loᵢ)²)
 *   (`rollUp` with ρ = 0).
 *   Independence understates the width when the stores miss together (a
 *   holiday, the weather), so such a band is narrower than a node's.
 */
import type { Level } from './hierarchy.js';
import type { StoredBands, StoredForecast, StoredNode, StoredStore } from './forecast-store.js';
import type { ForecastFlag } from './series.js';
import { FORECAST_FLAGS } from './series.js';
import type { AnswerLevel, ForecastGranularity, ForecastGroup, ForecastPoint } from './forecast-answer-types.js';

export const FORECAST_GROUP_BYS = ['none', 'store', 'city', 'region', 'country'] as const;
export type ForecastGroupBy = (typeof FORECAST_GROUP_BYS)[number];

export interface ForecastAsk {
  /** Stores in scope, or null when the request names no scope. */
  storeIds: readonly string[] | null;
  groupBy: ForecastGroupBy;
  /** Which stored nodes answer when there is no scope and no group_by. */
  level: Level;
  granularity: ForecastGranularity;
  horizon: number;
}

const groupKey: Record<Exclude<ForecastGroupBy, 'none'>, (s: StoredStore) => string> = {
  store: (s) => s.id,
  city: (s) => `${s.country}/${s.city}`,
  region: (s) => s.region,
  country: (s) => s.country,
};

/**
 * @example
 * answerForecast(stored, { storeIds: null, groupBy: 'region', level: 'tenant', granularity: 'day', horizon: 28 }).groups[0].points[0].mean
 */
export function answerForecast(f: StoredForecast, ask: ForecastAsk): { level: AnswerLevel; groups: ForecastGroup[] } {
  const byId = new Map(f.stores.map((s) => [s.id, s]));
  const weekly = ask.granularity === 'week';
  const bandsOf = (x: StoredStore | StoredNode): StoredBands | null => (weekly ? x.weekly : x.daily);
  if (ask.storeIds === null && ask.groupBy === 'none') {
    if (ask.level === 'store') return { level: 'store', groups: f.stores.map((s) => group(s.id, [s], bandsOf(s), s.flags, ask, bandsOf)) };
    const nodes = f.nodes.filter((n) => n.level === ask.level);
    return {
      level: ask.level,
      groups: nodes.map((n) => {
        const members = n.members.flatMap((id) => byId.get(id) ?? []);
        return group(ask.level === 'tenant' ? null : n.key, members, bandsOf(n), n.flags, ask, bandsOf);
      }),
    };
  }
  const selected = ask.storeIds === null ? f.stores : ask.storeIds.flatMap((id) => byId.get(id) ?? []);
  const nodeBySet = new Map<string, StoredNode>();
  // Nodes come finest first (city, region, country, tenant): a region that is one city answers as the city.
  for (const n of f.nodes) {
    const k = [...n.members].sort().join('\u0000');
    if (!nodeBySet.has(k)) nodeBySet.set(k, n);
  }
  const sets = new Map<string | null, StoredStore[]>();
  for (const s of selected) {
    const k = ask.groupBy === 'none' ? null : groupKey[ask.groupBy](s);
    let m = sets.get(k);
    if (m === undefined) sets.set(k, (m = []));
    m.push(s);
  }
  const levels = new Set<AnswerLevel>();
  const groups = [...sets]
    .sort(([a], [b]) => ((a ?? '') < (b ?? '') ? -1 : (a ?? '') > (b ?? '') ? 1 : 0))
    .map(([key, members]) => {
      if (members.length === 1) {
        levels.add('store');
        return group(key, members, bandsOf(members[0]!), members[0]!.flags, ask, bandsOf);
      }
      const node = nodeBySet.get(members.map((s) => s.id).sort().join('\u0000'));
      levels.add(node?.level ?? 'scope');
      return group(key, members, node === undefined ? null : bandsOf(node), node?.flags ?? [], ask, bandsOf);
    });
  const level: AnswerLevel = ask.groupBy !== 'none' ? ask.groupBy : levels.size === 1 ? [...levels][0]! : 'scope';
  return { level, groups };
}

/** A group's points: the sum of the members' means; the bands of `own` (rescaled nowhere: its mean is the same sum) or combined. */
function group(key: string | null, members: readonly StoredStore[], own: StoredBands | null, ownFlags: readonly ForecastFlag[], ask: ForecastAsk, bandsOf: (x: StoredStore) => StoredBands | null): ForecastGroup {
  const flags = new Set<ForecastFlag>(ownFlags);
  for (const m of members) for (const fl of m.flags) flags.add(fl);
  const bands = members.flatMap((m) => bandsOf(m) ?? []);
  const first = own?.first ?? bands[0]?.first ?? 0;
  const n = Math.min(ask.horizon, own?.point.length ?? Infinity, ...bands.map((b) => b.point.length));
  const points: ForecastPoint[] = [];
  for (let h = 0; h < (Number.isFinite(n) ? n : 0); h++) {
    let mean = 0;
    let up80 = 0;
    let dn80 = 0;
    let up95 = 0;
    let dn95 = 0;
    for (const b of bands) {
      const m = b.point[h]!;
      mean += m;
      up80 += (b.hi80[h]! - m) ** 2;
      dn80 += (m - b.lo80[h]!) ** 2;
      up95 += (b.hi95[h]! - m) ** 2;
      dn95 += (m - b.lo95[h]!) ** 2;
    }
    const day = first + (ask.granularity === 'week' ? 7 * h : h);
    const p: ForecastPoint =
      own !== null && members.length > 0
        ? { date: dayLabel(day), mean, lo80: own.lo80[h]!, hi80: own.hi80[h]!, lo95: own.lo95[h]!, hi95: own.hi95[h]! }
        : { date: dayLabel(day), mean, lo80: Math.max(0, Math.floor(mean - Math.sqrt(dn80))), hi80: Math.ceil(mean + Math.sqrt(up80)), lo95: Math.max(0, Math.floor(mean - Math.sqrt(dn95))), hi95: Math.ceil(mean + Math.sqrt(up95)) };
    if (ask.granularity === 'week') points.push({ date: p.date, week: isoWeek(day), mean: p.mean, lo80: p.lo80, hi80: p.hi80, lo95: p.lo95, hi95: p.hi95 });
    else points.push(p);
  }
  return { key, stores: members.length, flags: FORECAST_FLAGS.filter((x) => flags.has(x)), points };
}

function dayLabel(day: number): string {
  return new Date(day * 86_400_000).toISOString().slice(0, 10);
}

/**
 * The ISO 8601 week of a day: the year of its week's Thursday and the week number in it.
 * @example isoWeek(dayNumber('2026-12-07')) // '2026-W50'
 */
export function isoWeek(day: number): string {
  const weekday = (day + 3) % 7; // 0 = Monday (1970-01-01 was a Thursday)
  const thursday = day - weekday + 3;
  const year = new Date(thursday * 86_400_000).getUTCFullYear();
  const jan1 = Date.UTC(year, 0, 1) / 86_400_000;
  const week = Math.floor((thursday - jan1) / 7) + 1;
  return `${String(year)}-W${String(week).padStart(2, '0')}`;
}
