/**
 * The bytes of a {@link DedupIndex}, so a restart resumes without replaying
 * the log from the beginning.
 *
 * Version 2 (written now):
 *
 *   "TPDW" u8 version=2, 3 zero bytes, u32 interval budget, u32 tenants, u32 terminals
 *   per tenant:   u32 len, UTF-8 name, u32 terminals
 *   per terminal: u32 len, UTF-8 id, varint n (intervals), u8 floor (0 | 1),
 *                 [varint floorLo, varint floorHi − floorLo]  when floor = 1,
 *                 n × (varint lo − prev − 1, varint hi − lo)
 *                 where prev is the previous interval's hi, else floorHi, else −1
 *   u32 CRC-32 of everything before it
 *
 * Fixed-width integers are little-endian; a varint is unsigned LEB128 of
 * up to 8 bytes (53 bits). Deltas keep it small: a contiguous till is one
 * interval, 3 to 10 bytes whatever its seqs.
 *
 * Version 1 (the fixed window of earlier releases: per terminal f64 H and a
 * W-bit bitmap of (H − W, H]) is still read. It knew nothing below H − W,
 * so [0, H − W] becomes the floor; the seen bits become intervals. Callers
 * that still hold the whole log should rebuild from it instead
 * (ingest/dedup-snapshots.ts does).
 */
import { crc32 } from './crc32.js';
import { DedupIndex } from './dedup-index.js';

/** A snapshot that cannot be restored: truncated, corrupted or from an unknown version. */
export class DedupSnapshotError extends Error {
  override readonly name = 'DedupSnapshotError';
  readonly code = 'dedup_snapshot_invalid';
}

const MAGIC = Uint8Array.from([0x54, 0x50, 0x44, 0x57]); // "TPDW"
export const DEDUP_SNAPSHOT_VERSION = 2;
const HEADER_BYTES = 20;
/** Largest v1 window (2^20 seqs) a release ever accepted. */
const V1_MAX_WINDOW = 1 << 20;
/** Worst case per interval: two 8-byte varints. */
const MAX_INTERVAL_BYTES = 16;
/** Worst case per terminal besides its id and intervals: u32 len, varint n, floor byte, two varints. */
const MAX_TERMINAL_BYTES = 4 + 3 + 1 + 16;

/** The format version of snapshot bytes (1 or 2), or null if they are not a dedup snapshot. */
export function dedupSnapshotVersion(bytes: Uint8Array): number | null {
  if (bytes.length < HEADER_BYTES + 4) return null;
  for (let k = 0; k < MAGIC.length; k++) if (bytes[k] !== MAGIC[k]) return null;
  return bytes[4]!;
}

/**
 * Serialises the whole index in version 2.
 * @example const copy = restoreDedupIndex(snapshotDedupIndex(idx), idx.intervalBudget)
 */
export function snapshotDedupIndex(idx: DedupIndex): Uint8Array {
  const enc = new TextEncoder();
  const names: Uint8Array[] = [];
  let size = HEADER_BYTES + 4;
  let tenants = 0;
  for (const [tenant, terminals] of idx.tenants()) {
    const t = enc.encode(tenant);
    names.push(t);
    tenants++;
    size += 8 + t.length;
    for (const [id, slot] of terminals) {
      const b = enc.encode(id);
      names.push(b);
      size += MAX_TERMINAL_BYTES + b.length + idx.seqsAt(slot).size * MAX_INTERVAL_BYTES;
    }
  }
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  out.set(MAGIC, 0);
  out[4] = DEDUP_SNAPSHOT_VERSION;
  view.setUint32(8, idx.intervalBudget, true);
  view.setUint32(12, tenants, true);
  view.setUint32(16, idx.terminalCount, true);
  let at = HEADER_BYTES;
  let name = 0;
  for (const [, terminals] of idx.tenants()) {
    at = putBytes(out, view, at, names[name++]!);
    view.setUint32(at, terminals.size, true);
    at += 4;
    for (const slot of terminals.values()) {
      const set = idx.seqsAt(slot);
      at = putBytes(out, view, at, names[name++]!);
      const pairs = set.intervals();
      at = putVarint(out, at, pairs.length >> 1);
      let prev = -1;
      if (set.hasFloor) {
        out[at++] = 1;
        at = putVarint(out, at, set.floorLo);
        at = putVarint(out, at, set.floorHi - set.floorLo);
        prev = set.floorHi;
      } else out[at++] = 0;
      for (let k = 0; k < pairs.length; k += 2) {
        const lo = pairs[k]!;
        const hi = pairs[k + 1]!;
        at = putVarint(out, at, lo - prev - 1);
        at = putVarint(out, at, hi - lo);
        prev = hi;
      }
    }
  }
  view.setUint32(at, crc32(out, 0, at), true);
  // A copy of the used part: the worst-case buffer can be several times larger.
  return out.slice(0, at + 4);
}

