/**
 * What every panel is asked about: a range of local dates in a time zone,
 * and a geographic scope drawn on the map. Both become API parameters.
 */
import type { Params } from './api.js';
import { addDays, browserZone, dayText, localNaive } from './time.js';

/** `store` (each store's own business day), `UTC`, or an IANA zone. */
export type Tz = string;

export interface Range {
  /** First local day, `YYYY-MM-DD`. */
  from: string;
  /** The day after the last one (exclusive), `YYYY-MM-DD`. */
  to: string;
  tz: Tz;
}

export type Scope =
  | { kind: 'all' }
  | { kind: 'bbox'; west: number; south: number; east: number; north: number }
  | { kind: 'radius'; lat: number; lon: number; km: number }
  | { kind: 'country'; country: string }
  | { kind: 'region'; region: string };

export const PRESETS = [
  { id: 'today', label: 'Today', days: 1 },
  { id: '7d', label: 'Last 7 days', days: 7 },
  { id: '30d', label: 'Last 30 days', days: 30 },
  { id: '90d', label: 'Last 90 days', days: 90 },
] as const;

/** The last `days` days up to and including today (the browser's date). */
export function presetRange(days: number, tz: Tz): Range {
  const today = dayText(localNaive(Date.now(), browserZone()));
  return { from: addDays(today, 1 - days), to: addDays(today, 1), tz };
}

export function rangeParams(r: Range): Params {
  return { from: r.from, to: r.to, tz: r.tz };
}

export function scopeParams(s: Scope): Params {
  switch (s.kind) {
    case 'all':
      return {};
    case 'bbox':
      return { bbox: `${String(s.west)},${String(s.south)},${String(s.east)},${String(s.north)}` };
    case 'radius':
      return { lat: s.lat, lon: s.lon, radius_km: s.km };
    case 'country':
      return { countries: s.country };
    case 'region':
      return { regions: s.region };
  }
}

/** Human words for a scope, also used as the scope's accessible label. */
export function scopeText(s: Scope): string {
  switch (s.kind) {
    case 'all':
      return 'All stores';
    case 'bbox':
      return `Box west ${String(s.west)}, south ${String(s.south)}, east ${String(s.east)}, north ${String(s.north)}`;
    case 'radius':
      return `Within ${String(s.km)} km of ${String(s.lat)}, ${String(s.lon)}`;
    case 'country':
      return `Country ${s.country}`;
    case 'region':
      return `Region ${s.region}`;
  }
}

/** Rounds a coordinate to 4 decimals (about 10 m): what the page shows is exactly what it asks. */
export function roundCoord(v: number): number {
  return Math.round(v * 1e4) / 1e4;
}
