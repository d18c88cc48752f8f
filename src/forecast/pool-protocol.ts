/**
 * Messages between a forecast batch (main thread) and its workers. Series
 * travel packed: one Float64Array of all values (transferred, not copied)
 * with offsets, so a chunk of 250 two-year series is one buffer instead of
 * 250 structured-clone walks.
 */
import type { CalibrationPlan } from './calibrate.js';
import type { ModelName } from './forecaster.js';
import type { SalesSeries } from './series.js';

export interface PackedSeries {
  ids: string[];
  countries: string[];
  firsts: Float64Array;
  /** Series i is values[offsets[i] … offsets[i + 1]). */
  offsets: Int32Array;
  values: Float64Array;
}

export function packSeries(series: readonly SalesSeries[]): PackedSeries {
  const offsets = new Int32Array(series.length + 1);
  for (let i = 0; i < series.length; i++) offsets[i + 1] = offsets[i]! + series[i]!.values.length;
  const values = new Float64Array(offsets[series.length]!);
  const firsts = new Float64Array(series.length);
  series.forEach((s, i) => {
    values.set(s.values, offsets[i]!);
    firsts[i] = s.first;
  });
  return { ids: series.map((s) => s.id), countries: series.map((s) => s.country), firsts, offsets, values };
}

export function unpackSeries(p: PackedSeries): SalesSeries[] {
  return p.ids.map((id, i) => ({ id, country: p.countries[i]!, first: p.firsts[i]!, values: p.values.subarray(p.offsets[i]!, p.offsets[i + 1]!) }));
}

export type PoolTask =
  | { kind: 'errors'; id: number; series: PackedSeries; plan: CalibrationPlan }
  | { kind: 'forecast'; id: number; series: PackedSeries; asOf: number; days: number; weeks: number; model: ModelName; daily: Float64Array; weekly: Float64Array | null };

export type PoolResult =
  | { kind: 'errors'; id: number; daily: Float64Array; weekly: Float64Array; /** `collectCalibrationErrors`' per-series errors of the chunk. */ paired: Float64Array }
  | {
      kind: 'forecast';
      id: number;
      /** Per series: 5 bands × days, then 5 bands × weeks, in BAND_NAMES order. */
      bands: Float64Array;
      flags: string[][];
    }
  | { kind: 'error'; id: number; message: string };
