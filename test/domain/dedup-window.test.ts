import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { crc32 } from '../../src/domain/crc32.js';
import { DedupIndex, DedupSnapshotError, type SeqVerdict } from '../../src/domain/dedup-window.js';

const W = 32;

/** An index where terminal T1 of tenant acme has seen exactly `seqs`, in order. */
function seeded(seqs: number[], w = W): DedupIndex {
  const idx = new DedupIndex(w);
  for (const s of seqs) assert.equal(idx.check('acme', 'T1', s), 'new');
  return idx;
}

void describe('DedupIndex verdicts', () => {
  void it('first seq is new, a repeat is a duplicate', () => {
    const idx = new DedupIndex();
    assert.equal(idx.windowSize, 1024);
    assert.equal(idx.check('acme', 'T1', 2000), 'new');
    assert.equal(idx.check('acme', 'T1', 2000), 'duplicate');
    assert.equal(idx.check('acme', 'T1', 977), 'new'); // 2000 − 1024 + 1
    assert.equal(idx.check('acme', 'T1', 976), 'out_of_window'); // 2000 − 1024
  });

  void it('window edges with H = 100, W = 32: H−W+1 is inside, H−W is out', () => {
    const idx = seeded([100]);
    assert.equal(idx.check('acme', 'T1', 100), 'duplicate'); // dup at H
    assert.equal(idx.check('acme', 'T1', 69), 'new'); // H − W + 1
    assert.equal(idx.check('acme', 'T1', 69), 'duplicate');
    assert.equal(idx.check('acme', 'T1', 68), 'out_of_window'); // H − W
    assert.equal(idx.check('acme', 'T1', 0), 'out_of_window');
  });

  void it('reordered seqs within the window are each new once', () => {
    const idx = seeded([100, 98, 99, 97, 101]);
    for (const s of [100, 98, 99, 97, 101]) assert.equal(idx.check('acme', 'T1', s), 'duplicate', String(s));
    assert.equal(idx.check('acme', 'T1', 96), 'new');
  });

  void it('a jump of W−1 keeps the old H inside the window', () => {
    const idx = seeded([100]);
    assert.equal(idx.check('acme', 'T1', 131), 'new');
    assert.equal(idx.check('acme', 'T1', 100), 'duplicate'); // 100 > 131 − 32
    assert.equal(idx.check('acme', 'T1', 99), 'out_of_window');
  });

  void it('a jump of exactly W clears the window: old H falls out, the seqs after it are new', () => {
    const idx = seeded([99, 100]);
    assert.equal(idx.check('acme', 'T1', 132), 'new');
    assert.equal(idx.check('acme', 'T1', 100), 'out_of_window'); // 100 = 132 − 32
    assert.equal(idx.check('acme', 'T1', 101), 'new');
    assert.equal(idx.check('acme', 'T1', 132), 'duplicate');
  });

  void it('a jump of W+1', () => {
    const idx = seeded([100]);
    assert.equal(idx.check('acme', 'T1', 133), 'new');
    assert.equal(idx.check('acme', 'T1', 101), 'out_of_window'); // 101 = 133 − 32
    assert.equal(idx.check('acme', 'T1', 102), 'new');
  });

  void it('sliding forgets exactly the seqs that left the window (their ring bits are reused)', () => {
    const seen = Array.from({ length: 31 }, (_, k) => 70 + k); // 70..100
    const idx = seeded(seen);
    assert.equal(idx.check('acme', 'T1', 110), 'new'); // window now (78, 110]
    for (let s = 79; s <= 100; s++) assert.equal(idx.check('acme', 'T1', s), 'duplicate', String(s));
    // 102 shares its ring bit with 70, which was seen; it must still be new.
    for (let s = 101; s <= 109; s++) assert.equal(idx.check('acme', 'T1', s), 'new', String(s));
    assert.equal(idx.check('acme', 'T1', 78), 'out_of_window');
  });

  void it('a huge jump and the extremes of seq', () => {
    const idx = seeded([0]);
    assert.equal(idx.check('acme', 'T1', Number.MAX_SAFE_INTEGER), 'new');
    assert.equal(idx.check('acme', 'T1', Number.MAX_SAFE_INTEGER), 'duplicate');
    assert.equal(idx.check('acme', 'T1', Number.MAX_SAFE_INTEGER - 31), 'new');
    assert.equal(idx.check('acme', 'T1', Number.MAX_SAFE_INTEGER - 32), 'out_of_window');
    for (const bad of [-1, 1.5, Number.NaN, 2 ** 53]) assert.throws(() => idx.check('acme', 'T1', bad), RangeError);
  });

  void it('keeps tenants and terminals apart, even with the same terminal_id', () => {
    const idx = new DedupIndex(W);
    assert.equal(idx.check('acme', 'T1', 5), 'new');
    assert.equal(idx.check('globex', 'T1', 5), 'new');
    assert.equal(idx.check('acme', 'T2', 5), 'new');
    assert.equal(idx.check('acme', 'T1', 5), 'duplicate');
    assert.equal(idx.check('globex', 'T1', 5), 'duplicate');
    // Keys that would collide if tenant and terminal were simply concatenated.
    assert.equal(idx.check('ab', 'c', 1), 'new');
    assert.equal(idx.check('a', 'bc', 1), 'new');
    assert.equal(idx.terminalCount, 5);
  });

  void it('validates the window size', () => {
    for (const w of [0, 16, 31, 33, 48.5, -32, 2 ** 21]) assert.throws(() => new DedupIndex(w), RangeError, String(w));
    assert.equal(new DedupIndex(32).windowSize, 32);
    assert.equal(new DedupIndex(4096).windowSize, 4096);
  });
});

