/**
 * Forecast accuracy: MASE, sMAPE and interval coverage, the figures the
 * backtests report (DOMAIN.md: "rolling-origin backtests, reported as MASE
 * and sMAPE, with interval coverage").
 */

/**
 * The MASE scale of a history: the mean absolute difference between a
 * value and the one `period` steps before it (the in-sample error of
 * seasonal naive). Falls back to lag 1, then to the mean absolute value,
 * then to 1, so the scale is never 0 or NaN.
 * @example maseScale([1, 2, 3, 1, 2, 4], 3) // (0 + 0 + 1) / 3
 */
export function maseScale(history: ArrayLike<number>, period: number): number {
  for (const lag of [period, 1]) {
    let s = 0;
    let k = 0;
    for (let i = lag; i < history.length; i++) {
      s += Math.abs(history[i]! - history[i - lag]!);
      k++;
    }
    if (k > 0 && s > 0) return s / k;
  }
  let s = 0;
  for (let i = 0; i < history.length; i++) s += Math.abs(history[i]!);
  return s > 0 ? s / history.length : 1;
}

/** Mean absolute error of `forecast` against `actual`, divided by `scale`. */
export function mase(actual: ArrayLike<number>, forecast: ArrayLike<number>, scale: number): number {
  let s = 0;
  for (let i = 0; i < actual.length; i++) s += Math.abs(actual[i]! - forecast[i]!);
  return actual.length > 0 ? s / actual.length / scale : 0;
}

/**
 * Symmetric MAPE in percent, 0–200: mean of 200·|a − f| / (|a| + |f|), where
 * a day with both zero counts as a perfect 0 (a closed day forecast closed).
 */
export function smape(actual: ArrayLike<number>, forecast: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i]!;
    const f = forecast[i]!;
    const d = Math.abs(a) + Math.abs(f);
    if (d > 0) s += (200 * Math.abs(a - f)) / d;
  }
  return actual.length > 0 ? s / actual.length : 0;
}

/**
 * Hits and counts of `actual` inside [lo, hi]. Days where the interval is
 * [0, 0] and the actual is 0 (a closed day forecast closed) are not
 * counted: they would be covered by construction and flatter the figure.
 */
export function coverage(actual: ArrayLike<number>, lo: ArrayLike<number>, hi: ArrayLike<number>): { hits: number; count: number } {
  let hits = 0;
  let count = 0;
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i]!;
    if (a === 0 && hi[i]! === 0) continue;
    count++;
    if (a >= lo[i]! && a <= hi[i]!) hits++;
  }
  return { hits, count };
}
