/**
 * A fixed-size latency histogram: log-linear buckets over microseconds (16
 * per power of two, so a quantile is off by at most 1/16 ≈ 6 %), 640
 * counters in all. Recording is O(1) and allocation-free, so the sender can
 * record one sample per acknowledged batch without keeping an array.
 */

const SUB_BITS = 4;
const SUB = 1 << SUB_BITS;
/** Enough buckets for 2^40 µs (about 12 days). */
const BUCKETS = 40 * SUB;

function bucketOf(us: number): number {
  if (us < SUB) return us;
  const e = Math.floor(Math.log2(us));
  const sub = Math.floor(us / 2 ** (e - SUB_BITS)) - SUB;
  return Math.min(BUCKETS - 1, (e - SUB_BITS + 1) * SUB + sub);
}

/** Midpoint of a bucket, in µs. */
function valueOf(bucket: number): number {
  if (bucket < SUB) return bucket;
  const e = Math.floor(bucket / SUB) + SUB_BITS - 1;
  const width = 2 ** (e - SUB_BITS);
  return (SUB + (bucket % SUB)) * width + width / 2;
}

export interface LatencySummary {
  p50: number;
  p99: number;
  max: number;
}

/**
 * @example
 * const h = new LatencyHistogram();
 * h.record(1.5); h.record(3);
 * h.summary(); // { p50: ~1.5, p99: ~3, max: 3 } in ms
 */
export class LatencyHistogram {
  private readonly counts = new Float64Array(BUCKETS);
  count = 0;
  maxMs = 0;

  /** Records one latency in milliseconds (negative values count as 0). */
  record(ms: number): void {
    const us = Math.max(0, Math.round(ms * 1000));
    this.counts[bucketOf(us)]! += 1;
    this.count++;
    if (ms > this.maxMs) this.maxMs = ms;
  }

  /** Adds another histogram's samples to this one. */
  merge(other: LatencyHistogram): void {
    for (let i = 0; i < BUCKETS; i++) this.counts[i]! += other.counts[i]!;
    this.count += other.count;
    this.maxMs = Math.max(this.maxMs, other.maxMs);
  }

  /** The `q` quantile (0..1) in ms, never above the maximum seen; 0 when empty. */
  quantileMs(q: number): number {
    if (this.count === 0) return 0;
    const rank = Math.max(1, Math.ceil(q * this.count));
    let seen = 0;
    for (let i = 0; i < BUCKETS; i++) {
      seen += this.counts[i]!;
      if (seen >= rank) return Math.min(this.maxMs, valueOf(i) / 1000);
    }
    return this.maxMs;
  }

  summary(): LatencySummary {
    return { p50: this.quantileMs(0.5), p99: this.quantileMs(0.99), max: this.maxMs };
  }
}
