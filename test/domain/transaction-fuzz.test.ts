/**
 * Differential test: the byte decoder against TextDecoder + JSON.parse +
 * validateTransactionValue (with its duplicate-key and number-lexeme
 * pre-pass, see transaction-reference.ts), on lines made by randomly
 * mutating valid records. Seeded, so a failure reproduces exactly; the
 * failing line is in the assertion message.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkTransactionLine, decodeTransaction, lastLineHadUnknownFields, type DecodeContext } from '../../src/domain/transaction-decoder.js';
import { encodeIngestedLine, encodeIngestedTransaction, ingestedLineMaxSize } from '../../src/domain/ingested-record.js';
import { decodeTransactionReference } from '../../src/domain/transaction-reference.js';
import { NOW, STORES, assertAgree } from './decode-support.js';
import { Prng } from '../../src/firehose/prng.js';

/** The project's seeded generator: the figures must not depend on Math.random. */
function prng(seed: number): () => number {
  const rng = new Prng(seed);
  return () => rng.float();
}

type Member = [key: string, raw: string];

const BASES: Member[][] = [
  [['txn_id', '"R-1"'], ['store_id', '"S0001"'], ['terminal_id', '"S0001-T1"'], ['seq', '123'], ['ts', '"2026-03-01T10:15:00.123+01:00"'], ['type', '"sale"'], ['amount_minor', '4599'], ['currency', '"EUR"'], ['tax_minor', '735'], ['discount_minor', '0'], ['tender', '"card"'], ['card_brand', '"visa"'], ['items', '3']],
  [['txn_id', '"R:2.x_y-z"'], ['store_id', '"S0002"'], ['terminal_id', '"T-ü-9"'], ['seq', '0'], ['ts', '"2024-02-29T23:59:59Z"'], ['type', '"void"'], ['amount_minor', '1'], ['currency', '"JPY"'], ['tax_minor', '0'], ['tender', '"cash"'], ['ref_txn_id', '"R-1"'], ['tenant', '"acme"']],
  [['tenant', '"acme"'], ['ref_txn_id', '"R-0"'], ['type', '"refund"'], ['ts', '"2026-03-02t05:45:00.5-05:45"'], ['seq', '9007199254740991'], ['terminal_id', '"Zürich-1-T\\u00e9"'], ['store_id', '"Z\\u00fcrich-1"'], ['txn_id', '"R\\u002d3"'], ['amount_minor', '123456'], ['currency', '"BHD"'], ['tax_minor', '123456'], ['tender', '"wallet"'], ['card_brand', '"jcb"'], ['items', 'null'], ['x', '{"nested":[1,2,{"a":"b"}],"n":-1.5e-3}']],
];

const STRING_POOL = [
  '""', '"R-1"', '"S0001"', '"S-999"', '"Zürich-1"', '"sale"', '"refund"', '"void"', '"Sale"', '"card"', '"cash"', '"wallet"', '"gift_card"', '"other"',
  '"visa"', '"amex"', '"diners"', '"EUR"', '"eur"', '"XAU"', '"BHD"', '"JPY"', '"EU"', '"acme"', '"globex"',
  '"2026-03-01T10:15:00Z"', '"2026-03-01T10:15:00"', '"2023-02-29T00:00:00Z"', '"2026-03-05T00:00:00Z"', '"2026-03-01T23:59:60Z"', '"2026-03-01T10:15:00.999999+23:59"',
  '"2027-01-01T00:00:00+01:00"', '"2026-03-02T12:00:00.001Z"', '"2026-03-02T12:00:00Z"', '"2026-03-02T17:30:00+05:30"',
  '"a b"', '"\\ud800"', '"\\udc00x"', '"\\ud83d\\ude00"', '"\\u0000"', '"\\n\\t\\/"', `"${'A'.repeat(64)}"`, `"${'A'.repeat(65)}"`, `"${'é'.repeat(65)}"`, '"😀"',
];
const NUMBER_POOL = [
  '0', '-0', '1', '-1', '2', '735', '4599', '4600', '9007199254740991', '9007199254740992', '-9007199254740992', '12345678901234567890', '1.5', '1.0', '1e3', '1E+2', '1e-2', '-0.0', '1e400', '0.000',
];
const OTHER_POOL = ['null', 'true', 'false', '[]', '{}', '[1,{"a":[]}]', '{"a":{"b":null}}'];
const KEYS = ['txn_id', 'store_id', 'terminal_id', 'seq', 'ts', 'type', 'amount_minor', 'currency', 'tax_minor', 'discount_minor', 'tender', 'card_brand', 'items', 'ref_txn_id', 'tenant', 'other', '__proto__'];
const WS = [' ', '\t', '\n', '\r', '  '];
const INSERTS = ['\\u0041', '\\"', '\\\\', 'é', '😀', '\u2028', ' ', '\\ud800', '\\uDFFF', '\\x', '"', "'", '\u0001'];

