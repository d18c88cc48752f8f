/**
 * What the Parquet warehouse keeps in memory about each data file, so that a
 * drill-down reads only files (and, through row-group statistics, only row
 * groups) that hold matching rows:
 *
 * - per store: row count and min/max `ts`, so a store page opens only the
 *   files that have the store in the range, in time order, and stops once
 *   the page is full;
 * - per row: a 32-bit hash of `txn_id` and the row's store, sorted by hash,
 *   so `findTransaction` knows the file *and* the store (files are sorted by
 *   store, so `store_id = ?` prunes to one row group).
 *
 * Cost: about 6 bytes of memory per row (4 hash + 2 store ordinal), e.g.
 * 60 MB for 10M rows. Saved next to each file (`_<name>.idx`) so opening a
 * warehouse does not re-read every file; rebuilt from the Parquet file if
 * missing or damaged.
 */
import { endianness } from 'node:os';
import { crc32 } from 'node:zlib';

/** FNV-1a over UTF-16 code units: `txn_id`s are short ASCII; collisions only cost an extra file probe. */
export function txnHash(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** The index of one data file. Immutable once built. */
export interface FileIndex {
  rows: number;
  minTs: number;
  maxTs: number;
  /** Distinct store ids, sorted (JS string order). */
  stores: readonly string[];
  storeRows: Uint32Array;
  storeMinTs: Float64Array;
  storeMaxTs: Float64Array;
  /** `txnHash` of every row, ascending. */
  hashes: Uint32Array;
  /** Store ordinal of the row at the same position in `hashes`. */
  hashStores: Uint16Array | Uint32Array;
}

/** Builds the index of rows given column-wise (one entry per row). */
export function buildFileIndex(storeIds: readonly string[], txnIds: readonly string[], ts: readonly number[] | Float64Array): FileIndex {
  const n = storeIds.length;
  const stores = [...new Set(storeIds)].sort();
  const ordOf = new Map<string, number>();
  stores.forEach((s, i) => ordOf.set(s, i));
  const storeRows = new Uint32Array(stores.length);
  const storeMinTs = new Float64Array(stores.length).fill(Infinity);
  const storeMaxTs = new Float64Array(stores.length).fill(-Infinity);
  // hash × 2^21 + ordinal is below 2^53, so one Float64Array sort orders
  // the pairs by hash with no comparator callback.
  const packed = new Float64Array(n);
  let minTs = Infinity;
  let maxTs = -Infinity;
  for (let i = 0; i < n; i++) {
    const ord = ordOf.get(storeIds[i]!)!;
    const t = ts[i]!;
    storeRows[ord]!++;
    if (t < storeMinTs[ord]!) storeMinTs[ord] = t;
    if (t > storeMaxTs[ord]!) storeMaxTs[ord] = t;
    if (t < minTs) minTs = t;
    if (t > maxTs) maxTs = t;
    packed[i] = txnHash(txnIds[i]!) * 2 ** 21 + ord;
  }
  return finish(n, minTs, maxTs, stores, storeRows, storeMinTs, storeMaxTs, packed);
}

/** The index of a file holding exactly the rows of `parts` (used by compaction). */
export function mergeFileIndexes(parts: readonly FileIndex[]): FileIndex {
  const stores = [...new Set(parts.flatMap((p) => p.stores))].sort();
  const ordOf = new Map<string, number>();
  stores.forEach((s, i) => ordOf.set(s, i));
  const storeRows = new Uint32Array(stores.length);
  const storeMinTs = new Float64Array(stores.length).fill(Infinity);
  const storeMaxTs = new Float64Array(stores.length).fill(-Infinity);
  const n = parts.reduce((a, p) => a + p.rows, 0);
  const packed = new Float64Array(n);
  let at = 0;
  for (const p of parts) {
    const remap = p.stores.map((s) => ordOf.get(s)!);
    for (let i = 0; i < p.stores.length; i++) {
      const o = remap[i]!;
      storeRows[o]! += p.storeRows[i]!;
      storeMinTs[o] = Math.min(storeMinTs[o]!, p.storeMinTs[i]!);
      storeMaxTs[o] = Math.max(storeMaxTs[o]!, p.storeMaxTs[i]!);
    }
    for (let i = 0; i < p.rows; i++) packed[at++] = p.hashes[i]! * 2 ** 21 + remap[p.hashStores[i]!]!;
  }
  const minTs = Math.min(...parts.map((p) => p.minTs));
  const maxTs = Math.max(...parts.map((p) => p.maxTs));
  return finish(n, minTs, maxTs, stores, storeRows, storeMinTs, storeMaxTs, packed);
}

function finish(
  n: number,
  minTs: number,
  maxTs: number,
  stores: string[],
  storeRows: Uint32Array,
  storeMinTs: Float64Array,
  storeMaxTs: Float64Array,
  packed: Float64Array,
): FileIndex {
  if (stores.length >= 2 ** 21) throw new RangeError(`a file may hold at most 2^21 stores, got ${String(stores.length)}`);
  packed.sort();
  const hashes = new Uint32Array(n);
  const hashStores = stores.length <= 0x10000 ? new Uint16Array(n) : new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    const v = packed[i]!;
    const h = Math.floor(v / 2 ** 21);
    hashes[i] = h;
    hashStores[i] = v - h * 2 ** 21;
  }
  return { rows: n, minTs, maxTs, stores, storeRows, storeMinTs, storeMaxTs, hashes, hashStores };
}

