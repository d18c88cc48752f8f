import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DAY_MS, QUARTER_MS, UTC_CLOCK, bucketOf, businessDayEnd, clockFor, formatBucket, isDayClosed, isGranularity, nextBucket } from '../../src/domain/time-buckets.js';
import { ZoneOffsets, intlOffsetMinutes, wallClockFormat } from '../../src/domain/zone-offsets.js';
import { Prng } from '../../src/firehose/prng.js';

const utc = (y: number, mo: number, d: number, h = 0, mi = 0): number => Date.UTC(y, mo - 1, d, h, mi);

/** Quarter hours of UTC whose `day` bucket on `clock` is the local date `day`. */
function quartersInDay(day: number, tz: string, zone: string, cutoff: number): number {
  const clock = clockFor(tz, zone, cutoff);
  let n = 0;
  for (let t = day - 2 * DAY_MS; t < day + 3 * DAY_MS; t += QUARTER_MS) if (bucketOf(t, 'day', clock) === day) n++;
  return n;
}

void describe('ZoneOffsets', () => {
  void it('gives the offsets of whole-hour, half-hour and 45-minute zones, with DST', () => {
    assert.equal(ZoneOffsets.of('Asia/Kolkata').offsetMinutes(utc(2026, 1, 1)), 330);
    assert.equal(ZoneOffsets.of('Asia/Kathmandu').offsetMinutes(utc(2026, 7, 1)), 345);
    assert.equal(ZoneOffsets.of('America/New_York').offsetMinutes(utc(2026, 1, 15)), -300);
    assert.equal(ZoneOffsets.of('America/New_York').offsetMinutes(utc(2026, 7, 15)), -240);
    assert.equal(ZoneOffsets.of('Australia/Lord_Howe').offsetMinutes(utc(2026, 1, 15)), 660);
    assert.equal(ZoneOffsets.of('Australia/Lord_Howe').offsetMinutes(utc(2026, 7, 15)), 630);
  });

  void it('changes offset exactly at the DST instant (Europe/Berlin, 2026-03-29 01:00 UTC and 2026-10-25 01:00 UTC)', () => {
    const berlin = ZoneOffsets.of('Europe/Berlin');
    assert.equal(berlin.offsetMinutes(utc(2026, 3, 29, 0, 59)), 60);
    assert.equal(berlin.offsetMinutes(utc(2026, 3, 29, 1, 0)), 120);
    assert.equal(berlin.offsetMinutes(utc(2026, 10, 25, 0, 59)), 120);
    assert.equal(berlin.offsetMinutes(utc(2026, 10, 25, 1, 0)), 60);
  });

  void it('agrees with Intl at every quarter hour around every transition of every zone, 2024–2027', () => {
    // Brute force against Intl itself, instant by instant; also checks the
    // premise that offsets are multiples of 15 minutes.
    let checked = 0;
    for (const zone of Intl.supportedValuesOf('timeZone')) {
      const fmt = wallClockFormat(zone);
      const z = ZoneOffsets.of(zone);
      for (let t = utc(2024, 1, 1); t < utc(2028, 1, 1); t += 7 * DAY_MS) {
        const a = intlOffsetMinutes(fmt, t);
        const b = intlOffsetMinutes(fmt, t + 7 * DAY_MS);
        if (a === b) {
          assert.equal(z.offsetMinutes(t), a, `${zone} at ${new Date(t).toISOString()}`);
          checked++;
          continue;
        }
        // A week with a change: every quarter hour, plus minutes inside two of them.
        for (let q = t; q < t + 7 * DAY_MS; q += QUARTER_MS) {
          const want = intlOffsetMinutes(fmt, q);
          assert.equal(Math.abs(want % 15), 0, `${zone} offset ${String(want)} is not a quarter hour`);
          assert.equal(z.offsetMinutes(q), want, `${zone} at ${new Date(q).toISOString()}`);
          assert.equal(z.offsetMinutes(q + 14 * 60_000 + 59_999), intlOffsetMinutes(fmt, q + 14 * 60_000 + 59_999), `${zone} inside the quarter at ${new Date(q).toISOString()}`);
          checked += 2;
        }
      }
    }
    assert.ok(checked > 100_000, `only ${String(checked)} instants checked`);
  });
});

