/**
 * One error class per failure mode of the warehouse. Callers branch on
 * `code`, which never changes once released; messages are for people.
 */

export const WAREHOUSE_ERROR_CODES = [
  /** The warehouse was closed. */
  'warehouse_closed',
  /** A bad partition, offset, limit, tenant, record or option: a caller bug. */
  'warehouse_invalid_argument',
  /** A page cursor that this warehouse did not issue (or that was altered). */
  'warehouse_invalid_cursor',
  /** An append that starts after the committed offset: records would be missing. */
  'warehouse_offset_gap',
  /** Stored data that must be valid is not (manifest, index, a row's values). */
  'warehouse_corrupt',
  /** Another process or instance has the warehouse directory open. */
  'warehouse_locked',
  /** A file-system or query-engine call failed. */
  'warehouse_io',
] as const;
export type WarehouseErrorCode = (typeof WAREHOUSE_ERROR_CODES)[number];

export function isWarehouseErrorCode(v: string): v is WarehouseErrorCode {
  return (WAREHOUSE_ERROR_CODES as readonly string[]).includes(v);
}

/** Base of every warehouse error; `code` is stable, `cause` carries the underlying error. */
export abstract class WarehouseError extends Error {
  abstract readonly code: WarehouseErrorCode;
}

export class WarehouseClosedError extends WarehouseError {
  override readonly name = 'WarehouseClosedError';
  readonly code = 'warehouse_closed';
  constructor() {
    super('the warehouse is closed');
  }
}

export class WarehouseInvalidArgumentError extends WarehouseError {
  override readonly name = 'WarehouseInvalidArgumentError';
  readonly code = 'warehouse_invalid_argument';
}

export class WarehouseInvalidCursorError extends WarehouseError {
  override readonly name = 'WarehouseInvalidCursorError';
  readonly code = 'warehouse_invalid_cursor';
  constructor(options?: ErrorOptions) {
    super('the page cursor is not one this warehouse issued', options);
  }
}

export class WarehouseOffsetGapError extends WarehouseError {
  override readonly name = 'WarehouseOffsetGapError';
  readonly code = 'warehouse_offset_gap';
  constructor(
    readonly partition: number,
    readonly fromOffset: number,
    readonly committed: number,
  ) {
    super(
      `append to partition ${String(partition)} starts at offset ${String(fromOffset)}, after the committed offset ${String(committed)}: offsets ${String(committed)}..${String(fromOffset - 1)} would be missing`,
    );
  }
}

export class WarehouseCorruptError extends WarehouseError {
  override readonly name = 'WarehouseCorruptError';
  readonly code = 'warehouse_corrupt';
  constructor(
    message: string,
    readonly path: string,
    options?: ErrorOptions,
  ) {
    super(`${message} (${path})`, options);
  }
}

export class WarehouseLockedError extends WarehouseError {
  override readonly name = 'WarehouseLockedError';
  readonly code = 'warehouse_locked';
  constructor(
    readonly dir: string,
    options?: ErrorOptions,
  ) {
    super(`warehouse directory '${dir}' is open in another process or instance`, options);
  }
}

export class WarehouseIoError extends WarehouseError {
  override readonly name = 'WarehouseIoError';
  readonly code = 'warehouse_io';
  constructor(op: string, cause: unknown) {
    super(`${op} failed: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
}

/** True for a Node.js file-system error with errno code `code` (e.g. 'ENOENT'). */
export function isErrno(err: unknown, code: string): boolean {
  return err instanceof Error && (err as NodeJS.ErrnoException).code === code;
}
