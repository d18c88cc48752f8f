import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseStoreRegistry, serializeStoreRegistryCsv } from '../../src/domain/registry.js';
import type { Store } from '../../src/domain/store.js';

const PARIS: Store = {
  store_id: 'S0001', name: 'Paris Rivoli', lat: 48.8606, lon: 2.3376, country: 'FR', region: 'EU-West', city: 'Paris',
  timezone: 'Europe/Paris', currency: 'EUR', acquirer: 'adyen', merchant_account: 'MA-FR-1', bank_account: 'FR76-0001', fee_plan: 'std',
};
const KATHMANDU: Store = {
  store_id: 'S0002', name: 'Thamel, "Main"', lat: 27.7154, lon: 85.3123, country: 'NP', region: 'South Asia', city: 'Kathmandu',
  timezone: 'Asia/Kathmandu', currency: 'NPR', acquirer: 'local', merchant_account: 'MA-NP-1', bank_account: 'NP-77', fee_plan: 'std',
};

const HEADER = 'store_id,name,lat,lon,country,region,city,timezone,currency,acquirer,merchant_account,bank_account,fee_plan';
const PARIS_ROW = 'S0001,Paris Rivoli,48.8606,2.3376,FR,EU-West,Paris,Europe/Paris,EUR,adyen,MA-FR-1,FR76-0001,std';

function only(text: string, format: 'json' | 'csv'): { row: number; field: string | null; code: string; message: string }[] {
  const r = parseStoreRegistry(text, format);
  return r.errors;
}

void describe('parseStoreRegistry: JSON', () => {
  void it('reads an array of stores and the {"stores": [...]} form', () => {
    assert.deepStrictEqual(parseStoreRegistry(JSON.stringify([PARIS, KATHMANDU]), 'json'), { stores: [PARIS, KATHMANDU], errors: [] });
    assert.deepStrictEqual(parseStoreRegistry(JSON.stringify({ stores: [PARIS] }), 'json'), { stores: [PARIS], errors: [] });
    assert.deepStrictEqual(parseStoreRegistry('[]', 'json'), { stores: [], errors: [] });
  });

  void it('reports file-level problems on row 0', () => {
    assert.equal(only('[{', 'json')[0]?.code, 'invalid_json');
    assert.deepStrictEqual(only('42', 'json'), [{ row: 0, field: null, code: 'invalid_format', message: 'registry JSON must be an array of stores or an object {"stores": [...]}' }]);
    assert.deepStrictEqual(only('{"stores":[],"version":2}', 'json'), [{ row: 0, field: 'version', code: 'unknown_field', message: `unknown top-level key 'version'; expected only "stores"` }]);
  });

  void it('reports every bad field of a row, and keeps the good rows', () => {
    const bad = { ...PARIS, store_id: 'S9', lat: '48.8', lon: 181, country: 'fr', timezone: 'Mars/Base', currency: 'EUX', city: '', extra: 1 };
    const r = parseStoreRegistry(JSON.stringify([PARIS, bad, 7]), 'json');
    assert.deepStrictEqual(r.stores, [PARIS]);
    assert.deepStrictEqual(r.errors, [
      { row: 3, field: null, code: 'not_an_object', message: 'row 3 must be a store object, got 7' },
      { row: 2, field: 'extra', code: 'unknown_field', message: "unknown field 'extra'" },
      { row: 2, field: 'lat', code: 'invalid_type', message: "lat must be a number, got '48.8'" },
      { row: 2, field: 'lon', code: 'invalid_value', message: 'lon must be a decimal number between -180 and 180, got 181' },
      { row: 2, field: 'city', code: 'missing_field', message: 'city is required' },
      { row: 2, field: 'country', code: 'invalid_value', message: "country must be an ISO 3166-1 alpha-2 code in upper case, got 'fr' (did you mean 'FR'?)" },
      { row: 2, field: 'timezone', code: 'invalid_value', message: "timezone must be an IANA time zone name such as Europe/Paris, got 'Mars/Base'" },
      { row: 2, field: 'currency', code: 'invalid_value', message: "currency must be an active ISO 4217 code such as EUR, got 'EUX'" },
    ]);
  });

  void it('checks types, ranges and required fields', () => {
    const errs = (patch: Record<string, unknown>): string[] => only(JSON.stringify([{ ...PARIS, ...patch }]), 'json').map((e) => `${e.code}: ${e.message}`);
    assert.deepStrictEqual(errs({ lat: 90.0001 }), ['invalid_value: lat must be a decimal number between -90 and 90, got 90.0001']);
    assert.deepStrictEqual(errs({ lat: -90, lon: 180 }), []);
    assert.deepStrictEqual(errs({ name: 5 }), ['invalid_type: name must be a string, got 5']);
    assert.deepStrictEqual(errs({ fee_plan: null }), ["missing_field: fee_plan is required when acquirer is set (acquirer 'adyen')"]);
    assert.deepStrictEqual(errs({ acquirer: null }), ["invalid_value: merchant_account 'MA-FR-1' needs an acquirer; set acquirer or leave merchant_account empty", "invalid_value: fee_plan 'std' needs an acquirer; set acquirer or leave fee_plan empty"]);
    assert.deepStrictEqual(errs({ acquirer: 7 }), ['invalid_type: acquirer must be a string, got 7']);
    assert.deepStrictEqual(errs({ region: '   ' }), ['missing_field: region is required, got only whitespace']);
    assert.deepStrictEqual(errs({ store_id: ' S1' }), ["invalid_value: store_id must not start or end with whitespace, got ' S1'"]);
    assert.deepStrictEqual(errs({ country: 'UK' }), ["invalid_value: country must be an ISO 3166-1 alpha-2 code in upper case, got 'UK'"]);
    assert.deepStrictEqual(errs({ timezone: 'Asia/Calcutta' }), []);
    assert.deepStrictEqual(errs({ timezone: '+05:30' }), ["invalid_value: timezone must be an IANA time zone name such as Europe/Paris, got '+05:30'"]);
  });

  void it('rejects a repeated store_id, naming both rows', () => {
    const r = parseStoreRegistry(JSON.stringify([PARIS, KATHMANDU, { ...KATHMANDU, store_id: 'S0001' }]), 'json');
    assert.deepStrictEqual(r.stores, [PARIS, KATHMANDU]);
    assert.deepStrictEqual(r.errors, [{ row: 3, field: 'store_id', code: 'duplicate_store_id', message: "store_id 'S0001' in row 3 already appears in row 1" }]);
  });
});

