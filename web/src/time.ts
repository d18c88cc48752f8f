/**
 * Local dates and times in IANA zones, with the browser's Intl data.
 * The API names local times as `YYYY-MM-DD` or `YYYY-MM-DDTHH:MM`; here
 * they are handled as "naive" times (milliseconds as if the zone were UTC),
 * so adding days or quarters is plain arithmetic.
 */
export const DAY_MS = 86_400_000;
export const QUARTER_MS = 900_000;

const partsFormats = new Map<string, Intl.DateTimeFormat>();

/** The wall-clock time in `zone` at instant `utcMs`, as naive milliseconds. */
export function localNaive(utcMs: number, zone: string): number {
  let f = partsFormats.get(zone);
  if (f === undefined) {
    f = new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
    partsFormats.set(zone, f);
  }
  const p: Record<string, number> = {};
  for (const part of f.formatToParts(utcMs)) if (part.type !== 'literal') p[part.type] = Number(part.value);
  return Date.UTC(p['year']!, p['month']! - 1, p['day']!, p['hour']!, p['minute']!, p['second']!) + (utcMs % 1000);
}

/** The instant at which `zone`'s wall clock shows `naive` (the earlier one on a DST overlap). */
export function zonedToUtc(naive: number, zone: string): number {
  // The offset at a guess, then once more at the corrected guess: right on both sides of a DST change.
  let utc = naive - (localNaive(naive, zone) - naive);
  utc = naive - (localNaive(utc, zone) - utc);
  return utc;
}

/** RFC 3339 with the zone's offset, e.g. `2026-07-04T00:00:00+02:00`. */
export function rfc3339In(utcMs: number, zone: string): string {
  const local = localNaive(utcMs, zone);
  const off = Math.round((local - utcMs) / 60_000);
  const sign = off < 0 ? '-' : '+';
  const a = Math.abs(off);
  return `${new Date(local).toISOString().slice(0, 19)}${sign}${String(Math.floor(a / 60)).padStart(2, '0')}:${String(a % 60).padStart(2, '0')}`;
}

/** Naive ms → `YYYY-MM-DD`. */
export function dayText(naive: number): string {
  return new Date(naive).toISOString().slice(0, 10);
}

/** Naive ms → `YYYY-MM-DDTHH:MM`. */
export function minuteText(naive: number): string {
  return new Date(naive).toISOString().slice(0, 16);
}

/** `YYYY-MM-DD` or `YYYY-MM-DDTHH:MM` → naive ms. */
export function parseNaive(text: string): number {
  return Date.parse(text.length === 10 ? `${text}T00:00:00Z` : `${text}:00Z`);
}

export function addDays(day: string, n: number): string {
  return dayText(parseNaive(day) + n * DAY_MS);
}

/** `HH:MM` → minutes after midnight. */
export function minutesOf(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number);
  return (h ?? 0) * 60 + (m ?? 0);
}

/**
 * The business day that `naive` falls on with a cut-off of `cutoffMinutes`
 * (the day runs from the cut-off to the next day's cut-off), as naive ms of
 * its date.
 */
export function businessDayOf(naive: number, cutoffMinutes: number): number {
  return Math.floor((naive - cutoffMinutes * 60_000) / DAY_MS) * DAY_MS;
}

/** The browser's own zone (for "today" in range presets). */
export function browserZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone;
}

/** Every zone the browser knows, for the zone picker. */
export function knownZones(): string[] {
  return Intl.supportedValuesOf('timeZone');
}

/** Is `zone` a zone this browser can compute with? */
export function isZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}
