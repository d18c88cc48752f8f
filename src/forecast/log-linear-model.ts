/**
 * The product's daily model: a log-linear regression of sales on weekday,
 * trend, yearly cycle and public holidays, plus a damped local level fitted
 * to what the regression leaves (exponential smoothing of the residuals).
 * The regression carries the calendar; the level follows a store that has
 * been running hot or cold for a few weeks, and decays back to the
 * calendar over the horizon.
 *
 * Why this and not MSTL/ETS: docs/forecasting.md has the backtests. In
 * short: holidays and closed days are regressors here, not noise, and one
 * fit is a single pass over the days plus a 19×19 solve (~0.3 ms).
 *
 * Only days the store trades (sales > 0 on a day the profile expects it
 * open) are fitted; closed weekdays, closed holidays and zero days are
 * left to the profile.
 */
import { YEAR_DAYS, designColumns, dot, fillRow, type DesignSpec } from './design.js';
import { NormalEquations } from './linear-solve.js';
import { expectsTrading, profileSeries, traded, type SeriesProfile } from './series-profile.js';
import type { ForecastFlag } from './series.js';

export interface LogLinearOptions {
  /**
   * Yearly Fourier harmonics when a year of history is there. Default 8:
   * with 4, one store's forecast is as good (its noise hides the detail),
   * but the sharp December peak and January dip that 4 smooth away are the
   * same in every store, so the totals above them miss it together
   * (docs/forecasting.md has the figures).
   */
  yearly?: number;
  /** Whether to fit public-holiday effects. Default true. */
  holidays?: boolean;
  /** Whether to fit a trend (only with a year of history; shrunk under ~16 months). Default true. */
  trend?: boolean;
  /** Older days weigh less: weight halves every this many days. Default 365. */
  halfLifeDays?: number;
  /** Days of history used at most. Default 1100 (three years). */
  maxHistoryDays?: number;
  /** Whether to fit the local level on the residuals. Default true. */
  level?: boolean;
}

/** A fitted series' forecast on the log scale, before intervals. */
export interface LogForecast {
  /** log(sales) location per future day; only meaningful where `trading` is 1. */
  mu: Float64Array;
  trading: Uint8Array;
  /** Chance of trading on a normally open day (below 1 for zero-heavy stores). */
  openChance: number;
  /** Scale of one-step errors on the log scale (inflated for short histories). */
  sigma: number;
  /**
   * Per step, the factor on σ of the bounds: 1, or more on days in a part
   * of the year the history has not seen (the yearly curve is a guess there).
   */
  widen: Float64Array;
  /** σ before the short-history widening: what the point's mean correction uses. */
  pointSigma: number;
  flags: ForecastFlag[];
}

/** Days of trading below which a history is short (weekday pattern only). */
export const SHORT_HISTORY_DAYS = 56;
const YEAR = 365;
/** Residuals this many robust SDs away from their local median are clipped. */
const OUTLIER_SDS = 4;
/** Clipped days in this many last days of history raise `outliers_clipped`. */
const RECENT_OUTLIER_DAYS = 91;
const ALPHAS = [0.03, 0.08, 0.15, 0.3] as const;
const PHIS = [0.9, 0.97, 0.995] as const;

let scratch = new Float64Array(0);

/** Below this many years of history, no yearly cycle at all. */
const MIN_YEARLY_YEARS = 0.7;
/** Below this many years, fewer yearly harmonics (shrunk) and a shrunk trend. */
const FULL_YEARLY_YEARS = 1.3;
const SHORT_YEARLY_HARMONICS = 4;
/**
 * Ridge penalty per harmonic k of a short history, as a share of the total
 * weight of the fitted days, times k: higher harmonics are shrunk harder.
 */
const SHORT_YEARLY_PENALTY = 0.005;
/**
 * From a year of history a trend is fitted; below FULL_YEARLY_YEARS it is
 * shrunk by this share of the total weight. With one cycle and a bit, a
 * free line and the yearly curve explain the same rise and the line runs
 * on through the horizon (1.5× seasonal naive's MASE at 460 days); without
 * any, a year of growth is missed (docs/forecasting.md has the figures).
 */
