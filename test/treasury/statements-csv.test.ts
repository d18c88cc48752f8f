/**
 * The statement CSV: the documented example reads as documented, every
 * sample statement (camt and MT940) survives CSV write → read, the writer
 * quotes what needs quoting, and each malformed file has an exact error.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { BankStatement } from '../../src/domain/statement.js';
import { parseStatement } from '../../src/treasury/statements/parse-statement.js';
import { parseStatementCsv, STATEMENT_CSV_COLUMNS } from '../../src/treasury/statements/statement-csv.js';
import { statementCsvChunks, writeStatementCsv } from '../../src/treasury/statements/statement-csv-writer.js';
import { roundTripStatements, sampleBytes, sampleFiles, statementsOf } from './statements-helpers.js';

const HEADER = STATEMENT_CSV_COLUMNS.join(',');

/** The example in docs/statements.md. */
const EXAMPLE = `record_type,statement_id,account,currency,booking_date,value_date,amount,direction,reference,bank_reference,remittance,counterparty,reversal,transaction_code
opening,2024-03-DE89,DE89370400440532013000,EUR,2024-03-01,,-1250.50,,,,,,,
entry,2024-03-DE89,DE89370400440532013000,EUR,2024-03-01,2024-03-01,1234.56,credit,PAYOUT-7781,BR0001,"Card payout, store 17",Acquirer GmbH,false,PMNT/RCDT/DMCT
entry,2024-03-DE89,DE89370400440532013000,EUR,2024-03-02,2024-03-04,0.05,debit,,,Fee,,false,
closing,2024-03-DE89,DE89370400440532013000,EUR,2024-03-31,,-15.99,,,,,,,
`;

/** A statement as the CSV carries it: no creation time, statement text, MT940 numbers or repairs. */
function asCsv(st: BankStatement): BankStatement {
  return {
    format: 'csv', statementId: st.statementId, account: st.account, currency: st.currency, opening: st.opening, closing: st.closing, createdAt: null,
    entries: st.entries.map((e) => ({ index: e.index, amountMinor: e.amountMinor, direction: e.direction, currency: e.currency, bookingDate: e.bookingDate, valueDate: e.valueDate, reference: e.reference, bankReference: e.bankReference, remittance: e.remittance, counterparty: e.counterparty, reversal: e.reversal, transactionCode: e.transactionCode })),
    closingAvailable: st.closingAvailable ?? null, forwardAvailable: st.forwardAvailable ?? [],
  };
}

