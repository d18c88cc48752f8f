import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Prng } from '../../src/firehose/prng.js';
import { reconcile } from '../../src/treasury/matcher.js';
import { ACC, entry, entryResult, item, itemResult, OPTIONS, OTHER_ACC, run, shuffled } from './matcher-fixtures.js';

void describe('reconcile: reference pass', () => {
  void it('the same reference, amount, currency and date → matched', () => {
    const r = run([item('P1', { reference: 'ADYEN-MA1-20260302' })], [entry('E1', { reference: 'ADYEN-MA1-20260302' })]);
    assert.deepEqual(r.items, [itemResult('P1', { status: 'matched', entryIds: ['E1'], method: 'reference' })]);
    assert.deepEqual(r.entries, [entryResult('E1', { status: 'matched', itemIds: ['P1'], method: 'reference' })]);
  });

  void it('references compare upper-cased, letters and digits only', () => {
    const r = run([item('P1', { reference: 'PO-2026/0001' })], [entry('E1', { reference: ' po 2026.0001 ', amountMinor: 9_000 })]);
    assert.deepEqual(r.item('P1'), itemResult('P1', { status: 'amount_mismatch', entryIds: ['E1'], method: 'reference', difference: -1_000, reason: 'amount' }));
  });

  void it('a reference inside the remittance text, whole token or SWIFT field', () => {
    const items = [item('P1', { reference: 'PO-1' }), item('P2', { reference: 'PO-2', amountMinor: 20_000 }), item('P3', { reference: 'PO-3', amountMinor: 30_000 })];
    const r = run(items, [
      entry('E1', { remittance: 'ADYEN PAYOUT po-1 THANK YOU' }),
      entry('E2', { amountMinor: 20_000, reference: 'NOTPROVIDED', remittance: '/ROC/PO2/' }),
      entry('E3', { amountMinor: 30_000, remittance: 'EREF+po-3;SVWZ+payout' }),
    ]);
    for (const [p, e] of [['P1', 'E1'], ['P2', 'E2'], ['P3', 'E3']] as const) {
      assert.deepEqual(r.item(p), itemResult(p, { status: 'matched', entryIds: [e], method: 'reference' }));
    }
  });

  void it('a reference as part of a longer token does not match', () => {
    const r = run([item('P1', { reference: 'PO1' })], [entry('E1', { remittance: 'XPO1 PO12' })]);
    // Not by reference; the amount pass still pairs them (same amount and day).
    assert.equal(r.item('P1').method, 'amount');
  });

  void it('in remittance text a reference is written without spaces (a space ends a token)', () => {
    const r = run([item('P1', { reference: 'PO-1', amountMinor: 1 })], [entry('E1', { remittance: 'PAYOUT PO 1' })]);
    assert.equal(r.entry('E1').status, 'unexpected');
  });

  void it('late with the expected amount → timing, early → negative days off', () => {
    const r = run(
      [item('P1', { reference: 'R1' }), item('P2', { reference: 'R2', amountMinor: 5 })],
      [entry('E1', { reference: 'R1', date: '2026-03-09' }), entry('E2', { reference: 'R2', amountMinor: 5, date: '2026-02-28' })],
    );
    assert.deepEqual(r.item('P1'), itemResult('P1', { status: 'timing', entryIds: ['E1'], method: 'reference', daysOff: 7 }));
    assert.deepEqual(r.item('P2'), itemResult('P2', { status: 'timing', entryIds: ['E2'], method: 'reference', daysOff: -2 }));
    assert.deepEqual(r.entry('E1'), entryResult('E1', { status: 'timing', itemIds: ['P1'], method: 'reference' }));
  });

  void it('over paid: difference = booked − expected; the entry shares the status', () => {
    const r = run([item('P1', { reference: 'R1' })], [entry('E1', { reference: 'R1', amountMinor: 10_250, date: '2026-03-03' })]);
    assert.deepEqual(r.item('P1'), itemResult('P1', { status: 'amount_mismatch', entryIds: ['E1'], method: 'reference', difference: 250, daysOff: 1, reason: 'amount' }));
    assert.deepEqual(r.entry('E1'), entryResult('E1', { status: 'amount_mismatch', itemIds: ['P1'], method: 'reference', reason: 'amount' }));
  });

  void it('another currency → amount_mismatch with reason currency and the booked currency', () => {
    const r = run([item('P1', { reference: 'R1' })], [entry('E1', { reference: 'R1', currency: 'USD', amountMinor: 10_800 })]);
    assert.deepEqual(r.item('P1'), itemResult('P1', { status: 'amount_mismatch', entryIds: ['E1'], method: 'reference', bookedCurrency: 'USD', reason: 'currency' }));
    assert.deepEqual(r.entry('E1'), entryResult('E1', { status: 'amount_mismatch', itemIds: ['P1'], method: 'reference', reason: 'currency' }));
  });

  void it('only entries on the item’s account can match it', () => {
    const r = run([item('P1', { reference: 'R1' })], [entry('E1', { reference: 'R1', account: OTHER_ACC })]);
    assert.deepEqual(r.item('P1'), itemResult('P1', { status: 'missing' }));
    assert.deepEqual(r.entry('E1'), entryResult('E1', {}));
  });

  void it('the same reference on two items of one account matches neither by reference', () => {
    const r = run(
      [item('P1', { reference: 'STORE 7' }), item('P2', { reference: 'STORE 7', amountMinor: 20_000, expectedDate: '2026-03-03' })],
      [entry('E1', { reference: 'STORE7', amountMinor: 20_000, date: '2026-03-03' })],
    );
    assert.deepEqual(r.item('P2'), itemResult('P2', { status: 'matched', entryIds: ['E1'], method: 'amount' }));
    assert.equal(r.item('P1').status, 'missing');
  });

  void it('a second entry with the same reference and amount → duplicate of the first by date, whatever the ids', () => {
    const r = run([item('P1', { reference: 'R1' })], [entry('E9', { reference: 'R1' }), entry('E1', { reference: 'R1', date: '2026-03-04' })]);
    assert.deepEqual(r.item('P1'), itemResult('P1', { status: 'matched', entryIds: ['E9'], method: 'reference' }));
    assert.deepEqual(r.entry('E1'), entryResult('E1', { status: 'duplicate', method: 'reference', duplicateOf: 'E9' }));
  });

  void it('entries that together make the expected amount: a split payment, dated by the last part', () => {
    const r = run([item('P1', { reference: 'R1' })], [entry('E1', { reference: 'R1', amountMinor: 6_000 }), entry('E2', { reference: 'R1', amountMinor: 4_000, date: '2026-03-03' })]);
    assert.deepEqual(r.item('P1'), itemResult('P1', { status: 'timing', entryIds: ['E1', 'E2'], method: 'reference', daysOff: 1 }));
    assert.deepEqual(r.entry('E1'), entryResult('E1', { status: 'timing', itemIds: ['P1'], method: 'reference' }));
  });

  void it('two equal halves are a split, a third equal part is a duplicate', () => {
    const r = run(
      [item('P1', { reference: 'R1' })],
      [entry('E1', { reference: 'R1', amountMinor: 5_000 }), entry('E2', { reference: 'R1', amountMinor: 5_000 }), entry('E3', { reference: 'R1', amountMinor: 5_000 })],
    );
    assert.deepEqual(r.item('P1'), itemResult('P1', { status: 'matched', entryIds: ['E1', 'E2'], method: 'reference' }));
    assert.deepEqual(r.entry('E3'), entryResult('E3', { status: 'duplicate', method: 'reference', duplicateOf: 'E1' }));
  });

  void it('a split that does not add up → amount_mismatch on the total', () => {
    const r = run([item('P1', { reference: 'R1' })], [entry('E1', { reference: 'R1', amountMinor: 6_000 }), entry('E2', { reference: 'R1', amountMinor: 3_000 })]);
    assert.deepEqual(r.item('P1'), itemResult('P1', { status: 'amount_mismatch', entryIds: ['E1', 'E2'], method: 'reference', difference: -1_000, reason: 'amount' }));
  });

  void it('short paid and then the same short amount again → the repeat is a duplicate', () => {
    const r = run([item('P1', { reference: 'R1' })], [entry('E1', { reference: 'R1', amountMinor: 9_000 }), entry('E2', { reference: 'R1', amountMinor: 9_000, date: '2026-03-05' })]);
    assert.deepEqual(r.item('P1'), itemResult('P1', { status: 'amount_mismatch', entryIds: ['E1'], method: 'reference', difference: -1_000, reason: 'amount' }));
    assert.deepEqual(r.entry('E2'), entryResult('E2', { status: 'duplicate', method: 'reference', duplicateOf: 'E1' }));
  });

  void it('one entry naming several references pays them together: batch', () => {
    const items = [item('P1', { reference: 'PO1' }), item('P2', { reference: 'PO2', amountMinor: 2_500 }), item('P3', { reference: 'PO3', amountMinor: -500 })];
    const r = run(items, [entry('E1', { amountMinor: 12_000, date: '2026-03-03', remittance: 'PAYOUTS PO3, PO1, PO2' })]);
    for (const p of ['P1', 'P2', 'P3']) assert.deepEqual(r.item(p), itemResult(p, { status: 'timing', entryIds: ['E1'], method: 'batch', daysOff: 1 }));
    assert.deepEqual(r.entry('E1'), entryResult('E1', { status: 'timing', itemIds: ['P1', 'P2', 'P3'], method: 'batch' }));
  });

  void it('a batch that does not add up: every item carries the batch’s difference', () => {
    const r = run([item('P1', { reference: 'PO1' }), item('P2', { reference: 'PO2' })], [entry('E1', { amountMinor: 19_900, remittance: 'PO1 PO2' })]);
    for (const p of ['P1', 'P2']) assert.deepEqual(r.item(p), itemResult(p, { status: 'amount_mismatch', entryIds: ['E1'], method: 'batch', difference: -100, reason: 'amount' }));
  });

  void it('a batch naming an item already paid pays the others; one naming only paid items is a duplicate', () => {
    const r = run(
      [item('P1', { reference: 'PO1' }), item('P2', { reference: 'PO2', amountMinor: 3_000 })],
      [entry('E1', { reference: 'PO1' }), entry('E2', { remittance: 'PO1 PO2', amountMinor: 13_000, date: '2026-03-03' }), entry('E3', { remittance: 'PO1 PO2', amountMinor: 13_000, date: '2026-03-04' })],
    );
    assert.deepEqual(r.item('P1'), itemResult('P1', { status: 'matched', entryIds: ['E1'], method: 'reference' }));
    assert.deepEqual(r.item('P2'), itemResult('P2', { status: 'amount_mismatch', entryIds: ['E2'], method: 'batch', difference: 10_000, daysOff: 1, reason: 'amount' }));
    assert.deepEqual(r.entry('E3'), entryResult('E3', { status: 'duplicate', method: 'batch', duplicateOf: 'E1' }));
  });
});