const SHORT_TREND_PENALTY = 0.1;

/**
 * Yearly harmonics and their ridge penalty for `years` of history: none
 * below ~8 months, 4 shrunk ones below ~16 months (one year cannot tell 8
 * harmonics from noise and a level shift), all of them after.
 */
function yearlyTerms(years: number, most: number): { harmonics: number; penalty: number } {
  if (years < MIN_YEARLY_YEARS) return { harmonics: 0, penalty: 0 };
  if (years < FULL_YEARLY_YEARS) return { harmonics: Math.min(most, SHORT_YEARLY_HARMONICS), penalty: SHORT_YEARLY_PENALTY };
  return { harmonics: most, penalty: 0 };
}

/**
 * Fits `values` (days `first … first + n − 1`) and forecasts `horizon` days
 * from `first + n`. `holidays` holds the holiday flags of days
 * `first … first + n + horizon − 1`.
 * @example
 * const f = fitLogLinear(values, first, holidayDays.flags('DE', first, values.length + 56), 56);
 * Math.exp(f.mu[0]!) // the median forecast of the first day
 */
export function fitLogLinear(values: ArrayLike<number>, first: number, holidays: Uint8Array, horizon: number, o: LogLinearOptions = {}): LogForecast {
  const n = values.length;
  const prof = profileSeries(values, first, holidays.subarray(0, n));
  const mu = new Float64Array(horizon);
  const trading = new Uint8Array(horizon);
  const flags = prof.flags;
  if (prof.start === -1 || prof.stopped) return { mu, trading, openChance: 0, sigma: 0, widen: new Float64Array(horizon).fill(1), pointSigma: 0, flags };
  const from = Math.max(prof.start, n - (o.maxHistoryDays ?? 1100));
  const years = Math.min(prof.tradingDays, n - from) / YEAR;
  const yearly = yearlyTerms(years, o.yearly ?? 8);
  if (prof.tradingDays < SHORT_HISTORY_DAYS) flags.push('short_history');
  if (prof.tradingDays < YEAR) flags.push('no_yearly_cycle');
  const spec: DesignSpec = { trend: years >= 1 && (o.trend ?? true), yearly: yearly.harmonics, holidays: o.holidays ?? true };
  const p = designColumns(spec);
  const m = n - from;
  if (scratch.length < (m + 1) * (p + 3)) scratch = new Float64Array((m + 1) * (p + 3) * 2);
  // Layout of the scratch buffer: m rows of p regressors, then z, weight, residual.
  const rows = scratch.subarray(0, m * p);
  const z = scratch.subarray(m * p, m * p + m);
  const w = scratch.subarray(m * p + m, m * p + 2 * m);
  const r = scratch.subarray(m * p + 2 * m, m * p + 3 * m);
  const halfLife = o.halfLifeDays ?? YEAR;
  const trendOrigin = first + n;
  let obs = 0;
  // Weights 0.5^((n − 1 − d) / halfLife) by recurrence from the oldest day: one pow per series, not per day.
  const step = Math.pow(0.5, -1 / halfLife);
  let weight = Math.pow(0.5, (n - 1 - from) / halfLife);
  for (let i = 0; i < m; i++, weight *= step) {
    const d = from + i;
    const v = values[d]!;
    const row = rows.subarray(i * p, i * p + p);
    fillRow(row, spec, first + d, holidays[d]!, trendOrigin);
    if (traded(v) && expectsTrading(prof, first + d, holidays[d]!)) {
      z[i] = Math.log(v);
      w[i] = weight;
      obs++;
    } else {
      z[i] = 0;
      w[i] = 0;
    }
  }
  const lambda = obs < 28 ? 2 : 0.1;
  const penalty = new Float64Array(p);
  // The trend follows the weekday columns, then the Fourier pairs; pair k is shrunk by k × penalty × Σw.
  if (yearly.penalty > 0) {
    let wsum = 0;
    for (let i = 0; i < m; i++) wsum += w[i]!;
    if (spec.trend) penalty[7] = SHORT_TREND_PENALTY * wsum;
    const at = spec.trend ? 8 : 7;
    for (let j = 0; j < 2 * spec.yearly; j++) penalty[at + j] = yearly.penalty * wsum * ((j >> 1) + 1);
  }
  const ne = new NormalEquations(p);
  const beta = new Float64Array(p);
  const solveAll = (): void => {
    ne.reset();
    for (let i = 0; i < m; i++) if (w[i]! > 0) ne.add(rows.subarray(i * p, i * p + p), z[i]!, w[i]!);
    ne.solve(lambda, beta, penalty);
  };
  solveAll();
  for (let i = 0; i < m; i++) r[i] = w[i]! > 0 ? z[i]! - dot(rows.subarray(i * p, i * p + p), beta, p) : NaN;
  const clipped = obs >= 28 ? clipOutliers(r, z, w) : [];
  if (clipped.length > 0) {
    // Flagged when a clipped day is recent: an outlier two years back does
    // not make next month less certain; one last month may.
    if (clipped[clipped.length - 1]! >= m - RECENT_OUTLIER_DAYS) flags.push('outliers_clipped');
    // Clipping moves a few z only: X'WX stays, X'Wz changes by w·x·Δz for those rows.
    for (const i of clipped) {
      const row = rows.subarray(i * p, i * p + p);
      const dz = (shift[i] ?? 0) * w[i]!;
      for (let j = 0; j < p; j++) ne.xtz[j]! -= dz * row[j]!;
    }
    ne.solve(lambda, beta, penalty);
    for (let i = 0; i < m; i++) r[i] = w[i]! > 0 ? z[i]! - dot(rows.subarray(i * p, i * p + p), beta, p) : NaN;
  }
  const lv = o.level ?? true ? fitLevel(r, m) : { level: 0, phi: 0, sigma: rms(r, m) };
  let sigma = Math.max(lv.sigma, 0.02);
  // A short history knows its own noise badly: widen, so that a new store's
  // intervals are honest rather than as narrow as an old store's.
  if (obs < SHORT_HISTORY_DAYS) sigma = Math.max(sigma, 0.12) * (1 + 14 / Math.max(obs, 1));
  // Under a year of history the first forecast days lie in a part of the
  // year never seen: the fitted curve there only joins the end of the
  // history to its start (and misses a December peak it never saw). Those
  // days keep the season where the history ends, and their bounds add the
  // spread of the yearly curve: the unseen days' effect is another point
  // of that curve, so the difference from the held one has twice its variance.
  const seenFrom = first + from + YEAR_DAYS;
  const unseenSigma = spec.yearly > 0 && first + n < seenFrom ? Math.sqrt(sigma * sigma + 2 * yearlyVariance(rows, w, beta, m, p, spec)) : sigma;
  const widen = new Float64Array(horizon).fill(1);
  const row = new Float64Array(p);
  let decay = 1;
  for (let h = 0; h < horizon; h++) {
    const d = n + h;
    decay *= lv.phi;
    const unseen = first + d < seenFrom && spec.yearly > 0;
    if (unseen) widen[h] = unseenSigma / sigma;
    if (!expectsTrading(prof, first + d, holidays[d]!)) continue;
    fillRow(row, spec, first + d, holidays[d]!, trendOrigin, unseen ? first + n - 1 : first + d);
    mu[h] = dot(row, beta, p) + decay * lv.level;
    trading[h] = 1;
  }
  return { mu, trading, openChance: prof.openChance, sigma, widen, pointSigma: Math.max(lv.sigma, 0.02), flags };
}

