/**
 * The JetStreamLog reader: one partition in offset order, one stream
 * message (hundreds of records) per request, starting inside a message
 * when the start offset is in the middle of one.
 *
 * While the caller works through a message, the next one is already being
 * fetched, so a reader that keeps up pays one round trip per message only
 * when it is caught up.
 */
import type { StoredMsg } from '@nats-io/jetstream';
import { LogClosedError, LogCorruptError, LogInvalidArgumentError, LogOffsetOutOfRangeError } from './errors.js';
import type { JetStreamPartitions, LogMessage } from './jetstream-partitions.js';
import type { LogReader, LogRecord } from './log.js';

export class JetStreamLogReader implements LogReader {
  private current: LogMessage | null = null;
  /** Index in `current.payloads` of the record at `position`. */
  private inCurrent = 0;
  /** Stream sequence from which the next message of the partition is looked for. */
  private nextSeq: number;
  /** The fetch of the message after `current`, started early. */
  private prefetch: { seq: number; message: Promise<StoredMsg | null> } | null = null;
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;

  private constructor(
    private readonly parts: JetStreamPartitions,
    readonly partition: number,
    public position: number,
    nextSeq: number,
    private readonly onClosed: (reader: JetStreamLogReader) => void,
  ) {
    this.nextSeq = nextSeq;
  }

  static async open(
    parts: JetStreamPartitions,
    partition: number,
    fromOffset: number,
    onClosed: (reader: JetStreamLogReader) => void,
  ): Promise<JetStreamLogReader> {
    const { end, last } = await parts.end(partition);
    const oldest = await parts.oldest(partition, end);
    if (fromOffset < oldest || fromOffset > end) throw new LogOffsetOutOfRangeError(partition, fromOffset, oldest, end);
    let seq = (last?.seq ?? 0) + 1;
    if (fromOffset < end && last !== null) {
      const ref = await parts.locate(partition, fromOffset, last);
      if (ref === null) throw new LogOffsetOutOfRangeError(partition, fromOffset, await parts.oldest(partition, end), end);
      seq = ref.seq;
    }
    return new JetStreamLogReader(parts, partition, fromOffset, seq, onClosed);
  }

  read(maxRecords: number, maxBytes: number): Promise<LogRecord[]> {
    if (this.closed) return Promise.reject(new LogClosedError('log reader'));
    if (!Number.isSafeInteger(maxRecords) || maxRecords < 1 || !Number.isSafeInteger(maxBytes) || maxBytes < 1) {
      return Promise.reject(
        new LogInvalidArgumentError(`read limits must be positive integers, got maxRecords=${String(maxRecords)} maxBytes=${String(maxBytes)}`),
      );
    }
    // One read at a time, each continuing where the previous one stopped.
    const result = this.queue.then(() => this.readNow(maxRecords, maxBytes));
    this.queue = result.catch(() => undefined);
    return result;
  }

  close(): Promise<void> {
    if (!this.closed) {
      this.closed = true;
      this.current = null;
      this.prefetch?.message.catch(() => undefined);
      this.prefetch = null;
      this.onClosed(this);
    }
    return Promise.resolve();
  }

  private async readNow(maxRecords: number, maxBytes: number): Promise<LogRecord[]> {
    const out: LogRecord[] = [];
    let bytes = 0;
    while (out.length < maxRecords) {
      if (this.current === null || this.inCurrent >= this.current.payloads.length) {
        this.current = null;
        if (!(await this.advance())) break;
      }
      const current = this.current as LogMessage | null;
      if (current === null) break;
      const payload = current.payloads[this.inCurrent]!;
      if (out.length > 0 && bytes + payload.byteLength > maxBytes) break;
      out.push({ offset: this.position, payload });
      bytes += payload.byteLength;
      this.position++;
      this.inCurrent++;
    }
    return out;
  }

  /** Load the message holding `position`; false when there is none yet (caught up). */
  private async advance(): Promise<boolean> {
    const stored = await this.fetch(this.nextSeq);
    if (stored === null) return false;
    const message = this.parts.decode(this.partition, stored);
    const { firstOffset, count } = message.ref;
    if (firstOffset > this.position) {
      // Retention removed messages this reader had not reached.
      const { end } = await this.parts.end(this.partition);
      throw new LogOffsetOutOfRangeError(this.partition, this.position, firstOffset, end);
    }
    if (firstOffset + count <= this.position) {
      throw new LogCorruptError(
        `message holds offsets ${String(firstOffset)}–${String(firstOffset + count - 1)}, the next expected is ${String(this.position)}`,
        this.parts.where(this.partition, stored.seq),
      );
    }
    this.parts.note(this.partition, message.ref);
    this.current = message;
    this.inCurrent = this.position - firstOffset;
    this.nextSeq = stored.seq + 1;
    this.prefetch = { seq: this.nextSeq, message: this.parts.next(this.partition, this.nextSeq) };
    // A failed prefetch surfaces when (if) it is used.
    this.prefetch.message.catch(() => undefined);
    return true;
  }

  private async fetch(seq: number): Promise<StoredMsg | null> {
    const early = this.prefetch;
    this.prefetch = null;
    if (early !== null && early.seq === seq) {
      const stored = await early.message;
      // "Nothing yet" is stale by now: a commit may have landed since.
      if (stored !== null) return stored;
    }
    return this.parts.next(this.partition, seq);
  }
}
