/**
 * Turns log records into rollup deltas: decode the ingested record, enrich it
 * from the store registry, convert its money into the tenant's reporting
 * currency at the rate of its UTC date (DOMAIN.md, "Money"), and add it to
 * the delta of its store, UTC quarter hour, tender, card brand and currency.
 * A record that lands on a closed business day also yields a restatement,
 * unless the day is before the tenant's go-live date (history).
 */
import { decodeCompactTransaction } from '../domain/compact-decoder.js';
import { IngestedRecordReader } from '../domain/ingested-record.js';
import { addTransaction, SUM_COUNT } from '../domain/metrics.js';
import { businessDay, clockFor, DEFAULT_CLOSE_GRACE_MS, isDayClosed, localTime, QUARTER_MS, DAY_MS } from '../domain/time-buckets.js';
import { decodeTransaction, type DecodeContext } from '../domain/transaction-decoder.js';
import { CARD_BRANDS, TENDERS, type Transaction } from '../domain/transaction.js';
import { CURRENCY_CODES } from '../domain/currency.js';
import type { Store } from '../domain/store.js';
import { DELTA_WIDTH } from './stream-protocol.js';
import type { Restatement } from './restatement-log.js';
import type { TenantDirectory, TenantView } from './tenant-directory.js';

/** Why a record was left out of the rollups (counted, and logged by the caller). */
export const SKIP_REASONS = ['unknown_tenant', 'unknown_store', 'undecodable', 'fx_rate_missing'] as const;
export type SkipReason = (typeof SKIP_REASONS)[number];

export interface BuiltBatch {
  /** DELTA_WIDTH numbers per delta (stream-protocol.ts): indexes into `tenants`, `stores`, `words`, then the sums. */
  deltas: Float64Array<ArrayBuffer>;
  tenants: string[];
  stores: string[];
  words: string[];
  restatements: Restatement[];
  records: number;
  skipped: Partial<Record<SkipReason, number>>;
  /** One example per reason, for the log. */
  examples: Partial<Record<SkipReason, string>>;
  /** Newest ingest time seen (ms), for freshness. */
  maxReceivedAt: number;
  /** Per tenant: records in the rollups and their newest ingest time. */
  perTenant: Map<string, { records: number; maxReceivedAt: number }>;
}

/** Original-currency money sums on the wire (the first seven sums). */
const ORIGINAL_SUMS = 7;
const BIG = 1 << 30;
const TENDER_INDEX = new Map<string, number>(TENDERS.map((t, i) => [t, i]));
const BRAND_INDEX = new Map<string, number>(CARD_BRANDS.map((b, i) => [b, i]));
const CURRENCY_INDEX = new Map(CURRENCY_CODES.map((c, i) => [c, i]));

/** Numbers for the strings of a batch, in order of first use. */
class Names {
  readonly list: string[] = [];
  private readonly ids = new Map<string, number>();
  id(name: string): number {
    let i = this.ids.get(name);
    if (i === undefined) {
      i = this.list.length;
      this.list.push(name);
      this.ids.set(name, i);
    }
    return i;
  }
}

export class RollupBuilder {
  /** Days after their end plus this grace count as closed. */
  constructor(
    private readonly directory: TenantDirectory,
    private readonly closeGraceMs: number = DEFAULT_CLOSE_GRACE_MS,
  ) {}

  /** Builds the deltas of `records` (consecutive offsets of one partition). */
  build(partition: number, records: readonly { offset: number; payload: Uint8Array }[]): BuiltBatch {
    const batch = this.batch();
    batch.add(partition, records);
    return batch.finish();
  }

  /**
   * A batch to fill from several reads, of any partitions, before it is
   * applied: the serving store's cost is per delta and per flush, so one
   * batch over every partition's last ~100 ms folds many records into
   * each (store, quarter, tender, brand, currency) delta and each city,
   * country and tenant sum, where a batch per partition read held ~250
   * records and nearly a delta each.
   */
  batch(): DeltaBatch {
    return new DeltaBatch(this.directory, this.closeGraceMs);
  }
}

/** Deltas of records from one or more reads; see {@link RollupBuilder.batch}. */
export class DeltaBatch {
  private readonly reader = new IngestedRecordReader();
  private readonly tenants = new Names();
  private readonly stores = new Names();
  private readonly words = new Names();
  private readonly perTenant = new Map<string, { records: number; maxReceivedAt: number }>();
  private readonly restatements: Restatement[] = [];
  private readonly skipped: Partial<Record<SkipReason, number>> = {};
  private readonly examples: Partial<Record<SkipReason, string>> = {};
  private maxReceivedAt = 0;
  /** Records added so far (skipped ones included). */
  records = 0;
  // Deltas in the wire layout, and their original sums at full width (addTransaction's layout).
  private wire = new Float64Array(1024 * DELTA_WIDTH);
  private origs = new Float64Array(1024 * SUM_COUNT);
  private count = 0;
  // Store (registry entry) → (quarter, tender, brand, currency) → delta index: numbers, not strings, per record.
  private readonly byStore = new Map<Store, Map<number, number>>();
  /** Each tenant's view as of its first record in the batch. */
  private readonly views = new Map<string, TenantView | undefined>();
  // One context for every record: no allocation per record.
  private readonly ctx: DecodeContext = { tenant: '', nowMs: 0, hasStore: () => true, maxLineBytes: BIG };

  constructor(
    private readonly directory: TenantDirectory,
    private readonly closeGraceMs: number,
  ) {}

  private skip(reason: SkipReason, example: string): void {
    this.skipped[reason] = (this.skipped[reason] ?? 0) + 1;
    this.examples[reason] ??= example;
  }