void describe('reconcile: the same bank line twice', () => {
  void it('same bank reference, account, date, currency and amount → the higher id is a duplicate of the lowest', () => {
    const line = { reference: 'R1', bankReference: 'B-77' };
    const r = run([item('P1', { reference: 'R1' })], [entry('E3', line), entry('E1', line), entry('E2', line)]);
    assert.deepEqual(r.item('P1'), itemResult('P1', { status: 'matched', entryIds: ['E1'], method: 'reference' }));
    assert.deepEqual(r.entry('E2'), entryResult('E2', { status: 'duplicate', duplicateOf: 'E1' }));
    assert.deepEqual(r.entry('E3'), entryResult('E3', { status: 'duplicate', duplicateOf: 'E1' }));
  });

  void it('a shared bank reference with another amount, date or account is another line', () => {
    const r = run(
      [],
      [entry('E1', { bankReference: 'B' }), entry('E2', { bankReference: 'B', amountMinor: 1 }), entry('E3', { bankReference: 'B', date: '2026-03-03' }), entry('E4', { bankReference: 'B', account: OTHER_ACC })],
    );
    assert.deepEqual(
      r.entries.map((x) => x.status),
      ['unexpected', 'unexpected', 'unexpected', 'unexpected'],
    );
  });
});

void describe('reconcile: amount pass', () => {
  void it('no reference: the same amount on the day → matched by amount; later in the window → timing', () => {
    const r = run([item('P1'), item('P2', { amountMinor: 777, reference: 'GONE' })], [entry('E1'), entry('E2', { amountMinor: 777, date: '2026-03-05', reference: 'WRONG' })]);
    assert.deepEqual(r.item('P1'), itemResult('P1', { status: 'matched', entryIds: ['E1'], method: 'amount' }));
    assert.deepEqual(r.item('P2'), itemResult('P2', { status: 'timing', entryIds: ['E2'], method: 'amount', daysOff: 3 }));
    assert.deepEqual(r.entry('E2'), entryResult('E2', { status: 'timing', itemIds: ['P2'], method: 'amount' }));
  });

  void it('outside the window, in another currency or on another account: no match', () => {
    const r = run([item('P1')], [entry('E1', { date: '2026-03-06' }), entry('E2', { currency: 'USD' }), entry('E3', { account: OTHER_ACC })]);
    assert.deepEqual(r.item('P1'), itemResult('P1', { status: 'missing' }));
    assert.deepEqual(r.entries.map((x) => x.status), ['unexpected', 'unexpected', 'unexpected']);
  });

  void it('two equal payouts on consecutive days, booked a day late each: paired in date order', () => {
    const r = run([item('P1', { expectedDate: '2026-03-02' }), item('P2', { expectedDate: '2026-03-03' })], [entry('E1', { date: '2026-03-04' }), entry('E2', { date: '2026-03-03' })]);
    assert.deepEqual(r.item('P1'), itemResult('P1', { status: 'timing', entryIds: ['E2'], method: 'amount', daysOff: 1 }));
    assert.deepEqual(r.item('P2'), itemResult('P2', { status: 'timing', entryIds: ['E1'], method: 'amount', daysOff: 1 }));
  });

  void it('an equal payout that never came does not take its neighbour’s entry', () => {
    const r = run([item('P1', { expectedDate: '2026-03-02' }), item('P2', { expectedDate: '2026-03-03' })], [entry('E1', { date: '2026-03-03' })]);
    assert.deepEqual(r.item('P2'), itemResult('P2', { status: 'matched', entryIds: ['E1'], method: 'amount' }));
    assert.equal(r.item('P1').status, 'missing');
  });

  void it('ties: the earlier entry, and the earlier item', () => {
    const a = run([item('P1', { expectedDate: '2026-03-03' })], [entry('E2', { date: '2026-03-02' }), entry('E1', { date: '2026-03-04' })]);
    assert.deepEqual(a.item('P1').entryIds, ['E2']);
    assert.equal(a.entry('E1').status, 'unexpected');
    const b = run([item('P2', { expectedDate: '2026-03-02' }), item('P1', { expectedDate: '2026-03-04' })], [entry('E1', { date: '2026-03-03' })]);
    assert.deepEqual(b.item('P2').entryIds, ['E1']);
    const c = run([item('P2'), item('P1')], [entry('E1')]);
    assert.deepEqual(c.item('P1').entryIds, ['E1']);
    assert.equal(c.item('P2').status, 'missing');
  });

  void it('negative payouts (the acquirer debits) match debits', () => {
    const r = run([item('P1', { amountMinor: -4_321 }), item('P2', { amountMinor: -50, reference: 'R2' })], [entry('E1', { amountMinor: -4_321 }), entry('E2', { amountMinor: -50, reference: 'r2' }), entry('E3', { amountMinor: 4_321 })]);
    assert.deepEqual(r.item('P1'), itemResult('P1', { status: 'matched', entryIds: ['E1'], method: 'amount' }));
    assert.deepEqual(r.item('P2'), itemResult('P2', { status: 'matched', entryIds: ['E2'], method: 'reference' }));
    assert.equal(r.entry('E3').status, 'unexpected');
  });

  void it('with a tolerance: a near amount → amount_mismatch by amount', () => {
    const r = run([item('P1')], [entry('E1', { amountMinor: 9_950, date: '2026-03-03' })], { amountToleranceMinor: 50 });
    assert.deepEqual(r.item('P1'), itemResult('P1', { status: 'amount_mismatch', entryIds: ['E1'], method: 'amount', difference: -50, daysOff: 1, reason: 'amount' }));
    assert.deepEqual(run([item('P1')], [entry('E1', { amountMinor: 9_949 })], { amountToleranceMinor: 50 }).item('P1').status, 'missing');
  });

  void it('near amounts: closest date first, then the smallest difference, then ids', () => {
    const opts = { amountToleranceMinor: 100 };
    const date = run([item('P1')], [entry('E1', { amountMinor: 10_001, date: '2026-03-04' }), entry('E2', { amountMinor: 10_090, date: '2026-03-03' })], opts);
    assert.deepEqual(date.item('P1').entryIds, ['E2']);
    const diff = run([item('P1')], [entry('E1', { amountMinor: 10_020 }), entry('E2', { amountMinor: 9_990 })], opts);
    assert.deepEqual(diff.item('P1').entryIds, ['E2']);
    const id = run([item('P1')], [entry('E2', { amountMinor: 10_010 }), entry('E1', { amountMinor: 9_990 })], opts);
    assert.deepEqual(id.item('P1').entryIds, ['E1']);
  });

  void it('an exact amount is taken before a nearer date with a near amount', () => {
    const r = run([item('P1')], [entry('E1', { amountMinor: 10_010 }), entry('E2', { date: '2026-03-04' })], { amountToleranceMinor: 100 });
    assert.deepEqual(r.item('P1'), itemResult('P1', { status: 'timing', entryIds: ['E2'], method: 'amount', daysOff: 2 }));
    assert.equal(r.entry('E1').status, 'unexpected');
  });
});

