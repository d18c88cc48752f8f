/**
 * UTC offsets of IANA zones, and RFC 3339 local timestamps, fast enough to
 * stamp hundreds of thousands of records a second.
 *
 * Intl is the authority for offsets (it carries the tz database, including
 * every DST rule), but one `formatToParts` costs a few microseconds. Offsets
 * change rarely, so a `ZoneClock` remembers the interval around the last
 * answer during which the offset is constant: a generator that walks forward
 * in time asks Intl about once per zone per six simulated hours.
 */

const HOUR_MS = 3_600_000;
/** The tz database never has two offset changes of one zone within six hours. */
const SPAN_MS = 6 * HOUR_MS;
const MINUTE_MS = 60_000;
export const DAY_MS = 86_400_000;

/** "00".."99" and "000".."999": padding by table lookup, not `padStart`, on the hot path. */
export const PAD2: readonly string[] = Array.from({ length: 100 }, (_, i) => String(i).padStart(2, '0'));
export const PAD3: readonly string[] = Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, '0'));
/** `SS.` for every second of a minute: with `PAD3` the seconds of a timestamp are two small-table lookups. */
export const SECONDS_DOT: readonly string[] = PAD2.slice(0, 60).map((s) => s + '.');

/**
 * The offset of one IANA zone at any instant, cached by constant-offset
 * interval.
 * @example
 * const berlin = new ZoneClock('Europe/Berlin');
 * berlin.offsetAt(Date.parse('2026-03-29T00:59:00Z')); // 60
 * berlin.offsetAt(Date.parse('2026-03-29T01:00:00Z')); // 120 (CEST)
 */
export class ZoneClock {
  private readonly fmt: Intl.DateTimeFormat;
  /** The cached interval [from, to) and its offset in minutes. */
  private from = 0;
  private to = 0;
  private offset = 0;
  /** The last instant asked of Intl and its answer: the next span starts where this one ended. */
  private probedAt = NaN;
  private probed = 0;

  constructor(readonly zone: string) {
    // Throws RangeError for an unknown zone: a world with a bad zone must not start.
    this.fmt = new Intl.DateTimeFormat('en-US', { timeZone: zone, timeZoneName: 'longOffset' });
  }

  /** Offset east of UTC in whole minutes at `utcMs` (e.g. 330 for Asia/Kolkata). */
  offsetAt(utcMs: number): number {
    if (utcMs >= this.from && utcMs < this.to) return this.offset;
    const start = Math.floor(utcMs / SPAN_MS) * SPAN_MS;
    const end = start + SPAN_MS;
    const a = this.probe(start);
    const b = this.probe(end);
    if (a === b) {
      // Zones change offset at most once within a span, and only at a whole
      // minute: equal ends mean the whole span has this offset.
      this.remember(start, end, a);
      return a;
    }
    // A transition inside this span: find its minute by bisection.
    let lo = start;
    let hi = end;
    while (hi - lo > MINUTE_MS) {
      const mid = lo + Math.floor((hi - lo) / 2 / MINUTE_MS) * MINUTE_MS;
      if (this.query(mid) === a) lo = mid;
      else hi = mid;
    }
    if (utcMs < hi) this.remember(start, hi, a);
    else this.remember(hi, end, b);
    return this.offset;
  }

  private remember(from: number, to: number, offset: number): void {
    this.from = from;
    this.to = to;
    this.offset = offset;
  }

  private probe(utcMs: number): number {
    if (utcMs !== this.probedAt) {
      this.probed = this.query(utcMs);
      this.probedAt = utcMs;
    }
    return this.probed;
  }

  /** Asks Intl: the `timeZoneName` part reads like `GMT+05:45`, `GMT-03:30` or `GMT`. */
  private query(utcMs: number): number {
    for (const part of this.fmt.formatToParts(utcMs)) {
      if (part.type !== 'timeZoneName') continue;
      const v = part.value;
      if (v.length < 4) return 0;
      const sign = v.charCodeAt(3) === 0x2d || v.charCodeAt(3) === 0x2212 ? -1 : 1;
      const hours = Number(v.slice(4, 6));
      const minutes = v.length >= 9 ? Number(v.slice(7, 9)) : 0;
      return sign * (hours * 60 + minutes);
    }
    throw new RangeError(`Intl gave no offset for zone '${this.zone}'`);
  }
}

/**
 * `+05:30`, `-03:00`, `+00:00` for an offset in minutes (RFC 3339 `time-numoffset`).
 * @example offsetSuffix(345) // '+05:45'
 */
export function offsetSuffix(offsetMin: number): string {
  const sign = offsetMin < 0 ? '-' : '+';
  const abs = Math.abs(offsetMin);
  return sign + PAD2[Math.floor(abs / 60)]! + ':' + PAD2[abs % 60]!;
}

/**
 * Proleptic Gregorian date of a day count since 1970-01-01 (Howard Hinnant's
 * `civil_from_days`): pure integer arithmetic, no Date allocation.
 * @example civilFromDays(20541) // [2026, 3, 29]
 */
export function civilFromDays(days: number): [year: number, month: number, day: number] {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return [yoe + era * 400 + (month <= 2 ? 1 : 0), month, day];
}

/**
 * `YYYY-MM-DD` of a day count since 1970-01-01 (years 0000–9999).
 * @example isoDate(20541) // '2026-03-29'
 */
export function isoDate(days: number): string {
  const [y, m, d] = civilFromDays(days);
  return String(y).padStart(4, '0') + '-' + PAD2[m]! + '-' + PAD2[d]!;
}

/** Weekday of a day count since 1970-01-01 (a Thursday): 0 = Sunday … 6 = Saturday. */
export function weekdayOfDays(days: number): number {
  return (((days + 4) % 7) + 7) % 7;
}

/**
 * RFC 3339 timestamp of `utcMs` written in local time at `offsetMin`, with
 * milliseconds.
 * @example formatLocalTimestamp(Date.parse('2026-03-29T04:45:00.123Z'), 330)
 * // '2026-03-29T10:15:00.123+05:30'
 */
export function formatLocalTimestamp(utcMs: number, offsetMin: number): string {
  const local = utcMs + offsetMin * MINUTE_MS;
  const days = Math.floor(local / DAY_MS);
  const msOfDay = local - days * DAY_MS;
  const h = Math.floor(msOfDay / HOUR_MS);
  const m = Math.floor((msOfDay % HOUR_MS) / MINUTE_MS);
  const s = Math.floor((msOfDay % MINUTE_MS) / 1000);
  return isoDate(days) + 'T' + PAD2[h]! + ':' + PAD2[m]! + ':' + PAD2[s]! + '.' + PAD3[msOfDay % 1000]! + offsetSuffix(offsetMin);
}
