/**
 * Shared set-up for the transaction decoder tests: a context, a valid base
 * record, and a helper that runs a line through both decoders and checks
 * they agree before returning the byte decoder's answer.
 */
import assert from 'node:assert/strict';
import { decodeTransaction, type DecodeContext, type DecodeResult } from '../../src/domain/transaction-decoder.js';
import { decodeTransactionReference } from '../../src/domain/transaction-reference.js';

/** 2026-03-01T12:00:00Z: "now" for every test; `ts` may be up to 2026-03-02T12:00:00Z. */
export const NOW = Date.UTC(2026, 2, 1, 12, 0, 0);

export const STORES = new Set(['S0001', 'S0002', 'Zürich-1']);

export const ctx: DecodeContext = {
  tenant: 'acme',
  nowMs: NOW,
  hasStore: (id) => STORES.has(id),
  maxLineBytes: 4096,
};

/** A valid sale with every field, in the record table's order. */
export const BASE: Readonly<Record<string, unknown>> = {
  txn_id: 'R-1',
  store_id: 'S0001',
  terminal_id: 'S0001-T1',
  seq: 123,
  ts: '2026-03-01T10:15:00.123+01:00',
  type: 'sale',
  amount_minor: 4599,
  currency: 'EUR',
  tax_minor: 735,
  discount_minor: 0,
  tender: 'card',
  card_brand: 'visa',
  items: 3,
};

/** BASE with `patch` applied; a field set to `undefined` is removed. */
export function line(patch: Record<string, unknown> = {}): string {
  // JSON.stringify leaves out properties whose value is undefined.
  return JSON.stringify({ ...BASE, ...patch });
}

const enc = new TextEncoder();

/** Decodes with both decoders, asserts they agree, returns the byte decoder's result. */
export function decode(text: string | Uint8Array, c: DecodeContext = ctx): DecodeResult {
  const bytes = typeof text === 'string' ? enc.encode(text) : text;
  const fast = decodeTransaction(bytes, 0, bytes.length, c);
  const slow = decodeTransactionReference(bytes, 0, bytes.length, c);
  assertAgree(fast, slow, typeof text === 'string' ? text : `bytes ${Array.from(bytes).join(',')}`);
  return fast;
}

/** The two decoders agree: same verdict, code, field, Transaction, and message (except JSON syntax wording). */
export function assertAgree(fast: DecodeResult, slow: DecodeResult, describe: string | (() => string)): void {
  if (fast.ok && slow.ok) {
    assert.deepStrictEqual(fast.txn, slow.txn, `Transaction differs for ${typeof describe === 'string' ? describe : describe()}`);
    return;
  }
  // Built only when needed: the fuzz test calls this 20,000 times.
  const what = typeof describe === 'string' ? describe : fast.ok !== slow.ok || fast.ok || slow.ok || fast.code !== slow.code || fast.field !== slow.field || (fast.code !== 'invalid_json' && fast.message !== slow.message) ? describe() : '';
  assert.equal(fast.ok, slow.ok, `ok differs for ${what}: ${JSON.stringify(fast)} vs ${JSON.stringify(slow)}`);
  if (fast.ok || slow.ok) return;
  assert.equal(fast.code, slow.code, `code differs for ${what}: ${fast.message} | ${slow.message}`);
  assert.equal(fast.field, slow.field, `field differs for ${what}`);
  if (fast.code !== 'invalid_json') assert.equal(fast.message, slow.message, `message differs for ${what}`);
}

/** Asserts a reject with exactly this code, field and message. */
export function assertReject(r: DecodeResult, code: string, field: string | null, message: string): void {
  assert.deepStrictEqual(r.ok ? r : { code: r.code, field: r.field, message: r.message }, { code, field, message });
}
