/** `tpay registry …`: a tenant's store registry. */
import type { Command } from 'commander';
import { RegistryStore, readRegistryFile } from '../tenants/registry-store.js';
import { TenantStore } from '../tenants/tenant-store.js';
import { action, configFrom } from './context.js';

export function registerRegistryCommands(program: Command): void {
  const reg = program.command('registry').description("load and show a tenant's store registry");
  reg
    .command('load')
    .description('replace a tenant\'s stores from a JSON or CSV file (validated; nothing changes on any error)')
    .requiredOption('--tenant <id>', 'tenant id')
    .argument('<file>', 'stores as .json ({"stores":[…]} or […]) or .csv with a header row')
    .option('--format <fmt>', 'json or csv (default: by file extension)')
    .action(
      action(async (file: string, o: { tenant: string; format?: string }, cmd: Command) => {
        const config = configFrom(cmd);
        if (new TenantStore(config.dataDir).get(o.tenant) === undefined) throw new Error(`unknown tenant '${o.tenant}'`);
        if (o.format !== undefined && o.format !== 'json' && o.format !== 'csv') throw new Error(`--format must be json or csv, got '${o.format}'`);
        const stores = readRegistryFile(file, o.format);
        new RegistryStore(config.dataDir).put(o.tenant, stores);
        process.stdout.write(`loaded ${stores.length} stores for ${o.tenant}\n`);
      }),
    );
  reg
    .command('show')
    .description("print a tenant's stores as JSON lines")
    .requiredOption('--tenant <id>', 'tenant id')
    .action(
      action(async (o: { tenant: string }, cmd: Command) => {
        for (const s of new RegistryStore(configFrom(cmd).dataDir).get(o.tenant)) process.stdout.write(`${JSON.stringify(s)}\n`);
      }),
    );
}
