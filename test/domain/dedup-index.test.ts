import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { crc32 } from '../../src/domain/crc32.js';
import { DedupIndex } from '../../src/domain/dedup-index.js';
import { DedupSnapshotError, dedupSnapshotVersion, restoreDedupIndex, snapshotDedupIndex } from '../../src/domain/dedup-snapshot.js';
import type { SeqVerdict } from '../../src/domain/seq-set.js';
import { v1DedupSnapshot } from '../support/v1-dedup-snapshot.js';

void describe('DedupIndex', () => {
  void it('a resend is a duplicate however old, and tenants and terminals stay apart', () => {
    const idx = new DedupIndex();
    assert.equal(idx.intervalBudget, 1024);
    for (let s = 0; s < 50_000; s++) assert.equal(idx.check('acme', 'T1', s), 'new');
    assert.equal(idx.check('acme', 'T1', 0), 'duplicate'); // 50,000 behind the newest
    assert.equal(idx.check('globex', 'T1', 0), 'new');
    assert.equal(idx.check('acme', 'T2', 0), 'new');
    // Keys that would collide if tenant and terminal were simply concatenated.
    assert.equal(idx.check('ab', 'c', 1), 'new');
    assert.equal(idx.check('a', 'bc', 1), 'new');
    assert.equal(idx.terminalCount, 5);
    assert.equal(idx.stats.intervals, 5);
    for (const bad of [-1, 1.5, Number.NaN, 2 ** 53]) assert.throws(() => idx.check('acme', 'T1', bad), RangeError);
  });

  void it('validates the budget', () => {
    for (const b of [0, -1, 1.5, 65_537]) assert.throws(() => new DedupIndex(b), RangeError, String(b));
    assert.equal(new DedupIndex(1).intervalBudget, 1);
    assert.equal(new DedupIndex(65_536).intervalBudget, 65_536);
  });

  void it('memory grows with gaps and terminals, not with transactions', () => {
    const idx = new DedupIndex();
    for (let t = 0; t < 100; t++) idx.check('acme', `T${String(t)}`, 0);
    const before = idx.memoryBytes();
    for (let s = 1; s <= 10_000; s++) for (let t = 0; t < 100; t++) idx.check('acme', `T${String(t)}`, s);
    assert.equal(idx.memoryBytes(), before); // a million records later
    idx.check('acme', 'T0', 20_000);
    const oneGap = idx.memoryBytes();
    assert.ok(oneGap > before + 16 && oneGap < before + 200, String(oneGap - before)); // a first gap: an interval and the set holding it
    idx.check('acme', 'T0', 30_000);
    assert.equal(idx.memoryBytes(), oneGap + 16); // every further gap: one interval
    for (let s = 10_001; s < 30_000; s++) idx.check('acme', 'T0', s);
    assert.equal(idx.memoryBytes(), before); // the gaps filled: one interval again, and the set let go
  });
});

/** Terminals with gaps, floors (budget 4) and several tenants, deterministic. */
function busyIndex(budget = 4): DedupIndex {
  const idx = new DedupIndex(budget);
  let seed = 7;
  const rnd = (n: number): number => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return (seed >>> 8) % n;
  };
  for (let n = 0; n < 5000; n++) idx.check(`tenant-${String(rnd(3))}`, `T-ü-${String(rnd(40))}`, 1000 + rnd(400));
  idx.check('tenant-0', 'huge', Number.MAX_SAFE_INTEGER);
  return idx;
}

function verdicts(idx: DedupIndex): SeqVerdict[] {
  const out: SeqVerdict[] = [];
  for (let t = 0; t < 3; t++) for (let k = 0; k < 41; k++) for (let s = 900; s < 1500; s += 7) out.push(idx.check(`tenant-${String(t)}`, `T-ü-${String(k)}`, s));
  return out;
}

