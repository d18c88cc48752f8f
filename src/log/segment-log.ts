/**
 * SegmentLog: the embedded `Log` adapter. Partitions are directories of
 * pre-allocated segment files written with group commit (see docs/log.md).
 *
 * Several instances may open one directory at once (ingest worker threads
 * each open their own, stream readers in other processes too); each
 * partition accepts one writer at a time.
 */
import { link, mkdir, open, readFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { threadId } from 'node:worker_threads';
import { CheckpointStore } from './checkpoints.js';
import { CommittedEnd } from './committed-end.js';
import { LogClosedError, LogConfigMismatchError, LogCorruptError, LogInvalidArgumentError, LogOffsetOutOfRangeError, isErrno } from './errors.js';
import type { Log, LogReader, RetentionResult } from './log.js';
import { acquirePartitionLocks } from './partition-lock.js';
import { applyRetention } from './retention.js';
import { partitionDirName } from './segment-file.js';
import { fsyncDir } from '../util/atomic-file.js';
import { DEFAULT_PARTITIONS, resolveOptions } from './segment-log-options.js';
import type { ResolvedOptions, SegmentLogOptions } from './segment-log-options.js';
import { SegmentLogReader } from './segment-reader.js';
import { SegmentLogWriter } from './segment-writer.js';

const META_FILE = 'log.json';
const META_FORMAT = 1;

export class SegmentLog implements Log {
  private readonly writers = new Set<SegmentLogWriter>();
  private readonly readers = new Set<SegmentLogReader>();
  private readonly checkpoints: CheckpointStore;
  private closed = false;

  private constructor(
    readonly dir: string,
    readonly partitions: number,
    private readonly options: ResolvedOptions,
  ) {
    this.checkpoints = new CheckpointStore(dir);
  }

  /**
   * Open (creating if needed) the log in `dir`.
   * @example
   * const log = await SegmentLog.open('/var/lib/tpay/log', { partitions: 8, durability: 'fsync' });
   */
  static async open(dir: string, options: SegmentLogOptions = {}): Promise<SegmentLog> {
    const resolved = resolveOptions(options);
    await mkdir(dir, { recursive: true });
    const partitions = await settleMeta(dir, resolved.partitions);
    return new SegmentLog(dir, partitions, resolved);
  }

  /**
   * Exclusive writer for `partitions`, after recovering each one.
   * @example
   * const writer = await log.openWriter([1, 3, 5, 7]);
   * writer.recovery; // [{ partition: 1, endOffset: 1042, truncatedBytes: 0, … }, …]
   */
  async openWriter(partitions: readonly number[]): Promise<SegmentLogWriter> {
    this.checkOpen();
    if (partitions.length === 0) throw new LogInvalidArgumentError('openWriter needs at least one partition');
    for (const p of partitions) this.checkPartition(p);
    if (new Set(partitions).size !== partitions.length) throw new LogInvalidArgumentError(`duplicate partition in ${partitions.join(', ')}`);
    const locks = await acquirePartitionLocks(this.dir, [...partitions].sort((a, b) => a - b));
    let writer: SegmentLogWriter;
    try {
      writer = await SegmentLogWriter.open(
        {
          root: this.dir,
          segmentBytes: this.options.segmentBytes,
          durability: this.options.durability,
          preallocation: this.options.preallocation,
          logger: this.options.logger,
        },
        locks,
        (w) => this.writers.delete(w),
      );
    } catch (err) {
      await Promise.all(locks.map((l) => l.release()));
      throw err;
    }
    this.writers.add(writer);
    return writer;
  }

  async openReader(partition: number, fromOffset: number): Promise<LogReader> {
    this.checkOpen();
    this.checkPartition(partition);
    if (!Number.isSafeInteger(fromOffset) || fromOffset < 0) {
      throw new LogInvalidArgumentError(`offset must be a non-negative integer, got ${String(fromOffset)}`);
    }
    const reader = await SegmentLogReader.open(this.dir, partition, fromOffset, (r) => this.readers.delete(r));
    this.readers.add(reader);
    return reader;
  }

  async endOffset(partition: number): Promise<number> {
    this.checkOpen();
    this.checkPartition(partition);
    const committed = await CommittedEnd.openForReader(join(this.dir, partitionDirName(partition)));
    if (committed === null) return 0;
    try {
      return (await committed.read())?.end ?? 0;
    } finally {
      await committed.close();
    }
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
    const end = await this.endOffset(partition);
    if (offset > end) throw new LogOffsetOutOfRangeError(partition, offset, 0, end);
    await this.checkpoints.save(group, partition, offset);
  }

  async registerGroup(group: string): Promise<void> {
    this.checkOpen();
    await this.checkpoints.register(group);
  }

  async applyRetention(): Promise<RetentionResult> {
    this.checkOpen();
    return applyRetention(this.dir, this.partitions, this.checkpoints);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const results = await Promise.allSettled([...this.writers].map((w) => w.close()).concat([...this.readers].map((r) => r.close())));
    const failed = results.find((r) => r.status === 'rejected');
    if (failed !== undefined) throw failed.reason;
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
 * Read `<dir>/log.json`, or create it with `partitions`. Creation goes through
 * link(2), which fails if the file exists: when several workers open a new
 * directory at once, exactly one settles the partition count.
 */
async function settleMeta(dir: string, partitions: number | undefined): Promise<number> {
  const path = join(dir, META_FILE);
  let text = await readFile(path, 'utf8').catch((err: unknown) => {
    if (isErrno(err, 'ENOENT')) return null;
    throw err;
  });
  if (text === null) {
    const tmp = `${path}.${String(process.pid)}-${String(threadId)}.tmp`;
    const fh = await open(tmp, 'w');
    try {
      await fh.writeFile(`${JSON.stringify({ format: META_FORMAT, partitions: partitions ?? DEFAULT_PARTITIONS })}\n`);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await link(tmp, path).catch((err: unknown) => {
      if (!isErrno(err, 'EEXIST')) throw err;
    });
    await unlink(tmp);
    await fsyncDir(dir);
    text = await readFile(path, 'utf8');
  }
  const meta = parseMeta(text, path);
  if (partitions !== undefined && partitions !== meta.partitions) {
    throw new LogConfigMismatchError(`${dir} was created with ${String(meta.partitions)} partitions, not ${String(partitions)}`);
  }
  return meta.partitions;
}

function parseMeta(text: string, path: string): { partitions: number } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new LogCorruptError('log.json is not JSON', path, { cause: err });
  }
  if (typeof value !== 'object' || value === null) throw new LogCorruptError('log.json is not an object', path);
  const { format, partitions } = value as Record<string, unknown>;
  if (format !== META_FORMAT) throw new LogConfigMismatchError(`${path}: log format ${String(format)} is not ${String(META_FORMAT)}`);
  if (typeof partitions !== 'number' || !Number.isSafeInteger(partitions) || partitions < 1) {
    throw new LogCorruptError(`log.json partitions is ${String(partitions)}`, path);
  }
  return { partitions };
}
