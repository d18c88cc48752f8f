/**
 * Seeded pseudo-random numbers for the firehose: the same seed gives the
 * same world and the same bytes on every machine and Node version, which
 * `Math.random` cannot promise.
 *
 * The generator is sfc32 (Chris Doty-Humphrey's "small fast chaotic" PRNG,
 * from PractRand): 128 bits of state, 32-bit output, passes PractRand to
 * terabytes, and needs only 32-bit integer ops, which V8 keeps unboxed.
 * Seeds are expanded with splitmix32 so that nearby seeds (1, 2, 3) start
 * from unrelated states.
 */

/** One step of splitmix32: a well-mixed 32-bit value from a counter. */
function splitmix32(x: number): number {
  let z = (x + 0x9e3779b9) | 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

/**
 * A seeded random stream. `stream` selects an independent sequence for the
 * same seed (the world, each tenant's records and each fault use their own,
 * so adding a fault does not shift the records of an unrelated tenant).
 *
 * @example
 * const r = new Prng(42);
 * r.int(6);          // 0..5, the same on every run
 * r.between(10, 20); // 10..20 inclusive
 */
export class Prng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number, stream = 0) {
    let s = (Math.trunc(seed) ^ Math.imul(stream + 1, 0x27d4eb2d)) >>> 0;
    // High bits of seeds above 2^32 still matter.
    s = (s ^ Math.trunc(seed / 0x100000000)) >>> 0;
    this.a = splitmix32(s);
    this.b = splitmix32(this.a);
    this.c = splitmix32(this.b);
    this.d = 1;
    // Warm-up: sfc32's first outputs are correlated with its seed.
    for (let i = 0; i < 12; i++) this.u32();
  }

  /** Next 32-bit unsigned integer. */
  u32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Uniform float in [0, 1) with 32 bits of precision. */
  float(): number {
    return this.u32() / 0x100000000;
  }

  /** Uniform integer in [0, n). `n` ≤ 2^32. */
  int(n: number): number {
    return Math.floor(this.float() * n);
  }

  /** Uniform integer in [lo, hi], both inclusive. */
  between(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }

  /** True with probability `p`. */
  chance(p: number): boolean {
    return p > 0 && this.float() < p;
  }

  /** One element of a non-empty array. */
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }

  /**
   * Approximately standard-normal: the sum of four uniforms, rescaled.
   * Tails stop at ±3.46σ, which is what we want for prices and basket sizes
   * (no absurd outliers), and it costs four multiplies instead of a log.
   */
  normal(): number {
    return (this.float() + this.float() + this.float() + this.float() - 2) * 1.7320508075688772;
  }

  /**
   * Poisson-distributed count with mean `lambda` (Knuth's inversion). Used
   * per store and simulated minute, where the mean is small (< 10), so the
   * loop runs a handful of times. Above 30 the normal approximation takes
   * over (Knuth's loop would underflow `exp(-lambda)` near 745).
   */
  poisson(lambda: number): number {
    if (lambda <= 0) return 0;
    if (lambda > 30) return Math.max(0, Math.round(lambda + Math.sqrt(lambda) * this.normal()));
    const limit = Math.exp(-lambda);
    let k = 0;
    let p = this.float();
    while (p > limit) {
      k++;
      p *= this.float();
    }
    return k;
  }
}

/**
 * Cumulative weights for `pickWeighted`. Weights need not sum to 1.
 * @example const cdf = cumulative([0.7, 0.2, 0.1]);
 */
export function cumulative(weights: readonly number[]): Float64Array {
  const out = new Float64Array(weights.length);
  let sum = 0;
  for (let i = 0; i < weights.length; i++) {
    sum += weights[i]!;
    out[i] = sum;
  }
  for (let i = 0; i < out.length; i++) out[i] = out[i]! / sum;
  return out;
}

/**
 * Index drawn according to a cumulative table from `cumulative`.
 * Linear scan: the tables here have at most 7 entries.
 * @example pickWeighted(rng, cumulative([1, 1])) // 0 or 1
 */
export function pickWeighted(rng: Prng, cdf: Float64Array): number {
  const u = rng.float();
  const last = cdf.length - 1;
  for (let i = 0; i < last; i++) if (u < cdf[i]!) return i;
  return last;
}
