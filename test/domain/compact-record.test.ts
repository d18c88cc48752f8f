import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkCompactTransaction, decodeCompactTransaction } from '../../src/domain/compact-decoder.js';
import { COMPACT_FRAME_HEADER, compactFrame, encodeCompactRecord, compactRecordMaxSize, type CompactRecordInput } from '../../src/domain/compact-record.js';
import { decodeIngestedRecord, encodeIngestedCompact, encodeIngestedRecord, encodeIngestedTransaction } from '../../src/domain/ingested-record.js';
import { decodeIngestedTransaction } from '../../src/domain/ingested-transaction.js';
import { decodeTransaction, type DecodeResult } from '../../src/domain/transaction-decoder.js';
import type { Transaction } from '../../src/domain/transaction.js';
import { assertReject, ctx, NOW } from './decode-support.js';

/** A sale with every optional field, as a Transaction. */
const FULL: Transaction = {
  txn_id: 'R-S0001-T1-000123',
  store_id: 'S0001',
  terminal_id: 'S0001-T1',
  seq: 123,
  ts: Date.UTC(2026, 2, 1, 9, 15, 0, 123),
  ts_offset_min: 60,
  type: 'sale',
  amount_minor: 4599,
  currency: 'EUR',
  tax_minor: 735,
  discount_minor: 100,
  tender: 'card',
  card_brand: 'visa',
  items: 3,
  ref_txn_id: null,
};

function body(t: CompactRecordInput): Uint8Array {
  const b = new Uint8Array(compactRecordMaxSize(t));
  return b.subarray(0, encodeCompactRecord(b, 0, t));
}

function decodeBody(b: Uint8Array): DecodeResult {
  return decodeCompactTransaction(b, 0, b.length, ctx);
}

/** The ts text a compact reject message shows, so the JSON line can say the same. */
function tsText(ms: number, off: number): string {
  const local = new Date(ms + off * 60_000).toISOString().slice(0, -1);
  if (off === 0) return `${local}Z`;
  const a = Math.abs(off);
  return `${local}${off < 0 ? '-' : '+'}${String(Math.floor(a / 60)).padStart(2, '0')}:${String(a % 60).padStart(2, '0')}`;
}

/** The same record as an NDJSON line (optional fields left out when null). */
function jsonLine(t: CompactRecordInput): string {
  const o: Record<string, unknown> = {
    txn_id: t.txn_id, store_id: t.store_id, terminal_id: t.terminal_id, seq: t.seq, ts: tsText(t.ts, t.ts_offset_min),
    type: t.type, amount_minor: t.amount_minor, currency: t.currency, tax_minor: t.tax_minor,
  };
  if (t.discount_minor !== null) o['discount_minor'] = t.discount_minor;
  o['tender'] = t.tender;
  if (t.card_brand !== null) o['card_brand'] = t.card_brand;
  if (t.items !== null) o['items'] = t.items;
  if (t.ref_txn_id !== null) o['ref_txn_id'] = t.ref_txn_id;
  if (t.tenant != null) o['tenant'] = t.tenant;
  return JSON.stringify(o);
}

function decodeJson(t: CompactRecordInput): DecodeResult {
  const l = new TextEncoder().encode(jsonLine(t));
  return decodeTransaction(l, 0, l.length, ctx);
}

void describe('compact records: round trip', () => {
  void it('carries every field exactly', () => {
    assert.deepStrictEqual(decodeBody(body(FULL)), { ok: true, txn: FULL });
  });

  void it('is checked for ingest without building it: the seq and where terminal_id is', () => {
    const b = body({ ...FULL, ref_txn_id: 'R-0', extra: '{"a":1}' });
    assert.deepStrictEqual(checkCompactTransaction(b, 0, b.length, ctx), { ok: true, seq: 123, terminalStart: 44, terminalEnd: 52 });
  });

  void it('keeps edge values: largest seq and amount, negative and half-hour offsets, non-ASCII ids, BHD, void with ref', () => {
    const t: Transaction = {
      ...FULL, seq: Number.MAX_SAFE_INTEGER, amount_minor: Number.MAX_SAFE_INTEGER, tax_minor: 0, ts: Date.UTC(1999, 11, 31, 23, 59, 59, 999),
      ts_offset_min: -570, store_id: 'Zürich-1', terminal_id: 'Kasse-ü-😀', currency: 'BHD', type: 'void', ref_txn_id: 'R-0', tender: 'wallet',
      card_brand: 'unionpay', discount_minor: 0, items: 0,
    };
    assert.deepStrictEqual(decodeBody(body(t)), { ok: true, txn: t });
    const bare: Transaction = { ...FULL, discount_minor: null, card_brand: null, items: null, tender: 'cash', ts_offset_min: 345 };
    assert.deepStrictEqual(decodeBody(body(bare)), { ok: true, txn: bare });
  });

  void it('accepts the credential tenant and an extra JSON object', () => {
    const r = decodeBody(body({ ...FULL, tenant: 'acme', extra: '{"pos":{"v":[1,2]},"note":"é"}' }));
    assert.deepStrictEqual(r, { ok: true, txn: FULL });
  });

  void it('is well under half the NDJSON line', () => {
    const json = jsonLine(FULL).length;
    const compact = compactFrame(FULL).length;
    assert.ok(compact * 2 < json, `${String(compact)} bytes compact vs ${String(json)} JSON`);
    assert.equal(compactFrame(FULL).length - COMPACT_FRAME_HEADER, body(FULL).length);
  });
});

