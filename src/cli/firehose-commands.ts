/** `tpay firehose …`: generate, provision, send and replay transaction streams. */
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { compactSource, type CompactConversion } from '../firehose/compact-chunks.js';
import { writeFirehoseFiles } from '../firehose/files.js';
import { sendTenants, type MultiTenantReport } from '../firehose/multi-tenant-sender.js';
import type { LineSource } from '../firehose/line-chunk.js';
import type { FaultOptions, RecordOptions } from '../firehose/record-options.js';
import { tenantLineChunks } from '../firehose/records.js';
import { preloadLineChunks, readLineChunks } from '../firehose/replay.js';
import { formatProgress, formatReportJson, formatReportText } from '../firehose/report.js';
import { generatedSettlementSetup } from '../firehose/settlement.js';
import { generateWorld, type World } from '../firehose/world.js';
import { RegistryStore, readRegistryFile } from '../tenants/registry-store.js';
import { TenantStore } from '../tenants/tenant-store.js';
import { parseSettlementSetup } from '../treasury/settlement-setup.js';
import { TreasuryStore } from '../treasury/treasury-store.js';
import { action, configFrom, intOption } from './context.js';
import { registerFirehoseStatementsCommand } from './firehose-statements-command.js';

function numberOption(name: string): (v: string) => number {
  return (v: string) => {
    const n = Number(v);
    if (!Number.isFinite(n)) throw new Error(`--${name} must be a number, got '${v}'`);
    return n;
  };
}

interface WorldFlags {
  seed: number;
  tenants: number;
  stores: number;
}
interface StreamFlags {
  start?: string;
  days?: number;
  records?: number;
  duplicates?: number;
  late?: number;
  outOfOrder?: number;
  malformed?: number;
}
interface SendFlags {
  host: string;
  port: number;
  connections: number;
  rate: number;
  keys: string;
  format: string;
  json?: boolean;
}

function addWorldOptions(cmd: Command): Command {
  return cmd
    .option('--seed <n>', 'the same seed always gives the same world and records', intOption('seed'), 1)
    .option('--tenants <n>', 'retailers (at least 3 for realistic data)', intOption('tenants'), 3)
    .option('--stores <n>', 'stores across all tenants', intOption('stores'), 3000);
}

function addStreamOptions(cmd: Command): Command {
  return cmd
    .option('--start <time>', 'first simulated event time, RFC 3339 (default: 7 days ago)')
    .option('--days <n>', 'simulated days to cover', numberOption('days'))
    .option('--records <n>', 'stop after this many valid records per tenant', intOption('records'))
    .option('--duplicates <p>', 'fault: chance per record of an exact resend of a recent line', numberOption('duplicates'))
    .option('--late <n>', 'fault: offline outages per terminal per simulated day (backlog sent late)', numberOption('late'))
    .option('--out-of-order <p>', 'fault: chance per record of arriving after later records of its terminal', numberOption('out-of-order'))
    .option('--malformed <p>', 'fault: chance per record of an extra malformed line (mix in docs/firehose.md)', numberOption('malformed'));
}

function addSendOptions(cmd: Command): Command {
  return cmd
    .option('--host <addr>', 'ingest host', '127.0.0.1')
    .option('--port <port>', 'ingest TCP port', intOption('port'), 7400)
    .option('--connections <n>', 'connections per tenant (keep 1 to keep each terminal in order across resends)', intOption('connections'), 1)
    .option('--rate <n>', 'target lines per second over all tenants; 0 = as fast as ingest takes them', numberOption('rate'), 0)
    .requiredOption('--keys <file>', 'JSON {"<tenant>": "<ingest key>"} (written by `tpay firehose provision`)')
    .option('--format <format>', 'wire format: ndjson, or compact (binary records; lines that have no compact form are left out and counted)', 'ndjson')
    .option('--json', 'print the final report as JSON');
}

function recordOptions(o: StreamFlags): RecordOptions {
  const faults: FaultOptions = {};
  if (o.duplicates !== undefined) faults.duplicates = o.duplicates;
  if (o.late !== undefined) faults.late = o.late;
  if (o.outOfOrder !== undefined) faults.outOfOrder = o.outOfOrder;
  if (o.malformed !== undefined) faults.malformed = o.malformed;
  const r: RecordOptions = { start: o.start ?? Date.now() - 7 * 86_400_000, faults };
  if (o.days !== undefined) r.durationMs = o.days * 86_400_000;
  if (o.records !== undefined) r.records = o.records;
  return r;
}

