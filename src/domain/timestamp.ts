/**
 * RFC 3339 timestamps with a mandatory offset:
 *
 *   YYYY-MM-DD ("T" | "t") HH:MM:SS [ "." 1*DIGIT ] ("Z" | "z" | ("+" | "-") HH:MM)
 *
 * - Real calendar: month 01–12, day within the month (29 Feb only in leap
 *   years: divisible by 4, except centuries not divisible by 400).
 * - hour ≤ 23, minute ≤ 59, second ≤ 59. A leap second (`:60`) is rejected:
 *   epoch milliseconds cannot represent it, and a till that writes one has
 *   a clock problem that deserves a visible reject rather than a silent shift.
 * - The fraction may have any number of digits; it is truncated (not
 *   rounded) to milliseconds, so `.9999` is 999 ms and never rolls the second.
 * - Offsets from -23:59 to +23:59; `-00:00` is read as UTC (RFC 3339 §4.3).
 * - No space separator, no lower-precision forms, no surrounding whitespace.
 *
 * Hand-written byte checks, no regex: this runs once per ingested line and
 * must not backtrack on hostile input.
 */

/** A parsed instant: epoch milliseconds (UTC) and the offset it was written with. */
export interface ParsedTimestamp {
  ms: number;
  /** Minutes east of UTC as written (`+05:30` → 330, `Z` → 0). */
  offsetMin: number;
}

const MS_PER_DAY = 86_400_000;

/**
 * Parses `buf[start, end)` as an RFC 3339 timestamp, or returns null.
 * Same rules as {@link parseRfc3339}; this is the form the line decoder uses
 * so it never has to build a string for a valid timestamp.
 */
export function parseRfc3339Bytes(buf: Uint8Array, start: number, end: number): ParsedTimestamp | null {
  // Shortest valid form is 20 bytes: 2026-03-01T10:15:00Z
  if (end - start < 20) return null;
  const year = digits4(buf, start);
  const month = digits2(buf, start + 5);
  const day = digits2(buf, start + 8);
  const hour = digits2(buf, start + 11);
  const minute = digits2(buf, start + 14);
  const second = digits2(buf, start + 17);
  if (
    year < 0 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month) ||
    hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59 ||
    buf[start + 4] !== 0x2d || buf[start + 7] !== 0x2d ||
    (buf[start + 10] !== 0x54 && buf[start + 10] !== 0x74) ||
    buf[start + 13] !== 0x3a || buf[start + 16] !== 0x3a
  ) {
    return null;
  }
  let i = start + 19;
  let millis = 0;
  if (buf[i] === 0x2e) {
    i++;
    const fracStart = i;
    while (i < end) {
      const d = (buf[i] ?? 0) - 0x30;
      if (d < 0 || d > 9) break;
      // Only the first three digits count: truncation to milliseconds.
      if (i - fracStart < 3) millis = millis * 10 + d;
      i++;
    }
    const n = i - fracStart;
    if (n === 0) return null;
    if (n === 1) millis *= 100;
    else if (n === 2) millis *= 10;
  }
  let offsetMin = 0;
  // Bounds check: `buf` is usually a whole batch, so buf[end] is the next line.
  const z = i < end ? buf[i] : -1;
  if (z === 0x5a || z === 0x7a) {
    if (i + 1 !== end) return null;
  } else if (z === 0x2b || z === 0x2d) {
    if (i + 6 !== end || buf[i + 3] !== 0x3a) return null;
    const oh = digits2(buf, i + 1);
    const om = digits2(buf, i + 4);
    if (oh < 0 || oh > 23 || om < 0 || om > 59) return null;
    offsetMin = oh * 60 + om;
    // `-00:00` stays 0, not -0: the offset is compared and serialised later.
    if (z === 0x2d && offsetMin !== 0) offsetMin = -offsetMin;
  } else {
    return null;
  }
  const local = daysFromCivil(year, month, day) * MS_PER_DAY + ((hour * 60 + minute) * 60 + second) * 1000 + millis;
  return { ms: local - offsetMin * 60_000, offsetMin };
}

/** Reused for the string form: one buffer instead of one per call. */
let scratch = new Uint8Array(64);

/**
 * Parses an RFC 3339 timestamp with an offset (see the module comment for
 * the exact rules), or returns null.
 * @example parseRfc3339('2026-03-01T10:15:00.123+05:30') // { ms: 1772340300123, offsetMin: 330 }
 * @example parseRfc3339('2024-02-29T00:00:00Z')          // { ms: 1709164800000, offsetMin: 0 }
 * @example parseRfc3339('2023-02-29T00:00:00Z')          // null (not a leap year)
 * @example parseRfc3339('2026-03-01T10:15:00')           // null (no offset)
 */
export function parseRfc3339(s: string): ParsedTimestamp | null {
  const n = s.length;
  if (n > scratch.length) scratch = new Uint8Array(Math.max(n, scratch.length * 2));
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    // Every valid character is ASCII; anything wider cannot match.
    if (c > 0x7f) return null;
    scratch[i] = c;
  }
  return parseRfc3339Bytes(scratch, 0, n);
}

/** Two ASCII digits at `i` as a number, or -1. */
function digits2(buf: Uint8Array, i: number): number {
  const a = (buf[i] ?? 0) - 0x30;
  const b = (buf[i + 1] ?? 0) - 0x30;
  if (a < 0 || a > 9 || b < 0 || b > 9) return -1;
  return a * 10 + b;
}

/** Four ASCII digits at `i` as a number, or -1. */
function digits4(buf: Uint8Array, i: number): number {
  const hi = digits2(buf, i);
  const lo = digits2(buf, i + 2);
  if (hi < 0 || lo < 0) return -1;
  return hi * 100 + lo;
}

function isLeapYear(y: number): boolean {
  return y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
}

function daysInMonth(y: number, m: number): number {
  if (m === 2) return isLeapYear(y) ? 29 : 28;
  return m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31;
}

/**
 * Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's
 * days_from_civil). Used instead of Date.UTC, which maps years 0–99 to
 * 1900–1999 and allocates nothing here but costs a runtime call per line.
 */
function daysFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m > 2 ? m - 3 : m + 9) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}