void describe('compact records: the NDJSON rules, codes and messages', () => {
  const cases: [string, Partial<CompactRecordInput>][] = [
    ['txn_id with a space', { txn_id: 'R 1' }],
    ['empty txn_id', { txn_id: '' }],
    ['txn_id of 65 characters', { txn_id: 'x'.repeat(65) }],
    ['unknown store', { store_id: 'S-999' }],
    ['empty terminal_id', { terminal_id: '' }],
    ['terminal_id of 65 characters', { terminal_id: 't'.repeat(65) }],
    ['negative seq', { seq: -1 }],
    ['seq past 2^53 - 1', { seq: 2 ** 53 }],
    ['ts in the future', { ts: NOW + 25 * 3_600_000, ts_offset_min: 0 }],
    ['ts in the future with an offset', { ts: NOW + 25 * 3_600_000, ts_offset_min: -150 }],
    ['zero amount', { amount_minor: 0 }],
    ['negative amount', { amount_minor: -5 }],
    ['amount past 2^53', { amount_minor: 2 ** 54 }],
    ['lower-case currency', { currency: 'eur' }],
    ['withdrawn currency', { currency: 'BGN' }],
    ['negative tax', { tax_minor: -1 }],
    ['tax above amount', { tax_minor: 4600 }],
    ['negative discount', { discount_minor: -1 }],
    ['card_brand with cash', { tender: 'cash' }],
    ['negative items', { items: -2 }],
    ['void without ref_txn_id', { type: 'void' }],
    ['ref_txn_id with a slash', { type: 'refund', ref_txn_id: 'R/1' }],
    ['another tenant', { tenant: 'globex' }],
    ['tenant and a bad txn_id (tenant first)', { tenant: 'globex', txn_id: '' }],
    ['unknown store and bad seq (store first)', { store_id: 'S-999', seq: -1 }],
  ];
  for (const [name, patch] of cases) {
    void it(name, () => {
      const t = { ...FULL, ...patch };
      const compact = decodeBody(body(t));
      const json = decodeJson(t);
      assert.equal(json.ok, false, `the JSON line must be rejected too: ${jsonLine(t)}`);
      assert.deepStrictEqual(compact, json);
      // Ingest's check (no Transaction built, stores looked up by bytes) gives the same reject.
      const b = body(t);
      const storeBytes = (buf: Uint8Array, start: number, end: number): boolean => ctx.hasStore(new TextDecoder().decode(buf.subarray(start, end)));
      assert.deepStrictEqual(checkCompactTransaction(b, 0, b.length, { ...ctx, hasStoreBytes: storeBytes }), json);
    });
  }

  void it('shows enumeration codes and out-of-range timestamps as numbers', () => {
    const b = body(FULL);
    const bad = (o: number, v: number): Uint8Array => {
      const c = Uint8Array.from(b);
      c[o] = v;
      return c;
    };
    assertReject(decodeBody(bad(4, 3)), 'invalid_value', 'type', 'type must be one of sale, refund, void, got code 3');
    assertReject(decodeBody(bad(5, 9)), 'invalid_value', 'tender', 'tender must be one of card, cash, wallet, gift_card, other, got code 9');
    assertReject(decodeBody(bad(6, 7)), 'invalid_value', 'card_brand', 'card_brand must be one of visa, mastercard, amex, discover, jcb, unionpay, other, got code 7');
    assertReject(decodeBody(body({ ...FULL, ts_offset_min: 1440 })), 'invalid_timestamp', 'ts',
      `ts must be epoch milliseconds of a time in the years 0000-9999, with an offset between -1439 and 1439 minutes, got ${String(FULL.ts)} ms at offset 1440 min`);
    assertReject(decodeBody(body({ ...FULL, ts: 253_402_300_800_000 })), 'invalid_timestamp', 'ts',
      'ts must be epoch milliseconds of a time in the years 0000-9999, with an offset between -1439 and 1439 minutes, got 253402300800000 ms at offset 60 min');
  });
});

