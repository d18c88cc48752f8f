/**
 * `YYYY-MM-DD` dates as day numbers, read from the character codes: the
 * matcher's tables turn millions of dates into numbers, and a regular
 * expression and a Date per row, or a Map of date strings, cost more than
 * the rest of building a row.
 */
import { parseUtcDay } from '../domain/fx.js';

/** The digit at `k`, or NaN. */
function digitAt(s: string, k: number): number {
  const c = s.charCodeAt(k) - 48;
  return c >= 0 && c <= 9 ? c : NaN;
}

const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31] as const;

/**
 * Days since 1970-01-01 of a `YYYY-MM-DD` date, or null when it is not a
 * real date: parseUtcDay's answer, without its parsing.
 * @example isoDay('2026-03-02') // 20514
 */
export function isoDay(date: string): number | null {
  if (date.length !== 10 || date.charCodeAt(4) !== 45 || date.charCodeAt(7) !== 45) return null;
  const y = digitAt(date, 0) * 1000 + digitAt(date, 1) * 100 + digitAt(date, 2) * 10 + digitAt(date, 3);
  const m = digitAt(date, 5) * 10 + digitAt(date, 6);
  const d = digitAt(date, 8) * 10 + digitAt(date, 9);
  if (Number.isNaN(y + m + d)) return null;
  // Date.UTC reads years 0–99 as 1900–1999, so parseUtcDay refuses them: ask it.
  if (y < 100) return parseUtcDay(date);
  const leap = y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
  if (m < 1 || m > 12 || d < 1 || d > (m === 2 && leap ? 29 : MONTH_DAYS[m - 1]!)) return null;
  // Days from the civil date (H. Hinnant's algorithm: years start in March, eras of 400 years).
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m > 2 ? m - 3 : m + 9) + 2) / 5) + d - 1;
  return era * 146_097 + yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy - 719_468;
}
