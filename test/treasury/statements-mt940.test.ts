/**
 * MT940 samples (mt940-rs test suite): every file parses to what mt940-rs
 * read, field by field, mapped to our model; every bad_ file has its exact
 * outcome. Mapping notes, where the two parsers differ on purpose:
 * - mt940-rs sanitises its input to the SWIFT charset (umlauts to base
 *   letters, other characters to '.'); we keep the bank's text, so our text
 *   is compared after the same sanitising (`mt940RsSanitise`).
 * - Free-text `:86:` lines: mt940-rs keeps '\n', we join lines with ' '.
 * - DK `:86:`: mt940-rs's `purpose` (+ `additional_purpose`, ?60–?63) is the
 *   purpose; with SEPA keywords our remittance is the SVWZ+ value and the
 *   reference the EREF+ value (`sepaValue` restates the rule independently).
 * - `RC` (reversal of a credit) is printed by mt940-rs as "ReverseDebit":
 *   by SWIFT it is a debit entry, which is what we give.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseStatement } from '../../src/treasury/statements/parse-statement.js';
import { parseMt940 } from '../../src/treasury/statements/mt940.js';
import { mt940Chunks, writeMt940 } from '../../src/treasury/statements/mt940-writer.js';
import { toSwiftX } from '../../src/treasury/statements/swift-charset.js';
import { expectedJson, majorToMinor, roundTripStatements, sampleBytes, sampleFiles, statementsOf } from './statements-helpers.js';

interface RsBalance {
  debit_credit_indicator: 'Credit' | 'Debit';
  date: string;
  iso_currency_code: string;
  amount: string;
}
interface RsDk {
  purpose?: string;
  additional_purpose?: string;
  applicant_name?: string;
}
interface RsLine {
  value_date: string;
  entry_date: string | null;
  ext_debit_credit_indicator: 'Credit' | 'Debit' | 'ReverseCredit' | 'ReverseDebit';
  amount: string;
  transaction_type_ident_code: string | { NonStandard: string };
  customer_ref: string;
  bank_ref: string | null;
  supplementary_details: string | null;
  information_to_account_owner: string | RsDk | null;
}
interface RsStatement {
  transaction_ref_no: string;
  account_id: string;
  statement_no: string;
  sequence_no: string | null;
  opening_balance: RsBalance;
  closing_balance: RsBalance;
  closing_available_balance: RsBalance | null;
  forward_available_balance: RsBalance | null;
  statement_lines: RsLine[];
  information_to_account_owner: string | null;
}

const EXPONENT: Readonly<Record<string, number>> = { EUR: 2, PLN: 2, HUF: 2 };

function mt940RsSanitise(s: string | null): string | null {
  if (s === null) return null;
  return s.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/[^A-Za-z0-9/\-?:().,+ ]/g, '.');
}

const SEPA = /(EREF|KREF|MREF|CRED|DEBT|COAM|OAMT|SVWZ|ABWA|ABWE|IBAN|BIC)\+/g;

/** The value of SEPA keyword `key` in a purpose text: up to the next keyword (identifiers also stop at a label like `MTLG:`). */
function sepaValue(purpose: string, key: string): string | undefined {
  const keys = [...purpose.matchAll(SEPA)];
  const i = keys.findIndex((m) => m[1] === key);
  if (i === -1) return undefined;
  const from = keys[i]!.index + keys[i]![0].length;
  let to = keys[i + 1]?.index ?? purpose.length;
  if (key !== 'SVWZ') {
    const label = /[A-Z]{4}:/.exec(purpose.slice(from));
    if (label !== null) to = Math.min(to, from + label.index);
  }
  return purpose.slice(from, to).trim();
}

function coded(text: string, code: string): string | null {
  const m = new RegExp(`/${code}/(.*?)(?=/[A-Z]{4}/|$)`).exec(text.replace(/\n/g, ''));
  return m?.[1]?.trim() || null;
}

