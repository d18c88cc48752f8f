/**
 * Turns log records into rollup deltas: decode the ingested line, enrich it
 * from the store registry, convert its money into the tenant's reporting
 * currency at the rate of its UTC date (DOMAIN.md, "Money"), and add it to
 * the delta of its store, UTC quarter hour, tender, card brand and currency.
 * A record that lands on a closed business day also yields a restatement.
 */
import { decodeIngestedRecord } from '../domain/ingested-record.js';
import { addTransaction, SUM_COUNT } from '../domain/metrics.js';
import { businessDay, clockFor, DEFAULT_CLOSE_GRACE_MS, isDayClosed, localTime, QUARTER_MS, DAY_MS } from '../domain/time-buckets.js';
import { decodeTransaction } from '../domain/transaction-decoder.js';
import type { Transaction } from '../domain/transaction.js';
import type { RollupDelta } from '../serving/serving-store.js';
import type { Restatement } from './restatement-log.js';
import type { TenantDirectory, TenantView } from './tenant-directory.js';

/** Why a record was left out of the rollups (counted, and logged by the caller). */
export const SKIP_REASONS = ['unknown_tenant', 'unknown_store', 'undecodable', 'fx_rate_missing'] as const;
export type SkipReason = (typeof SKIP_REASONS)[number];

export interface BuiltBatch {
  deltas: RollupDelta[];
  restatements: Restatement[];
  records: number;
  skipped: Partial<Record<SkipReason, number>>;
  /** One example per reason, for the log. */
  examples: Partial<Record<SkipReason, string>>;
  /** Newest ingest time seen (ms), for freshness. */
  maxReceivedAt: number;
  /** Per tenant: records in the rollups and their newest ingest time. */
  tenants: Map<string, { records: number; maxReceivedAt: number }>;
}

const BIG = 1 << 30;

export class RollupBuilder {
  /** Days after their end plus this grace count as closed. */
  constructor(
    private readonly directory: TenantDirectory,
    private readonly closeGraceMs: number = DEFAULT_CLOSE_GRACE_MS,
  ) {}

  /** Builds the deltas of `records` (consecutive offsets of one partition). */
  build(partition: number, records: readonly { offset: number; payload: Uint8Array }[]): BuiltBatch {
    const out: BuiltBatch = { deltas: [], restatements: [], records: records.length, skipped: {}, examples: {}, maxReceivedAt: 0, tenants: new Map() };
    const byKey = new Map<string, RollupDelta>();
    const views = new Map<string, TenantView | undefined>();
    const skip = (reason: SkipReason, example: string): void => {
      out.skipped[reason] = (out.skipped[reason] ?? 0) + 1;
      out.examples[reason] ??= example;
    };
    for (const r of records) {
      let rec;
      try {
        rec = decodeIngestedRecord(r.payload);
      } catch (err) {
        skip('undecodable', `offset ${String(r.offset)}: ${(err as Error).message}`);
        continue;
      }
      if (rec.receivedAt > out.maxReceivedAt) out.maxReceivedAt = rec.receivedAt;
      let view = views.get(rec.tenant);
      if (!views.has(rec.tenant)) {
        view = this.directory.get(rec.tenant);
        views.set(rec.tenant, view);
      }
      if (view === undefined) {
        skip('unknown_tenant', `offset ${String(r.offset)}: tenant '${rec.tenant}'`);
        continue;
      }
      const d = decodeTransaction(rec.line, 0, rec.line.length, { tenant: rec.tenant, nowMs: rec.receivedAt, hasStore: () => true, maxLineBytes: BIG });
      if (!d.ok) {
        skip('undecodable', `offset ${String(r.offset)}: ${d.code} ${d.message}`);
        continue;
      }
      const t = d.txn;
      const store = view.stores.get(t.store_id);
      if (store === undefined) {
        skip('unknown_store', `offset ${String(r.offset)}: store '${t.store_id}' of tenant '${rec.tenant}' is not in its registry`);
        continue;
      }
      const rep = convert(view, t);
      if (typeof rep === 'string') {
        skip('fx_rate_missing', `offset ${String(r.offset)}: ${rep}`);
        continue;
      }
      const seen = out.tenants.get(rec.tenant);
      if (seen === undefined) out.tenants.set(rec.tenant, { records: 1, maxReceivedAt: rec.receivedAt });
      else {
        seen.records++;
        if (rec.receivedAt > seen.maxReceivedAt) seen.maxReceivedAt = rec.receivedAt;
      }
      const quarter = Math.floor(t.ts / QUARTER_MS);
      const key = `${rec.tenant}\u0000${t.store_id}\u0000${String(quarter)}\u0000${t.tender}\u0000${t.card_brand ?? ''}\u0000${t.currency}`;
      let delta = byKey.get(key);
      if (delta === undefined) {
        delta = { tenant: rec.tenant, store, quarter, tender: t.tender, cardBrand: t.card_brand, currency: t.currency, rep: new Float64Array(SUM_COUNT), orig: new Float64Array(SUM_COUNT) };
        byKey.set(key, delta);
        out.deltas.push(delta);
      }
      addTransaction(delta.rep as Float64Array, 0, { type: t.type, amount: rep.amount, tax: rep.tax, discount: rep.discount, items: t.items ?? 0 });
      addTransaction(delta.orig as Float64Array, 0, { type: t.type, amount: t.amount_minor, tax: t.tax_minor, discount: t.discount_minor ?? 0, items: t.items ?? 0 });

      // Only a record that arrived more than the grace after its event can land on a closed day.
      if (rec.receivedAt - t.ts >= this.closeGraceMs) {
        const clock = clockFor('store', store.timezone, view.settings.cutoffMinutes);
        const day = businessDay(localTime(t.ts, clock), clock.cutoffMinutes);
        if (isDayClosed(day, clock, rec.receivedAt, this.closeGraceMs)) {
          const sign = t.type === 'sale' ? 1 : -1;
          out.restatements.push({
            tenant: rec.tenant,
            store_id: t.store_id,
            business_day: new Date(day * DAY_MS).toISOString().slice(0, 10),
            txn_id: t.txn_id,
            type: t.type,
            ts: new Date(t.ts).toISOString(),
            received_at: new Date(rec.receivedAt).toISOString(),
            net_sales: sign * rep.amount,
            tax: sign * rep.tax,
            currency: view.settings.reportingCurrency,
            partition,
            offset: r.offset,
          });
        }
      }
    }
    return out;
  }
}

/** The record's money in the reporting currency, or why it cannot be converted. */
function convert(view: TenantView, t: Transaction): { amount: number; tax: number; discount: number } | string {
  const a = view.fx.convert(t.amount_minor, t.currency, t.ts);
  if (!a.ok) return a.message;
  const x = view.fx.convert(t.tax_minor, t.currency, t.ts);
  if (!x.ok) return x.message;
  let discount = 0;
  if (t.discount_minor !== null && t.discount_minor !== 0) {
    const c = view.fx.convert(t.discount_minor, t.currency, t.ts);
    if (!c.ok) return c.message;
    discount = c.amount;
  }
  return { amount: a.amount, tax: x.amount, discount };
}