function generateLine(rnd: () => number): Uint8Array {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const members: Member[] = pick(BASES).map(([k, v]) => [k, v]);
  const structural = 1 + Math.floor(rnd() * 3);
  for (let m = 0; m < structural; m++) {
    const i = Math.floor(rnd() * members.length);
    const member = members[i];
    switch (Math.floor(rnd() * 10)) {
      case 0: // drop a field
        members.splice(i, 1);
        break;
      case 1: // duplicate a field (same or other value)
        if (member) members.push([member[0], rnd() < 0.5 ? member[1] : pick(NUMBER_POOL)]);
        break;
      case 2: // retype a field
        if (member) member[1] = pick([pick(STRING_POOL), pick(NUMBER_POOL), pick(OTHER_POOL)]);
        break;
      case 3: // change a value within its type
        if (member) member[1] = member[1].startsWith('"') ? pick(STRING_POOL) : pick(NUMBER_POOL);
        break;
      case 4: // escape the key
        if (member) member[0] = member[0].replace(/[a-z]/, (c) => `\\u00${c.charCodeAt(0).toString(16)}`);
        break;
      case 5: // add a field, usually an unknown one
        members.splice(i, 0, [rnd() < 0.8 ? pick(['other', '__proto__', 'meta', 'x']) : pick(KEYS), pick([pick(STRING_POOL), pick(NUMBER_POOL), pick(OTHER_POOL)])]);
        break;
      case 8: { // move ts around the 24 h limit
        const ts = members.find((x) => x[0] === 'ts');
        if (ts) ts[1] = pick(['"2026-03-02T12:00:00Z"', '"2026-03-02T12:00:00.001Z"', '"2026-03-02T17:29:59.999+05:30"', '"2026-03-02T17:30:00.001+05:30"', '"2026-12-31T00:00:00-12:00"']);
        break;
      }
      case 6: // swap two fields
        if (member) {
          const j = Math.floor(rnd() * members.length);
          members[i] = members[j]!;
          members[j] = member;
        }
        break;
      case 7: // inject text into a string value
        if (member?.[1].startsWith('"')) {
          const at = 1 + Math.floor(rnd() * (member[1].length - 1));
          member[1] = member[1].slice(0, at) + pick(INSERTS) + member[1].slice(at);
        }
        break;
      default: // void / refund / cash to reach cross-field rules
        members.push(pick([['type', '"void"'], ['tender', '"cash"'], ['type', '"refund"']] as Member[]));
        members.splice(members.findIndex((x) => x[0] === members[members.length - 1]![0]), 1);
    }
  }
  const ws = (): string => (rnd() < 0.1 ? pick(WS) : '');
  let text = `${ws()}{${members.map(([k, v]) => `${ws()}"${k}"${ws()}:${ws()}${v}${ws()}`).join(',')}}${ws()}`;
  if (rnd() < 0.02) text = pick([`[${text}]`, pick(STRING_POOL), pick(NUMBER_POOL), pick(OTHER_POOL), `${text}${text}`]); // not an object
  if (rnd() < 0.05) text += '\r';
  let bytes = new TextEncoder().encode(text);
  // Byte-level damage on a fraction of lines.
  const damage = rnd();
  if (damage < 0.06) {
    bytes = bytes.subarray(0, Math.floor(rnd() * bytes.length)); // truncate
  } else if (damage < 0.14) {
    const at = Math.floor(rnd() * (bytes.length + 1));
    const garbage = Uint8Array.from({ length: 1 + Math.floor(rnd() * 3) }, () => Math.floor(rnd() * 256));
    const out = new Uint8Array(bytes.length + garbage.length);
    out.set(bytes.subarray(0, at));
    out.set(garbage, at);
    out.set(bytes.subarray(at), at + garbage.length);
    bytes = out;
  } else if (damage < 0.18 && bytes.length > 0) {
    const at = Math.floor(rnd() * bytes.length);
    const out = new Uint8Array(bytes.length - 1);
    out.set(bytes.subarray(0, at));
    out.set(bytes.subarray(at + 1), at);
    bytes = out;
  }
  return bytes;
}