/**
 * Rebuilds an index from snapshot bytes of version 1 or 2, with
 * `intervalBudget` (the configured one; if lower than the snapshot's, the
 * oldest intervals of each terminal are merged into its floor). Throws
 * DedupSnapshotError naming the problem for truncated, corrupted or
 * unknown-version input; never returns a partially restored index.
 */
export function restoreDedupIndex(bytes: Uint8Array, intervalBudget: number): DedupIndex {
  const r = new SnapshotReader(bytes);
  const version = bytes[4];
  if (version !== 1 && version !== DEDUP_SNAPSHOT_VERSION) throw r.bad(`unsupported version ${String(version)}`);
  const param = r.view.getUint32(8, true);
  if (version === 1 && (param < 32 || param % 32 !== 0 || param > V1_MAX_WINDOW)) throw r.bad(`invalid window size ${String(param)}`);
  const idx = new DedupIndex(intervalBudget);
  const tenantCount = r.view.getUint32(12, true);
  const terminalCount = r.view.getUint32(16, true);
  const pairs: number[] = [];
  const seen = new Set<string>();
  for (let t = 0; t < tenantCount; t++) {
    const tenant = r.text('tenant name');
    if (seen.has(tenant)) throw r.bad(`tenant '${tenant}' appears twice`);
    seen.add(tenant);
    const n = r.u32('terminal count');
    for (let k = 0; k < n; k++) {
      const id = r.text('terminal id');
      if (idx.terminal(tenant, id) !== undefined) throw r.bad(`terminal '${id}' of tenant '${tenant}' appears twice`);
      pairs.length = 0;
      const floor = version === 1 ? r.v1Terminal(id, param, pairs) : r.v2Terminal(id, pairs);
      idx.restore(tenant, id, floor.lo, floor.hi, pairs);
    }
  }
  if (r.at !== r.end) throw r.bad(`${String(r.end - r.at)} unexpected bytes after the last terminal`);
  if (idx.terminalCount !== terminalCount) throw r.bad(`header says ${String(terminalCount)} terminals, found ${String(idx.terminalCount)}`);
  return idx;
}

/** Bounds-checked reads over the snapshot bytes; every failure names what was being read. */
class SnapshotReader {
  readonly view: DataView;
  readonly end: number;
  at = HEADER_BYTES;
  private readonly dec = new TextDecoder('utf-8', { fatal: true });

  constructor(private readonly bytes: Uint8Array) {
    if (bytes.length < HEADER_BYTES + 4) throw this.bad(`${String(bytes.length)} bytes is shorter than the header`);
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    for (let k = 0; k < MAGIC.length; k++) if (bytes[k] !== MAGIC[k]) throw this.bad('not a dedup snapshot (bad magic)');
    this.end = bytes.length - 4;
    const stored = this.view.getUint32(this.end, true);
    const actual = crc32(bytes, 0, this.end);
    if (stored !== actual) throw this.bad(`checksum mismatch (stored ${hex(stored)}, computed ${hex(actual)})`);
  }

  bad(why: string): DedupSnapshotError {
    return new DedupSnapshotError(`dedup snapshot rejected: ${why}`);
  }

  private take(n: number, what: string): number {
    if (n > this.end - this.at) throw this.bad(`truncated in ${what}`);
    const start = this.at;
    this.at += n;
    return start;
  }

  u32(what: string): number {
    return this.view.getUint32(this.take(4, what), true);
  }

