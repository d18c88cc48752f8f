import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { STORE_FIELDS } from '../../src/domain/store.js';
import { CITIES } from '../../src/firehose/cities.js';
import { CONTINENTS, COUNTRIES, countryProfile } from '../../src/firehose/countries.js';
import { FIREHOSE_CURRENCIES, minorUnitExponent } from '../../src/firehose/currencies.js';
import { FirehoseOptionError } from '../../src/firehose/errors.js';
import { OPENING_HOURS } from '../../src/firehose/opening-hours.js';
import { PAYMENT_MIXES, type PaymentMix } from '../../src/firehose/payment-mix.js';
import { Prng } from '../../src/firehose/prng.js';
import { ibanCheckDigits } from '../../src/firehose/settlement.js';
import { generateWorld } from '../../src/firehose/world.js';
import { ZoneClock } from '../../src/firehose/zone-clock.js';

/** ISO 13616 validation: move the first four characters to the end, letters to numbers, mod 97 must be 1. */
function ibanValid(iban: string): boolean {
  const r = iban.slice(4) + iban.slice(0, 4);
  let rem = 0;
  for (const ch of r) {
    const v = /[A-Z]/.test(ch) ? String(ch.charCodeAt(0) - 55) : ch;
    for (const d of v) rem = (rem * 10 + Number(d)) % 97;
  }
  return rem === 1;
}

describe('world data', () => {
  it('has at least 120 real cities in at least 35 countries on every continent', () => {
    assert.ok(CITIES.length >= 120, `${CITIES.length} cities`);
    const countries = new Set(CITIES.map((c) => c.country));
    assert.ok(countries.size >= 35, `${countries.size} countries`);
    const continents = new Set(CITIES.map((c) => countryProfile(c.country).continent));
    assert.deepEqual([...continents].sort(), [...CONTINENTS].sort());
    assert.equal(new Set(CITIES.map((c) => `${c.name}|${c.country}`)).size, CITIES.length, 'no duplicate city');
  });

  it('gives every city a valid position, an IANA zone Intl knows, and a known country', () => {
    for (const c of CITIES) {
      assert.ok(c.lat >= -90 && c.lat <= 90 && c.lon >= -180 && c.lon < 180, c.name);
      assert.doesNotThrow(() => new ZoneClock(c.timezone), c.timezone);
      const p = countryProfile(c.country);
      assert.ok(FIREHOSE_CURRENCIES.includes(p.currency), `${c.name}: ${p.currency}`);
      assert.ok(p.hours in OPENING_HOURS && p.payments in PAYMENT_MIXES, c.country);
    }
  });

  it('covers the hard cases of time and money', () => {
    const zones = new Set(CITIES.map((c) => c.timezone));
    for (const z of ['Asia/Kolkata', 'Asia/Kathmandu', 'Europe/Berlin', 'America/New_York', 'Australia/Sydney', 'America/Santiago', 'Asia/Tokyo', 'Pacific/Fiji', 'Pacific/Auckland']) {
      assert.ok(zones.has(z), z);
    }
    const jan = Date.parse('2026-01-15T12:00:00Z');
    assert.equal(new ZoneClock('Asia/Kolkata').offsetAt(jan), 330);
    assert.equal(new ZoneClock('Asia/Kathmandu').offsetAt(jan), 345);
    assert.equal(minorUnitExponent('JPY'), 0);
    assert.equal(countryProfile('JP').currency, 'JPY');
    const threeDecimals = COUNTRIES.filter((c) => minorUnitExponent(c.currency) === 3).map((c) => c.currency);
    assert.deepEqual(threeDecimals.sort(), ['BHD', 'JOD', 'KWD']);
    assert.ok(CITIES.some((c) => Math.abs(c.lon) > 175), 'a city near the antimeridian');
  });

  it('has a tax rate, an opening-hours table and a payment mix that add up for every country', () => {
    for (const c of COUNTRIES) {
      assert.ok(c.taxBp >= 0 && c.taxBp <= 3000, `${c.code} ${c.taxBp}`);
      assert.ok(c.itemPriceMinor > 0);
      const mix: PaymentMix = PAYMENT_MIXES[c.payments];
      const sum = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0);
      assert.ok(Math.abs(sum(mix.tenders) - 1) < 1e-9, `${c.payments} tenders sum to 1`);
      assert.ok(Math.abs(sum(mix.cardBrands) - 1) < 1e-9, `${c.payments} brands sum to 1`);
    }
    assert.equal(countryProfile('DE').taxBp, 1900);
    assert.equal(countryProfile('FI').taxBp, 2550);
  });
});

