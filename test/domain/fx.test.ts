import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { currencyExponent } from '../../src/domain/currency.js';
import { DEFAULT_USD_PER_UNIT } from '../../src/domain/fx-defaults.js';
import { FxTable, FxTableError, parseUtcDay, type FxRateRow } from '../../src/domain/fx.js';
import { parseDecimal } from '../../src/domain/money.js';
import { FIREHOSE_CURRENCIES } from '../../src/firehose/currencies.js';
import { Prng } from '../../src/firehose/prng.js';

const at = (date: string, h = 12): number => Date.parse(`${date}T${String(h).padStart(2, '0')}:00:00Z`);

/** Half-to-even rounding of amount × rate × 10^(to − from), done with decimal strings and BigInt only. */
function referenceConvert(amount: number, rate: string, fromExp: number, toExp: number): number {
  const { units, scale } = parseDecimal(rate);
  let num = BigInt(amount) * units * 10n ** BigInt(Math.max(0, toExp - fromExp));
  const den = 10n ** BigInt(scale + Math.max(0, fromExp - toExp));
  const neg = num < 0n;
  if (neg) num = -num;
  let q = num / den;
  const twice = (num % den) * 2n;
  if (twice > den || (twice === den && q % 2n === 1n)) q += 1n;
  return Number(neg ? -q : q);
}

void describe('FxTable', () => {
  const rows: FxRateRow[] = [
    { date: '2026-01-01', currency: 'USD', rate: '0.92' },
    { date: '2026-01-10', currency: 'USD', rate: '0.9' },
    { date: '2026-01-01', currency: 'JPY', rate: '0.0061' },
    { date: '2026-01-01', currency: 'BHD', rate: '2.4455' },
  ];
  const fx = FxTable.fromRows('EUR', rows);

  void it('uses the latest rate on or before the UTC date of the transaction', () => {
    assert.deepEqual(fx.convert(1000, 'USD', at('2026-01-05')), { ok: true, amount: 920 });
    assert.deepEqual(fx.convert(1000, 'USD', at('2026-01-09', 23)), { ok: true, amount: 920 });
    assert.deepEqual(fx.convert(1000, 'USD', at('2026-01-10', 0)), { ok: true, amount: 900 });
    assert.deepEqual(fx.convert(1000, 'USD', at('2027-06-01')), { ok: true, amount: 900 });
  });

  void it('honours minor-unit exponents (JPY 0, BHD 3) and rounds half to even', () => {
    // 1,000 JPY × 0.0061 = 6.10 EUR.
    assert.deepEqual(fx.convert(1000, 'JPY', at('2026-02-01')), { ok: true, amount: 610 });
    // 1.000 BHD × 2.4455 = 2.4455 EUR = 244.55 cents → 245.
    assert.deepEqual(fx.convert(1000, 'BHD', at('2026-02-01')), { ok: true, amount: 245 });
    // 0.200 BHD × 2.4455 = 48.91 cents → 49; 2 fils × 2.4455 = 0.4891 cents → 0.
    assert.deepEqual(fx.convert(200, 'BHD', at('2026-02-01')), { ok: true, amount: 49 });
    assert.deepEqual(fx.convert(2, 'BHD', at('2026-02-01')), { ok: true, amount: 0 });
    assert.deepEqual(fx.convert(3000, 'BHD', at('2026-02-01')), { ok: true, amount: 734 }); // 733.65 → 734
    // 0.50 USD × 0.9 = 0.45 exactly; 0.05 USD × 0.9 = 0.045 → 0.04 (half to even).
    assert.deepEqual(fx.convert(5, 'USD', at('2026-02-01')), { ok: true, amount: 4 });
    assert.deepEqual(fx.convert(15, 'USD', at('2026-02-01')), { ok: true, amount: 14 }); // 13.5 → 14
    // Refund-like negatives round symmetrically.
    assert.deepEqual(fx.convert(-5, 'USD', at('2026-02-01')), { ok: true, amount: -4 });
  });

  void it('leaves the reporting currency as it is and says when a rate is missing', () => {
    assert.deepEqual(fx.convert(12345, 'EUR', at('1999-01-01')), { ok: true, amount: 12345 });
    assert.deepEqual(fx.convert(100, 'USD', at('2025-12-31', 23)), { ok: false, code: 'fx_rate_missing', message: 'no FX rate from USD to EUR on or before 2025-12-31' });
    assert.equal(fx.convert(100, 'GBP', at('2026-02-01')).ok, false);
  });

  void it('falls back to another table for what the rows do not cover', () => {
    const layered = FxTable.fromRows('EUR', rows, FxTable.defaults('EUR'));
    assert.deepEqual(layered.convert(1000, 'USD', at('2026-01-05')), { ok: true, amount: 920 });
    // Before the first uploaded USD rate, and for GBP: the defaults (1.10 USD per EUR, 1.27 per GBP).
    assert.deepEqual(layered.convert(1100, 'USD', at('2025-06-01')), { ok: true, amount: 1000 });
    assert.deepEqual(layered.convert(1100, 'GBP', at('2026-02-01')), { ok: true, amount: 1270 });
  });

  void it('rejects bad rows, naming the row, field and value', () => {
    const bad: [FxRateRow, RegExp][] = [
      [{ date: '2026-02-30', currency: 'USD', rate: '1' }, /FX row 1: date '2026-02-30'/],
      [{ date: '2026-2-3', currency: 'USD', rate: '1' }, /date '2026-2-3'/],
      [{ date: '2026-02-03', currency: 'ZZZ', rate: '1' }, /currency 'ZZZ'/],
      [{ date: '2026-02-03', currency: 'USD', rate: '1e3' }, /rate '1e3' is not a decimal/],
      [{ date: '2026-02-03', currency: 'USD', rate: '0' }, /rate '0' must be greater than 0/],
      [{ date: '2026-02-03', currency: 'USD', rate: '-1.2' }, /must be greater than 0/],
      [{ date: '2026-02-03', currency: 'EUR', rate: '1.01' }, /converts to itself at 1/],
    ];
    for (const [row, message] of bad) assert.throws(() => FxTable.fromRows('EUR', [row]), (e: unknown) => e instanceof FxTableError && e.code === 'fx_invalid' && message.test(e.message));
    assert.throws(() => FxTable.fromRows('EUR', [rows[0]!, { ...rows[0]!, rate: '0.93' }]), /two FX rates for USD on 2026-01-01/);
    assert.throws(() => FxTable.fromRows('XYZ', []), FxTableError);
    assert.doesNotThrow(() => FxTable.fromRows('EUR', [{ date: '2026-02-03', currency: 'EUR', rate: '1.000' }]));
  });

  void it('matches a decimal reference for random amounts, rates and currencies', () => {
    const rng = new Prng(5);
    const codes = ['JPY', 'BHD', 'USD', 'KWD', 'CLP', 'EUR', 'INR'];
    for (let i = 0; i < 2000; i++) {
      const reporting = codes[rng.int(codes.length)]!;
      let from = codes[rng.int(codes.length)]!;
      if (from === reporting) from = reporting === 'USD' ? 'JPY' : 'USD';
      const rate = `${String(rng.int(5000))}.${String(1 + rng.int(999_999)).padStart(6, '0')}`;
      const amount = rng.int(2_000_000) - 200_000;
      const table = FxTable.fromRows(reporting, [{ date: '2026-01-01', currency: from, rate }]);
      const got = table.convert(amount, from, at('2026-03-01'));
      assert.deepEqual(got, { ok: true, amount: referenceConvert(amount, rate, currencyExponent(from)!, currencyExponent(reporting)!) }, `${String(amount)} ${from} × ${rate} → ${reporting}`);
    }
  });
});

