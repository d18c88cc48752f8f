/**
 * Acquirer fee plans (DOMAIN.md, "Banking and treasury"): basis points of
 * the amount charged plus a fixed fee per sale, per tender and card brand.
 *
 * Fees are assessed per settlement line — one store, business day, tender,
 * card brand and currency — as an acquirer's settlement report lists them:
 * `round_half_even(charged × bps / 10 000) + fixed × sales`, where
 * `charged` = sales − voids (a void cancels its sale before capture, so it
 * is neither charged nor fee-bearing) and `sales` = sale count − void
 * count. Refunds settle at their full amount and give no fee back (what
 * Stripe and Square do today). docs/treasury.md says the same for users.
 */
import { roundHalfEvenDiv } from './money.js';
import type { CardBrand, Tender } from './transaction.js';

/** Tenders an acquirer settles; cash is deposited by the store, gift cards and `other` are not settled. */
export const SETTLED_TENDERS = ['card', 'wallet'] as const satisfies readonly Tender[];
export type SettledTender = (typeof SETTLED_TENDERS)[number];

export function isSettledTender(t: string): t is SettledTender {
  return t === 'card' || t === 'wallet';
}

export interface FeeRule {
  tender: SettledTender;
  /** A brand, or `*` for any brand (and for sales without one). */
  cardBrand: CardBrand | '*';
  /** Applies to sales in this currency only; null for any currency. */
  currency: string | null;
  /** Basis points of the charged amount, at most two decimals (e.g. 14.5 = 0.145 %). */
  bps: number;
  /** Fixed fee per sale, in minor units of the sale's currency. */
  fixedMinor: number;
}

export interface FeePlan {
  id: string;
  rules: FeeRule[];
}

/**
 * The rule of `plan` for a line: the most specific wins (brand over `*`,
 * then currency over any); null when the plan has none.
 * @example ruleFor(plan, 'card', 'visa', 'EUR')
 */
export function ruleFor(plan: FeePlan, tender: SettledTender, brand: CardBrand | null, currency: string): FeeRule | null {
  let best: FeeRule | null = null;
  let bestScore = -1;
  for (const r of plan.rules) {
    if (r.tender !== tender) continue;
    if (r.cardBrand !== '*' && r.cardBrand !== brand) continue;
    if (r.currency !== null && r.currency !== currency) continue;
    const score = (r.cardBrand === '*' ? 0 : 2) + (r.currency === null ? 0 : 1);
    if (score > bestScore) {
      best = r;
      bestScore = score;
    }
  }
  return best;
}

/**
 * The fee of one settlement line, in its currency's minor units.
 * @example lineFee({ bps: 150, fixedMinor: 10, … }, 10_000, 3) // 150 + 30 = 180
 * @example lineFee({ bps: 14.5, fixedMinor: 0, … }, 1_000, 1)   // 1.45 → 1
 */
export function lineFee(rule: Pick<FeeRule, 'bps' | 'fixedMinor'>, chargedMinor: number, sales: number): number {
  // bps to hundredths of a basis point: an integer, so the product stays exact in BigInt.
  const bpsHundredths = BigInt(Math.round(rule.bps * 100));
  const variable = Number(roundHalfEvenDiv(BigInt(chargedMinor) * bpsHundredths, 1_000_000n));
  return variable + rule.fixedMinor * sales;
}

/** Whether `bps` is a fee rate this module computes exactly: 0 ≤ bps ≤ 10 000 with at most two decimals. */
export function isValidBps(bps: number): boolean {
  return Number.isFinite(bps) && bps >= 0 && bps <= 10_000 && Math.round(bps * 100) / 100 === bps;
}
