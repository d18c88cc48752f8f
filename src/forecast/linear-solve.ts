/**
 * Small dense least squares: accumulate the normal equations row by row and
 * solve them by Cholesky. The forecasting design has at most ~20 columns,
 * so X'X fits in cache and one pass over the days builds it; no matrix of
 * all rows is ever held.
 */

/** Normal equations of a weighted ridge regression with `p` columns. */
export class NormalEquations {
  readonly xtx: Float64Array;
  readonly xtz: Float64Array;

  constructor(readonly p: number) {
    this.xtx = new Float64Array(p * p);
    this.xtz = new Float64Array(p);
  }

  reset(): void {
    this.xtx.fill(0);
    this.xtz.fill(0);
  }

  /** Adds one observation `z` with regressors `x` and weight `w` (upper triangle only). */
  add(x: Float64Array, z: number, w: number): void {
    const p = this.p;
    const a = this.xtx;
    for (let i = 0; i < p; i++) {
      const wxi = w * x[i]!;
      if (wxi === 0) continue;
      this.xtz[i]! += wxi * z;
      const row = i * p;
      for (let j = i; j < p; j++) a[row + j]! += wxi * x[j]!;
    }
  }

  /**
   * Solves (X'WX + λ·D + P) β = X'Wz, where D is the identity except for
   * column 0 (the intercept is not shrunk) and P the diagonal `penalty`
   * (extra shrinkage of chosen columns; none when omitted). A column
   * without data gets β = 0 instead of a singular matrix: that is what the
   * ridge term is for.
   * Writes β into `out` and returns false if the matrix is not positive
   * definite even so (then `out` is all zeros).
   */
  solve(lambda: number, out: Float64Array, penalty?: Float64Array): boolean {
    const p = this.p;
    const l = new Float64Array(p * p);
    for (let i = 0; i < p; i++) for (let j = i; j < p; j++) l[j * p + i] = this.xtx[i * p + j]! + (i === j && i > 0 ? lambda + (penalty?.[i] ?? 0) : 0);
    // In-place Cholesky of the lower triangle: L L' = A.
    for (let j = 0; j < p; j++) {
      let d = l[j * p + j]!;
      for (let k = 0; k < j; k++) d -= l[j * p + k]! * l[j * p + k]!;
      if (!(d > 1e-12)) {
        out.fill(0);
        return false;
      }
      const s = Math.sqrt(d);
      l[j * p + j] = s;
      for (let i = j + 1; i < p; i++) {
        let v = l[i * p + j]!;
        for (let k = 0; k < j; k++) v -= l[i * p + k]! * l[j * p + k]!;
        l[i * p + j] = v / s;
      }
    }
    // Forward then back substitution.
    for (let i = 0; i < p; i++) {
      let v = this.xtz[i]!;
      for (let k = 0; k < i; k++) v -= l[i * p + k]! * out[k]!;
      out[i] = v / l[i * p + i]!;
    }
    for (let i = p - 1; i >= 0; i--) {
      let v = out[i]!;
      for (let k = i + 1; k < p; k++) v -= l[k * p + i]! * out[k]!;
      out[i] = v / l[i * p + i]!;
    }
    return true;
  }
}
