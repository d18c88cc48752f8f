/**
 * Errors of the firehose, one class per failure mode, each with a stable
 * `code` so the CLI can map them to exit codes and messages.
 */

/** An option is out of range or of the wrong shape; the message names the key, the value and the rule. */
export class FirehoseOptionError extends Error {
  override readonly name = 'FirehoseOptionError';
  readonly code = 'invalid_option';

  constructor(
    readonly key: string,
    readonly value: unknown,
    expected: string,
  ) {
    super(`firehose option '${key}' is ${JSON.stringify(value) ?? String(value)}; expected ${expected}`);
  }
}

/** The ingest server refused the key (`{"type":"error","code":"unauthorized"}`). Retrying cannot help. */
export class FirehoseAuthError extends Error {
  override readonly name = 'FirehoseAuthError';
  readonly code = 'unauthorized';
}

/** The sender gave up: too many consecutive connection attempts failed without progress. */
export class FirehoseConnectionError extends Error {
  override readonly name = 'FirehoseConnectionError';
  readonly code = 'connection_failed';
}

/** An input file could not be read as NDJSON (e.g. a single line larger than the read limit). */
export class FirehoseReadError extends Error {
  override readonly name = 'FirehoseReadError';
  readonly code = 'read_failed';
}

/**
 * Throws `FirehoseOptionError` unless `value` is an integer in [min, max].
 * @example checkInteger('connections', 4, 1, 256) // ok
 */
export function checkInteger(key: string, value: number, min: number, max: number): void {
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new FirehoseOptionError(key, value, `an integer from ${min} to ${max}`);
  }
}

/**
 * Throws `FirehoseOptionError` unless `value` is a finite number in [min, max].
 * @example checkNumber('faults.duplicates', 0.01, 0, 1) // ok
 */
export function checkNumber(key: string, value: number, min: number, max: number): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    throw new FirehoseOptionError(key, value, `a number from ${min} to ${max}`);
  }
}