function expectedEntry(l: RsLine): { reference: string | null; remittance: string | null; counterparty: string | null } {
  const info = l.information_to_account_owner;
  const custRef = l.customer_ref.trim() === 'NONREF' ? null : l.customer_ref.trim();
  if (info === null) return { reference: custRef, remittance: null, counterparty: null };
  if (typeof info === 'string') {
    const text = info.replace(/\n/g, ' ').trim() || null;
    if (info.trimStart().startsWith('/')) return { reference: coded(info, 'EREF') ?? custRef, remittance: text, counterparty: coded(info, 'NAME') };
    return { reference: custRef, remittance: text, counterparty: null };
  }
  const purpose = (info.purpose ?? '') + (info.additional_purpose ?? '');
  const eref = sepaValue(purpose, 'EREF');
  const svwz = sepaValue(purpose, 'SVWZ');
  return {
    reference: eref !== undefined && eref !== '' ? eref : custRef,
    remittance: svwz !== undefined ? svwz || null : purpose.trim() || null,
    counterparty: info.applicant_name?.trim() || null,
  };
}

function balance(b: RsBalance): { amountMinor: number; date: string } {
  const minor = majorToMinor(b.amount, EXPONENT[b.iso_currency_code]!);
  return { amountMinor: b.debit_credit_indicator === 'Debit' ? -minor : minor, date: b.date };
}

describe('MT940 samples: every good file reads as mt940-rs read it', () => {
  const files = sampleFiles('mt940', '.sta').filter((f) => !f.startsWith('bad_'));
  it('has the seven good sample files', () => {
    assert.deepEqual(files, ['abnamro_mt940.sta', 'betterplace_sepa_mt9401.sta', 'cmxl_mt940_1.sta', 'jejik_ing.sta', 'jejik_rabobank-iban.sta', 'mBank_mt940.sta', 'sparkasse_buxtehude.sta']);
  });
  for (const file of files) {
    it(file, () => {
      const got = statementsOf(parseStatement(sampleBytes('mt940', file)));
      const want = expectedJson('mt940', file.replace(/\.sta$/, '.expected.json')) as RsStatement[];
      assert.equal(got.length, want.length, 'statement count');
      want.forEach((w, s) => {
        const g = got[s]!;
        const where = `${file} statement ${String(s + 1)}`;
        assert.equal(g.format, 'mt940');
        const number = w.sequence_no === null ? w.statement_no : `${w.statement_no}/${w.sequence_no}`;
        assert.equal(g.statementId, `${w.transaction_ref_no}/${number}`, where);
        assert.equal(g.statementNumber, number, where);
        assert.equal(g.account, w.account_id, where);
        assert.equal(g.currency, w.opening_balance.iso_currency_code, where);
        assert.deepEqual(g.opening, balance(w.opening_balance), `${where} opening`);
        assert.deepEqual(g.closing, balance(w.closing_balance), `${where} closing`);
        assert.deepEqual(g.closingAvailable, w.closing_available_balance === null ? null : balance(w.closing_available_balance), `${where} :64:`);
        assert.deepEqual(g.forwardAvailable, w.forward_available_balance === null ? [] : [balance(w.forward_available_balance)], `${where} :65:`);
        // mt940-rs keeps ING's "-XXX" trailer line in the statement text; we read it as the end of the message.
        const info = w.information_to_account_owner?.replace(/\n-XXX$/, '').replace(/\n/g, ' ') ?? null;
        assert.equal(mt940RsSanitise(g.information ?? null), info, `${where} statement :86:`);
        assert.equal(g.createdAt, null);
        assert.equal(g.repairs, undefined, `${where}: no repairs`);
        assert.equal(g.entries.length, w.statement_lines.length, `${where} entry count`);
        w.statement_lines.forEach((l, i) => {
          const e = g.entries[i]!;
          const at = `${where} entry ${String(i + 1)}`;
          assert.equal(e.index, i + 1);
          assert.equal(e.amountMinor, majorToMinor(l.amount, EXPONENT[g.currency]!), `${at} amount`);
          const rev = l.ext_debit_credit_indicator.startsWith('Reverse');
          assert.equal(e.direction, l.ext_debit_credit_indicator.endsWith('Credit') ? 'credit' : 'debit', `${at} direction`);
          assert.equal(e.reversal, rev, `${at} reversal`);
          assert.equal(e.currency, w.opening_balance.iso_currency_code, `${at} currency`);
          assert.equal(e.valueDate, l.value_date, `${at} value date`);
          assert.equal(e.bookingDate, l.entry_date, `${at} booking date`);
          const code = typeof l.transaction_type_ident_code === 'string' ? l.transaction_type_ident_code : l.transaction_type_ident_code.NonStandard;
          assert.equal(e.transactionCode, `N${code}`, `${at} type code`);
          assert.equal(e.bankReference, l.bank_ref, `${at} bank reference`);
          assert.equal(e.supplementaryDetails, l.supplementary_details, `${at} supplementary details`);
          const x = expectedEntry(l);
          assert.equal(mt940RsSanitise(e.reference), x.reference, `${at} reference`);
          assert.equal(mt940RsSanitise(e.remittance), x.remittance, `${at} remittance`);
          assert.equal(mt940RsSanitise(e.counterparty), x.counterparty, `${at} counterparty`);
        });
      });
    });
  }
});