void describe('compact records: malformed input', () => {
  const good = body({ ...FULL, ref_txn_id: 'R-0', tenant: 'acme', extra: '{"a":1}' });

  void it('a record cut short anywhere is invalid_record, never a partial transaction', () => {
    for (let n = 0; n < good.length; n++) {
      const r = decodeCompactTransaction(good, 0, n, ctx);
      assert.equal(r.ok, false, `cut at ${String(n)}`);
      if (!r.ok) assert.equal(r.code, 'invalid_record', `cut at ${String(n)}: ${r.message}`);
    }
    assertReject(decodeCompactTransaction(good, 0, 10, ctx), 'invalid_record', null, 'record is 10 bytes, shorter than the 48-byte header');
  });

  void it('names the version, the unknown flag bits, the overrunning field and trailing bytes', () => {
    const patched = (o: number, v: number): Uint8Array => {
      const c = Uint8Array.from(good);
      c[o] = v;
      return c;
    };
    assertReject(decodeBody(patched(0, 2)), 'invalid_record', null, 'record version 2 is not supported (this server reads version 1)');
    assertReject(decodeBody(patched(1, good[1]! | 0x80)), 'invalid_record', null, 'record flags 0xbf have unknown bits (known: 0x3f)');
    assertReject(decodeBody(patched(2, 200)), 'invalid_record', null, `terminal_id at byte 2 overruns the record of ${String(good.length)} bytes`);
    // txn_id's length prefix follows the 8-byte terminal_id at 44.
    assertReject(decodeBody(patched(52, 250)), 'invalid_record', null, `txn_id at byte 52 overruns the record of ${String(good.length)} bytes`);
    const longer = new Uint8Array(good.length + 3);
    longer.set(good);
    assertReject(decodeBody(longer), 'invalid_record', null, 'record has 3 bytes after its last field');
    const noFlag = body({ ...FULL, card_brand: null });
    noFlag[6] = 2;
    assertReject(decodeBody(noFlag), 'invalid_record', null, 'card_brand byte is 2 but the card_brand flag is not set');
  });

  void it('rejects text that is not UTF-8 and a record over the limit', () => {
    const b = body({ ...FULL, store_id: 'Zürich-1' });
    const at = b.indexOf(0xc3);
    b[at] = 0xff;
    assertReject(decodeBody(b), 'invalid_record', null, 'store_id is not valid UTF-8');
    assertReject(decodeCompactTransaction(good, 0, good.length, { ...ctx, maxLineBytes: 50 }), 'line_too_long', null, `record is ${String(good.length)} bytes, the limit is 50`);
  });

  void it('holds extra to one JSON object of its own keys', () => {
    assertReject(decodeBody(body({ ...FULL, extra: '{"a":' })), 'invalid_json', 'extra', 'extra must be one JSON object: invalid JSON at byte 5: unexpected end of line');
    assertReject(decodeBody(body({ ...FULL, extra: '[1]' })), 'not_an_object', 'extra', 'extra must be one JSON object: it is not an object');
    assertReject(decodeBody(body({ ...FULL, extra: '{"seq":5}' })), 'duplicate_field', 'seq', "field 'seq' appears more than once");
    assertReject(decodeBody(body({ ...FULL, extra: '{"a":1,"a":2}' })), 'duplicate_field', 'a', "field 'a' appears more than once");
  });
});

void describe('ingested records', () => {
  const tenant = Buffer.from('acme');
  const dctx = { tenant: 'acme', nowMs: NOW, hasStore: () => true, maxLineBytes: 1 << 20 };

  void it('v2 from NDJSON carries the decoded transaction, and the line only when given', () => {
    const out = Buffer.alloc(1024);
    const line = Buffer.from(`${jsonLine(FULL).slice(0, -1)},"pos_version":"7.2"}`);
    for (const keep of [false, true]) {
      const n = encodeIngestedTransaction(out, tenant, NOW, FULL, line, 0, keep ? line.length : 0);
      const rec = decodeIngestedRecord(out.subarray(0, n));
      assert.deepStrictEqual([rec.tenant, rec.terminalId, rec.seq, rec.receivedAt], ['acme', 'S0001-T1', 123, NOW]);
      assert.equal(Buffer.from(rec.line).toString(), keep ? line.toString() : '');
      assert.deepStrictEqual(decodeIngestedTransaction(rec, dctx), { ok: true, txn: FULL });
    }
  });

  void it('v2 from a compact record is the record copied', () => {
    const frame = Buffer.from(compactFrame({ ...FULL, extra: '{"a":1}' }));
    const out = Buffer.alloc(1024);
    const n = encodeIngestedCompact(out, tenant, NOW, frame, 2, frame.length);
    const rec = decodeIngestedRecord(out.subarray(0, n));
    assert.deepStrictEqual(Buffer.from(rec.compact!), frame.subarray(2));
    assert.deepStrictEqual(decodeIngestedTransaction(rec, dctx), { ok: true, txn: FULL });
  });

  void it('v1 records (logs written before v2) still read', () => {
    const line = Buffer.from(jsonLine(FULL));
    const out = Buffer.alloc(1024);
    const n = encodeIngestedRecord(out, tenant, 'S0001-T1', 123, NOW, line, 0, line.length);
    const rec = decodeIngestedRecord(out.subarray(0, n));
    assert.equal(rec.compact, null);
    assert.deepStrictEqual([rec.tenant, rec.terminalId, rec.seq, rec.receivedAt], ['acme', 'S0001-T1', 123, NOW]);
    assert.deepStrictEqual(decodeIngestedTransaction(rec, dctx), { ok: true, txn: FULL });
  });
});
