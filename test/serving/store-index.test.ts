/**
 * The geo index's candidates against a scan of every store: for random
 * stores over the whole globe and random scopes (boxes across the
 * antimeridian, radii near the poles and around half the Earth, polygons,
 * place lists), every store in a scope is among its candidates.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { inScope, type GeoScope } from '../../src/domain/geo.js';
import { Prng } from '../../src/firehose/prng.js';
import { StoreIndex } from '../../src/serving/store-index.js';

interface S {
  index: number;
  store: { lat: number; lon: number; country: string; region: string; city: string };
}

function world(rng: Prng, n: number): S[] {
  const out: S[] = [];
  for (let i = 0; i < n; i++) {
    // A third of the stores on cell edges, the poles and the antimeridian.
    const edge = rng.u32() % 3 === 0;
    const lat = edge ? [90, -90, 0, 45, -45.5][rng.u32() % 5]! : rng.float() * 180 - 90;
    const lon = edge ? [180, -180, 0, 179.999, -179.5][rng.u32() % 5]! : rng.float() * 360 - 180;
    const c = `C${String(rng.u32() % 20)}`;
    out.push({ index: i, store: { lat, lon, country: c, region: `${c}-R${String(rng.u32() % 3)}`, city: `City${String(rng.u32() % 50)}` } });
  }
  return out;
}

function randomScope(rng: Prng): GeoScope {
  const lat = rng.float() * 180 - 90;
  const lon = rng.float() * 360 - 180;
  switch (rng.u32() % 5) {
    case 0: {
      const w = rng.float() * 60;
      const h = rng.float() * 40;
      const west = lon;
      const e = lon + w;
      return { kind: 'bbox', bbox: { west, east: e > 180 ? e - 360 : e, south: Math.max(-90, lat - h), north: Math.min(90, lat + h) } };
    }
    case 1:
      return { kind: 'radius', lat, lon, km: [1, 50, 800, 3000, 9000, 15000][rng.u32() % 6]! };
    case 2: {
      const d = 1 + rng.float() * 20;
      const x0 = Math.max(-180, lon - d);
      const x1 = Math.min(180, lon + d);
      const y0 = Math.max(-90, lat - d);
      const y1 = Math.min(90, lat + d);
      return { kind: 'polygon', polygons: [[[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]]] };
    }
    case 3:
      return { kind: 'countries', values: new Set([`C${String(rng.u32() % 20)}`, `C${String(rng.u32() % 20)}`]) };
    default:
      return { kind: 'cities', values: new Set([`City${String(rng.u32() % 50)}`]) };
  }
}

describe('StoreIndex', () => {
  it('never leaves out a store that a scope selects', () => {
    const rng = new Prng(3, 5);
    const stores = world(rng, 4000);
    const index = new StoreIndex(stores);
    let narrowed = 0;
    for (let i = 0; i < 3000; i++) {
      const scope = randomScope(rng);
      const exact = stores.filter((s) => inScope(scope, s.store)).map((s) => s.index);
      const c = index.candidates(scope);
      if (c === null) continue;
      narrowed++;
      const have = new Set(c.map((s) => s.index));
      for (const x of exact) assert.ok(have.has(x), `store ${String(x)} at ${JSON.stringify(stores[x]!.store)} missing for ${JSON.stringify(scope, (_k, v: unknown) => (v instanceof Set ? [...v] : v))}`);
      for (let k = 1; k < c.length; k++) assert.ok(c[k - 1]!.index < c[k]!.index, 'candidates come in store order, once each');
    }
    assert.ok(narrowed > 2000, `the index narrowed only ${String(narrowed)} of 3000 scopes`);
  });

  it('gives up (null) on a radius whose cap holds a pole, and on boxes larger than the stores', () => {
    const index = new StoreIndex(world(new Prng(1, 1), 10));
    assert.equal(index.candidates({ kind: 'radius', lat: 85, lon: 0, km: 1000 }), null);
    assert.equal(index.candidates({ kind: 'bbox', bbox: { west: -180, east: 180, south: -90, north: 90 } }), null);
  });
});