void describe('parseStoreRegistry: CSV', () => {
  void it('reads columns in any order, RFC 4180 quoting, CRLF and a BOM', () => {
    const text = `\ufefffee_plan,store_id,name,lat,lon,country,region,city,timezone,currency,acquirer,merchant_account,bank_account\r\nstd,S0002,"Thamel, ""Main""",27.7154,85.3123,NP,South Asia,Kathmandu,Asia/Kathmandu,NPR,local,MA-NP-1,NP-77\r\n`;
    assert.deepStrictEqual(parseStoreRegistry(text, 'csv'), { stores: [KATHMANDU], errors: [] });
  });

  void it('keeps a quoted line break inside a cell and counts rows as records', () => {
    const text = `${HEADER}\n"S1","Two\nLines",1.5,-2.25,DE,R,Berlin,Europe/Berlin,EUR,a,m,b,f\nS2,x,0,0,DE,R,Berlin,Europe/Berlin,EUR,a,m,b,f\nS1,dup,0,0,DE,R,Berlin,Europe/Berlin,EUR,a,m,b,f\n`;
    const r = parseStoreRegistry(text, 'csv');
    assert.deepStrictEqual(r.stores.map((s) => [s.store_id, s.name, s.lat, s.lon]), [['S1', 'Two\nLines', 1.5, -2.25], ['S2', 'x', 0, 0]]);
    assert.deepStrictEqual(r.errors, [{ row: 4, field: 'store_id', code: 'duplicate_store_id', message: "store_id 'S1' in row 4 already appears in row 2" }]);
  });

  void it('an extra column is an error naming it; missing and repeated columns too', () => {
    assert.deepStrictEqual(only(`${HEADER},manager\n${PARIS_ROW},Ann\n`, 'csv'), [
      { row: 1, field: 'manager', code: 'unknown_column', message: `unknown column 'manager'; the columns are ${HEADER}` },
    ]);
    assert.deepStrictEqual(only(`${HEADER.replace(',city', '')}\n`, 'csv'), [
      { row: 1, field: 'city', code: 'missing_column', message: "column 'city' is missing from the header" },
    ]);
    assert.deepStrictEqual(only(`${HEADER},city\n`, 'csv'), [{ row: 1, field: 'city', code: 'duplicate_column', message: "column 'city' appears more than once" }]);
  });

  void it('parses coordinates strictly', () => {
    const withLat = (lat: string): string[] => only(`${HEADER}\n${PARIS_ROW.replace('48.8606', lat)}\n`, 'csv').map((e) => e.message);
    for (const lat of ['12abc', ' 12', '12 ', '+12', '1e1', '0x10', '12.', '.5', 'NaN', '91']) {
      assert.deepStrictEqual(withLat(lat), [`lat must be a decimal number between -90 and 90, got '${lat}'`], lat);
    }
    assert.deepStrictEqual(withLat(''), ['lat is required']);
    assert.deepStrictEqual(withLat('"-90"'), []);
    assert.deepStrictEqual(withLat('-0.000001'), []);
  });

  void it('reports a row with the wrong number of cells, skips blank lines, and rejects broken CSV', () => {
    assert.deepStrictEqual(only(`${HEADER}\n\n${PARIS_ROW},x\n`, 'csv'), [{ row: 3, field: null, code: 'wrong_field_count', message: 'row 3 has 14 cells, the header has 13' }]);
    assert.equal(only(`${HEADER}\n"S1,unclosed\n`, 'csv')[0]?.code, 'invalid_csv');
    assert.deepStrictEqual(only('', 'csv'), [{ row: 1, field: null, code: 'invalid_csv', message: `the first row must be a header naming the columns ${HEADER}` }]);
  });
});

