/**
 * The JetStreamLog writer: staging into message bodies, group commit as
 * acked publishes, and exclusive ownership of its partitions.
 *
 * Ownership has two parts, both done by JetStream:
 * - a lease per partition in KV (jetstream-leases.ts), taken at open and
 *   renewed while the writer lives, so a second writer is refused up front;
 * - every publish carries `Nats-Expected-Last-Subject-Sequence`: the stream
 *   sequence of the partition's last message as this writer knows it. If
 *   anyone else stored a message on the subject since (a writer that took
 *   over an expired lease), the publish is refused and this writer fails:
 *   two writers can never interleave records, even across a lease expiry.
 *
 * A publish whose ack does not arrive in time is retried with the same
 * `Nats-Msg-Id` (writer id + partition + first offset), so a message that
 * was stored but whose ack was lost is not stored twice: JetStream answers
 * the retry with the original sequence, marked duplicate.
 *
 * Within a partition, messages go one at a time (each publish expects the
 * sequence the previous one got); partitions publish in parallel. Up to two
 * commits are in flight, as in the segment writer: the second one's
 * messages queue behind the first one's per partition, and commits resolve
 * in order. Calls made while both slots are busy share the next commit.
 */
import { randomUUID } from 'node:crypto';
import type { JetStreamClient } from '@nats-io/jetstream';
import { JetStreamApiError } from '@nats-io/jetstream';
import { headers } from '@nats-io/transport-node';
import {
  LogClosedError,
  LogInvalidArgumentError,
  LogIoError,
  LogPartitionOwnedError,
  LogRecordTooLargeError,
  LogWriterFailedError,
} from './errors.js';
import { CommitPipeline } from './commit-pipeline.js';
import { FIRST_OFFSET_HEADER, RECORD_COUNT_HEADER } from './jetstream-frame.js';
import { isWrongLastSequence } from './jetstream-kv.js';
import type { JetStreamLeases, Lease, LeaseKeeper } from './jetstream-leases.js';
import type { JetStreamPartitions } from './jetstream-partitions.js';
import { JetStreamStage } from './jetstream-stage.js';
import type { StagedMessage } from './jetstream-stage.js';
import type { LogWriter } from './log.js';

interface OwnedPartition {
  partition: number;
  subject: string;
  stage: JetStreamStage;
  lease: Lease;
  /** Stream sequence of the partition's last message (0: none): what the next publish expects. */
  lastSeq: number;
  /** Settles when the latest commit's publishes to this partition are done: null when they succeeded, else the error. */
  lastWrite: Promise<unknown>;
}

/** Commits in flight at once (see the header comment). */
const MAX_COMMITS_IN_FLIGHT = 2;


export interface JetStreamWriterSettings {
  js: JetStreamClient;
  parts: JetStreamPartitions;
  leases: JetStreamLeases;
  messageBytes: number;
  /** Largest payload one message can carry (server max_payload minus headers and framing). */
  maxPayloadBytes: number;
  ackTimeoutMs: number;
  publishAttempts: number;
}

export class JetStreamLogWriter implements LogWriter {
  private readonly byPartition: (OwnedPartition | undefined)[] = [];
  private readonly commits: CommitPipeline = new CommitPipeline({
    maxInFlight: MAX_COMMITS_IN_FLIGHT,
    flush: (previous) => this.flush(previous),
    stagedBytes: () => this.stagedBytes,
    wrap: (err) => new LogIoError('commit', this.settings.parts.stream, err),
  });
  private closing: Promise<void> | null = null;
  private readonly keepers: LeaseKeeper[] = [];

  private constructor(
    private readonly settings: JetStreamWriterSettings,
    /** Names this writer in message ids and leases. */
    readonly id: string,
    private readonly owned: readonly OwnedPartition[],
    private readonly onClosed: (writer: JetStreamLogWriter) => void,
  ) {
    for (const o of owned) {
      this.byPartition[o.partition] = o;
      this.keepers.push(
        settings.leases.keep(o.lease, (err) => {
          this.commits.fail(new LogPartitionOwnedError(o.partition, { cause: err }));
        }),
      );
    }
  }

  /** Take the partitions' leases (all or none), then read where each partition ends. */
  static async open(
    settings: JetStreamWriterSettings,
    partitions: readonly number[],
    onClosed: (writer: JetStreamLogWriter) => void,
  ): Promise<JetStreamLogWriter> {
    const id = randomUUID().replaceAll('-', '').slice(0, 16);
    // All or none: a lease that cannot be taken releases the ones taken before it.
    const sorted = [...partitions].sort((a, b) => a - b);
    const leases: Lease[] = [];
    try {
      for (const p of sorted) {
        const got = await settings.leases.acquire(leaseName(p), id);
        if (!got.ok) throw new LogPartitionOwnedError(p, { cause: new Error(`writer lease held by ${got.heldBy ?? 'a writer'}`) });
        leases.push(got.lease);
      }
      const owned = await Promise.all(
        leases.map(async (lease, i): Promise<OwnedPartition> => {
          const partition = sorted[i]!;
          const { end, last } = await settings.parts.end(partition);
          return {
            partition,
            subject: settings.parts.subject(partition),
            stage: new JetStreamStage(end, settings.messageBytes),
            lease,
            lastSeq: last?.seq ?? 0,
            lastWrite: Promise.resolve(null),
          };
        }),
      );
      return new JetStreamLogWriter(settings, id, owned, onClosed);
    } catch (err) {
      await Promise.allSettled(leases.map((l) => settings.leases.release(l)));
      throw err;
    }
  }

