/**
 * Geographic scopes of a query (DOMAIN.md, "Geo"): which stores a bounding
 * box, a radius, a GeoJSON polygon or a list of places selects. A store's
 * location is its registry lat/lon (WGS84, degrees).
 *
 * Polygons are read as RFC 7946 GeoJSON: positions are [lon, lat], the first
 * ring is the outer boundary and any further rings are holes; edges are
 * straight lines in lon/lat. A shape that crosses the antimeridian must be
 * split into a MultiPolygon (RFC 7946 §3.1.9); a bounding box may cross it.
 */
import type { Store } from './store.js';

/** A scope that cannot be used: names the field and the value. */
export class GeoScopeError extends Error {
  override readonly name = 'GeoScopeError';
  readonly code = 'invalid_geo_scope';
}

/** Mean Earth radius (IUGG), the usual sphere for great-circle distances. */
export const EARTH_RADIUS_KM = 6371.0088;

/** West, south, east, north in degrees; west > east means the box crosses the antimeridian. */
export interface BBox {
  west: number;
  south: number;
  east: number;
  north: number;
}

export type Position = readonly [number, number];
export type Ring = readonly Position[];
export type PolygonCoords = readonly Ring[];

export type GeoScope =
  | { kind: 'bbox'; bbox: BBox }
  | { kind: 'radius'; lat: number; lon: number; km: number }
  | { kind: 'polygon'; polygons: readonly PolygonCoords[] }
  | { kind: 'countries'; values: ReadonlySet<string> }
  | { kind: 'regions'; values: ReadonlySet<string> }
  | { kind: 'cities'; values: ReadonlySet<string> };

function checkLat(field: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < -90 || v > 90) throw new GeoScopeError(`${field} must be a latitude from -90 to 90, got ${JSON.stringify(v)}`);
  return v;
}

function checkLon(field: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < -180 || v > 180) throw new GeoScopeError(`${field} must be a longitude from -180 to 180, got ${JSON.stringify(v)}`);
  return v;
}

/**
 * A checked bounding box from `west,south,east,north`.
 * @example parseBBox('170,-50,-170,-30') // crosses the antimeridian: lon ≥ 170 or ≤ −170
 */
export function parseBBox(text: string): BBox {
  const parts = text.split(',');
  if (parts.length !== 4 || parts.some((p) => !/^\s*-?\d+(\.\d+)?\s*$/.test(p))) {
    throw new GeoScopeError(`bbox must be four numbers 'west,south,east,north', got '${text.slice(0, 100)}'`);
  }
  const [west, south, east, north] = parts.map(Number) as [number, number, number, number];
  const box = { west: checkLon('bbox west', west), south: checkLat('bbox south', south), east: checkLon('bbox east', east), north: checkLat('bbox north', north) };
  if (south > north) throw new GeoScopeError(`bbox south (${String(south)}) must not be north of north (${String(north)})`);
  return box;
}

export function inBBox(b: BBox, lat: number, lon: number): boolean {
  if (lat < b.south || lat > b.north) return false;
  return b.west <= b.east ? lon >= b.west && lon <= b.east : lon >= b.west || lon <= b.east;
}

/** Great-circle distance in km (haversine on the mean-radius sphere). */
export function distanceKm(lat1: number, lon1: number, lat2: number, lon2: number): number {
  const rad = Math.PI / 180;
  const dLat = (lat2 - lat1) * rad;
  const dLon = (lon2 - lon1) * rad;
  const a = Math.sin(dLat / 2) ** 2 + Math.cos(lat1 * rad) * Math.cos(lat2 * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(a)));
}

/** A checked radius scope. */
export function radiusScope(lat: unknown, lon: unknown, km: unknown): GeoScope {
  if (typeof km !== 'number' || !Number.isFinite(km) || km <= 0 || km > 20_016) {
    throw new GeoScopeError(`radius must be a number of km greater than 0 and at most 20016 (half the Earth's circumference), got ${JSON.stringify(km)}`);
  }
  return { kind: 'radius', lat: checkLat('lat', lat), lon: checkLon('lon', lon), km };
}

