/**
 * Sealed chunks: rows packed column by column read back exactly, for every
 * column encoding (constant, same as another column, bit-packed, sparse,
 * float64), for any row range, and a sealed chunk that takes a late row
 * unseals with every sum kept.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DaySeries } from '../../src/serving/day-series.js';
import { PackedRows, packRows } from '../../src/serving/packed-rows.js';

/** A small deterministic generator (xorshift), so a failure repeats. */
function rng(seed: number): () => number {
  let x = seed;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 4294967296;
  };
}

function rows(days: number, perDay: number, width: number, value: (r: number, c: number) => number): { start: Int32Array; keys: Uint32Array; sums: Float64Array } {
  const start = new Int32Array(days + 1);
  const keys: number[] = [];
  for (let d = 0; d < days; d++) {
    start[d] = keys.length;
    const k = d % 3 === 1 ? 0 : perDay; // some empty days
    for (let i = 0; i < k; i++) keys.push(i * 7 + (d % 5));
  }
  start[days] = keys.length;
  const sums = new Float64Array(keys.length * width);
  for (let r = 0; r < keys.length; r++) for (let c = 0; c < width; c++) sums[r * width + c] = value(r, c);
  return { start, keys: Uint32Array.from(keys), sums };
}

describe('packed rows', () => {
  it('read back every column encoding exactly, for any row range', () => {
    const next = rng(42);
    const width = 8;
    const value = (r: number, c: number): number => {
      switch (c) {
        case 0: return 0; // constant zero
        case 1: return 17; // constant
        case 2: return Math.floor(next() * 90_000); // 17 bits
        case 3: return r % 40 === 0 ? 1 + Math.floor(next() * 5000) : 0; // sparse
        case 4: return 0; // replaced below: same as column 2
        case 5: return Math.floor(next() * 2 ** 52) * (next() < 0.5 ? -1 : 1); // float64
        case 6: return -3 + Math.floor(next() * 4); // negative base
        default: return Math.floor(next() * 4294967295); // 32 bits
      }
    };
    const { start, keys, sums } = rows(32, 52, width, value);
    for (let r = 0; r < keys.length; r++) sums[r * width + 4] = sums[r * width + 2]!;
    const packed = new PackedRows(packRows(start, keys, sums, width));
    const n = keys.length;
    assert.equal(packed.n, n);
    assert.ok(packed.bytes() < n * (width * 4 + 4), `packed ${String(packed.bytes())} bytes for ${String(n)} rows`);
    for (const [lo, hi] of [[0, n], [0, 1], [n - 1, n], [5, 300], [41, 42], [400, 1000]] as const) {
      const k = new Uint32Array(hi - lo);
      const s = new Float64Array((hi - lo) * width);
      packed.decode(lo, hi, k, s);
      assert.deepEqual([...k], [...keys.subarray(lo, hi)], `keys ${String(lo)}–${String(hi)}`);
      assert.deepEqual([...s], [...sums.subarray(lo * width, hi * width)], `sums ${String(lo)}–${String(hi)}`);
    }
    for (let d = 0; d <= 32; d++) assert.equal(packed.start(d), start[d]);
    // Only some columns: the others are left as they were, and a copy of a column left out still reads right.
    const k = new Uint32Array(n);
    const s = new Float64Array(n * width).fill(-1);
    packed.decode(0, n, k, s, (1 << 4) | (1 << 3));
    for (let r = 0; r < n; r++) {
      const row = [...s.subarray(r * width, (r + 1) * width)];
      assert.deepEqual(row, [-1, -1, -1, sums[r * width + 3]!, sums[r * width + 2]!, -1, -1, -1], `row ${String(r)}`);
    }
  });

  it('keep a chunk of one row and a chunk of every value at 2^32 − 1', () => {
    for (const v of [0, 1, 4294967295, 2 ** 53 - 1, -(2 ** 53 - 1)]) {
      const { start, keys, sums } = rows(2, 3, 2, (r, c) => (r === 1 ? v : c));
      const packed = new PackedRows(packRows(start, keys, sums, 2));
      const s = new Float64Array(sums.length);
      const k = new Uint32Array(keys.length);
      packed.decode(0, keys.length, k, s);
      assert.deepEqual([...s], [...sums]);
    }
  });

  it('a sealed chunk answers reads as before, and a late row unseals it with every sum kept', () => {
    const series = new DaySeries(3, 32, 16);
    const next = rng(7);
    const want = new Map<string, number[]>();
    for (let day = 64; day < 96; day++) {
      for (let k = 0; k < 20; k++) {
        if (next() < 0.3) continue;
        const v = [Math.floor(next() * 70_000), next() < 0.1 ? 5 : 0, 1];
        series.add(day, k, v, 3);
        want.set(`${String(day)}/${String(k)}`, v);
      }
    }
    const read = (): Map<string, number[]> => {
      const got = new Map<string, number[]>();
      series.forEach((day, keys, sums, lo, hi) => {
        for (let r = lo; r < hi; r++) got.set(`${String(day)}/${String(keys[r]!)}`, [sums[r * 3]!, sums[r * 3 + 1]!, sums[r * 3 + 2]!]);
      });
      return got;
    };
    assert.deepEqual(read(), want);
    const before = series.bytes();
    series.sealBefore(96);
    assert.ok(series.bytes() < before, `sealed ${String(series.bytes())} bytes, before ${String(before)}`);
    assert.deepEqual(read(), want);
    series.add(70, 3, [11, 0, 1], 3);
    const old = want.get('70/3') ?? [0, 0, 0];
    want.set('70/3', [old[0]! + 11, old[1]!, old[2]! + 1]);
    assert.deepEqual(read(), want);
  });
});
