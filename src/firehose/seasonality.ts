/**
 * Demand curves: how busy a store is by local hour, weekday and month.
 * Shapes follow published retail footfall indices (lunch and after-work
 * peaks, weekend uplift, the December peak and the January dip); the
 * generator multiplies them into an expected number of sales per minute.
 */
import type { OpeningHours } from './opening-hours.js';

/** Relative demand per local hour 0..23: a lunch peak at 12–13 and an evening peak at 17–19. */
export const HOURLY_DEMAND: readonly number[] = [
  0.15, 0.1, 0.08, 0.06, 0.06, 0.1, 0.25, 0.45, 0.7, 0.85, 0.95, 1.15,
  1.55, 1.45, 1.0, 0.9, 1.05, 1.45, 1.6, 1.35, 1.0, 0.7, 0.45, 0.25,
];

/** Relative demand per local month (index 0 = January): December peak, January dip. */
export const MONTHLY_DEMAND: readonly number[] = [0.78, 0.84, 0.95, 0.97, 1.0, 0.99, 1.02, 1.0, 0.95, 1.0, 1.12, 1.42];

const WEEKDAY = 0.92;
const EVE_OF_WEEKEND = 1.1;
const WEEKEND = 1.28;

/**
 * Relative demand of a weekday (0 = Sunday) given the market's weekend days.
 * @example weekdayDemand(6, [6, 0]) // 1.28: Saturday in Europe
 * @example weekdayDemand(4, [5, 6]) // 1.1: Thursday before a Gulf weekend
 */
export function weekdayDemand(weekday: number, weekend: readonly [number, number]): number {
  if (weekday === weekend[0] || weekday === weekend[1]) return WEEKEND;
  if ((weekday + 1) % 7 === weekend[0]) return EVE_OF_WEEKEND;
  return WEEKDAY;
}

/**
 * Expected sales per open minute, per weekday and local hour (7 × 24
 * entries), scaled so an average week of this store sells
 * `salesPerDay × 7` (before the monthly factor). Closed hours get 0.
 * Partial hours (opening at 09:30) count by their open minutes.
 * @example
 * const rates = minuteRates(OPENING_HOURS.europe, [6, 0], 300);
 * rates[6 * 24 + 12]; // Saturday lunch: the busiest minute of the week
 */
export function minuteRates(hours: OpeningHours, weekend: readonly [number, number], salesPerDay: number): Float64Array {
  const shape = new Float64Array(7 * 24);
  let weekTotal = 0;
  for (let d = 0; d < 7; d++) {
    const open = hours[d];
    if (open === null || open === undefined) continue;
    const wd = weekdayDemand(d, weekend);
    for (let h = 0; h < 24; h++) {
      const from = Math.max(open[0], h * 60);
      const to = Math.min(open[1], h * 60 + 60);
      if (to <= from) continue;
      const perMinute = HOURLY_DEMAND[h]! * wd;
      shape[d * 24 + h] = perMinute;
      weekTotal += perMinute * (to - from);
    }
  }
  const scale = weekTotal > 0 ? (salesPerDay * 7) / weekTotal : 0;
  for (let i = 0; i < shape.length; i++) shape[i] = shape[i]! * scale;
  return shape;
}
