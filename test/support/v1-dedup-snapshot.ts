/**
 * Dedup snapshot bytes in version 1, as releases with the fixed window wrote
 * them, for upgrade tests: "TPDW", 1, three zero bytes, u32 W, u32 tenants,
 * u32 terminals; per tenant u32 len, name, u32 terminals; per terminal u32
 * len, id, f64 H (highest seq), W/32 u32 words with seq s at bit s mod W for
 * the seen seqs in (H − W, H]; CRC-32. Little-endian.
 */
import { crc32 } from '../../src/domain/crc32.js';

export interface V1Terminal {
  tenant: string;
  id: string;
  /** Seqs the terminal had accepted. */
  seen: readonly number[];
}

export function v1DedupSnapshot(w: number, terminals: readonly V1Terminal[]): Uint8Array {
  const u32 = (n: number): number[] => [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, n >>> 24];
  const enc = new TextEncoder();
  const tenants = [...new Set(terminals.map((t) => t.tenant))];
  const bytes: number[] = [0x54, 0x50, 0x44, 0x57, 1, 0, 0, 0, ...u32(w), ...u32(tenants.length), ...u32(terminals.length)];
  for (const tenant of tenants) {
    const mine = terminals.filter((t) => t.tenant === tenant);
    bytes.push(...u32(enc.encode(tenant).length), ...enc.encode(tenant), ...u32(mine.length));
    for (const t of mine) {
      const h = t.seen.reduce((a, b) => Math.max(a, b), -1);
      const f = new Uint8Array(8);
      new DataView(f.buffer).setFloat64(0, h, true);
      const words = new Uint32Array(w / 32);
      for (const s of t.seen) if (s > h - w) words[(s % w) >>> 5]! |= 1 << (s % w & 31);
      bytes.push(...u32(enc.encode(t.id).length), ...enc.encode(t.id), ...f);
      for (const x of words) bytes.push(...u32(x));
    }
  }
  const out = Uint8Array.from([...bytes, 0, 0, 0, 0]);
  new DataView(out.buffer).setUint32(out.length - 4, crc32(out, 0, out.length - 4), true);
  return out;
}
