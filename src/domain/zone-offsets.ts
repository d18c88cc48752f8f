/**
 * UTC offsets of an IANA time zone, fast enough to call per record.
 *
 * Intl (ICU) is the authority, as for zone names (timezone.ts), but one
 * `formatToParts` call costs microseconds, so offsets are asked once per UTC
 * day and zone: when the day starts and ends on the same offset, every
 * instant in it has that offset; otherwise (a DST change, ~2 days a year)
 * the day's 96 quarter hours are resolved by binary search on the change.
 *
 * This rests on a fact of today's tz database: offsets are whole multiples
 * of 15 minutes and change only on a quarter hour of UTC (checked for every
 * zone in the tests). It is also why 15 minutes is the base grain of every
 * rollup: any zone's hour, day, week or month is a union of UTC quarter hours.
 */

const DAY_MS = 86_400_000;
const QUARTER_MS = 900_000;
const QUARTERS_PER_DAY = 96;
/** Days cached per zone before the cache is cleared (about 27 years of days). */
const MAX_CACHED_DAYS = 10_000;

/** Offset of `zone` at `utcMs` in minutes east of UTC, straight from Intl (slow; the reference). */
export function intlOffsetMinutes(format: Intl.DateTimeFormat, utcMs: number): number {
  // Called only when a day is not cached yet (about twice per zone and day), so clarity beats speed here.
  const v: Partial<Record<Intl.DateTimeFormatPartTypes, number>> = {};
  for (const p of format.formatToParts(utcMs)) if (p.type !== 'literal') v[p.type] = Number(p.value);
  const wall = Date.UTC(v.year ?? 0, (v.month ?? 1) - 1, v.day ?? 1, v.hour ?? 0, v.minute ?? 0, v.second ?? 0);
  // Intl drops the milliseconds; whole seconds of the instant compare exactly.
  return Math.round((wall - Math.floor(utcMs / 1000) * 1000) / 60_000);
}

/** An Intl formatter that yields a zone's wall clock as numbers (24-hour, Gregorian). */
export function wallClockFormat(zone: string): Intl.DateTimeFormat {
  return new Intl.DateTimeFormat('en-US', {
    timeZone: zone,
    calendar: 'gregory',
    numberingSystem: 'latn',
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  });
}

/**
 * @example
 * const kolkata = ZoneOffsets.of('Asia/Kolkata');
 * kolkata.offsetMinutes(Date.UTC(2026, 0, 1)) // 330
 * kolkata.toLocal(Date.UTC(2026, 0, 1))       // Date.UTC(2026, 0, 1, 5, 30)
 */
export class ZoneOffsets {
  private static readonly zones = new Map<string, ZoneOffsets>();
  /** Per UTC day: the day's offset, or its 96 quarter-hour offsets when it changes. */
  private readonly days = new Map<number, number | Int16Array>();
  private readonly format: Intl.DateTimeFormat;

  private constructor(readonly zone: string) {
    this.format = wallClockFormat(zone);
  }

  /** The shared instance for `zone` (throws RangeError for a name Intl does not know). */
  static of(zone: string): ZoneOffsets {
    let z = ZoneOffsets.zones.get(zone);
    if (z === undefined) {
      z = new ZoneOffsets(zone);
      ZoneOffsets.zones.set(zone, z);
    }
    return z;
  }

  /** Minutes east of UTC at `utcMs` (330 for Asia/Kolkata, −300 for New York in winter). */
  offsetMinutes(utcMs: number): number {
    const day = Math.floor(utcMs / DAY_MS);
    let entry = this.days.get(day);
    if (entry === undefined) {
      entry = this.resolveDay(day);
      if (this.days.size >= MAX_CACHED_DAYS) this.days.clear();
      this.days.set(day, entry);
    }
    if (typeof entry === 'number') return entry;
    return entry[Math.floor((utcMs - day * DAY_MS) / QUARTER_MS)]!;
  }

  /** The zone's wall-clock time at `utcMs`, as milliseconds of a UTC-labelled epoch. */
  toLocal(utcMs: number): number {
    return utcMs + this.offsetMinutes(utcMs) * 60_000;
  }

  private resolveDay(day: number): number | Int16Array {
    const start = day * DAY_MS;
    const first = intlOffsetMinutes(this.format, start);
    const last = intlOffsetMinutes(this.format, start + DAY_MS - QUARTER_MS);
    if (first === last) return first;
    const quarters = new Int16Array(QUARTERS_PER_DAY);
    // Find each change by bisection between quarters whose offsets differ.
    const fill = (lo: number, loOff: number, hi: number, hiOff: number): void => {
      if (loOff === hiOff) {
        quarters.fill(loOff, lo, hi + 1);
        return;
      }
      if (hi - lo === 1) {
        quarters[lo] = loOff;
        quarters[hi] = hiOff;
        return;
      }
      const mid = (lo + hi) >> 1;
      const midOff = intlOffsetMinutes(this.format, start + mid * QUARTER_MS);
      fill(lo, loOff, mid, midOff);
      fill(mid, midOff, hi, hiOff);
    };
    fill(0, first, QUARTERS_PER_DAY - 1, last);
    return quarters;
  }
}
