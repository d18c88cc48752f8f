/**
 * The statement generator at its edges: options named with their value
 * when wrong, references that could not name one item refused, the same
 * seed giving the same statements, and a small hand-made account keyed
 * exactly.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { moneyItemsFromApi } from '../../src/firehose/statements/expected-items.js';
import type { MoneyItem } from '../../src/firehose/statements/statement-breaks.js';
import { statementFiles } from '../../src/firehose/statements/statement-files.js';
import { generateStatementWorld } from '../../src/firehose/statements/statement-world.js';

const ACCOUNT = 'DE89370400440532013000';
const item = (id: string, date: string, amount: number, over: Partial<MoneyItem> = {}): MoneyItem => ({ id, kind: 'payout', account: ACCOUNT, currency: 'EUR', amountMinor: amount, expectedDate: date, reference: `REF-${id}`, group: 'acq', counterparty: 'ACQ', ...over });
// Monday 2026-03-02 to Friday 2026-03-13.
const ITEMS = [item('A', '2026-03-02', 125_00), item('B', '2026-03-03', -40_50), item('C', '2026-03-04', 0), item('D', '2026-03-05', 990_01)];

void describe('statement generator options and a small account', () => {
  void it('names the option, the value and the rule when one is wrong', () => {
    const base = { items: ITEMS, from: '2026-03-02', to: '2026-03-13', seed: 1, breakRate: 0.1 };
    assert.throws(() => generateStatementWorld({ ...base, from: '2026-02-30' }), /firehose option 'from' is "2026-02-30"; expected a date YYYY-MM-DD/);
    assert.throws(() => generateStatementWorld({ ...base, to: '2026-03-01' }), /option 'to' is "2026-03-01"; expected a date YYYY-MM-DD on or after 2026-03-02/);
    assert.throws(() => generateStatementWorld({ ...base, breakRate: 1.5 }), /option 'breakRate' is 1.5; expected a number from 0 to 1/);
    assert.throws(() => generateStatementWorld({ ...base, kinds: [] }), /option 'kinds'/);
    assert.throws(() => generateStatementWorld({ ...base, items: [...ITEMS, item('E', '2026-03-06', 5, { reference: 'ref a' })] }), /references unique per bank account/);
  });

  void it('without breaks: every item booked with its reference on its date, the zero item matched without an entry, balances chained', () => {
    const { statements, key } = generateStatementWorld({ items: ITEMS, from: '2026-03-02', to: '2026-03-13', seed: 3, breakRate: 0 });
    // Ten banking days (the weekend has no statement).
    assert.deepEqual(statements.map((s) => s.day), ['2026-03-02', '2026-03-03', '2026-03-04', '2026-03-05', '2026-03-06', '2026-03-09', '2026-03-10', '2026-03-11', '2026-03-12', '2026-03-13']);
    for (let i = 1; i < statements.length; i++) assert.equal(statements[i]!.statement.opening!.amountMinor, statements[i - 1]!.statement.closing!.amountMinor);
    const last = statements.at(-1)!.statement.closing!.amountMinor;
    assert.equal(last - statements[0]!.statement.opening!.amountMinor, 125_00 - 40_50 + 990_01);
    assert.deepEqual(key.items.map((x) => [x.id, x.status, x.method, x.break, x.entry_ids.length]), [['A', 'matched', 'reference', null, 1], ['B', 'matched', 'reference', null, 1], ['C', 'matched', null, 'zero', 0], ['D', 'matched', 'reference', null, 1]]);
    const debit = statements[1]!.statement.entries[0]!;
    assert.deepEqual([debit.direction, debit.amountMinor, debit.valueDate], ['debit', 40_50, '2026-03-03']);
    assert.deepEqual(key.summary, { items: 4, entries: 3, statements: 10, breaks: {} });
  });

  void it('the same seed gives the same files; another seed other breaks', () => {
    const run = (seed: number): string => {
      const { statements, key } = generateStatementWorld({ items: ITEMS, from: '2026-03-02', to: '2026-03-13', seed, breakRate: 1 });
      return JSON.stringify([statementFiles(statements, key, 'mt940').map((f) => f.text), key]);
    };
    assert.equal(run(9), run(9));
    assert.notEqual(run(9), run(10));
  });

  void it('refuses an API row without the fields it needs, naming the row and field', () => {
    assert.throws(() => moneyItemsFromApi([{ id: 'p', acquirer: 'a', bank_account: 'X', currency: 'EUR', amount: 1.5, payout_date: '2026-03-02', reference: null }], []), /option 'payouts\[0\]\.amount' is 1\.5; expected an integer/);
  });
});
