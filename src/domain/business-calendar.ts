/**
 * Banking business days per country (DOMAIN.md, "Banking and treasury"):
 * weekends plus public and bank holidays, with a tenant's own overrides.
 * Holidays come from `date-holidays` (rules for ~200 countries, maintained
 * upstream); a country it does not know has weekends only.
 *
 * Days are numbers: days since 1970-01-01 of the local calendar date.
 * Settlement walks day by day, so each (country, year) is worked out once
 * into a set of closed days and then answered from it.
 */
import Holidays from 'date-holidays';

const DAY_MS = 86_400_000;

/**
 * Weekend days by country, where not Saturday–Sunday (0 = Sunday … 6 =
 * Saturday, as `Date.getUTCDay`). Banks in these countries close on these
 * days; the holiday data does not carry weekends.
 */
const WEEKENDS: Readonly<Record<string, readonly number[]>> = {
  AF: [4, 5],
  BH: [5, 6],
  DZ: [5, 6],
  EG: [5, 6],
  IL: [5, 6],
  IQ: [5, 6],
  IR: [5],
  JO: [5, 6],
  KW: [5, 6],
  LY: [5, 6],
  NP: [6],
  OM: [5, 6],
  QA: [5, 6],
  SA: [5, 6],
  SD: [5, 6],
  SY: [5, 6],
  YE: [5, 6],
};
const DEFAULT_WEEKEND: readonly number[] = [0, 6];

/** A tenant's correction of the calendar: a day its banks are (not) open. */
export interface CalendarOverride {
  /** ISO 3166-1 alpha-2. */
  country: string;
  /** `YYYY-MM-DD`. */
  date: string;
  businessDay: boolean;
  /** Why, for people reading the set-up (e.g. a regional holiday). */
  name?: string;
}

/** A closed day as a person reads it. */
export interface ClosedDay {
  date: string;
  name: string;
  kind: 'weekend' | 'holiday' | 'override';
}

/** `YYYY-MM-DD` of a day number. */
export function dayText(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

/** Day number of `YYYY-MM-DD` (no validation: callers pass checked dates). */
export function dayNumber(date: string): number {
  return Date.parse(`${date}T00:00:00Z`) / DAY_MS;
}

/**
 * @example
 * const cal = new BusinessCalendar([{ country: 'DE', date: '2026-12-24', businessDay: false }]);
 * cal.isBusinessDay('DE', dayNumber('2026-12-25')) // false (Christmas)
 * dayText(cal.addBusinessDays('DE', dayNumber('2026-12-23'), 1)) // '2026-12-28'
 */
export class BusinessCalendar {
  /** country → year → closed day numbers (holidays only; weekends are tested by weekday). */
  private readonly holidays = new Map<string, Map<number, Map<number, string>>>();
  private readonly overrides = new Map<string, Map<number, CalendarOverride>>();
  private readonly known: Set<string>;

  constructor(overrides: readonly CalendarOverride[] = []) {
    for (const o of overrides) {
      let m = this.overrides.get(o.country);
      if (m === undefined) this.overrides.set(o.country, (m = new Map()));
      m.set(dayNumber(o.date), o);
    }
    this.known = knownCountries();
  }

  /** Whether the holiday data covers `country` (otherwise only weekends close banks). */
  hasHolidays(country: string): boolean {
    return this.known.has(country);
  }

  isBusinessDay(country: string, day: number): boolean {
    const o = this.overrides.get(country)?.get(day);
    if (o !== undefined) return o.businessDay;
    const weekday = (day + 4) % 7; // 1970-01-01 was a Thursday (4)
    if ((WEEKENDS[country] ?? DEFAULT_WEEKEND).includes(weekday)) return false;
    return !this.holidaysOf(country, yearOf(day)).has(day);
  }

  /**
   * The day `n` business days after `day` (n ≥ 1), counting only business
   * days after it: T+1 of a Friday is the next Monday, and so is T+1 of a
   * Saturday. `n` = 0 gives `day` itself if it is a business day, else the
   * next one.
   */
  addBusinessDays(country: string, day: number, n: number): number {
    let d = day;
    if (n === 0) {
      while (!this.isBusinessDay(country, d)) d++;
      return d;
    }
    for (let counted = 0; counted < n; ) {
      d++;
      if (this.isBusinessDay(country, d)) counted++;
    }
    return d;
  }

  /**
   * The public or bank holiday of `country` on `day`, or `undefined` (weekends
   * are not holidays here; tenant overrides are not consulted). Forecasting
   * reads this as a calendar feature: shops close or sell differently on it.
   * @example cal.holidayName('DE', dayNumber('2026-12-25')) // '1. Weihnachtstag'
   */
  holidayName(country: string, day: number): string | undefined {
    return this.holidaysOf(country, yearOf(day)).get(day);
  }

  /** Closed days of `country` from `from` to `to` (day numbers, inclusive), with names. */
  closedDays(country: string, from: number, to: number): ClosedDay[] {
    const out: ClosedDay[] = [];
    for (let d = from; d <= to; d++) {
      if (this.isBusinessDay(country, d)) continue;
      const o = this.overrides.get(country)?.get(d);
      const holiday = this.holidaysOf(country, yearOf(d)).get(d);
      out.push(o !== undefined ? { date: dayText(d), name: o.name ?? 'tenant override', kind: 'override' } : holiday !== undefined ? { date: dayText(d), name: holiday, kind: 'holiday' } : { date: dayText(d), name: 'weekend', kind: 'weekend' });
    }
    return out;
  }

  private holidaysOf(country: string, year: number): Map<number, string> {
    let years = this.holidays.get(country);
    if (years === undefined) this.holidays.set(country, (years = new Map()));
    let days = years.get(year);
    if (days !== undefined) return days;
    days = new Map();
    if (this.known.has(country)) {
      // Public and bank holidays close banks; observances and optional days do not.
      for (const h of new Holidays(country).getHolidays(year)) {
        if (h.type !== 'public' && h.type !== 'bank') continue;
        const d = dayNumber(h.date.slice(0, 10));
        if (!days.has(d)) days.set(d, h.name);
      }
    }
    years.set(year, days);
    return days;
  }
}

let countries: Set<string> | null = null;
/** Countries the holiday data covers (read once: building it walks the whole data set). */
function knownCountries(): Set<string> {
  countries ??= new Set(Object.keys(new Holidays().getCountries()));
  return countries;
}

function yearOf(day: number): number {
  return new Date(day * DAY_MS).getUTCFullYear();
}
