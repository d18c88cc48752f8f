/**
 * The treasury API: statements in (`POST /v1/statements`, a tenant's
 * ingest key), and for dashboards (a read key) expected payouts and
 * deposits, reconciliation, fees, cash position, statements and unsettled
 * money. The tenant always comes from the key. Set-up lives under the
 * admin API (`/v1/admin/tenants/:id/treasury/setup`).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { dayNumber, dayText } from '../domain/business-calendar.js';
import { currencyExponent } from '../domain/currency.js';
import { parseUtcDay } from '../domain/fx.js';
import { BREAK_STATUSES, isMatchStatus, type BookedEntry, type EntryResult, type ExpectedItem, type ItemResult, type MatchStatus } from '../domain/reconciliation.js';
import type { ExpectedDeposit, ExpectedPayout } from '../domain/settlement.js';
import { entryCount, isStatementFormat, type StatementFormat } from '../domain/statement.js';
import type { Store } from '../domain/store.js';
import type { KeyKind, TenantStore } from '../tenants/tenant-store.js';
import type { CashForecast } from '../treasury/cash-forecast.js';
import { TreasuryError } from '../treasury/errors.js';
import { FEE_GROUPS, FEE_PERIODS, feeReport, type FeeGroup, type FeePeriod } from '../treasury/fee-report.js';
import { settlementSetupJson } from '../treasury/settlement-setup.js';
import type { SettlementSource } from '../treasury/settlement-source.js';
import { normaliseAccount } from '../treasury/treasury-store.js';
import type { Reconciliation, TreasuryService } from '../treasury/treasury-service.js';
import { HttpError, requireKey, requireTenantKey } from './http-server.js';
import { ParamError, storeFilter, type Params } from './query-params.js';

export interface TreasuryRouteDeps {
  treasury: TreasuryService;
  source: SettlementSource;
  tenants: TenantStore;
  authenticate(secret: string, kind: KeyKind): { tenant: string | null } | undefined;
  /** The forecast part of the cash position (absent, or null for a tenant: `forecast: 'none'`). */
  cashForecast?(tenant: string): { asOf: number; model: string; fromDay: number; forecast: CashForecast } | null;
  /** Largest statement file accepted, bytes. */
  statementBodyLimit?: number;
}

const STATUS_OF: Record<string, number> = { setup_invalid: 400, statement_invalid: 422, not_found: 404, invalid_query: 400, treasury_store_corrupt: 500 };

function answer<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof TreasuryError) {
      const e = new HttpError(STATUS_OF[err.code] ?? 500, err.code, err.message);
      (e as HttpError & { details?: readonly unknown[] }).details = err.details;
      throw e;
    }
    if (err instanceof ParamError) throw new HttpError(400, err.code, err.message);
    throw err;
  }
}

const str = (p: Params, name: string): string | undefined => {
  const v = p[name];
  if (v === undefined || v === '') return undefined;
  if (typeof v !== 'string') throw new HttpError(400, 'invalid_parameter', `${name} must be a string`);
  return v;
};
const date = (p: Params, name: string): string | undefined => {
  const v = str(p, name);
  if (v !== undefined && parseUtcDay(v) === null) throw new HttpError(400, 'invalid_parameter', `${name} must be a date YYYY-MM-DD, got '${v.slice(0, 40)}'`);
  return v;
};
function statuses(p: Params): Set<MatchStatus> | null {
  const v = str(p, 'status');
  if (v === undefined) return null;
  const out = new Set<MatchStatus>();
  for (const s of v.split(',')) {
    if (s === 'breaks') for (const b of BREAK_STATUSES) out.add(b);
    else if (isMatchStatus(s)) out.add(s);
    else throw new HttpError(400, 'invalid_parameter', `status must be a comma-separated list of matched, amount_mismatch, timing, missing, pending, unexpected, duplicate or breaks; got '${s.slice(0, 40)}'`);
  }
  return out;
}
function paging(p: Params): { limit: number; offset: number } {
  const n = (name: string, fallback: number, max: number): number => {
    const v = str(p, name);
    if (v === undefined) return fallback;
    const x = Number(v);
    if (!Number.isInteger(x) || x < 0 || x > max) throw new HttpError(400, 'invalid_parameter', `${name} must be an integer from 0 to ${String(max)}, got '${v.slice(0, 40)}'`);
    return x;
  };
  return { limit: Math.max(1, n('limit', 500, 10_000)), offset: n('offset', 0, Number.MAX_SAFE_INTEGER) };
}

