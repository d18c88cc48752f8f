import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BusinessCalendar, dayNumber } from '../../src/domain/business-calendar.js';
import { HOLIDAY, HOLIDAY_EVE, HolidayDays } from '../../src/forecast/holiday-days.js';

describe('holidays as a forecasting feature', () => {
  it('names public holidays from the treasury calendar, weekends not included', () => {
    const cal = new BusinessCalendar();
    assert.equal(cal.holidayName('DE', dayNumber('2026-12-25')), '1. Weihnachtstag');
    assert.equal(cal.holidayName('DE', dayNumber('2026-12-27')), undefined); // a Sunday, not a holiday
  });

  it('flags holidays and their eves per day, the same across cache growth', () => {
    const h = new HolidayDays();
    const xmas = [...h.flags('DE', dayNumber('2026-12-23'), 5)];
    // Banks close on the 24th (Heiligabend, a bank holiday), so the 23rd is its eve.
    assert.deepEqual(xmas, [HOLIDAY_EVE, HOLIDAY | HOLIDAY_EVE, HOLIDAY | HOLIDAY_EVE, HOLIDAY, 0]);
    h.flags('DE', dayNumber('2024-01-01'), 400); // grows the cache backwards
    assert.deepEqual([...h.flags('DE', dayNumber('2026-12-23'), 5)], xmas);
    // 4 July 2026 is a Saturday: the substitute day, Friday the 3rd, is a holiday too (and so the 4th's eve).
    assert.deepEqual([...h.flags('US', dayNumber('2026-07-02'), 3)], [HOLIDAY_EVE, HOLIDAY | HOLIDAY_EVE, HOLIDAY]);
  });
});
