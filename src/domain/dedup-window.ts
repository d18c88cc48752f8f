/**
 * Per-terminal idempotency: is `(tenant, terminal_id, seq)` new, a
 * duplicate, or too old to tell? (DOMAIN.md, "Idempotency".)
 *
 * Each terminal keeps a high-water mark H (the largest seq accepted) and a
 * W-bit window of which seqs in (H − W, H] have been seen — the scheme of
 * IPsec's anti-replay window (RFC 4303 §3.4.3) and Kafka's idempotent
 * producer. For a seq s:
 *   - first seq of a terminal        → new
 *   - s > H                          → new; the window slides to end at s
 *                                      (cleared entirely when s − H ≥ W)
 *   - H − W < s ≤ H                  → duplicate if its bit is set, else new
 *   - s ≤ H − W                      → out_of_window (cannot be proven new)
 *
 * The bitmap is a ring: seq s lives at bit s mod W, so sliding the window
 * only clears the bits of the seqs that fell out. State lives in typed
 * arrays indexed by a slot number (8 bytes of H + W/8 bytes of bits per
 * terminal), which grow by doubling; memory grows with terminals, never
 * with transactions.
 */
import { crc32 } from './crc32.js';

export type SeqVerdict = 'new' | 'duplicate' | 'out_of_window';

/** A snapshot that cannot be restored: truncated, corrupted or from an unknown version. */
export class DedupSnapshotError extends Error {
  override readonly name = 'DedupSnapshotError';
  readonly code = 'dedup_snapshot_invalid';
}

const DEFAULT_WINDOW = 1024;
/** 2^20 seqs = 128 KiB per terminal; a bigger window is a configuration mistake. */
const MAX_WINDOW = 1 << 20;
const INITIAL_SLOTS = 16;
/** Rough V8 cost of one Map entry plus its key string header, for memoryBytes(). */
const MAP_ENTRY_BYTES = 48;
const MAP_BYTES = 160;

export class DedupIndex {
  readonly windowSize: number;
  /** 32-bit words per terminal bitmap. */
  private readonly words: number;
  private high: Float64Array;
  private bits: Uint32Array;
  private count = 0;
  private keyBytes = 0;
  /** Nested maps: no string concatenation per check, and tenants cannot collide. */
  private readonly slots = new Map<string, Map<string, number>>();

  /**
   * @param windowSize W, how many seqs below the high-water mark are remembered:
   *   a multiple of 32, at least 32 (default 1024).
   * @example const idx = new DedupIndex(1024)
   */
  constructor(windowSize: number = DEFAULT_WINDOW) {
    if (!Number.isInteger(windowSize) || windowSize < 32 || windowSize % 32 !== 0 || windowSize > MAX_WINDOW) {
      throw new RangeError(`windowSize must be a multiple of 32 between 32 and ${String(MAX_WINDOW)}, got ${String(windowSize)}`);
    }
    this.windowSize = windowSize;
    this.words = windowSize / 32;
    this.high = new Float64Array(INITIAL_SLOTS);
    this.bits = new Uint32Array(INITIAL_SLOTS * this.words);
  }

  /** Number of distinct (tenant, terminal) pairs seen. */
  get terminalCount(): number {
    return this.count;
  }

