/**
 * Messages between the stream worker (reads the log, decodes, enriches,
 * converts, pre-aggregates) and the main thread (applies deltas to the
 * serving store, writes restatements).
 *
 * A batch's deltas travel as one transferred Float64Array of DELTA_WIDTH
 * numbers each (no object per delta crosses threads), with the tenant and
 * store ids in string tables.
 */
import type { LogTarget } from '../log/log-target.js';
import type { Restatement } from './restatement-log.js';
import type { SkipReason } from './rollup-builder.js';

/** tenant index, store index, quarter, tender, brand (−1 none), currency index, 12 reporting sums, 7 original sums. */
export const DELTA_WIDTH = 6 + 12 + 7;

export interface StreamWorkerInit {
  dataDir: string;
  /** The log to read (the worker opens its own). */
  log: LogTarget;
  partitions: number;
  /** Where to start reading each partition (the serving store's applied offsets). */
  offsets: number[];
  batchRecords: number;
  /** How long a batch collects records from every partition before it is posted (ms). */
  batchMs: number;
  closeGraceMs: number;
  pollMs: number;
}

export interface BatchMessage {
  type: 'batch';
  /**
   * The log position after the records the batch covers, per partition it
   * read: (partition, end offset), each partition once, in ascending order.
   */
  ends: [number, number][];
  records: number;
  tenants: string[];
  stores: string[];
  /** Strings of tenders, brands and currencies used, indexed from the numeric columns. */
  words: string[];
  deltas: Float64Array;
  restatements: Restatement[];
  skipped: Partial<Record<SkipReason, number>>;
  examples: Partial<Record<SkipReason, string>>;
  perTenant: [string, number, number][];
  maxReceivedAt: number;
}

export type FromWorker = BatchMessage | { type: 'failed'; message: string; stack?: string } | { type: 'stopped' };
export type ToWorker = { type: 'applied' } | { type: 'stop' };
