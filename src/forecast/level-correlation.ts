/**
 * How much the stores of one roll-up node miss together: the correlation
 * of their standardised calibration errors on the same day, per level and
 * horizon step. Stores of one country share its holidays and the model's
 * misreading of its season; their own level and noise are their own. A
 * node's interval is its stores' intervals combined with that
 * correlation (`rollUp`): ρ = 0 is the independent errors' √Σd², ρ = 1
 * the sum of the bounds.
 *
 * Estimated on the calibration sample's errors, so it costs no fit of its
 * own: for every node, origin and step with n ≥ 2 sampled stores,
 * Σ_{i≠j} uᵢuⱼ against (n − 1)·Σuᵢ² (the same ratio for equal variances
 * is ρ), summed over nodes, origins and the 3 steps either side.
 */
import { calibrationOrigins, pairedSlots, type CalibrationPlan } from './calibrate.js';
import { nodeKey, type NodeLevel, type StoreSeries } from './hierarchy.js';

/** Steps either side pooled into one step's correlation (as the interval quantiles are). */
const POOL_STEPS = 3;
/** Standardised errors are clipped to this many σ first: one outlier day should not make a correlation. */
const CLIP = 4;
/** Pairs below this weight (Σ(n − 1)·Σu² of a step's pool): too few to tell, use the next level's. */
const MIN_WEIGHT = 50;

export interface LevelCorrelation {
  /** ρ per daily step. */
  daily: Float64Array;
  /** ρ per ISO week step. */
  weekly: Float64Array;
}

/** Where a level with too few sampled pairs borrows from: the level above it. */
const COARSER: Record<NodeLevel, NodeLevel | null> = { city: 'country', country: 'region', region: 'tenant', tenant: null };

/**
 * @param paired `collectCalibrationErrors`' per-series errors of `sample`
 * @example
 * const rho = levelCorrelations(sample, errors.paired, plan);
 * rho.tenant.daily[0] // 0.1: a tenant's stores miss together a little on the first day
 */
export function levelCorrelations(sample: readonly StoreSeries[], paired: Float64Array, p: CalibrationPlan): Record<NodeLevel, LevelCorrelation> {
  const slots = pairedSlots(p);
  const weeks = Math.max(1, p.weeks);
  const sums = {} as Record<NodeLevel, { num: Float64Array; den: Float64Array }>;
  for (const level of ['city', 'region', 'country', 'tenant'] as const) {
    const groups = new Map<string, number[]>();
    sample.forEach((s, i) => {
      const k = nodeKey(level, s);
      let g = groups.get(k);
      if (g === undefined) groups.set(k, (g = []));
      g.push(i);
    });
    const num = new Float64Array(p.days + weeks);
    const den = new Float64Array(p.days + weeks);
    let at = 0;
    for (const [, days, wk] of calibrationOrigins(p)) {
      for (let k = 0; k < days + wk; k++) {
        // Daily steps first, then the weeks: one index into num/den for both.
        const step = k < days ? k : p.days + (k - days);
        for (const g of groups.values()) {
          if (g.length < 2) continue;
          let sum = 0;
          let sq = 0;
          let n = 0;
          for (const i of g) {
            const u = paired[i * slots + at + k]!;
            if (Number.isNaN(u)) continue;
            const c = Math.max(-CLIP, Math.min(CLIP, u));
            sum += c;
            sq += c * c;
            n++;
          }
          if (n < 2) continue;
          num[step]! += sum * sum - sq;
          den[step]! += (n - 1) * sq;
        }
      }
      at += days + wk;
    }
    sums[level] = { num, den };
  }
  const out = {} as Record<NodeLevel, LevelCorrelation>;
  // Coarsest first, so a finer level can borrow what the one above it found.
  for (const level of ['tenant', 'region', 'country', 'city'] as const) {
    const { num, den } = sums[level];
    const above = COARSER[level];
    const pooled = (from: number, n: number, fallback: Float64Array | null): Float64Array => {
      const r = new Float64Array(n);
      for (let s = 0; s < n; s++) {
        let a = 0;
        let b = 0;
        for (let t = Math.max(0, s - POOL_STEPS); t <= Math.min(n - 1, s + POOL_STEPS); t++) {
          a += num[from + t]!;
          b += den[from + t]!;
        }
        r[s] = b >= MIN_WEIGHT ? Math.max(0, Math.min(1, a / b)) : (fallback?.[s] ?? 0);
      }
      return r;
    };
    out[level] = { daily: pooled(0, p.days, above === null ? null : out[above].daily), weekly: pooled(p.days, weeks, above === null ? null : out[above].weekly) };
  }
  return out;
}