void describe('DedupIndex memory', () => {
  void it('1M checks over 100 terminals: 100 terminals, constant memory', () => {
    const idx = new DedupIndex();
    for (let t = 0; t < 100; t++) idx.check('acme', `T${String(t)}`, 0);
    const before = idx.memoryBytes();
    let seq = 1;
    for (let n = 0; n < 1_000_000; n++) {
      idx.check('acme', `T${String(n % 100)}`, seq);
      if (n % 100 === 99) seq++;
    }
    assert.equal(idx.terminalCount, 100);
    assert.equal(idx.memoryBytes(), before);
  });

  void it('grows with terminals', () => {
    const idx = new DedupIndex();
    for (let t = 0; t < 100; t++) idx.check('acme', `T${String(t)}`, 1);
    const hundred = idx.memoryBytes();
    for (let t = 100; t < 1000; t++) idx.check('acme', `T${String(t)}`, 1);
    assert.equal(idx.terminalCount, 1000);
    // At least the window bits themselves: 1024 bits = 128 bytes per terminal.
    assert.ok(idx.memoryBytes() - hundred >= 900 * 128, `${String(hundred)} → ${String(idx.memoryBytes())}`);
  });
});

void describe('DedupIndex snapshot', () => {
  function busyIndex(): DedupIndex {
    const idx = new DedupIndex(64);
    let seed = 7;
    const rnd = (n: number): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return (seed >>> 8) % n;
    };
    for (let n = 0; n < 5000; n++) idx.check(`tenant-${String(rnd(3))}`, `T-ü-${String(rnd(40))}`, 1000 + rnd(400));
    return idx;
  }

  void it('restore preserves every verdict', () => {
    const a = busyIndex();
    const b = DedupIndex.restore(a.snapshot());
    assert.equal(b.windowSize, 64);
    assert.equal(b.terminalCount, a.terminalCount);
    assert.equal(b.memoryBytes(), a.memoryBytes());
    assert.deepStrictEqual(b.snapshot(), a.snapshot());
    const verdicts = (idx: DedupIndex): SeqVerdict[] => {
      const out: SeqVerdict[] = [];
      for (let t = 0; t < 3; t++) for (let k = 0; k < 41; k++) for (let s = 900; s < 1500; s += 7) out.push(idx.check(`tenant-${String(t)}`, `T-ü-${String(k)}`, s));
      return out;
    };
    const va = verdicts(a);
    assert.deepStrictEqual(verdicts(b), va);
    assert.ok(va.includes('new') && va.includes('duplicate') && va.includes('out_of_window'));
  });

  void it('an empty index round-trips', () => {
    const b = DedupIndex.restore(new DedupIndex(128).snapshot());
    assert.equal(b.windowSize, 128);
    assert.equal(b.terminalCount, 0);
  });

  void it('rejects truncated, corrupted and foreign input with a clear error', () => {
    const snap = busyIndex().snapshot();
    const rejects = (bytes: Uint8Array, pattern: RegExp): void => {
      assert.throws(() => DedupIndex.restore(bytes), (e: unknown) => e instanceof DedupSnapshotError && e.code === 'dedup_snapshot_invalid' && pattern.test(e.message));
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
    version[4] = 2;
    rejects(version, /unsupported version 2/);
    // Valid checksum, inconsistent content: the header claims one more terminal.
    const lying = snap.slice();
    const view = new DataView(lying.buffer);
    view.setUint32(16, view.getUint32(16, true) + 1, true);
    view.setUint32(lying.length - 4, crc32(lying, 0, lying.length - 4), true);
    rejects(lying, /header says/);
  });
});

void describe('crc32', () => {
  void it('matches the standard check value', () => assert.equal(crc32(new TextEncoder().encode('123456789')), 0xcbf43926));
});
