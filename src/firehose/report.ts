/**
 * What the TCP sender reports, live and at the end, and pure functions that
 * format a report as `name: value unit` text lines or as JSON.
 */
import type { LatencySummary } from './latency-histogram.js';

/** A live snapshot, delivered about once a second. */
export interface SenderProgress {
  elapsedMs: number;
  /** Lines sent per second over the last interval. */
  ratePerS: number;
  /** Lines taken from the source and written at least once. */
  sent: number;
  /** Lines covered by an ack: accepted + duplicates + rejected. */
  acked: number;
  accepted: number;
  duplicates: number;
  /** Rejected lines, all codes together. */
  rejected: number;
  /** Lines written or waiting to be (re)written, not yet covered by an ack. */
  inFlight: number;
  reconnects: number;
}

/** The final tally of a send. */
export interface SenderReport {
  /** Lines taken from the source and written at least once (resends not counted again). */
  sent: number;
  /** Lines the server accepted as new records (sum of `ack.accepted`). */
  accepted: number;
  /** Lines the server answered as duplicates (sum of `ack.duplicates`). */
  duplicates: number;
  /** Rejected lines by reject code, counted once each even across resends. */
  rejected: Record<string, number>;
  /** `sent` per second of `elapsedMs`. */
  achievedRatePerS: number;
  /** From the write of a batch to the ack that covers its last line. */
  ackLatencyMs: LatencySummary;
  elapsedMs: number;
  /** Reconnect attempts after a drop, an error or a failed connect. */
  reconnects: number;
  /** Lines written again after a reconnect. */
  resent: number;
  /** Lines still unacknowledged at the end (non-zero only when aborted). */
  unacked: number;
  /** True when the send was stopped by its AbortSignal before the source ended. */
  aborted: boolean;
}

function fmt(v: number, digits: number): string {
  return Number.isInteger(v) ? String(v) : v.toFixed(digits);
}

/**
 * The report as `name: value unit` lines (benchmark style), codes sorted.
 * @example
 * formatReportText(report)
 * // sent: 1000000 lines
 * // accepted: 999000 lines
 * // …
 * // ack_latency_p99: 12.4 ms
 */
export function formatReportText(r: SenderReport): string {
  const lines = [
    `sent: ${r.sent} lines`,
    `accepted: ${r.accepted} lines`,
    `duplicates: ${r.duplicates} lines`,
    `rejected: ${Object.values(r.rejected).reduce((a, b) => a + b, 0)} lines`,
    ...Object.keys(r.rejected)
      .sort()
      .map((code) => `rejected_${code}: ${r.rejected[code]!} lines`),
    `achieved_rate: ${fmt(r.achievedRatePerS, 1)} lines/s`,
    `ack_latency_p50: ${fmt(r.ackLatencyMs.p50, 3)} ms`,
    `ack_latency_p99: ${fmt(r.ackLatencyMs.p99, 3)} ms`,
    `ack_latency_max: ${fmt(r.ackLatencyMs.max, 3)} ms`,
    `elapsed: ${fmt(r.elapsedMs, 1)} ms`,
    `reconnects: ${r.reconnects} count`,
    `resent: ${r.resent} lines`,
    `unacked: ${r.unacked} lines`,
    `aborted: ${r.aborted ? 1 : 0} flag`,
  ];
  return lines.join('\n') + '\n';
}

/**
 * The report as one JSON document (stable key order).
 * @example JSON.parse(formatReportJson(report)).ackLatencyMs.p99
 */
export function formatReportJson(r: SenderReport): string {
  const rejected: Record<string, number> = {};
  for (const code of Object.keys(r.rejected).sort()) rejected[code] = r.rejected[code]!;
  return JSON.stringify({ ...r, rejected }, null, 2) + '\n';
}

/**
 * One progress line for a terminal.
 * @example formatProgress(p) // '12.0 s  98012 lines/s  sent 1176144  accepted 1170000 …'
 */
export function formatProgress(p: SenderProgress): string {
  return (
    `${(p.elapsedMs / 1000).toFixed(1)} s  ${Math.round(p.ratePerS)} lines/s  sent ${p.sent}  acked ${p.acked}  accepted ${p.accepted}` +
    `  duplicates ${p.duplicates}  rejected ${p.rejected}  in flight ${p.inFlight}  reconnects ${p.reconnects}`
  );
}
