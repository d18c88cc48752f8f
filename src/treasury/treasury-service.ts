/**
 * The treasury part as the API and the CLI see it: settlement set-up,
 * statement import, expected money, reconciliation, fees and cash
 * position, per tenant. Reconciliation re-runs whenever statements, sales
 * or the set-up changed (at most once per refresh interval), and is
 * deterministic for the same inputs. When an expected item that was
 * matched changes amount (late sales, restatements), the change is logged
 * and the item keeps its history.
 */
import { dayText } from '../domain/business-calendar.js';
import type { FxTable } from '../domain/fx.js';
import { DEFAULT_MATCH_OPTIONS, type BookedEntry, type ExpectedItem, type MatchOptions, type MatchResult } from '../domain/reconciliation.js';
import { signedAmount, type StatementFormat } from '../domain/statement.js';
import { cashPosition, type AccountPosition, type CashPositionInput } from './cash-position.js';
import { ExpectedMoneyBook, type ExpectedMoney } from './expected-money.js';
import { reconcile } from './matcher.js';
import { parseSettlementSetup, type SettlementSetup } from './settlement-setup.js';
import type { SettlementSource } from './settlement-source.js';
import { balanceFlags, importStatementFile, type BalanceFlag, type ImportResult, type StatementParser } from './statement-import.js';
import { normaliseAccount, type ItemChange, type StoredStatement, type TreasuryStore } from './treasury-store.js';

export interface TreasuryDeps {
  store: TreasuryStore;
  source: SettlementSource;
  fx(tenant: string): FxTable | null;
  parse: StatementParser;
  now?: () => number;
  /** Expected money is recomputed at most this often while sales stream in (ms). */
  refreshMs?: number;
  match?: Partial<Omit<MatchOptions, 'asOf'>>;
}

export interface Reconciliation {
  asOf: string;
  items: ExpectedItem[];
  entries: BookedEntry[];
  result: MatchResult;
  /** Item id → index in `items`; entry id → index in `entries`. */
  itemIndex: Map<string, number>;
  entryIndex: Map<string, number>;
  expected: ExpectedMoney;
  ms: number;
}

export class TreasuryService {
  readonly expectedBook: ExpectedMoneyBook;
  private readonly now: () => number;
  private readonly options: Omit<MatchOptions, 'asOf'>;
  private readonly recon = new Map<string, { key: string; value: Reconciliation }>();

  constructor(private readonly deps: TreasuryDeps) {
    this.now = deps.now ?? Date.now;
    this.options = { ...DEFAULT_MATCH_OPTIONS, ...deps.match };
    this.expectedBook = new ExpectedMoneyBook({
      source: deps.source,
      setup: (t) => deps.store.setup(t),
      setupVersion: (t) => deps.store.version(t),
      fx: (t) => deps.fx(t),
      now: this.now,
      refreshMs: deps.refreshMs ?? 5_000,
    });
  }

  setup(tenant: string): SettlementSetup {
    return this.deps.store.setup(tenant);
  }

  /** Validates and replaces the tenant's set-up (TreasuryError `setup_invalid` naming each field and value). */
  putSetup(tenant: string, doc: unknown): SettlementSetup {
    const setup = parseSettlementSetup(doc);
    this.deps.store.putSetup(tenant, setup);
    return setup;
  }

  importStatements(tenant: string, bytes: Uint8Array, name: string, format?: StatementFormat): ImportResult {
    return importStatementFile(this.deps.store, this.deps.parse, tenant, bytes, name, format, new Date(this.now()));
  }

  statements(tenant: string): { statements: readonly StoredStatement[]; flags: BalanceFlag[] } {
    const statements = this.deps.store.statements(tenant);
    return { statements, flags: balanceFlags(statements) };
  }

  expected(tenant: string): ExpectedMoney {
    return this.expectedBook.all(tenant);
  }

  changes(tenant: string): readonly ItemChange[] {
    return this.deps.store.changes(tenant);
  }

