import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeTransaction } from '../../src/domain/transaction-decoder.js';
import { assertReject, ctx, decode, line } from './decode-support.js';

void describe('decodeTransaction: valid records', () => {
  void it('decodes a full sale into exact values', () => {
    const r = decode(line());
    assert.deepStrictEqual(r, {
      ok: true,
      txn: {
        txn_id: 'R-1', store_id: 'S0001', terminal_id: 'S0001-T1', seq: 123,
        ts: Date.UTC(2026, 2, 1, 9, 15, 0, 123), ts_offset_min: 60,
        type: 'sale', amount_minor: 4599, currency: 'EUR', tax_minor: 735, discount_minor: 0,
        tender: 'card', card_brand: 'visa', items: 3, ref_txn_id: null,
      },
    });
  });

  void it('treats absent and null optional fields alike (null in the Transaction)', () => {
    const absent = decode(line({ discount_minor: undefined, card_brand: undefined, items: undefined }));
    const nulls = decode(line({ discount_minor: null, card_brand: null, items: null, ref_txn_id: null, tenant: null }));
    assert.ok(absent.ok && nulls.ok);
    assert.deepStrictEqual([absent.txn.discount_minor, absent.txn.card_brand, absent.txn.items, absent.txn.ref_txn_id], [null, null, null, null]);
    assert.deepStrictEqual(nulls.txn, absent.txn);
  });

  void it('accepts a void with ref_txn_id and a refund without one', () => {
    const v = decode(line({ type: 'void', ref_txn_id: 'R-0' }));
    assert.ok(v.ok);
    assert.equal(v.txn.ref_txn_id, 'R-0');
    const rf = decode(line({ type: 'refund' }));
    assert.ok(rf.ok);
    assert.equal(rf.txn.ref_txn_id, null);
  });

  void it('accepts tenant equal to the credential tenant', () => {
    assert.equal(decode(line({ tenant: 'acme' })).ok, true);
  });

  void it('ignores unknown fields, including nested objects and arrays', () => {
    const r = decode(`{"pos":{"v":[1,2.5e3,{"x":null}],"s":"\\u00e9"},${line().slice(1, -1)},"z":[],"w":{}}`);
    assert.ok(r.ok);
    assert.equal(r.txn.amount_minor, 4599);
  });

  void it('allows JSON whitespace around every token and ignores one trailing CR', () => {
    const spaced = ` \t{ "txn_id" :\n"R-1" , "store_id":"S0001","terminal_id":"S0001-T1","seq" : 123 ,"ts":"2026-03-01T10:15:00Z","type":"sale","amount_minor":100,"currency":"EUR","tax_minor":0,"tender":"cash"\r\n}  \r`;
    const r = decode(spaced);
    assert.ok(r.ok);
    assert.equal(r.txn.seq, 123);
  });

  void it('decodes escapes in keys and values as JSON.parse does', () => {
    const r = decode(line({ txn_id: 'R-1' }).replace('"txn_id":"R-1"', '"txn\\u005fid":"R\\u002d1"').replace('"S0001-T1"', '"S0001-T\\u0031"'));
    assert.ok(r.ok);
    assert.equal(r.txn.txn_id, 'R-1');
    assert.equal(r.txn.terminal_id, 'S0001-T1');
  });

  void it('keeps non-ASCII ids, counting characters rather than bytes', () => {
    const t64 = 'ü'.repeat(64); // 128 bytes, 64 characters
    const r = decode(line({ store_id: 'Zürich-1', terminal_id: t64 }));
    assert.ok(r.ok);
    assert.equal(r.txn.store_id, 'Zürich-1');
    assert.equal(r.txn.terminal_id, t64);
    const emoji = decode(line({ terminal_id: '😀'.repeat(64) }));
    assert.ok(emoji.ok);
  });

  void it('accepts the integer bounds: seq 0 and 2^53-1, tax equal to amount, -0 read as 0', () => {
    assert.equal(decode(line({ seq: 0 })).ok, true);
    const max = decode(line().replace('"seq":123', '"seq":9007199254740991'));
    assert.ok(max.ok);
    assert.equal(max.txn.seq, Number.MAX_SAFE_INTEGER);
    assert.equal(decode(line({ tax_minor: 4599 })).ok, true);
    const negZero = decode(line().replace('"tax_minor":735', '"tax_minor":-0'));
    assert.ok(negZero.ok);
    assert.ok(Object.is(negZero.txn.tax_minor, 0));
  });

  void it('accepts ts exactly 24 h after now, and any time in the past', () => {
    assert.equal(decode(line({ ts: '2026-03-02T12:00:00Z' })).ok, true);
    assert.equal(decode(line({ ts: '2001-01-01T00:00:00-08:00' })).ok, true);
  });

  void it('decodes a line inside a larger buffer without reading past its end', () => {
    const text = line({ ts: '2026-03-01T10:15:00.123' }); // no offset: invalid on its own
    const bytes = new TextEncoder().encode(`xx${text}Z"}`);
    const r = decodeTransaction(bytes, 2, 2 + text.length, ctx);
    assertReject(r, 'invalid_timestamp', 'ts', "ts must be an RFC 3339 timestamp with an offset, like 2026-03-01T10:15:00+01:00, got '2026-03-01T10:15:00.123'");
  });

  void it('throws RangeError for a range outside the buffer', () => {
    assert.throws(() => decodeTransaction(new Uint8Array(4), 0, 5, ctx), RangeError);
    assert.throws(() => decodeTransaction(new Uint8Array(4), 3, 2, ctx), RangeError);
  });
});

