/**
 * MT940 entries kept as columns: the columns give exactly what the entry
 * objects give (every good sample, every field), the objects are made
 * afresh on each read and a copy or JSON of a statement carries the
 * entries, not the columns; the matcher's rows read from the columns equal
 * those read from plain objects.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { BankStatement } from '../../src/domain/statement.js';
import { entryCount } from '../../src/domain/statement.js';
import { bookedEntries } from '../../src/treasury/booked-entries.js';
import { parseMt940 } from '../../src/treasury/statements/mt940.js';
import { parseStatement } from '../../src/treasury/statements/parse-statement.js';
import { statementKey, type StoredStatement } from '../../src/treasury/treasury-store.js';
import { sampleBytes, sampleFiles, statementsOf } from './statements-helpers.js';

const good = sampleFiles('mt940', '.sta').filter((f) => !f.startsWith('bad_'));

function stored(statements: BankStatement[]): StoredStatement[] {
  return statements.map((statement) => ({ key: statementKey(statement), fileSha256: '', importedAt: '', statement }));
}

describe('MT940 entry columns', () => {
  it('every good sample: each column reads what the entry object holds', () => {
    assert.equal(good.length, 7);
    let rows = 0;
    for (const file of good) {
      for (const st of statementsOf(parseStatement(sampleBytes('mt940', file)))) {
        const cols = st.columns;
        assert.ok(cols !== undefined, `${file}: columns`);
        const entries = st.entries;
        assert.equal(cols.length, entries.length);
        assert.equal(entryCount(st), entries.length);
        entries.forEach((e, k) => {
          assert.deepEqual(cols.entry(k), e, `${file} ${st.statementId} entry ${String(k + 1)}`);
          assert.equal(e.index, k + 1);
          assert.equal(cols.signedAmount(k), e.direction === 'credit' ? e.amountMinor : -e.amountMinor);
          assert.equal(cols.currency(k), e.currency);
          assert.equal(cols.date(k), e.valueDate ?? e.bookingDate);
          assert.equal(cols.reference(k), e.reference);
          assert.equal(cols.remittance(k), e.remittance);
          assert.equal(cols.bankReference(k), e.bankReference);
        });
        rows += entries.length;
      }
    }
    assert.ok(rows > 100, `${String(rows)} entries read`);
  });

  it('entries are made afresh on each read; copies and JSON carry them, not the columns', () => {
    const [st] = statementsOf(parseStatement(sampleBytes('mt940', 'jejik_ing.sta')));
    assert.notEqual(st!.entries, st!.entries);
    assert.deepEqual(st!.entries, st!.entries);
    const copy = structuredClone(st!);
    assert.equal(copy.columns, undefined);
    assert.deepEqual(copy.entries, st!.entries);
    const json = JSON.parse(JSON.stringify(st)) as Record<string, unknown>;
    assert.equal('columns' in json, false);
    assert.deepEqual(json['entries'], JSON.parse(JSON.stringify(st!.entries)));
  });

  it('the matcher rows from columns equal the rows from plain objects, in statement order', () => {
    const parsed = good.flatMap((f) => statementsOf(parseStatement(sampleBytes('mt940', f))));
    // Plain copies (no columns) interleaved with the columnar originals: the order of rows follows the statements.
    const mixed = parsed.flatMap((s, k) => (k % 2 === 0 ? [s] : [structuredClone(s)]));
    const plain = mixed.map((s) => structuredClone(s));
    assert.ok(mixed.some((s) => s.columns !== undefined) && plain.every((s) => s.columns === undefined));
    const fromMixed = bookedEntries(stored(mixed));
    assert.deepEqual(fromMixed, bookedEntries(stored(plain)));
    assert.equal(fromMixed.length, parsed.reduce((n, s) => n + s.entries.length, 0));
  });

  it('text values are trimmed as trim() does, a no-break space at either end included; a value of spaces is null', () => {
    const text = ':20:REF\r\n:25:DE89370400440532013000\r\n:28C:1/1\r\n:60F:C240301EUR100,00\r\n' +
      ':61:2403010301C1,00NTRF\u00a0REF-1\u00a0//BANK 7 \r\n  \u00a0  \r\n:86:\u00a0Zahlung f\u00fcr M\u00fcller\u00a0\r\n' +
      ':61:2403010301D2,50NCHGNONREF\r\n:86:   \r\n' +
      ':62F:C240301EUR98,50\r\n-\r\n';
    const [st] = statementsOf(parseStatement(new TextEncoder().encode(text)));
    assert.deepEqual(st!.entries.map((e) => [e.reference, e.bankReference, e.supplementaryDetails, e.remittance, e.amountMinor, e.direction]), [
      ['REF-1', 'BANK 7', null, 'Zahlung f\u00fcr M\u00fcller', 100, 'credit'],
      [null, null, null, null, 250, 'debit'],
    ]);
  });

  it('files read one after another into one reused buffer keep their own entries: nothing of the bytes or the working columns is shared', () => {
    const files: ['camt053' | 'mt940', string][] = [...good.map((f): ['mt940', string] => ['mt940', f]), ...sampleFiles('camt053', '.xml').filter((f) => !f.startsWith('bad_')).map((f): ['camt053', string] => ['camt053', f])];
    // What each file gives parsed on its own, as plain JSON.
    const alone = files.map(([dir, f]) => JSON.stringify(statementsOf(parseStatement(sampleBytes(dir, f)))));
    const largest = Math.max(...files.map(([dir, f]) => sampleBytes(dir, f).length));
    const buffer = Buffer.alloc(largest);
    const kept: BankStatement[][] = [];
    for (const [dir, f] of files) {
      const bytes = sampleBytes(dir, f);
      buffer.fill(0x3f);
      buffer.set(bytes);
      kept.push(statementsOf(parseStatement(buffer.subarray(0, bytes.length))));
    }
    // The buffer now holds junk; every file's statements still read as when parsed alone.
    buffer.fill(0x3f);
    kept.forEach((sts, k) => {
      assert.equal(JSON.stringify(sts), alone[k], files[k]![1]);
    });
    assert.ok(kept.every((sts) => sts.length > 0) && kept.length === files.length);
  });

  it('a file of many statements shares one store: each statement reads only its own rows', () => {
    const one = (n: number): string => `:20:S${String(n)}\r\n:25:ACC${String(n)}\r\n:28C:${String(n)}\r\n:60F:C240301EUR0,00\r\n` +
      Array.from({ length: n }, (_, k) => `:61:240301C${String(k + 1)},00NTRFR${String(n)}-${String(k)}\r\n:86:row ${String(k)} of ${String(n)}\r\n`).join('') +
      `:62F:C240301EUR0,00\r\n-\r\n`;
    const sts = statementsOf(parseMt940([1, 5, 300, 2].map(one).join('')));
    assert.deepEqual(sts.map((s) => s.columns?.length), [1, 5, 300, 2]);
    const s300 = sts[2]!;
    assert.deepEqual([s300.columns!.reference(299), s300.columns!.remittance(299), s300.columns!.signedAmount(299)], ['R300-299', 'row 299 of 300', 30000]);
    assert.deepEqual(sts[3]!.entries.map((e) => [e.index, e.reference, e.amountMinor]), [[1, 'R2-0', 100], [2, 'R2-1', 200]]);
  });
});
