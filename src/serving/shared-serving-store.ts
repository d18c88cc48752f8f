/**
 * The `SharedServingStore` port: rollups in a database that many stream
 * workers write at once, each for the log partitions it holds a lease on,
 * and any number of API processes read. Unlike `ServingStore` (one process,
 * in memory, synchronous), every call is a round trip, and every write names
 * the writer's lease epoch so that an owner that lost its lease can never
 * make a batch visible after the next owner started.
 *
 * @example
 * const from = await serving.claim(3, lease.revision);   // partition 3 is mine from here
 * await serving.apply({ partition: 3, epoch: lease.revision, fromOffset: from, endOffset: from + n, deltas });
 * const groups = await serving.series('acme', query);     // sums of committed batches only
 */
import type { Store } from '../domain/store.js';
import type { SeriesGroup, SeriesQuery, TopQuery, TopRow } from './series-query.js';
import type { RollupDelta } from './serving-store.js';
import type { TenantSettings } from './tenant-rollups.js';

/** One partition's deltas for log offsets [fromOffset, endOffset), written under lease epoch `epoch`. */
export interface FencedRollupBatch {
  partition: number;
  epoch: number;
  fromOffset: number;
  endOffset: number;
  deltas: readonly RollupDelta[];
}

export interface SharedServingStore {
  /**
   * Takes `partition` for lease epoch `epoch` (greater than every epoch that
   * wrote it before): from now on batches of older epochs that start at or
   * after the returned offset are never visible. Resolves with the offset
   * the new owner continues from. Rejects with `ServingFencedError` when a
   * newer epoch already claimed the partition.
   */
  claim(partition: number, epoch: number): Promise<number>;
  /** The next offset of `partition` whose effects are not committed (0 when none). */
  appliedOffset(partition: number): Promise<number>;
  /**
   * Writes a batch and then commits it; visible once this resolves. A batch
   * must start where the epoch's previous one ended (or at its claim). After
   * a rejection the epoch must not write again: claim the partition anew.
   */
  apply(batch: FencedRollupBatch): Promise<void>;
  setTenant(tenant: string, settings: TenantSettings): void;
  settings(tenant: string): TenantSettings | undefined;
  /** Makes registry entries known to this process's queries. */
  upsertStores(tenant: string, stores: readonly Store[]): void;
  stores(tenant: string): Promise<Store[]>;
  series(tenant: string, q: SeriesQuery): Promise<SeriesGroup[]>;
  top(tenant: string, q: TopQuery): Promise<TopRow[]>;
  close(): Promise<void>;
}
