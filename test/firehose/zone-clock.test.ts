import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { civilFromDays, formatLocalTimestamp, isoDate, offsetSuffix, weekdayOfDays, ZoneClock } from '../../src/firehose/zone-clock.js';

/** [zone, instant, offset minutes, local RFC 3339]: the tz database's rules for 2026, one second either side of each switch. */
const CASES: readonly [string, string, number, string][] = [
  ['Europe/Berlin', '2026-03-29T00:59:59Z', 60, '2026-03-29T01:59:59.000+01:00'],
  ['Europe/Berlin', '2026-03-29T01:00:00Z', 120, '2026-03-29T03:00:00.000+02:00'],
  ['Europe/Berlin', '2026-10-25T00:59:59Z', 120, '2026-10-25T02:59:59.000+02:00'],
  ['Europe/Berlin', '2026-10-25T01:00:00Z', 60, '2026-10-25T02:00:00.000+01:00'],
  ['America/New_York', '2026-03-08T06:59:59Z', -300, '2026-03-08T01:59:59.000-05:00'],
  ['America/New_York', '2026-03-08T07:00:00Z', -240, '2026-03-08T03:00:00.000-04:00'],
  ['America/New_York', '2026-11-01T05:59:59Z', -240, '2026-11-01T01:59:59.000-04:00'],
  ['America/New_York', '2026-11-01T06:00:00Z', -300, '2026-11-01T01:00:00.000-05:00'],
  ['Australia/Sydney', '2026-04-04T15:59:59Z', 660, '2026-04-05T02:59:59.000+11:00'],
  ['Australia/Sydney', '2026-04-04T16:00:00Z', 600, '2026-04-05T02:00:00.000+10:00'],
  ['Australia/Sydney', '2026-10-03T15:59:59Z', 600, '2026-10-04T01:59:59.000+10:00'],
  ['Australia/Sydney', '2026-10-03T16:00:00Z', 660, '2026-10-04T03:00:00.000+11:00'],
  ['America/Santiago', '2026-04-05T02:59:59Z', -180, '2026-04-04T23:59:59.000-03:00'],
  ['America/Santiago', '2026-04-05T03:00:00Z', -240, '2026-04-04T23:00:00.000-04:00'],
  ['Pacific/Chatham', '2026-04-04T13:59:59Z', 825, '2026-04-05T03:44:59.000+13:45'],
  ['Pacific/Chatham', '2026-04-04T14:00:00Z', 765, '2026-04-05T02:45:00.000+12:45'],
  // Lord Howe Island shifts by 30 minutes, in the middle of a UTC hour.
  ['Australia/Lord_Howe', '2026-10-03T15:29:59Z', 630, '2026-10-04T01:59:59.000+10:30'],
  ['Australia/Lord_Howe', '2026-10-03T15:30:00Z', 660, '2026-10-04T02:30:00.000+11:00'],
  ['Asia/Kolkata', '2026-03-29T04:45:00.123Z', 330, '2026-03-29T10:15:00.123+05:30'],
  ['Asia/Kathmandu', '2026-06-01T00:00:00Z', 345, '2026-06-01T05:45:00.000+05:45'],
  ['America/St_Johns', '2026-01-01T00:00:00Z', -210, '2025-12-31T20:30:00.000-03:30'],
  ['Asia/Tokyo', '2026-12-31T15:00:00Z', 540, '2027-01-01T00:00:00.000+09:00'],
  ['Europe/London', '2026-01-15T12:00:00Z', 0, '2026-01-15T12:00:00.000+00:00'],
];

describe('ZoneClock and local time stamps', () => {
  it('gives each zone its offset, on both sides of every DST switch', () => {
    for (const [zone, instant, offset, local] of CASES) {
      const ms = Date.parse(instant);
      assert.equal(new ZoneClock(zone).offsetAt(ms), offset, `${zone} at ${instant}`);
      assert.equal(formatLocalTimestamp(ms, offset), local);
      assert.equal(Date.parse(local), ms, 'the local form names the same instant');
    }
  });

  it('stays exact when walked forward through a year, as the generator does', () => {
    for (const zone of ['Europe/Berlin', 'America/Santiago', 'Pacific/Chatham', 'Australia/Lord_Howe']) {
      // The walker answers mostly from its cached interval; the oracle asks Intl directly every time.
      const walker = new ZoneClock(zone);
      const oracle = new Intl.DateTimeFormat('en-US', { timeZone: zone, timeZoneName: 'longOffset' });
      const from = Date.parse('2026-01-01T00:00:00Z');
      for (let t = from; t < from + 366 * 86_400_000; t += 13 * 60_000) {
        const name = oracle.formatToParts(t).find((p) => p.type === 'timeZoneName')!.value;
        const expected = name === 'GMT' ? '+00:00' : name.slice(3);
        assert.equal(offsetSuffix(walker.offsetAt(t)), expected, `${zone} at ${new Date(t).toISOString()}`);
      }
    }
  });

  it('turns day counts into dates and weekdays without Date', () => {
    assert.deepEqual(civilFromDays(0), [1970, 1, 1]);
    assert.deepEqual(civilFromDays(20541), [2026, 3, 29]);
    assert.equal(isoDate(20541), '2026-03-29');
    assert.equal(weekdayOfDays(20541), 0, '2026-03-29 is a Sunday');
    assert.equal(isoDate(-1), '1969-12-31');
    assert.equal(isoDate(Date.UTC(2028, 1, 29) / 86_400_000), '2028-02-29');
    assert.equal(offsetSuffix(-210), '-03:30');
    assert.equal(offsetSuffix(0), '+00:00');
  });
});