void describe('dedup snapshot, version 2', () => {
  void it('restore preserves every verdict, interval and counter', () => {
    const a = busyIndex();
    assert.ok(a.stats.atBudget > 0 && a.stats.intervals > 0);
    const snap = snapshotDedupIndex(a);
    assert.equal(dedupSnapshotVersion(snap), 2);
    const b = restoreDedupIndex(snap, 4);
    assert.equal(b.terminalCount, a.terminalCount);
    assert.deepEqual({ ...b.stats, floorMerges: 0 }, { ...a.stats, floorMerges: 0 });
    assert.equal(b.memoryBytes(), a.memoryBytes());
    assert.deepStrictEqual(snapshotDedupIndex(b), snap);
    assert.deepEqual(b.terminal('tenant-0', 'huge')?.intervals(), [Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER]);
    const va = verdicts(a);
    assert.deepStrictEqual(verdicts(b), va);
    assert.ok(va.includes('new') && va.includes('duplicate') && va.includes('out_of_window'));
  });

  void it('is compact: a contiguous till of a million records costs its id and a few bytes', () => {
    const idx = new DedupIndex();
    for (let s = 1; s <= 1_000_000; s++) idx.check('acme', 'S0001-T1', s);
    // 20 header + (4 + 4) tenant + u32 count + (4 + 8) id + n, floor flag, 2 varints (1 and 3 bytes) + 4 CRC
    assert.equal(snapshotDedupIndex(idx).length, 20 + 8 + 4 + 12 + 1 + 1 + 1 + 3 + 4);
  });

  void it('a lower budget at restore merges the oldest intervals into the floor', () => {
    const idx = new DedupIndex(8);
    for (const s of [1, 3, 5, 7, 9]) idx.check('acme', 'T', s);
    const b = restoreDedupIndex(snapshotDedupIndex(idx), 2);
    const set = b.terminal('acme', 'T')!;
    assert.deepEqual([set.floorLo, set.floorHi, ...set.intervals()], [1, 5, 7, 7, 9, 9]);
    assert.equal(b.check('acme', 'T', 4), 'out_of_window');
    assert.equal(b.check('acme', 'T', 7), 'duplicate');
  });

  void it('an empty index round-trips', () => {
    const b = restoreDedupIndex(snapshotDedupIndex(new DedupIndex(128)), 128);
    assert.equal(b.terminalCount, 0);
  });

  void it('rejects truncated, corrupted and foreign input with a clear error', () => {
    const snap = snapshotDedupIndex(busyIndex());
    const rejects = (bytes: Uint8Array, pattern: RegExp): void => {
      assert.throws(() => restoreDedupIndex(bytes, 4), (e: unknown) => e instanceof DedupSnapshotError && e.code === 'dedup_snapshot_invalid' && pattern.test(e.message));
    };
    const resealed = (b: Uint8Array): Uint8Array => {
      new DataView(b.buffer).setUint32(b.length - 4, crc32(b, 0, b.length - 4), true);
      return b;
    };
    rejects(new Uint8Array(0), /shorter than the header/);
    rejects(snap.subarray(0, snap.length - 1), /checksum mismatch/);
    const flipped = snap.slice();
    flipped[snap.length >> 1]! ^= 0x10;
    rejects(flipped, /checksum mismatch/);
    const magic = snap.slice();
    magic[0] = 0x58;
    rejects(magic, /bad magic/);
    const version = snap.slice();
    version[4] = 3;
    rejects(resealed(version), /unsupported version 3/);
    // Valid checksum, inconsistent content: the header claims one more terminal.
    const lying = snap.slice();
    const view = new DataView(lying.buffer);
    view.setUint32(16, view.getUint32(16, true) + 1, true);
    rejects(resealed(lying), /header says/);
    // Cut after the header and re-sealed: truncated inside the content.
    const cut = new Uint8Array(40);
    cut.set(snap.subarray(0, 36));
    rejects(resealed(cut), /truncated|more than its bytes|unexpected bytes/);
  });

  void it('rejects intervals that touch or run past 2^53 - 1', () => {
    // One terminal 'T' of tenant 'a', no floor, two intervals [0,0] and [1,1] (delta 0: touching).
    const body = [...u32(1), 0x61, ...u32(1), ...u32(1), 0x54, 2, 0, 0, 0, 0, 0];
    rejects2(body, /touch at 0/);
    const far = [...u32(1), 0x61, ...u32(1), ...u32(1), 0x54, 1, 0, ...varint(Number.MAX_SAFE_INTEGER), 1];
    rejects2(far, /past 2\^53 - 1/);
  });
});

