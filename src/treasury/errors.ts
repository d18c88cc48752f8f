/**
 * The treasury part's one error class: a stable `code` for every expected
 * failure (bad set-up, bad statement file, unknown payout), with the
 * problems found in `details` when there are several.
 */
export const TREASURY_ERROR_CODES = ['setup_invalid', 'statement_invalid', 'not_found', 'treasury_store_corrupt', 'invalid_query'] as const;
export type TreasuryErrorCode = (typeof TREASURY_ERROR_CODES)[number];

export class TreasuryError extends Error {
  override readonly name = 'TreasuryError';
  constructor(
    readonly code: TreasuryErrorCode,
    message: string,
    readonly details: readonly unknown[] = [],
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