void describe('decodeTransaction agrees with JSON.parse + validateTransactionValue', () => {
  void it('on 20,000 randomly mutated lines: same verdict, code, field, message and Transaction', () => {
    const rnd = prng(0x7a11);
    const c: DecodeContext = { tenant: 'acme', nowMs: NOW, hasStore: (id) => STORES.has(id), maxLineBytes: 400 };
    const codes = new Map<string, number>();
    for (let n = 0; n < 20_000; n++) {
      const bytes = generateLine(rnd);
      // Decode from inside a larger buffer: bytes around the line must not matter.
      const padded = new Uint8Array(bytes.length + 8);
      padded.fill(0x22);
      padded.set(bytes, 4);
      const fast = decodeTransaction(padded, 4, 4 + bytes.length, c);
      const slow = decodeTransactionReference(bytes, 0, bytes.length, c);
      assertAgree(fast, slow, () => `line #${String(n)}: ${JSON.stringify(new TextDecoder().decode(bytes))} bytes=[${Array.from(bytes).join(',')}]`);
      const code = fast.ok ? 'ok' : fast.code;
      codes.set(code, (codes.get(code) ?? 0) + 1);
    }
    // The mutations must reach every outcome, or this test proves little.
    for (const code of ['ok', 'line_too_long', 'invalid_json', 'not_an_object', 'duplicate_field', 'missing_field', 'invalid_type', 'invalid_value', 'invalid_timestamp', 'timestamp_in_future', 'unknown_store', 'unknown_currency', 'tenant_mismatch']) {
      assert.ok((codes.get(code) ?? 0) >= 20, `only ${String(codes.get(code) ?? 0)} lines ended as ${code}: ${JSON.stringify([...codes])}`);
    }
  });
});

void describe('checkTransactionLine + encodeIngestedLine agree with decodeTransaction + encodeIngestedTransaction', () => {
  void it('on 20,000 randomly mutated lines: same verdict, code, field and message, and the same log record byte for byte', () => {
    const rnd = prng(0x11e5);
    const text = new TextDecoder();
    // Both store lookups answer the same question: by string, and by the id's UTF-8 bytes.
    const c: DecodeContext = {
      tenant: 'acme',
      nowMs: NOW,
      hasStore: (id) => STORES.has(id),
      hasStoreBytes: (b, s, e) => STORES.has(text.decode(b.subarray(s, e))),
      maxLineBytes: 400,
    };
    const tenant = Buffer.from('acme');
    let accepted = 0;
    let kept = 0;
    let escapedIds = 0;
    for (let n = 0; n < 20_000; n++) {
      const bytes = generateLine(rnd);
      const padded = Buffer.alloc(bytes.length + 8, 0x22);
      padded.set(bytes, 4);
      const show = (): string => `line #${String(n)}: ${JSON.stringify(text.decode(bytes))}`;
      const byString = decodeTransaction(padded, 4, 4 + bytes.length, c);
      const keptByString = lastLineHadUnknownFields();
      const byBytes = checkTransactionLine(padded, 4, 4 + bytes.length, c);
      assert.equal(byBytes.ok, byString.ok, show());
      if (!byBytes.ok || !byString.ok) {
        assert.deepEqual(byBytes, byString, show());
        continue;
      }
      accepted++;
      const f = byBytes.fields;
      assert.equal(f.hasUnknownFields, keptByString, show());
      if (f.hasUnknownFields) kept++;
      if (f.txnText !== null || f.storeText !== null || f.terminalText !== null) escapedIds++;
      const keepEnd = f.hasUnknownFields ? 4 + bytes.length : 4;
      const fast = Buffer.alloc(ingestedLineMaxSize(tenant.length, bytes.length, bytes.length));
      const fastEnd = encodeIngestedLine(fast, tenant, NOW, f, padded, 4, keepEnd);
      const slow = Buffer.alloc(ingestedLineMaxSize(tenant.length, bytes.length, bytes.length) + 256);
      const slowEnd = encodeIngestedTransaction(slow, tenant, NOW, byString.txn, padded, 4, keepEnd);
      assert.deepEqual(fast.subarray(0, fastEnd), slow.subarray(0, slowEnd), show());
    }
    // Enough of each kind of line reaches the encoders for the comparison to mean something.
    assert.ok(accepted >= 1000 && kept >= 100 && escapedIds >= 100, `accepted ${String(accepted)}, kept ${String(kept)}, with escaped or non-ASCII ids ${String(escapedIds)}`);
  });
});