function u32(n: number): number[] {
  return [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, n >>> 24];
}
function varint(v: number): number[] {
  const out: number[] = [];
  while (v >= 128) {
    out.push((v % 128) | 128);
    v = Math.floor(v / 128);
  }
  out.push(v);
  return out;
}
/** A v2 snapshot of one tenant and one terminal from raw body bytes. */
function v2(body: number[]): Uint8Array {
  const b = Uint8Array.from([0x54, 0x50, 0x44, 0x57, 2, 0, 0, 0, ...u32(1024), ...u32(1), ...u32(1), ...body, 0, 0, 0, 0]);
  new DataView(b.buffer).setUint32(b.length - 4, crc32(b, 0, b.length - 4), true);
  return b;
}
function rejects2(body: number[], pattern: RegExp): void {
  assert.throws(() => restoreDedupIndex(v2(body), 1024), (e: unknown) => e instanceof DedupSnapshotError && pattern.test(e.message));
}

void describe('dedup snapshot, version 1 (fixed window of earlier releases)', () => {
  void it('is read: seen bits become intervals, everything at or below H − W the floor', () => {
    const snap = v1DedupSnapshot(32, [
      { tenant: 'acme', id: 'T1', seen: [60, 61, 62, 70, 90, 99, 100] }, // H = 100, window (68, 100]
      { tenant: 'acme', id: 'T2', seen: [3, 5] }, // H = 5 < W: no floor
    ]);
    assert.equal(dedupSnapshotVersion(snap), 1);
    const idx = restoreDedupIndex(snap, 1024);
    const t1 = idx.terminal('acme', 'T1')!;
    assert.deepEqual([t1.floorLo, t1.floorHi, ...t1.intervals()], [0, 68, 70, 70, 90, 90, 99, 100]);
    const t2 = idx.terminal('acme', 'T2')!;
    assert.deepEqual([t2.hasFloor, ...t2.intervals()], [false, 3, 3, 5, 5]);
    // The same verdicts the window gave, and from now on nothing slides out.
    assert.equal(idx.check('acme', 'T1', 61), 'out_of_window');
    assert.equal(idx.check('acme', 'T1', 69), 'new');
    assert.equal(idx.check('acme', 'T1', 70), 'duplicate');
    assert.equal(idx.check('acme', 'T1', 5000), 'new');
    assert.equal(idx.check('acme', 'T1', 99), 'duplicate');
    assert.equal(idx.check('acme', 'T2', 4), 'new');
    assert.equal(idx.check('acme', 'T2', 3), 'duplicate');
    // Written back in version 2.
    assert.equal(dedupSnapshotVersion(snapshotDedupIndex(idx)), 2);
  });

  void it('rejects a v1 bitmap without its high-water mark and an invalid window', () => {
    const snap = v1DedupSnapshot(32, [{ tenant: 'acme', id: 'T1', seen: [10, 12] }]);
    const noHigh = snap.slice();
    // The bitmap is the last 4 bytes before the CRC; clear bit 12.
    const view = new DataView(noHigh.buffer);
    view.setUint32(noHigh.length - 8, view.getUint32(noHigh.length - 8, true) & ~(1 << 12), true);
    view.setUint32(noHigh.length - 4, crc32(noHigh, 0, noHigh.length - 4), true);
    assert.throws(() => restoreDedupIndex(noHigh, 1024), /lacks its high-water mark 12/);
    const badW = snap.slice();
    new DataView(badW.buffer).setUint32(8, 48, true);
    new DataView(badW.buffer).setUint32(badW.length - 4, crc32(badW, 0, badW.length - 4), true);
    assert.throws(() => restoreDedupIndex(badW, 1024), /invalid window size 48/);
  });
});
