/**
 * The baseline every product model must beat (DOMAIN.md): seasonal naive.
 * Daily: the same weekday of the last observed week. Weekly: the same ISO
 * week of last year (52 weeks back).
 */

/**
 * Forecast of `horizon` steps after `history`, repeating the value `period`
 * steps back: step h (0-based) copies history[n − period + (h mod period)].
 * A history shorter than one period repeats its last value; none gives 0.
 * @example seasonalNaive([1, 2, 3, 4, 5, 6, 7, 8], 7, 3) // [2, 3, 4]
 */
export function seasonalNaive(history: ArrayLike<number>, period: number, horizon: number): Float64Array {
  const n = history.length;
  const out = new Float64Array(horizon);
  if (n === 0) return out;
  for (let h = 0; h < horizon; h++) {
    const i = n >= period ? n - period + (h % period) : n - 1;
    out[h] = Math.max(0, history[i]!);
  }
  return out;
}