void describe('default FX table', () => {
  void it('covers every currency the firehose sells in, for every reporting currency', () => {
    for (const code of FIREHOSE_CURRENCIES) assert.ok(DEFAULT_USD_PER_UNIT[code] !== undefined, code);
    const eur = FxTable.defaults('EUR');
    for (const code of FIREHOSE_CURRENCIES) assert.equal(eur.convert(100, code, at('2026-01-01')).ok, true, code);
  });

  void it('converts through USD exactly: 1.27 USD per GBP and 1.10 per EUR give 1 GBP = 1.1545… EUR', () => {
    const eur = FxTable.defaults('EUR');
    // 10,000.00 GBP × 1.27 / 1.10 = 11,545.4545… EUR → 11,545.45
    assert.deepEqual(eur.convert(1_000_000, 'GBP', at('2026-01-01')), { ok: true, amount: 1_154_545 });
    // 1,000 JPY × 0.0067 / 1.10 = 6.0909… EUR → 6.09
    assert.deepEqual(eur.convert(1000, 'JPY', at('2026-01-01')), { ok: true, amount: 609 });
    assert.deepEqual(FxTable.defaults('USD').convert(1000, 'BHD', at('2026-01-01')), { ok: true, amount: 266 }); // 1.000 BHD = 2.6596 USD → 2.66
    assert.throws(() => FxTable.defaults('XAU'), FxTableError);
  });

  void it('is the table docs/metrics.md prints', () => {
    const doc = readFileSync(new URL('../../../docs/metrics.md', import.meta.url), 'utf8');
    const printed = Object.fromEntries([...doc.matchAll(/^\| ([A-Z]{3}) \| [^|]+ \| ([0-9.]+) \|$/gm)].map((m) => [m[1]!, m[2]!]));
    assert.deepEqual(printed, { ...DEFAULT_USD_PER_UNIT });
  });

  void it('parses only real dates', () => {
    assert.equal(parseUtcDay('1970-01-02'), 1);
    assert.equal(parseUtcDay('2024-02-29'), Date.UTC(2024, 1, 29) / 86_400_000);
    for (const bad of ['2023-02-29', '2026-13-01', '2026-00-10', '26-01-01', '2026-01-01T00:00', '']) assert.equal(parseUtcDay(bad), null, bad);
  });
});
