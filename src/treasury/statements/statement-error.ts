/**
 * Errors of the statement parsers as values: a stable code, a message that
 * names the line or element and the offending value, and where it was.
 * Parsers throw {@link StatementParseFailure} internally (the deepest
 * helper knows best what went wrong) and the public entry points turn it
 * into a {@link StatementParseResult}; nothing else escapes.
 */
import type { BankStatement } from '../../domain/statement.js';

export const STATEMENT_ERROR_CODES = [
  'statement_too_large',
  'statement_invalid_encoding',
  'statement_unknown_format',
  'statement_empty',
  'statement_line_too_long',
  'statement_invalid_xml',
  'statement_unsupported_namespace',
  'statement_missing_element',
  'statement_invalid_element',
  'statement_invalid_amount',
  'statement_invalid_currency',
  'statement_invalid_date',
  'statement_unknown_tag',
  'statement_unexpected_tag',
  'statement_missing_tag',
  'statement_invalid_field',
  'statement_truncated',
  'statement_invalid_csv',
  'statement_missing_column',
  'statement_internal_error',
] as const;
export type StatementErrorCode = (typeof STATEMENT_ERROR_CODES)[number];

export interface StatementError {
  code: StatementErrorCode;
  message: string;
  /** 1-based line in the (decoded) file, when the format has lines that matter. */
  line?: number;
  /** Element path for XML, e.g. `Stmt[2]/Ntry[5]/Amt`. */
  element?: string;
}

export type StatementParseResult =
  | { ok: true; statements: BankStatement[] }
  | { ok: false; error: StatementError };

/** Where a failure happened: a line, an element path, or both. */
export interface StatementWhere {
  line?: number;
  element?: string;
}

export class StatementParseFailure extends Error {
  override readonly name = 'StatementParseFailure';
  constructor(readonly error: StatementError) {
    super(error.message);
  }
}

/** A place, or a function computing it: line numbers are counted only when something fails. */
export type WhereArg = StatementWhere | (() => StatementWhere);

/** Throws a failure with `code`; the message is prefixed with the place. */
export function fail(code: StatementErrorCode, message: string, whereArg: WhereArg = {}): never {
  const where = typeof whereArg === 'function' ? whereArg() : whereArg;
  const place = where.line !== undefined ? `line ${String(where.line)}: ` : where.element !== undefined ? `${where.element}: ` : '';
  const error: StatementError = { code, message: place + message };
  if (where.line !== undefined) error.line = where.line;
  if (where.element !== undefined) error.element = where.element;
  throw new StatementParseFailure(error);
}

/**
 * Runs a parser and turns a failure into an error value. Anything else
 * thrown (a bug, or an engine limit such as a stack overflow on hostile
 * input) also becomes an error value, so bad input never crashes a caller.
 */
export function runParser(parse: () => BankStatement[]): StatementParseResult {
  try {
    return { ok: true, statements: parse() };
  } catch (e) {
    if (e instanceof StatementParseFailure) return { ok: false, error: e.error };
    const message = e instanceof Error ? e.message : String(e);
    return { ok: false, error: { code: 'statement_internal_error', message: `unexpected parser failure: ${message}` } };
  }
}

/** Shows a value in a message: quoted, control characters escaped, long values cut. */
export function show(value: string, max = 60): string {
  const cut = value.length > max ? `${value.slice(0, max)}…` : value;
  return JSON.stringify(cut);
}
