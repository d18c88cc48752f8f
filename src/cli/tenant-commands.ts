/** `tpay tenant …` and `tpay key …`: tenants and their keys. */
import type { Command } from 'commander';
import { goLiveOf, TenantStore, KEY_KINDS, type KeyKind } from '../tenants/tenant-store.js';
import { action, configFrom } from './context.js';

export function registerTenantCommands(program: Command): void {
  const tenant = program.command('tenant').description('create and list tenants (retailers)');
  tenant
    .command('create')
    .description('create a tenant and print its first ingest and read keys (shown once)')
    .argument('<id>', 'tenant id: 1-63 chars of a-z 0-9 _ -')
    .requiredOption('--currency <code>', 'reporting currency (ISO 4217), e.g. EUR')
    .option('--name <name>', 'display name')
    .option('--cutoff <HH:MM>', 'business-day cut-off in store-local time', '00:00')
    .option('--go-live <YYYY-MM-DD>', 'first day of live trading: records of earlier days are history, not restatements (default today)')
    .option('--json', 'print JSON')
    .action(
      action(async (id: string, o: { currency: string; name?: string; cutoff: string; goLive?: string; json?: boolean }, cmd: Command) => {
        const store = new TenantStore(configFrom(cmd).dataDir);
        const t = store.createTenant({ id, name: o.name, reportingCurrency: o.currency, businessDayCutoff: o.cutoff, goLive: o.goLive });
        const ingest = store.createKey(t.id, 'ingest');
        const read = store.createKey(t.id, 'read');
        if (o.json === true) {
          process.stdout.write(`${JSON.stringify({ tenant: t, ingest_key: ingest.secret, read_key: read.secret })}\n`);
        } else {
          process.stdout.write(
            `tenant ${t.id} created (reporting ${t.reporting_currency}, cut-off ${t.business_day_cutoff}, go-live ${goLiveOf(t)})\n` +
              `ingest key: ${ingest.secret}\nread key:   ${read.secret}\nStore these now: they are not shown again.\n`,
          );
        }
      }),
    );
  tenant
    .command('list')
    .description('list tenants')
    .action(
      action(async (_o: unknown, cmd: Command) => {
        for (const t of new TenantStore(configFrom(cmd).dataDir).list()) {
          process.stdout.write(`${t.id}\t${t.reporting_currency}\tcut-off ${t.business_day_cutoff}\tgo-live ${goLiveOf(t)}\t${t.name}\n`);
        }
      }),
    );
  tenant
    .command('go-live')
    .description("set a tenant's go-live date: records of earlier business days are history (never restatements)")
    .argument('<id>', 'tenant id')
    .argument('<date>', 'YYYY-MM-DD')
    .action(
      action(async (id: string, date: string, _o: unknown, cmd: Command) => {
        const t = new TenantStore(configFrom(cmd).dataDir).setGoLive(id, date);
        process.stdout.write(`tenant ${t.id}: go-live ${goLiveOf(t)}\n`);
      }),
    );

  const key = program.command('key').description('create, list and revoke API keys');
  key
    .command('create')
    .description('create a key (shown once)')
    .option('--tenant <id>', 'tenant of an ingest or read key')
    .option('--kind <kind>', `one of ${KEY_KINDS.join(', ')}`, 'read')
    .action(
      action(async (o: { tenant?: string; kind: string }, cmd: Command) => {
        if (!(KEY_KINDS as readonly string[]).includes(o.kind)) throw new Error(`--kind must be one of ${KEY_KINDS.join(', ')}, got '${o.kind}'`);
        const kind = o.kind as KeyKind;
        const store = new TenantStore(configFrom(cmd).dataDir);
        const { key: k, secret } = store.createKey(kind === 'admin' ? null : (o.tenant ?? null), kind);
        process.stdout.write(`${k.kind} key ${k.id}${k.tenant === null ? '' : ` for ${k.tenant}`}: ${secret}\n`);
      }),
    );
  key
    .command('list')
    .description('list keys (ids only; secrets are never stored)')
    .action(
      action(async (_o: unknown, cmd: Command) => {
        for (const k of new TenantStore(configFrom(cmd).dataDir).listKeys()) {
          process.stdout.write(`${k.id}\t${k.kind}\t${k.tenant ?? '*'}\t${k.revoked_at === null ? 'active' : `revoked ${k.revoked_at}`}\n`);
        }
      }),
    );
  key
    .command('rotate')
    .description('replace a key: prints a new secret (shown once) of the same tenant and kind, and revokes the old key')
    .argument('<id>')
    .action(
      action(async (id: string, _o: unknown, cmd: Command) => {
        const { key: k, secret, revoked } = new TenantStore(configFrom(cmd).dataDir).rotateKey(id);
        process.stdout.write(`${k.kind} key ${k.id}${k.tenant === null ? '' : ` for ${k.tenant}`}: ${secret}\nrevoked ${revoked.id}\n`);
      }),
    );
  key
    .command('revoke')
    .description('revoke a key by id; running servers stop accepting it within a second')
    .argument('<id>')
    .action(
      action(async (id: string, _o: unknown, cmd: Command) => {
        const k = new TenantStore(configFrom(cmd).dataDir).revokeKey(id);
        process.stdout.write(`revoked ${k.id}\n`);
      }),
    );
}
