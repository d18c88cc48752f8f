/**
 * Sends several tenants' streams at once, each with its own ingest key and
 * its own connections (the tenant comes from the key, never from the
 * payload), and adds up one report.
 */
import { FirehoseOptionError } from './errors.js';
import { LatencyHistogram } from './latency-histogram.js';
import type { LineSource } from './line-chunk.js';
import type { SenderProgress, SenderReport } from './report.js';
import { SenderStats } from './ingest-connection.js';
import { TcpSender, reportOf, type TcpSenderOptions } from './tcp-sender.js';

export interface MultiTenantSendOptions extends Omit<TcpSenderOptions, 'key' | 'onProgress'> {
  /** Ingest key per tenant id. */
  keys: Record<string, string>;
  /** Line source per tenant id; every source needs a key. */
  sources: Record<string, LineSource>;
  /** Total target rate, split evenly between tenants; 0 or absent = unlimited. `connections` is per tenant. */
  ratePerS?: number;
  /** Called every `progressIntervalMs` with the total and each tenant's progress. */
  onProgress?: (total: SenderProgress, tenants: Record<string, SenderProgress>) => void;
}

export interface MultiTenantReport {
  total: SenderReport;
  tenants: Record<string, SenderReport>;
}

function sumProgress(ps: SenderProgress[], elapsedMs: number): SenderProgress {
  const total: SenderProgress = { elapsedMs, ratePerS: 0, sent: 0, acked: 0, accepted: 0, duplicates: 0, rejected: 0, inFlight: 0, reconnects: 0 };
  for (const p of ps) {
    total.ratePerS += p.ratePerS;
    total.sent += p.sent;
    total.acked += p.acked;
    total.accepted += p.accepted;
    total.duplicates += p.duplicates;
    total.rejected += p.rejected;
    total.inFlight += p.inFlight;
    total.reconnects += p.reconnects;
  }
  return total;
}

/**
 * @example
 * const { total, tenants } = await sendTenants({
 *   port: 7400,
 *   keys: { acme: 'ik_acme…', globex: 'ik_globex…' },
 *   sources: { acme: readLineChunks('out/acme/transactions.ndjson'), globex: readLineChunks('out/globex/transactions.ndjson') },
 *   ratePerS: 200_000,
 * });
 */
export async function sendTenants(o: MultiTenantSendOptions): Promise<MultiTenantReport> {
  const ids = Object.keys(o.sources);
  if (ids.length === 0) throw new FirehoseOptionError('sources', ids, 'at least one tenant');
  for (const id of ids) if (typeof o.keys[id] !== 'string') throw new FirehoseOptionError(`keys.${id}`, o.keys[id], `an ingest key for tenant '${id}'`);
  const { keys, sources, onProgress, ...common } = o;
  const rate = (o.ratePerS ?? 0) / ids.length;
  const senders = ids.map((id) => new TcpSender(sources[id]!, { ...common, key: keys[id]!, ratePerS: rate }));
  const started = performance.now();
  const timer =
    onProgress === undefined
      ? null
      : setInterval(() => {
          const now = performance.now();
          const per: Record<string, SenderProgress> = {};
          senders.forEach((s, i) => (per[ids[i]!] = s.progress(now)));
          onProgress(sumProgress(Object.values(per), now - started), per);
        }, o.progressIntervalMs ?? 1000);
  try {
    const reports = await Promise.all(senders.map((s) => s.run()));
    const elapsedMs = performance.now() - started;
    const tenants: Record<string, SenderReport> = {};
    const stats = new SenderStats();
    const latency = new LatencyHistogram();
    let unacked = 0;
    reports.forEach((r, i) => {
      tenants[ids[i]!] = r;
      const s = senders[i]!.stats;
      stats.sent += s.sent;
      stats.accepted += s.accepted;
      stats.duplicates += s.duplicates;
      stats.resent += s.resent;
      stats.reconnects += s.reconnects;
      for (const [code, n] of Object.entries(s.rejected)) stats.rejected[code] = (stats.rejected[code] ?? 0) + n;
      latency.merge(s.latency);
      unacked += r.unacked;
    });
    return { total: reportOf(stats, latency, elapsedMs, unacked, reports.some((r) => r.aborted)), tenants };
  } finally {
    if (timer !== null) clearInterval(timer);
  }
}
