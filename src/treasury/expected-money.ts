/**
 * Expected payouts, deposits and unsettled amounts of a tenant, from the
 * rollups (settlement-source.ts) and the tenant's settlement set-up, with
 * the rules of domain/settlement.ts. Results are cached until the sums or
 * the set-up change, and recomputed at most once per `refreshMs`, so a
 * dashboard polling during heavy ingest does not recompute a year of
 * settlements every second.
 */
import { Settlement, type DayLine, type ExpectedDeposit, type ExpectedPayout, type PayoutLine, type SettlementRules, type UnsettledAmount } from '../domain/settlement.js';
import type { FxTable } from '../domain/fx.js';
import type { StoreFilter } from '../serving/series-query.js';
import { calendarOf, type SettlementSetup } from './settlement-setup.js';
import type { SettlementSource } from './settlement-source.js';

export interface ExpectedMoney {
  payouts: ExpectedPayout[];
  deposits: ExpectedDeposit[];
  unsettled: UnsettledAmount[];
  /** Milliseconds the computation took. */
  ms: number;
  /** When it was computed (ms since epoch). */
  at: number;
}

export interface ExpectedMoneyDeps {
  source: SettlementSource;
  setup(tenant: string): SettlementSetup;
  setupVersion(tenant: string): number;
  fx(tenant: string): FxTable | null;
  now(): number;
  refreshMs: number;
}

export class ExpectedMoneyBook {
  private readonly cache = new Map<string, { sourceVersion: number; setupVersion: number; value: ExpectedMoney }>();
  private readonly rulesCache = new Map<string, { setup: SettlementSetup; fx: FxTable | null; rules: SettlementRules }>();

  constructor(private readonly deps: ExpectedMoneyDeps) {}

  /** The settlement rules of a tenant (the calendar is built once per set-up). */
  rules(tenant: string): SettlementRules {
    const setup = this.deps.setup(tenant);
    const fx = this.deps.fx(tenant);
    const hit = this.rulesCache.get(tenant);
    if (hit !== undefined && hit.setup === setup && hit.fx === fx) return hit.rules;
    const rules: SettlementRules = {
      acquirers: new Map(setup.acquirers.map((a) => [a.id, a])),
      feePlans: new Map(setup.feePlans.map((p) => [p.id, p])),
      calendar: calendarOf(setup),
      depositReferenceFormat: setup.depositReferenceFormat,
      fx,
    };
    this.rulesCache.set(tenant, { setup, fx, rules });
    return rules;
  }

  /** All expected money of the tenant (every business day with sales). */
  all(tenant: string): ExpectedMoney {
    const sourceVersion = this.deps.source.version();
    const setupVersion = this.deps.setupVersion(tenant);
    const hit = this.cache.get(tenant);
    const now = this.deps.now();
    if (hit !== undefined && hit.setupVersion === setupVersion && (hit.sourceVersion === sourceVersion || now - hit.value.at < this.deps.refreshMs)) return hit.value;
    const value = this.compute(tenant, null);
    this.cache.set(tenant, { sourceVersion, setupVersion, value });
    return value;
  }

  /** Expected money from the stores a filter selects only (for scoped views; not cached). */
  compute(tenant: string, filter: StoreFilter | null, options: { keepLinesOf?: ReadonlySet<string>; onLine?: (line: DayLine) => void } = {}): ExpectedMoney & { lines: PayoutLine[] } {
    const t0 = performance.now();
    const s = new Settlement(this.rules(tenant), options.keepLinesOf === undefined ? {} : { keepLinesOf: options.keepLinesOf });
    const range = this.deps.source.businessDayRange(tenant);
    if (range !== null) {
      const onLine = options.onLine;
      this.deps.source.businessDayLines(tenant, range.first, range.last + 1, filter, onLine === undefined ? (l) => s.add(l) : (l) => {
        s.add(l);
        onLine(l);
      });
    }
    return { payouts: s.payouts(), deposits: s.deposits(), unsettled: s.unsettled(), lines: s.lines(), ms: performance.now() - t0, at: this.deps.now() };
  }

  /** The store/day lines of one payout (drill-down). */
  payoutLines(tenant: string, payout: ExpectedPayout): PayoutLine[] {
    const stores = this.deps.source.stores(tenant).filter((st) => st.acquirer === payout.acquirer && st.merchant_account === payout.merchantAccount && st.bank_account === payout.bankAccount);
    if (stores.length === 0) return [];
    const s = new Settlement(this.rules(tenant), { keepLinesOf: new Set([payout.id]) });
    const from = Date.parse(`${payout.firstBusinessDay}T00:00:00Z`) / 86_400_000;
    const to = Date.parse(`${payout.lastBusinessDay}T00:00:00Z`) / 86_400_000 + 1;
    this.deps.source.businessDayLines(tenant, from, to, { scopes: [], storeIds: stores.map((st) => st.store_id) }, (l) => s.add(l));
    return s.lines();
  }
}
