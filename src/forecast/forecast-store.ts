/**
 * Stored forecast batches, per tenant, under `<data-dir>/forecasts/<tenant>/`:
 * one JSON file per as-of day (`<as_of>.json`), written atomically (temp +
 * fsync + rename), the few latest kept. A batch holds every store's and
 * every roll-up node's daily and weekly bands as integer arrays, plus the
 * levels' backtest scores, so the API answers without recomputing.
 *
 * JSON of integer arrays: a 600-store batch with 56 days and 26 weeks is
 * 600 × 5 × 82 numbers, about 3 MB, read once and cached until a newer file
 * appears; a binary format would save little next to the JSON parse of one
 * file per batch.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomicSync } from '../util/atomic-file.js';
import type { BatchForecast } from './forecast-batch.js';
import type { NodeLevel, StoreSeries } from './hierarchy.js';
import type { LevelScores } from './level-backtest.js';
import { BAND_NAMES, isForecastFlag, type BandName, type ForecastBands, type ForecastFlag } from './series.js';

export const FORECAST_FORMAT = 1;
/** As-of days kept per tenant. */
export const KEEP_BATCHES = 3;

/** Bands as stored: day number of the first point and one integer array per band. */
export type StoredBands = { first: number } & Record<BandName, number[]>;

export interface StoredStore {
  id: string;
  country: string;
  region: string;
  city: string;
  flags: ForecastFlag[];
  daily: StoredBands;
  weekly: StoredBands | null;
}

export interface StoredNode {
  level: NodeLevel;
  key: string;
  /** Store ids of the node, in store order. */
  members: string[];
  flags: ForecastFlag[];
  daily: StoredBands;
  weekly: StoredBands | null;
}

export interface StoredBacktest {
  /** Forecast origins scored (day numbers). */
  origins: number[];
  rows: LevelScores[];
}

export interface StoredForecast {
  format: typeof FORECAST_FORMAT;
  tenant: string;
  /** The last business day the batch has seen (day number); forecasts start the day after. */
  asOf: number;
  model: string;
  days: number;
  weeks: number;
  /** When the batch was written (ms since epoch) and how long it took (ms). */
  createdAt: number;
  ms: number;
  stores: StoredStore[];
  nodes: StoredNode[];
  backtest: StoredBacktest | null;
}

const asInts = (a: Float64Array): number[] => Array.from(a, (x) => Math.round(x));

export function storedBands(b: ForecastBands): StoredBands {
  const out = { first: b.first } as StoredBands;
  for (const name of BAND_NAMES) out[name] = asInts(b[name]);
  return out;
}

/**
 * The stored form of a batch: `stores` are the batch's input series (for
 * their places), in the same order as `f.stores`.
 * @example
 * store.save(storedForecast('acme', dayNumber('2026-12-06'), 'log_linear', stores, batch, backtest, ms));
 */
export function storedForecast(tenant: string, asOf: number, model: string, stores: readonly StoreSeries[], f: BatchForecast, backtest: StoredBacktest | null, ms: number): StoredForecast {
  const ids = stores.map((s) => s.id);
  const members = new Map<string, string[]>();
  // The batch's nodes come from buildHierarchy over the same stores: members by place key.
  for (const s of stores) {
    for (const [level, key] of [['city', `${s.country}/${s.city}`], ['region', s.region], ['country', s.country], ['tenant', 'tenant']] as const) {
      const k = `${level}\u0000${key}`;
      let m = members.get(k);
      if (m === undefined) members.set(k, (m = []));
      m.push(s.id);
    }
  }
  return {
    format: FORECAST_FORMAT,
    tenant,
    asOf,
    model,
    days: f.days,
    weeks: f.weeks,
    createdAt: Date.now(),
    ms: Math.round(ms),
    stores: f.stores.map((sf, i) => ({ id: ids[i]!, country: stores[i]!.country, region: stores[i]!.region, city: stores[i]!.city, flags: sf.daily.flags, daily: storedBands(sf.daily), weekly: sf.weekly === null ? null : storedBands(sf.weekly) })),
    nodes: f.nodes.map((n) => ({ level: n.level, key: n.key, members: members.get(`${n.level}\u0000${n.key}`) ?? [], flags: n.flags, daily: storedBands(n.daily), weekly: n.weekly === null ? null : storedBands(n.weekly) })),
    backtest,
  };
}

export class ForecastStoreCorruptError extends Error {
  override readonly name = 'ForecastStoreCorruptError';
  readonly code = 'forecast_store_corrupt';
}

const FILE = /^(\d{4}-\d{2}-\d{2})\.json$/;

/**
 * @example
 * const fs = new ForecastStore(dataDir);
 * fs.save(batch);
 * fs.latest('acme')?.asOf
 */
export class ForecastStore {
  private readonly cache = new Map<string, { mtimeMs: number; size: number; value: StoredForecast }>();

  constructor(private readonly dataDir: string) {}

  private dir(tenant: string): string {
    return join(this.dataDir, 'forecasts', encodeURIComponent(tenant));
  }

  /** Writes the batch (replacing one of the same as-of) and drops all but the KEEP_BATCHES latest as-ofs. */
  save(f: StoredForecast): string {
    const dir = this.dir(f.tenant);
    mkdirSync(dir, { recursive: true });
    const path = join(dir, `${dayLabel(f.asOf)}.json`);
    writeFileAtomicSync(path, JSON.stringify(f));
    for (const old of this.asOfs(f.tenant).slice(KEEP_BATCHES)) rmSync(join(dir, `${dayLabel(old)}.json`), { force: true });
    return path;
  }

  /** Stored as-of days, newest first. */
  asOfs(tenant: string): number[] {
    const dir = this.dir(tenant);
    if (!existsSync(dir)) return [];
    return readdirSync(dir)
      .flatMap((n) => {
        const m = FILE.exec(n);
        return m === null ? [] : [Date.parse(`${m[1]!}T00:00:00Z`) / 86_400_000];
      })
      .sort((a, b) => b - a);
  }

  latest(tenant: string): StoredForecast | undefined {
    const a = this.asOfs(tenant)[0];
    return a === undefined ? undefined : this.get(tenant, a);
  }

  get(tenant: string, asOf: number): StoredForecast | undefined {
    const path = join(this.dir(tenant), `${dayLabel(asOf)}.json`);
    if (!existsSync(path)) return undefined;
    const st = statSync(path);
    const key = `${tenant}\u0000${String(asOf)}`;
    const hit = this.cache.get(key);
    if (hit !== undefined && hit.mtimeMs === st.mtimeMs && hit.size === st.size) return hit.value;
    const value = parseStored(readFileSync(path, 'utf8'), path);
    this.cache.set(key, { mtimeMs: st.mtimeMs, size: st.size, value });
    return value;
  }
}

function parseStored(text: string, path: string): StoredForecast {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new ForecastStoreCorruptError(`${path} is not JSON`, { cause: err });
  }
  const f = doc as Partial<StoredForecast>;
  if (typeof doc !== 'object' || doc === null || f.format !== FORECAST_FORMAT || !Array.isArray(f.stores) || !Array.isArray(f.nodes) || typeof f.asOf !== 'number') throw new ForecastStoreCorruptError(`${path} is not a stored forecast of format ${String(FORECAST_FORMAT)}`);
  for (const s of f.stores) s.flags = s.flags.filter(isForecastFlag);
  return f as StoredForecast;
}

export function dayLabel(day: number): string {
  return new Date(day * 86_400_000).toISOString().slice(0, 10);
}

