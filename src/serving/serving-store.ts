/**
 * The `ServingStore` port: rollups the API reads with low latency, fed by
 * the stream with batches of rollup deltas. Each batch carries the log
 * position it reaches, and the store keeps its data and those positions
 * together, so after a crash the stream resumes exactly where the data ends.
 *
 * @example
 * const serving = await ColumnarServingStore.open('/var/lib/tpay/serving');
 * const from = serving.appliedOffset(3);          // read partition 3 from here
 * serving.apply({ partition: 3, endOffset: from + n, deltas });
 * serving.series('acme', query);                  // → groups of points
 * await serving.snapshot();                       // data + offsets, durably
 */
import type { Store } from '../domain/store.js';
import type { CardBrand, Tender } from '../domain/transaction.js';
import type { SeriesGroup, SeriesQuery, TopQuery, TopRow } from './series-query.js';
import type { TenantSettings } from './tenant-rollups.js';

/** The sums of some transactions of one store, quarter hour, tender, card brand and currency. */
export interface RollupDelta {
  tenant: string;
  /** The store as the registry described it when the transactions were processed. */
  store: Store;
  /** UTC quarter hour: epoch ms / 900 000. */
  quarter: number;
  tender: Tender;
  cardBrand: CardBrand | null;
  currency: string;
  /** The twelve sums of domain/metrics.ts, in the tenant's reporting currency. */
  rep: ArrayLike<number>;
  /** The seven money sums again (same order), in `currency`. */
  orig: ArrayLike<number>;
}

export interface RollupBatch {
  partition: number;
  /** The log offset after the last record this batch covers. */
  endOffset: number;
  deltas: readonly RollupDelta[];
}

export interface SnapshotInfo {
  bytes: number;
  ms: number;
  cells: number;
  /** The log offsets whose effects the snapshot holds. */
  offsets: ReadonlyMap<number, number>;
}

export interface ServingStore {
  /** The next log offset of `partition` whose effects are not in the store (0 when none). */
  appliedOffset(partition: number): number;
  /** Adds a batch atomically with its log position. Batches of a partition must come in log order. */
  apply(batch: RollupBatch): void;
  /** Sets (or changes) a tenant's reporting currency and business-day cut-off. */
  setTenant(tenant: string, settings: TenantSettings): void;
  settings(tenant: string): TenantSettings | undefined;
  /** Stores that have data or were registered with `upsertStores`. */
  stores(tenant: string): Store[];
  /** Makes registry entries known before they have data (so scopes and store pages see them). */
  upsertStores(tenant: string, stores: readonly Store[]): void;
  series(tenant: string, q: SeriesQuery): SeriesGroup[];
  top(tenant: string, q: TopQuery): TopRow[];
  /** Writes data and offsets durably; later opens start from here. */
  snapshot(): Promise<SnapshotInfo>;
  /** Store-quarter-hours held and bytes used, for sizing. */
  stats(): { tenants: number; stores: number; cells: number; storeQuarters: number; bytes: number };
}