function readKeys(path: string): Record<string, string> {
  const parsed = JSON.parse(readFileSync(path, 'utf8')) as unknown;
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error(`${path}: expected {"<tenant>": "<ingest key>"}`);
  const keys: Record<string, string> = {};
  for (const [t, k] of Object.entries(parsed)) {
    if (typeof k !== 'string') throw new Error(`${path}: the key of tenant '${t}' must be a string`);
    keys[t] = k;
  }
  return keys;
}

/** Streams sources to ingest, printing progress to stderr and the report to stdout. */
export async function runSend(sources: Record<string, LineSource>, o: SendFlags): Promise<MultiTenantReport> {
  const keys = readKeys(o.keys);
  if (o.format !== 'ndjson' && o.format !== 'compact') throw new Error(`--format must be ndjson or compact, got '${o.format}'`);
  const conversion: CompactConversion = { lines: 0, unconverted: 0 };
  if (o.format === 'compact') for (const t of Object.keys(sources)) sources[t] = compactSource(sources[t]!, t, conversion);
  const report = await sendTenants({
    format: o.format,
    host: o.host,
    port: o.port,
    keys,
    sources,
    connections: o.connections,
    ratePerS: o.rate,
    onProgress: (total) => process.stderr.write(`${formatProgress(total)}\n`),
  });
  if (conversion.unconverted > 0) process.stderr.write(`${String(conversion.unconverted)} of ${String(conversion.lines)} lines have no compact form (malformed, or fields outside the record table) and were not sent\n`);
  process.stdout.write(o.json === true ? `${formatReportJson(report.total)}\n` : formatReportText(report.total));
  return report;
}

/** Gives a tenant the generated worlds' settlement set-up unless it has acquirers of its own already. */
function settleLikeGenerated(treasury: TreasuryStore, tenant: string, doc: unknown): void {
  if (treasury.setup(tenant).acquirers.length === 0) treasury.putSetup(tenant, parseSettlementSetup(doc));
}

/**
 * Creates the tenants of a generated directory in the data directory (if
 * missing), loads their registries and, for a tenant with none yet, the
 * directory's `settlement-setup.json`, makes one ingest key each and
 * writes them to `<dir>/keys.json`.
 */
export function provision(dataDir: string, dir: string): Record<string, string> {
  const parsed = JSON.parse(readFileSync(join(dir, 'tenants.json'), 'utf8')) as { tenants: { tenant_id: string; name: string; reporting_currency: string; business_day_cutoff: string }[] };
  const tenants = new TenantStore(dataDir);
  const registries = new RegistryStore(dataDir);
  const treasury = new TreasuryStore(dataDir);
  const setupPath = join(dir, 'settlement-setup.json');
  const setup = existsSync(setupPath) ? (JSON.parse(readFileSync(setupPath, 'utf8')) as unknown) : null;
  const keys: Record<string, string> = {};
  for (const t of parsed.tenants) {
    if (tenants.get(t.tenant_id) === undefined) {
      tenants.createTenant({ id: t.tenant_id, name: t.name, reportingCurrency: t.reporting_currency, businessDayCutoff: t.business_day_cutoff });
    }
    registries.put(t.tenant_id, readRegistryFile(join(dir, t.tenant_id, 'stores.json')));
    if (setup !== null) settleLikeGenerated(treasury, t.tenant_id, setup);
    keys[t.tenant_id] = tenants.createKey(t.tenant_id, 'ingest').secret;
  }
  const path = join(dir, 'keys.json');
  writeFileSync(path, `${JSON.stringify(keys, null, 2)}\n`, { mode: 0o600 });
  chmodSync(path, 0o600);
  return keys;
}

/** Provisions a generated world straight into a data directory (no files), with the generated settlement set-up. */
export function provisionWorld(dataDir: string, world: World): Record<string, string> {
  const tenants = new TenantStore(dataDir);
  const registries = new RegistryStore(dataDir);
  const treasury = new TreasuryStore(dataDir);
  const keys: Record<string, string> = {};
  for (const t of world.tenants) {
    const id = t.tenant.tenant_id;
    if (tenants.get(id) === undefined) {
      tenants.createTenant({ id, name: t.tenant.name, reportingCurrency: t.tenant.reporting_currency, businessDayCutoff: t.tenant.business_day_cutoff });
    }
    registries.put(id, t.stores);
    settleLikeGenerated(treasury, id, generatedSettlementSetup());
    keys[id] = tenants.createKey(id, 'ingest').secret;
  }
  return keys;
}

