import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DecimalSyntaxError, checkedAdd, convertMinor, formatMinor, parseDecimal, roundHalfEvenDiv } from '../../src/domain/money.js';

void describe('parseDecimal', () => {
  void it('reads plain decimals exactly, keeping the written scale', () => {
    assert.deepStrictEqual(parseDecimal('1.0825'), { units: 10825n, scale: 4 });
    assert.deepStrictEqual(parseDecimal('-12'), { units: -12n, scale: 0 });
    assert.deepStrictEqual(parseDecimal('0.50'), { units: 50n, scale: 2 });
    assert.deepStrictEqual(parseDecimal('007'), { units: 7n, scale: 0 });
    assert.deepStrictEqual(parseDecimal('-0.000001'), { units: -1n, scale: 6 });
    assert.deepStrictEqual(parseDecimal('123456789012345678901234567890.5'), { units: 1234567890123456789012345678905n, scale: 1 });
  });

  for (const junk of ['', '-', '+1', '1e3', '1E3', 'NaN', 'Infinity', ' 1', '1 ', '1.', '.5', '1,5', '--1', '0x10', '١', '1.2.3', '-.5', '1_000', '9'.repeat(65)]) {
    void it(`rejects ${JSON.stringify(junk)}`, () => assert.throws(() => parseDecimal(junk), DecimalSyntaxError));
  }
});

void describe('roundHalfEvenDiv', () => {
  const cases: [bigint, bigint, bigint][] = [
    [5n, 2n, 2n], [7n, 2n, 4n], [-5n, 2n, -2n], [-7n, 2n, -4n], [5n, -2n, -2n], [-5n, -2n, 2n],
    [1n, 3n, 0n], [2n, 3n, 1n], [-2n, 3n, -1n], [15n, 10n, 2n], [25n, 10n, 2n], [35n, 10n, 4n], [26n, 10n, 3n], [-26n, 10n, -3n], [0n, 7n, 0n], [10n, 5n, 2n],
  ];
  for (const [n, d, q] of cases) void it(`${String(n)} / ${String(d)} = ${String(q)}`, () => assert.equal(roundHalfEvenDiv(n, d), q));
  void it('division by zero is a RangeError', () => assert.throws(() => roundHalfEvenDiv(1n, 0n), RangeError));
});

void describe('convertMinor', () => {
  void it('JPY → BHD and back, across exponents 0 and 3', () => {
    // 1000 JPY at 0.0025 BHD/JPY = 2.500 BHD
    assert.equal(convertMinor(1000, 0, 3, parseDecimal('0.0025')), 2500);
    // 1.234 BHD at 398.5 JPY/BHD = 491.749 JPY → 492
    assert.equal(convertMinor(1234, 3, 0, parseDecimal('398.5')), 492);
    // 0.001 BHD at 398.5 = 0.3985 JPY → 0
    assert.equal(convertMinor(1, 3, 0, parseDecimal('398.5')), 0);
  });

  void it('rounds exact .5 ties to the even neighbour, both ways and for negative amounts', () => {
    assert.equal(convertMinor(5, 2, 2, parseDecimal('0.5')), 2); // 2.5 → 2
    assert.equal(convertMinor(7, 2, 2, parseDecimal('0.5')), 4); // 3.5 → 4
    assert.equal(convertMinor(-5, 2, 2, parseDecimal('0.5')), -2); // -2.5 → -2
    assert.equal(convertMinor(-7, 2, 2, parseDecimal('0.5')), -4); // -3.5 → -4
    assert.equal(convertMinor(1, 0, 2, parseDecimal('0.025')), 2); // 1 JPY → 2.5 cents → 2
    assert.equal(convertMinor(3, 0, 2, parseDecimal('0.025')), 8); // 7.5 → 8
    assert.equal(convertMinor(1, 2, 0, parseDecimal('150')), 2); // 0.01 EUR → 1.5 JPY → 2
    assert.equal(convertMinor(3, 2, 0, parseDecimal('150')), 4); // 4.5 → 4
    assert.equal(convertMinor(-3, 2, 0, parseDecimal('150')), -4);
  });

  void it('non-ties round to nearest', () => {
    assert.equal(convertMinor(150, 2, 0, parseDecimal('161.5')), 242); // 242.25
    assert.equal(convertMinor(4599, 2, 2, parseDecimal('1.0825')), 4978); // 4978.4175
    assert.equal(convertMinor(4599, 2, 2, parseDecimal('1.0826')), 4979); // 4978.8774
    assert.equal(convertMinor(12345, 4, 2, parseDecimal('1')), 123); // CLF 1.2345 → 1.23
  });

  void it('throws RangeError when the result is not a safe integer or an input is out of range', () => {
    assert.throws(() => convertMinor(Number.MAX_SAFE_INTEGER, 2, 2, parseDecimal('2')), RangeError);
    assert.equal(convertMinor(Number.MAX_SAFE_INTEGER, 2, 2, parseDecimal('1')), Number.MAX_SAFE_INTEGER);
    assert.throws(() => convertMinor(1.5, 2, 2, parseDecimal('1')), RangeError);
    assert.throws(() => convertMinor(2 ** 53, 2, 2, parseDecimal('1')), RangeError);
    assert.throws(() => convertMinor(1, -1, 2, parseDecimal('1')), RangeError);
    assert.throws(() => convertMinor(1, 2, 2, parseDecimal('0')), RangeError);
    assert.throws(() => convertMinor(1, 2, 2, parseDecimal('-1.1')), RangeError);
  });
});

void describe('formatMinor', () => {
  const cases: [number, string, string][] = [
    [123450, 'EUR', '1234.50'], [-5, 'USD', '-0.05'], [0, 'EUR', '0.00'], [-0, 'EUR', '0.00'], [100, 'USD', '1.00'],
    [1234, 'JPY', '1234'], [-1234, 'KRW', '-1234'], [1234, 'BHD', '1.234'], [5, 'KWD', '0.005'], [-1005, 'OMR', '-1.005'],
    [12345, 'CLF', '1.2345'], [Number.MAX_SAFE_INTEGER, 'EUR', '90071992547409.91'],
  ];
  for (const [amount, cur, text] of cases) void it(`${String(amount)} ${cur} → ${text}`, () => assert.equal(formatMinor(amount, cur), text));
  void it('throws for an unknown currency or a non-integer amount', () => {
    assert.throws(() => formatMinor(1, 'XXX'), RangeError);
    assert.throws(() => formatMinor(1.5, 'EUR'), RangeError);
  });
});

void describe('checkedAdd', () => {
  void it('adds within the safe-integer range', () => {
    assert.equal(checkedAdd(2, 3), 5);
    assert.equal(checkedAdd(Number.MAX_SAFE_INTEGER, -1), Number.MAX_SAFE_INTEGER - 1);
    assert.equal(checkedAdd(Number.MAX_SAFE_INTEGER - 1, 1), Number.MAX_SAFE_INTEGER);
  });
  void it('throws RangeError instead of losing a minor unit', () => {
    assert.throws(() => checkedAdd(Number.MAX_SAFE_INTEGER, 1), RangeError);
    assert.throws(() => checkedAdd(-Number.MAX_SAFE_INTEGER, -1), RangeError);
    assert.throws(() => checkedAdd(0.5, 1), RangeError);
    assert.throws(() => checkedAdd(2 ** 53, 0), RangeError);
  });
});