const SCOPE_KEYS = ['bbox', 'lat', 'lon', 'radius_km', 'polygon', 'countries', 'regions', 'cities', 'stores'];

/** The stores in scope, or null when the request names no scope. */
function scopedStores(deps: TreasuryRouteDeps, tenant: string, p: Params): Store[] | null {
  if (!SCOPE_KEYS.some((k) => p[k] !== undefined)) return null;
  return deps.source.storesIn(tenant, answer(() => storeFilter(p)));
}

function money(currency: string): { currency: string; exponent: number } {
  return { currency, exponent: currencyExponent(currency) ?? 2 };
}

function payoutView(p: ExpectedPayout, r: ItemResult | undefined): Record<string, unknown> {
  return {
    id: p.id, acquirer: p.acquirer, merchant_account: p.merchantAccount, bank_account: p.bankAccount, payout_date: p.payoutDate, ...money(p.currency),
    charged: p.charged, refunds: p.refunds, fees: p.fees, amount: p.amount, sale_count: p.saleCount, refund_count: p.refundCount, reference: p.reference,
    first_business_day: p.firstBusinessDay, last_business_day: p.lastBusinessDay, lines: p.lines, ...matchView(r),
  };
}
function depositView(d: ExpectedDeposit, r: ItemResult | undefined): Record<string, unknown> {
  return { id: d.id, store_id: d.storeId, bank_account: d.bankAccount, business_day: d.businessDay, expected_date: d.expectedDate, ...money(d.currency), gross: d.gross, refunds: d.refunds, voids: d.voids, amount: d.amount, reference: d.reference, ...matchView(r) };
}
function matchView(r: ItemResult | undefined): Record<string, unknown> {
  return { status: r?.status ?? 'pending', match: r === undefined ? null : { method: r.method, entry_ids: r.entryIds, difference: r.difference, booked_currency: r.bookedCurrency, days_off: r.daysOff } };
}

