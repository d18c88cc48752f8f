/**
 * A tenant's settlement set-up file: its acquirers (settlement lag, payout
 * currency, payout reference format), its fee plans and its corrections to
 * the banking calendar. JSON in, validated set-up or every problem out;
 * each problem names the field (a JSON path) and the value.
 *
 * @example
 * {
 *   "acquirers": [{ "id": "adyen", "settlement_lag_days": 2, "payout_currency": null, "reference_format": "ADYEN-{merchant_account}-{payout_date}" }],
 *   "fee_plans": [{ "id": "retail-standard", "rules": [{ "tender": "card", "card_brand": "*", "bps": 140, "fixed_minor": 10 }] }],
 *   "calendar_overrides": [{ "country": "DE", "date": "2026-12-24", "business_day": false, "name": "Heiligabend" }],
 *   "deposit_reference_format": "DEP-{store_id}-{business_day}"
 * }
 */
import { BusinessCalendar, type CalendarOverride } from '../domain/business-calendar.js';
import { isCountry } from '../domain/country.js';
import { isCurrency } from '../domain/currency.js';
import { isValidBps, SETTLED_TENDERS, type FeePlan, type FeeRule } from '../domain/fees.js';
import { parseUtcDay } from '../domain/fx.js';
import { REFERENCE_TOKENS, type AcquirerSetup } from '../domain/settlement.js';
import { CARD_BRANDS, type CardBrand } from '../domain/transaction.js';
import { TreasuryError } from './errors.js';

export interface SettlementSetup {
  acquirers: AcquirerSetup[];
  feePlans: FeePlan[];
  calendarOverrides: CalendarOverride[];
  depositReferenceFormat: string;
}

export const DEFAULT_PAYOUT_REFERENCE = '{acquirer}-{merchant_account}-{payout_date}';
export const DEFAULT_DEPOSIT_REFERENCE = 'DEP-{store_id}-{business_day}';
/** The longest settlement lag accepted (business days). */
export const MAX_LAG_DAYS = 30;

export const EMPTY_SETUP: SettlementSetup = { acquirers: [], feePlans: [], calendarOverrides: [], depositReferenceFormat: DEFAULT_DEPOSIT_REFERENCE };

export interface SetupProblem {
  /** JSON path of the field, e.g. `acquirers[1].settlement_lag_days`. */
  field: string;
  message: string;
}

type Raw = Record<string, unknown>;
const isObject = (x: unknown): x is Raw => typeof x === 'object' && x !== null && !Array.isArray(x);
const show = (x: unknown): string => (typeof x === 'string' ? `'${x.length > 64 ? `${x.slice(0, 64)}…` : x}'` : x === undefined ? 'nothing' : (JSON.stringify(x) ?? String(x)).slice(0, 64));

/**
 * Validates a set-up document. Throws TreasuryError `setup_invalid` listing
 * every problem (and carrying them in `details`).
 */