describe('MT940 bad_ samples: each has one exact outcome', () => {
  const bad = (file: string, options = {}): unknown => {
    const r = parseStatement(sampleBytes('mt940', file), options);
    assert.equal(r.ok, false, `${file} must not parse`);
    return r.ok ? null : r.error;
  };
  it('covers every bad_ file', () => {
    assert.deepEqual(sampleFiles('mt940', '.sta').filter((f) => f.startsWith('bad_')), [
      'bad_betterplace_sepa_snippet_broken.sta', 'bad_jejik_knab_broken.sta', 'bad_special-cases_february_30.sta',
      'bad_special-cases_incomplete_tag_61.sta', 'bad_special-cases_invalid_statement.sta', 'bad_special-cases_invalid_utf8.sta',
      'bad_special-cases_overly_long_details.sta', 'bad_special-cases_unexpected_tag.sta', 'bad_special-cases_unknown_tag.sta',
    ]);
  });
  it('betterplace snippet: a :25: where the :86: of the entry should be', () => {
    assert.deepEqual(bad('bad_betterplace_sepa_snippet_broken.sta'), {
      code: 'statement_unexpected_tag',
      message: "line 6: ':25:' where ':61:', ':86:' or ':62F:' (closing balance) was expected (statement from line 1)",
      line: 6,
    });
  });
  it('knab: an amount without its decimal comma in the second statement (the first, valid one is not returned alone)', () => {
    assert.deepEqual(bad('bad_jejik_knab_broken.sta'), { code: 'statement_invalid_amount', message: 'line 17: :61: amount "500" has no decimal comma', line: 17 });
  });
  it('30 February: repaired to the 29th (leap year 2016), with a repairs note', () => {
    const [st, ...more] = statementsOf(parseStatement(sampleBytes('mt940', 'bad_special-cases_february_30.sta')));
    assert.equal(more.length, 0);
    assert.deepEqual(st!.repairs, ['line 6: value date 160230 (2016-02-30) does not exist; read as 2016-02-29, the last day of the month']);
    assert.deepEqual(st!.entries.map((e) => [e.valueDate, e.bookingDate, e.amountMinor, e.direction, e.remittance]), [['2016-02-29', '2016-03-01', 600, 'debit', 'Pauschalen']]);
    assert.deepEqual([st!.statementId, st!.opening, st!.closing], ['STARTUMSE/00000/001', { amountMinor: 120000, date: '2016-02-29' }, { amountMinor: 119400, date: '2016-03-01' }]);
  });
  it('incomplete :61: (no customer reference)', () => {
    assert.deepEqual(bad('bad_special-cases_incomplete_tag_61.sta'), {
      code: 'statement_invalid_field',
      message: "line 5: :61: ends after the transaction type 'NMSC': the customer reference (mandatory; 'NONREF' when there is none) is missing in \"170914D233,15NMSC\"",
      line: 5,
    });
  });
  it('invalid statement (lines 1…10): not a statement file; as MT940, no :20:', () => {
    assert.deepEqual(bad('bad_special-cases_invalid_statement.sta'), {
      code: 'statement_unknown_format',
      message: 'line 1: not a statement file: expected camt.053 XML, MT940 (a line starting with :20:) or the statement CSV (a header starting with record_type)',
      line: 1,
    });
    assert.deepEqual(bad('bad_special-cases_invalid_statement.sta', { format: 'mt940' }), { code: 'statement_missing_tag', message: "line 1: no ':20:' tag: this is not an MT940 statement", line: 1 });
  });
  it('invalid UTF-8 (CP852 Hungarian): refused, since its C1 bytes rule out ISO-8859-1; forced to Latin-1 it still lacks a :61: reference', () => {
    assert.deepEqual(bad('bad_special-cases_invalid_utf8.sta'), {
      code: 'statement_invalid_encoding',
      message: 'line 7: invalid UTF-8 at byte 127 (0xa0); the file must be UTF-8 or ISO-8859-1 (it holds bytes 0x80–0x9F, which ISO-8859-1 text never does)',
      line: 7,
    });
    assert.deepEqual(bad('bad_special-cases_invalid_utf8.sta', { encoding: 'utf-8' }), {
      code: 'statement_invalid_encoding',
      message: 'line 7: invalid UTF-8 at byte 127 (0xa0); the file must be UTF-8',
      line: 7,
    });
    assert.deepEqual(bad('bad_special-cases_invalid_utf8.sta', { encoding: 'latin1' }), {
      code: 'statement_invalid_field',
      message: "line 6: :61: ends after the transaction type 'N527': the customer reference (mandatory; 'NONREF' when there is none) is missing in \"180417CF2066637,00N527\"",
      line: 6,
    });
  });
  it('overly long :86: (11 lines, SWIFT allows 6): accepted whole, DK subfields ?20–?29 and ?60–?63 all read', () => {
    const [st] = statementsOf(parseStatement(sampleBytes('mt940', 'bad_special-cases_overly_long_details.sta')));
    const e = st!.entries[0]!;
    assert.equal(st!.repairs, undefined);
    assert.equal(e.reference, '123/123/12345-----L1101234567890123');
    assert.equal(e.bankReference, 'QEE');
    assert.equal(e.counterparty, 'Finanzamt Muenchen Abteilung Erhebung');
    // SVWZ+ runs to the next SEPA keyword: the last one, ABWA+ (ultimate debtor "Finanzamt Sentinel" in ?62), is not remittance.
    assert.equal(
      e.remittance,
      'STEUERNR 123/123/12345     KOERPST 3VJ.17  233,15EUR EREF: 123/123/12345-----L1112345678912345 MREF: BYA12345678901 CRED: DE99ZZZ00000012345 IBAN: DE00700500000000012345 BIC: BYLADEMM ABWA: Finanzamt Muenchen',
    );
  });
  it('unexpected tag: :28C: where the account :25: belongs', () => {
    assert.deepEqual(bad('bad_special-cases_unexpected_tag.sta'), { code: 'statement_unexpected_tag', message: "line 3: ':28C:' where ':25:' (account) was expected (statement from line 2)", line: 3 });
  });
  it('unknown tag :12:', () => {
    assert.deepEqual(bad('bad_special-cases_unknown_tag.sta'), { code: 'statement_unknown_tag', message: "line 9: unknown tag ':12:' in the statement that starts at line 2", line: 9 });
  });
});

