/**
 * Time buckets (DOMAIN.md, "Time"): which bucket an instant falls in, for a
 * granularity and a time zone.
 *
 * A bucket is named by its start as local wall-clock time, held as
 * milliseconds of a UTC-labelled epoch: `Date.UTC(2026, 2, 29)` names the
 * day 2026-03-29 in whatever zone was asked for. That is what a finance user
 * reads ("Sunday's sales"), and it lets buckets of stores in different zones
 * line up by local date when the zone is `store`.
 *
 * `day` (and the `week` and `month` built from days) honours the tenant's
 * business-day cut-off when the zone is the store's own: with a cut-off of
 * 04:00, a sale at 02:30 local time belongs to the previous business day.
 * In UTC or an explicit IANA zone, days are calendar days.
 */
import { ZoneOffsets } from './zone-offsets.js';

export const GRANULARITIES = ['15m', 'hour', 'day', 'week', 'month'] as const;
export type Granularity = (typeof GRANULARITIES)[number];

export function isGranularity(v: unknown): v is Granularity {
  return typeof v === 'string' && (GRANULARITIES as readonly string[]).includes(v);
}

export const QUARTER_MS = 900_000;
export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;
/** The longest business-day cut-off: a day may end at most 23:45 after midnight. */
export const MAX_CUTOFF_MINUTES = 23 * 60 + 45;

/** Where bucket boundaries fall: a zone (null = UTC) and the business-day cut-off in minutes after local midnight. */
export interface BucketClock {
  zone: ZoneOffsets | null;
  cutoffMinutes: number;
}

/** UTC, calendar days. */
export const UTC_CLOCK: BucketClock = { zone: null, cutoffMinutes: 0 };

/**
 * The clock of a query: the store's zone with the tenant's cut-off for
 * `store`, else the named zone (or UTC) with calendar days.
 * Throws RangeError for an unknown zone or a cut-off that is not a quarter hour in [0, 23:45].
 * @example clockFor('store', 'Asia/Kolkata', 240) // Kolkata wall clock, days end at 04:00
 */
export function clockFor(tz: string, storeZone: string, cutoffMinutes: number): BucketClock {
  if (!Number.isInteger(cutoffMinutes) || cutoffMinutes < 0 || cutoffMinutes > MAX_CUTOFF_MINUTES || cutoffMinutes % 15 !== 0) {
    throw new RangeError(`business-day cut-off must be a quarter hour from 00:00 to 23:45, got ${String(cutoffMinutes)} minutes`);
  }
  if (tz === 'store') return { zone: ZoneOffsets.of(storeZone), cutoffMinutes };
  if (tz === 'UTC') return UTC_CLOCK;
  return { zone: ZoneOffsets.of(tz), cutoffMinutes: 0 };
}

/** Local wall-clock ms of `utcMs` on `clock`. */
export function localTime(utcMs: number, clock: BucketClock): number {
  return clock.zone === null ? utcMs : clock.zone.toLocal(utcMs);
}

/**
 * The business day of a local time: the calendar day of (local − cut-off),
 * as days since 1970-01-01.
 */
export function businessDay(localMs: number, cutoffMinutes: number): number {
  return Math.floor((localMs - cutoffMinutes * 60_000) / DAY_MS);
}

/**
 * The bucket of the instant `utcMs`, named by its local start (see the file
 * header). Weeks start on Monday (ISO 8601); 1970-01-01 was a Thursday.
 * @example bucketOf(Date.UTC(2026, 0, 1, 20, 10), '15m', UTC_CLOCK) // Date.UTC(2026, 0, 1, 20, 0)
 * @example bucketOf(Date.UTC(2026, 0, 1, 20, 10), 'day', clockFor('store', 'Asia/Kolkata', 0)) // Date.UTC(2026, 0, 2)
 */
export function bucketOf(utcMs: number, granularity: Granularity, clock: BucketClock): number {
  return bucketOfLocal(localTime(utcMs, clock), granularity, clock.cutoffMinutes);
}

