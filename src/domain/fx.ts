/**
 * FX rates of one tenant and the conversion rule of DOMAIN.md ("Money"):
 * a transaction is converted once, at the rate of its UTC date (the latest
 * rate on or before that date), rounded half to even to the reporting
 * currency's minor unit. Rates are exact decimals; cross rates exact ratios.
 */
import { currencyExponent, isCurrency } from './currency.js';
import { DEFAULT_FX_DATE, DEFAULT_USD_PER_UNIT } from './fx-defaults.js';
import { DecimalSyntaxError, convertMinorByRatio, parseDecimal, type Ratio } from './money.js';

/** One uploaded rate: on `date` (YYYY-MM-DD, UTC) one unit of `currency` is worth `rate` units of the reporting currency. */
export interface FxRateRow {
  date: string;
  currency: string;
  rate: string;
}

/** A rate table that cannot be used: names the row, the field and the value. */
export class FxTableError extends Error {
  override readonly name = 'FxTableError';
  readonly code = 'fx_invalid';
}

export type FxConversion = { ok: true; amount: number } | { ok: false; code: 'fx_rate_missing'; message: string };

const DAY_MS = 86_400_000;
const ONE: Ratio = { num: 1n, den: 1n };
const DATE_SHAPE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Days since 1970-01-01 of a YYYY-MM-DD date, or null when it is not a real date. */
export function parseUtcDay(date: string): number | null {
  const m = DATE_SHAPE.exec(date);
  if (m === null) return null;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const ms = Date.UTC(y, mo - 1, d);
  const back = new Date(ms);
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d) return null;
  return ms / DAY_MS;
}

interface Series {
  /** Sorted ascending, no repeats. */
  days: number[];
  rates: Ratio[];
}

/**
 * @example
 * const fx = FxTable.fromRows('EUR', [{ date: '2026-01-01', currency: 'USD', rate: '0.92' }]);
 * fx.convert(1000, 'USD', Date.UTC(2026, 0, 5)) // { ok: true, amount: 920 }
 */
export class FxTable {
  private readonly reportingExponent: number;

  private constructor(
    readonly reporting: string,
    private readonly series: ReadonlyMap<string, Series>,
    private readonly fallback: FxTable | null,
  ) {
    this.reportingExponent = currencyExponent(reporting)!;
  }

  /**
   * A table from uploaded rows. `fallback` answers for a currency and date
   * the rows do not cover (usually {@link FxTable.defaults}).
   * Throws FxTableError for an unknown currency, a date that does not exist,
   * a rate that is not a positive decimal, or two rates for one currency and date.
   */
  static fromRows(reporting: string, rows: readonly FxRateRow[], fallback: FxTable | null = null): FxTable {
    if (!isCurrency(reporting)) throw new FxTableError(`reporting currency '${reporting}' is not an ISO 4217 code`);
    const byCurrency = new Map<string, { day: number; rate: Ratio }[]>();
    rows.forEach((row, i) => {
      const where = `FX row ${String(i + 1)}`;
      if (!isCurrency(row.currency)) throw new FxTableError(`${where}: currency '${String(row.currency)}' is not an ISO 4217 code`);
      const day = parseUtcDay(row.date);
      if (day === null) throw new FxTableError(`${where}: date '${String(row.date)}' is not a date in the form YYYY-MM-DD`);
      let units: bigint;
      let scale: number;
      try {
        ({ units, scale } = parseDecimal(String(row.rate)));
      } catch (err) {
        if (err instanceof DecimalSyntaxError) throw new FxTableError(`${where}: rate '${String(row.rate)}' is not a decimal number`);
        throw err;
      }
      if (units <= 0n) throw new FxTableError(`${where}: rate '${String(row.rate)}' must be greater than 0`);
      if (row.currency === reporting && units !== 10n ** BigInt(scale)) {
        throw new FxTableError(`${where}: the reporting currency ${reporting} converts to itself at 1, not ${String(row.rate)}`);
      }
      let list = byCurrency.get(row.currency);
      if (list === undefined) byCurrency.set(row.currency, (list = []));
      list.push({ day, rate: { num: units, den: 10n ** BigInt(scale) } });
    });
    const series = new Map<string, Series>();
    for (const [currency, list] of byCurrency) {
      list.sort((a, b) => a.day - b.day);
      for (let i = 1; i < list.length; i++) {
        if (list[i]!.day === list[i - 1]!.day) {
          throw new FxTableError(`two FX rates for ${currency} on ${new Date(list[i]!.day * DAY_MS).toISOString().slice(0, 10)}`);
        }
      }
      series.set(currency, { days: list.map((x) => x.day), rates: list.map((x) => x.rate) });
    }
    return new FxTable(reporting, series, fallback);
  }

  /** The shipped default table (fx-defaults.ts) seen from `reporting`: cross rates through USD, exact. */
  static defaults(reporting: string): FxTable {
    const to = DEFAULT_USD_PER_UNIT[reporting];
    if (to === undefined) throw new FxTableError(`the default FX table has no rate for reporting currency '${reporting}'`);
    const usdPerReporting = parseDecimal(to);
    const day = parseUtcDay(DEFAULT_FX_DATE)!;
    const series = new Map<string, Series>();
    for (const [currency, usd] of Object.entries(DEFAULT_USD_PER_UNIT)) {
      const from = parseDecimal(usd);
      // usd(X) / usd(R) = (fu / 10^fs) / (ru / 10^rs) = fu·10^rs / (ru·10^fs)
      const rate = currency === reporting ? ONE : { num: from.units * 10n ** BigInt(usdPerReporting.scale), den: usdPerReporting.units * 10n ** BigInt(from.scale) };
      series.set(currency, { days: [day], rates: [rate] });
    }
    return new FxTable(reporting, series, null);
  }

  /** The rate of `currency` on UTC day `day` (days since 1970-01-01), or null when none is on or before it. */
  rateOn(currency: string, day: number): Ratio | null {
    if (currency === this.reporting) return ONE;
    const s = this.series.get(currency);
    if (s !== undefined && s.days[0]! <= day) {
      // Last index with days[i] ≤ day.
      let lo = 0;
      let hi = s.days.length - 1;
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if (s.days[mid]! <= day) lo = mid;
        else hi = mid - 1;
      }
      return s.rates[lo]!;
    }
    return this.fallback === null ? null : this.fallback.rateOn(currency, day);
  }

  /**
   * Converts a transaction's amount into the reporting currency at the rate
   * of its UTC date. `tsMs` is the event time.
   */
  convert(amountMinor: number, currency: string, tsMs: number): FxConversion {
    const day = Math.floor(tsMs / DAY_MS);
    const rate = this.rateOn(currency, day);
    const exponent = currencyExponent(currency);
    if (rate === null || exponent === undefined) {
      return {
        ok: false,
        code: 'fx_rate_missing',
        message: `no FX rate from ${currency} to ${this.reporting} on or before ${new Date(day * DAY_MS).toISOString().slice(0, 10)}`,
      };
    }
    return { ok: true, amount: convertMinorByRatio(amountMinor, exponent, this.reportingExponent, rate) };
  }
}
