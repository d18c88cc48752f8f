import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { FxTableError } from '../../src/domain/fx.js';
import { FxStore, parseFxText } from '../../src/tenants/fx-store.js';
import { TenantStore } from '../../src/tenants/tenant-store.js';
import { tempDir } from '../support/temp-dir.js';

const CLI = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
const at = (date: string): number => Date.parse(`${date}T12:00:00Z`);

void describe('FX files', () => {
  void it('reads CSV and both JSON shapes alike, rates as written', () => {
    const want = [
      { date: '2026-01-01', currency: 'USD', rate: '0.92' },
      { date: '2026-01-01', currency: 'JPY', rate: '0.0061' },
    ];
    assert.deepEqual(parseFxText('date,currency,rate\n2026-01-01,USD,0.92\n\n2026-01-01,JPY,0.0061\n', 'csv'), want);
    assert.deepEqual(parseFxText(JSON.stringify(want), 'json'), want);
    assert.deepEqual(parseFxText(JSON.stringify({ rates: [{ date: '2026-01-01', currency: 'USD', rate: 0.92 }, want[1]] }), 'json'), want);
  });

  void it('names what is wrong with a file', () => {
    const cases: [string, 'csv' | 'json', RegExp][] = [
      ['currency,date,rate\n', 'csv', /header 'date,currency,rate'/],
      ['date,currency,rate\n2026-01-01,USD\n', 'csv', /FX row 1: expected 3 cells/],
      ['{"rates": 3}', 'json', /array of/],
      ['[{"date":"2026-01-01","currency":"USD","rate":"1","note":"x"}]', 'json', /FX row 1: unknown field 'note'/],
      ['[{"date":"2026-01-01","currency":"USD","rate":true}]', 'json', /rate a number or a string/],
      ['{', 'json', /not valid JSON/],
    ];
    for (const [text, format, message] of cases) assert.throws(() => parseFxText(text, format), (e: unknown) => e instanceof FxTableError && message.test(e.message), text);
  });
});

void describe('FxStore', () => {
  void it('stores a tenant\'s rates over the defaults, and keeps them when an upload is wrong', async () => {
    await using dir = tempDir();
    const fx = new FxStore(dir.path);
    // Nothing uploaded: the default table (1.27 USD per GBP, 1.10 per EUR).
    assert.deepEqual(fx.table('acme', 'EUR').convert(1_000_000, 'GBP', at('2026-01-05')), { ok: true, amount: 1_154_545 });
    writeFileSync(join(dir.path, 'r.csv'), 'date,currency,rate\n2026-01-01,GBP,1.15\n');
    assert.equal(fx.load('acme', 'EUR', join(dir.path, 'r.csv')), 1);
    assert.deepEqual(fx.table('acme', 'EUR').convert(1_000_000, 'GBP', at('2026-01-05')), { ok: true, amount: 1_150_000 });
    assert.deepEqual(fx.table('acme', 'EUR').convert(1_000_000, 'GBP', at('2025-12-31')), { ok: true, amount: 1_154_545 });
    // A wrong upload changes nothing.
    writeFileSync(join(dir.path, 'bad.json'), JSON.stringify([{ date: '2026-01-01', currency: 'GBP', rate: '1.2' }, { date: '2026-01-02', currency: 'EUR', rate: '2' }]));
    assert.throws(() => fx.load('acme', 'EUR', join(dir.path, 'bad.json')), /FX row 2: the reporting currency EUR converts to itself at 1/);
    assert.deepEqual(new FxStore(dir.path).table('acme', 'EUR').convert(1_000_000, 'GBP', at('2026-01-05')), { ok: true, amount: 1_150_000 });
    // A reporting currency the defaults do not know: only uploaded rates.
    assert.equal(fx.table('czk-tenant', 'CZK').convert(100, 'USD', at('2026-01-05')).ok, false);
  });

  void it('loads and shows rates from the command line', async () => {
    await using dir = tempDir();
    new TenantStore(dir.path).createTenant({ id: 'acme', reportingCurrency: 'EUR', businessDayCutoff: '04:00' });
    writeFileSync(join(dir.path, 'r.csv'), 'date,currency,rate\n2026-01-01,USD,0.92\n2026-01-10,USD,0.90\n');
    const run = (...args: string[]): string => execFileSync(process.execPath, [CLI, '--data-dir', dir.path, 'fx', ...args], { encoding: 'utf8' });
    assert.equal(run('load', '--tenant', 'acme', join(dir.path, 'r.csv')), 'loaded 2 FX rates for acme (into EUR)\n');
    const lines = run('show', '--tenant', 'acme', '--date', '2026-01-11', '--json').trim().split('\n').map((l) => JSON.parse(l) as { currency: string; rate: string; source: string });
    assert.deepEqual(lines.find((l) => l.currency === 'USD'), { currency: 'USD', date: '2026-01-11', rate: '9/10', approx: 0.9, source: 'uploaded' });
    assert.deepEqual(lines.find((l) => l.currency === 'EUR'), { currency: 'EUR', date: '2026-01-11', rate: '1/1', approx: 1, source: 'reporting' });
    assert.equal(lines.find((l) => l.currency === 'GBP')?.source, 'default');
    const before = readFileSync(join(dir.path, 'fx', 'acme.json'), 'utf8');
    writeFileSync(join(dir.path, 'bad.csv'), 'date,currency,rate\n2026-02-30,USD,0.9\n');
    const bad = spawnSync(process.execPath, [CLI, '--data-dir', dir.path, 'fx', 'load', '--tenant', 'acme', join(dir.path, 'bad.csv')], { encoding: 'utf8' });
    assert.equal(bad.status, 1);
    assert.equal(bad.stderr, "error: fx_invalid: FX row 1: date '2026-02-30' is not a date in the form YYYY-MM-DD\n");
    assert.equal(readFileSync(join(dir.path, 'fx', 'acme.json'), 'utf8'), before);
  });

  void it('refuses business-day cut-offs that are not a quarter hour', async () => {
    await using dir = tempDir();
    const tenants = new TenantStore(dir.path);
    assert.throws(() => tenants.createTenant({ id: 'a', reportingCurrency: 'EUR', businessDayCutoff: '03:10' }), /must be HH:MM on a quarter hour/);
    assert.equal(tenants.createTenant({ id: 'b', reportingCurrency: 'EUR', businessDayCutoff: '23:45' }).business_day_cutoff, '23:45');
  });
});