  /**
   * Classifies `seq` for a terminal and records it when it is new.
   * Throws RangeError if `seq` is not an integer 0 … 2^53−1.
   * @example
   * idx.check('acme', 'T1', 5) // 'new'
   * idx.check('acme', 'T1', 5) // 'duplicate'
   * idx.check('acme', 'T1', 4) // 'new' (inside the window, not seen before)
   */
  check(tenant: string, terminalId: string, seq: number): SeqVerdict {
    if (!Number.isSafeInteger(seq) || seq < 0) throw new RangeError(`seq must be an integer 0..${String(Number.MAX_SAFE_INTEGER)}, got ${String(seq)}`);
    let terminals = this.slots.get(tenant);
    if (terminals === undefined) {
      terminals = new Map();
      this.slots.set(tenant, terminals);
      this.keyBytes += tenant.length * 2;
    }
    const slot = terminals.get(terminalId);
    if (slot === undefined) {
      const s = this.allocate();
      terminals.set(terminalId, s);
      this.keyBytes += terminalId.length * 2;
      this.high[s] = seq;
      this.setBit(s, seq);
      return 'new';
    }
    const h = this.high[slot]!;
    const w = this.windowSize;
    if (seq > h) {
      if (seq - h >= w) this.bits.fill(0, slot * this.words, (slot + 1) * this.words);
      else this.clearRange(slot, h + 1, seq - h);
      this.high[slot] = seq;
      this.setBit(slot, seq);
      return 'new';
    }
    if (seq <= h - w) return 'out_of_window';
    const pos = seq % w;
    const at = slot * this.words + (pos >>> 5);
    const mask = 1 << (pos & 31);
    if ((this.bits[at]! & mask) !== 0) return 'duplicate';
    this.bits[at] = this.bits[at]! | mask;
    return 'new';
  }

  /**
   * Approximate heap bytes held: the typed arrays exactly, plus an estimate
   * for the maps and their keys. Depends on the number of terminals only.
   */
  memoryBytes(): number {
    return this.high.byteLength + this.bits.byteLength + this.slots.size * MAP_BYTES + this.count * MAP_ENTRY_BYTES + this.keyBytes;
  }

  private allocate(): number {
    const slot = this.count++;
    if (slot === this.high.length) {
      const high = new Float64Array(this.high.length * 2);
      high.set(this.high);
      this.high = high;
      const bits = new Uint32Array(this.bits.length * 2);
      bits.set(this.bits);
      this.bits = bits;
    }
    return slot;
  }

  private setBit(slot: number, seq: number): void {
    const pos = seq % this.windowSize;
    const at = slot * this.words + (pos >>> 5);
    this.bits[at] = this.bits[at]! | (1 << (pos & 31));
  }

  /** Clears the ring bits of `count` (< W) consecutive seqs starting at `from`, a word at a time where possible. */
  private clearRange(slot: number, from: number, count: number): void {
    const base = slot * this.words;
    let pos = from % this.windowSize;
    while (count > 0) {
      const bit = pos & 31;
      // W is a multiple of 32, so a word never straddles the end of the ring.
      const take = Math.min(32 - bit, count);
      const mask = (0xffffffff >>> (32 - take)) << bit;
      const at = base + (pos >>> 5);
      this.bits[at] = this.bits[at]! & ~mask;
      pos += take;
      if (pos === this.windowSize) pos = 0;
      count -= take;
    }
  }

  /**
   * Serialises the whole index (format below) so a restart can resume
   * without replaying the log from the beginning.
   *
   *   "TPDW" u8 version=1, 3 zero bytes, u32 W, u32 tenants, u32 terminals
   *   per tenant:   u32 len, UTF-8 name, u32 terminals
   *   per terminal: u32 len, UTF-8 id, f64 H, W/32 × u32 bitmap words
   *   u32 CRC-32 of everything before it
   * All integers little-endian.
   * @example const copy = DedupIndex.restore(idx.snapshot())
   */
  snapshot(): Uint8Array {
    const enc = new TextEncoder();
    const parts: Uint8Array[] = [];
    let size = HEADER_BYTES + 4;
    for (const [tenant, terminals] of this.slots) {
      const t = enc.encode(tenant);
      parts.push(t);
      size += 8 + t.length;
      for (const id of terminals.keys()) {
        const b = enc.encode(id);
        parts.push(b);
        size += 4 + b.length + 8 + this.words * 4;
      }
    }
    const out = new Uint8Array(size);
    const view = new DataView(out.buffer);
    out.set(MAGIC, 0);
    out[4] = SNAPSHOT_VERSION;
    view.setUint32(8, this.windowSize, true);
    view.setUint32(12, this.slots.size, true);
    view.setUint32(16, this.count, true);
    let at = HEADER_BYTES;
    let part = 0;
    for (const terminals of this.slots.values()) {
      at = putBytes(out, view, at, parts[part++]!);
      view.setUint32(at, terminals.size, true);
      at += 4;
      for (const slot of terminals.values()) {
        at = putBytes(out, view, at, parts[part++]!);
        view.setFloat64(at, this.high[slot]!, true);
        at += 8;
        for (let k = 0; k < this.words; k++, at += 4) view.setUint32(at, this.bits[slot * this.words + k]!, true);
      }
    }
    view.setUint32(at, crc32(out, 0, at), true);
    return out;
  }

