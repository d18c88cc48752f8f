/**
 * `tpay firehose statements`: bank statement files (camt.053, MT940 or the
 * statement CSV) of a tenant, written from the platform's own expected
 * payouts and deposits, with injected breaks and `answer-key.json`. The
 * expected money comes from the data directory (the platform is started
 * without listeners) or, with `--url` and a read key, from a running
 * server's `/v1/treasury/payouts` and `/v1/treasury/deposits`.
 */
import { join } from 'node:path';
import type { Command } from 'commander';
import { BusinessCalendar } from '../domain/business-calendar.js';
import { DEFAULT_MATCH_OPTIONS } from '../domain/reconciliation.js';
import { isStatementFormat, type StatementFormat } from '../domain/statement.js';
import { moneyItems, moneyItemsFromApi } from '../firehose/statements/expected-items.js';
import { isStatementBreak, STATEMENT_BREAKS, type MoneyItem, type StatementBreak } from '../firehose/statements/statement-breaks.js';
import { writeStatementFiles } from '../firehose/statements/statement-files.js';
import { generateStatementWorld, ibanBankDays } from '../firehose/statements/statement-world.js';
import { startPlatform } from '../platform/platform.js';
import { TenantStore } from '../tenants/tenant-store.js';
import { calendarOf } from '../treasury/settlement-setup.js';
import { action, configFrom, intOption, loggerFor } from './context.js';

interface StatementsFlags {
  tenant: string;
  from?: string;
  to?: string;
  format: string;
  breaks: string;
  kinds?: string;
  seed: number;
  out: string;
  url?: string;
  key?: string;
}

/** What the statements are written from: the items, the tenant's banking calendar and the matcher's settings. */
interface Truth {
  items: MoneyItem[];
  calendar: BusinessCalendar;
  match: { dateWindowDays: number; missingAfterDays: number };
}

export function registerFirehoseStatementsCommand(fh: Command): void {
  fh.command('statements')
    .description("write bank statements of a tenant's expected payouts and deposits, with injected breaks and an answer key (answer-key.json)")
    .requiredOption('--tenant <id>', 'tenant id')
    .option('--from <date>', 'first statement day, YYYY-MM-DD (default: the first day anything is due)')
    .option('--to <date>', 'last statement day, YYYY-MM-DD (default: yesterday, UTC)')
    .option('--format <fmt>', 'camt053, mt940 or csv', 'camt053')
    .option('--breaks <rate>', 'share of the expected items that get a break, 0–1', '0.05')
    .option('--kinds <list>', `comma-separated break kinds to draw from (default all: ${STATEMENT_BREAKS.join(', ')})`)
    .option('--seed <n>', 'the same seed and expected money always give the same files', intOption('seed'), 1)
    .requiredOption('--out <dir>', 'output directory: one file per day plus answer-key.json')
    .option('--url <url>', 'read the expected money from a running server (e.g. http://127.0.0.1:7401) instead of the data directory')
    .option('--key <secret>', 'read key of the tenant, with --url')
    .action(
      action(async (o: StatementsFlags, cmd: Command) => {
        if (!isStatementFormat(o.format)) throw new Error(`--format must be camt053, mt940 or csv, got '${o.format}'`);
        const format: StatementFormat = o.format;
        const rate = Number(o.breaks);
        if (!Number.isFinite(rate) || rate < 0 || rate > 1) throw new Error(`--breaks must be a number from 0 to 1, got '${o.breaks}'`);
        const kinds = o.kinds === undefined ? undefined : parseKinds(o.kinds);
        const truth = o.url !== undefined ? await truthOverHttp(o.url, o.key, o.tenant) : await truthInProcess(cmd, o.tenant);
        if (truth.items.length === 0) throw new Error(`tenant '${o.tenant}' expects no payouts or deposits: load a settlement set-up (tpay treasury setup load) and sales first`);
        const from = o.from ?? truth.items.map((x) => x.expectedDate).sort()[0]!;
        const to = o.to ?? new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
        const t0 = performance.now();
        const { statements, key } = generateStatementWorld({ items: truth.items, from, to, seed: o.seed, breakRate: rate, ...(kinds === undefined ? {} : { kinds }), isBankDay: ibanBankDays(truth.calendar), match: truth.match });
        const files = writeStatementFiles(o.out, statements, key, format);
        const ms = performance.now() - t0;
        const breaks = Object.entries(key.summary.breaks).map(([k, n]) => `${k} ${String(n)}`).join(', ');
        process.stdout.write(
          `${o.tenant}: ${String(key.summary.items)} expected items due ${from} to ${to} → ${String(key.summary.statements)} statements, ${String(key.summary.entries)} entries in ${String(files.length)} ${format} files (${(ms / 1000).toFixed(1)} s)\n` +
            `breaks: ${breaks === '' ? 'none' : breaks}\n` +
            `answer key: ${join(o.out, 'answer-key.json')}\n` +
            `import with: tpay statements import --tenant ${o.tenant} ${join(o.out, `*.${files[0]?.name.split('.').pop() ?? 'xml'}`)}\n`,
        );
      }),
    );
}

