/**
 * Where a forecast goes on the time-series chart: its days after the
 * range's buckets on the same x axis, and the mean line and 80 % / 95 %
 * bands as SVG paths. Pure, so the numbers behind each mark can be
 * checked without a browser.
 */
import type { ForecastFlag } from '../../src/forecast/series.js';
import { bucketsBetween } from './buckets.js';
import { isForecastGranularity, type ForecastGranularity, type ForecastPoint } from '../../src/forecast/forecast-answer-types.js';
import { addDays } from './time.js';

/** Forecasts exist for net sales by business day and by ISO week. */
export { isForecastGranularity, type ForecastGranularity };

/** The API's longest horizons (56 days, 26 ISO weeks) and the shortest one worth drawing. */
const HORIZON: Record<ForecastGranularity, { min: number; max: number }> = { day: { min: 7, max: 56 }, week: { min: 4, max: 26 } };

/**
 * How far ahead to ask: as many buckets as the range shows, so actuals and
 * forecast share the chart, within the API's limits.
 * @example forecastHorizon('day', 7) // 7; forecastHorizon('day', 90) // 56
 */
export function forecastHorizon(g: ForecastGranularity, rangeBuckets: number): number {
  const h = HORIZON[g];
  return Math.min(h.max, Math.max(h.min, rangeBuckets));
}

/** The chart's x axis with the forecast on it. */
export interface Timeline {
  /** The range's buckets, then the buckets after it up to the forecast's last one. */
  buckets: string[];
  /** Position on `buckets` of each drawn forecast point. */
  at: number[];
  /** The drawn points (those on or after the range's first bucket), in date order. */
  points: ForecastPoint[];
}

const bucketOf = (p: ForecastPoint): string => `${p.date}T00:00`;

/**
 * Places forecast points on the range's buckets: a point on a day (or
 * week) of the range sits on that bucket, later ones extend the axis with
 * every bucket in between, so a gap between the range and the forecast
 * stays visible as empty days, as long as it is no longer than the range
 * itself (a forecast further away is not drawn). `to` is the range's
 * exclusive end.
 * @example
 * forecastTimeline(['2026-03-01T00:00', '2026-03-02T00:00'], '2026-03-03', pts, 'day')
 * // pts on 03-02 and 03-03 → at [1, 2], buckets + '2026-03-03T00:00'
 */
export function forecastTimeline(buckets: readonly string[], to: string, points: readonly ForecastPoint[], g: ForecastGranularity): Timeline {
  const sorted = [...points].sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
  const last = sorted.at(-1);
  const extra = last === undefined ? [] : bucketsBetween(to, addDays(last.date, 1), g).filter((b) => b > (buckets.at(-1) ?? ''));
  const first = sorted.find((p) => bucketOf(p) >= (buckets[0] ?? ''));
  const gap = first === undefined ? 0 : extra.filter((b) => b < bucketOf(first)).length;
  if (gap > buckets.length) return { buckets: [...buckets], at: [], points: [] };
  const all = [...buckets, ...extra];
  const index = new Map(all.map((b, i) => [b, i]));
  const at: number[] = [];
  const drawn: ForecastPoint[] = [];
  for (const p of sorted) {
    const i = index.get(bucketOf(p));
    if (i === undefined) continue;
    at.push(i);
    drawn.push(p);
  }
  return { buckets: all, at, points: drawn };
}

type Scale = (v: number) => number;

const xy = (x: number, y: number): string => `${x.toFixed(1)},${y.toFixed(1)}`;

/**
 * A band between `lo` and `hi` as one closed path: along the upper bound
 * forwards, back along the lower. A single point becomes a 6-unit-wide bar
 * so it stays visible.
 */
export function bandPath(xs: readonly number[], lo: readonly number[], hi: readonly number[], y: Scale): string {
  if (xs.length === 0) return '';
  const pts = xs.length === 1 ? [xs[0]! - 3, xs[0]! + 3] : xs;
  const at = (vs: readonly number[], i: number): number => vs[xs.length === 1 ? 0 : i]!;
  const top = pts.map((x, i) => `${i === 0 ? 'M' : 'L'}${xy(x, y(at(hi, i)))}`);
  const bottom = pts.map((x, i) => `L${xy(x, y(at(lo, i)))}`).reverse();
  return `${top.join('')}${bottom.join('')}Z`;
}

/** A polyline through `(xs[i], y(vs[i]))`. */
export function linePath(xs: readonly number[], vs: readonly number[], y: Scale): string {
  return xs.map((x, i) => `${i === 0 ? 'M' : 'L'}${xy(x, y(vs[i]!))}`).join('');
}

/** The lowest and highest value the forecast draws (the 95 % band's ends). */
export function forecastExtent(points: readonly ForecastPoint[]): [number, number] {
  let lo = 0;
  let hi = 0;
  for (const p of points) {
    lo = Math.min(lo, p.lo95, p.mean);
    hi = Math.max(hi, p.hi95, p.mean);
  }
  return [lo, hi];
}

/** What each flag means for the reader, said as the reason the forecast is less certain. */
export const FLAG_TEXT: Record<ForecastFlag, string> = {
  no_history: 'no sale before the forecast date: the forecast is zero',
  short_history: 'less than 8 weeks of history: weekday pattern only, wider intervals',
  no_yearly_cycle: 'less than a year of history: the yearly cycle is partly or not known',
  closed_days: 'closed on some weekdays or public holidays: those days are forecast as zero',
  zero_heavy: 'many days without sales: the forecast is scaled by the chance of trading',
  outliers_clipped: 'unusual days of the last 13 weeks were clipped before fitting',
  recently_closed: 'no sale in the last 14 days: forecast as zero until it trades again',
};

export function flagText(flag: string): string {
  return (FLAG_TEXT as Record<string, string | undefined>)[flag] ?? flag.replaceAll('_', ' ');
}