/** Ordinal of `storeId` in the file, or -1. */
export function storeOrdinal(ix: FileIndex, storeId: string): number {
  let lo = 0;
  let hi = ix.stores.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (ix.stores[mid]! < storeId) lo = mid + 1;
    else hi = mid;
  }
  return lo < ix.stores.length && ix.stores[lo] === storeId ? lo : -1;
}

/** Store ids of the rows whose `txn_id` hashes like `txnId` (usually none; one for the row itself). */
export function storesOfTxn(ix: FileIndex, txnId: string): string[] {
  const h = txnHash(txnId);
  let lo = 0;
  let hi = ix.rows;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (ix.hashes[mid]! < h) lo = mid + 1;
    else hi = mid;
  }
  const out: string[] = [];
  for (let i = lo; i < ix.rows && ix.hashes[i] === h; i++) {
    const s = ix.stores[ix.hashStores[i]!]!;
    if (!out.includes(s)) out.push(s);
  }
  return out;
}

/*
 * Saved form, little-endian:
 *   "TPWX" u32 version=1 u32 headerBytes, header (JSON: rows, minTs, maxTs, stores, wide),
 *   zero padding to a multiple of 8, storeMinTs f64[S], storeMaxTs f64[S],
 *   storeRows u32[S], hashes u32[N], hashStores u16[N] or u32[N] (wide), u32 CRC-32 of all before it.
 */
const MAGIC = 0x58575054; // "TPWX" read as little-endian u32
const VERSION = 1;

export function serializeFileIndex(ix: FileIndex): Buffer {
  checkEndianness();
  const wide = ix.hashStores instanceof Uint32Array;
  const header = Buffer.from(JSON.stringify({ rows: ix.rows, minTs: ix.minTs, maxTs: ix.maxTs, stores: ix.stores, wide }));
  const start = align8(12 + header.length);
  const parts: Uint8Array[] = [ix.storeMinTs, ix.storeMaxTs, ix.storeRows, ix.hashes, ix.hashStores].map(
    (a) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength),
  );
  const total = start + parts.reduce((a, p) => a + p.length, 0) + 4;
  const out = Buffer.alloc(total);
  out.writeUInt32LE(MAGIC, 0);
  out.writeUInt32LE(VERSION, 4);
  out.writeUInt32LE(header.length, 8);
  header.copy(out, 12);
  let at = start;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  out.writeUInt32LE(crc32(out.subarray(0, at)), at);
  return out;
}

/** Parses a saved index; `null` when the bytes are not a complete, checksum-valid index. */
export function parseFileIndex(b: Buffer): FileIndex | null {
  checkEndianness();
  if (b.length < 16 || b.readUInt32LE(0) !== MAGIC || b.readUInt32LE(4) !== VERSION) return null;
  if (crc32(b.subarray(0, b.length - 4)) !== b.readUInt32LE(b.length - 4)) return null;
  const headerBytes = b.readUInt32LE(8);
  let header: unknown;
  try {
    header = JSON.parse(b.toString('utf8', 12, 12 + headerBytes));
  } catch {
    return null;
  }
  if (!isHeader(header)) return null;
  const s = header.stores.length;
  const n = header.rows;
  let at = b.byteOffset + align8(12 + headerBytes);
  // slice() copies into a fresh, aligned ArrayBuffer: typed-array views need aligned offsets.
  const take = (bytes: number): ArrayBuffer => {
    const part = b.buffer.slice(at, at + bytes) as ArrayBuffer;
    at += bytes;
    return part;
  };
  if (align8(12 + headerBytes) + s * 20 + n * (header.wide ? 8 : 6) + 4 !== b.length) return null;
  const storeMinTs = new Float64Array(take(s * 8));
  const storeMaxTs = new Float64Array(take(s * 8));
  const storeRows = new Uint32Array(take(s * 4));
  const hashes = new Uint32Array(take(n * 4));
  const hashStores = header.wide ? new Uint32Array(take(n * 4)) : new Uint16Array(take(n * 2));
  return { rows: n, minTs: header.minTs, maxTs: header.maxTs, stores: header.stores, storeRows, storeMinTs, storeMaxTs, hashes, hashStores };
}

interface Header {
  rows: number;
  minTs: number;
  maxTs: number;
  stores: string[];
  wide: boolean;
}

function isHeader(v: unknown): v is Header {
  if (typeof v !== 'object' || v === null) return false;
  const h = v as Record<string, unknown>;
  return (
    Number.isSafeInteger(h.rows) &&
    typeof h.minTs === 'number' &&
    typeof h.maxTs === 'number' &&
    typeof h.wide === 'boolean' &&
    Array.isArray(h.stores) &&
    h.stores.every((s) => typeof s === 'string')
  );
}

function align8(n: number): number {
  return (n + 7) & ~7;
}

function checkEndianness(): void {
  // Typed arrays use the host byte order; the saved form is little-endian.
  if (endianness() !== 'LE') throw new Error('the warehouse index format needs a little-endian host');
}
