import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Store } from '../../src/domain/store.js';
import { FirehoseOptionError } from '../../src/firehose/errors.js';
import { DEFAULT_MALFORMED_KINDS, MALFORMED_KINDS } from '../../src/firehose/malformed.js';
import { TenantRecordGenerator } from '../../src/firehose/record-generator.js';
import type { RecordOptions, TenantTruth } from '../../src/firehose/record-options.js';
import { generateWorld, type World } from '../../src/firehose/world.js';
import { checkLine } from './record-checker.js';

const DAY = 86_400_000;
const NOW = Date.parse('2027-06-01T00:00:00Z');

interface Tally {
  lines: number;
  unique: number;
  duplicates: number;
  malformed: Record<string, number>;
  /** Unique records sent after a record of the same terminal with a higher seq. */
  inversions: number;
  /** Largest number of higher-seq records of a terminal sent before an inverted one. */
  maxDistance: number;
  /** Unique records whose event time is over an hour before the latest event time already sent. */
  lateArrivals: number;
  voidsBeforeSale: number;
}

/** Reads a tenant's stream as an ingest would, and tallies what it should answer. */
function tally(world: World, tenantId: string, opts: RecordOptions): { t: Tally; truth: TenantTruth } {
  const tw = world.tenants.find((x) => x.tenant.tenant_id === tenantId)!;
  const registry = new Map<string, Store>(tw.stores.map((s) => [s.store_id, s]));
  const gen = new TenantRecordGenerator(world, tenantId, opts);
  const t: Tally = { lines: 0, unique: 0, duplicates: 0, malformed: {}, inversions: 0, maxDistance: 0, lateArrivals: 0, voidsBeforeSale: 0 };
  const seen = new Map<string, string>();
  const sentSeqs = new Map<string, number[]>();
  const txns = new Set<string>();
  let maxTs = -Infinity;
  for (let lines = gen.next(); lines !== null; lines = gen.next()) {
    for (const line of lines) {
      t.lines++;
      const v = checkLine(line, tenantId, registry, NOW);
      if (!v.ok) {
        t.malformed[v.code] = (t.malformed[v.code] ?? 0) + 1;
        continue;
      }
      const key = `${v.rec.terminal_id}|${v.rec.seq}`;
      const before = seen.get(key);
      if (before !== undefined) {
        assert.equal(line, before, 'a duplicate is an exact resend');
        t.duplicates++;
        continue;
      }
      seen.set(key, line);
      t.unique++;
      if (v.rec.type === 'void' && !txns.has(v.rec.ref_txn_id!)) t.voidsBeforeSale++;
      txns.add(v.rec.txn_id);
      if (v.tsMs < maxTs - 3_600_000) t.lateArrivals++;
      maxTs = Math.max(maxTs, v.tsMs);
      const seqs = sentSeqs.get(v.rec.terminal_id) ?? [];
      const higher = seqs.filter((s) => s > v.rec.seq).length;
      if (higher > 0) {
        t.inversions++;
        t.maxDistance = Math.max(t.maxDistance, higher);
      }
      seqs.push(v.rec.seq);
      sentSeqs.set(v.rec.terminal_id, seqs.slice(-32));
    }
  }
  return { t, truth: gen.truth };
}