/** Most positions a polygon scope may have in all its rings: bounds the work per store. */
const MAX_RING_POSITIONS = 100_000;

/**
 * Reads a GeoJSON Polygon or MultiPolygon geometry (or a Feature holding
 * one) into a polygon scope, checking every ring: at least 4 positions,
 * closed (last = first), coordinates in range.
 */
export function polygonScope(geojson: unknown): GeoScope {
  const g = geojson as { type?: unknown; coordinates?: unknown; geometry?: unknown } | null;
  if (g === null || typeof g !== 'object') throw new GeoScopeError('the polygon must be a GeoJSON object');
  if (g.type === 'Feature') return polygonScope(g.geometry);
  let polys: unknown[];
  if (g.type === 'Polygon') polys = [g.coordinates];
  else if (g.type === 'MultiPolygon') {
    if (!Array.isArray(g.coordinates)) throw new GeoScopeError('MultiPolygon coordinates must be an array of polygons');
    polys = g.coordinates;
  } else throw new GeoScopeError(`the geometry type must be Polygon or MultiPolygon, got ${JSON.stringify(g.type)}`);
  let positions = 0;
  const out = polys.map((poly, pi): PolygonCoords => {
    if (!Array.isArray(poly) || poly.length === 0) throw new GeoScopeError(`polygon ${String(pi)} must be a non-empty array of rings`);
    return poly.map((ring, ri): Ring => {
      const where = `polygon ${String(pi)} ring ${String(ri)}`;
      if (!Array.isArray(ring) || ring.length < 4) throw new GeoScopeError(`${where} must have at least 4 positions`);
      positions += ring.length;
      if (positions > MAX_RING_POSITIONS) throw new GeoScopeError(`the polygon has more than ${String(MAX_RING_POSITIONS)} positions`);
      const pts = ring.map((p, k): Position => {
        if (!Array.isArray(p) || p.length < 2) throw new GeoScopeError(`${where} position ${String(k)} must be [lon, lat]`);
        return [checkLon(`${where} position ${String(k)} lon`, p[0]), checkLat(`${where} position ${String(k)} lat`, p[1])];
      });
      const first = pts[0]!;
      const last = pts[pts.length - 1]!;
      if (first[0] !== last[0] || first[1] !== last[1]) throw new GeoScopeError(`${where} is not closed: its last position must equal its first`);
      return pts;
    });
  });
  return { kind: 'polygon', polygons: out };
}

/** Even-odd test of one ring (ray cast toward +lon). Points exactly on an edge may fall either way. */
function inRing(ring: Ring, lat: number, lon: number): boolean {
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i]!;
    const [xj, yj] = ring[j]!;
    if (yi > lat !== yj > lat && lon < ((xj - xi) * (lat - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

export function inPolygons(polygons: readonly PolygonCoords[], lat: number, lon: number): boolean {
  for (const rings of polygons) {
    if (!inRing(rings[0]!, lat, lon)) continue;
    let inHole = false;
    for (let h = 1; h < rings.length && !inHole; h++) inHole = inRing(rings[h]!, lat, lon);
    if (!inHole) return true;
  }
  return false;
}

/**
 * Whether `scope` selects `store`.
 * @example inScope({ kind: 'bbox', bbox: parseBBox('-10,35,30,60') }, berlinStore) // true
 */
export function inScope(scope: GeoScope, store: Pick<Store, 'lat' | 'lon' | 'country' | 'region' | 'city'>): boolean {
  switch (scope.kind) {
    case 'bbox':
      return inBBox(scope.bbox, store.lat, store.lon);
    case 'radius':
      return distanceKm(scope.lat, scope.lon, store.lat, store.lon) <= scope.km;
    case 'polygon':
      return inPolygons(scope.polygons, store.lat, store.lon);
    case 'countries':
      return scope.values.has(store.country);
    case 'regions':
      return scope.values.has(store.region);
    case 'cities':
      return scope.values.has(store.city);
  }
}
