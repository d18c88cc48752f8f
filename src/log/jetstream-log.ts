/**
 * JetStreamLog: the `Log` port on NATS JetStream (see docs/log.md,
 * "JetStream adapter").
 *
 * - One stream (`TPAY_LOG`) with subject `<prefix>.p.<n>` per partition.
 * - Many records per message (jetstream-frame.ts); a message's first offset
 *   is in its `Tpay-First-Offset` header, so offsets never need a scan.
 * - Writers: KV lease per partition plus expected-last-subject-sequence
 *   publishes with message ids (jetstream-writer.ts).
 * - Checkpoints and settings in KV bucket `<stream>_STATE`
 *   (jetstream-checkpoints.ts); writer leases in `<stream>_LEASES`.
 * - Retention purges a partition's whole messages below every group's
 *   checkpoint (stream purge by subject up to a sequence).
 *
 * With `open` the caller owns the connection: close the log, then the
 * connection. `connect` opens a connection of the log's own and closes it
 * with the log (what the roles and their worker threads use).
 */
import type { JetStreamManager, StreamConfig } from '@nats-io/jetstream';
import { jetstream, jetstreamManager, DiscardPolicy, RetentionPolicy, StorageType } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import type { NatsConnection } from '@nats-io/transport-node';
import { LogClosedError, LogConfigMismatchError, LogInvalidArgumentError, LogOffsetOutOfRangeError } from './errors.js';
import { JetStreamCheckpoints } from './jetstream-checkpoints.js';
import { JS_FRAME_HEADER_BYTES, JS_RECORD_HEADER_BYTES } from './jetstream-frame.js';
import { isStreamNotFound, openBucket } from './jetstream-kv.js';
import { JetStreamLeases } from './jetstream-leases.js';
import { resolveJetStreamOptions } from './jetstream-log-options.js';
import type { JetStreamLogOptions, ResolvedJetStreamOptions } from './jetstream-log-options.js';
import { JetStreamPartitions } from './jetstream-partitions.js';
import { JetStreamLogReader } from './jetstream-reader.js';
import { JetStreamLogWriter } from './jetstream-writer.js';
import type { JetStreamWriterSettings } from './jetstream-writer.js';
import type { Log, LogReader, RetentionResult } from './log.js';
import { DEFAULT_PARTITIONS } from './segment-log-options.js';

/** Room left in a message for its headers (ids, offsets, expectations: ~200 bytes). */
const HEADER_ALLOWANCE = 1024;
/** Two minutes: every retry of a publish (ackTimeoutMs × publishAttempts) must land inside it to be recognised. */
const DUPLICATE_WINDOW_NS = 120e9;

export class JetStreamLog implements Log {
  private readonly writers = new Set<JetStreamLogWriter>();
  private readonly readers = new Set<JetStreamLogReader>();
  private closed = false;
  /** Set by `connect`: the connection this log opened and closes. */
  private ownConnection: NatsConnection | null = null;

  private constructor(
    readonly partitions: number,
    private readonly jsm: JetStreamManager,
    private readonly parts: JetStreamPartitions,
    private readonly checkpoints: JetStreamCheckpoints,
    private readonly writerSettings: JetStreamWriterSettings,
  ) {}

