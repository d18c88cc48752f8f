/**
 * A forecast pool worker: fits and forecasts the chunks of series it is
 * given. Each worker keeps its own holiday cache, filled on first use.
 */
import { parentPort } from 'node:worker_threads';
import { collectCalibrationErrors } from './calibrate.js';
import { forecastSeries } from './forecaster.js';
import { HolidayDays } from './holiday-days.js';
import { unpackCalibration } from './interval-calibration.js';
import { unpackSeries, type PoolResult, type PoolTask } from './pool-protocol.js';
import { BAND_NAMES } from './series.js';

const holidays = new HolidayDays();

function run(t: PoolTask): { result: PoolResult; transfer: ArrayBuffer[] } {
  const series = unpackSeries(t.series);
  switch (t.kind) {
    case 'errors': {
      const pools = collectCalibrationErrors(series, t.plan, holidays);
      const daily = pools.daily.pack();
      const weekly = pools.weekly.pack();
      const paired = pools.paired;
      return { result: { kind: 'errors', id: t.id, daily, weekly, paired }, transfer: [daily.buffer as ArrayBuffer, weekly.buffer as ArrayBuffer, paired.buffer as ArrayBuffer] };
    }
    case 'forecast': {
      const daily = unpackCalibration(t.daily);
      const weekly = t.weekly === null ? null : unpackCalibration(t.weekly);
      const per = 5 * (t.days + t.weeks);
      const bands = new Float64Array(per * series.length);
      const flags: string[][] = [];
      series.forEach((s, i) => {
        const f = forecastSeries(s, { asOf: t.asOf, days: t.days, weeks: t.weeks, model: t.model, daily, weekly, holidays });
        let at = i * per;
        for (const b of BAND_NAMES) {
          bands.set(f.daily[b], at);
          at += t.days;
        }
        if (f.weekly !== null) {
          for (const b of BAND_NAMES) {
            bands.set(f.weekly[b], at);
            at += t.weeks;
          }
        }
        flags.push(f.daily.flags);
      });
      return { result: { kind: 'forecast', id: t.id, bands, flags }, transfer: [bands.buffer as ArrayBuffer] };
    }
  }
}

parentPort?.on('message', (t: PoolTask) => {
  try {
    const { result, transfer } = run(t);
    parentPort?.postMessage(result, transfer);
  } catch (e) {
    parentPort?.postMessage({ kind: 'error', id: t.id, message: e instanceof Error ? (e.stack ?? e.message) : String(e) } satisfies PoolResult);
  }
});