void describe('reconcile: batch pass (many-to-one without references)', () => {
  const day = [item('P1', { amountMinor: 1_000, group: 'adyen' }), item('P2', { amountMinor: 2_000, group: 'adyen' }), item('D1', { kind: 'deposit', amountMinor: 500 })];

  void it('an entry equal to one group’s open items of a day → those items, method batch', () => {
    const r = run(day, [entry('E1', { amountMinor: 3_000, date: '2026-03-03' })]);
    for (const p of ['P1', 'P2']) assert.deepEqual(r.item(p), itemResult(p, { status: 'timing', entryIds: ['E1'], method: 'batch', daysOff: 1 }));
    assert.deepEqual(r.entry('E1'), entryResult('E1', { status: 'timing', itemIds: ['P1', 'P2'], method: 'batch' }));
    assert.equal(r.item('D1').status, 'missing');
  });

  void it('an entry equal to all open items of the day', () => {
    const r = run(day, [entry('E1', { amountMinor: 3_500 })]);
    assert.deepEqual(r.entry('E1'), entryResult('E1', { status: 'matched', itemIds: ['D1', 'P1', 'P2'], method: 'batch' }));
  });

  void it('items already matched are not in the sum; debits count with their sign', () => {
    const r = run([...day, item('P3', { amountMinor: -700, group: 'adyen' })], [entry('E0', { amountMinor: 2_000 }), entry('E1', { amountMinor: 800 })]);
    assert.deepEqual(r.item('P2'), itemResult('P2', { status: 'matched', entryIds: ['E0'], method: 'amount' }));
    assert.deepEqual(r.entry('E1'), entryResult('E1', { status: 'matched', itemIds: ['D1', 'P1', 'P3'], method: 'batch' }));
  });

  void it('no subset search: a sum of some of a group’s items does not match', () => {
    const r = run([...day, item('P3', { amountMinor: 4_000, group: 'adyen' })], [entry('E1', { amountMinor: 3_000 })]);
    assert.equal(r.entry('E1').status, 'unexpected');
  });
});

