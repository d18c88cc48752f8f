import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assertReject, decode, line } from './decode-support.js';

const REQUIRED = ['txn_id', 'store_id', 'terminal_id', 'seq', 'ts', 'type', 'amount_minor', 'currency', 'tax_minor', 'tender'] as const;
const INTEGER_FIELDS = new Set(['seq', 'amount_minor', 'tax_minor']);

void describe('missing_field and null in required fields', () => {
  for (const f of REQUIRED) {
    void it(`${f}: absent → missing_field, null → invalid_type`, () => {
      assertReject(decode(line({ [f]: undefined })), 'missing_field', f, `${f} is required`);
      const kind = INTEGER_FIELDS.has(f) ? 'an integer' : 'a string';
      assertReject(decode(line({ [f]: null })), 'invalid_type', f, `${f} must be ${kind}, got null`);
    });
  }

  void it('ref_txn_id is required for a void (absent or null)', () => {
    const message = "ref_txn_id is required when type is 'void'";
    assertReject(decode(line({ type: 'void' })), 'missing_field', 'ref_txn_id', message);
    assertReject(decode(line({ type: 'void', ref_txn_id: null })), 'missing_field', 'ref_txn_id', message);
  });
});

void describe('invalid_type', () => {
  void it('strings where integers are due, and integers written with a fraction or exponent', () => {
    assertReject(decode(line({ amount_minor: '4599' })), 'invalid_type', 'amount_minor', "amount_minor must be an integer, got '4599'");
    assertReject(decode(line({ amount_minor: 45.99 })), 'invalid_type', 'amount_minor', 'amount_minor must be an integer, got 45.99');
    assertReject(decode(line().replace('"amount_minor":4599', '"amount_minor":4599.0')), 'invalid_type', 'amount_minor', 'amount_minor must be an integer, got 4599.0');
    assertReject(decode(line().replace('"seq":123', '"seq":1e3')), 'invalid_type', 'seq', 'seq must be an integer, got 1e3');
    assertReject(decode(line().replace('"tax_minor":735', '"tax_minor":7.35E2')), 'invalid_type', 'tax_minor', 'tax_minor must be an integer, got 7.35E2');
    assertReject(decode(line({ discount_minor: true })), 'invalid_type', 'discount_minor', 'discount_minor must be an integer, got true');
    assertReject(decode(line({ items: [3] })), 'invalid_type', 'items', 'items must be an integer, got an array');
  });

  void it('non-strings where strings are due', () => {
    assertReject(decode(line({ txn_id: 17 })), 'invalid_type', 'txn_id', 'txn_id must be a string, got 17');
    assertReject(decode(line({ store_id: { id: 1 } })), 'invalid_type', 'store_id', 'store_id must be a string, got an object');
    assertReject(decode(line({ ts: 1772356500123 })), 'invalid_type', 'ts', 'ts must be a string, got 1772356500123');
    assertReject(decode(line({ type: false })), 'invalid_type', 'type', 'type must be a string, got false');
    assertReject(decode(line({ card_brand: 1 })), 'invalid_type', 'card_brand', 'card_brand must be a string, got 1');
    assertReject(decode(line({ ref_txn_id: [] })), 'invalid_type', 'ref_txn_id', 'ref_txn_id must be a string, got an array');
    assertReject(decode(line({ tenant: 5 })), 'invalid_type', 'tenant', 'tenant must be a string, got 5');
  });
});

