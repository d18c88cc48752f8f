/**
 * Malformed lines for fault injection. Each kind is named after the reject
 * code the ingest server must answer it with (codes in
 * `src/domain/reject-codes.ts`), and each line has exactly one defect, so
 * the expected code is unambiguous whatever order a validator checks in.
 *
 * These lines are rare, so they are built with `JSON.stringify` from a
 * valid record's fields; the hot path never comes here.
 */
import type { RejectCode } from '../domain/reject-codes.js';
import { NOT_A_CURRENCY } from './currencies.js';
import type { Prng } from './prng.js';

export const MALFORMED_KINDS = [
  /** Truncated mid-line, a trailing comma, or a single-quoted key. */
  'invalid_json',
  /** One required field left out. */
  'missing_field',
  /** `amount_minor` or `seq` as a string, `tax_minor` as a fraction, `terminal_id` as a number. */
  'invalid_type',
  /** `store_id` not in the tenant's registry (`S-UNKNOWN-…`). */
  'unknown_store',
  /** `currency` is `ZZZ`, which ISO 4217 never assigned. */
  'unknown_currency',
  /** A negative `amount_minor`. */
  'invalid_value',
  /** `ts` 400 years after the event (same calendar day and offset). */
  'timestamp_in_future',
  /** A valid record padded with an unknown `note` field to 4.2–6 KB. */
  'line_too_long',
  /** `ts` without an offset (`2026-03-29T10:15:00.123`). Not in the default mix. */
  'invalid_timestamp',
  /** A `tenant` field naming another tenant. Not in the default mix. */
  'tenant_mismatch',
  /** A JSON array instead of an object. Not in the default mix. */
  'not_an_object',
  /** `seq` written twice. Not in the default mix. */
  'duplicate_field',
] as const satisfies readonly RejectCode[];

export type MalformedKind = (typeof MALFORMED_KINDS)[number];

/** The default mix: the eight kinds every ingest must handle, drawn with equal odds. */
export const DEFAULT_MALFORMED_KINDS: readonly MalformedKind[] = MALFORMED_KINDS.slice(0, 8);

export function isMalformedKind(v: string): v is MalformedKind {
  return (MALFORMED_KINDS as readonly string[]).includes(v);
}

/** The fields of the valid record a malformed line is derived from. */
export interface BaseRecord {
  txn_id: string;
  store_id: string;
  terminal_id: string;
  seq: number;
  ts: string;
  type: string;
  amount_minor: number;
  currency: string;
  tax_minor: number;
  tender: string;
  items: number;
}

const REQUIRED_FIELDS = ['txn_id', 'store_id', 'terminal_id', 'seq', 'ts', 'type', 'amount_minor', 'currency', 'tax_minor', 'tender'] as const;

/** Bytes of a line that must be rejected as too long: more than 4 KiB (4096), never near the edge. */
const LONG_LINE_MIN = 4200;
const LONG_LINE_MAX = 6000;

function invalidJson(rng: Prng, json: string): string {
  switch (rng.int(3)) {
    case 0:
      // A strict prefix of an object is never valid JSON (the closing brace is missing).
      return json.slice(0, Math.floor(json.length * (0.3 + 0.6 * rng.float())));
    case 1:
      return json.slice(0, -1) + ',}';
    default:
      return "{'txn_id'" + json.slice(json.indexOf(':'));
  }
}

function invalidType(rng: Prng, r: BaseRecord): Record<string, unknown> {
  switch (rng.int(4)) {
    case 0:
      return { ...r, amount_minor: String(r.amount_minor) };
    case 1:
      return { ...r, seq: String(r.seq) };
    case 2:
      return { ...r, tax_minor: r.tax_minor + 0.5 };
    default:
      return { ...r, terminal_id: 4711 };
  }
}

/**
 * One malformed line of `kind`, derived from a valid record. Never contains
 * a newline.
 * @example malformedLine('unknown_currency', rng, base, 'acme') // {..."currency":"ZZZ",...}
 */
export function malformedLine(kind: MalformedKind, rng: Prng, r: BaseRecord, tenantId: string): string {
  switch (kind) {
    case 'invalid_json':
      return invalidJson(rng, JSON.stringify(r));
    case 'missing_field': {
      const drop = rng.pick(REQUIRED_FIELDS);
      return JSON.stringify(Object.fromEntries(Object.entries(r).filter(([k]) => k !== drop)));
    }
    case 'invalid_type':
      return JSON.stringify(invalidType(rng, r));
    case 'unknown_store':
      return JSON.stringify({ ...r, store_id: `S-UNKNOWN-${r.seq}` });
    case 'unknown_currency':
      return JSON.stringify({ ...r, currency: NOT_A_CURRENCY });
    case 'invalid_value':
      return JSON.stringify({ ...r, amount_minor: -r.amount_minor });
    case 'timestamp_in_future':
      // +400 years keeps the calendar (the Gregorian cycle is 400 years), so the date stays valid.
      return JSON.stringify({ ...r, ts: String(Number(r.ts.slice(0, 4)) + 400) + r.ts.slice(4) });
    case 'line_too_long': {
      const base = JSON.stringify(r);
      const target = rng.between(LONG_LINE_MIN, LONG_LINE_MAX);
      return base.slice(0, -1) + ',"note":"' + 'x'.repeat(Math.max(0, target - base.length - 10)) + '"}';
    }
    case 'invalid_timestamp':
      return JSON.stringify({ ...r, ts: r.ts.slice(0, -6) });
    case 'tenant_mismatch':
      return JSON.stringify({ ...r, tenant: `${tenantId}-other` });
    case 'not_an_object':
      return JSON.stringify(Object.values(r));
    case 'duplicate_field':
      return `{"seq":${r.seq + 1},` + JSON.stringify(r).slice(1);
  }
}
