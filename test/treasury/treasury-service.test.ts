/**
 * The treasury service over a real treasury store on disk: a matched payout
 * whose sales change while no server runs (the rollups are rebuilt from the
 * log at start) is still logged as a change after the restart, and its
 * history survives.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { dayText } from '../../src/domain/business-calendar.js';
import type { DayLine } from '../../src/domain/settlement.js';
import type { BankStatement } from '../../src/domain/statement.js';
import type { Store } from '../../src/domain/store.js';
import { parseStatementFile } from '../../src/treasury/statement-import.js';
import type { SettlementSource } from '../../src/treasury/settlement-source.js';
import { writeStatementCsv } from '../../src/treasury/statements/statement-csv-writer.js';
import { TreasuryService } from '../../src/treasury/treasury-service.js';
import { TreasuryStore } from '../../src/treasury/treasury-store.js';
import { tempDir, type TempDir } from '../support/temp-dir.js';

const DAY = 86_400_000;
const ACCOUNT = 'DE89370400440532013000';
const STORE: Store = { store_id: 'S1', name: 'One', lat: 52.5, lon: 13.4, country: 'DE', region: 'BE', city: 'Berlin', timezone: 'Europe/Berlin', currency: 'EUR', acquirer: 'acq', merchant_account: 'M1', bank_account: ACCOUNT, fee_plan: 'flat' };
const SETUP = {
  acquirers: [{ id: 'acq', settlement_lag_days: 0, payout_currency: null, reference_format: 'ACQ-{payout_date}' }],
  fee_plans: [{ id: 'flat', rules: [{ tender: 'card', card_brand: '*', bps: 0, fixed_minor: 0 }] }],
};

/** One store's card sales of one day: our own port, filled by the test. */
class OneDaySource implements SettlementSource {
  gross = 10_000;
  private v = 1;
  constructor(readonly day: number) {}
  set(gross: number): void {
    this.gross = gross;
    this.v++;
  }
  businessDayLines(_t: string, fromDay: number, toDay: number, _f: unknown, visit: (line: DayLine) => void): void {
    if (this.day >= fromDay && this.day < toDay) visit({ store: STORE, day: this.day, tender: 'card', cardBrand: 'visa', currency: 'EUR', gross: this.gross, refunds: 0, voids: 0, saleCount: 1, refundCount: 0, voidCount: 0 });
  }
  businessDayRange(): { first: number; last: number } {
    return { first: this.day, last: this.day };
  }
  stores(): Store[] {
    return [STORE];
  }
  storesIn(): Store[] {
    return [STORE];
  }
  version(): number {
    return this.v;
  }
}

/** A Wednesday at least two weeks ago that is no German bank holiday (fixed, so the test is the same every day). */
const SALES_DAY = Math.floor(Date.UTC(2026, 10, 18) / DAY);

void describe('treasury service across a restart', () => {
  let dir: TempDir;
  const source = new OneDaySource(SALES_DAY);
  const open = (): TreasuryService => new TreasuryService({ store: new TreasuryStore(dir.path), source, fx: () => null, parse: parseStatementFile, refreshMs: 0 });

  before(() => {
    dir = tempDir('tpay-treasury-service-');
  });
  after(() => dir[Symbol.asyncDispose]());

  void it('logs a change to a matched payout that happened while it was stopped', () => {
    const first = open();
    first.putSetup('acme', SETUP);
    const payout = first.expected('acme').payouts[0]!;
    assert.equal(payout.amount, 10_000);
    const statement: BankStatement = {
      format: 'csv', statementId: 'ST-1', account: ACCOUNT, currency: 'EUR', createdAt: null,
      opening: { amountMinor: 0, date: dayText(SALES_DAY) }, closing: { amountMinor: 10_000, date: dayText(SALES_DAY) },
      entries: [{ index: 1, amountMinor: 10_000, direction: 'credit', currency: 'EUR', bookingDate: payout.payoutDate, valueDate: payout.payoutDate, reference: payout.reference, bankReference: 'B1', remittance: null, counterparty: null, reversal: false, transactionCode: null }],
    };
    assert.equal(first.importStatements('acme', Buffer.from(writeStatementCsv([statement])), 'st.csv').statements[0]?.status, 'imported');
    const r1 = first.reconciliation('acme');
    assert.equal(r1.result.itemStatus(r1.items.indexOf(payout.id)), 'matched');
    assert.deepEqual(first.changes('acme'), []);

    // Stopped; a late sale of that day comes in with the log replayed at start.
    source.set(10_700);
    const second = open();
    const r2 = second.reconciliation('acme');
    assert.equal(r2.result.itemStatus(r2.items.indexOf(payout.id)), 'amount_mismatch');
    assert.deepEqual(second.changes('acme').map((c) => [c.itemId, c.fromAmount, c.toAmount]), [[payout.id, 10_000, 10_700]]);

    // The next restart logs nothing new, and keeps the history.
    const third = open();
    third.reconciliation('acme');
    assert.deepEqual(third.changes('acme').map((c) => [c.fromAmount, c.toAmount]), [[10_000, 10_700]]);
  });
});
