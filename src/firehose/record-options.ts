/**
 * Options of the records generator and the ground truth it reports, with
 * validation that names the offending key.
 */
import type { RejectCode } from '../domain/reject-codes.js';
import { FirehoseOptionError, checkInteger, checkNumber } from './errors.js';
import { DEFAULT_MALFORMED_KINDS, isMalformedKind, type MalformedKind } from './malformed.js';

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

/** Fault injection. Every rate defaults to 0 (a clean stream). */
export interface FaultOptions {
  /** Probability, after each valid line, of also sending an exact copy of one of the last 256 valid lines. 0..1. */
  duplicates?: number;
  /** Expected outages per terminal per simulated day (0..24): the terminal goes offline and its backlog is sent when it returns, with the original `seq` and `ts`. */
  late?: number;
  /** Outage length range in ms. Default [1 h, 72 h]. */
  lateDurationMs?: readonly [number, number];
  /** Probability per record of being held back behind the next 1..`outOfOrderDistance` records of its terminal. 0..1. */
  outOfOrder?: number;
  /** Largest hold-back distance in records of the same terminal (1..16). Default 3. */
  outOfOrderDistance?: number;
  /** Probability, per valid record, of also sending one malformed line. 0..1. */
  malformed?: number;
  /** Kinds malformed lines are drawn from, with equal odds. Default `DEFAULT_MALFORMED_KINDS`. */
  malformedKinds?: readonly MalformedKind[];
}

export interface RecordOptions {
  /** Start of simulated event time: epoch ms UTC or an RFC 3339 string. Rounded up to a whole minute. */
  start: number | string;
  /** Simulated time to cover, in ms. Default: one day, or unbounded when `records` is set. */
  durationMs?: number;
  /** Stop after exactly this many valid records per tenant (fault lines come on top). */
  records?: number;
  /** Mean sales per store per day at an average store (before weekly and yearly seasonality). Default 300. */
  salesPerStoreDay?: number;
  /** Share of transactions that are refunds. Default 0.02. */
  refundRate?: number;
  /** Share of transactions that void a sale of the same day. Default 0.005. */
  voidRate?: number;
  /**
   * Added to every terminal's first receipt number (default 0). A stream
   * that restarts from the same world must number its sales above the last
   * run's, or they are all duplicates: `tpay run --demo` passes the start
   * time in ms, which grows faster than any till sells.
   */
  seqBase?: number;
  faults?: FaultOptions;
}

export interface ResolvedFaults {
  duplicates: number;
  late: number;
  lateDurationMs: readonly [number, number];
  outOfOrder: number;
  outOfOrderDistance: number;
  malformed: number;
  malformedKinds: readonly MalformedKind[];
}

export interface ResolvedRecordOptions {
  startMs: number;
  endMs: number;
  records: number;
  salesPerStoreDay: number;
  refundRate: number;
  voidRate: number;
  seqBase: number;
  faults: ResolvedFaults;
}

/** What a correct ingest must make of one tenant's stream. */
export interface TenantTruth {
  tenant_id: string;
  /** Every line written, faults included. */
  lines: number;
  /** Unique valid records (late and out-of-order ones included): what must be accepted exactly once. */
  valid: number;
  sales: number;
  refunds: number;
  voids: number;
  /** Exact resends of earlier valid lines: answered as `duplicates`. */
  duplicates: number;
  /** Valid records that were held in an offline terminal's backlog. */
  late: number;
  /** Records sent after a record of the same terminal with a higher `seq`. */
  outOfOrder: number;
  /** Malformed lines by the reject code they must get. */
  malformed: Partial<Record<RejectCode, number>>;
  /** Earliest and latest event time of the valid records, epoch ms (NaN when none). */
  firstEventMs: number;
  lastEventMs: number;
}

function parseStart(start: number | string): number {
  const ms = typeof start === 'number' ? start : Date.parse(start);
  if (!Number.isFinite(ms)) throw new FirehoseOptionError('start', start, 'epoch milliseconds or an RFC 3339 timestamp');
  return Math.ceil(ms / 60_000) * 60_000;
}

