/** The buckets a series query can answer, so that empty buckets show as zero. */
import { DAY_MS, minuteText, parseNaive } from './time.js';

const STEP: Record<string, number> = { '15m': 900_000, hour: 3_600_000, day: DAY_MS };

/** Bucket names (`YYYY-MM-DDTHH:MM`) with `from ≤ start < to`, local dates in the query's zone. */
export function bucketsBetween(from: string, to: string, granularity: string): string[] {
  const a = parseNaive(from);
  const b = parseNaive(to);
  const out: string[] = [];
  const step = STEP[granularity];
  if (step !== undefined) {
    for (let t = Math.ceil(a / step) * step; t < b; t += step) out.push(minuteText(t));
  } else if (granularity === 'week') {
    // ISO weeks start on Monday; 1970-01-05 was one.
    const monday = parseNaive('1970-01-05');
    for (let t = monday + Math.ceil((a - monday) / (7 * DAY_MS)) * 7 * DAY_MS; t < b; t += 7 * DAY_MS) out.push(minuteText(t));
  } else {
    const d = new Date(a);
    const y = d.getUTCFullYear();
    let m = d.getUTCMonth() + (d.getUTCDate() === 1 && a % DAY_MS === 0 ? 0 : 1);
    for (let t = Date.UTC(y, m, 1); t < b; t = Date.UTC(y, ++m, 1)) out.push(minuteText(t));
  }
  return out;
}
