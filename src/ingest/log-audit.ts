/**
 * Reads every ingested record in the log and checks the exactly-once
 * promise: no (tenant, terminal_id, seq) appears twice. Used by
 * `tpay log verify` and by the crash tests.
 */
import type { Log } from '../log/log.js';
import { decodeIngestedRecord } from '../domain/ingested-record.js';

export interface LogAudit {
  records: number;
  perPartition: number[];
  perTenant: Record<string, number>;
  /** Keys seen more than once, as `tenant/terminal/seq` (at most 100 listed). */
  duplicates: string[];
  duplicateCount: number;
}

export interface AuditOptions {
  /** Called for every record, e.g. to collect keys. */
  onRecord?: (tenant: string, terminalId: string, seq: number, line: Uint8Array) => void;
}

export async function auditLog(log: Log, opts: AuditOptions = {}): Promise<LogAudit> {
  const out: LogAudit = { records: 0, perPartition: [], perTenant: {}, duplicates: [], duplicateCount: 0 };
  // tenant → terminal → seqs: memory grows with records; an audit, not a hot path.
  const seen = new Map<string, Map<string, Set<number>>>();
  for (let p = 0; p < log.partitions; p++) {
    const reader = await log.openReader(p, 0);
    let n = 0;
    for (;;) {
      const batch = await reader.read(10_000, 16 << 20);
      if (batch.length === 0) break;
      for (const r of batch) {
        const rec = decodeIngestedRecord(r.payload);
        let byTerminal = seen.get(rec.tenant);
        if (byTerminal === undefined) seen.set(rec.tenant, (byTerminal = new Map()));
        let seqs = byTerminal.get(rec.terminalId);
        if (seqs === undefined) byTerminal.set(rec.terminalId, (seqs = new Set()));
        if (seqs.has(rec.seq)) {
          out.duplicateCount++;
          if (out.duplicates.length < 100) out.duplicates.push(`${rec.tenant}/${rec.terminalId}/${rec.seq}`);
        } else seqs.add(rec.seq);
        out.perTenant[rec.tenant] = (out.perTenant[rec.tenant] ?? 0) + 1;
        opts.onRecord?.(rec.tenant, rec.terminalId, rec.seq, rec.line);
        n++;
      }
    }
    await reader.close();
    out.perPartition.push(n);
    out.records += n;
  }
  return out;
}