/** Variance of the fitted yearly curve over the fitted days (the Fourier columns' part of each row). */
function yearlyVariance(rows: Float64Array, w: Float64Array, beta: Float64Array, m: number, p: number, spec: DesignSpec): number {
  const at = spec.trend ? 8 : 7;
  let s1 = 0;
  let s2 = 0;
  let k = 0;
  for (let i = 0; i < m; i++) {
    if (!(w[i]! > 0)) continue;
    let y = 0;
    for (let j = at; j < at + 2 * spec.yearly; j++) y += rows[i * p + j]! * beta[j]!;
    s1 += y;
    s2 += y * y;
    k++;
  }
  return k > 1 ? Math.max(0, s2 / k - (s1 / k) ** 2) : 0;
}

/**
 * Clips residuals further than OUTLIER_SDS robust SDs from the median of the
 * 15 observed residuals around them (a local median, so a lasting level
 * shift is not mistaken for outliers). Moves `z` by the same amount, notes
 * each move in `shift` and returns the rows it moved.
 */
const shift: number[] = [];

function clipOutliers(r: Float64Array, z: Float64Array, w: Float64Array): number[] {
  const m = r.length;
  const obsIdx: number[] = [];
  for (let i = 0; i < m; i++) if (w[i]! > 0) obsIdx.push(i);
  const k = obsIdx.length;
  const dev = new Float64Array(k);
  const win = new Float64Array(15);
  for (let j = 0; j < k; j++) {
    const lo = Math.max(0, Math.min(j - 7, k - 15));
    const hi = Math.min(k, lo + 15);
    for (let t = lo; t < hi; t++) win[t - lo] = r[obsIdx[t]!]!;
    const s = win.subarray(0, hi - lo).sort();
    dev[j] = r[obsIdx[j]!]! - s[(hi - lo) >> 1]!;
  }
  const abs = dev.map(Math.abs).sort();
  const mad = 1.4826 * abs[k >> 1]!;
  const limit = Math.max(OUTLIER_SDS * mad, 0.15);
  const clipped: number[] = [];
  for (let j = 0; j < k; j++) {
    const e = dev[j]!;
    if (Math.abs(e) <= limit) continue;
    const i = obsIdx[j]!;
    const by = e > 0 ? e - limit : e + limit;
    z[i] = z[i]! - by;
    r[i] = r[i]! - by;
    shift[i] = by;
    clipped.push(i);
  }
  return clipped;
}

