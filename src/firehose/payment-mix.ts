/**
 * How people pay, by market. Shares are rounded from central-bank and
 * scheme reports (ECB SPACE 2024, Bundesbank payment-behaviour study, the
 * Fed's Diary of Consumer Payment Choice, BoJ/METI cashless ratio, PBoC
 * payment statistics, NPCI for UPI): good enough to make per-country
 * dashboards look different, not a source of truth.
 */
import { CARD_BRANDS, TENDERS, type CardBrand, type Tender } from '../domain/transaction.js';

/** Weights in the order of `TENDERS`: card, cash, wallet, gift_card, other. */
type TenderWeights = readonly [number, number, number, number, number];
/** Weights in the order of `CARD_BRANDS`: visa, mastercard, amex, discover, jcb, unionpay, other. */
type BrandWeights = readonly [number, number, number, number, number, number, number];

export interface PaymentMix {
  tenders: TenderWeights;
  /** Brands of card payments. */
  cardBrands: BrandWeights;
  /** Brands of wallet payments; `null` when wallets carry no card brand (UPI, M-Pesa). */
  walletBrands: BrandWeights | null;
}

export const PAYMENT_MIXES = {
  /** US: cards dominate, amex and discover have real share. */
  us: { tenders: [0.62, 0.16, 0.17, 0.04, 0.01], cardBrands: [0.52, 0.24, 0.13, 0.1, 0, 0, 0.01], walletBrands: [0.55, 0.25, 0.12, 0.08, 0, 0, 0] },
  /** UK and Ireland: contactless cards, visa debit. */
  uk: { tenders: [0.7, 0.1, 0.17, 0.02, 0.01], cardBrands: [0.7, 0.24, 0.05, 0, 0, 0, 0.01], walletBrands: [0.68, 0.28, 0.04, 0, 0, 0, 0] },
  /** Nordics: almost cashless; local debit schemes show as `other`. */
  nordic: { tenders: [0.72, 0.04, 0.22, 0.015, 0.005], cardBrands: [0.52, 0.4, 0.02, 0, 0, 0, 0.06], walletBrands: [0.55, 0.43, 0.02, 0, 0, 0, 0] },
  /** Germany, Austria: cash-heavy; girocard/Maestro show as `other`. */
  cashEurope: { tenders: [0.4, 0.51, 0.07, 0.015, 0.005], cardBrands: [0.24, 0.3, 0.03, 0, 0, 0, 0.43], walletBrands: [0.5, 0.45, 0.05, 0, 0, 0, 0] },
  /** Rest of the euro area, Switzerland, Poland: cards first, cash second. */
  europe: { tenders: [0.58, 0.27, 0.12, 0.02, 0.01], cardBrands: [0.48, 0.42, 0.04, 0, 0, 0.01, 0.05], walletBrands: [0.55, 0.42, 0.03, 0, 0, 0, 0] },
  /** Japan: cash still first among cards; JCB is the home scheme; wallets are QR and transit IC. */
  japan: { tenders: [0.33, 0.45, 0.19, 0.02, 0.01], cardBrands: [0.34, 0.15, 0.07, 0, 0.39, 0.01, 0.04], walletBrands: [0.05, 0.03, 0, 0, 0.12, 0, 0.8] },
  /** Mainland China: Alipay and WeChat Pay (brand `other`), UnionPay cards. */
  china: { tenders: [0.11, 0.06, 0.81, 0.01, 0.01], cardBrands: [0.06, 0.05, 0.01, 0, 0, 0.88, 0], walletBrands: [0, 0, 0, 0, 0, 0.2, 0.8] },
  /** India, Nepal: UPI and QR wallets without a card brand, RuPay as `other`. */
  southAsia: { tenders: [0.22, 0.36, 0.4, 0.01, 0.01], cardBrands: [0.45, 0.3, 0.02, 0, 0, 0.01, 0.22], walletBrands: null },
  /** Gulf states and Israel, Jordan, Turkey: cards, growing wallets. */
  middleEast: { tenders: [0.62, 0.22, 0.14, 0.015, 0.005], cardBrands: [0.55, 0.36, 0.07, 0, 0, 0.01, 0.01], walletBrands: [0.57, 0.38, 0.05, 0, 0, 0, 0] },
  /** Latin America: cards and cash, Pix/QR wallets rising. */
  latam: { tenders: [0.5, 0.33, 0.14, 0.02, 0.01], cardBrands: [0.5, 0.4, 0.05, 0, 0, 0, 0.05], walletBrands: null },
  /** Africa: cash first; mobile money (M-Pesa) has no card brand. */
  africa: { tenders: [0.24, 0.56, 0.18, 0.01, 0.01], cardBrands: [0.56, 0.4, 0.02, 0, 0, 0, 0.02], walletBrands: null },
  /** Developed Asia-Pacific and Oceania: contactless cards, Apple/Google Pay. */
  asiaPacific: { tenders: [0.58, 0.17, 0.22, 0.02, 0.01], cardBrands: [0.5, 0.35, 0.06, 0, 0.03, 0.04, 0.02], walletBrands: [0.56, 0.36, 0.05, 0, 0.02, 0.01, 0] },
  /** South-East Asia: cash and QR wallets (GrabPay, PromptPay, GCash). */
  southEastAsia: { tenders: [0.3, 0.42, 0.25, 0.02, 0.01], cardBrands: [0.52, 0.38, 0.02, 0, 0.04, 0.03, 0.01], walletBrands: null },
} as const satisfies Record<string, PaymentMix>;

export type PaymentMixName = keyof typeof PAYMENT_MIXES;

/** Tender names in weight order, re-exported for the generator's tables. */
export const TENDER_ORDER: readonly Tender[] = TENDERS;
/** Card brands in weight order. */
export const BRAND_ORDER: readonly CardBrand[] = CARD_BRANDS;