void describe('reconcile: leftovers and zero amounts', () => {
  void it('missing after expectedDate + missingAfterDays < asOf, pending until then', () => {
    const r = run([item('P1', { expectedDate: '2026-03-28' }), item('P2', { expectedDate: '2026-03-29' })], []);
    assert.deepEqual(r.items, [itemResult('P1', { status: 'missing' }), itemResult('P2', { status: 'pending' })]);
  });

  void it('a zero item is matched without an entry; a zero entry naming it pays it; a zero entry alone is unexpected', () => {
    const r = run([item('Z1', { amountMinor: 0 }), item('Z2', { amountMinor: 0, reference: 'DEP-9' })], [entry('E1', { amountMinor: 0 }), entry('E2', { amountMinor: 0, reference: 'DEP-9' })]);
    assert.deepEqual(r.item('Z1'), itemResult('Z1', { status: 'matched' }));
    assert.deepEqual(r.item('Z2'), itemResult('Z2', { status: 'matched', entryIds: ['E2'], method: 'reference' }));
    assert.deepEqual(r.entry('E1'), entryResult('E1', {}));
  });

  void it('empty inputs', () => {
    const r = reconcile([], [], OPTIONS);
    assert.deepEqual([r.itemCount, r.entryCount, r.counts()], [0, 0, { items: {}, entries: {} }]);
  });

  void it('rejects bad dates, amounts and options', () => {
    assert.throws(() => reconcile([item('P1', { expectedDate: '2026-02-30' })], [], OPTIONS), RangeError);
    assert.throws(() => reconcile([], [entry('E1', { amountMinor: 1.5 })], OPTIONS), RangeError);
    assert.throws(() => reconcile([], [], { ...OPTIONS, dateWindowDays: -1 }), RangeError);
    assert.throws(() => reconcile([], [], { ...OPTIONS, asOf: 'soon' }), RangeError);
  });

  void it('shuffled inputs: the same outcome for every item and entry, where entries compete and amounts repeat', () => {
    const items = [
      item('P1', { reference: 'R1' }),
      item('P2', { reference: 'R2', amountMinor: 3_000 }),
      item('P3', { expectedDate: '2026-03-03' }),
      item('P4', { expectedDate: '2026-03-04' }),
      item('P5', { amountMinor: 700, group: 'g' }),
      item('P6', { amountMinor: 800, group: 'g' }),
    ];
    const entries = [
      entry('E1', { reference: 'R1', amountMinor: 5_000 }),
      entry('E2', { reference: 'R1', amountMinor: 5_000 }),
      entry('E3', { reference: 'R1', amountMinor: 5_000, date: '2026-03-03' }),
      entry('E4', { remittance: 'R1 R2', amountMinor: 13_000 }),
      entry('E5', { date: '2026-03-04' }),
      entry('E6', { date: '2026-03-05' }),
      entry('E7', { amountMinor: 1_500, bankReference: 'B1' }),
      entry('E8', { amountMinor: 1_500, bankReference: 'B1' }),
    ];
    const key = (r: ReturnType<typeof run>): string => JSON.stringify([items.map((x) => r.item(x.id)), entries.map((x) => r.entry(x.id))]);
    const base = run(items, entries);
    assert.deepEqual(base.item('P1').entryIds, ['E1', 'E2']);
    assert.deepEqual(base.item('P2').entryIds, ['E4']);
    assert.deepEqual(base.entry('E3').duplicateOf, 'E1');
    assert.deepEqual(base.entry('E7').itemIds, ['P5', 'P6']);
    assert.deepEqual(base.entry('E8').duplicateOf, 'E7');
    const rng = new Prng(3);
    for (let k = 0; k < 200; k++) assert.equal(key(run(shuffled(items, () => rng.float()), shuffled(entries, () => rng.float()))), key(base));
  });

  void it('the results follow the input order', () => {
    const r = run([item('B'), item('A', { account: ACC, amountMinor: 1 })], [entry('Y'), entry('X')]);
    assert.deepEqual(r.items.map((x) => x.itemId), ['B', 'A']);
    assert.deepEqual(r.entries.map((x) => x.entryId), ['Y', 'X']);
  });
});
