/**
 * Settlement set-up strings for generated stores: which acquirer settles a
 * store's card sales (by region, as large retailers contract them), its
 * merchant account, the bank account payouts land in, and a fee plan name.
 * The banking part of the product keys on these strings, so stores of one
 * tenant in one country share acquirer and bank account the way a real
 * retailer's do.
 */
import type { Prng } from './prng.js';
import type { Region } from './countries.js';

export const ACQUIRERS_BY_REGION: Readonly<Record<Region, readonly string[]>> = {
  'AMER-North': ['chase-paymentech', 'fiserv', 'global-payments'],
  'AMER-South': ['cielo', 'getnet', 'prisma'],
  'EMEA-North': ['adyen', 'worldline', 'nexi-nets'],
  'EMEA-South': ['worldline', 'nexi', 'redsys'],
  'EMEA-MiddleEast': ['network-international', 'checkout-com'],
  'EMEA-Africa': ['paystack', 'peach-payments', 'network-international'],
  'APAC-North': ['gmo-payment-gateway', 'unionpay-merchant-services', 'kg-inicis'],
  'APAC-South': ['pine-labs', 'adyen', '2c2p'],
  'APAC-Oceania': ['tyro', 'windcave', 'adyen'],
};

export const FEE_PLANS = ['retail-standard', 'retail-volume', 'interchange-plus', 'blended-flat'] as const;

/**
 * ISO 13616 check digits (mod 97-10) for `country` + `bban`, so the
 * account strings pass an IBAN checksum even though the banks are invented.
 * @example ibanCheckDigits('DE', '370400440532013000') // '89'
 */
export function ibanCheckDigits(country: string, bban: string): string {
  const rearranged = bban + country + '00';
  let rem = 0;
  for (let i = 0; i < rearranged.length; i++) {
    const code = rearranged.charCodeAt(i);
    // Letters count as 10..35, digits as themselves (ISO 7064 mod 97-10).
    const v = code >= 65 ? String(code - 55) : rearranged[i]!;
    for (let j = 0; j < v.length; j++) rem = (rem * 10 + (v.charCodeAt(j) - 48)) % 97;
  }
  const check = 98 - rem;
  return check < 10 ? `0${check}` : String(check);
}

/**
 * An IBAN-shaped account: country, check digits, a 4-letter bank code and
 * 14 digits.
 * @example ibanLike(rng, 'FR') // 'FR7612ABCD01234567890123' shape
 */
export function ibanLike(rng: Prng, country: string): string {
  let bank = '';
  for (let i = 0; i < 4; i++) bank += String.fromCharCode(65 + rng.int(26));
  let digits = '';
  for (let i = 0; i < 14; i++) digits += String(rng.int(10));
  const bban = bank + digits;
  return country + ibanCheckDigits(country, bban) + bban;
}

/** The settlement fields of one store. */
export interface SettlementSetup {
  acquirer: string;
  merchant_account: string;
  bank_account: string;
  fee_plan: string;
}

/**
 * Hands out settlement set-ups for one tenant: one acquirer, merchant
 * account and bank account per (tenant, country), so payouts group the way
 * a retailer's treasury sees them.
 * @example
 * const s = new SettlementPlanner(rng, 'acme');
 * s.forCountry('DE', 'EMEA-North').acquirer; // e.g. 'adyen'
 */
export class SettlementPlanner {
  private readonly byCountry = new Map<string, SettlementSetup>();

  constructor(
    private readonly rng: Prng,
    private readonly tenantId: string,
  ) {}

  forCountry(country: string, region: Region): SettlementSetup {
    const known = this.byCountry.get(country);
    if (known !== undefined) return known;
    const acquirer = this.rng.pick(ACQUIRERS_BY_REGION[region]);
    const setup: SettlementSetup = {
      acquirer,
      merchant_account: `${acquirer.toUpperCase().replace(/[^A-Z0-9]/g, '')}-${this.tenantId.toUpperCase()}-${country}-${String(this.rng.between(100000, 999999))}`,
      bank_account: ibanLike(this.rng, country),
      fee_plan: this.rng.pick(FEE_PLANS),
    };
    this.byCountry.set(country, setup);
    return setup;
  }
}

/** Acquirers that pay every sale out in one currency (as Gulf acquirers often settle in US dollars). */
const PAYOUT_CURRENCY: Readonly<Record<string, string>> = { 'checkout-com': 'USD' };

/**
 * The settlement set-up document (docs/treasury.md) for every acquirer and
 * fee plan a generated world names: T+1 to T+3, references made of the
 * merchant account and payout date (unique per bank account, as the
 * acquirers' own are), and fee plans covering card and wallet sales.
 * @example parseSettlementSetup(generatedSettlementSetup()).acquirers.length // 24
 */
export function generatedSettlementSetup(): { acquirers: unknown[]; fee_plans: unknown[]; calendar_overrides: unknown[]; deposit_reference_format: string } {
  const acquirers = [...new Set(Object.values(ACQUIRERS_BY_REGION).flat())].sort();
  return {
    acquirers: acquirers.map((id, i) => ({ id, settlement_lag_days: 1 + (i % 3), payout_currency: PAYOUT_CURRENCY[id] ?? null, reference_format: '{merchant_account}-{payout_date}' })),
    fee_plans: FEE_PLANS.map((id, i) => ({
      id,
      rules: [
        { tender: 'card', card_brand: '*', bps: 120 + 20 * i, fixed_minor: i === 3 ? 0 : 5 + 5 * i },
        { tender: 'card', card_brand: 'amex', bps: 265 + 10 * i, fixed_minor: 10 },
        { tender: 'wallet', card_brand: '*', bps: 95 + 15 * i, fixed_minor: 0 },
      ],
    })),
    calendar_overrides: [],
    deposit_reference_format: 'DEP-{store_id}-{business_day}',
  };
}
