import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { COUNTRY_CODES, isCountry } from '../../src/domain/country.js';
import { CURRENCY_CODES, currencyExponent, isCurrency } from '../../src/domain/currency.js';
import { isTimeZone } from '../../src/domain/timezone.js';

void describe('currency', () => {
  const exponents: [string, number][] = [
    ['JPY', 0], ['KRW', 0], ['ISK', 0], ['XOF', 0], ['CLP', 0], ['VND', 0],
    ['EUR', 2], ['USD', 2], ['GBP', 2], ['INR', 2], ['HUF', 2], ['IDR', 2], ['XCG', 2], ['ZWG', 2], ['SLE', 2],
    ['BHD', 3], ['KWD', 3], ['JOD', 3], ['OMR', 3], ['TND', 3], ['IQD', 3], ['LYD', 3],
    ['CLF', 4], ['UYW', 4],
  ];
  for (const [code, e] of exponents) void it(`${code} has exponent ${String(e)}`, () => assert.equal(currencyExponent(code), e));

  void it('has no entry for lower case, withdrawn or "N.A." codes', () => {
    for (const code of ['eur', 'Eur', 'BGN', 'HRK', 'ANG', 'SLL', 'ZWL', 'CUC', 'XAU', 'XXX', 'XTS', 'XDR', 'EU', 'EURO', '']) {
      assert.equal(currencyExponent(code), undefined, code);
      assert.equal(isCurrency(code), false, code);
    }
  });

  void it('lists 165 sorted three-letter codes, each with an exponent of 0, 2, 3 or 4', () => {
    assert.equal(CURRENCY_CODES.length, 165);
    assert.deepStrictEqual([...CURRENCY_CODES].sort(), CURRENCY_CODES);
    for (const c of CURRENCY_CODES) {
      assert.match(c, /^[A-Z]{3}$/);
      assert.ok([0, 2, 3, 4].includes(currencyExponent(c) ?? -1), c);
    }
  });

  void it('knows every code ICU knows, apart from withdrawn ones and those without a minor unit', () => {
    const missing = Intl.supportedValuesOf('currency').filter((c) => !isCurrency(c) && !['ANG', 'BGN', 'CUC', 'HRK', 'SLL', 'XDR', 'XSU', 'ZWL'].includes(c));
    assert.deepStrictEqual(missing, []);
  });
});

void describe('country', () => {
  void it('accepts assigned upper-case alpha-2 codes only', () => {
    for (const c of ['DE', 'IN', 'NP', 'GB', 'US', 'AQ', 'SS', 'BQ', 'CW', 'SX']) assert.equal(isCountry(c), true, c);
    for (const c of ['de', 'UK', 'XK', 'EU', 'ZZ', '', 'DEU', 'D']) assert.equal(isCountry(c), false, c);
  });

  void it('has the 249 assigned codes, each with an English name in ICU', () => {
    assert.equal(COUNTRY_CODES.length, 249);
    const names = new Intl.DisplayNames(['en'], { type: 'region' });
    for (const c of COUNTRY_CODES) {
      const name = names.of(c);
      assert.ok(name !== undefined && name !== c && name !== 'Unknown Region', `${c} → ${String(name)}`);
    }
  });
});

void describe('timezone', () => {
  void it('accepts canonical IANA names and Intl aliases', () => {
    for (const z of ['Asia/Kolkata', 'Asia/Calcutta', 'Asia/Kathmandu', 'America/St_Johns', 'America/Port-au-Prince', 'Europe/Paris', 'UTC', 'Etc/GMT+5', 'US/Eastern']) {
      assert.equal(isTimeZone(z), true, z);
      assert.equal(isTimeZone(z), true, `${z} (cached)`);
    }
  });

  void it('rejects unknown names, offsets, padding and control characters', () => {
    for (const z of ['Mars/Base', '', '+05:30', '-03:00', 'Z', 'GMT+5', ' Asia/Kolkata', 'Asia/Kolkata ', 'Asia/Kolkata\u0000', 'Europe/', `Europe/${'x'.repeat(60)}`]) {
      assert.equal(isTimeZone(z), false, JSON.stringify(z));
      assert.equal(isTimeZone(z), false, `${JSON.stringify(z)} (cached)`);
    }
  });
});
