/**
 * The regressors of the log-linear sales model, one row per day:
 * intercept, six weekday effects (Sunday is the base), a linear trend in
 * years, `K` yearly Fourier pairs, and public holiday / holiday-eve
 * effects. On the log scale these are multiplicative on sales, which is
 * how retail behaves: a Saturday is "+30 %" in a small store and in a big one.
 */
import { HOLIDAY, HOLIDAY_EVE } from './holiday-days.js';

export interface DesignSpec {
  trend: boolean;
  /** Yearly Fourier harmonics (0 = no yearly cycle). */
  yearly: number;
  holidays: boolean;
}

export const YEAR_DAYS = 365.2425;

export function designColumns(s: DesignSpec): number {
  return 7 + (s.trend ? 1 : 0) + 2 * s.yearly + (s.holidays ? 2 : 0);
}

/**
 * Fills `row` for `day`; `trendOrigin` is the day where the trend is 0 (the
 * end of the history, so the intercept is the level "now"); the yearly
 * cycle is that of `yearDay` (a forecast in a part of the year never seen
 * holds the season of the last day seen).
 */
export function fillRow(row: Float64Array, s: DesignSpec, day: number, holidayFlags: number, trendOrigin: number, yearDay = day): void {
  row[0] = 1;
  const wd = (day + 4) % 7;
  for (let k = 1; k < 7; k++) row[k] = wd === k ? 1 : 0;
  let c = 7;
  if (s.trend) row[c++] = (day - trendOrigin) / YEAR_DAYS;
  if (s.yearly > 0) {
    // sin/cos of k·θ by the angle-addition recurrence: one sin and one cos per day.
    const theta = (2 * Math.PI * yearDay) / YEAR_DAYS;
    const s1 = Math.sin(theta);
    const c1 = Math.cos(theta);
    let sk = s1;
    let ck = c1;
    for (let k = 1; k <= s.yearly; k++) {
      row[c++] = sk;
      row[c++] = ck;
      const sn = sk * c1 + ck * s1;
      ck = ck * c1 - sk * s1;
      sk = sn;
    }
  }
  if (s.holidays) {
    row[c++] = (holidayFlags & HOLIDAY) !== 0 ? 1 : 0;
    row[c++] = (holidayFlags & HOLIDAY_EVE) !== 0 && (holidayFlags & HOLIDAY) === 0 ? 1 : 0;
  }
}

export function dot(row: Float64Array, beta: Float64Array, p: number): number {
  let v = 0;
  for (let i = 0; i < p; i++) v += row[i]! * beta[i]!;
  return v;
}
