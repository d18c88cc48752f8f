/**
 * Public holidays as a forecasting feature: for a country and a range of
 * days, which days are holidays and which are the eve of one. Retail sells
 * less (or closes) on a public holiday and more the day before it.
 *
 * The calendar is the treasury's (`date-holidays` through
 * `BusinessCalendar`), so forecasts and settlement agree on what a holiday
 * is. Lookups are cached per country as one byte per day, because a batch
 * asks the same country's 700 days for thousands of stores.
 */
import { BusinessCalendar } from '../domain/business-calendar.js';

export const HOLIDAY = 1;
export const HOLIDAY_EVE = 2;

interface CountryDays {
  from: number;
  bits: Uint8Array;
}

export class HolidayDays {
  private readonly byCountry = new Map<string, CountryDays>();

  constructor(private readonly calendar: BusinessCalendar = new BusinessCalendar()) {}

  /**
   * Flags (`HOLIDAY` | `HOLIDAY_EVE`) of days `from … from + n − 1`, as a view
   * into the cache: do not write to it.
   * @example new HolidayDays().flags('DE', dayNumber('2026-12-24'), 2) // [2, 1]
   */
  flags(country: string, from: number, n: number): Uint8Array {
    let c = this.byCountry.get(country);
    if (c === undefined || from < c.from || from + n > c.from + c.bits.length) {
      // Grow by a few weeks either side so that neighbouring requests hit;
      // not by a year: date-holidays works out lunar and solar calendars
      // astronomically, and each extra (country, year) costs milliseconds.
      const lo = Math.min(from, c?.from ?? from) - 28;
      const hi = Math.max(from + n, c === undefined ? from + n : c.from + c.bits.length) + 28;
      const bits = new Uint8Array(hi - lo);
      for (let d = lo; d < hi; d++) {
        if (this.calendar.holidayName(country, d) !== undefined) {
          bits[d - lo]! |= HOLIDAY;
          if (d - 1 >= lo) bits[d - 1 - lo]! |= HOLIDAY_EVE;
        }
      }
      c = { from: lo, bits };
      this.byCountry.set(country, c);
    }
    return c.bits.subarray(from - c.from, from - c.from + n);
  }
}
