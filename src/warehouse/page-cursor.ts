/**
 * The opaque cursor of `storeTransactions`: the sort key of the last row of
 * a page, `(ts, txn_id, log_partition, log_offset)`, which is unique, so the
 * next page starts exactly after it whatever was appended in between.
 * Encoded as base64url JSON with a version tag; clients must not build or
 * alter cursors.
 */
import { WarehouseInvalidCursorError } from './errors.js';

export interface PageKey {
  ts: number;
  txnId: string;
  partition: number;
  offset: number;
}

const VERSION = 1;
/** A real cursor is < 200 characters; anything far longer is rejected before decoding. */
const MAX_CURSOR_CHARS = 512;

/** @example encodeCursor({ ts: 1767225600000, txnId: 'R-1', partition: 3, offset: 42 }) // 'WzEsMTc2…' */
export function encodeCursor(k: PageKey): string {
  return Buffer.from(JSON.stringify([VERSION, k.ts, k.txnId, k.partition, k.offset])).toString('base64url');
}

/** The key in `cursor`; throws `WarehouseInvalidCursorError` for anything `encodeCursor` did not make. */
export function decodeCursor(cursor: string): PageKey {
  if (cursor.length === 0 || cursor.length > MAX_CURSOR_CHARS || !/^[A-Za-z0-9_-]+$/.test(cursor)) throw new WarehouseInvalidCursorError();
  let v: unknown;
  try {
    v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch (err) {
    throw new WarehouseInvalidCursorError({ cause: err });
  }
  if (!Array.isArray(v) || v.length !== 5) throw new WarehouseInvalidCursorError();
  const [version, ts, txnId, partition, offset] = v as unknown[];
  if (
    version !== VERSION ||
    !Number.isSafeInteger(ts) ||
    typeof txnId !== 'string' ||
    !Number.isSafeInteger(partition) ||
    !Number.isSafeInteger(offset)
  ) {
    throw new WarehouseInvalidCursorError();
  }
  return { ts: ts as number, txnId, partition: partition as number, offset: offset as number };
}