export function parseSettlementSetup(doc: unknown): SettlementSetup {
  const problems: SetupProblem[] = [];
  const bad = (field: string, message: string): void => {
    problems.push({ field, message: `${field}: ${message}` });
  };
  if (!isObject(doc)) throw new TreasuryError('setup_invalid', 'the settlement set-up must be a JSON object with acquirers, fee_plans and optionally calendar_overrides, deposit_reference_format');
  const known = ['acquirers', 'fee_plans', 'calendar_overrides', 'deposit_reference_format'];
  for (const k of Object.keys(doc)) if (!known.includes(k)) bad(k, `unknown field (fields: ${known.join(', ')})`);

  const list = (name: string): unknown[] => {
    const v = doc[name];
    if (v === undefined) return [];
    if (!Array.isArray(v)) {
      bad(name, `must be an array, got ${show(v)}`);
      return [];
    }
    return v;
  };
  const fields = (path: string, o: Raw, allowed: readonly string[]): void => {
    for (const k of Object.keys(o)) if (!allowed.includes(k)) bad(`${path}.${k}`, `unknown field (fields: ${allowed.join(', ')})`);
  };
  const id = (path: string, v: unknown): string => {
    if (typeof v !== 'string' || v.length === 0 || v.length > 64 || v.trim() !== v) {
      bad(path, `must be a non-empty string of at most 64 characters without surrounding spaces, got ${show(v)}`);
      return '';
    }
    return v;
  };
  const template = (path: string, v: unknown, fallback: string, tokens: readonly string[]): string => {
    if (v === undefined) return fallback;
    if (typeof v !== 'string' || v.length === 0 || v.length > 140) {
      bad(path, `must be a non-empty string of at most 140 characters, got ${show(v)}`);
      return fallback;
    }
    for (let i = v.indexOf('{'); i >= 0; i = v.indexOf('{', i + 1)) {
      const close = v.indexOf('}', i);
      const name = close < 0 ? v.slice(i + 1) : v.slice(i + 1, close);
      if (close < 0 || !tokens.includes(name)) bad(path, `unknown placeholder {${name}} in ${show(v)} (placeholders: ${tokens.map((t) => `{${t}}`).join(', ')})`);
    }
    return v;
  };

  const acquirers: AcquirerSetup[] = [];
  const acquirerIds = new Set<string>();
  list('acquirers').forEach((a, i) => {
    const p = `acquirers[${String(i)}]`;
    if (!isObject(a)) return bad(p, `must be an object, got ${show(a)}`);
    fields(p, a, ['id', 'settlement_lag_days', 'payout_currency', 'reference_format']);
    const acquirerId = id(`${p}.id`, a['id']);
    if (acquirerIds.has(acquirerId)) bad(`${p}.id`, `acquirer ${show(acquirerId)} is defined twice`);
    acquirerIds.add(acquirerId);
    const lag = a['settlement_lag_days'];
    if (typeof lag !== 'number' || !Number.isInteger(lag) || lag < 0 || lag > MAX_LAG_DAYS) bad(`${p}.settlement_lag_days`, `must be an integer number of business days from 0 to ${String(MAX_LAG_DAYS)}, got ${show(lag)}`);
    const cur = a['payout_currency'] ?? null;
    if (cur !== null && (typeof cur !== 'string' || !isCurrency(cur))) bad(`${p}.payout_currency`, `must be an ISO 4217 code or null (pay each sale's currency), got ${show(cur)}`);
    acquirers.push({ id: acquirerId, lagDays: typeof lag === 'number' ? lag : 0, payoutCurrency: typeof cur === 'string' ? cur : null, referenceFormat: template(`${p}.reference_format`, a['reference_format'], DEFAULT_PAYOUT_REFERENCE, REFERENCE_TOKENS.filter((t) => t !== 'store_id' && t !== 'business_day')) });
  });

  const feePlans: FeePlan[] = [];
  const planIds = new Set<string>();
  list('fee_plans').forEach((f, i) => {
    const p = `fee_plans[${String(i)}]`;
    if (!isObject(f)) return bad(p, `must be an object, got ${show(f)}`);
    fields(p, f, ['id', 'rules']);
    const planId = id(`${p}.id`, f['id']);
    if (planIds.has(planId)) bad(`${p}.id`, `fee plan ${show(planId)} is defined twice`);
    planIds.add(planId);
    const rules: FeeRule[] = [];
    const raw = f['rules'];
    if (!Array.isArray(raw) || raw.length === 0) bad(`${p}.rules`, `must be a non-empty array of fee rules, got ${show(raw)}`);
    const seen = new Set<string>();
    (Array.isArray(raw) ? raw : []).forEach((r: unknown, j) => {
      const rp = `${p}.rules[${String(j)}]`;
      if (!isObject(r)) return bad(rp, `must be an object, got ${show(r)}`);
      fields(rp, r, ['tender', 'card_brand', 'currency', 'bps', 'fixed_minor']);
      const tender = r['tender'];
      if (tender !== 'card' && tender !== 'wallet') bad(`${rp}.tender`, `must be one of ${SETTLED_TENDERS.join(', ')} (cash is deposited, not settled), got ${show(tender)}`);
      const brand = r['card_brand'] ?? '*';
      if (brand !== '*' && !(CARD_BRANDS as readonly unknown[]).includes(brand)) bad(`${rp}.card_brand`, `must be * or one of ${CARD_BRANDS.join(', ')}, got ${show(brand)}`);
      const currency = r['currency'] ?? null;
      if (currency !== null && (typeof currency !== 'string' || !isCurrency(currency))) bad(`${rp}.currency`, `must be an ISO 4217 code or left out, got ${show(currency)}`);
      const bps = r['bps'];
      if (typeof bps !== 'number' || !isValidBps(bps)) bad(`${rp}.bps`, `must be basis points from 0 to 10000 with at most two decimals, got ${show(bps)}`);
      const fixed = r['fixed_minor'] ?? 0;
      if (typeof fixed !== 'number' || !Number.isSafeInteger(fixed) || fixed < 0) bad(`${rp}.fixed_minor`, `must be a whole number of minor units ≥ 0, got ${show(fixed)}`);
      const key = `${String(tender)}/${String(brand)}/${String(currency)}`;
      if (seen.has(key)) bad(rp, `a second rule for tender ${show(tender)}, card_brand ${show(brand)}, currency ${show(currency)}`);
      seen.add(key);
      rules.push({ tender: tender === 'wallet' ? 'wallet' : 'card', cardBrand: brand as CardBrand | '*', currency: typeof currency === 'string' ? currency : null, bps: typeof bps === 'number' ? bps : 0, fixedMinor: typeof fixed === 'number' ? fixed : 0 });
    });
    feePlans.push({ id: planId, rules });
  });

  const calendarOverrides: CalendarOverride[] = [];
  const overrideKeys = new Set<string>();
  list('calendar_overrides').forEach((o, i) => {
    const p = `calendar_overrides[${String(i)}]`;
    if (!isObject(o)) return bad(p, `must be an object, got ${show(o)}`);
    fields(p, o, ['country', 'date', 'business_day', 'name']);
    const country = o['country'];
    if (typeof country !== 'string' || !isCountry(country)) bad(`${p}.country`, `must be an ISO 3166-1 alpha-2 code in upper case, got ${show(country)}`);
    const date = o['date'];
    if (typeof date !== 'string' || parseUtcDay(date) === null) bad(`${p}.date`, `must be a date YYYY-MM-DD, got ${show(date)}`);
    const open = o['business_day'];
    if (typeof open !== 'boolean') bad(`${p}.business_day`, `must be true (banks open) or false (closed), got ${show(open)}`);
    const name = o['name'];
    if (name !== undefined && typeof name !== 'string') bad(`${p}.name`, `must be a string, got ${show(name)}`);
    const key = `${String(country)}/${String(date)}`;
    if (overrideKeys.has(key)) bad(p, `a second override for ${String(country)} on ${String(date)}`);
    overrideKeys.add(key);
    const override: CalendarOverride = { country: String(country), date: String(date), businessDay: open === true };
    if (typeof name === 'string') override.name = name;
    calendarOverrides.push(override);
  });

  const depositReferenceFormat = template('deposit_reference_format', doc['deposit_reference_format'], DEFAULT_DEPOSIT_REFERENCE, ['store_id', 'business_day', 'currency', 'bank_account']);
  if (problems.length > 0) {
    const shown = problems.slice(0, 20).map((x) => x.message);
    throw new TreasuryError('setup_invalid', `settlement set-up has ${String(problems.length)} problem(s): ${shown.join('; ')}${problems.length > 20 ? `; and ${String(problems.length - 20)} more` : ''}`, problems);
  }
  return { acquirers, feePlans, calendarOverrides, depositReferenceFormat };
}

/** The set-up as its JSON document (what parseSettlementSetup reads). */
export function settlementSetupJson(s: SettlementSetup): Raw {
  return {
    acquirers: s.acquirers.map((a) => ({ id: a.id, settlement_lag_days: a.lagDays, payout_currency: a.payoutCurrency, reference_format: a.referenceFormat })),
    fee_plans: s.feePlans.map((p) => ({ id: p.id, rules: p.rules.map((r) => ({ tender: r.tender, card_brand: r.cardBrand, ...(r.currency === null ? {} : { currency: r.currency }), bps: r.bps, fixed_minor: r.fixedMinor })) })),
    calendar_overrides: s.calendarOverrides.map((o) => ({ country: o.country, date: o.date, business_day: o.businessDay, ...(o.name === undefined ? {} : { name: o.name }) })),
    deposit_reference_format: s.depositReferenceFormat,
  };
}

/** The calendar a set-up describes. */
export function calendarOf(s: SettlementSetup): BusinessCalendar {
  return new BusinessCalendar(s.calendarOverrides);
}
