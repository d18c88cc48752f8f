/**
 * The maintained library against our own model, side by side on the same
 * stores and origins: `@bsull/augurs` (MSTL with an AutoETS trend, in
 * WASM, with its own prediction intervals) and the product's log-linear
 * model, both scored with the same MASE/sMAPE/coverage and seasonal naive
 * as the baseline. docs/forecasting.md keeps the figures.
 *
 * The library is not a dependency of the product (it lost): install it to
 * run this, `npm i --no-save @bsull/augurs`.
 *
 *   npm run build && node dist/bench/forecast-augurs.js [--stores 300] [--days 900] [--origins 3]
 */
import { readFileSync } from 'node:fs';
import { dayNumber } from '../src/domain/business-calendar.js';
import { generateDailySales } from '../src/firehose/daily-sales.js';
import { generateWorld } from '../src/firehose/world.js';
import { emptyTally, scoreBands, scores, type BacktestTally } from '../src/forecast/backtest.js';
import { calibrate } from '../src/forecast/calibrate.js';
import { forecastSeries } from '../src/forecast/forecaster.js';
import { HolidayDays } from '../src/forecast/holiday-days.js';
import { emptyBands, valuesBefore, type SalesSeries } from '../src/forecast/series.js';
import { arg } from './bench-args.js';

/** The subset of `@bsull/augurs/mstl` used here. */
interface AugursForecast {
  point: number[];
  intervals: { lower: number[]; upper: number[] } | undefined;
}
interface AugursMstl {
  fit(y: Float64Array): void;
  predict(horizon: number, level?: number): AugursForecast;
  free(): void;
}
interface AugursModule {
  initSync(o: { module: Buffer }): unknown;
  MSTL: { ets(periods: number[]): AugursMstl };
}

const storeCount = arg('stores', 300);
const totalDays = arg('days', 900);
const origins = arg('origins', 3);
const horizon = 56;
const seed = 12;

async function loadAugurs(): Promise<AugursModule | null> {
  const name = '@bsull/augurs/mstl';
  try {
    const m = (await import(name)) as AugursModule;
    m.initSync({ module: readFileSync(new URL('mstl_bg.wasm', import.meta.resolve(name))) });
    return m;
  } catch (e) {
    process.stderr.write(`@bsull/augurs is not installed (${e instanceof Error ? e.message : String(e)}); npm i --no-save @bsull/augurs\n`);
    return null;
  }
}

function augursBands(m: AugursModule, hist: Float64Array, log: boolean, first: number): ReturnType<typeof emptyBands> {
  const b = emptyBands(first, horizon);
  // MSTL needs two whole periods of each season: the yearly one only with two years of history.
  const model = m.MSTL.ets(hist.length >= 2 * 365 ? [7, 365] : [7]);
  const y = log ? hist.map((v) => Math.log1p(Math.max(0, v))) : hist;
  const back = (v: number): number => Math.max(0, log ? Math.expm1(v) : v);
  try {
    model.fit(y);
    const f80 = model.predict(horizon, 0.8);
    const f95 = model.predict(horizon, 0.95);
    for (let h = 0; h < horizon; h++) {
      b.point[h] = Math.round(back(f80.point[h]!));
      b.lo80[h] = Math.floor(back(f80.intervals?.lower[h] ?? f80.point[h]!));
      b.hi80[h] = Math.ceil(back(f80.intervals?.upper[h] ?? f80.point[h]!));
      b.lo95[h] = Math.floor(back(f95.intervals?.lower[h] ?? f95.point[h]!));
      b.hi95[h] = Math.ceil(back(f95.intervals?.upper[h] ?? f95.point[h]!));
    }
  } finally {
    model.free();
  }
  return b;
}

async function main(): Promise<void> {
  const augurs = await loadAugurs();
  const world = generateWorld({ seed, tenants: 1, stores: storeCount });
  const start = dayNumber('2023-09-01');
  const series: SalesSeries[] = generateDailySales(world.tenants[0]!, { seed, start, days: totalDays }).map((s) => ({ id: s.site.store.store_id, country: s.site.store.country, first: s.first, values: s.values }));
  const end = start + totalDays;
  const holidays = new HolidayDays();
  const tallies: Record<string, BacktestTally> = { log_linear: emptyTally(), augurs_mstl_ets: emptyTally(), augurs_mstl_ets_log: emptyTally() };
  const seconds: Record<string, number> = { log_linear: 0, augurs_mstl_ets: 0, augurs_mstl_ets_log: 0 };
  let failures = 0;
  let calibrationSeconds = 0;
  for (let j = 1; j <= origins; j++) {
    const origin = end - horizon * j;
    let t0 = performance.now();
    const cal = calibrate(series, { asOf: origin, days: horizon, weeks: 0, model: 'log_linear' }, holidays);
    calibrationSeconds += (performance.now() - t0) / 1000;
    for (const s of series) {
      const at = origin - s.first;
      if (at < 1 || at + horizon > s.values.length) continue;
      const hist = valuesBefore(s, origin);
      const actual = s.values.subarray(at, at + horizon);
      t0 = performance.now();
      const own = forecastSeries(s, { asOf: origin, days: horizon, weeks: 0, model: 'log_linear', daily: cal.daily, weekly: null, holidays }).daily;
      seconds.log_linear! += (performance.now() - t0) / 1000;
      scoreBands(tallies.log_linear!, hist, actual, own);
      if (augurs === null) continue;
      for (const [name, log] of [['augurs_mstl_ets', false], ['augurs_mstl_ets_log', true]] as const) {
        t0 = performance.now();
        try {
          const b = augursBands(augurs, hist, log, origin);
          seconds[name]! += (performance.now() - t0) / 1000;
          scoreBands(tallies[name]!, hist, actual, b);
        } catch {
          failures++;
        }
      }
    }
  }
  for (const [name, t] of Object.entries(tallies)) {
    if (t.forecasts === 0) continue;
    const s = scores(t);
    // Fit and forecast time per series; the log-linear model's interval calibration is printed apart.
    const ms = (1000 * seconds[name]!) / t.forecasts;
    process.stdout.write(`${name}_mase: ${s.mase.toFixed(3)}\n${name}_baseline_mase: ${s.baselineMase.toFixed(3)}\n${name}_smape: ${s.smape.toFixed(2)} %\n${name}_coverage_80: ${s.coverage80.toFixed(3)}\n${name}_coverage_95: ${s.coverage95.toFixed(3)}\n${name}_ms_per_series: ${ms.toFixed(2)} ms\n`);
  }
  process.stdout.write(`log_linear_calibration_s: ${calibrationSeconds.toFixed(2)} s\naugurs_failures: ${String(failures)}\n`);
}

await main();