describe('generateWorld', () => {
  it('builds 3 tenants and 3000 stores by default, the same for the same seed', () => {
    const a = generateWorld({ seed: 5 });
    const b = generateWorld({ seed: 5 });
    assert.equal(a.tenants.length, 3);
    assert.equal(a.tenants.reduce((n, t) => n + t.stores.length, 0), 3000);
    assert.deepEqual(a, b);
    assert.notDeepEqual(generateWorld({ seed: 6 }).tenants[0]!.stores, a.tenants[0]!.stores);
  });

  it('gives each tenant a reporting currency and a cut-off between 00:00 and 05:00', () => {
    const w = generateWorld({ seed: 1, tenants: 5, stores: 500 });
    assert.deepEqual(
      w.tenants.map((t) => t.tenant.tenant_id),
      ['acme', 'globex', 'umbrella', 'initech', 'soylent'],
    );
    for (const t of w.tenants) {
      assert.match(t.tenant.business_day_cutoff, /^0[0-5]:00$/);
      assert.ok(FIREHOSE_CURRENCIES.includes(t.tenant.reporting_currency as never));
    }
  });

  it('places stores near real cities with the city zone, country currency and settlement set-up', () => {
    const w = generateWorld({ seed: 2, stores: 600, terminalsPerStore: [1, 3] });
    for (const t of w.tenants) {
      const ids = new Set<string>();
      t.sites.forEach((site, i) => {
        const s = t.stores[i]!;
        assert.equal(site.store, s);
        assert.deepEqual(Object.keys(s), [...STORE_FIELDS]);
        assert.ok(!ids.has(s.store_id), 'store_id unique in the tenant');
        ids.add(s.store_id);
        const city = CITIES.find((c) => c.name === s.city && c.country === s.country)!;
        assert.ok(city, s.city);
        assert.equal(s.timezone, city.timezone);
        assert.equal(s.currency, countryProfile(s.country).currency);
        assert.equal(s.region, countryProfile(s.country).region);
        // Within ~6 km: 0.06° of latitude, and longitude scaled by latitude (wrapping at ±180).
        assert.ok(Math.abs(s.lat - city.lat) < 0.06, `${s.store_id} lat`);
        const dLon = Math.abs(((s.lon - city.lon + 540) % 360) - 180);
        assert.ok(dLon * Math.cos((city.lat * Math.PI) / 180) < 0.06, `${s.store_id} lon`);
        assert.ok(site.terminals >= 1 && site.terminals <= 3);
        assert.ok((s.acquirer ?? '').length > 0 && (s.merchant_account ?? '').length > 0 && (s.fee_plan ?? '').length > 0);
        const account = s.bank_account ?? '';
        assert.ok(ibanValid(account), account);
        assert.equal(account.slice(0, 2), s.country);
      });
    }
  });

  it('puts the first tenant in every city when it has enough stores', () => {
    const w = generateWorld({ seed: 3, stores: 600 });
    const cities = new Set(w.tenants[0]!.stores.map((s) => `${s.city}|${s.country}`));
    assert.equal(cities.size, CITIES.length);
  });

  it('rejects bad options with the key and the value', () => {
    assert.throws(() => generateWorld({ seed: 1, tenants: 0 }), (e: unknown) => e instanceof FirehoseOptionError && e.key === 'tenants');
    assert.throws(() => generateWorld({ seed: 1, stores: 2, tenants: 3 }), /'stores' is 2/);
    assert.throws(() => generateWorld({ seed: 1, terminalsPerStore: [3, 2] }), /terminalsPerStore\[1\]/);
    assert.throws(() => generateWorld({ seed: 1.5 }), /'seed'/);
  });
});

describe('helpers', () => {
  it('computes ISO 13616 check digits', () => {
    assert.equal(ibanCheckDigits('DE', '370400440532013000'), '89');
    assert.equal(ibanCheckDigits('GB', 'WEST12345698765432'), '82');
  });

  it('draws the same numbers for the same seed and stream, others for another', () => {
    const seq = (seed: number, stream: number): number[] => {
      const r = new Prng(seed, stream);
      return Array.from({ length: 5 }, () => r.u32());
    };
    assert.deepEqual(seq(1, 0), seq(1, 0));
    assert.notDeepEqual(seq(1, 0), seq(2, 0));
    assert.notDeepEqual(seq(1, 0), seq(1, 1));
    const r = new Prng(9);
    let sum = 0;
    for (let i = 0; i < 20_000; i++) sum += r.poisson(3);
    assert.ok(Math.abs(sum / 20_000 - 3) < 0.1, 'poisson mean');
  });
});
