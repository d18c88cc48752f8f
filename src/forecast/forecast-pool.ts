/**
 * A pool of worker threads that fit and forecast series in chunks, so a
 * batch uses every core (ARCHITECTURE.md: "parsing and aggregation run in
 * worker threads"). Chunks go to whichever worker is free; a chunk of ~250
 * series is ~0.25 s of work, so the hand-off costs nothing measurable and
 * the two cores finish within a chunk of each other.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { pairedSlots, type CalibrationPlan } from './calibrate.js';
import { ForecastWorkerError } from './errors.js';
import type { ModelName } from './forecaster.js';
import { ErrorPool, packCalibration, type IntervalCalibration } from './interval-calibration.js';
import { packSeries, type PoolResult, type PoolTask } from './pool-protocol.js';
import { BAND_NAMES, type ForecastBands, type ForecastFlag, type SalesSeries, type SeriesForecast } from './series.js';

type TaskBody = PoolTask extends infer T ? (T extends PoolTask ? Omit<T, 'id' | 'series'> : never) : never;

interface Pending {
  task: PoolTask;
  resolve: (r: PoolResult) => void;
  reject: (e: Error) => void;
}

export interface ForecastPoolOptions {
  /** Worker threads. Default: the machine's cores. */
  workers?: number;
  /** Series per task. Default 250. */
  chunk?: number;
}

export interface PoolForecast {
  daily: SeriesForecast;
  weekly: ForecastBands | null;
}

/**
 * @example
 * await using pool = new ForecastPool();
 * const pools = await pool.errors(sample, { asOf, days: 56, weeks: 26, model: 'log_linear' });
 * const out = await pool.forecast(series, { asOf, days: 56, weeks: 26, model: 'log_linear', daily: pools.daily.calibrate(), weekly: pools.weekly.calibrate() });
 */
export class ForecastPool implements AsyncDisposable {
  private readonly workers: Worker[] = [];
  private readonly idle: Worker[] = [];
  private readonly queue: Pending[] = [];
  private readonly running = new Map<Worker, Pending>();
  private readonly chunk: number;
  private nextId = 0;
  private closed = false;

  constructor(o: ForecastPoolOptions = {}) {
    const n = Math.max(1, o.workers ?? availableParallelism());
    this.chunk = Math.max(1, o.chunk ?? 250);
    for (let i = 0; i < n; i++) {
      const w = new Worker(new URL('./forecast-worker.js', import.meta.url));
      w.on('message', (r: PoolResult) => {
        this.finish(w, r);
      });
      w.on('error', (e) => {
        this.fail(w, e);
      });
      this.workers.push(w);
      this.idle.push(w);
    }
  }

  get size(): number {
    return this.workers.length;
  }

  /**
   * Calibration errors of `series` for a plan, merged over the chunks, and
   * per series in input order (`paired`, `pairedSlots(plan)` per series).
   */
  async errors(series: readonly SalesSeries[], plan: CalibrationPlan): Promise<{ daily: ErrorPool; weekly: ErrorPool; paired: Float64Array }> {
    const daily = new ErrorPool(plan.days);
    const weekly = new ErrorPool(Math.max(1, plan.weeks));
    const paired = new Float64Array(series.length * pairedSlots(plan));
    const results = await this.map(series, { kind: 'errors', plan });
    let at = 0;
    for (const r of results) {
      if (r.kind !== 'errors') continue;
      daily.merge(r.daily);
      weekly.merge(r.weekly);
      paired.set(r.paired, at);
      at += r.paired.length;
    }
    return { daily, weekly, paired };
  }

  /** Forecasts of every series, in input order. */
  async forecast(series: readonly SalesSeries[], r: { asOf: number; days: number; weeks: number; model: ModelName; daily: IntervalCalibration; weekly: IntervalCalibration | null }): Promise<PoolForecast[]> {
    const body: TaskBody = { kind: 'forecast', asOf: r.asOf, days: r.days, weeks: r.weeks, model: r.model, daily: packCalibration(r.daily), weekly: r.weekly === null ? null : packCalibration(r.weekly) };
    const results = await this.map(series, body);
    const out: PoolForecast[] = [];
    const per = 5 * (r.days + r.weeks);
    const monday = r.asOf + ((8 - ((r.asOf + 4) % 7)) % 7);
    let k = 0;
    for (const res of results) {
      if (res.kind !== 'forecast') continue;
      res.flags.forEach((flags, i) => {
        const at = i * per;
        const d = bandsAt(res.bands, at, r.days, r.asOf);
        out.push({
          daily: { id: series[k]!.id, flags: flags as ForecastFlag[], ...d },
          weekly: r.weeks > 0 ? bandsAt(res.bands, at + 5 * r.days, r.weeks, monday) : null,
        });
        k++;
      });
    }
    return out;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const p of this.queue.splice(0)) p.reject(new ForecastWorkerError('the forecast pool was closed'));
    // Tasks on a worker being terminated never answer: fail them too, or their batch would wait for ever.
    for (const p of this.running.values()) p.reject(new ForecastWorkerError('the forecast pool was closed'));
    this.running.clear();
    await Promise.all(this.workers.map((w) => w.terminate()));
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  private map(series: readonly SalesSeries[], body: TaskBody): Promise<PoolResult[]> {
    const tasks: Promise<PoolResult>[] = [];
    // At least 4 chunks per worker, so a small job (a 400-store calibration
    // sample, 9 regions) does not leave a core idle behind one big chunk.
    const size = Math.max(1, Math.min(this.chunk, Math.ceil(series.length / (4 * this.workers.length))));
    for (let i = 0; i < series.length; i += size) {
      const packed = packSeries(series.slice(i, i + size));
      const task = { ...body, id: this.nextId++, series: packed } as PoolTask;
      tasks.push(
        new Promise<PoolResult>((resolve, reject) => {
          this.queue.push({ task, resolve, reject });
        }),
      );
    }
    this.pump();
    return Promise.all(tasks);
  }

  private pump(): void {
    while (!this.closed && this.idle.length > 0 && this.queue.length > 0) {
      const w = this.idle.pop()!;
      const p = this.queue.shift()!;
      this.running.set(w, p);
      const s = p.task.series;
      // The chunk's values are packed for this task alone: hand the buffer over instead of copying it.
      w.postMessage(p.task, [s.values.buffer as ArrayBuffer]);
    }
  }

  private finish(w: Worker, r: PoolResult): void {
    const p = this.running.get(w);
    this.running.delete(w);
    this.idle.push(w);
    if (p !== undefined) {
      if (r.kind === 'error') p.reject(new ForecastWorkerError(`a forecast worker failed: ${r.message}`));
      else p.resolve(r);
    }
    this.pump();
  }

  private fail(w: Worker, e: Error): void {
    const p = this.running.get(w);
    this.running.delete(w);
    p?.reject(new ForecastWorkerError('a forecast worker died', { cause: e }));
    // The others carry on with the queue; with none left, nothing would ever run it.
    const i = this.workers.indexOf(w);
    if (i !== -1) this.workers.splice(i, 1);
    if (this.workers.length === 0) for (const q of this.queue.splice(0)) q.reject(new ForecastWorkerError('every forecast worker died', { cause: e }));
  }
}

function bandsAt(a: Float64Array, at: number, n: number, first: number): ForecastBands {
  const b = { first } as ForecastBands;
  BAND_NAMES.forEach((name, k) => {
    b[name] = a.slice(at + k * n, at + (k + 1) * n);
  });
  return b;
}
