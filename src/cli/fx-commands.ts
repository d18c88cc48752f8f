/** `tpay fx …`: a tenant's FX rates into its reporting currency. */
import type { Command } from 'commander';
import { FxTableError, parseUtcDay } from '../domain/fx.js';
import { DEFAULT_USD_PER_UNIT } from '../domain/fx-defaults.js';
import { FxStore } from '../tenants/fx-store.js';
import { TenantStore, type Tenant } from '../tenants/tenant-store.js';
import { action, configFrom } from './context.js';

function tenantOf(dataDir: string, id: string): Tenant {
  const t = new TenantStore(dataDir).get(id);
  if (t === undefined) throw new Error(`unknown tenant '${id}'`);
  return t;
}

export function registerFxCommands(program: Command): void {
  const fx = program.command('fx').description("FX rates into a tenant's reporting currency (defaults ship built in; see docs/metrics.md)");
  fx.command('load')
    .description("replace a tenant's uploaded rates from a CSV (date,currency,rate) or JSON file; nothing changes on any error")
    .requiredOption('--tenant <id>', 'tenant id')
    .argument('<file>', '.csv with the header date,currency,rate, or .json ([{date, currency, rate}, …] or {"rates": [...]})')
    .option('--format <fmt>', 'json or csv (default: by file extension)')
    .action(
      action(async (file: string, o: { tenant: string; format?: string }, cmd: Command) => {
        const { dataDir } = configFrom(cmd);
        const t = tenantOf(dataDir, o.tenant);
        if (o.format !== undefined && o.format !== 'json' && o.format !== 'csv') throw new Error(`--format must be json or csv, got '${o.format}'`);
        const n = new FxStore(dataDir).load(t.id, t.reporting_currency, file, o.format);
        process.stdout.write(`loaded ${String(n)} FX rates for ${t.id} (into ${t.reporting_currency})\n`);
      }),
    );
  fx.command('show')
    .description('print the rate of every currency on a date: uploaded, else default')
    .requiredOption('--tenant <id>', 'tenant id')
    .option('--date <YYYY-MM-DD>', 'UTC date (default: today)')
    .option('--json', 'JSON lines')
    .action(
      action(async (o: { tenant: string; date?: string; json?: boolean }, cmd: Command) => {
        const { dataDir } = configFrom(cmd);
        const t = tenantOf(dataDir, o.tenant);
        const date = o.date ?? new Date().toISOString().slice(0, 10);
        const day = parseUtcDay(date);
        if (day === null) throw new FxTableError(`--date must be a date in the form YYYY-MM-DD, got '${date}'`);
        const store = new FxStore(dataDir);
        const table = store.table(t.id, t.reporting_currency);
        const own = store.rows(t.id);
        const uploaded = new Set(own.map((r) => r.currency));
        const ownRateOn = (c: string): boolean => own.some((r) => r.currency === c && (parseUtcDay(r.date) ?? Infinity) <= day);
        const currencies = [...new Set([...uploaded, ...Object.keys(DEFAULT_USD_PER_UNIT)])].sort();
        for (const c of currencies) {
          const r = table.rateOn(c, day);
          if (r === null) continue;
          // Display only: conversions use the exact ratio.
          const rate = Number(r.num) / Number(r.den);
          const source = c === t.reporting_currency ? 'reporting' : ownRateOn(c) ? 'uploaded' : 'default';
          if (o.json === true) process.stdout.write(`${JSON.stringify({ currency: c, date, rate: fraction(r.num, r.den), approx: rate, source })}\n`);
          else process.stdout.write(`${c}\t${rate.toPrecision(10)}\t${source}\n`);
        }
      }),
    );
}

/** `num/den` in lowest terms. */
function fraction(num: bigint, den: bigint): string {
  let a = num;
  let b = den;
  while (b !== 0n) [a, b] = [b, a % b];
  return `${String(num / a)}/${String(den / a)}`;
}
