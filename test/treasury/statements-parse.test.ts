/** parseStatement: format detection, byte-order marks, size and emptiness limits, and errors as values for any input. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { detectStatementFormat, parseStatement } from '../../src/treasury/statements/parse-statement.js';
import { MAX_STATEMENT_BYTES } from '../../src/treasury/statements/statement-text.js';
import { sampleBytes, statementsOf } from './statements-helpers.js';

describe('parseStatement', () => {
  it('detects camt.053, MT940 and CSV from the content', () => {
    assert.equal(detectStatementFormat('  <?xml version="1.0"?><Document/>'), 'camt053');
    assert.equal(detectStatementFormat('{1:F01ABNANL2A}{4:\r\n:20:REF\r\n'), 'mt940');
    assert.equal(detectStatementFormat(':20:REF\n'), 'mt940');
    assert.equal(detectStatementFormat('record_type,statement_id\n'), 'csv');
    assert.equal(detectStatementFormat('date;amount\n'), null);
  });
  it('reads a UTF-8 byte-order mark in front of any format', () => {
    const bom = new Uint8Array([0xef, 0xbb, 0xbf]);
    for (const [dir, file] of [['mt940', 'cmxl_mt940_1.sta'], ['camt053', 'camt053.v3.xml']] as const) {
      const bytes = sampleBytes(dir, file);
      const withBom = new Uint8Array(bom.length + bytes.length);
      withBom.set(bom);
      withBom.set(bytes, bom.length);
      assert.deepEqual(statementsOf(parseStatement(withBom)), statementsOf(parseStatement(bytes)), file);
      assert.deepEqual(statementsOf(parseStatement(`\ufeff${new TextDecoder().decode(bytes)}`)), statementsOf(parseStatement(bytes)), `${file} as text`);
    }
  });
  it('an explicit format wins over detection', () => {
    assert.deepEqual(parseStatement(sampleBytes('mt940', 'cmxl_mt940_1.sta'), { format: 'camt053' }), {
      ok: false,
      error: { code: 'statement_invalid_xml', message: 'line 1: text ":20:1234567\\n:21:9876543210\\n:25:10020030/1234567\\n:28C:5/1\\n:60…" outside the root element', line: 1 },
    });
  });
  it('refuses empty files and files over 256 MiB', () => {
    assert.deepEqual(parseStatement(new Uint8Array(0)), { ok: false, error: { code: 'statement_empty', message: 'the file is empty' } });
    assert.deepEqual(parseStatement(' \r\n'), { ok: false, error: { code: 'statement_empty', message: 'the file is empty' } });
    assert.deepEqual(parseStatement(new Uint8Array(MAX_STATEMENT_BYTES + 1)), {
      ok: false,
      error: { code: 'statement_too_large', message: 'the file has 268435457 bytes; at most 268435456 are accepted' },
    });
  });
  it('never throws: random bytes and truncations of every sample give a result value', () => {
    let seed = 7;
    const rnd = (): number => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    for (let i = 0; i < 200; i++) {
      const bytes = Uint8Array.from({ length: Math.floor(rnd() * 300) }, () => Math.floor(rnd() * 256));
      const r = parseStatement(bytes);
      assert.equal(typeof r.ok, 'boolean');
    }
    for (const [dir, file] of [['mt940', 'betterplace_sepa_mt9401.sta'], ['camt053', 'camt053.v3.xml']] as const) {
      const bytes = sampleBytes(dir, file);
      for (let cut = 0; cut < bytes.length; cut += 97) {
        const r = parseStatement(bytes.subarray(0, cut));
        if (!r.ok) assert.notEqual(r.error.code, 'statement_internal_error', `${file} cut at ${String(cut)}: ${r.error.message}`);
      }
    }
  });
});
