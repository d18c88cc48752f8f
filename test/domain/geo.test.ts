import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GeoScopeError, distanceKm, inBBox, inScope, parseBBox, polygonScope, radiusScope, type GeoScope } from '../../src/domain/geo.js';
import { Prng } from '../../src/firehose/prng.js';

const place = (lat: number, lon: number, country = 'XX', region = 'r', city = 'c'): { lat: number; lon: number; country: string; region: string; city: string } => ({ lat, lon, country, region, city });

void describe('bounding boxes', () => {
  void it('select inside the box, edges included', () => {
    const europe = parseBBox('-10,35,30,60');
    assert.ok(inBBox(europe, 52.52, 13.405)); // Berlin
    assert.ok(inBBox(europe, 35, -10));
    assert.ok(!inBBox(europe, 40.71, -74.0)); // New York
    assert.ok(!inBBox(europe, 64.1, -21.9)); // Reykjavik: north of it
  });

  void it('cross the antimeridian when west > east', () => {
    const pacific = parseBBox('170,-50,-170,-10');
    assert.ok(inBBox(pacific, -18.14, 178.44)); // Suva, Fiji
    assert.ok(inBBox(pacific, -36.85, 174.76)); // Auckland
    assert.ok(inBBox(pacific, -13.83, -171.76)); // Apia, Samoa (lon −171.8)
    assert.ok(!inBBox(pacific, -33.87, 151.21)); // Sydney
    assert.ok(!inBBox(pacific, -17.53, -149.57)); // Papeete
  });

  void it('agree with a modular reference on random boxes and points', () => {
    const rng = new Prng(3);
    for (let i = 0; i < 20_000; i++) {
      const west = rng.int(361) - 180;
      const east = rng.int(361) - 180;
      const south = rng.int(181) - 90;
      const north = south + rng.int(91 - south);
      const lat = rng.int(181) - 90;
      const lon = rng.int(361) - 180;
      const width = (((east - west) % 360) + 360) % 360;
      const offset = (((lon - west) % 360) + 360) % 360;
      // lon = ±180 are one meridian: either spelling is inside a box that reaches it.
      const lonIn = offset <= width || (Math.abs(lon) === 180 && (((-lon - west) % 360) + 360) % 360 <= width);
      const want = lat >= south && lat <= north && (west <= east ? lon >= west && lon <= east : lonIn);
      assert.equal(inBBox({ west, south, east, north }, lat, lon), want, `${String(west)},${String(south)},${String(east)},${String(north)} ∋ ${String(lat)},${String(lon)}`);
    }
  });

  void it('reject malformed boxes, naming the part', () => {
    assert.throws(() => parseBBox('1,2,3'), /four numbers/);
    assert.throws(() => parseBBox('a,2,3,4'), GeoScopeError);
    assert.throws(() => parseBBox('1,2,3,4e1'), GeoScopeError);
    assert.throws(() => parseBBox('-181,0,10,10'), /bbox west must be a longitude/);
    assert.throws(() => parseBBox('0,-91,10,10'), /bbox south must be a latitude/);
    assert.throws(() => parseBBox('0,20,10,10'), /south \(20\) must not be north of north \(10\)/);
  });
});

void describe('radius', () => {
  void it('measures great-circle distances', () => {
    assert.ok(Math.abs(distanceKm(51.5074, -0.1278, 48.8566, 2.3522) - 343.6) < 1); // London–Paris
    assert.ok(Math.abs(distanceKm(-18.14, 178.44, -13.83, -171.76) - 1149) < 5); // Suva–Apia, across the antimeridian
    assert.equal(distanceKm(10, 20, 10, 20), 0);
    assert.ok(Math.abs(distanceKm(0, 0, 0, 180) - Math.PI * 6371.0088) < 1e-6);
  });

  void it('selects stores within the radius', () => {
    const scope = radiusScope(51.5074, -0.1278, 350);
    assert.ok(inScope(scope, place(48.8566, 2.3522))); // Paris, 344 km
    assert.ok(!inScope(radiusScope(51.5074, -0.1278, 340), place(48.8566, 2.3522)));
    assert.ok(!inScope(scope, place(52.52, 13.405))); // Berlin, 930 km
  });

  void it('rejects bad radii and centres', () => {
    assert.throws(() => radiusScope(0, 0, 0), /greater than 0/);
    assert.throws(() => radiusScope(0, 0, 30_000), /at most 20016/);
    assert.throws(() => radiusScope(95, 0, 10), /lat must be a latitude/);
    assert.throws(() => radiusScope(0, '10', 10), /lon must be a longitude/);
  });
});