export function registerTreasuryRoutes(app: FastifyInstance, deps: TreasuryRouteDeps): void {
  const limit = deps.statementBodyLimit ?? 64 * 1024 * 1024;
  app.addContentTypeParser(['application/xml', 'text/xml'], { parseAs: 'buffer', bodyLimit: limit }, (_req, body, done) => done(null, body));
  const reader = (req: FastifyRequest): string => requireTenantKey(deps, req, 'read');
  const query = (req: FastifyRequest): Params => (req.query ?? {}) as Params;
  const recon = (tenant: string): Reconciliation => answer(() => deps.treasury.reconciliation(tenant));
  const statusOf = (r: Reconciliation, id: string): MatchStatus => {
    const i = r.items.indexOf(id);
    return i === -1 ? 'pending' : r.result.itemStatus(i);
  };
  const resultOf = (r: Reconciliation, id: string): ItemResult | undefined => {
    const i = r.items.indexOf(id);
    return i === -1 ? undefined : r.result.item(i);
  };

  app.post('/v1/statements', { bodyLimit: limit }, async (req, reply) => {
    const tenant = requireTenantKey(deps, req, 'ingest');
    const body = req.body;
    if (!Buffer.isBuffer(body)) throw new HttpError(415, 'unsupported_media_type', 'send the statement file as application/xml (camt.053), text/plain (MT940), text/csv or application/octet-stream');
    const p = query(req);
    const format = str(p, 'format');
    if (format !== undefined && !isStatementFormat(format)) throw new HttpError(400, 'invalid_parameter', `format must be camt053, mt940 or csv, got '${format.slice(0, 40)}'`);
    const result = answer(() => deps.treasury.importStatements(tenant, body, str(p, 'name') ?? 'upload', format as StatementFormat | undefined));
    const fresh = result.statements.some((s) => s.status === 'imported');
    void reply.status(fresh ? 201 : 200);
    return { ...result, status: fresh ? 'imported' : 'duplicate' };
  });

  app.get('/v1/treasury/statements', async (req) => {
    const tenant = reader(req);
    const { statements, flags } = deps.treasury.statements(tenant);
    const account = str(query(req), 'account');
    return {
      statements: statements
        .filter((s) => account === undefined || normaliseAccount(s.statement.account) === normaliseAccount(account))
        .map((s) => ({ key: s.key, format: s.statement.format, statement_id: s.statement.statementId, account: s.statement.account, ...money(s.statement.currency), opening: s.statement.opening, closing: s.statement.closing, entries: entryCount(s.statement), imported_at: s.importedAt, file_sha256: s.fileSha256, flags: flags.filter((f) => f.statementKey === s.key) })),
      flags,
    };
  });

  app.get('/v1/treasury/payouts', async (req) => {
    const tenant = reader(req);
    const p = query(req);
    const r = recon(tenant);
    const want = statuses(p);
    const [from, to, account, acquirer] = [date(p, 'from'), date(p, 'to'), str(p, 'account'), str(p, 'acquirer')];
    const scope = scopedStores(deps, tenant, p);
    const inScope = scope === null ? null : new Set(scope.map((s) => `${s.acquirer ?? ''}\u0000${s.merchant_account ?? ''}\u0000${s.bank_account ?? ''}`));
    const rows = r.expected.payouts.filter((x) => {
      if (from !== undefined && x.payoutDate < from) return false;
      if (to !== undefined && x.payoutDate >= to) return false;
      if (account !== undefined && normaliseAccount(x.bankAccount) !== normaliseAccount(account)) return false;
      if (acquirer !== undefined && x.acquirer !== acquirer) return false;
      if (inScope !== null && !inScope.has(`${x.acquirer}\u0000${x.merchantAccount}\u0000${x.bankAccount}`)) return false;
      return want === null || want.has(statusOf(r, x.id));
    });
    const { limit: n, offset } = paging(p);
    return { as_of: r.asOf, total: rows.length, payouts: rows.slice(offset, offset + n).map((x) => payoutView(x, resultOf(r, x.id))) };
  });

  app.get('/v1/treasury/payouts/:id', async (req) => {
    const tenant = reader(req);
    const id = (req.params as { id: string }).id;
    const r = recon(tenant);
    const payout = r.expected.payouts.find((x) => x.id === id);
    if (payout === undefined) throw new HttpError(404, 'not_found', `no expected payout '${id.slice(0, 120)}'`);
    const row = r.items.indexOf(id);
    const result = row === -1 ? undefined : r.result.item(row);
    const entries = row === -1 ? [] : r.result.itemPayers(row).map((e) => r.entries.entry(e));
    return {
      payout: payoutView(payout, result),
      lines: deps.treasury.expectedBook.payoutLines(tenant, payout).map((l) => ({ store_id: l.storeId, business_day: l.businessDay, tender: l.tender, card_brand: l.cardBrand, sale_currency: l.saleCurrency, charged: l.charged, refunds: l.refunds, fees: l.fees, amount: l.amount, sale_count: l.saleCount, refund_count: l.refundCount })),
      entries,
      history: deps.treasury.changes(tenant).filter((c) => c.itemId === id),
    };
  });

  app.get('/v1/treasury/deposits', async (req) => {
    const tenant = reader(req);
    const p = query(req);
    const r = recon(tenant);
    const want = statuses(p);
    const [from, to, account] = [date(p, 'from'), date(p, 'to'), str(p, 'account')];
    const scope = scopedStores(deps, tenant, p);
    const inScope = scope === null ? null : new Set(scope.map((s) => s.store_id));
    const rows = r.expected.deposits.filter((x) => {
      if (from !== undefined && x.businessDay < from) return false;
      if (to !== undefined && x.businessDay >= to) return false;
      if (account !== undefined && normaliseAccount(x.bankAccount) !== normaliseAccount(account)) return false;
      if (inScope !== null && !inScope.has(x.storeId)) return false;
      return want === null || want.has(statusOf(r, x.id));
    });
    const { limit: n, offset } = paging(p);
    return { as_of: r.asOf, total: rows.length, deposits: rows.slice(offset, offset + n).map((x) => depositView(x, resultOf(r, x.id))) };
  });

  app.get('/v1/treasury/reconciliation', async (req) => {
    const tenant = reader(req);
    const p = query(req);
    const r = recon(tenant);
    const want = statuses(p);
    const [from, to, account, acquirer, kind] = [date(p, 'from'), date(p, 'to'), str(p, 'account'), str(p, 'acquirer'), str(p, 'kind')];
    if (kind !== undefined && kind !== 'payout' && kind !== 'deposit' && kind !== 'entry') throw new HttpError(400, 'invalid_parameter', `kind must be payout, deposit or entry, got '${kind.slice(0, 40)}'`);
    const scope = scopedStores(deps, tenant, p);
    const payoutById = new Map(r.expected.payouts.map((x) => [x.id, x]));
    const depositById = new Map(r.expected.deposits.map((x) => [x.id, x]));
    const scopeKeys = scope === null ? null : new Set(scope.flatMap((s) => [`store:${s.store_id}`, `pay:${s.acquirer ?? ''}\u0000${s.merchant_account ?? ''}\u0000${s.bank_account ?? ''}`]));
    const summary: Record<string, { count: number; amount: number }> = {};
    const { limit: n, offset } = paging(p);
    // Rows are counted as they pass the filters; only those of the page are made into objects.
    const items: Record<string, unknown>[] = [];
    let totalItems = 0;
    const wanted = account === undefined ? undefined : normaliseAccount(account);
    const res = r.result;
    for (let i = 0; i < res.itemCount; i++) {
      const id = r.items.ids[i]!;
      const payout = payoutById.get(id);
      const deposit = depositById.get(id);
      const expectedDate = r.items.dates[i]!;
      if (kind !== undefined && kind !== r.items.kindOf(i)) continue;
      if (from !== undefined && expectedDate < from) continue;
      if (to !== undefined && expectedDate >= to) continue;
      if (wanted !== undefined && r.items.accountOf(i) !== wanted) continue;
      if (acquirer !== undefined && payout?.acquirer !== acquirer) continue;
      if (scopeKeys !== null && !(deposit !== undefined ? scopeKeys.has(`store:${deposit.storeId}`) : payout !== undefined && scopeKeys.has(`pay:${payout.acquirer}\u0000${payout.merchantAccount}\u0000${payout.bankAccount}`))) continue;
      const status = res.itemStatus(i);
      const s = (summary[status] ??= { count: 0, amount: 0 });
      s.count++;
      s.amount += r.items.amount[i]!;
      if (want !== null && !want.has(status)) continue;
      if (totalItems >= offset && totalItems < offset + n) items.push(itemView(r.items.item(i), res.item(i), payout, deposit));
      totalItems++;
    }
    const entries: Record<string, unknown>[] = [];
    let totalEntries = 0;
    if (scope === null && acquirer === undefined && (kind === undefined || kind === 'entry')) {
      for (let e = 0; e < res.entryCount; e++) {
        const day = r.entries.dates[e]!;
        if (from !== undefined && day < from) continue;
        if (to !== undefined && day >= to) continue;
        if (wanted !== undefined && r.entries.accountOf(e) !== wanted) continue;
        const status = res.entryStatus(e);
        const key = `entry_${status}`;
        const s = (summary[key] ??= { count: 0, amount: 0 });
        s.count++;
        s.amount += r.entries.amount[e]!;
        if (want !== null && !want.has(status)) continue;
        if (totalEntries >= offset && totalEntries < offset + n) entries.push(entryView(r.entries.entry(e), res.entry(e)));
        totalEntries++;
      }
    }
    return { as_of: r.asOf, ms: Math.round(r.ms), summary, total_items: totalItems, total_entries: totalEntries, items, entries };
  });

  app.get('/v1/treasury/fees', async (req) => {
    const tenant = reader(req);
    const p = query(req);
    const by = (str(p, 'by') ?? 'card_brand') as FeeGroup;
    if (!(FEE_GROUPS as readonly string[]).includes(by)) throw new HttpError(400, 'invalid_parameter', `by must be one of ${FEE_GROUPS.join(', ')}, got '${String(by).slice(0, 40)}'`);
    const period = (str(p, 'period') ?? 'all') as FeePeriod;
    if (!(FEE_PERIODS as readonly string[]).includes(period)) throw new HttpError(400, 'invalid_parameter', `period must be one of ${FEE_PERIODS.join(', ')}, got '${String(period).slice(0, 40)}'`);
    const range = deps.source.businessDayRange(tenant);
    const from = date(p, 'from');
    const to = date(p, 'to');
    const scope = SCOPE_KEYS.some((k) => p[k] !== undefined) ? answer(() => storeFilter(p)) : null;
    const rows = range === null ? [] : feeReport(deps.treasury.expectedBook, deps.source, tenant, { by, period, fromDay: from === undefined ? range.first : dayNumber(from), toDay: to === undefined ? range.last + 1 : dayNumber(to), filter: scope });
    return { by, period, from: from ?? null, to: to ?? null, rows: rows.map((x) => ({ key: x.key, period: x.period, ...money(x.currency), charged: x.charged, fees: x.fees, sales: x.sales, effective_bps: x.effectiveBps })) };
  });

  app.get('/v1/treasury/cash-position', async (req) => {
    const tenant = reader(req);
    const p = query(req);
    const account = str(p, 'account');
    const to = date(p, 'to');
    const fc = deps.cashForecast?.(tenant) ?? null;
    const positions = answer(() => deps.treasury.cashPosition(tenant, { ...(account === undefined ? {} : { account }), ...(to === undefined ? {} : { to }), ...(fc === null ? {} : { forecast: fc.forecast.byAccount }) }));
    const forecast =
      fc === null
        ? 'none'
        : { as_of: dayText(fc.asOf), model: fc.model, from: dayText(fc.fromDay), stores: fc.forecast.stores, skipped: fc.forecast.skipped.map((x) => ({ store_id: x.storeId, reason: x.reason })), method: 'forecast net_sales x tender mix (last 28 business days) x (1 - effective fee rate), paid T+N (card, wallet) or deposited T+1 (cash)' };
    return { as_of: deps.treasury.reconciliation(tenant).asOf, forecast, accounts: positions.map((a) => ({ ...a, ...money(a.currency) })) };
  });

  app.get('/v1/treasury/unsettled', async (req) => {
    const tenant = reader(req);
    const p = query(req);
    const [from, to, reason] = [date(p, 'from'), date(p, 'to'), str(p, 'reason')];
    const rows = deps.treasury.expected(tenant).unsettled.filter((u) => (from === undefined || u.businessDay >= from) && (to === undefined || u.businessDay < to) && (reason === undefined || u.reason === reason));
    const totals: Record<string, Record<string, number>> = {};
    for (const u of rows) {
      const t = (totals[u.reason] ??= {});
      t[u.currency] = (t[u.currency] ?? 0) + u.amount;
    }
    const { limit: n, offset } = paging(p);
    return { total: rows.length, totals, rows: rows.slice(offset, offset + n).map((u) => ({ store_id: u.storeId, business_day: u.businessDay, tender: u.tender, ...money(u.currency), reason: u.reason, amount: u.amount })) };
  });

  // Admin: the settlement set-up.
  const admin = (req: FastifyRequest): string => {
    requireKey(deps, req, 'admin');
    const id = (req.params as { id: string }).id;
    if (deps.tenants.get(id) === undefined) throw new HttpError(404, 'tenant_unknown', `unknown tenant '${id.slice(0, 64)}'`);
    return id;
  };
  app.get('/v1/admin/tenants/:id/treasury/setup', async (req) => settlementSetupJson(deps.treasury.setup(admin(req))));
  app.put('/v1/admin/tenants/:id/treasury/setup', async (req) => {
    const id = admin(req);
    const setup = answer(() => deps.treasury.putSetup(id, req.body));
    return { tenant: id, acquirers: setup.acquirers.length, fee_plans: setup.feePlans.length, calendar_overrides: setup.calendarOverrides.length };
  });
}

function itemView(item: ExpectedItem, ir: ItemResult, payout: ExpectedPayout | undefined, deposit: ExpectedDeposit | undefined): Record<string, unknown> {
  return { ...item, amount: item.amountMinor, amountMinor: undefined, status: ir.status, method: ir.method, entry_ids: ir.entryIds, difference: ir.difference, booked_currency: ir.bookedCurrency, days_off: ir.daysOff, store_id: deposit?.storeId ?? null, business_day: deposit?.businessDay ?? null, acquirer: payout?.acquirer ?? null, first_business_day: payout?.firstBusinessDay ?? deposit?.businessDay ?? null, last_business_day: payout?.lastBusinessDay ?? deposit?.businessDay ?? null };
}

function entryView(e: BookedEntry, er: EntryResult): Record<string, unknown> {
  return { id: e.id, account: e.account, ...money(e.currency), amount: e.amountMinor, date: e.date, reference: e.reference, remittance: e.remittance, bank_reference: e.bankReference, status: er.status, method: er.method, item_ids: er.itemIds, duplicate_of: er.duplicateOf };
}