void describe('invalid_value', () => {
  void it('txn_id: 1-64 characters of [A-Za-z0-9._:-]', () => {
    const msg = (got: string): string => `txn_id must be 1-64 characters from [A-Za-z0-9._:-], got ${got}`;
    assertReject(decode(line({ txn_id: '' })), 'invalid_value', 'txn_id', msg("''"));
    assertReject(decode(line({ txn_id: 'R 1' })), 'invalid_value', 'txn_id', msg("'R 1'"));
    assertReject(decode(line({ txn_id: 'R/1' })), 'invalid_value', 'txn_id', msg("'R/1'"));
    assertReject(decode(line({ txn_id: 'Ré' })), 'invalid_value', 'txn_id', msg("'Ré'"));
    assertReject(decode(line({ txn_id: 'A'.repeat(65) })), 'invalid_value', 'txn_id', msg(`'${'A'.repeat(64)}'… (65 characters)`));
    assertReject(decode(line({ txn_id: 'a\nb' })), 'invalid_value', 'txn_id', msg("'a\\u000ab'"));
  });

  void it('terminal_id: 1-64 characters, valid Unicode', () => {
    assertReject(decode(line({ terminal_id: '' })), 'invalid_value', 'terminal_id', "terminal_id must be 1-64 characters, got ''");
    assertReject(decode(line({ terminal_id: 'ü'.repeat(65) })), 'invalid_value', 'terminal_id', `terminal_id must be 1-64 characters, got '${'ü'.repeat(64)}'… (65 characters)`);
    assertReject(decode(line().replace('"S0001-T1"', '"T\\ud800"')), 'invalid_value', 'terminal_id', "terminal_id must be valid Unicode text (it has an unpaired surrogate), got 'T\\ud800'");
  });

  void it('store_id with an unpaired surrogate', () => {
    assertReject(decode(line().replace('"store_id":"S0001"', '"store_id":"S\\udc00"')), 'invalid_value', 'store_id', "store_id must be valid Unicode text (it has an unpaired surrogate), got 'S\\udc00'");
  });

  void it('seq: integer 0 .. 2^53-1', () => {
    assertReject(decode(line({ seq: -1 })), 'invalid_value', 'seq', 'seq must be an integer between 0 and 9007199254740991, got -1');
    assertReject(decode(line().replace('"seq":123', '"seq":9007199254740992')), 'invalid_value', 'seq', 'seq must be an integer between 0 and 9007199254740991, got 9007199254740992');
  });

  void it('type, tender, card_brand: enumerations', () => {
    assertReject(decode(line({ type: 'sell' })), 'invalid_value', 'type', "type must be one of sale, refund, void, got 'sell'");
    assertReject(decode(line({ type: 'Sale' })), 'invalid_value', 'type', "type must be one of sale, refund, void, got 'Sale'");
    assertReject(decode(line({ tender: 'crypto' })), 'invalid_value', 'tender', "tender must be one of card, cash, wallet, gift_card, other, got 'crypto'");
    assertReject(decode(line({ card_brand: 'diners' })), 'invalid_value', 'card_brand', "card_brand must be one of visa, mastercard, amex, discover, jcb, unionpay, other, got 'diners'");
  });

  void it('card_brand only with tender card or wallet', () => {
    assertReject(decode(line({ tender: 'cash' })), 'invalid_value', 'card_brand', "card_brand is only allowed when tender is card or wallet, got 'visa' with tender 'cash'");
    assertReject(decode(line({ tender: 'gift_card', card_brand: 'other' })), 'invalid_value', 'card_brand', "card_brand is only allowed when tender is card or wallet, got 'other' with tender 'gift_card'");
    assert.equal(decode(line({ tender: 'wallet', card_brand: 'amex' })).ok, true);
    assert.equal(decode(line({ tender: 'cash', card_brand: null })).ok, true);
  });

  void it('amount_minor: integer > 0 and at most 2^53-1', () => {
    assertReject(decode(line({ amount_minor: -5 })), 'invalid_value', 'amount_minor', 'amount_minor must be an integer > 0, got -5');
    assertReject(decode(line({ amount_minor: 0 })), 'invalid_value', 'amount_minor', 'amount_minor must be an integer > 0, got 0');
    assertReject(decode(line().replace('"amount_minor":4599', '"amount_minor":-0')), 'invalid_value', 'amount_minor', 'amount_minor must be an integer > 0, got -0');
    assertReject(decode(line().replace('"amount_minor":4599', '"amount_minor":12345678901234567890')), 'invalid_value', 'amount_minor', 'amount_minor must be at most 9007199254740991, got 12345678901234567890');
  });

  void it('tax_minor: 0 .. amount_minor', () => {
    assertReject(decode(line({ tax_minor: -1 })), 'invalid_value', 'tax_minor', 'tax_minor must be an integer >= 0, got -1');
    assertReject(decode(line({ tax_minor: 4600 })), 'invalid_value', 'tax_minor', 'tax_minor must not exceed amount_minor (4599), got 4600');
  });

  void it('discount_minor and items: integers >= 0', () => {
    assertReject(decode(line({ discount_minor: -1 })), 'invalid_value', 'discount_minor', 'discount_minor must be an integer >= 0, got -1');
    assertReject(decode(line({ items: -2 })), 'invalid_value', 'items', 'items must be an integer >= 0, got -2');
    assertReject(decode(line().replace('"items":3', '"items":9007199254740992')), 'invalid_value', 'items', 'items must be at most 9007199254740991, got 9007199254740992');
  });

  void it('ref_txn_id follows the txn_id pattern', () => {
    assertReject(decode(line({ type: 'refund', ref_txn_id: 'bad id' })), 'invalid_value', 'ref_txn_id', "ref_txn_id must be 1-64 characters from [A-Za-z0-9._:-], got 'bad id'");
  });
});