describe('statement CSV', () => {
  it('reads the documented example', () => {
    assert.deepEqual(statementsOf(parseStatement(new TextEncoder().encode(EXAMPLE))), [
      {
        format: 'csv', statementId: '2024-03-DE89', account: 'DE89370400440532013000', currency: 'EUR',
        opening: { amountMinor: -125050, date: '2024-03-01' }, closing: { amountMinor: -1599, date: '2024-03-31' }, createdAt: null,
        entries: [
          { index: 1, amountMinor: 123456, direction: 'credit', currency: 'EUR', bookingDate: '2024-03-01', valueDate: '2024-03-01', reference: 'PAYOUT-7781', bankReference: 'BR0001', remittance: 'Card payout, store 17', counterparty: 'Acquirer GmbH', reversal: false, transactionCode: 'PMNT/RCDT/DMCT' },
          { index: 2, amountMinor: 5, direction: 'debit', currency: 'EUR', bookingDate: '2024-03-02', valueDate: '2024-03-04', reference: null, bankReference: null, remittance: 'Fee', counterparty: null, reversal: false, transactionCode: null },
        ],
        closingAvailable: null, forwardAvailable: [],
      },
    ]);
  });
  it('every sample statement (camt.053 and MT940) survives write → read', () => {
    const files = [...sampleFiles('camt053', '.xml').map((f) => ['camt053', f] as const), ...sampleFiles('mt940', '.sta').map((f) => ['mt940', f] as const)].filter(([, f]) => !f.startsWith('bad_'));
    assert.equal(files.length, 12);
    for (const [dir, file] of files) {
      const statements = statementsOf(parseStatement(sampleBytes(dir, file))).map(asCsv);
      assert.deepEqual(statementsOf(parseStatementCsv(writeStatementCsv(statements))), statements, file);
    }
  });
  it('round trip with EUR/JPY/BHD, negative balances, quotes, commas, line breaks and padding spaces', () => {
    for (const text of ['plain', 'special'] as const) {
      const statements = roundTripStatements('csv', text);
      statements[0]!.entries[1]!.remittance = 'line one\r\nline "two", three ';
      const csv = writeStatementCsv(statements);
      assert.deepEqual(statementsOf(parseStatementCsv(csv)), statements, text);
      assert.equal([...statementCsvChunks(statements)].join(''), csv);
    }
    const csv = writeStatementCsv(roundTripStatements('csv', 'plain'));
    assert.ok(csv.includes('\r\nentry,JP-STMT/7,JP00TESTACCOUNT1234,JPY,2024-02-29,2024-02-29,1500000,debit,JPY1,,Rent February,,false,NTRF\r\n'));
    assert.ok(csv.includes('\r\nopening,BH-1/1/2,BH67BMAG00001299123456,BHD,2023-12-31,,1.234,,,,,,,\r\n'));
  });
  const bad = (csv: string): unknown => {
    const r = parseStatementCsv(csv);
    assert.equal(r.ok, false);
    return r.ok ? null : r.error;
  };
  const row = (over: Partial<Record<(typeof STATEMENT_CSV_COLUMNS)[number], string>>): string =>
    STATEMENT_CSV_COLUMNS.map((c) => over[c] ?? { record_type: 'entry', statement_id: 'S', account: 'A', currency: 'EUR', booking_date: '2024-01-01', value_date: '', amount: '1.00', direction: 'credit', reversal: 'false' }[c as string] ?? '').join(',');
  it('errors: columns, record types, amounts, directions, dates, order, syntax', () => {
    assert.deepEqual(bad('record_type,statement_id\nentry,S\n'), { code: 'statement_missing_column', message: `line 1: the header has no "account" column (expected ${HEADER})`, line: 1 });
    assert.deepEqual(bad(`${HEADER}\n${row({ record_type: 'balance' })}\n`), { code: 'statement_invalid_csv', message: 'line 2: record_type "balance" is not one of opening, entry, closing, closing_available, forward_available', line: 2 });
    assert.deepEqual(bad(`${HEADER}\n${row({ amount: '1.005' })}\n`), { code: 'statement_invalid_amount', message: 'line 2: amount "1.005" has 3 decimals; EUR has 2 and the extra digits are not zeros', line: 2 });
    assert.deepEqual(bad(`${HEADER}\n${row({ amount: '-1.00' })}\n`), { code: 'statement_invalid_amount', message: 'line 2: amount "-1.00" must not be negative (the sign is given by credit/debit)', line: 2 });
    assert.deepEqual(bad(`${HEADER}\n${row({ direction: 'CRDT' })}\n`), { code: 'statement_invalid_csv', message: 'line 2: direction "CRDT" is not credit or debit', line: 2 });
    assert.deepEqual(bad(`${HEADER}\n${row({ booking_date: '2024-02-30' })}\n`), { code: 'statement_invalid_date', message: 'line 2: "2024-02-30" is not a calendar date (YYYY-MM-DD)', line: 2 });
    assert.deepEqual(bad(`${HEADER}\n${row({ currency: 'EURO' })}\n`), { code: 'statement_invalid_currency', message: 'line 2: "EURO" is not an ISO 4217 currency with a minor unit', line: 2 });
    assert.deepEqual(bad(`${HEADER}\n${row({})}\n${row({ statement_id: 'T' })}\n${row({})}\n`), { code: 'statement_invalid_csv', message: 'line 4: rows of statement "S" must be consecutive; it started earlier', line: 4 });
    assert.deepEqual(bad(`${HEADER}\n${row({ record_type: 'closing', direction: '' })}\n${row({ record_type: 'closing', direction: '' })}\n`), { code: 'statement_invalid_csv', message: 'line 3: statement "S" has a second closing row', line: 3 });
    assert.deepEqual(bad(`${HEADER}\n${row({ record_type: 'closing', direction: '' })}\n${row({})}\n`), { code: 'statement_invalid_csv', message: 'line 3: an entry after the closing balance of statement "S"', line: 3 });
    assert.deepEqual(bad(`${HEADER}\n${row({ record_type: 'closing', booking_date: '' })}\n`), { code: 'statement_invalid_date', message: 'line 2: a closing balance needs its date in booking_date', line: 2 });
    assert.deepEqual(bad(`${HEADER}\n${row({ remittance: '"unclosed' })}\n`), { code: 'statement_invalid_csv', message: 'line 2: Quote Not Closed: the parsing is finished with an opening quote at line 2', line: 2 });
    assert.deepEqual(bad(`${HEADER}\n`), { code: 'statement_empty', message: 'line 2: the CSV has a header but no rows', line: 2 });
  });
  it('is detected by its header; the optional columns may be left out', () => {
    const short = `${STATEMENT_CSV_COLUMNS.slice(0, 12).join(',')}\nentry,S,A,EUR,2024-01-01,,1.00,credit,,,,\n`;
    const r = statementsOf(parseStatement(short));
    assert.deepEqual(r[0]!.entries.map((e) => [e.reversal, e.transactionCode, e.amountMinor]), [[false, null, 100]]);
  });
  it('an opening row after a statement starts the next one, also under the same id (Rabobank numbers all statements 0)', () => {
    const csv = `${HEADER}\n${row({ record_type: 'opening', direction: '' })}\n${row({})}\n${row({ record_type: 'opening', direction: '', amount: '2.00' })}\n`;
    assert.deepEqual(statementsOf(parseStatementCsv(csv)).map((s) => [s.statementId, s.opening?.amountMinor, s.entries.length]), [['S', 100, 1], ['S', 200, 0]]);
  });
});