  /**
   * Rebuilds an index from {@link snapshot} output. Throws DedupSnapshotError
   * naming the problem for truncated, corrupted or unknown-version input;
   * never returns a partially restored index.
   */
  static restore(bytes: Uint8Array): DedupIndex {
    const bad = (why: string): DedupSnapshotError => new DedupSnapshotError(`dedup snapshot rejected: ${why}`);
    if (bytes.length < HEADER_BYTES + 4) throw bad(`${String(bytes.length)} bytes is shorter than the header`);
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    for (let k = 0; k < MAGIC.length; k++) if (bytes[k] !== MAGIC[k]) throw bad('not a dedup snapshot (bad magic)');
    if (bytes[4] !== SNAPSHOT_VERSION) throw bad(`unsupported version ${String(bytes[4])}`);
    const end = bytes.length - 4;
    const stored = view.getUint32(end, true);
    const actual = crc32(bytes, 0, end);
    if (stored !== actual) throw bad(`checksum mismatch (stored ${hex(stored)}, computed ${hex(actual)})`);
    const w = view.getUint32(8, true);
    if (w < 32 || w % 32 !== 0 || w > MAX_WINDOW) throw bad(`invalid window size ${String(w)}`);
    const idx = new DedupIndex(w);
    const tenantCount = view.getUint32(12, true);
    const terminalCount = view.getUint32(16, true);
    const dec = new TextDecoder('utf-8', { fatal: true });
    let at = HEADER_BYTES;
    const take = (n: number, what: string): number => {
      if (n > end - at) throw bad(`truncated in ${what}`);
      const start = at;
      at += n;
      return start;
    };
    const text = (what: string): string => {
      const len = view.getUint32(take(4, what), true);
      const start = take(len, what);
      try {
        return dec.decode(bytes.subarray(start, start + len));
      } catch {
        throw bad(`${what} is not UTF-8`);
      }
    };
    for (let t = 0; t < tenantCount; t++) {
      const tenant = text('tenant name');
      if (idx.slots.has(tenant)) throw bad(`tenant '${tenant}' appears twice`);
      const terminals = new Map<string, number>();
      idx.slots.set(tenant, terminals);
      idx.keyBytes += tenant.length * 2;
      const n = view.getUint32(take(4, 'terminal count'), true);
      for (let k = 0; k < n; k++) {
        const id = text('terminal id');
        if (terminals.has(id)) throw bad(`terminal '${id}' of tenant '${tenant}' appears twice`);
        const h = view.getFloat64(take(8, 'high-water mark'), true);
        if (!Number.isSafeInteger(h) || h < 0) throw bad(`high-water mark ${String(h)} of terminal '${id}' is not a seq`);
        const slot = idx.allocate();
        terminals.set(id, slot);
        idx.keyBytes += id.length * 2;
        idx.high[slot] = h;
        const words = take(idx.words * 4, 'bitmap');
        for (let j = 0; j < idx.words; j++) idx.bits[slot * idx.words + j] = view.getUint32(words + j * 4, true);
      }
    }
    if (at !== end) throw bad(`${String(end - at)} unexpected bytes after the last terminal`);
    if (idx.count !== terminalCount) throw bad(`header says ${String(terminalCount)} terminals, found ${String(idx.count)}`);
    return idx;
  }
}

const MAGIC = Uint8Array.from([0x54, 0x50, 0x44, 0x57]); // "TPDW"
const SNAPSHOT_VERSION = 1;
const HEADER_BYTES = 20;

function putBytes(out: Uint8Array, view: DataView, at: number, b: Uint8Array): number {
  view.setUint32(at, b.length, true);
  out.set(b, at + 4);
  return at + 4 + b.length;
}

function hex(n: number): string {
  return `0x${n.toString(16).padStart(8, '0')}`;
}