  get partitions(): number[] {
    return this.owned.map((o) => o.partition);
  }

  get stagedBytes(): number {
    let n = 0;
    for (const o of this.owned) n += o.stage.bytes;
    return n;
  }

  append(partition: number, payload: Uint8Array): void {
    if (this.commits.failure !== null) throw new LogWriterFailedError(this.commits.failure);
    if (this.closing !== null) throw new LogClosedError('log writer');
    const o = this.byPartition[partition];
    if (o === undefined) {
      throw new LogInvalidArgumentError(`partition ${String(partition)} is not owned by this writer (it owns ${this.partitions.join(', ')})`);
    }
    const max = this.settings.maxPayloadBytes;
    if (payload.byteLength > max) throw new LogRecordTooLargeError(payload.byteLength, max, "the server's max_payload minus headers and framing");
    o.stage.append(payload);
  }

  commit(): Promise<ReadonlyMap<number, number>> {
    if (this.commits.failure !== null) return Promise.reject(new LogWriterFailedError(this.commits.failure));
    if (this.closing !== null) return Promise.reject(new LogClosedError('log writer'));
    return this.commits.request();
  }

  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  /** Publishes what is staged; settles after `previous` (the commit before it), so commits resolve in order. */
  private async flush(previous: Promise<unknown>): Promise<ReadonlyMap<number, number>> {
    const ends = new Map<number, number>();
    const jobs: Promise<void>[] = [];
    for (const o of this.owned) {
      const messages = o.stage.take();
      if (messages.length === 0) continue;
      ends.set(o.partition, o.stage.nextOffset);
      const job = this.publishAll(o, messages, o.lastWrite);
      o.lastWrite = job.then(
        () => null,
        (err: unknown) => err,
      );
      jobs.push(job);
    }
    for (const r of await Promise.allSettled(jobs)) {
      if (r.status === 'rejected') throw r.reason;
    }
    // The previous commit's failure is this one's too: its records come first.
    const before = await previous;
    if (before !== null) throw new LogWriterFailedError(before);
    return ends;
  }

  private async publishAll(o: OwnedPartition, messages: readonly StagedMessage[], previous: Promise<unknown>): Promise<void> {
    const before = await previous;
    if (before !== null) throw new LogWriterFailedError(before);
    for (const m of messages) {
      if (this.commits.failure !== null) throw new LogWriterFailedError(this.commits.failure);
      await this.publish(o, m);
    }
  }

  private async publish(o: OwnedPartition, m: StagedMessage): Promise<void> {
    const { js, parts, ackTimeoutMs, publishAttempts } = this.settings;
    const h = headers();
    h.set(FIRST_OFFSET_HEADER, String(m.firstOffset));
    h.set(RECORD_COUNT_HEADER, String(m.count));
    // Unique per writer: a writer that took over the partition and stores
    // the same first offset must not be mistaken for this one's retry.
    const msgID = `${this.id}-p${String(o.partition)}-o${String(m.firstOffset)}`;
    for (let attempt = 1; ; attempt++) {
      try {
        const ack = await js.publish(o.subject, m.body, { msgID, headers: h, expect: { lastSubjectSequence: o.lastSeq }, timeout: ackTimeoutMs });
        o.lastSeq = ack.seq;
        parts.note(o.partition, { seq: ack.seq, firstOffset: m.firstOffset, count: m.count });
        return;
      } catch (err) {
        // Someone else stored a message on this partition: it is not ours any more.
        if (isWrongLastSequence(err)) throw new LogPartitionOwnedError(o.partition, { cause: err });
        // Other refusals (limits, permissions) will not change on a retry; a lost ack or a server away might.
        if (err instanceof JetStreamApiError || attempt >= publishAttempts) {
          throw new LogIoError(`publish (attempt ${String(attempt)} of ${String(publishAttempts)})`, parts.where(o.partition, o.lastSeq + 1), err);
        }
        await new Promise((resolve) => setTimeout(resolve, Math.min(1000, 50 * 2 ** attempt)));
      }
    }
  }

  private async shutdown(): Promise<void> {
    let failure: unknown = null;
    if (this.commits.failure === null && this.stagedBytes > 0) {
      await this.commits.request().catch((err: unknown) => {
        failure = err;
      });
    }
    await this.commits.drain();
    await Promise.all(this.keepers.map((k) => k.stop()));
    const released = await Promise.allSettled(this.owned.map((o) => this.settings.leases.release(o.lease)));
    this.onClosed(this);
    if (failure !== null) throw failure;
    const failed = released.find((r) => r.status === 'rejected');
    // An unreleased lease expires on its own after the TTL; say so rather than hide it.
    if (failed !== undefined) throw new LogIoError('releasing a writer lease', this.settings.parts.stream, failed.reason);
  }
}

/** The lease key of a partition's writer. */
export function leaseName(partition: number): string {
  return `writer.${String(partition)}`;
}
