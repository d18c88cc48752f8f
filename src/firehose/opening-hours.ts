/**
 * Typical shop opening hours by market, in local time. Stores only sell
 * while open, so the hours shape every intraday curve (and make a 24-hour
 * konbini in Tokyo look different from a Berlin supermarket on Sunday).
 */

/** Minutes after local midnight: `[open, close)`, 0 ≤ open < close ≤ 1440. */
export type DayHours = readonly [open: number, close: number];

/** Seven entries indexed by weekday, 0 = Sunday … 6 = Saturday; `null` = closed. */
export type OpeningHours = readonly (DayHours | null)[];

function hm(s: string): number {
  const [h, m] = s.split(':');
  return Number(h) * 60 + Number(m);
}

function span(from: string, to: string): DayHours {
  return [hm(from), hm(to)];
}

/** Same hours Monday–Saturday, separate Sunday hours. */
function weekly(monSat: DayHours, sun: DayHours | null): OpeningHours {
  return [sun, monSat, monSat, monSat, monSat, monSat, monSat];
}

export const OPENING_HOURS = {
  /** Germany, Austria, Poland, Norway: Ladenschluss, closed on Sunday. */
  sundayClosed: weekly(span('08:00', '20:00'), null),
  /** UK: Sunday Trading Act limits large shops to six hours. */
  uk: weekly(span('08:00', '21:00'), span('10:00', '16:00')),
  /** France, Spain, Italy, Portugal, Benelux, Nordics, Switzerland, Ireland. */
  europe: weekly(span('09:00', '20:00'), span('10:00', '18:00')),
  /** North America: long days, seven days a week. */
  northAmerica: weekly(span('08:00', '22:00'), span('09:00', '21:00')),
  /** East Asia malls and department stores. */
  eastAsia: weekly(span('10:00', '22:00'), span('10:00', '22:00')),
  /** Gulf malls open late; weekend is Friday/Saturday in most of the Gulf. */
  gulf: weekly(span('10:00', '24:00'), span('10:00', '24:00')),
  /** Israel: closed for Shabbat (Friday afternoon to Saturday night). */
  israel: [span('09:00', '21:00'), span('09:00', '21:00'), span('09:00', '21:00'), span('09:00', '21:00'), span('09:00', '21:00'), span('08:00', '14:00'), null],
  /** Latin America. */
  latam: weekly(span('09:00', '21:00'), span('10:00', '19:00')),
  /** Africa and South Asia high streets. */
  highStreet: weekly(span('08:00', '20:00'), span('09:00', '14:00')),
  /** Australia, New Zealand, Fiji: late-night trading Thursday. */
  oceania: [span('10:00', '17:00'), span('09:00', '17:30'), span('09:00', '17:30'), span('09:00', '17:30'), span('09:00', '21:00'), span('09:00', '17:30'), span('09:00', '17:00')],
  /** A station store at the end of the world. */
  station: weekly(span('11:00', '18:00'), span('12:00', '16:00')),
  /** Convenience stores (konbini, gas stations): always open. */
  allDay: weekly(span('00:00', '24:00'), span('00:00', '24:00')),
} as const satisfies Record<string, OpeningHours>;

export type OpeningHoursName = keyof typeof OPENING_HOURS;

/**
 * Whether a store with `hours` is open at `minuteOfDay` on `weekday`.
 * @example isOpen(OPENING_HOURS.sundayClosed, 0, 600) // false: Sunday
 */
export function isOpen(hours: OpeningHours, weekday: number, minuteOfDay: number): boolean {
  const d = hours[weekday];
  return d !== null && d !== undefined && minuteOfDay >= d[0] && minuteOfDay < d[1];
}
