/**
 * Settings of JetStreamLog, validated when the log opens: unknown keys and
 * out-of-range values are errors that name the key, the value and the limit.
 */
import { LogInvalidArgumentError } from './errors.js';
import { MAX_PARTITIONS } from './segment-log-options.js';

export interface JetStreamLogOptions {
  /** Stream name (default `TPAY_LOG`); the KV buckets are `<stream>_STATE` and `<stream>_LEASES`. */
  stream?: string;
  /** Partition `n` is subject `<subjectPrefix>.p.<n>` (default `tpay.log`). */
  subjectPrefix?: string;
  /** Partition count; default: the count the log was created with, else 8. */
  partitions?: number;
  /** Target body size of one message (default 128 KiB): records are packed into messages up to this size. */
  messageBytes?: number;
  /** Stream and bucket replicas when they are created (1, 3 or 5; default 1). */
  replicas?: number;
  /** How long one publish waits for JetStream's ack before it is retried (default 5000 ms). */
  ackTimeoutMs?: number;
  /** Publish attempts per message before the commit fails (default 5); retries carry the same message id. */
  publishAttempts?: number;
  /** Writer leases expire this long after their last renewal (default 10000 ms; fixed when the bucket is created). */
  leaseTtlMs?: number;
}

export interface ResolvedJetStreamOptions {
  stream: string;
  subjectPrefix: string;
  partitions: number | undefined;
  messageBytes: number;
  replicas: number;
  ackTimeoutMs: number;
  publishAttempts: number;
  leaseTtlMs: number;
}

export const DEFAULT_STREAM = 'TPAY_LOG';
export const DEFAULT_SUBJECT_PREFIX = 'tpay.log';
/**
 * 128 KiB holds ~400 records of ~300 bytes: few enough messages that the
 * per-message cost (one acked publish, ~0.2–1 ms) is spread over hundreds of
 * records, small enough to stay far below the server's 1 MiB default
 * max_payload and to keep a partially read message cheap.
 */
export const DEFAULT_MESSAGE_BYTES = 128 * 1024;
const KEYS = ['stream', 'subjectPrefix', 'partitions', 'messageBytes', 'replicas', 'ackTimeoutMs', 'publishAttempts', 'leaseTtlMs'] as const;
/** Letters, digits, '_' and '-', so that `<stream>_STATE` is a valid bucket name too. */
const STREAM_NAME = /^[A-Za-z0-9_-]{1,48}$/;
const SUBJECT_PREFIX = /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/;

export function resolveJetStreamOptions(options: JetStreamLogOptions): ResolvedJetStreamOptions {
  for (const key of Object.keys(options)) {
    if (!(KEYS as readonly string[]).includes(key)) {
      throw new LogInvalidArgumentError(`unknown JetStreamLog option '${key}' (known: ${KEYS.join(', ')})`);
    }
  }
  const {
    stream = DEFAULT_STREAM,
    subjectPrefix = DEFAULT_SUBJECT_PREFIX,
    partitions,
    messageBytes = DEFAULT_MESSAGE_BYTES,
    replicas = 1,
    ackTimeoutMs = 5000,
    publishAttempts = 5,
    leaseTtlMs = 10_000,
  } = options;
  if (typeof stream !== 'string' || !STREAM_NAME.test(stream)) {
    throw new LogInvalidArgumentError(`JetStreamLog option stream is ${JSON.stringify(stream)}; expected 1–48 of [A-Za-z0-9_-]`);
  }
  if (typeof subjectPrefix !== 'string' || subjectPrefix.length > 200 || !SUBJECT_PREFIX.test(subjectPrefix)) {
    throw new LogInvalidArgumentError(
      `JetStreamLog option subjectPrefix is ${JSON.stringify(subjectPrefix)}; expected dot-separated tokens of [A-Za-z0-9_-], at most 200 characters`,
    );
  }
  if (partitions !== undefined) checkInteger('partitions', partitions, 1, MAX_PARTITIONS);
  checkInteger('messageBytes', messageBytes, 1024, 8 << 20);
  if (replicas !== 1 && replicas !== 3 && replicas !== 5) {
    throw new LogInvalidArgumentError(`JetStreamLog option replicas is ${String(replicas)}; expected 1, 3 or 5`);
  }
  checkInteger('ackTimeoutMs', ackTimeoutMs, 10, 600_000);
  checkInteger('publishAttempts', publishAttempts, 1, 100);
  checkInteger('leaseTtlMs', leaseTtlMs, 500, 3_600_000);
  return { stream, subjectPrefix, partitions, messageBytes, replicas, ackTimeoutMs, publishAttempts, leaseTtlMs };
}

function checkInteger(key: string, value: number, min: number, max: number): void {
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new LogInvalidArgumentError(`JetStreamLog option ${key} is ${String(value)}; expected an integer from ${String(min)} to ${String(max)}`);
  }
}
