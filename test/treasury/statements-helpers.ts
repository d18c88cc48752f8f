/** Shared by the statement tests: sample files, decimal → minor units, and statements shaped for comparison. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BankStatement, StatementEntry } from '../../src/domain/statement.js';
import type { StatementParseResult } from '../../src/treasury/statements/statement-error.js';

export const SAMPLES = join('test', 'data', 'statements');

export function sampleFiles(dir: 'camt053' | 'mt940', ext: string): string[] {
  return readdirSync(join(SAMPLES, dir)).filter((f) => f.endsWith(ext)).sort();
}

export function sampleBytes(dir: 'camt053' | 'mt940', name: string): Uint8Array {
  return readFileSync(join(SAMPLES, dir, name));
}

export function expectedJson(dir: 'camt053' | 'mt940', name: string): unknown {
  return JSON.parse(readFileSync(join(SAMPLES, dir, name), 'utf8')) as unknown;
}

/**
 * `'1111.10'` in major units → minor units by digit shifting (independent of
 * the code under test): pad or cut the fraction to `exponent` digits.
 */
export function majorToMinor(decimal: string, exponent: number): number {
  const neg = decimal.startsWith('-');
  const [int = '', frac = ''] = (neg ? decimal.slice(1) : decimal).split('.');
  const digits = int + frac.padEnd(exponent, '0').slice(0, exponent);
  const v = Number(digits);
  return neg ? -v : v;
}

export function statementsOf(r: StatementParseResult): BankStatement[] {
  if (!r.ok) throw new Error(`expected statements, got ${r.error.code}: ${r.error.message}`);
  return r.statements;
}

/** A statement as a fresh plain object, for deepEqual after a write → read round trip. */
export function clone<T>(x: T): T {
  return structuredClone(x);
}

export function entry(over: Partial<StatementEntry> & Pick<StatementEntry, 'index' | 'amountMinor' | 'direction' | 'currency'>): StatementEntry {
  return {
    bookingDate: '2024-03-01',
    valueDate: '2024-03-01',
    reference: null,
    bankReference: null,
    remittance: null,
    counterparty: null,
    reversal: false,
    transactionCode: null,
    ...over,
  };
}

/**
 * Statements covering what the writers must carry: EUR, JPY (0 decimals),
 * BHD (3), negative balances, debits, reversals, missing dates, and text
 * with XML-special characters. `for(format)` shapes them to the fields the
 * format carries, i.e. what its reader gives back.
 */
export function roundTripStatements(format: 'camt053' | 'mt940' | 'csv', text: 'plain' | 'special'): BankStatement[] {
  const t = (plain: string, special: string): string => (text === 'plain' ? plain : special);
  const base: BankStatement[] = [
    {
      format, statementId: 'STMT-2024-03/00042/00001', account: 'DE89370400440532013000', currency: 'EUR',
      opening: { amountMinor: -125050, date: '2024-03-01' }, closing: { amountMinor: 98765, date: '2024-03-31' }, createdAt: null,
      entries: [
        entry({ index: 1, amountMinor: 123456, direction: 'credit', currency: 'EUR', reference: 'PAYOUT-7781', bankReference: 'BR0001', remittance: t('Card payout 2024-03-01 store 17', 'Card payout <store 17> & "fees" = 1,05 EUR'), counterparty: t('Acquirer GmbH', 'Müller & Söhne <GmbH>'), transactionCode: 'NTRF' }),
        entry({ index: 2, amountMinor: 5, direction: 'debit', currency: 'EUR', bookingDate: '2024-03-02', valueDate: '2024-03-04', reference: 'A-VERY-LONG-END-TO-END-REFERENCE-0042', remittance: t('Fee', "Fee 'monthly' & more"), transactionCode: 'NCHG' }),
        entry({ index: 3, amountMinor: 98000, direction: 'debit', currency: 'EUR', reversal: true, bankReference: 'REV-9', transactionCode: 'NRTI' }),
        entry({ index: 4, amountMinor: 0, direction: 'credit', currency: 'EUR', counterparty: 'Zero Ltd', transactionCode: 'NMSC' }),
      ],
    },
    {
      format, statementId: 'JP-STMT/7', account: 'JP00TESTACCOUNT1234', currency: 'JPY',
      opening: { amountMinor: 0, date: '2024-01-31' }, closing: { amountMinor: -1500000, date: '2024-02-29' }, createdAt: null,
      entries: [entry({ index: 1, amountMinor: 1500000, direction: 'debit', currency: 'JPY', valueDate: '2024-02-29', bookingDate: '2024-02-29', reference: 'JPY1', remittance: 'Rent February', transactionCode: 'NTRF' })],
    },
    {
      format, statementId: 'BH-1/1/2', account: 'BH67BMAG00001299123456', currency: 'BHD',
      opening: { amountMinor: 1234, date: '2023-12-31' }, closing: { amountMinor: 1001, date: '2024-01-01' }, createdAt: null,
      entries: [entry({ index: 1, amountMinor: 233, direction: 'debit', currency: 'BHD', bookingDate: '2024-01-01', valueDate: '2023-12-31', reference: 'BHD-FEE', bankReference: 'X1', counterparty: 'A counterparty with a name longer than fifty-four characters in total', transactionCode: 'NCHG' })],
    },
  ];
  return base.map((st, i) => {
    const s: BankStatement = { ...st, entries: st.entries.map((e) => ({ ...e })) };
    s.closingAvailable = i === 0 ? { amountMinor: 90000, date: '2024-03-31' } : null;
    s.forwardAvailable = i === 0 ? [{ amountMinor: 91000, date: '2024-04-01' }, { amountMinor: -5, date: '2024-04-02' }] : [];
    if (format === 'camt053') {
      s.createdAt = '2024-04-01T06:00:00+02:00';
      s.information = i === 0 ? t('Statement information', 'Info <b> & "x"') : null;
      for (const e of s.entries) if (e.transactionCode === 'NTRF') e.transactionCode = 'PMNT/RCDT/DMCT';
    }
    if (format === 'mt940') {
      s.statementNumber = s.statementId.slice(s.statementId.indexOf('/') + 1);
      s.information = i === 0 ? 'Statement information text that is long enough to be wrapped over more than one line of sixty-five characters' : null;
      for (const e of s.entries) e.supplementaryDetails = e.index === 1 && i === 0 ? 'SUPPLEMENTARY 1' : null;
    }
    return s;
  });
}
