/**
 * Listing and replaying a tenant's dead letters through a running ingest
 * engine. A replay sends each open dead letter's original bytes through the
 * normal path (decode, dedup, log); the outcome of each is recorded in the
 * replay ledger, and a line that is rejected again stays open (no new dead
 * letter is written for it).
 */
import type { IngestEngine } from '../ingest/ingest-engine.js';
import { deadLetterBytes } from './dead-letter.js';
import { listDeadLetters, recordReplays, type DeadLetterFilter, type DeadLetterView, type ReplayRecord } from './dead-letter-store.js';

export interface ReplaySummary {
  tenant: string;
  attempted: number;
  accepted: number;
  duplicates: number;
  rejected: Record<string, number>;
}

/** Lines per replay batch: bounded memory whatever the backlog. */
const REPLAY_BATCH = 5000;

export class DeadLetterService {
  constructor(
    private readonly dlqDir: string,
    private readonly engine: IngestEngine,
  ) {}

  list(filter: DeadLetterFilter): Promise<DeadLetterView[]> {
    return listDeadLetters(this.dlqDir, filter);
  }

  /**
   * Replays open dead letters of `tenant` (optionally of one code).
   * @example await service.replay('acme', 'unknown_store') // after the store was added
   */
  async replay(tenant: string, code?: string): Promise<ReplaySummary> {
    const open = await listDeadLetters(this.dlqDir, { tenant, code, status: 'open' });
    const summary: ReplaySummary = { tenant, attempted: 0, accepted: 0, duplicates: 0, rejected: {} };
    // NDJSON lines and compact records go back the way each came: one submit per format.
    const groups = [open.filter((d) => d.format !== 'compact'), open.filter((d) => d.format === 'compact')] as const;
    for (const [g, letters] of groups.entries()) {
      for (let i = 0; i < letters.length; i += REPLAY_BATCH) {
        const chunk = letters.slice(i, i + REPLAY_BATCH);
        const { done } = g === 0 ? this.submitLines(tenant, chunk) : this.submitRecords(tenant, chunk);
        const o = await done;
        const rejectedAt = new Map(o.rejects.map((r) => [r.line, r]));
        const at = Date.now();
        const records: ReplayRecord[] = chunk.map((d, k) => {
          const r = rejectedAt.get(k + 1);
          return r === undefined
            ? { id: d.id, outcome: 'resolved', code: null, message: null, at }
            : { id: d.id, outcome: 'rejected', code: r.code, message: r.message, at };
        });
        await recordReplays(this.dlqDir, records);
        summary.attempted += chunk.length;
        summary.accepted += o.accepted;
        summary.duplicates += o.duplicates;
        for (const r of o.rejects) summary.rejected[r.code] = (summary.rejected[r.code] ?? 0) + 1;
      }
    }
    return summary;
  }

  /** One line per dead letter; a raw line never holds '\n' (it was cut there). */
  private submitLines(tenant: string, chunk: readonly DeadLetterView[]): ReturnType<IngestEngine['submit']> {
    const parts: Buffer[] = [];
    const oversize = new Map<number, number>();
    chunk.forEach((d, k) => {
      parts.push(deadLetterBytes(d), Buffer.of(10));
      if (d.truncated) oversize.set(k + 1, d.length);
    });
    const data = Buffer.concat(parts);
    return this.engine.submit(tenant, 'dlq-replay', data.subarray(0, data.length - 1), 1, { oversize, noDlq: true });
  }

  /** One frame per dead letter: the record's own bytes behind a fresh length. */
  private submitRecords(tenant: string, chunk: readonly DeadLetterView[]): ReturnType<IngestEngine['submit']> {
    const parts: Buffer[] = [];
    for (const d of chunk) {
      const body = deadLetterBytes(d);
      const len = Buffer.alloc(2);
      len.writeUInt16LE(Math.min(body.length, 0xffff));
      parts.push(len, body.subarray(0, 0xffff));
    }
    return this.engine.submit(tenant, 'dlq-replay', Buffer.concat(parts), 1, { noDlq: true, format: 'compact' });
  }
}