describe('MT940 text rules', () => {
  const small = (body: string): string => `:20:REF\r\n:25:DE89370400440532013000\r\n:28C:1/1\r\n:60F:C240301EUR100,00\r\n${body}:62F:C240301EUR100,00\r\n-\r\n`;
  it('reads ISO-8859-1 bytes (no C1 bytes) as Latin-1 and notes the repair', () => {
    const text = small(':61:2403010301C1,00NTRFNONREF\r\n:86:Zahlung f\u00fcr M\u00fcller\r\n');
    const bytes = Uint8Array.from([...text].map((c) => c.charCodeAt(0)));
    const [st] = statementsOf(parseStatement(bytes));
    assert.equal(st!.entries[0]!.remittance, 'Zahlung f\u00fcr M\u00fcller');
    assert.deepEqual(st!.repairs, ['line 6: the file is not UTF-8 (byte 114 (0xfc)); read as ISO-8859-1']);
  });
  it('forced ISO-8859-1 reads every byte as that letter: 0x80–0x9F are C1 codes, not Windows-1252 letters', () => {
    const text = small(':61:2403010301C1,00NTRFNONREF\r\n:86:A\u0080B\u009fC \u00e9\r\n');
    const bytes = Uint8Array.from([...text].map((c) => c.charCodeAt(0)));
    const [st] = statementsOf(parseStatement(bytes, { format: 'mt940', encoding: 'latin1' }));
    assert.equal(st!.entries[0]!.remittance, 'A\u0080B\u009fC \u00e9'); // Windows-1252 would give '€' and 'Ÿ'
    assert.equal(st!.repairs, undefined);
  });
  it('years: 00–79 are 20xx, 80–99 are 19xx; an entry date in January after a December value date is next year', () => {
    const [st] = statementsOf(parseMt940(small(':61:7912310102C1,00NTRFNONREF\r\n:61:8001010101D1,00NTRFNONREF\r\n')));
    assert.deepEqual(st!.entries.map((e) => [e.valueDate, e.bookingDate]), [['2079-12-31', '2080-01-02'], ['1980-01-01', '1980-01-01']]);
  });
  it('RC is a reversed credit (a debit entry), RD a reversed debit (a credit entry); funds code and bank reference read', () => {
    const [st] = statementsOf(parseMt940(small(':61:2403010301RCR5,00NTRFABC//BANK1\r\nSUPPL\r\n:61:240301RD5,NCHGNONREF\r\n')));
    assert.deepEqual(st!.entries.map((e) => [e.direction, e.reversal, e.amountMinor, e.reference, e.bankReference, e.supplementaryDetails, e.transactionCode]), [
      ['debit', true, 500, 'ABC', 'BANK1', 'SUPPL', 'NTRF'],
      ['credit', true, 500, null, null, null, 'NCHG'],
    ]);
  });
  it('more decimals than the currency has: zeros are fine, other digits are an error', () => {
    assert.equal(statementsOf(parseMt940(small(':61:240301C1,500NTRFNONREF\r\n')))[0]!.entries[0]!.amountMinor, 150);
    assert.deepEqual(parseMt940(small(':61:240301C1,505NTRFNONREF\r\n')), {
      ok: false,
      error: { code: 'statement_invalid_amount', message: "line 5: :61: amount \"1,505\" has more decimals than the currency's 2 and they are not zeros", line: 5 },
    });
  });
  it('an impossible date (day 32, month 13) is an error, not a repair', () => {
    assert.deepEqual(parseMt940(small(':61:241301C1,00NTRFNONREF\r\n')), {
      ok: false,
      error: { code: 'statement_invalid_date', message: 'line 5: "241301" is not a date (YYMMDD)', line: 5 },
    });
  });
  it('a value date with a letter is an error even after valid dates were read (the date cache holds digits only)', () => {
    assert.deepEqual(parseMt940(small(':61:240317C1,00NTRFNONREF\r\n:61:24030AC1,00NTRFNONREF\r\n')), {
      ok: false,
      error: { code: 'statement_invalid_date', message: 'line 6: "24030A" is not a date (YYMMDD)', line: 6 },
    });
  });
  it('a file that ends before the closing balance is truncated', () => {
    assert.deepEqual(parseMt940(':20:REF\n:25:ACC\n:28C:1\n:60F:C240301EUR1,00\n:61:240301C1,00NTRFNONREF\n'), {
      ok: false,
      error: { code: 'statement_truncated', message: "line 6: the statement that starts at line 1 ends before ':61:', ':86:' or ':62F:' (closing balance)", line: 6 },
    });
  });
  it('a line longer than 8 KiB is refused', () => {
    const r = parseMt940(small(`:86:${'x'.repeat(9000)}\r\n`));
    assert.deepEqual(r, { ok: false, error: { code: 'statement_line_too_long', message: 'line 5: the line has 9004 characters; at most 8192 are read', line: 5 } });
  });
});