  /** Adds `records` (consecutive offsets of `partition`, after any added before from it). */
  add(partition: number, records: readonly { offset: number; payload: Uint8Array }[]): void {
    this.records += records.length;
    const rec = this.reader;
    const ctx = this.ctx;
    for (const r of records) {
      try {
        rec.read(r.payload);
      } catch (err) {
        this.skip('undecodable', `offset ${String(r.offset)}: ${(err as Error).message}`);
        continue;
      }
      if (rec.receivedAt > this.maxReceivedAt) this.maxReceivedAt = rec.receivedAt;
      let view = this.views.get(rec.tenant);
      if (!this.views.has(rec.tenant)) {
        view = this.directory.get(rec.tenant);
        this.views.set(rec.tenant, view);
      }
      if (view === undefined) {
        this.skip('unknown_tenant', `offset ${String(r.offset)}: tenant '${rec.tenant}'`);
        continue;
      }
      ctx.tenant = rec.tenant;
      ctx.nowMs = rec.receivedAt;
      // Log record v2 holds the compact record: read at fixed offsets, no JSON (v1: the line).
      const d = rec.compactStart >= 0 ? decodeCompactTransaction(rec.bytes, rec.compactStart, rec.compactEnd, ctx) : decodeTransaction(rec.bytes, rec.lineStart, rec.lineEnd, ctx);
      if (!d.ok) {
        this.skip('undecodable', `offset ${String(r.offset)}: ${d.code} ${d.message}`);
        continue;
      }
      const t = d.txn;
      const store = view.stores.get(t.store_id);
      if (store === undefined) {
        this.skip('unknown_store', `offset ${String(r.offset)}: store '${t.store_id}' of tenant '${rec.tenant}' is not in its registry`);
        continue;
      }
      const rep = convert(view, t);
      if (typeof rep === 'string') {
        this.skip('fx_rate_missing', `offset ${String(r.offset)}: ${rep}`);
        continue;
      }
      const seen = this.perTenant.get(rec.tenant);
      if (seen === undefined) this.perTenant.set(rec.tenant, { records: 1, maxReceivedAt: rec.receivedAt });
      else {
        seen.records++;
        if (rec.receivedAt > seen.maxReceivedAt) seen.maxReceivedAt = rec.receivedAt;
      }
      const quarter = Math.floor(t.ts / QUARTER_MS);
      // quarter · 8 · 8 · 256 + tender · 8 · 256 + brand · 256 + currency: below 2^53 for any quarter of this era.
      const key = ((quarter * 8 + TENDER_INDEX.get(t.tender)!) * 8 + (t.card_brand === null ? 7 : BRAND_INDEX.get(t.card_brand)!)) * 256 + (CURRENCY_INDEX.get(t.currency) ?? 255);
      let keys = this.byStore.get(store);
      if (keys === undefined) this.byStore.set(store, (keys = new Map()));
      let at = keys.get(key);
      if (at === undefined) {
        at = this.count++;
        keys.set(key, at);
        if (this.count * DELTA_WIDTH > this.wire.length) {
          this.wire = grow(this.wire);
          this.origs = grow(this.origs);
        }
        const o = at * DELTA_WIDTH;
        this.wire[o] = this.tenants.id(rec.tenant);
        this.wire[o + 1] = this.stores.id(store.store_id);
        this.wire[o + 2] = quarter;
        this.wire[o + 3] = this.words.id(t.tender);
        this.wire[o + 4] = t.card_brand === null ? -1 : this.words.id(t.card_brand);
        this.wire[o + 5] = this.words.id(t.currency);
      }
      addTransaction(this.wire, at * DELTA_WIDTH + 6, { type: t.type, amount: rep.amount, tax: rep.tax, discount: rep.discount, items: t.items ?? 0 });
      addTransaction(this.origs, at * SUM_COUNT, { type: t.type, amount: t.amount_minor, tax: t.tax_minor, discount: t.discount_minor ?? 0, items: t.items ?? 0 });

      // Only a record that arrived more than the grace after its event can land on a closed day.
      if (rec.receivedAt - t.ts >= this.closeGraceMs) {
        const clock = clockFor('store', store.timezone, view.settings.cutoffMinutes);
        const day = businessDay(localTime(t.ts, clock), clock.cutoffMinutes);
        // A day before go-live is history the tenant brought, not a change to a day it reported live.
        if (day >= view.goLiveDay && isDayClosed(day, clock, rec.receivedAt, this.closeGraceMs)) {
          const sign = t.type === 'sale' ? 1 : -1;
          this.restatements.push({
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
  }

  /** The batch's deltas and what else it found; the batch must not be used afterwards. */
  finish(): BuiltBatch {
    const wire = this.wire;
    for (let i = 0; i < this.count; i++) for (let k = 0; k < ORIGINAL_SUMS; k++) wire[i * DELTA_WIDTH + 18 + k] = this.origs[i * SUM_COUNT + k]!;
    return {
      restatements: this.restatements,
      skipped: this.skipped,
      examples: this.examples,
      maxReceivedAt: this.maxReceivedAt,
      deltas: wire.slice(0, this.count * DELTA_WIDTH),
      tenants: this.tenants.list,
      stores: this.stores.list,
      words: this.words.list,
      records: this.records,
      perTenant: this.perTenant,
    };
  }
}

function grow(a: Float64Array<ArrayBuffer>): Float64Array<ArrayBuffer> {
  const b = new Float64Array(a.length * 2);
  b.set(a);
  return b;
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
