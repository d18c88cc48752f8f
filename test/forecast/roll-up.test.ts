import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pairedSlots, type CalibrationPlan } from '../../src/forecast/calibrate.js';
import { rollUp, type StoreSeries } from '../../src/forecast/hierarchy.js';
import { levelCorrelations } from '../../src/forecast/level-correlation.js';
import type { ForecastBands } from '../../src/forecast/series.js';

function bands(point: number, lo95: number, lo80: number, hi80: number, hi95: number): ForecastBands {
  const one = (v: number): Float64Array => Float64Array.of(v);
  return { first: 20_000, point: one(point), lo80: one(lo80), hi80: one(hi80), lo95: one(lo95), hi95: one(hi95) };
}

describe('roll-up intervals: the stores’ intervals combined with their correlation', () => {
  // Distances from the point: 80 % ±30 and ±40, 95 % −50/+60 and −80/+90.
  const a = bands(1000, 950, 970, 1030, 1060);
  const b = bands(2000, 1920, 1960, 2040, 2090);

  it('adds the points to the minor unit and combines independent errors as √Σd² (ρ = 0)', () => {
    const r = rollUp([a, b], Float64Array.of(0));
    assert.deepEqual([r.point[0], r.lo95[0], r.lo80[0], r.hi80[0], r.hi95[0]], [3000, 3000 - Math.ceil(Math.hypot(50, 80)), 2950, 3050, 3000 + Math.ceil(Math.hypot(60, 90))]);
  });

  it('sums the bounds when the stores miss together (ρ = 1)', () => {
    const r = rollUp([a, b], Float64Array.of(1));
    assert.deepEqual([r.point[0], r.lo95[0], r.lo80[0], r.hi80[0], r.hi95[0]], [3000, 2870, 2930, 3070, 3150]);
  });

  it('lies in between for 0 < ρ < 1: √((1 − ρ)·Σd² + ρ·(Σd)²)', () => {
    const r = rollUp([a, b], Float64Array.of(0.5));
    assert.equal(r.hi80[0], 3000 + Math.ceil(Math.sqrt(0.5 * (30 * 30 + 40 * 40) + 0.5 * 70 * 70)));
    assert.equal(r.lo80[0], 3000 - Math.ceil(Math.sqrt(0.5 * (30 * 30 + 40 * 40) + 0.5 * 70 * 70)));
  });

  it('floors a lower bound at 0', () => {
    const r = rollUp([bands(10, 0, 0, 30, 60), bands(10, 0, 0, 30, 60)], Float64Array.of(1));
    assert.deepEqual([r.lo95[0], r.lo80[0]], [0, 0]);
  });
});

describe('how the stores of a level miss together', () => {
  const plan: CalibrationPlan = { asOf: 20_000, days: 7, weeks: 0, model: 'log_linear', dailyOrigins: 4 };
  const store = (i: number, country: string): StoreSeries => ({ id: `s${String(i)}`, country, city: `c${String(i % 2)}`, region: country === 'DE' ? 'EMEA' : 'APAC', first: 0, values: new Float64Array(0) });
  const sample = [store(0, 'DE'), store(1, 'DE'), store(2, 'DE'), store(3, 'JP'), store(4, 'JP'), store(5, 'JP')];
  const slots = pairedSlots(plan);

  it('finds ρ = 1 within countries whose stores share every error, and 0 across them when the countries’ errors are unrelated', () => {
    const paired = new Float64Array(sample.length * slots);
    // Germany's stores all miss by e, Japan's by an error that is +e half the time and −e the other half.
    for (let k = 0; k < slots; k++) {
      const e = Math.sin(k + 1);
      sample.forEach((s, i) => {
        paired[i * slots + k] = s.country === 'DE' ? e : k % 2 === 0 ? e : -e;
      });
    }
    const rho = levelCorrelations(sample, paired, plan);
    for (const v of rho.country.daily) assert.ok(Math.abs(v - 1) < 1e-12, `country ρ ${String(v)}`);
    for (const v of rho.region.daily) assert.ok(Math.abs(v - 1) < 1e-12, `region ρ ${String(v)}`);
    // The tenant: 15 pairs, 6 of them within a country (ρ 1), 9 across (ρ about 0).
    for (const v of rho.tenant.daily) assert.ok(v > 0.25 && v < 0.55, `tenant ρ ${String(v)}`);
  });

  it('never goes below 0 (stores that miss in opposite directions do not narrow a total below independent errors)', () => {
    const paired = new Float64Array(sample.length * slots);
    for (let k = 0; k < slots; k++) sample.forEach((_, i) => (paired[i * slots + k] = i % 2 === 0 ? 1 : -1));
    const rho = levelCorrelations(sample, paired, plan);
    for (const v of rho.tenant.daily) assert.equal(v, 0);
  });
});