export function registerFirehoseCommands(program: Command): void {
  const fh = program.command('firehose').description('load generator and replayer: realistic retail transactions, with faults on demand');

  addStreamOptions(addWorldOptions(fh.command('generate')))
    .description('write tenants.json and, per tenant, stores.json, stores.csv and transactions.ndjson')
    .requiredOption('--out <dir>', 'output directory')
    .action(
      action(async (o: WorldFlags & StreamFlags & { out: string }) => {
        const world = generateWorld({ seed: o.seed, tenants: o.tenants, stores: o.stores });
        const records = recordOptions(o);
        if (records.records === undefined && records.durationMs === undefined) records.durationMs = 86_400_000;
        const t0 = performance.now();
        const out = await writeFirehoseFiles({ dir: o.out, world, records });
        writeFileSync(join(o.out, 'settlement-setup.json'), `${JSON.stringify(generatedSettlementSetup(), null, 2)}\n`);
        const ms = performance.now() - t0;
        let lines = 0;
        for (const t of out.tenants) {
          lines += t.truth.lines;
          process.stdout.write(`${t.tenant_id}: ${t.truth.lines} lines (${t.truth.valid} valid, ${t.truth.duplicates} duplicates, ${Object.values(t.truth.malformed).reduce((a, b) => a + (b ?? 0), 0)} malformed) → ${t.transactions}\n`);
        }
        process.stdout.write(`generated ${lines} lines in ${(ms / 1000).toFixed(1)} s; ground truth in ${out.truthJson}; settlement set-up in ${join(o.out, 'settlement-setup.json')}\n`);
      }),
    );

  fh.command('provision')
    .description('create the tenants of a generated directory in the data directory, load their stores and settlement set-up, write <dir>/keys.json')
    .argument('<dir>', 'a directory written by `tpay firehose generate`')
    .action(
      action(async (dir: string, _o: unknown, cmd: Command) => {
        const keys = provision(configFrom(cmd).dataDir, dir);
        process.stdout.write(`provisioned ${Object.keys(keys).join(', ')}; ingest keys in ${join(dir, 'keys.json')}\n`);
      }),
    );

  registerFirehoseStatementsCommand(fh);

  addSendOptions(addStreamOptions(addWorldOptions(fh.command('send'))))
    .description('generate records on the fly and stream them to ingest over TCP')
    .action(
      action(async (o: WorldFlags & StreamFlags & SendFlags) => {
        const world = generateWorld({ seed: o.seed, tenants: o.tenants, stores: o.stores });
        const records = recordOptions(o);
        const sources: Record<string, LineSource> = {};
        for (const t of world.tenants) sources[t.tenant.tenant_id] = tenantLineChunks(world, t.tenant.tenant_id, records);
        await runSend(sources, o);
      }),
    );

  addSendOptions(fh.command('replay'))
    .description("replay NDJSON files: a generated directory (each tenant's transactions.ndjson) or TENANT=FILE pairs")
    .argument('<inputs...>', 'a generated directory, or tenant=path/to/file.ndjson')
    .option('--preload', 'read the files into memory first, so the disk is not measured')
    .action(
      action(async (inputs: string[], o: SendFlags & { preload?: boolean }) => {
        const files: Record<string, string> = {};
        for (const input of inputs) {
          const eq = input.indexOf('=');
          if (eq > 0) files[input.slice(0, eq)] = input.slice(eq + 1);
          else {
            const parsed = JSON.parse(readFileSync(join(input, 'tenants.json'), 'utf8')) as { tenants: { tenant_id: string }[] };
            for (const t of parsed.tenants) files[t.tenant_id] = join(input, t.tenant_id, 'transactions.ndjson');
          }
        }
        const sources: Record<string, LineSource> = {};
        for (const [t, f] of Object.entries(files)) {
          if (!existsSync(f)) throw new Error(`no such file: ${f}`);
          sources[t] = o.preload === true ? await preloadLineChunks(readLineChunks(f)) : readLineChunks(f);
        }
        await runSend(sources, o);
      }),
    );
}
