/**
 * Stable codes for rejected input lines. Clients and the dead-letter store
 * key on these strings; never rename one, only add.
 */
export const REJECT_CODES = [
  /** The line is longer than the configured maximum (4 KiB by default). */
  'line_too_long',
  /** The line is not valid JSON (or not UTF-8 text). */
  'invalid_json',
  /** The line is valid JSON but not an object. */
  'not_an_object',
  /** The same key appears twice in the object. */
  'duplicate_field',
  /** A required field is absent (or `ref_txn_id` on a void). */
  'missing_field',
  /** A field has the wrong JSON type (string where a number is due, a fraction where an integer is due). */
  'invalid_type',
  /** A field has the right type but a value outside its rule (range, pattern, enumeration). */
  'invalid_value',
  /** `ts` is not an RFC 3339 timestamp with an offset or `Z`. */
  'invalid_timestamp',
  /** `ts` is more than 24 h after the time the line was received. */
  'timestamp_in_future',
  /** `store_id` is not in the tenant's store registry. */
  'unknown_store',
  /** `currency` is not an ISO 4217 code. */
  'unknown_currency',
  /** The payload names a tenant other than the credential's. */
  'tenant_mismatch',
  /** `seq` is inside the terminal's merged floor (past the interval budget): it cannot be proven new. */
  'seq_out_of_window',
  /** A compact (binary) record is malformed: truncated, a length that overruns it, an unknown version or flag, text that is not UTF-8. */
  'invalid_record',
] as const;
export type RejectCode = (typeof REJECT_CODES)[number];

export function isRejectCode(v: string): v is RejectCode {
  return (REJECT_CODES as readonly string[]).includes(v);
}
