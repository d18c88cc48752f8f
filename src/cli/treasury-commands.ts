/**
 * `tpay treasury …`: a tenant's settlement set-up (acquirers, fee plans,
 * banking-calendar overrides). `tpay statements import` reads bank
 * statement files into the tenant's treasury store. A running server picks
 * both up on its next treasury request.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { Command } from 'commander';
import { isStatementFormat } from '../domain/statement.js';
import { TenantStore } from '../tenants/tenant-store.js';
import { parseSettlementSetup, settlementSetupJson } from '../treasury/settlement-setup.js';
import { importStatementFile, parseStatementFile } from '../treasury/statement-import.js';
import { TreasuryStore } from '../treasury/treasury-store.js';
import { action, configFrom } from './context.js';

function readJson(file: string): unknown {
  const text = readFileSync(file, 'utf8');
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new Error(`${file} is not valid JSON: ${(err as Error).message}`);
  }
}

function knownTenant(dataDir: string, tenant: string): void {
  if (new TenantStore(dataDir).get(tenant) === undefined) throw new Error(`unknown tenant '${tenant}'`);
}

export function registerTreasuryCommands(program: Command): void {
  const treasury = program.command('treasury').description('settlement set-up: acquirers, fee plans, banking calendars');
  const load = (what: string) =>
    action(async (file: string, o: { tenant: string }, cmd: Command) => {
      const config = configFrom(cmd);
      knownTenant(config.dataDir, o.tenant);
      const setup = parseSettlementSetup(readJson(file));
      new TreasuryStore(config.dataDir).putSetup(o.tenant, setup);
      process.stdout.write(`loaded ${what} for ${o.tenant}: ${String(setup.acquirers.length)} acquirers, ${String(setup.feePlans.length)} fee plans, ${String(setup.calendarOverrides.length)} calendar overrides\n`);
    });
  for (const [name, what] of [['setup', 'settlement set-up'], ['acquirers', 'acquirers and fee plans']] as const) {
    const group = treasury.command(name).description(name === 'setup' ? 'the whole settlement set-up file' : 'acquirers and their fee plans (the settlement set-up file)');
    group
      .command('load')
      .description(`replace a tenant's ${what} from a JSON file (validated; nothing changes on any error; see docs/treasury.md)`)
      .requiredOption('--tenant <id>', 'tenant id')
      .argument('<file>', 'settlement set-up JSON: {"acquirers":[…],"fee_plans":[…],"calendar_overrides":[…]}')
      .action(load(what));
    group
      .command('show')
      .description(`print a tenant's ${what} as JSON`)
      .requiredOption('--tenant <id>', 'tenant id')
      .action(
        action(async (o: { tenant: string }, cmd: Command) => {
          const config = configFrom(cmd);
          knownTenant(config.dataDir, o.tenant);
          process.stdout.write(`${JSON.stringify(settlementSetupJson(new TreasuryStore(config.dataDir).setup(o.tenant)), null, 2)}\n`);
        }),
      );
  }

  const statements = program.command('statements').description('bank statements: camt.053, MT940, CSV');
  statements
    .command('import')
    .description("read bank statement files into a tenant's treasury store (a file is all or nothing; a statement imported before is a duplicate, not an error)")
    .requiredOption('--tenant <id>', 'tenant id')
    .option('--format <fmt>', 'camt053, mt940 or csv (default: recognised from the content)')
    .argument('<files...>', 'statement files')
    .action(
      action(async (files: string[], o: { tenant: string; format?: string }, cmd: Command) => {
        const config = configFrom(cmd);
        knownTenant(config.dataDir, o.tenant);
        if (o.format !== undefined && !isStatementFormat(o.format)) throw new Error(`--format must be camt053, mt940 or csv, got '${o.format}'`);
        const format = o.format !== undefined && isStatementFormat(o.format) ? o.format : undefined;
        const store = new TreasuryStore(config.dataDir);
        let failed = 0;
        for (const file of files) {
          try {
            const r = importStatementFile(store, parseStatementFile, o.tenant, readFileSync(file), basename(file), format, new Date());
            for (const s of r.statements) {
              process.stdout.write(`${file}: ${s.status} statement ${s.statementId} of ${s.account} (${s.format}, ${String(s.entries)} entries)\n`);
              for (const f of s.flags) process.stdout.write(`${file}: flag ${f.code}: ${f.message}\n`);
            }
            for (const rep of r.repairs) process.stdout.write(`${file}: repaired: ${rep}\n`);
          } catch (err) {
            failed++;
            const e = err as Error & { code?: string };
            process.stderr.write(`${file}: error: ${e.code !== undefined ? `${e.code}: ` : ''}${e.message}\n`);
          }
        }
        if (failed > 0) throw new Error(`${String(failed)} of ${String(files.length)} files not imported`);
      }),
    );
}
