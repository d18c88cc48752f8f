/**
 * StoreIndex: a tenant's stores on a grid of one-degree cells, plus lists by
 * country, region and city, so a geo scope tests the stores near it instead
 * of every store. The candidates of a scope are a superset of the stores in
 * it; the caller applies the exact test (`inScope`) to each candidate.
 */
import { EARTH_RADIUS_KM, type BBox, type GeoScope } from '../domain/geo.js';

export interface IndexedStore {
  index: number;
  store: { lat: number; lon: number; country: string; region: string; city: string };
}

const LAT_CELLS = 180;
const LON_CELLS = 360;
const KM_PER_DEGREE = (Math.PI * EARTH_RADIUS_KM) / 180;

const cellOf = (lat: number, lon: number): number => Math.min(LAT_CELLS - 1, Math.floor(lat + 90)) * LON_CELLS + Math.min(LON_CELLS - 1, Math.floor(lon + 180));

export class StoreIndex<S extends IndexedStore> {
  private readonly cells = new Map<number, S[]>();
  private readonly byCountry = new Map<string, S[]>();
  private readonly byRegion = new Map<string, S[]>();
  private readonly byCity = new Map<string, S[]>();

  constructor(private readonly all: readonly S[]) {
    const push = (m: Map<string | number, S[]>, k: string | number, s: S): void => {
      const list = m.get(k);
      if (list === undefined) m.set(k, [s]);
      else list.push(s);
    };
    for (const s of all) {
      push(this.cells, cellOf(s.store.lat, s.store.lon), s);
      push(this.byCountry, s.store.country, s);
      push(this.byRegion, s.store.region, s);
      push(this.byCity, s.store.city, s);
    }
  }

  /** Stores that may be in `scope`, in store order; `null` when that would be about every store. */
  candidates(scope: GeoScope): S[] | null {
    switch (scope.kind) {
      case 'bbox':
        return this.inBox(scope.bbox);
      case 'radius': {
        // The cap of angular radius δ around latitude φ spans δ in latitude and
        // asin(sin δ / cos φ) in longitude (a hair more for rounding).
        const delta = scope.km / EARTH_RADIUS_KM;
        const dLat = scope.km / KM_PER_DEGREE + 1e-6;
        const south = scope.lat - dLat;
        const north = scope.lat + dLat;
        const ratio = Math.sin(delta) / Math.cos((scope.lat * Math.PI) / 180);
        if (south <= -90 || north >= 90 || ratio >= 1) return null; // the cap holds a pole
        const dLon = (Math.asin(ratio) * 180) / Math.PI + 1e-6;
        const west = scope.lon - dLon;
        const east = scope.lon + dLon;
        return this.inBox({ south, north, west: west < -180 ? west + 360 : west, east: east > 180 ? east - 360 : east });
      }
      case 'polygon': {
        let south = 90;
        let north = -90;
        let west = 180;
        let east = -180;
        for (const rings of scope.polygons) {
          for (const [lon, lat] of rings[0] ?? []) {
            south = Math.min(south, lat);
            north = Math.max(north, lat);
            west = Math.min(west, lon);
            east = Math.max(east, lon);
          }
        }
        return south > north ? [] : this.inBox({ south, north, west, east });
      }
      case 'countries':
        return this.listed(this.byCountry, scope.values);
      case 'regions':
        return this.listed(this.byRegion, scope.values);
      case 'cities':
        return this.listed(this.byCity, scope.values);
    }
  }

  private listed(m: Map<string, S[]>, values: ReadonlySet<string>): S[] {
    const out: S[] = [];
    for (const v of values) for (const s of m.get(v) ?? []) out.push(s);
    return sortUnique(out);
  }

  private inBox(b: BBox): S[] | null {
    const lat0 = Math.max(0, Math.floor(b.south + 90));
    const lat1 = Math.min(LAT_CELLS - 1, Math.floor(b.north + 90));
    const lonRanges: [number, number][] =
      b.west <= b.east
        ? [[Math.floor(b.west + 180), Math.min(LON_CELLS - 1, Math.floor(b.east + 180))]]
        : [
            [Math.floor(b.west + 180), LON_CELLS - 1],
            [0, Math.min(LON_CELLS - 1, Math.floor(b.east + 180))],
          ];
    let cellCount = 0;
    for (const [a, z] of lonRanges) cellCount += (z - a + 1) * (lat1 - lat0 + 1);
    // Visiting many empty cells costs more than testing every store.
    if (cellCount > this.all.length) return null;
    const out: S[] = [];
    for (let lat = lat0; lat <= lat1; lat++) {
      for (const [a, z] of lonRanges) {
        for (let lon = a; lon <= z; lon++) {
          const list = this.cells.get(lat * LON_CELLS + lon);
          if (list !== undefined) for (const s of list) out.push(s);
        }
      }
    }
    return sortUnique(out);
  }
}

function sortUnique<S extends IndexedStore>(list: S[]): S[] {
  list.sort((a, b) => a.index - b.index);
  let n = 0;
  for (let i = 0; i < list.length; i++) if (i === 0 || list[i] !== list[i - 1]) list[n++] = list[i]!;
  list.length = n;
  return list;
}