/**
 * Damped simple exponential smoothing of the residuals: l ← φ·l + α·(r − φ·l)
 * on observed days, l ← φ·l on the others. (α, φ) is the grid point with the
 * least one-step squared error; σ is the RMS of its one-step errors over the
 * last year.
 */
function fitLevel(r: Float64Array, m: number): { level: number; phi: number; sigma: number } {
  let best = { level: 0, phi: 0, sigma: rms(r, m), sse: Infinity };
  const tail = Math.max(0, m - YEAR);
  for (const phi of PHIS) {
    for (const alpha of ALPHAS) {
      let l = 0;
      let sse = 0;
      let tailSse = 0;
      let tailN = 0;
      for (let i = 0; i < m; i++) {
        l *= phi;
        const v = r[i]!;
        if (Number.isNaN(v)) continue;
        const e = v - l;
        sse += e * e;
        if (i >= tail) {
          tailSse += e * e;
          tailN++;
        }
        l += alpha * e;
      }
      if (sse < best.sse) best = { level: l, phi, sigma: tailN > 0 ? Math.sqrt(tailSse / tailN) : 0, sse };
    }
  }
  return best;
}

function rms(r: Float64Array, m: number): number {
  let s = 0;
  let k = 0;
  for (let i = 0; i < m; i++) {
    const v = r[i]!;
    if (Number.isNaN(v)) continue;
    s += v * v;
    k++;
  }
  return k > 0 ? Math.sqrt(s / k) : 0;
}

/** For tests and docs: the profile the model used. */
export function profileOf(values: ArrayLike<number>, first: number, holidays: Uint8Array): SeriesProfile {
  return profileSeries(values, first, holidays.subarray(0, values.length));
}
