import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cellToBoundary, cellToLatLng, getHexagonEdgeLengthAvg, getResolution } from 'h3-js';
import { distanceKm } from '../../src/domain/geo.js';
import { GroupByError, isH3Cell, isPlaceGrouping, parseGroupBy, placeKey } from '../../src/domain/grouping.js';
import { Prng } from '../../src/firehose/prng.js';

const berlin = { store_id: 'S1', lat: 52.52, lon: 13.405, country: 'DE', region: 'EMEA', city: 'Berlin' };

void describe('group by', () => {
  void it('reads every dimension and H3 resolutions 0–15', () => {
    for (const d of ['store', 'city', 'region', 'country', 'tender', 'card_brand', 'currency']) assert.deepEqual(parseGroupBy(d), { kind: d });
    assert.deepEqual(parseGroupBy('h3:0'), { kind: 'h3', resolution: 0 });
    assert.deepEqual(parseGroupBy('h3:15'), { kind: 'h3', resolution: 15 });
    for (const bad of ['h3:16', 'h3:', 'h3:-1', 'h3:1.5', 'H3:5', 'Store', '', 'h3:005']) {
      assert.throws(() => parseGroupBy(bad), (e: unknown) => e instanceof GroupByError && e.code === 'invalid_group_by' && e.message.includes(`got '${bad}'`), bad);
    }
    assert.ok(isPlaceGrouping(parseGroupBy('h3:4')));
    assert.ok(isPlaceGrouping(parseGroupBy('city')));
    assert.ok(!isPlaceGrouping(parseGroupBy('tender')));
  });

  void it('keys a store by place, cities with their country', () => {
    assert.equal(placeKey(berlin, { kind: 'store' }), 'S1');
    assert.equal(placeKey(berlin, { kind: 'city' }), 'DE/Berlin');
    assert.equal(placeKey({ ...berlin, country: 'US', city: 'Berlin' }, { kind: 'city' }), 'US/Berlin');
    assert.equal(placeKey(berlin, { kind: 'region' }), 'EMEA');
    assert.equal(placeKey(berlin, { kind: 'country' }), 'DE');
  });

  void it('puts a store in the H3 cell that contains it, at the asked resolution', () => {
    const rng = new Prng(21);
    for (let i = 0; i < 2000; i++) {
      const lat = rng.int(170_000) / 1000 - 85;
      const lon = rng.int(360_000) / 1000 - 180;
      const res = rng.int(16);
      const key = placeKey({ ...berlin, lat, lon }, { kind: 'h3', resolution: res });
      assert.ok(isH3Cell(key));
      assert.equal(getResolution(key), res);
      // The store lies within its cell: no farther from the cell's centre than
      // the cell's circumradius (its edge length; ×2 covers H3's distortion).
      const centre = cellToLatLng(key);
      const radius = Math.max(...cellToBoundary(key).map(([la, lo]) => distanceKm(centre[0], centre[1], la, lo)));
      assert.ok(distanceKm(lat, lon, centre[0], centre[1]) <= radius * 1.0001, `${key} at res ${String(res)}`);
      assert.ok(radius <= 2 * getHexagonEdgeLengthAvg(res, 'km'), `cell ${key} radius ${String(radius)} km`);
    }
    assert.ok(!isH3Cell('not-a-cell'));
  });
});