describe('fault injection', () => {
  const world = generateWorld({ seed: 21, stores: 300 });
  const base = { start: '2026-06-01T00:00:00Z', durationMs: DAY, salesPerStoreDay: 150 } as const;

  it('injects no fault unless asked', () => {
    const { t, truth } = tally(world, 'acme', base);
    assert.deepEqual([t.duplicates, t.inversions, t.lateArrivals, Object.keys(t.malformed).length], [0, 0, 0, 0]);
    assert.equal(t.unique, truth.valid);
    assert.deepEqual([truth.duplicates, truth.late, truth.outOfOrder, truth.malformed], [0, 0, 0, {}]);
  });

  it('produces the malformed mix the ground truth announces, code by code', () => {
    const { t, truth } = tally(world, 'acme', { ...base, faults: { malformed: 0.05 } });
    assert.deepEqual(t.malformed, truth.malformed);
    assert.deepEqual(Object.keys(truth.malformed).sort(), [...DEFAULT_MALFORMED_KINDS].sort());
    for (const n of Object.values(truth.malformed)) assert.ok(n > 50, 'each kind drawn often');
    assert.equal(t.unique, truth.valid);
    assert.equal(t.lines, truth.lines);
    assert.equal(truth.lines, truth.valid + Object.values(truth.malformed).reduce((a, b) => a + b, 0));
  });

  it('can draw every malformed kind, including the optional ones', () => {
    const { t, truth } = tally(world, 'globex', { ...base, records: 20_000, faults: { malformed: 0.2, malformedKinds: MALFORMED_KINDS.filter((k) => k !== 'duplicate_field') } });
    // JSON.parse keeps the last of a repeated key, so the test checker cannot see duplicate_field; it is left out here.
    assert.deepEqual(t.malformed, truth.malformed);
    assert.equal(Object.keys(truth.malformed).length, MALFORMED_KINDS.length - 1);
  });

  it('resends exact copies of earlier lines and counts them', () => {
    const { t, truth } = tally(world, 'umbrella', { ...base, faults: { duplicates: 0.03 } });
    assert.equal(t.duplicates, truth.duplicates);
    assert.ok(truth.duplicates > 0.02 * truth.valid);
    assert.equal(t.unique, truth.valid);
    assert.equal(t.lines, truth.valid + truth.duplicates);
  });

  it('swaps nearby records of a terminal within the configured distance', () => {
    const { t, truth } = tally(world, 'acme', { ...base, faults: { outOfOrder: 0.05, outOfOrderDistance: 3 } });
    assert.equal(t.inversions, truth.outOfOrder);
    assert.ok(truth.outOfOrder > 0.02 * truth.valid, `${truth.outOfOrder} swaps`);
    assert.ok(t.maxDistance >= 1 && t.maxDistance <= 3, `distance ${t.maxDistance}`);
    assert.equal(t.unique, truth.valid);
    assert.equal(t.voidsBeforeSale, 0, 'a void never overtakes its sale');
  });

  it('holds an offline terminal backlog and sends it later with the original seq and ts', () => {
    const { t, truth } = tally(world, 'acme', { ...base, durationMs: 3 * DAY, faults: { late: 0.5, lateDurationMs: [2 * 3_600_000, 30 * 3_600_000] } });
    assert.ok(truth.late > 0.05 * truth.valid, `${truth.late} late of ${truth.valid}`);
    assert.ok(t.lateArrivals > 0.5 * truth.late, `${t.lateArrivals} arrivals over an hour late`);
    assert.equal(t.inversions, 0, 'a backlog keeps its seq order');
    assert.equal(t.unique, truth.valid);
    assert.equal(t.voidsBeforeSale, 0);
  });

  it('keeps every count exact with all faults at once', () => {
    const { t, truth } = tally(world, 'globex', { ...base, faults: { duplicates: 0.01, late: 0.3, outOfOrder: 0.01, malformed: 0.01 } });
    assert.equal(t.unique, truth.valid);
    assert.equal(t.duplicates, truth.duplicates);
    assert.deepEqual(t.malformed, truth.malformed);
    assert.equal(t.inversions, truth.outOfOrder);
    assert.equal(t.lines, truth.lines);
    assert.equal(t.voidsBeforeSale, 0);
  });

  it('writes the same bytes whatever the batch size, faults included', () => {
    const opts: RecordOptions = { ...base, faults: { duplicates: 0.02, late: 0.3, outOfOrder: 0.02, malformed: 0.02 } };
    const bytes = (minLines: number): Buffer => {
      const gen = new TenantRecordGenerator(world, 'umbrella', opts);
      const parts: Buffer[] = [];
      for (let c = gen.nextChunk(minLines); c !== null; c = gen.nextChunk(minLines)) parts.push(c.data);
      return Buffer.concat(parts);
    };
    assert.ok(bytes(1).equals(bytes(50_000)));
  });

  it('rejects fault options out of range, naming the key', () => {
    const bad = (faults: RecordOptions['faults']): (() => void) => () => new TenantRecordGenerator(world, 'acme', { ...base, faults });
    assert.throws(bad({ duplicates: 1.5 }), (e: unknown) => e instanceof FirehoseOptionError && e.key === 'faults.duplicates');
    assert.throws(bad({ outOfOrderDistance: 0, outOfOrder: 0.1 }), /faults.outOfOrderDistance/);
    assert.throws(bad({ malformedKinds: [] }), /faults.malformedKinds/);
    assert.throws(() => new TenantRecordGenerator(world, 'nobody', base), /'tenant' is "nobody"/);
  });
});