function parseKinds(list: string): StatementBreak[] {
  const kinds = list.split(',').map((k) => k.trim()).filter((k) => k !== '');
  for (const k of kinds) if (!isStatementBreak(k)) throw new Error(`--kinds: unknown break '${k}' (kinds: ${STATEMENT_BREAKS.join(', ')})`);
  if (kinds.length === 0) throw new Error('--kinds needs at least one break kind');
  return kinds as StatementBreak[];
}

async function truthInProcess(cmd: Command, tenant: string): Promise<Truth> {
  const config = configFrom(cmd);
  if (new TenantStore(config.dataDir).get(tenant) === undefined) throw new Error(`unknown tenant '${tenant}'`);
  const platform = await startPlatform(config, loggerFor(config), { listen: false });
  try {
    return {
      items: moneyItems(platform.treasury.expectedBook.compute(tenant, null)),
      calendar: calendarOf(platform.treasury.setup(tenant)),
      match: { dateWindowDays: config.treasury.dateWindowDays, missingAfterDays: config.treasury.missingAfterDays },
    };
  } finally {
    await platform.close();
  }
}

/** Every page of payouts and deposits; the server's calendar overrides and matcher settings are not visible to a read key, so the built-in calendar and the default settings are assumed. */
async function truthOverHttp(url: string, key: string | undefined, tenant: string): Promise<Truth> {
  if (key === undefined) throw new Error('--url needs --key with a read key of the tenant');
  const base = url.replace(/\/$/, '');
  const all = async (what: 'payouts' | 'deposits'): Promise<unknown[]> => {
    const rows: unknown[] = [];
    for (let offset = 0; ; ) {
      const res = await fetch(`${base}/v1/treasury/${what}?limit=10000&offset=${String(offset)}`, { headers: { authorization: `Bearer ${key}` } });
      const body = (await res.json()) as { total?: number; error?: { code: string; message: string } } & Record<string, unknown>;
      if (!res.ok) throw Object.assign(new Error(`GET /v1/treasury/${what}: ${body.error?.message ?? `HTTP ${String(res.status)}`}`), { code: body.error?.code ?? 'http_error' });
      const page = body[what];
      if (!Array.isArray(page) || typeof body.total !== 'number') throw new Error(`GET /v1/treasury/${what}: the answer has no ${what} list and total`);
      rows.push(...(page as unknown[]));
      offset += page.length;
      if (page.length === 0 || offset >= body.total) return rows;
    }
  };
  const [payouts, deposits] = [await all('payouts'), await all('deposits')];
  process.stderr.write(`${tenant}: ${String(payouts.length)} payouts and ${String(deposits.length)} deposits from ${base}\n`);
  return { items: moneyItemsFromApi(payouts, deposits), calendar: new BusinessCalendar(), match: { dateWindowDays: DEFAULT_MATCH_OPTIONS.dateWindowDays, missingAfterDays: DEFAULT_MATCH_OPTIONS.missingAfterDays } };
}
