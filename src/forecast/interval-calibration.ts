/**
 * Prediction intervals calibrated on backtests, not on a textbook formula.
 *
 * A model gives a location μ (log scale) and a one-step scale σ per
 * series. Rolling-origin backtests on past data collect standardised
 * errors u = (log actual − μ) / σ per horizon step; the 2.5 %, 10 %, 90 %
 * and 97.5 % quantiles of u, pooled over series and over neighbouring
 * steps, become the interval: exp(μ + q·σ). The pooling is what makes the
 * coverage land where it says (80 % intervals cover ~80 % of the days),
 * whatever the noise looks like: skewed, fat-tailed, growing with the
 * horizon because the level drifts.
 */

/** The quantile levels kept per step: lower 95, lower 80, upper 80, upper 95. */
export const INTERVAL_QUANTILES = [0.025, 0.1, 0.9, 0.975] as const;
/** Steps either side pooled into one step's quantiles. */
const POOL_STEPS = 3;
/** Fewer errors than this in a step's pool: use the fallback for that step. */
const MIN_ERRORS = 40;

export interface IntervalCalibration {
  steps: number;
  /** `steps × 4` quantiles of standardised errors, in INTERVAL_QUANTILES order. */
  q: Float64Array;
  /** Errors seen per step (before pooling). */
  counts: Int32Array;
  /** Median of the standardised errors per step (in σ); `q` is taken about it, and the point does not use it. */
  center: Float64Array;
  /** Robust SD of the standardised errors per step: (q90 − q10) / 2.563. */
  spread: Float64Array;
}

/**
 * The mean of exp(μ + σ·u) under the calibrated spread, as a factor on
 * e^μ: the point forecast is a mean, not a median, so that store points add
 * up to an unbiased total (the median of a sum is not the sum of medians;
 * the mean is). The calibration's median miss is not added (see
 * `calibrate`): shifting every store the same way by one season's miss
 * moved the totals more than the stores (tenant MASE 0.66 with it, 0.54
 * without, on `bench:forecast`).
 */
export function meanFactor(c: IntervalCalibration, step: number, sigma: number): number {
  const s = Math.min(step, c.steps - 1);
  const sd = c.spread[s]! * sigma;
  // Bounded: a correction beyond +15 % says the calibration does not fit
  // this series, and a point should not move that far on its say-so.
  return Math.min(1.15, Math.exp((sd * sd) / 2));
}

/** Standardised backtest errors per horizon step. */
export class ErrorPool {
  private readonly lists: number[][];

  constructor(readonly steps: number) {
    this.lists = Array.from({ length: steps }, () => []);
  }

  add(step: number, u: number): void {
    if (step < this.steps && Number.isFinite(u)) this.lists[step]!.push(u);
  }

  /** Flat form for a worker message: per step a count, then the values. */
  pack(): Float64Array {
    let total = this.steps;
    for (const l of this.lists) total += l.length;
    const out = new Float64Array(total);
    let at = 0;
    for (const l of this.lists) {
      out[at++] = l.length;
      for (const v of l) out[at++] = v;
    }
    return out;
  }

  merge(packed: Float64Array): void {
    let at = 0;
    for (let s = 0; s < this.steps && at < packed.length; s++) {
      const k = packed[at++]!;
      const l = this.lists[s]!;
      for (let i = 0; i < k; i++) l.push(packed[at++]!);
    }
  }

  size(step: number): number {
    return this.lists[step]?.length ?? 0;
  }

  calibrate(): IntervalCalibration {
    const q = new Float64Array(this.steps * 4);
    const counts = new Int32Array(this.steps);
    const center = new Float64Array(this.steps);
    const spread = new Float64Array(this.steps);
    for (let s = 0; s < this.steps; s++) {
      counts[s] = this.lists[s]!.length;
      const pool: number[] = [];
      for (let t = Math.max(0, s - POOL_STEPS); t <= Math.min(this.steps - 1, s + POOL_STEPS); t++) for (const v of this.lists[t]!) pool.push(v);
      const fb = fallbackQuantiles(s);
      if (pool.length < MIN_ERRORS) {
        q.set(fb, s * 4);
        spread[s] = (fb[2]! - fb[1]!) / 2.5631;
        continue;
      }
      const sorted = Float64Array.from(pool).sort();
      INTERVAL_QUANTILES.forEach((p, k) => {
        q[s * 4 + k] = quantileSorted(sorted, p);
      });
      // The bounds are the quantiles about the median: the origins of one
      // calibration share a season, so their median miss is that season's
      // (a December the fits had not seen, a level that was falling), not a
      // bias the next weeks will repeat.
      center[s] = quantileSorted(sorted, 0.5);
      for (let k = 0; k < 4; k++) q[s * 4 + k]! -= center[s]!;
      spread[s] = (q[s * 4 + 2]! - q[s * 4 + 1]!) / 2.5631;
    }
    return { steps: this.steps, q, counts, center, spread };
  }
}

/**
 * Gaussian quantiles widened with the step, as a random-walk level would:
 * used only where backtests gave too few errors (a brand-new tenant).
 */
export function fallbackQuantiles(step: number): number[] {
  const g = Math.sqrt(1 + 0.1 * step);
  return [-1.96 * g, -1.2816 * g, 1.2816 * g, 1.96 * g];
}

export function fallbackCalibration(steps: number): IntervalCalibration {
  return new ErrorPool(steps).calibrate();
}

/** Linear interpolation between order statistics (type 7, as R's default). */
function quantileSorted(s: Float64Array, p: number): number {
  const h = (s.length - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.min(s.length - 1, lo + 1);
  return s[lo]! + (h - lo) * (s[hi]! - s[lo]!);
}

/** Calibration in a form a worker message can carry and rebuild. */
export function packCalibration(c: IntervalCalibration): Float64Array {
  const n = c.steps;
  const out = new Float64Array(1 + 7 * n);
  out[0] = n;
  out.set(c.q, 1);
  for (let i = 0; i < n; i++) out[1 + 4 * n + i] = c.counts[i]!;
  out.set(c.center, 1 + 5 * n);
  out.set(c.spread, 1 + 6 * n);
  return out;
}

export function unpackCalibration(a: Float64Array): IntervalCalibration {
  const n = a[0]!;
  return {
    steps: n,
    q: a.slice(1, 1 + 4 * n),
    counts: Int32Array.from(a.subarray(1 + 4 * n, 1 + 5 * n)),
    center: a.slice(1 + 5 * n, 1 + 6 * n),
    spread: a.slice(1 + 6 * n, 1 + 7 * n),
  };
}