  /**
   * Open (creating the stream and buckets if needed) the log on `nc`.
   * @example
   * const nc = await connect({ servers: 'nats://127.0.0.1:4222' });
   * const log = await JetStreamLog.open(nc, { stream: 'TPAY_LOG', partitions: 8 });
   */
  static async open(nc: NatsConnection, options: JetStreamLogOptions = {}): Promise<JetStreamLog> {
    const o = resolveJetStreamOptions(options);
    if (o.ackTimeoutMs * o.publishAttempts > DUPLICATE_WINDOW_NS / 1e6) {
      throw new LogInvalidArgumentError(
        `JetStreamLog options ackTimeoutMs × publishAttempts is ${String(o.ackTimeoutMs * o.publishAttempts)} ms; retries must fit in the ${String(DUPLICATE_WINDOW_NS / 1e6)} ms duplicate window`,
      );
    }
    const jsm = await jetstreamManager(nc);
    const stateKv = await openBucket(nc, `${o.stream}_STATE`, { history: 1, replicas: o.replicas });
    const checkpoints = new JetStreamCheckpoints(stateKv, `${o.stream}_STATE`);
    const meta = await checkpoints.settleMeta({ partitions: o.partitions ?? DEFAULT_PARTITIONS, subjectPrefix: o.subjectPrefix });
    if (o.partitions !== undefined && o.partitions !== meta.partitions) {
      throw new LogConfigMismatchError(`stream ${o.stream} was created with ${String(meta.partitions)} partitions, not ${String(o.partitions)}`);
    }
    if (options.subjectPrefix !== undefined && options.subjectPrefix !== meta.subjectPrefix) {
      throw new LogConfigMismatchError(`stream ${o.stream} was created with subject prefix ${meta.subjectPrefix}, not ${options.subjectPrefix}`);
    }
    const stream = await ensureStream(jsm, o, meta.subjectPrefix);
    const leases = await JetStreamLeases.open(nc, { bucket: `${o.stream}_LEASES`, ttlMs: o.leaseTtlMs, replicas: o.replicas });
    const direct = stream.num_replicas === 1 && stream.allow_direct;
    const parts = new JetStreamPartitions(jsm, o.stream, meta.subjectPrefix, direct);
    const maxPayload = nc.info?.max_payload ?? 1 << 20;
    const maxPayloadBytes = maxPayload - HEADER_ALLOWANCE - JS_FRAME_HEADER_BYTES - JS_RECORD_HEADER_BYTES;
    if (o.messageBytes > maxPayload - HEADER_ALLOWANCE) {
      throw new LogInvalidArgumentError(
        `JetStreamLog option messageBytes is ${String(o.messageBytes)}; the server's max_payload of ${String(maxPayload)} allows at most ${String(maxPayload - HEADER_ALLOWANCE)}`,
      );
    }
    return new JetStreamLog(meta.partitions, jsm, parts, checkpoints, {
      js: jetstream(nc),
      parts,
      leases,
      messageBytes: o.messageBytes,
      maxPayloadBytes,
      ackTimeoutMs: o.ackTimeoutMs,
      publishAttempts: o.publishAttempts,
    });
  }

  /**
   * Open the log on a connection of its own to `servers`, closed when the
   * log closes. It reconnects for as long as it lives: a server away makes
   * publishes and reads fail after their timeouts, never hang for ever.
   * @example
   * const log = await JetStreamLog.connect(['nats://10.0.0.5:4222'], { stream: 'TPAY_LOG', partitions: 8 }, 'tpay-ingest-0');
   * …
   * await log.close(); // closes the connection too
   */
  static async connect(servers: readonly string[], options: JetStreamLogOptions, name: string): Promise<JetStreamLog> {
    const nc = await connect({ servers: [...servers], name, maxReconnectAttempts: -1, reconnectTimeWait: 500 });
    try {
      const log = await JetStreamLog.open(nc, options);
      log.ownConnection = nc;
      return log;
    } catch (err) {
      await nc.close();
      throw err;
    }
  }

  /**
   * Exclusive writer for `partitions`: takes every partition's lease or none.
   * @example
   * const writer = await log.openWriter([1, 3, 5, 7]);
   */
  async openWriter(partitions: readonly number[]): Promise<JetStreamLogWriter> {
    this.checkOpen();
    if (partitions.length === 0) throw new LogInvalidArgumentError('openWriter needs at least one partition');
    for (const p of partitions) this.checkPartition(p);
    if (new Set(partitions).size !== partitions.length) throw new LogInvalidArgumentError(`duplicate partition in ${partitions.join(', ')}`);
    const writer = await JetStreamLogWriter.open(this.writerSettings, partitions, (w) => this.writers.delete(w));
    this.writers.add(writer);
    return writer;
  }

  async openReader(partition: number, fromOffset: number): Promise<LogReader> {
    this.checkOpen();
    this.checkPartition(partition);
    if (!Number.isSafeInteger(fromOffset) || fromOffset < 0) {
      throw new LogInvalidArgumentError(`offset must be a non-negative integer, got ${String(fromOffset)}`);
    }
    const reader = await JetStreamLogReader.open(this.parts, partition, fromOffset, (r) => this.readers.delete(r));
    this.readers.add(reader);
    return reader;
  }

  async endOffset(partition: number): Promise<number> {
    this.checkOpen();
    this.checkPartition(partition);
    return (await this.parts.end(partition)).end;
  }

  async loadCheckpoint(group: string, partition: number): Promise<number> {
    this.checkOpen();
    this.checkPartition(partition);
    return this.checkpoints.load(group, partition);
  }

