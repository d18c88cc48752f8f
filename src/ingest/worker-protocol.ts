/**
 * Messages between the ingest front (main thread) and its workers.
 *
 * A batch's bytes travel in a SharedArrayBuffer so every worker reads the
 * same copy; each worker gets only the index of the lines it owns:
 * quadruplets (start, end, line number, original length of an over-long
 * line or 0).
 */
import type { RejectCode } from '../domain/reject-codes.js';
import type { LogTarget } from '../log/log-target.js';

export const INDEX_STRIDE = 4;

/**
 * How a batch's records are written: NDJSON lines, or compact frames (a u16
 * length, then a compact record; docs/transactions.md). For compact
 * batches the index quadruplets are (body start, body end, record number,
 * 0 or, for a record cut short by the end of the stream, its declared
 * length + 1).
 */
export { WIRE_FORMATS, type WireFormat } from '../domain/compact-record.js';
import type { WireFormat } from '../domain/compact-record.js';
/** Misrouted lines come back as (start, end, line, partition). */
export const MISROUTE_STRIDE = 4;

export interface TenantInfo {
  id: string;
  storeIds: readonly string[];
}

/** Settings every worker gets alike, straight from the engine's options. */
export interface WorkerSettings {
  workers: number;
  partitions: number;
  /** The log the workers write (each opens its own: files, or a NATS connection per thread). */
  log: LogTarget;
  /** Of the dead-letter files (the log's own durability is in `log`). */
  durability: 'fsync' | 'write';
  /** `none`: records are dropped instead of written (benchmarks of what the log costs). */
  sink: 'log' | 'none';
  maxLineBytes: number;
  /** Most seq intervals held per terminal before the oldest merge into its floor. */
  dedupIntervalBudget: number;
  snapshotIntervalMs: number;
  tenants: readonly TenantInfo[];
}

export interface WorkerInit extends WorkerSettings {
  index: number;
  dlqDir: string;
  dedupDir: string;
}

export interface BatchMessage {
  type: 'batch';
  id: number;
  tenant: string;
  source: string;
  receivedAt: number;
  data: SharedArrayBuffer;
  index: Int32Array;
  /** Replays of dead letters must not write new dead letters. */
  noDlq: boolean;
  format: WireFormat;
}

/**
 * Batches travel in groups: everything the I/O thread routed to a worker in
 * one event-loop turn goes in one message (a postMessage costs ~10 µs
 * here, as much as decoding a few records).
 */
export type ToWorker = { type: 'batches'; batches: BatchMessage[] } | { type: 'tenant'; tenant: TenantInfo } | { type: 'close' };

export interface LineReject {
  line: number;
  code: RejectCode;
  message: string;
}

export interface RecoveryStats {
  partitions: number[];
  snapshotRecords: number;
  replayedRecords: number;
  terminals: number;
  ms: number;
}

/** Dedup state of one worker's partitions, for `/metrics`. */
export interface DedupStats {
  terminals: number;
  /** Exact seq intervals held, all terminals. */
  intervals: number;
  /** Terminals that reached the interval budget (they have a floor). */
  terminalsAtBudget: number;
  /** Intervals merged into a floor since start (replay at start not counted). */
  floorMerges: number;
  /** Most intervals one terminal has held since start. */
  peakIntervals: number;
}

/** What a worker made of its part of one batch. */
export interface BatchReply {
  id: number;
  accepted: number;
  duplicates: number;
  rejects: LineReject[];
  /** Null when every line was this worker's (the usual case: nothing to clone). */
  misrouted: Int32Array | null;
}

export type FromWorker =
  | { type: 'ready'; index: number; recovery: RecoveryStats; dedup: DedupStats }
  /** The replies of every batch one group commit made durable, in one message, and the dedup state after them. */
  | { type: 'done'; replies: BatchReply[]; commitMs: number; dedup: DedupStats }
  | { type: 'closed'; index: number }
  | { type: 'fatal'; index: number; message: string };
