/**
 * One error class per failure mode of the log. Callers branch on `code`, which
 * never changes once released; messages are for people and may.
 */

export const LOG_ERROR_CODES = [
  /** The log, writer or reader was closed. */
  'log_closed',
  /** Stored bytes that must be valid are not (bad segment header, a damaged committed record, a bad checkpoint file). */
  'log_corrupt',
  /** A payload does not fit in one segment (SegmentLog) or one message (JetStreamLog). */
  'log_record_too_large',
  /** Another writer (thread or process) owns the partition. */
  'log_partition_owned',
  /** A bad partition, offset, group name, limit or option: a caller bug. */
  'log_invalid_argument',
  /** A read position below the oldest retained record or beyond the end. */
  'log_offset_out_of_range',
  /** The directory was created with different settings (partition count, format). */
  'log_config_mismatch',
  /** A file-system call (SegmentLog) or a publish to the server (JetStreamLog) failed while committing. */
  'log_io',
  /** An earlier commit failed; this writer accepts nothing more (reopen to recover). */
  'log_writer_failed',
] as const;
export type LogErrorCode = (typeof LOG_ERROR_CODES)[number];

export function isLogErrorCode(v: string): v is LogErrorCode {
  return (LOG_ERROR_CODES as readonly string[]).includes(v);
}

/** Base of every log error; `code` is stable, `cause` carries the underlying error. */
export abstract class LogError extends Error {
  abstract readonly code: LogErrorCode;
}

export class LogClosedError extends LogError {
  override readonly name = 'LogClosedError';
  readonly code = 'log_closed';
  constructor(what: string) {
    super(`${what} is closed`);
  }
}

export class LogCorruptError extends LogError {
  override readonly name = 'LogCorruptError';
  readonly code = 'log_corrupt';
  constructor(
    message: string,
    readonly path: string,
    options?: ErrorOptions,
  ) {
    super(`${message} (${path})`, options);
  }
}

export class LogRecordTooLargeError extends LogError {
  override readonly name = 'LogRecordTooLargeError';
  readonly code = 'log_record_too_large';
  constructor(
    readonly bytes: number,
    readonly limit: number,
    /** What sets the limit, for the message. */
    limitSource = 'segmentBytes minus framing',
  ) {
    super(`record of ${String(bytes)} bytes exceeds the limit of ${String(limit)} bytes (${limitSource})`);
  }
}

export class LogPartitionOwnedError extends LogError {
  override readonly name = 'LogPartitionOwnedError';
  readonly code = 'log_partition_owned';
  constructor(
    readonly partition: number,
    options?: ErrorOptions,
  ) {
    super(`partition ${String(partition)} already has a writer (another thread or process)`, options);
  }
}

export class LogInvalidArgumentError extends LogError {
  override readonly name = 'LogInvalidArgumentError';
  readonly code = 'log_invalid_argument';
}

export class LogOffsetOutOfRangeError extends LogError {
  override readonly name = 'LogOffsetOutOfRangeError';
  readonly code = 'log_offset_out_of_range';
  constructor(
    readonly partition: number,
    readonly offset: number,
    readonly oldest: number,
    readonly end: number,
  ) {
    super(
      `offset ${String(offset)} of partition ${String(partition)} is outside the retained range [${String(oldest)}, ${String(end)}]`,
    );
  }
}

export class LogConfigMismatchError extends LogError {
  override readonly name = 'LogConfigMismatchError';
  readonly code = 'log_config_mismatch';
}

export class LogIoError extends LogError {
  override readonly name = 'LogIoError';
  readonly code = 'log_io';
  constructor(op: string, path: string, cause: unknown) {
    super(`${op} failed on ${path}: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
}

export class LogWriterFailedError extends LogError {
  override readonly name = 'LogWriterFailedError';
  readonly code = 'log_writer_failed';
  constructor(cause: unknown) {
    // After a failed write or fdatasync the page cache may hold bytes the disk
    // does not (the PostgreSQL "fsyncgate" lesson): retrying cannot be trusted,
    // only reopening (which runs recovery) can.
    super('an earlier commit failed; close this writer and reopen the partitions', { cause });
  }
}

/** True for a Node.js file-system error with errno code `code` (e.g. 'ENOENT'). */
export function isErrno(err: unknown, code: string): boolean {
  return err instanceof Error && (err as NodeJS.ErrnoException).code === code;
}