void describe('parseStoreRegistry: settlement columns are optional', () => {
  const BARE = 'store_id,name,lat,lon,country,region,city,timezone,currency';
  const bare = { ...PARIS, acquirer: null, merchant_account: null, bank_account: null, fee_plan: null };

  void it('loads a CSV registry without the settlement columns, and one with them left empty', () => {
    assert.deepStrictEqual(parseStoreRegistry(`${BARE}\nS0001,Paris Rivoli,48.8606,2.3376,FR,EU-West,Paris,Europe/Paris,EUR\n`, 'csv'), { stores: [bare], errors: [] });
    assert.deepStrictEqual(parseStoreRegistry(`${HEADER}\nS0001,Paris Rivoli,48.8606,2.3376,FR,EU-West,Paris,Europe/Paris,EUR,,,,\n`, 'csv'), { stores: [bare], errors: [] });
  });

  void it('loads JSON stores without the settlement fields, or with them null', () => {
    const rest = Object.fromEntries(Object.entries(PARIS).filter(([k]) => !['acquirer', 'merchant_account', 'bank_account', 'fee_plan'].includes(k)));
    assert.deepStrictEqual(parseStoreRegistry(JSON.stringify([rest]), 'json'), { stores: [bare], errors: [] });
    assert.deepStrictEqual(parseStoreRegistry(JSON.stringify([bare]), 'json'), { stores: [bare], errors: [] });
  });

  void it('a bank account alone is a cash-only set-up; an acquirer needs the rest of its set-up', () => {
    assert.deepStrictEqual(parseStoreRegistry(JSON.stringify([{ ...bare, bank_account: 'FR76-0001' }]), 'json').errors, []);
    assert.deepStrictEqual(only(JSON.stringify([{ ...bare, acquirer: 'adyen' }]), 'json').map((e) => [e.field, e.code]), [
      ['merchant_account', 'missing_field'],
      ['fee_plan', 'missing_field'],
      ['bank_account', 'missing_field'],
    ]);
  });

  void it('writes an unset field as an empty cell, and reads it back as unset', () => {
    const text = serializeStoreRegistryCsv([bare]);
    assert.equal(text, `${HEADER}\r\nS0001,Paris Rivoli,48.8606,2.3376,FR,EU-West,Paris,Europe/Paris,EUR,,,,\r\n`);
    assert.deepStrictEqual(parseStoreRegistry(text, 'csv'), { stores: [bare], errors: [] });
  });
});

void describe('serializeStoreRegistryCsv', () => {
  void it('writes RFC 4180 CSV with a header and CRLF', () => {
    assert.equal(serializeStoreRegistryCsv([PARIS, KATHMANDU]), `${HEADER}\r\n${PARIS_ROW}\r\nS0002,"Thamel, ""Main""",27.7154,85.3123,NP,South Asia,Kathmandu,Asia/Kathmandu,NPR,local,MA-NP-1,NP-77,std\r\n`);
  });

  void it('round-trips through the parser, including tiny and negative coordinates and awkward text', () => {
    const stores: Store[] = [
      PARIS,
      KATHMANDU,
      { ...PARIS, store_id: 'S3', name: 'Line\r\nbreak, "quotes"', lat: 1e-7, lon: -1.2345678901234567e-10, city: 'Zürich 😀' },
      { ...PARIS, store_id: 'S4', lat: -89.99999999999999, lon: 179.99999999999997 },
    ];
    const text = serializeStoreRegistryCsv(stores);
    assert.ok(!/e-/.test(text), 'coordinates must not use exponent notation');
    assert.deepStrictEqual(parseStoreRegistry(text, 'csv'), { stores, errors: [] });
  });
});