/**
 * Fills defaults and validates.
 * @example resolveRecordOptions({ start: '2026-03-28T00:00:00Z', faults: { duplicates: 0.01 } })
 */
export function resolveRecordOptions(o: RecordOptions): ResolvedRecordOptions {
  const startMs = parseStart(o.start);
  if (o.records !== undefined) checkInteger('records', o.records, 0, 2 ** 53 - 1);
  if (o.durationMs !== undefined) checkNumber('durationMs', o.durationMs, 0, 100 * 366 * DAY_MS);
  const durationMs = o.durationMs ?? (o.records !== undefined ? Infinity : DAY_MS);
  const f = o.faults ?? {};
  const faults: ResolvedFaults = {
    duplicates: f.duplicates ?? 0,
    late: f.late ?? 0,
    lateDurationMs: f.lateDurationMs ?? [HOUR_MS, 72 * HOUR_MS],
    outOfOrder: f.outOfOrder ?? 0,
    outOfOrderDistance: f.outOfOrderDistance ?? 3,
    malformed: f.malformed ?? 0,
    malformedKinds: f.malformedKinds ?? DEFAULT_MALFORMED_KINDS,
  };
  checkNumber('faults.duplicates', faults.duplicates, 0, 1);
  checkNumber('faults.late', faults.late, 0, 24);
  checkNumber('faults.lateDurationMs[0]', faults.lateDurationMs[0], 60_000, 30 * DAY_MS);
  checkNumber('faults.lateDurationMs[1]', faults.lateDurationMs[1], faults.lateDurationMs[0], 30 * DAY_MS);
  checkNumber('faults.outOfOrder', faults.outOfOrder, 0, 1);
  checkInteger('faults.outOfOrderDistance', faults.outOfOrderDistance, 1, 16);
  checkNumber('faults.malformed', faults.malformed, 0, 1);
  if (faults.malformedKinds.length === 0 || !faults.malformedKinds.every((k) => isMalformedKind(k))) {
    throw new FirehoseOptionError('faults.malformedKinds', faults.malformedKinds, 'a non-empty list of MALFORMED_KINDS');
  }
  const resolved: ResolvedRecordOptions = {
    startMs,
    endMs: startMs + durationMs,
    records: o.records ?? Infinity,
    salesPerStoreDay: o.salesPerStoreDay ?? 300,
    refundRate: o.refundRate ?? 0.02,
    voidRate: o.voidRate ?? 0.005,
    seqBase: o.seqBase ?? 0,
    faults,
  };
  // Receipt counters start below 50,000 past the base and must stay safe integers.
  checkInteger('seqBase', resolved.seqBase, 0, 2 ** 52);
  checkNumber('salesPerStoreDay', resolved.salesPerStoreDay, 0.001, 1_000_000);
  checkNumber('refundRate', resolved.refundRate, 0, 0.5);
  checkNumber('voidRate', resolved.voidRate, 0, 0.5);
  if (resolved.refundRate + resolved.voidRate > 0.5) {
    throw new FirehoseOptionError('refundRate + voidRate', resolved.refundRate + resolved.voidRate, 'at most 0.5');
  }
  return resolved;
}

/**
 * The `salesPerStoreDay` that makes event time advance `speed` times faster
 * than wall time when a sender emits `ratePerS` valid records a second
 * (on average: seasonality makes the instantaneous rate swing around it).
 * @example
 * // 3000 stores, 100k records/s, one simulated hour per wall minute (speed 60):
 * salesPerStoreDayForSpeed({ ratePerS: 100_000, speed: 60, stores: 3000 }) // 48000
 */
export function salesPerStoreDayForSpeed(o: { ratePerS: number; speed: number; stores: number }): number {
  checkNumber('ratePerS', o.ratePerS, 0.001, 1e9);
  checkNumber('speed', o.speed, 1e-6, 1e9);
  checkInteger('stores', o.stores, 1, 1_000_000);
  return (o.ratePerS * 86_400) / (o.speed * o.stores);
}