void describe('timestamps', () => {
  const bad = (ts: string, shown: string = ts): void =>
    assertReject(decode(line({ ts })), 'invalid_timestamp', 'ts', `ts must be an RFC 3339 timestamp with an offset, like 2026-03-01T10:15:00+01:00, got '${shown}'`);
  void it('invalid_timestamp for malformed or impossible times', () => {
    bad('2026-03-01T10:15:00'); // no offset
    bad('2026-03-01 10:15:00Z'); // space separator
    bad('2023-02-29T10:15:00Z'); // not a leap year
    bad('2026-04-31T10:15:00Z');
    bad('2026-03-01T24:00:00Z');
    bad('2026-03-01T23:59:60Z'); // leap second
    bad('2026-03-01T10:15:00+24:00');
    bad('');
  });

  void it('timestamp_in_future: more than 24 h after now', () => {
    assertReject(decode(line({ ts: '2026-03-02T12:00:00.001Z' })), 'timestamp_in_future', 'ts', "ts must not be more than 24 h after the time the line was received, got '2026-03-02T12:00:00.001Z'");
    // The same instant written with an offset.
    assertReject(decode(line({ ts: '2026-03-02T17:30:01+05:30' })), 'timestamp_in_future', 'ts', "ts must not be more than 24 h after the time the line was received, got '2026-03-02T17:30:01+05:30'");
  });
});

void describe('context rules', () => {
  void it('unknown_store', () => {
    assertReject(decode(line({ store_id: 'S-999' })), 'unknown_store', 'store_id', "store_id 'S-999' is not in tenant 'acme''s registry");
  });

  void it('unknown_currency for codes that are not active ISO 4217 currencies', () => {
    for (const c of ['EUX', 'eur', 'XAU', 'BGN', 'EURO', '']) {
      assertReject(decode(line({ currency: c })), 'unknown_currency', 'currency', `currency must be an active ISO 4217 code, got '${c}'`);
    }
  });

  void it('tenant_mismatch', () => {
    assertReject(decode(line({ tenant: 'globex' })), 'tenant_mismatch', 'tenant', "tenant 'globex' does not match the credential's tenant 'acme'");
    assertReject(decode(line({ tenant: 'ACME' })), 'tenant_mismatch', 'tenant', "tenant 'ACME' does not match the credential's tenant 'acme'");
  });
});

void describe('check order', () => {
  void it('the first failing field in the documented order decides, whatever the wire order', () => {
    const text = line({ store_id: 'S-999', amount_minor: -5, currency: 'EUX' });
    assertReject(decode(text), 'unknown_store', 'store_id', "store_id 'S-999' is not in tenant 'acme''s registry");
    const reversed = `{${text.slice(1, -1).split(',').reverse().join(',')}}`;
    assertReject(decode(reversed), 'unknown_store', 'store_id', "store_id 'S-999' is not in tenant 'acme''s registry");
  });

  void it('tenant is checked before every other field', () => {
    assertReject(decode(line({ tenant: 'globex', txn_id: undefined, amount_minor: 'x' })), 'tenant_mismatch', 'tenant', "tenant 'globex' does not match the credential's tenant 'acme'");
  });

  void it('amount is checked before currency, currency before tax', () => {
    assertReject(decode(line({ amount_minor: 0, currency: 'EUX', tax_minor: -1 })), 'invalid_value', 'amount_minor', 'amount_minor must be an integer > 0, got 0');
    assertReject(decode(line({ currency: 'EUX', tax_minor: -1 })), 'unknown_currency', 'currency', "currency must be an active ISO 4217 code, got 'EUX'");
  });
});