void describe('bucketOf', () => {
  void it('knows its granularities', () => {
    for (const g of ['15m', 'hour', 'day', 'week', 'month']) assert.ok(isGranularity(g));
    for (const g of ['1m', 'year', 'Day', '']) assert.ok(!isGranularity(g));
  });

  void it('names UTC buckets by their start', () => {
    const t = utc(2026, 1, 1, 20, 10) + 12_345;
    assert.equal(formatBucket(bucketOf(t, '15m', UTC_CLOCK)), '2026-01-01T20:00');
    assert.equal(formatBucket(bucketOf(t, 'hour', UTC_CLOCK)), '2026-01-01T20:00');
    assert.equal(formatBucket(bucketOf(t, 'day', UTC_CLOCK)), '2026-01-01T00:00');
    // 2026-01-01 is a Thursday: its ISO week starts on Monday 2025-12-29.
    assert.equal(formatBucket(bucketOf(t, 'week', UTC_CLOCK)), '2025-12-29T00:00');
    assert.equal(formatBucket(bucketOf(t, 'month', UTC_CLOCK)), '2026-01-01T00:00');
    // Before 1970 too.
    assert.equal(formatBucket(bucketOf(utc(1969, 12, 31, 23, 59), 'week', UTC_CLOCK)), '1969-12-29T00:00');
  });

  void it('puts +05:30 and +05:45 stores in their local quarter hours, hours and days', () => {
    const kolkata = clockFor('store', 'Asia/Kolkata', 0);
    const kathmandu = clockFor('store', 'Asia/Kathmandu', 0);
    const t = utc(2026, 1, 1, 18, 20); // 23:50 in Kolkata, 00:05 next day in Kathmandu
    assert.equal(formatBucket(bucketOf(t, '15m', kolkata)), '2026-01-01T23:45');
    assert.equal(formatBucket(bucketOf(t, 'hour', kolkata)), '2026-01-01T23:00');
    assert.equal(formatBucket(bucketOf(t, 'day', kolkata)), '2026-01-01T00:00');
    assert.equal(formatBucket(bucketOf(t, '15m', kathmandu)), '2026-01-02T00:00');
    assert.equal(formatBucket(bucketOf(t, 'hour', kathmandu)), '2026-01-02T00:00');
    assert.equal(formatBucket(bucketOf(t, 'day', kathmandu)), '2026-01-02T00:00');
    // An hour in Kathmandu spans UTC quarters :15, :30, :45 of one UTC hour and :00 of the next.
    const hour = bucketOf(utc(2026, 1, 1, 18, 15), 'hour', kathmandu);
    const members = [0, 15, 30, 45, 60, 75].map((m) => bucketOf(utc(2026, 1, 1, 18, m), 'hour', kathmandu) === hour);
    assert.deepEqual(members, [false, true, true, true, true, false]);
  });

  void it('gives DST days of 23 and 25 hours (Europe/Berlin, America/New_York)', () => {
    assert.equal(quartersInDay(utc(2026, 3, 29), 'store', 'Europe/Berlin', 0), 92);
    assert.equal(quartersInDay(utc(2026, 10, 25), 'store', 'Europe/Berlin', 0), 100);
    assert.equal(quartersInDay(utc(2026, 3, 28), 'store', 'Europe/Berlin', 0), 96);
    assert.equal(quartersInDay(utc(2026, 3, 8), 'America/New_York', 'Asia/Tokyo', 0), 92);
    assert.equal(quartersInDay(utc(2026, 11, 1), 'America/New_York', 'Asia/Tokyo', 0), 100);
    assert.equal(quartersInDay(utc(2026, 3, 29), 'UTC', 'Europe/Berlin', 0), 96);
  });

  void it('ends store business days at the cut-off (04:00), in store time only', () => {
    const paris = clockFor('store', 'Europe/Paris', 240);
    // 02:30 local on Saturday 2026-01-03 belongs to Friday's business day.
    assert.equal(formatBucket(bucketOf(utc(2026, 1, 3, 1, 30), 'day', paris)), '2026-01-02T00:00');
    assert.equal(formatBucket(bucketOf(utc(2026, 1, 3, 3, 0), 'day', paris)), '2026-01-03T00:00'); // 04:00 local
    // The week and month follow the business day: 02:30 on Monday 2026-06-01 is Sunday, May.
    assert.equal(formatBucket(bucketOf(utc(2026, 6, 1, 0, 30), 'week', paris)), '2026-05-25T00:00');
    assert.equal(formatBucket(bucketOf(utc(2026, 6, 1, 0, 30), 'month', paris)), '2026-05-01T00:00');
    // Quarter hours and hours ignore the cut-off.
    assert.equal(formatBucket(bucketOf(utc(2026, 1, 3, 1, 30), 'hour', paris)), '2026-01-03T02:00');
    // An explicit zone uses calendar days.
    assert.equal(formatBucket(bucketOf(utc(2026, 1, 3, 1, 30), 'day', clockFor('Europe/Paris', 'Asia/Tokyo', 240))), '2026-01-03T00:00');
    // A business day is 96 quarters long; the clocks go forward at 02:00 on
    // Sunday 2026-03-29, inside Saturday's business day (until 04:00 Sunday).
    assert.equal(quartersInDay(utc(2026, 1, 2), 'store', 'Europe/Paris', 240), 96);
    assert.equal(quartersInDay(utc(2026, 3, 28), 'store', 'Europe/Paris', 240), 92);
    assert.equal(quartersInDay(utc(2026, 3, 29), 'store', 'Europe/Paris', 240), 96);
  });

  void it('rejects cut-offs that are not a quarter hour of the day', () => {
    for (const bad of [-15, 10, 1440, 23 * 60 + 50, 0.5]) assert.throws(() => clockFor('store', 'Europe/Paris', bad), RangeError);
    assert.throws(() => clockFor('Mars/Base', 'Europe/Paris', 0), RangeError);
  });

  void it('matches a wall-clock reference built from Intl for random instants, zones and cut-offs', () => {
    const rng = new Prng(7);
    const zones = ['Asia/Kolkata', 'Asia/Kathmandu', 'Europe/Berlin', 'America/New_York', 'Australia/Lord_Howe', 'Pacific/Chatham', 'America/St_Johns', 'UTC'];
    for (let i = 0; i < 3000; i++) {
      const zone = zones[rng.int(zones.length)]!;
      const t = utc(2024, 1, 1) + rng.int(4 * 365 * 96) * QUARTER_MS + rng.int(QUARTER_MS);
      const cutoff = rng.int(96) * 15;
      const parts = Object.fromEntries(wallClockFormat(zone).formatToParts(t).map((p) => [p.type, Number(p.value)])) as Record<string, number>;
      const wall = Date.UTC(parts.year!, parts.month! - 1, parts.day!, parts.hour!, parts.minute!);
      const shifted = new Date(wall - cutoff * 60_000);
      const dayRef = Date.UTC(shifted.getUTCFullYear(), shifted.getUTCMonth(), shifted.getUTCDate());
      const clock = clockFor('store', zone, cutoff);
      assert.equal(bucketOf(t, '15m', clock), wall - (parts.minute! % 15) * 60_000);
      assert.equal(bucketOf(t, 'day', clock), dayRef);
      const dow = (new Date(dayRef).getUTCDay() + 6) % 7; // Monday = 0
      assert.equal(bucketOf(t, 'week', clock), dayRef - dow * DAY_MS);
      assert.equal(bucketOf(t, 'month', clock), Date.UTC(shifted.getUTCFullYear(), shifted.getUTCMonth(), 1));
    }
  });
});

