/**
 * The series answer's JSON text, written directly, is exactly what
 * `JSON.stringify` writes for the same answer built as objects: every kind
 * of number a metric can be, nulls, keys that need escaping, large answers,
 * and bucket names kept from one answer for the next.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { seriesJson } from '../../src/api/query-routes.js';
import { formatBucket } from '../../src/domain/time-buckets.js';
import type { SeriesGroup } from '../../src/serving/series-query.js';

function reference(head: Record<string, unknown>, metrics: readonly string[], groups: readonly SeriesGroup[]): string {
  return JSON.stringify({
    ...head,
    groups: groups.map((g) => ({
      key: g.key,
      points: g.points.map((p) => {
        const o: Record<string, unknown> = { bucket: formatBucket(p.bucket) };
        metrics.forEach((m, i) => (o[m] = p.values[i]));
        return o;
      }),
    })),
  });
}

const head = { currency: 'EUR', exponent: 2, granularity: 'day', tz: 'store', from: '2026-01-01T00:00', to: '2026-02-01T00:00', metrics: ['net_sales', 'avg_basket'], amounts: 'reporting' };
const DAY = 86_400_000;

describe('series JSON text', () => {
  it('writes what JSON.stringify writes, for every kind of value', () => {
    const values = [0, -0, 7, 10, 99, 100, -1, -10, -12_345, 1_000_000, 123_456_789_012, Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER, 2 ** 53, 1e21, 12.5, -0.25, 1 / 3, null];
    const groups: SeriesGroup[] = [
      { key: {}, points: values.map((v, i) => ({ bucket: Date.UTC(2026, 0, 1) + i * DAY, values: [v, values[values.length - 1 - i]!] })) },
      { key: { city: 'Zürich "Altstadt"\n', 'h3:3': '833e1bfffffffff' }, points: [] },
      { key: { country: 'DE' }, points: [{ bucket: Date.UTC(2026, 0, 1, 13, 45), values: [1, null] }] },
    ];
    assert.equal(seriesJson(head, ['net_sales', 'avg_basket'], groups), reference(head, ['net_sales', 'avg_basket'], groups));
    assert.equal(seriesJson(head, ['net_sales'], []), reference(head, ['net_sales'], []));
  });

  it('writes large answers whole, and the bucket names kept from them into the next', () => {
    const big: SeriesGroup[] = Array.from({ length: 40 }, (_, g) => ({
      key: { store: `st_${String(g)}` },
      points: Array.from({ length: 400 }, (_, i) => ({ bucket: Date.UTC(2025, 0, 1) + i * 900_000, values: [g * 1_000_003 + i * 7919, -(i * 13)] })),
    }));
    const first = seriesJson(head, ['net_sales', 'refunds'], big);
    const want = reference(head, ['net_sales', 'refunds'], big);
    assert.ok(first.length > 64 * 1024, `an answer of ${String(first.length)} characters`);
    assert.equal(first, want);
    const again: SeriesGroup[] = [{ key: {}, points: [{ bucket: 0, values: [5] }, { bucket: big[0]!.points[3]!.bucket, values: [-6] }] }];
    assert.equal(seriesJson(head, ['sale_count'], again), reference(head, ['sale_count'], again));
  });
});
