import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { BytesTable } from '../../src/ingest/bytes-table.js';

describe('BytesTable', () => {
  it('maps byte ranges to numbers through growth, like a Map of their strings', () => {
    const t = new BytesTable(4);
    const ref = new Map<string, number>();
    const buf = Buffer.alloc(64);
    for (let i = 0; i < 5000; i++) {
      const key = `T-${String(i % 3001)}-ü${String(i % 7)}`;
      const n = buf.write(key, 8);
      t.set(buf, 8, 8 + n, i);
      ref.set(key, i);
    }
    assert.equal(t.size, ref.size);
    for (const [k, v] of ref) {
      const b = Buffer.from(`xx${k}yy`);
      assert.equal(t.get(b, 2, b.length - 2, -1), v);
    }
    const long = Buffer.from(`${'x'.repeat(60)}-ü`);
    t.set(long, 0, long.length, 42);
    assert.equal(t.get(Buffer.from(long), 0, long.length, -1), 42);
    assert.equal(t.get(long, 0, long.length - 1, -1), -1);
    const miss = Buffer.from('T-3001-ü0');
    assert.equal(t.get(miss, 0, miss.length, -1), -1);
    assert.equal(t.get(miss, 0, 0, -7), -7);
  });
});