void describe('nextBucket', () => {
  void it('steps by each granularity, months by calendar', () => {
    assert.equal(formatBucket(nextBucket(utc(2026, 1, 31), 'month')), '2026-02-01T00:00');
    assert.equal(formatBucket(nextBucket(utc(2026, 12, 1), 'month')), '2027-01-01T00:00');
    assert.equal(formatBucket(nextBucket(utc(2025, 12, 29), 'week')), '2026-01-05T00:00');
    assert.equal(formatBucket(nextBucket(utc(2026, 1, 1, 23, 45), '15m')), '2026-01-02T00:00');
    assert.equal(formatBucket(nextBucket(utc(2026, 1, 1, 23), 'hour')), '2026-01-02T00:00');
    assert.equal(formatBucket(nextBucket(utc(2026, 2, 28), 'day')), '2026-03-01T00:00');
  });
});

void describe('business-day close', () => {
  const day = (y: number, mo: number, d: number): number => Date.UTC(y, mo - 1, d) / DAY_MS;

  void it('ends a business day at the next local midnight plus the cut-off, in UTC', () => {
    const paris = clockFor('store', 'Europe/Paris', 240);
    assert.equal(new Date(businessDayEnd(day(2026, 1, 2), paris)).toISOString(), '2026-01-03T03:00:00.000Z'); // 04:00 CET
    assert.equal(new Date(businessDayEnd(day(2026, 7, 2), paris)).toISOString(), '2026-07-03T02:00:00.000Z'); // 04:00 CEST
    assert.equal(new Date(businessDayEnd(day(2026, 1, 2), clockFor('store', 'Asia/Kathmandu', 0))).toISOString(), '2026-01-02T18:15:00.000Z');
    assert.equal(new Date(businessDayEnd(day(2026, 1, 2), UTC_CLOCK)).toISOString(), '2026-01-03T00:00:00.000Z');
    // Saturday 2026-03-28 with a 04:00 cut-off ends at 04:00 CEST Sunday, 23 hours after it began.
    const sat = day(2026, 3, 28);
    assert.equal(businessDayEnd(sat, paris) - businessDayEnd(sat - 1, paris), 23 * 3_600_000);
    // New York, midnight cut-off, spring forward at 02:00 on 2026-03-08: that day has 23 hours.
    const ny = clockFor('store', 'America/New_York', 0);
    assert.equal(new Date(businessDayEnd(day(2026, 3, 8), ny)).toISOString(), '2026-03-09T04:00:00.000Z');
    assert.equal(businessDayEnd(day(2026, 3, 8), ny) - businessDayEnd(day(2026, 3, 7), ny), 23 * 3_600_000);
  });

  void it('is the first instant of the next business day, for random zones, days and cut-offs', () => {
    const rng = new Prng(12);
    const zones = ['Europe/Paris', 'America/New_York', 'Asia/Kathmandu', 'Australia/Lord_Howe', 'America/Havana', 'Pacific/Chatham'];
    for (let i = 0; i < 500; i++) {
      const clock = clockFor('store', zones[rng.int(zones.length)]!, rng.int(20) * 15);
      const d = day(2024, 1, 1) + rng.int(4 * 365);
      const end = businessDayEnd(d, clock);
      assert.ok(bucketOf(end, 'day', clock) > d * DAY_MS, `day ${String(d)} not over at its end`);
      assert.ok(bucketOf(end - 1, 'day', clock) <= d * DAY_MS, `day ${String(d)} over before its end`);
    }
  });

  void it('closes a day 48 hours after its end by default', () => {
    const paris = clockFor('store', 'Europe/Paris', 240);
    const end = businessDayEnd(day(2026, 1, 2), paris);
    assert.equal(isDayClosed(day(2026, 1, 2), paris, end + 48 * 3_600_000 - 1), false);
    assert.equal(isDayClosed(day(2026, 1, 2), paris, end + 48 * 3_600_000), true);
    assert.equal(isDayClosed(day(2026, 1, 2), paris, end + 3_600_000, 3_600_000), true);
  });
});
