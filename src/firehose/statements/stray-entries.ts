/**
 * Bookings no expected item explains (the `unexpected` break): interest,
 * an account fee, a stray incoming transfer. Their amounts are drawn so
 * that no pass of the matcher can take them for an item: no item of the
 * account and currency has the amount, and neither has any day's (or any
 * day and group's) sum of items, nor of the items left missing.
 */
import { currencyExponent } from '../../domain/currency.js';
import type { Prng } from '../prng.js';
import type { MoneyItem } from './statement-breaks.js';
import type { BookedLine } from './statement-chains.js';

export const STRAY_KINDS = ['interest', 'fee', 'transfer'] as const;
export type StrayKind = (typeof STRAY_KINDS)[number];

/** Ranges at two decimals (scaled to the currency's exponent), and the sign. */
const RANGES: Readonly<Record<StrayKind, { lo: number; hi: number; sign: 1 | -1 }>> = {
  interest: { lo: 1, hi: 5_000, sign: 1 },
  fee: { lo: 500, hi: 5_000, sign: -1 },
  transfer: { lo: 10_000, hi: 2_000_000, sign: 1 },
};

/** Amounts a stray booking in `currency` on an account must not have, given the account's items and those of them left missing. */
export function forbiddenAmounts(currency: string, items: readonly MoneyItem[], missing: readonly MoneyItem[]): Set<number> {
  const out = new Set<number>();
  const sums = (list: readonly MoneyItem[]): void => {
    const byDay = new Map<string, number>();
    for (const it of list) {
      if (it.currency !== currency) continue;
      out.add(it.amountMinor);
      byDay.set(it.expectedDate, (byDay.get(it.expectedDate) ?? 0) + it.amountMinor);
      if (it.group !== null) {
        const k = `${it.expectedDate}\u0000${it.group}`;
        byDay.set(k, (byDay.get(k) ?? 0) + it.amountMinor);
      }
    }
    for (const s of byDay.values()) out.add(s);
  };
  sums(items);
  sums(missing);
  return out;
}

/** A signed amount for a stray booking of `kind` in `currency`, not in `forbidden`. */
export function strayAmount(rng: Prng, kind: StrayKind, currency: string, forbidden: ReadonlySet<number>): number {
  const r = RANGES[kind];
  const exp = currencyExponent(currency) ?? 2;
  const scale = (x: number): number => (exp >= 2 ? x * 10 ** (exp - 2) : Math.max(1, Math.round(x / 10 ** (2 - exp))));
  for (let tries = 0; ; tries++) {
    // Widen the range should a small one be used up (a yen account's interest has only 50 values).
    const amount = r.sign * (scale(rng.between(r.lo, r.hi * (1 + Math.floor(tries / 50)))) + Math.floor(tries / 50));
    if (!forbidden.has(amount)) return amount;
  }
}

/** The text, counterparty and bank transaction code of a stray booking. */
export function strayLine(kind: StrayKind, amountMinor: number): Partial<BookedLine> {
  switch (kind) {
    case 'interest':
      return { amountMinor, reference: null, remittance: 'INTEREST CREDIT', counterparty: null, transactionCode: 'ACMT/MCOP/INTR' };
    case 'fee':
      return { amountMinor, reference: null, remittance: 'ACCOUNT MAINTENANCE FEE', counterparty: null, transactionCode: 'ACMT/MDOP/CHRG' };
    case 'transfer':
      return { amountMinor, reference: null, remittance: 'INCOMING TRANSFER', counterparty: 'UNKNOWN REMITTER', transactionCode: 'PMNT/RCDT/ESCT' };
  }
}
