/**
 * Partitioning: a terminal's records always land in one partition, so its
 * dedup state lives with exactly one owner.
 *
 *   partition = fnv1a32(utf8(tenant) ++ 0x00 ++ utf8(terminal_id)) mod P
 *
 * The hash runs over bytes so that the ingest front can route a raw line
 * without decoding it (see `ingest/line-router.ts`).
 */

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/** FNV-1a (32 bit) over `bytes[start, end)`, continuing from `seed`. */
export function fnv1a(bytes: Uint8Array, start: number, end: number, seed: number = FNV_OFFSET): number {
  let h = seed;
  for (let i = start; i < end; i++) {
    h ^= bytes[i]!;
    h = Math.imul(h, FNV_PRIME);
  }
  return h >>> 0;
}

const encoder = new TextEncoder();

/** The hash state after `tenant` and its 0x00 separator: the seed for that tenant's terminals. */
export function tenantSeed(tenant: string): number {
  const b = encoder.encode(tenant);
  const h = fnv1a(b, 0, b.length);
  return Math.imul(h ^ 0, FNV_PRIME) >>> 0;
}

/** Partition of a terminal, from its UTF-8 bytes and its tenant's seed. */
export function partitionOfBytes(seed: number, terminal: Uint8Array, start: number, end: number, partitions: number): number {
  return fnv1a(terminal, start, end, seed) % partitions;
}

/**
 * Partition of `(tenant, terminal_id)`.
 * @example partitionOf('acme', 'T-0001-1', 8) // a number in 0..7, stable forever
 */
export function partitionOf(tenant: string, terminalId: string, partitions: number): number {
  const b = encoder.encode(terminalId);
  return partitionOfBytes(tenantSeed(tenant), b, 0, b.length, partitions);
}
