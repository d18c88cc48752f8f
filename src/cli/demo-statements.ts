/**
 * The demo's bank statements: once the demo tenants' past sales are in,
 * each tenant's expected payouts and deposits due before today are written
 * out as bank statements with a few breaks (the firehose statement
 * generator; camt.053, MT940 and CSV in turn, one format per tenant) and
 * fed through the statement import path, so the Treasury page shows
 * matched money and a few breaks to look at. A tenant that already has
 * statements gets the days after its last one only, each chain opening at
 * its last closing balance: a restart, or the next day's feed of a demo
 * left running, never books anything twice and breaks no balance chain.
 */
import { dayNumber, dayText } from '../domain/business-calendar.js';
import { DEFAULT_MATCH_OPTIONS } from '../domain/reconciliation.js';
import { STATEMENT_FORMATS } from '../domain/statement.js';
import { moneyItems } from '../firehose/statements/expected-items.js';
import { statementFiles } from '../firehose/statements/statement-files.js';
import { chainKey, type ChainStart } from '../firehose/statements/statement-chains.js';
import { generateStatementWorld, ibanBankDays } from '../firehose/statements/statement-world.js';
import type { World } from '../firehose/world.js';
import { calendarOf } from '../treasury/settlement-setup.js';
import type { TreasuryService } from '../treasury/treasury-service.js';
import type { StoredStatement } from '../treasury/treasury-store.js';

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
    const booked = bookedSoFar(treasury.statements(tenant).statements);
    const items = moneyItems(treasury.expectedBook.compute(tenant, null));
    const from = booked === null ? items.map((x) => x.expectedDate).sort()[0] : nextDay(booked.lastDay);
    if (from === undefined || from > to) {
      out.push(booked === null ? `${tenant}: nothing was due before today; no bank statements yet` : `${tenant}: bank statements up to date (to ${booked.lastDay})`);
      continue;
    }
    const format = STATEMENT_FORMATS[i % STATEMENT_FORMATS.length]!;
    const { statements, key } = generateStatementWorld({
      items, from, to,
      // Each feed its own draws: the same seed for every day would repeat the same breaks.
      seed: world.seed + i + (booked === null ? 0 : dayNumber(from)),
      breakRate: o.breakRate ?? 0.03,
      isBankDay: ibanBankDays(calendarOf(treasury.setup(tenant))),
      match: o.match ?? DEFAULT_MATCH_OPTIONS,
      chainStarts: booked?.chains,
    });
    if (statements.length === 0) {
      // Only days the banks do not book on (a weekend, a holiday) since the last statement.
      out.push(booked === null ? `${tenant}: nothing was due before today; no bank statements yet` : `${tenant}: bank statements up to date (to ${booked.lastDay})`);
      continue;
    }
    const files = statementFiles(statements, key, format);
    for (const f of files) treasury.importStatements(tenant, Buffer.from(f.text), `demo ${f.name}`, format);
    const breaks = Object.values(key.summary.breaks).reduce((a, b) => a + b, 0);
    out.push(`${tenant}: fed ${String(key.summary.statements)} ${format} bank statements (${from} to ${to}, ${String(key.summary.entries)} entries, ${String(breaks)} breaks)`);
  }
  return out;
}

/** The last day a tenant's statements cover, and where each chain ends; null before its first statement. */
function bookedSoFar(stored: readonly StoredStatement[]): { lastDay: string; chains: Map<string, ChainStart> } | null {
  let lastDay = '';
  const last = new Map<string, { day: string; start: ChainStart }>();
  for (const { statement: s } of stored) {
    const day = s.closing?.date ?? s.opening?.date ?? s.createdAt?.slice(0, 10) ?? '';
    if (day > lastDay) lastDay = day;
    if (s.closing === null) continue;
    const k = chainKey(s.account, s.currency);
    const seq = Number(s.statementNumber ?? '0');
    const prev = last.get(k);
    if (prev === undefined || day > prev.day || (day === prev.day && seq > prev.start.seq)) {
      last.set(k, { day, start: { balance: s.closing.amountMinor, seq: Number.isSafeInteger(seq) ? seq : 0 } });
    }
  }
  if (lastDay === '') return null;
  return { lastDay, chains: new Map([...last].map(([k, v]) => [k, v.start])) };
}

function nextDay(day: string): string {
  return dayText(dayNumber(day) + 1);
}