  /** The tenant's reconciliation as of today (UTC), re-run when its inputs changed. */
  reconciliation(tenant: string): Reconciliation {
    const expected = this.expected(tenant);
    const asOf = dayText(Math.floor(this.now() / 86_400_000));
    const key = `${String(expected.at)}|${String(this.deps.store.version(tenant))}|${asOf}`;
    const hit = this.recon.get(tenant);
    if (hit !== undefined && hit.key === key) return hit.value;
    const t0 = performance.now();
    const items = expectedItems(expected);
    const entries = bookedEntries(this.deps.store.statements(tenant));
    const result = reconcile(items, entries, { ...this.options, asOf });
    const value: Reconciliation = { asOf, items, entries, result, itemIndex: new Map(items.map((x, i) => [x.id, i])), entryIndex: new Map(entries.map((x, i) => [x.id, i])), expected, ms: performance.now() - t0 };
    this.logChanges(tenant, value);
    this.recon.set(tenant, { key, value });
    return value;
  }

  /** Logs matched items whose expected amount moved since the last run (or since before a restart). */
  private logChanges(tenant: string, r: Reconciliation): void {
    const prev = this.deps.store.matchedAmounts(tenant);
    const at = new Date(this.now()).toISOString();
    const changes: ItemChange[] = [];
    const next = new Map<string, number>();
    for (const ir of r.result.items) {
      const item = r.items[r.itemIndex.get(ir.itemId)!]!;
      const before = prev.get(ir.itemId);
      if (before !== undefined && before !== item.amountMinor) changes.push({ itemId: ir.itemId, at, status: 'matched', fromAmount: before, toAmount: item.amountMinor });
      if (ir.status === 'matched' || before !== undefined) next.set(ir.itemId, item.amountMinor);
    }
    this.deps.store.addChanges(tenant, changes);
    if (changes.length > 0 || !sameAmounts(prev, next)) this.deps.store.putMatchedAmounts(tenant, next);
  }

  cashPosition(tenant: string, opts: Pick<CashPositionInput, 'account' | 'to' | 'forecast'> = {}): AccountPosition[] {
    const r = this.reconciliation(tenant);
    const results = new Map(r.result.items.map((x) => [x.itemId, x]));
    return cashPosition({ statements: this.deps.store.statements(tenant), items: r.items, results, today: r.asOf, ...opts });
  }
}

function sameAmounts(a: ReadonlyMap<string, number>, b: ReadonlyMap<string, number>): boolean {
  if (a.size !== b.size) return false;
  for (const [k, v] of a) if (b.get(k) !== v) return false;
  return true;
}

/** Expected payouts (their acquirer as the batch group) and deposits as the matcher sees them. */
export function expectedItems(expected: Pick<ExpectedMoney, 'payouts' | 'deposits'>): ExpectedItem[] {
  return [
    ...expected.payouts.map((p): ExpectedItem => ({ id: p.id, kind: 'payout', account: normaliseAccount(p.bankAccount), currency: p.currency, amountMinor: p.amount, expectedDate: p.payoutDate, reference: p.reference, group: p.acquirer })),
    ...expected.deposits.map((d): ExpectedItem => ({ id: d.id, kind: 'deposit', account: normaliseAccount(d.bankAccount), currency: d.currency, amountMinor: d.amount, expectedDate: d.expectedDate, reference: d.reference })),
  ];
}

/** The entries of kept statements as the matcher sees them: signed amounts, value date (else booking date, else the statement's closing date). */
export function bookedEntries(statements: readonly StoredStatement[]): BookedEntry[] {
  const entries: BookedEntry[] = [];
  for (const s of statements) {
    const account = normaliseAccount(s.statement.account);
    for (const e of s.statement.entries) {
      entries.push({ id: `${s.key}#${String(e.index)}`, account, currency: e.currency, amountMinor: signedAmount(e), date: e.valueDate ?? e.bookingDate ?? s.statement.closing?.date ?? '', reference: e.reference, remittance: e.remittance, bankReference: e.bankReference });
    }
  }
  return entries;
}