describe('MT940 writer: what it writes reads back identically', () => {
  it('EUR/JPY/BHD, negative balances, debits, reversal, long references (EREF+), long names (?32/?33), wrapped text', () => {
    const statements = roundTripStatements('mt940', 'plain');
    const text = writeMt940(statements);
    assert.deepEqual(statementsOf(parseMt940(text)), statements);
    assert.deepEqual([...mt940Chunks(statements)].join(''), text);
    for (const l of text.split('\r\n')) assert.ok(l.length <= 65, `line within 65 characters: ${l}`);
    assert.ok(text.includes(':61:2403040302D0,05NCHGNONREF\r\n:86:000?20EREF+A-VERY-LONG-END-TO-END?21-REFERENCE-0042SVWZ+Fee\r\n'));
    assert.ok(text.includes(':61:2403010301RC980,00NRTINONREF//REV-9\r\n'));
    assert.ok(text.includes(':60F:D240301EUR1250,50\r\n'));
    assert.ok(text.includes(':62F:D240229JPY1500000,\r\n'));
    assert.ok(text.includes(':60F:C231231BHD1,234\r\n'));
  });
  it('SWIFT X charset: umlauts spelled out, other letters to their base, anything else to "."; "?" never inside DK text', () => {
    const [st] = statementsOf(parseMt940(writeMt940(roundTripStatements('mt940', 'special'))));
    assert.equal(st!.entries[0]!.remittance, 'Card payout .store 17. . .fees. . 1,05 EUR');
    assert.equal(st!.entries[0]!.counterparty, 'Mueller . Soehne .GmbH.');
    assert.equal(st!.entries[1]!.remittance, "Fee 'monthly' . more");
    assert.equal(toSwiftX('Łódź €5 naïve São Paulo ß ✓ a?b'), 'Lodz .5 naive Sao Paulo ss . a?b');
    const q = roundTripStatements('mt940', 'plain');
    q[0]!.entries[0]!.remittance = 'What? Why?';
    assert.equal(statementsOf(parseMt940(writeMt940(q)))[0]!.entries[0]!.remittance, 'What. Why.');
  });
  it("charset 'utf-8' keeps the text as it is", () => {
    const statements = roundTripStatements('mt940', 'special');
    assert.deepEqual(statementsOf(parseMt940(writeMt940(statements, { charset: 'utf-8' }))), statements);
  });
  it('every good sample: read, write (utf-8), read again gives the same statements', () => {
    for (const file of sampleFiles('mt940', '.sta').filter((f) => !f.startsWith('bad_'))) {
      const once = statementsOf(parseStatement(sampleBytes('mt940', file)));
      assert.deepEqual(statementsOf(parseMt940(writeMt940(once, { charset: 'utf-8' }))), once, file);
    }
  });
  it('refuses what MT940 cannot hold', () => {
    const [st] = roundTripStatements('mt940', 'plain');
    assert.throws(() => writeMt940([{ ...st!, opening: null }]), /MT940 needs opening and closing balances/);
    assert.throws(() => writeMt940([{ ...st!, entries: [{ ...st!.entries[0]!, currency: 'USD' }] }]), /entries are in the statement currency/);
    assert.throws(() => writeMt940([{ ...st!, closing: { amountMinor: 1, date: '2080-01-01' } }]), /two digits/);
  });
});