void describe('polygons', () => {
  const square = (x0: number, y0: number, x1: number, y1: number): number[][] => [[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]];

  void it('select inside the outer ring and outside its holes, checked against the shape on a grid', () => {
    const scope = polygonScope({ type: 'Polygon', coordinates: [square(0, 0, 10, 10), square(3, 3, 6, 6)] });
    const rng = new Prng(8);
    for (let i = 0; i < 20_000; i++) {
      // Points off the edges (an edge may fall either way).
      const lon = -2 + rng.int(1400) / 100 + 0.005;
      const lat = -2 + rng.int(1400) / 100 + 0.005;
      const want = lon > 0 && lon < 10 && lat > 0 && lat < 10 && !(lon > 3 && lon < 6 && lat > 3 && lat < 6);
      assert.equal(inScope(scope, place(lat, lon)), want, `${String(lat)},${String(lon)}`);
    }
  });

  void it('reads MultiPolygons and Features, and a concave shape', () => {
    const multi = polygonScope({
      type: 'Feature',
      properties: {},
      geometry: { type: 'MultiPolygon', coordinates: [[square(170, -20, 180, -10)], [square(-180, -20, -170, -10)]] },
    });
    assert.ok(inScope(multi, place(-18.14, 178.44)));
    assert.ok(inScope(multi, place(-13.83, -171.76)));
    assert.ok(!inScope(multi, place(-18, 0)));
    // An L: the notch at the top right is outside.
    const l = polygonScope({ type: 'Polygon', coordinates: [[[0, 0], [10, 0], [10, 4], [4, 4], [4, 10], [0, 10], [0, 0]]] });
    assert.ok(inScope(l, place(2, 8)));
    assert.ok(inScope(l, place(2, 2)));
    assert.ok(!inScope(l, place(8, 8)));
  });

  void it('rejects geometry it cannot use, naming the ring and position', () => {
    assert.throws(() => polygonScope({ type: 'Point', coordinates: [0, 0] }), /Polygon or MultiPolygon, got "Point"/);
    assert.throws(() => polygonScope({ type: 'Polygon', coordinates: [[[0, 0], [1, 0], [0, 0]]] }), /polygon 0 ring 0 must have at least 4 positions/);
    assert.throws(() => polygonScope({ type: 'Polygon', coordinates: [[[0, 0], [1, 0], [1, 1], [0, 1]]] }), /ring 0 is not closed/);
    assert.throws(() => polygonScope({ type: 'Polygon', coordinates: [[[0, 0], [1, 0], [1, 91], [0, 0]]] }), /ring 0 position 2 lat must be a latitude/);
    assert.throws(() => polygonScope(null), GeoScopeError);
    assert.throws(() => polygonScope({ type: 'MultiPolygon', coordinates: 'x' }), GeoScopeError);
  });
});

void describe('place lists', () => {
  void it('select by country, region and city', () => {
    const s = place(0, 0, 'DE', 'EMEA', 'Berlin');
    const scopes: [GeoScope, boolean][] = [
      [{ kind: 'countries', values: new Set(['DE', 'FR']) }, true],
      [{ kind: 'countries', values: new Set(['US']) }, false],
      [{ kind: 'regions', values: new Set(['EMEA']) }, true],
      [{ kind: 'cities', values: new Set(['Munich']) }, false],
    ];
    scopes.forEach(([scope, want], i) => assert.equal(inScope(scope, s), want, `scope ${String(i)}`));
  });
});
