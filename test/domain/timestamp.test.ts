import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseRfc3339, parseRfc3339Bytes } from '../../src/domain/timestamp.js';

void describe('parseRfc3339', () => {
  const good: [string, number, number][] = [
    ['2026-03-01T10:15:00Z', Date.UTC(2026, 2, 1, 10, 15), 0],
    ['2026-03-01T10:15:00+05:30', Date.UTC(2026, 2, 1, 4, 45), 330], // India
    ['2026-03-01T10:15:00+05:45', Date.UTC(2026, 2, 1, 4, 30), 345], // Nepal
    ['2026-03-01T10:15:00-03:30', Date.UTC(2026, 2, 1, 13, 45), -210], // Newfoundland
    ['2026-03-01t10:15:00z', Date.UTC(2026, 2, 1, 10, 15), 0],
    ['2026-03-01T00:30:00+01:00', Date.UTC(2026, 1, 28, 23, 30), 60], // previous UTC day
    ['2024-02-29T12:00:00Z', Date.UTC(2024, 1, 29, 12), 0], // leap day
    ['2000-02-29T00:00:00Z', Date.UTC(2000, 1, 29), 0], // divisible by 400
    ['2026-03-01T10:15:00.1Z', Date.UTC(2026, 2, 1, 10, 15, 0, 100), 0],
    ['2026-03-01T10:15:00.12Z', Date.UTC(2026, 2, 1, 10, 15, 0, 120), 0],
    ['2026-03-01T10:15:00.123456789Z', Date.UTC(2026, 2, 1, 10, 15, 0, 123), 0],
    ['2026-03-01T10:15:59.9999Z', Date.UTC(2026, 2, 1, 10, 15, 59, 999), 0], // truncated, not rounded up
    ['2026-03-01T10:15:00+23:59', Date.UTC(2026, 2, 1, 10, 15) - 1439 * 60_000, 1439],
    ['2026-03-01T10:15:00-23:59', Date.UTC(2026, 2, 1, 10, 15) + 1439 * 60_000, -1439],
    ['1969-12-31T23:59:59.999Z', -1, 0],
    ['9999-12-31T23:59:59.999Z', 253402300799999, 0],
    ['0000-01-01T00:00:00Z', -62167219200000, 0],
  ];
  for (const [s, ms, offsetMin] of good) {
    void it(`${s} → ${String(ms)}, offset ${String(offsetMin)}`, () => assert.deepStrictEqual(parseRfc3339(s), { ms, offsetMin }));
  }

  void it('reads -00:00 as UTC with offset 0, not -0', () => {
    const r = parseRfc3339('2026-03-01T10:15:00-00:00');
    assert.ok(r !== null && Object.is(r.offsetMin, 0));
  });

  const bad = [
    '2023-02-29T00:00:00Z', '1900-02-29T00:00:00Z', '2026-04-31T00:00:00Z', '2026-13-01T00:00:00Z', '2026-00-10T00:00:00Z', '2026-03-00T00:00:00Z',
    '2026-03-01T24:00:00Z', '2026-03-01T23:60:00Z', '2026-03-01T23:59:60Z', '2026-03-01T10:15:00', '2026-03-01 10:15:00Z', '2026-03-01T10:15Z',
    '2026-03-01T10:15:00.Z', '2026-03-01T10:15:00,5Z', '2026-03-01T10:15:00+24:00', '2026-03-01T10:15:00+05:60', '2026-03-01T10:15:00+0530',
    '2026-03-01T10:15:00+05', ' 2026-03-01T10:15:00Z', '2026-03-01T10:15:00Z ', '2026-03-01T10:15:00ZZ', '226-03-01T10:15:00Z', '20260-03-01T10:15:00Z',
    '2026-3-01T10:15:00Z', '2026-03-01T10:15:00UTC', '2026-03-01T10:15:00+05:30:00', '2026-03-01T10:15:0١Z', '', 'not a time',
  ];
  for (const s of bad) void it(`rejects ${JSON.stringify(s)}`, () => assert.equal(parseRfc3339(s), null));

  void it('agrees with Date.parse on 2,000 random valid timestamps', () => {
    let seed = 42;
    const rnd = (n: number): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return (seed >>> 8) % n;
    };
    const p2 = (n: number): string => String(n).padStart(2, '0');
    for (let k = 0; k < 2000; k++) {
      const y = 1970 + rnd(130);
      const mo = 1 + rnd(12);
      const d = 1 + rnd(new Date(Date.UTC(y, mo, 0)).getUTCDate());
      const off = rnd(3) === 0 ? 'Z' : `${rnd(2) === 0 ? '+' : '-'}${p2(rnd(24))}:${p2(rnd(60))}`;
      const s = `${String(y)}-${p2(mo)}-${p2(d)}T${p2(rnd(24))}:${p2(rnd(60))}:${p2(rnd(60))}.${String(rnd(1000)).padStart(3, '0')}${off}`;
      assert.equal(parseRfc3339(s)?.ms, Date.parse(s), s);
    }
  });
});

void describe('parseRfc3339Bytes', () => {
  const enc = new TextEncoder();
  void it('parses a range of a larger buffer and never reads past its end', () => {
    const buf = enc.encode('xx"2026-03-01T10:15:00.123Z"yy');
    assert.deepStrictEqual(parseRfc3339Bytes(buf, 3, 27), { ms: Date.UTC(2026, 2, 1, 10, 15, 0, 123), offsetMin: 0 });
    // Without the 'Z' the range has no offset, even though the next byte is one.
    assert.equal(parseRfc3339Bytes(enc.encode('2026-03-01T10:15:00.123Z'), 0, 23), null);
    assert.equal(parseRfc3339Bytes(enc.encode('2026-03-01T10:15:00+05:30'), 0, 24), null);
  });
});