void describe('decodeTransaction: line and syntax rejects', () => {
  void it('line_too_long counts bytes without the trailing CR', () => {
    const small = { ...ctx, maxLineBytes: 100 };
    const text = line();
    assertReject(decode(text, small), 'line_too_long', null, `line is ${String(text.length)} bytes, the limit is 100`);
    const exact = { ...ctx, maxLineBytes: text.length };
    assert.equal(decode(text, exact).ok, true);
    assert.equal(decode(`${text}\r`, exact).ok, true);
  });

  const syntax: [string, string][] = [
    ['', 'invalid JSON at byte 0: empty line'],
    ['{', 'invalid JSON at byte 1: expected a field name, got end of line'],
    ['{"a":1,}', "invalid JSON at byte 7: expected a field name, got '}'"],
    ['{"a":01}', "invalid JSON at byte 6: expected ',' or '}', got '1'"],
    ['{"a":"\u0001"}', 'invalid JSON at byte 6: unescaped control character 0x01 in string'],
    ['{"a":"\\x"}', "invalid JSON at byte 6: invalid escape 'x'"],
    ['{"a":"\\u12G4"}', 'invalid JSON at byte 6: invalid \\u escape'],
    ['{"a":1} x', "invalid JSON at byte 8: unexpected 'x' after the end of the object"],
    ['{"a":1}{"b":2}', "invalid JSON at byte 7: unexpected '{' after the end of the object"],
    ["{'a':1}", `invalid JSON at byte 1: expected a field name, got "'"`],
    ['{"a" 1}', "invalid JSON at byte 5: expected ':', got '1'"],
    ['{"a":1.}', 'invalid JSON at byte 5: invalid number (digits must follow ".")'],
    ['{"a":1e}', 'invalid JSON at byte 5: invalid number (digits must follow the exponent)'],
    ['{"a":+1}', "invalid JSON at byte 5: unexpected '+'"],
    ['{"a":NaN}', "invalid JSON at byte 5: unexpected 'N'"],
    ['{"a":[1,]}', "invalid JSON at byte 8: unexpected ']'"],
    ['{"a":{"b":1,}}', "invalid JSON at byte 12: unexpected '}'"],
    ['{"a":tru}', "invalid JSON at byte 8: unexpected '}'"],
    ['{"a":"x', 'invalid JSON at byte 7: unterminated string'],
  ];
  for (const [text, message] of syntax) {
    void it(`invalid_json: ${JSON.stringify(text)}`, () => assertReject(decode(text), 'invalid_json', null, message));
  }

  void it('invalid_json for bytes that are not UTF-8, and for a BOM', () => {
    const withByte = (b: number[]): Uint8Array => Uint8Array.from([...new TextEncoder().encode('{"a":"'), ...b, 0x22, 0x7d]);
    assertReject(decode(withByte([0xff])), 'invalid_json', null, 'invalid JSON at byte 6: invalid UTF-8');
    assertReject(decode(withByte([0xc3])), 'invalid_json', null, 'invalid JSON at byte 6: invalid UTF-8'); // truncated sequence
    assertReject(decode(withByte([0xc0, 0xaf])), 'invalid_json', null, 'invalid JSON at byte 6: invalid UTF-8'); // overlong '/'
    assertReject(decode(withByte([0xed, 0xa0, 0x80])), 'invalid_json', null, 'invalid JSON at byte 6: invalid UTF-8'); // encoded surrogate
    assertReject(decode(withByte([0xf4, 0x90, 0x80, 0x80])), 'invalid_json', null, 'invalid JSON at byte 6: invalid UTF-8'); // > U+10FFFF
    assertReject(decode(Uint8Array.from([0xef, 0xbb, 0xbf, 0x7b, 0x7d])), 'invalid_json', null, 'invalid JSON at byte 0: unexpected byte 0xef');
  });

  const notObjects: [string, string][] = [['[1,2]', 'an array'], ['"x"', 'a string'], ['42', 'a number'], ['null', 'null'], ['true', 'true']];
  for (const [text, got] of notObjects) {
    void it(`not_an_object: ${text}`, () => assertReject(decode(text), 'not_an_object', null, `a record must be a JSON object, got ${got}`));
  }

  void it('duplicate_field names the first repeated key, known or unknown, even when spelled with escapes', () => {
    assertReject(decode(`{"seq":1,${line().slice(1)}`), 'duplicate_field', 'seq', "field 'seq' appears more than once");
    assertReject(decode(`{"x":1,"x":[2],${line().slice(1)}`), 'duplicate_field', 'x', "field 'x' appears more than once");
    assertReject(decode(`{"s\\u0065q":1,${line().slice(1)}`), 'duplicate_field', 'seq', "field 'seq' appears more than once");
  });

  void it('a syntax error anywhere wins over a duplicate key', () => {
    assertReject(decode('{"seq":1,"seq":2'), 'invalid_json', null, "invalid JSON at byte 16: expected ',' or '}', got end of line");
  });
});
