/**
 * What a series' history says before any model is fitted: where trading
 * starts, which weekdays and holidays the store is closed, how often it
 * has zero days when it normally trades, and whether it has stopped
 * trading. The model fits only the days a store trades; this profile turns
 * the rest into zeros and flags (DOMAIN.md: "a series too short, with
 * closed days or zeros, still gets a sane forecast and a flag").
 */
import { HOLIDAY } from './holiday-days.js';
import type { ForecastFlag } from './series.js';

/** A weekday counts as closed when at least this many of its last 8 occurrences had no sales. */
const CLOSED_WEEKDAY_OF_8 = 6;
/** Public holidays count as closed days when at least half of those seen had no sales. */
const CLOSED_HOLIDAY_SHARE = 0.5;
/** Zero days on normally open days, over the last 16 weeks, above this share: `zero_heavy`. */
const ZERO_HEAVY_SHARE = 0.15;
/** Days without a sale at the end of the history that mean the store has stopped trading. */
const STOPPED_DAYS = 14;

/**
 * Whether a day's value counts as trading: positive and finite. A
 * refund-heavy day (negative net sales) or an unreadable value is a day
 * without trading to the model; it never reaches a logarithm.
 */
export function traded(v: number): boolean {
  return v > 0 && v < Infinity;
}

export interface SeriesProfile {
  /** Index of the first day with a sale, or −1 when there is none. */
  start: number;
  /** Days from the first sale to the end of the history. */
  tradingDays: number;
  /** Weekdays (0 = Sunday) the store is closed. */
  closedWeekdays: boolean[];
  /** Whether the store closes on public holidays. */
  closedHolidays: boolean;
  /** Chance that a normally open day has sales (1 unless zero-heavy). */
  openChance: number;
  /** Whether sales stopped at the end of the history. */
  stopped: boolean;
  flags: ForecastFlag[];
}

/**
 * @param values the history (days before `as_of`), index 0 is day `first`
 * @param holidays holiday flags of the same days
 */
export function profileSeries(values: ArrayLike<number>, first: number, holidays: Uint8Array): SeriesProfile {
  const n = values.length;
  let start = -1;
  for (let i = 0; i < n; i++) {
    if (traded(values[i]!)) {
      start = i;
      break;
    }
  }
  const closedWeekdays = [false, false, false, false, false, false, false];
  if (start === -1) return { start, tradingDays: 0, closedWeekdays, closedHolidays: false, openChance: 0, stopped: false, flags: ['no_history'] };
  const tradingDays = n - start;
  const flags: ForecastFlag[] = [];
  // Closed weekdays: the last 8 non-holiday occurrences of each weekday.
  for (let wd = 0; wd < 7; wd++) {
    let seen = 0;
    let zeros = 0;
    for (let i = n - 1; i >= start && seen < 8; i--) {
      if ((first + i + 4) % 7 !== wd || (holidays[i]! & HOLIDAY) !== 0) continue;
      seen++;
      if (!traded(values[i]!)) zeros++;
    }
    // With fewer than 8 weeks seen, the weekday must have been closed every time (at least twice).
    closedWeekdays[wd] = seen >= 8 ? zeros >= CLOSED_WEEKDAY_OF_8 : seen >= 2 && zeros === seen;
  }
  let hSeen = 0;
  let hZero = 0;
  for (let i = start; i < n; i++) {
    if ((holidays[i]! & HOLIDAY) === 0 || closedWeekdays[(first + i + 4) % 7]!) continue;
    hSeen++;
    if (!traded(values[i]!)) hZero++;
  }
  const closedHolidays = hSeen > 0 && hZero / hSeen >= CLOSED_HOLIDAY_SHARE;
  if (closedWeekdays.includes(true) || closedHolidays) flags.push('closed_days');
  let open = 0;
  let zero = 0;
  for (let i = Math.max(start, n - 112); i < n; i++) {
    const wd = (first + i + 4) % 7;
    if (closedWeekdays[wd]! || (closedHolidays && (holidays[i]! & HOLIDAY) !== 0)) continue;
    open++;
    if (!traded(values[i]!)) zero++;
  }
  let stopped = false;
  if (tradingDays >= 2 * STOPPED_DAYS) {
    stopped = true;
    for (let i = n - STOPPED_DAYS; i < n; i++) if (traded(values[i]!)) stopped = false;
  }
  if (stopped) flags.push('recently_closed');
  let openChance = 1;
  if (!stopped && open > 0 && zero / open > ZERO_HEAVY_SHARE) {
    openChance = 1 - zero / open;
    flags.push('zero_heavy');
  }
  return { start, tradingDays, closedWeekdays, closedHolidays, openChance, stopped, flags };
}

/** Whether the profile expects the store to trade on day `day` with holiday flags `h`. */
export function expectsTrading(p: SeriesProfile, day: number, h: number): boolean {
  return !p.closedWeekdays[(day + 4) % 7]! && !(p.closedHolidays && (h & HOLIDAY) !== 0);
}
