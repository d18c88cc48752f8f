/**
 * Settings of SegmentLog, validated when the log opens: unknown keys and
 * out-of-range values are errors that name the key, the value and the limit.
 */
import { LogInvalidArgumentError } from './errors.js';

/**
 * 'fsync': a commit returns after fdatasync; committed records survive power
 * loss. 'write': a commit returns after write(); committed records survive a
 * crash or kill -9 of the process, not a power loss or kernel crash.
 */
export const DURABILITY_MODES = ['fsync', 'write'] as const;
export type Durability = (typeof DURABILITY_MODES)[number];

export function isDurability(v: unknown): v is Durability {
  return typeof v === 'string' && (DURABILITY_MODES as readonly string[]).includes(v);
}

/**
 * How segment files are pre-allocated. 'zeros' writes every byte; 'fallocate'
 * reserves unwritten extents with fallocate(1) (no data written) and falls
 * back to zeros where that is not possible.
 */
export const PREALLOCATIONS = ['zeros', 'fallocate'] as const;
export type Preallocation = (typeof PREALLOCATIONS)[number];

export function isPreallocation(v: unknown): v is Preallocation {
  return typeof v === 'string' && (PREALLOCATIONS as readonly string[]).includes(v);
}

/** The part of a pino logger the log uses. */
export interface LogLogger {
  warn(obj: object, msg: string): void;
}

export interface SegmentLogOptions {
  /** Partition count; default: the count the directory was created with, else 8. */
  partitions?: number;
  /** Size of each segment file, pre-allocated (default 64 MiB). The largest record is this minus 44 bytes. */
  segmentBytes?: number;
  /** Default 'fsync'. */
  durability?: Durability;
  /** Default 'fallocate'. */
  preallocation?: Preallocation;
  /** Receives a warning when recovery cuts a torn tail. */
  logger?: LogLogger;
}

export interface ResolvedOptions {
  partitions: number | undefined;
  segmentBytes: number;
  durability: Durability;
  preallocation: Preallocation;
  logger: LogLogger | undefined;
}

export const DEFAULT_PARTITIONS = 8;
export const DEFAULT_SEGMENT_BYTES = 64 << 20;
export const MAX_PARTITIONS = 1024;
export const MIN_SEGMENT_BYTES = 1024;
/** Frame and position fields are u32. */
export const MAX_SEGMENT_BYTES = 2 ** 31;

const KEYS = ['partitions', 'segmentBytes', 'durability', 'preallocation', 'logger'] as const;

export function resolveOptions(options: SegmentLogOptions): ResolvedOptions {
  for (const key of Object.keys(options)) {
    if (!(KEYS as readonly string[]).includes(key)) {
      throw new LogInvalidArgumentError(`unknown SegmentLog option '${key}' (known: ${KEYS.join(', ')})`);
    }
  }
  const { partitions, segmentBytes = DEFAULT_SEGMENT_BYTES, durability = 'fsync', preallocation = 'fallocate', logger } = options;
  if (partitions !== undefined) checkInteger('partitions', partitions, 1, MAX_PARTITIONS);
  checkInteger('segmentBytes', segmentBytes, MIN_SEGMENT_BYTES, MAX_SEGMENT_BYTES);
  if (!isDurability(durability)) {
    throw new LogInvalidArgumentError(`SegmentLog option durability is ${JSON.stringify(durability)}; expected one of ${DURABILITY_MODES.join(', ')}`);
  }
  if (!isPreallocation(preallocation)) {
    throw new LogInvalidArgumentError(
      `SegmentLog option preallocation is ${JSON.stringify(preallocation)}; expected one of ${PREALLOCATIONS.join(', ')}`,
    );
  }
  return { partitions, segmentBytes, durability, preallocation, logger };
}

function checkInteger(key: string, value: number, min: number, max: number): void {
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new LogInvalidArgumentError(`SegmentLog option ${key} is ${String(value)}; expected an integer from ${String(min)} to ${String(max)}`);
  }
}
