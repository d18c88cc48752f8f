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
import { DEFAULT_MATCH_OPTIONS, type MatchOptions } from '../domain/reconciliation.js';
import type { StatementFormat } from '../domain/statement.js';
import { BookedEntryTables } from './booked-entries.js';
import { cashPosition, type AccountPosition, type CashPositionInput } from './cash-position.js';
import { expectedItemTable } from './expected-items.js';
import { ExpectedMoneyBook, type ExpectedMoney } from './expected-money.js';
import type { MatchResult } from './match-result.js';
import type { EntryTable, ItemTable } from './match-tables.js';
import { reconcileTables } from './matcher.js';
import { parseSettlementSetup, type SettlementSetup } from './settlement-setup.js';
import type { SettlementSource } from './settlement-source.js';
import { balanceFlags, importStatementFile, type BalanceFlag, type ImportResult, type StatementParser } from './statement-import.js';
import type { ItemChange, StoredStatement, TreasuryStore } from './treasury-store.js';

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
  /** The rows reconciled (row k of `result` is row k of these; `entries` may have grown since, by later imports). */
  items: ItemTable;
  entries: EntryTable;
  result: MatchResult;
  expected: ExpectedMoney;
  ms: number;
}

export class TreasuryService {
  readonly expectedBook: ExpectedMoneyBook;
  private readonly now: () => number;
  private readonly options: Omit<MatchOptions, 'asOf'>;
  private readonly recon = new Map<string, { key: string; value: Reconciliation }>();
  /** Item tables by the expected money they were built from: built once per computation of it. */
  private readonly itemTables = new WeakMap<ExpectedMoney, ItemTable>();
  private readonly entryTables = new BookedEntryTables();

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
    if (hit !== undefined) {
      // Replaced: its columns' memory goes to this run's result (nothing reads it after this call).
      this.recon.delete(tenant);
      hit.value.result.release();
    }
    const t0 = performance.now();
    let items = this.itemTables.get(expected);
    if (items === undefined) {
      items = expectedItemTable(expected);
      this.itemTables.set(expected, items);
    }
    const entries = this.entryTables.of(tenant, this.deps.store.statements(tenant));
    const result = reconcileTables(items, entries, { ...this.options, asOf });
    const value: Reconciliation = { asOf, items, entries, result, expected, ms: performance.now() - t0 };
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
    for (let i = 0; i < r.result.itemCount; i++) {
      const id = r.items.ids[i]!;
      const amount = r.items.amount[i]!;
      const before = prev.get(id);
      if (before !== undefined && before !== amount) changes.push({ itemId: id, at, status: 'matched', fromAmount: before, toAmount: amount });
      if (before !== undefined || r.result.itemStatus(i) === 'matched') next.set(id, amount);
    }
    this.deps.store.addChanges(tenant, changes);
    if (changes.length > 0 || !sameAmounts(prev, next)) this.deps.store.putMatchedAmounts(tenant, next);
  }

  cashPosition(tenant: string, opts: Pick<CashPositionInput, 'account' | 'to' | 'forecast'> = {}): AccountPosition[] {
    const r = this.reconciliation(tenant);
    return cashPosition({ statements: this.deps.store.statements(tenant), items: r.items, result: r.result, today: r.asOf, ...opts });
  }
}

function sameAmounts(a: ReadonlyMap<string, number>, b: ReadonlyMap<string, number>): boolean {
  if (a.size !== b.size) return false;
  for (const [k, v] of a) if (b.get(k) !== v) return false;
  return true;
}
