/**
 * The demo's bank statements: once the demo tenants' past sales are in,
 * each tenant's expected payouts and deposits due before today are written
 * out as bank statements with a few breaks (the firehose statement
 * generator; camt.053, MT940 and CSV in turn, one format per tenant) and
 * fed through the statement import path, so the Treasury page shows
 * matched money and a few breaks to look at. A tenant that already has
 * statements is left as it is: a restart never books anything twice.
 */
import { DEFAULT_MATCH_OPTIONS } from '../domain/reconciliation.js';
import { STATEMENT_FORMATS } from '../domain/statement.js';
import { moneyItems } from '../firehose/statements/expected-items.js';
import { statementFiles } from '../firehose/statements/statement-files.js';
import { generateStatementWorld, ibanBankDays } from '../firehose/statements/statement-world.js';
import type { World } from '../firehose/world.js';
import { calendarOf } from '../treasury/settlement-setup.js';
import type { TreasuryService } from '../treasury/treasury-service.js';

/** What the feed needs of the platform. */
export interface DemoStatementsPlatform {
  treasury: TreasuryService;
  stream: { caughtUp(timeoutMs: number): Promise<void> };
}

export interface DemoStatementsOptions {
  /** Share of the expected items with a break (default 0.03: a few). */
  breakRate?: number;
  /** The matcher settings of the platform (default DEFAULT_MATCH_OPTIONS). */
  match?: { dateWindowDays: number; missingAfterDays: number };
  /** Today, `YYYY-MM-DD` (default: UTC today); statements run to the day before. */
  today?: string;
}

/**
 * Feeds each demo tenant's statements; returns one line per tenant saying what was done.
 * @example for (const line of await feedDemoStatements(platform, world)) console.log(`demo: ${line}`);
 */
export async function feedDemoStatements(platform: DemoStatementsPlatform, world: World, o: DemoStatementsOptions = {}): Promise<string[]> {
  // Expected money is computed from the rollups: everything imported so far must be in them.
  await platform.stream.caughtUp(10 * 60_000);
  const today = o.today ?? new Date().toISOString().slice(0, 10);
  const to = new Date(Date.parse(`${today}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
  const out: string[] = [];
  for (const [i, t] of world.tenants.entries()) {
    const tenant = t.tenant.tenant_id;
    const treasury = platform.treasury;
    if (treasury.statements(tenant).statements.length > 0) {
      out.push(`${tenant}: has bank statements already; none fed`);
      continue;
    }
    const items = moneyItems(treasury.expectedBook.compute(tenant, null));
    const from = items.map((x) => x.expectedDate).sort()[0];
    if (from === undefined || from > to) {
      out.push(`${tenant}: nothing was due before today; no bank statements yet`);
      continue;
    }
    const format = STATEMENT_FORMATS[i % STATEMENT_FORMATS.length]!;
    const { statements, key } = generateStatementWorld({ items, from, to, seed: world.seed + i, breakRate: o.breakRate ?? 0.03, isBankDay: ibanBankDays(calendarOf(treasury.setup(tenant))), match: o.match ?? DEFAULT_MATCH_OPTIONS });
    const files = statementFiles(statements, key, format);
    for (const f of files) treasury.importStatements(tenant, Buffer.from(f.text), `demo ${f.name}`, format);
    const breaks = Object.values(key.summary.breaks).reduce((a, b) => a + b, 0);
    out.push(`${tenant}: fed ${String(key.summary.statements)} ${format} bank statements (${from} to ${to}, ${String(key.summary.entries)} entries, ${String(breaks)} breaks)`);
  }
  return out;
}
