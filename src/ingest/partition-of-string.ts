/**
 * The partition of a decoded terminal id, equal to `partitionOfBytes` over
 * its UTF-8 bytes. Terminal ids are nearly always ASCII, where char codes
 * are the bytes: hash them directly and skip the encoder.
 */
import { fnv1a } from '../domain/partition.js';

const FNV_PRIME = 0x01000193;
const encoder = new TextEncoder();

export function partitionOfString(seed: number, s: string, partitions: number): number {
  let h = seed;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x80) {
      const b = encoder.encode(s);
      return fnv1a(b, 0, b.length, seed) % partitions;
    }
    h ^= c;
    h = Math.imul(h, FNV_PRIME);
  }
  return (h >>> 0) % partitions;
}