  async saveCheckpoint(group: string, partition: number, offset: number): Promise<void> {
    this.checkOpen();
    this.checkPartition(partition);
    if (!Number.isSafeInteger(offset) || offset < 0) {
      throw new LogInvalidArgumentError(`checkpoint offset must be a non-negative integer, got ${String(offset)}`);
    }
    // A checkpoint past the end would make the group skip records written later.
    const { end } = await this.parts.end(partition);
    if (offset > end) throw new LogOffsetOutOfRangeError(partition, offset, 0, end);
    await this.checkpoints.save(group, partition, offset);
  }

  async registerGroup(group: string): Promise<void> {
    this.checkOpen();
    await this.checkpoints.register(group);
  }

  /**
   * Purge, per partition, the whole messages whose every record is below
   * every registered group's checkpoint; a partition's last message always
   * stays, so its end offset stays known. `deletedSegments` counts purged
   * messages; `freedBytes` is how much the stream's stored bytes shrank over
   * the purges (less than freed when writers append meanwhile).
   */
  async applyRetention(): Promise<RetentionResult> {
    this.checkOpen();
    const result: RetentionResult = { deletedSegments: 0, freedBytes: 0 };
    const groups = await this.checkpoints.groups();
    // Nobody has said what is safe to drop: keep everything.
    if (groups.length === 0) return result;
    const bytesBefore = await this.streamBytes();
    for (let p = 0; p < this.partitions; p++) {
      const floors = await Promise.all(groups.map((g) => this.checkpoints.load(g, p)));
      const floor = Math.min(...floors);
      if (floor === 0) continue;
      const { end, last } = await this.parts.end(p);
      if (last === null) continue;
      // The first message to keep: the one holding the floor, or the last one when every group is at the end.
      const keep = floor >= end ? last : await this.parts.locate(p, floor, last);
      if (keep === null) continue;
      result.deletedSegments += await this.parts.purgeBelow(p, keep.seq);
    }
    if (result.deletedSegments > 0) result.freedBytes = Math.max(0, bytesBefore - (await this.streamBytes()));
    return result;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const results = await Promise.allSettled([...this.writers].map((w) => w.close()).concat([...this.readers].map((r) => r.close())));
    if (this.ownConnection !== null) results.push(...(await Promise.allSettled([this.ownConnection.close()])));
    const failed = results.find((r) => r.status === 'rejected');
    if (failed !== undefined) throw failed.reason;
  }

  private async streamBytes(): Promise<number> {
    return (await this.jsm.streams.info(this.parts.stream)).state.bytes;
  }

  private checkOpen(): void {
    if (this.closed) throw new LogClosedError('log');
  }

  private checkPartition(partition: number): void {
    if (!Number.isSafeInteger(partition) || partition < 0 || partition >= this.partitions) {
      throw new LogInvalidArgumentError(`partition ${String(partition)} is not in 0..${String(this.partitions - 1)}`);
    }
  }
}

/**
 * Create the stream, or check that the existing one is the log's: same
 * subjects, nothing that would drop messages behind the log's back.
 */
async function ensureStream(jsm: JetStreamManager, o: ResolvedJetStreamOptions, subjectPrefix: string): Promise<StreamConfig> {
  const subjects = [`${subjectPrefix}.p.*`];
  let existing: StreamConfig | null = null;
  try {
    existing = (await jsm.streams.info(o.stream)).config;
  } catch (err) {
    if (!isStreamNotFound(err)) throw err;
  }
  if (existing === null) {
    const config: Partial<StreamConfig> & { name: string } = {
      name: o.stream,
      subjects,
      storage: StorageType.File,
      retention: RetentionPolicy.Limits,
      discard: DiscardPolicy.Old,
      num_replicas: o.replicas,
      duplicate_window: DUPLICATE_WINDOW_NS,
      // Only a single replica answers direct gets as of the latest write (see jetstream-partitions.ts).
      allow_direct: o.replicas === 1,
      max_msgs: -1,
      max_bytes: -1,
      max_age: 0,
      max_msgs_per_subject: -1,
    };
    // Adding an identical stream is a no-op, so instances opening a new log at once agree.
    existing = (await jsm.streams.add(config)).config;
  }
  const limited =
    (existing.max_msgs ?? -1) > 0 || (existing.max_bytes ?? -1) > 0 || (existing.max_age ?? 0) > 0 || (existing.max_msgs_per_subject ?? -1) > 0;
  if (JSON.stringify(existing.subjects) !== JSON.stringify(subjects) || limited) {
    throw new LogConfigMismatchError(
      `stream ${o.stream} has subjects ${JSON.stringify(existing.subjects)}${limited ? ' and limits that delete messages' : ''}; the log needs exactly ${JSON.stringify(subjects)} and no limits`,
    );
  }
  return existing;
}