  text(what: string): string {
    const len = this.u32(what);
    const start = this.take(len, what);
    try {
      return this.dec.decode(this.bytes.subarray(start, start + len));
    } catch {
      throw this.bad(`${what} is not UTF-8`);
    }
  }

  varint(what: string): number {
    let v = 0;
    let scale = 1;
    for (let k = 0; k < 8; k++) {
      if (this.at >= this.end) throw this.bad(`truncated in ${what}`);
      const b = this.bytes[this.at++]!;
      v += (b & 0x7f) * scale;
      if (b < 0x80) {
        if (!Number.isSafeInteger(v)) break;
        return v;
      }
      scale *= 128;
    }
    throw this.bad(`${what} is not a varint of at most 53 bits`);
  }

  /** One v2 terminal: fills `pairs`, returns its floor (hi = -1 when none). */
  v2Terminal(id: string, pairs: number[]): { lo: number; hi: number } {
    const n = this.varint('interval count');
    // Each interval takes at least two bytes: a count past that is a lie, not a reason to loop.
    if (n > (this.end - this.at) / 2) throw this.bad(`terminal '${id}' claims ${String(n)} intervals, more than its bytes can hold`);
    const flag = this.bytes[this.take(1, 'floor flag')]!;
    if (flag > 1) throw this.bad(`floor flag ${String(flag)} of terminal '${id}' is not 0 or 1`);
    let lo = -1;
    let hi = -1;
    if (flag === 1) {
      lo = this.varint('floor');
      hi = this.seq(lo + this.varint('floor'), id);
    }
    let prev = hi;
    for (let k = 0; k < n; k++) {
      const d = this.varint('interval');
      // Intervals are disjoint and not adjacent; only the first may touch the floor or start at 0.
      if (k > 0 && d === 0) throw this.bad(`intervals of terminal '${id}' touch at ${String(prev)}`);
      const a = this.seq(prev + 1 + d, id);
      const b = this.seq(a + this.varint('interval'), id);
      pairs.push(a, b);
      prev = b;
    }
    return { lo, hi };
  }

  /** One v1 terminal (H and a W-bit ring bitmap): fills `pairs` from the set bits, returns the floor [0, H − W]. */
  v1Terminal(id: string, w: number, pairs: number[]): { lo: number; hi: number } {
    const h = this.view.getFloat64(this.take(8, 'high-water mark'), true);
    if (!Number.isSafeInteger(h) || h < 0) throw this.bad(`high-water mark ${String(h)} of terminal '${id}' is not a seq`);
    const words = this.take((w / 32) * 4, 'bitmap');
    const from = Math.max(0, h - w + 1);
    let open = false;
    for (let s = from; s <= h; s++) {
      const pos = s % w;
      const seen = (this.view.getUint32(words + (pos >>> 5) * 4, true) & (1 << (pos & 31))) !== 0;
      if (seen && !open) pairs.push(s, s);
      else if (seen) pairs[pairs.length - 1] = s;
      open = seen;
    }
    // H itself was always accepted; a bitmap without its bit is corrupt.
    if (pairs[pairs.length - 1] !== h) throw this.bad(`bitmap of terminal '${id}' lacks its high-water mark ${String(h)}`);
    return h - w >= 0 ? { lo: 0, hi: h - w } : { lo: -1, hi: -1 };
  }

  private seq(v: number, id: string): number {
    if (!Number.isSafeInteger(v)) throw this.bad(`terminal '${id}' has seq ${String(v)}, past 2^53 - 1`);
    return v;
  }
}

function putBytes(out: Uint8Array, view: DataView, at: number, b: Uint8Array): number {
  view.setUint32(at, b.length, true);
  out.set(b, at + 4);
  return at + 4 + b.length;
}

/** Unsigned LEB128; the 32-bit path avoids float division for the common small deltas. */
function putVarint(out: Uint8Array, at: number, v: number): number {
  while (v >= 0x80000000) {
    out[at++] = (v % 128) | 0x80;
    v = Math.floor(v / 128);
  }
  while (v >= 0x80) {
    out[at++] = (v & 0x7f) | 0x80;
    v >>>= 7;
  }
  out[at++] = v;
  return at;
}

function hex(n: number): string {
  return `0x${n.toString(16).padStart(8, '0')}`;
}