/** {@link bucketOf} for a local time already computed. */
export function bucketOfLocal(local: number, granularity: Granularity, cutoffMinutes: number): number {
  switch (granularity) {
    case '15m':
      return Math.floor(local / QUARTER_MS) * QUARTER_MS;
    case 'hour':
      return Math.floor(local / HOUR_MS) * HOUR_MS;
    case 'day':
      return businessDay(local, cutoffMinutes) * DAY_MS;
    case 'week': {
      const day = businessDay(local, cutoffMinutes);
      // Days since the Monday on or before 1970-01-01 (1969-12-29 is day −3).
      return (Math.floor((day + 3) / 7) * 7 - 3) * DAY_MS;
    }
    case 'month': {
      const d = new Date(businessDay(local, cutoffMinutes) * DAY_MS);
      return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
    }
  }
}

/**
 * The bucket after `bucket` (both named by their local start).
 * @example nextBucket(Date.UTC(2026, 0, 31), 'month') // Date.UTC(2026, 1, 1)
 */
export function nextBucket(bucket: number, granularity: Granularity): number {
  switch (granularity) {
    case '15m':
      return bucket + QUARTER_MS;
    case 'hour':
      return bucket + HOUR_MS;
    case 'day':
      return bucket + DAY_MS;
    case 'week':
      return bucket + 7 * DAY_MS;
    case 'month': {
      const d = new Date(bucket);
      return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
    }
  }
}

/** A bucket name as ISO 8601 local time without offset: `2026-03-29T00:00`. */
export function formatBucket(bucket: number): string {
  return new Date(bucket).toISOString().slice(0, 16);
}

/** Default grace after the end of a business day before it counts as closed (DOMAIN.md: 48 h). */
export const DEFAULT_CLOSE_GRACE_MS = 48 * HOUR_MS;

/**
 * The first instant (UTC ms) that no longer belongs to business day `day`
 * (days since 1970-01-01) on a store's clock: local midnight after it plus
 * the cut-off, wherever the zone's clock changes put that. Exact to the
 * millisecond, since offsets change only on UTC quarter hours.
 * @example businessDayEnd(Date.UTC(2026, 0, 2) / DAY_MS, clockFor('store', 'Europe/Paris', 240)) // Date.UTC(2026, 0, 3, 3)
 */
export function businessDayEnd(day: number, clock: BucketClock): number {
  const localEnd = (day + 1) * DAY_MS + clock.cutoffMinutes * 60_000;
  const past = (utc: number): boolean => businessDay(localTime(utc, clock), clock.cutoffMinutes) > day;
  // Start from the offset at the local end, then walk quarter hours to the boundary
  // (a clock change near it moves the boundary by at most a few hours).
  let t = localEnd - (clock.zone === null ? 0 : clock.zone.offsetMinutes(localEnd) * 60_000);
  for (let i = 0; i < 64 && past(t - QUARTER_MS); i++) t -= QUARTER_MS;
  for (let i = 0; i < 64 && !past(t); i++) t += QUARTER_MS;
  return t;
}

/**
 * Whether business day `day` is closed at `nowMs`: `graceMs` after its end.
 * A late record for a closed day is still counted, and also reported as a restatement.
 */
export function isDayClosed(day: number, clock: BucketClock, nowMs: number, graceMs: number = DEFAULT_CLOSE_GRACE_MS): boolean {
  return nowMs >= businessDayEnd(day, clock) + graceMs;
}

/**
 * Minutes after midnight of a business-day cut-off written `HH:MM`, which
 * must be a quarter hour (the grain of every rollup); null otherwise.
 * @example parseCutoff('04:00') // 240
 * @example parseCutoff('03:10') // null
 */
export function parseCutoff(text: string): number | null {
  const m = /^([01]\d|2[0-3]):(00|15|30|45)$/.exec(text);
  return m === null ? null : Number(m[1]) * 60 + Number(m[2]);
}
