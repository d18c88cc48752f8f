/**
 * The `Log` port: the durable, partitioned, replayable stream between ingest
 * and stream processing.
 *
 * Offsets are per-partition record numbers starting at 0 (Kafka-style). They
 * never change: not across restarts, not when retention deletes old data.
 * Nothing here knows about files, so a JetStream adapter (one subject per
 * partition, ~100 records per message) implements the same port.
 *
 * @example
 * const log: Log = await SegmentLog.open('/var/lib/tpay/log');
 * const writer = await log.openWriter([0, 2, 4, 6]);
 * writer.append(2, payload);               // staged, not durable yet
 * const ends = await writer.commit();      // Map { 2 => 1 }: durable now
 * const reader = await log.openReader(2, await log.loadCheckpoint('rollups', 2));
 * for (const r of await reader.read(1000, 1 << 20)) handle(r.offset, r.payload);
 * await log.saveCheckpoint('rollups', 2, reader.position);
 */

/** One record as read back: its offset in its partition and its bytes. */
export interface LogRecord {
  offset: number;
  payload: Uint8Array;
}

/**
 * Appends to a fixed set of partitions that it owns exclusively until closed.
 * Group commit: stage many records, then one `commit()` makes all of them
 * durable at once.
 *
 * @example
 * for (const tx of batch) writer.append(partitionOf(tx.tenant, tx.terminal, 8), tx.bytes);
 * if (writer.stagedBytes > 8 << 20) await writer.commit(); // back-pressure
 * const ends = await writer.commit(); // reply to clients after this resolves
 */
export interface LogWriter {
  /**
   * Stage one record; not durable (nor visible to readers) until a later
   * `commit()` resolves. Copies the payload, so the caller may reuse its buffer.
   * Empty payloads are allowed. Throws `LogRecordTooLargeError`,
   * `LogInvalidArgumentError` (partition not owned by this writer),
   * `LogClosedError` or `LogWriterFailedError`.
   */
  append(partition: number, payload: Uint8Array): void;
  /** Bytes staged and not yet handed to a commit, framing included (for back-pressure). */
  readonly stagedBytes: number;
  /**
   * Make everything staged durable and visible to readers. An adapter may
   * run a few commits at once (they resolve in order); calls beyond that
   * coalesce into the next one, and a call with nothing newly staged shares
   * the latest commit in flight. Resolves when every record staged before the
   * call is durable, with the new end offset (next offset to be assigned) of
   * each partition this commit wrote to.
   * If the storage fails, this and every later call reject: reopen to recover.
   */
  commit(): Promise<ReadonlyMap<number, number>>;
  /** Commit whatever is staged, then give up ownership of the partitions. */
  close(): Promise<void>;
}

/**
 * Reads one partition in offset order from a start offset. Sees exactly the
 * records whose commit has resolved (plus records kept by crash recovery).
 *
 * @example
 * const reader = await log.openReader(3, 1_000);
 * const batch = await reader.read(500, 1 << 20); // batch[0].offset === 1000
 * reader.position;                                 // 1000 + batch.length
 */
export interface LogReader {
  readonly partition: number;
  /** Next offset to read. */
  readonly position: number;
  /**
   * Up to `maxRecords` records and about `maxBytes` payload bytes from
   * `position`; `[]` when caught up. The first record is returned even when it
   * alone is larger than `maxBytes`, so a reader always makes progress.
   * Only complete, checksum-valid records are returned.
   */
  read(maxRecords: number, maxBytes: number): Promise<LogRecord[]>;
  close(): Promise<void>;
}

/** Outcome of `applyRetention`. */
export interface RetentionResult {
  deletedSegments: number;
  freedBytes: number;
}

/**
 * The log: partitions, writers, readers, consumer-group checkpoints and
 * retention.
 *
 * @example
 * await log.registerGroup('rollups');        // retention now waits for it
 * await log.saveCheckpoint('rollups', 0, 42);
 * await log.loadCheckpoint('rollups', 0);    // 42
 * await log.applyRetention();                // drops data every group has passed
 */
export interface Log {
  readonly partitions: number;
  /** Exclusive writer for `partitions`; rejects with `LogPartitionOwnedError` if another writer holds one. */
  openWriter(partitions: readonly number[]): Promise<LogWriter>;
  /**
   * Reader of `partition` from `fromOffset` (oldest retained ≤ fromOffset ≤ end);
   * rejects with `LogOffsetOutOfRangeError` otherwise.
   */
  openReader(partition: number, fromOffset: number): Promise<LogReader>;
  /** Offset the next committed record of `partition` will get (= number of records ever committed). */
  endOffset(partition: number): Promise<number>;
  /** Durable named checkpoint (consumer group); 0 when none. */
  loadCheckpoint(group: string, partition: number): Promise<number>;
  /** Durably store a group's next offset to read (0 ≤ offset ≤ end). */
  saveCheckpoint(group: string, partition: number, offset: number): Promise<void>;
  /** Make retention wait for `group`: until it checkpoints a partition, it holds all of that partition. */
  registerGroup(group: string): Promise<void>;
  /**
   * Delete whole stored chunks whose every record is below the checkpoint of
   * every registered group. With no group registered nothing is deleted.
   */
  applyRetention(): Promise<RetentionResult>;
  /** Close every writer (committing what is staged) and reader opened here. */
  close(): Promise<void>;
}
