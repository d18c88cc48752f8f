/**
 * Errors of the shared (multi-writer) serving store, one class per failure
 * mode, each with a stable `code`.
 */

export const SERVING_ERROR_CODES = [
  /** A bad partition, offset, epoch, option or batch: a caller bug or a bad setting. */
  'serving_invalid_argument',
  /** A writer whose lease epoch is older than one already seen on the partition: another owner took it. */
  'serving_fenced',
  /** Stored commit rows that cannot come from the protocol (a gap in a partition's chain). */
  'serving_corrupt',
  /** The database call failed. */
  'serving_io',
  /** The store was closed. */
  'serving_closed',
] as const;
export type ServingErrorCode = (typeof SERVING_ERROR_CODES)[number];

export abstract class ServingError extends Error {
  abstract readonly code: ServingErrorCode;
}

export class ServingInvalidArgumentError extends ServingError {
  override readonly name = 'ServingInvalidArgumentError';
  readonly code = 'serving_invalid_argument';
}

export class ServingFencedError extends ServingError {
  override readonly name = 'ServingFencedError';
  readonly code = 'serving_fenced';
  constructor(
    readonly partition: number,
    readonly epoch: number,
    readonly newerEpoch: number,
  ) {
    super(`partition ${String(partition)}: lease epoch ${String(epoch)} is fenced out by epoch ${String(newerEpoch)}`);
  }
}

export class ServingCorruptError extends ServingError {
  override readonly name = 'ServingCorruptError';
  readonly code = 'serving_corrupt';
}

export class ServingIoError extends ServingError {
  override readonly name = 'ServingIoError';
  readonly code = 'serving_io';
}

export class ServingClosedError extends ServingError {
  override readonly name = 'ServingClosedError';
  readonly code = 'serving_closed';
  constructor() {
    super('the serving store is closed');
  }
}
