/**
 * The treasury benchmark's sales: a generated world's stores (one tenant),
 * their settlement set-up (every acquirer the generator hands out, lags of
 * one to three business days, a fee plan per store), and a year of
 * business-day rollups straight into a serving store: per store and day,
 * card (two or three brands), wallet and cash lines with sales counts and
 * a few refunds. One quarter hour (local noon) per line is enough: treasury
 * reads business-day rows only, so the quarter-hour shape of the day does
 * not change what it computes, and it keeps a year of 5,000 stores to a few
 * seconds of generation.
 */
import { currencyExponent } from '../src/domain/currency.js';
import { SUM, SUM_COUNT } from '../src/domain/metrics.js';
import { DAY_MS, QUARTER_MS } from '../src/domain/time-buckets.js';
import { ACQUIRERS_BY_REGION, FEE_PLANS } from '../src/firehose/settlement.js';
import { Prng } from '../src/firehose/prng.js';
import { generateWorld, type World } from '../src/firehose/world.js';
import { DEFAULT_USD_PER_UNIT } from '../src/domain/fx-defaults.js';
import { ColumnarServingStore } from '../src/serving/columnar-serving-store.js';
import { dimsOf } from '../src/serving/tenant-rollups.js';
import { parseSettlementSetup, type SettlementSetup } from '../src/treasury/settlement-setup.js';

export interface TreasuryWorld {
  world: World;
  tenant: string;
  serving: ColumnarServingStore;
  setup: SettlementSetup;
  /** Business-day lines staged. */
  lines: number;
  genS: number;
}

/** Every acquirer the generator uses, with lags 1–3; fee plans with card and wallet rules. */
export function benchSetup(): SettlementSetup {
  const acquirers = [...new Set(Object.values(ACQUIRERS_BY_REGION).flat())].sort();
  return parseSettlementSetup({
    acquirers: acquirers.map((id, i) => ({ id, settlement_lag_days: 1 + (i % 3), payout_currency: null, reference_format: `${id.toUpperCase()}-{merchant_account}-{payout_date}` })),
    fee_plans: FEE_PLANS.map((id, i) => ({
      id,
      rules: [
        { tender: 'card', card_brand: '*', bps: 140 + i * 10, fixed_minor: i },
        { tender: 'card', card_brand: 'amex', bps: 289.5, fixed_minor: 5 },
        { tender: 'wallet', card_brand: '*', bps: 99.25, fixed_minor: 0 },
      ],
    })),
    deposit_reference_format: 'DEP-{store_id}-{business_day}',
  });
}

const CARD_BRANDS = ['visa', 'mastercard', 'amex'] as const;

/**
 * `stores` stores with `days` business days of lines from `firstDay` (days
 * since 1970-01-01), staged into a fresh serving store in `dir`.
 */
export async function buildTreasuryWorld(dir: string, stores: number, firstDay: number, days: number, seed = 1): Promise<TreasuryWorld> {
  const t0 = performance.now();
  const world = generateWorld({ seed, tenants: 1, stores });
  const tw = world.tenants[0]!;
  const tenant = tw.tenant.tenant_id;
  const serving = await ColumnarServingStore.open(dir);
  serving.setTenant(tenant, { reportingCurrency: tw.tenant.reporting_currency, cutoffMinutes: 0 });
  const t = serving.rollups(tenant);
  const rng = new Prng(seed, 17);
  const rep = new Float64Array(SUM_COUNT);
  const orig = new Float64Array(SUM_COUNT);
  const reporting = tw.tenant.reporting_currency;
  const sites = tw.stores.map((st, k) => {
    const usd = Number(DEFAULT_USD_PER_UNIT[st.currency] ?? '1');
    const exp = currencyExponent(st.currency) ?? 2;
    return {
      s: t.upsertStore(st),
      // Cross rate as a float: the reporting sums are not what treasury reads.
      rate: (usd / Number(DEFAULT_USD_PER_UNIT[reporting] ?? '1')) * 10 ** ((currencyExponent(reporting) ?? 2) - exp),
      basket: Math.round((25 / usd) * 10 ** exp) || 1,
      size: 0.5 + (tw.sites[k]?.size ?? 1),
      dims: {
        cash: dimsOf('cash', null, st.currency),
        wallet: dimsOf('wallet', null, st.currency),
        cards: CARD_BRANDS.map((b) => dimsOf('card', b, st.currency)),
      },
    };
  });
  let lines = 0;
  const stage = (site: (typeof sites)[number], quarter: number, dims: number, sales: number, refund: boolean): void => {
    rep.fill(0);
    orig.fill(0);
    const amount = Math.round(sales * site.basket * (0.6 + rng.float() * 0.8));
    orig[SUM.gross] = amount;
    orig[SUM.taxSale] = Math.round(amount * 0.15);
    orig[SUM.refunds] = refund ? Math.round(site.basket * (0.3 + rng.float())) : 0;
    for (let i = 0; i < 7; i++) rep[i] = Math.round(orig[i]! * site.rate);
    rep[SUM.saleCount] = sales;
    rep[SUM.refundCount] = refund ? 1 : 0;
    t.stage(site.s, quarter, dims, rep, orig);
    lines++;
  };
  for (let d = firstDay; d < firstDay + days; d++) {
    const weekday = (((d + 3) % 7) + 7) % 7; // 0 = Monday
    for (const site of sites) {
      // Local noon of day d, as a UTC quarter hour: the line's business day is d.
      const noon = d * DAY_MS + DAY_MS / 2;
      const quarter = Math.floor((2 * noon - site.s.zone.toLocal(noon)) / QUARTER_MS);
      const dayFactor = site.size * (weekday === 6 ? 0.6 : weekday === 5 ? 1.3 : 1);
      const sales = (share: number): number => Math.max(1, Math.round(dayFactor * share * (0.7 + rng.float() * 0.6)));
      stage(site, quarter, site.dims.cash, sales(60), rng.u32() % 8 === 0);
      stage(site, quarter, site.dims.wallet, sales(30), rng.u32() % 20 === 0);
      for (const [k, dims] of site.dims.cards.entries()) {
        if (k === 2 && rng.u32() % 3 === 0) continue; // amex: not every day
        stage(site, quarter, dims, sales(k === 0 ? 90 : k === 1 ? 60 : 10), rng.u32() % 10 === 0);
      }
    }
    t.flush();
  }
  return { world, tenant, serving, setup: benchSetup(), lines, genS: (performance.now() - t0) / 1000 };
}
