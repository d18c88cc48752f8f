/**
 * CRC-32 (IEEE 802.3, the zlib/PNG polynomial), for detecting corruption in
 * snapshots. Table-driven: one table lookup per byte.
 */

const TABLE = new Uint32Array(256);
for (let n = 0; n < 256; n++) {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  TABLE[n] = c >>> 0;
}

/**
 * CRC-32 of `bytes[start, end)`.
 * @example crc32(new TextEncoder().encode('123456789')) // 0xcbf43926
 */
export function crc32(bytes: Uint8Array, start = 0, end: number = bytes.length): number {
  let c = 0xffffffff;
  for (let i = start; i < end; i++) c = TABLE[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/**
 * CRC-32 of `bytes[start, end)` continued from the CRC-32 `prev` of the
 * bytes before them (as zlib's `crc32(data, prev)`): for adding small runs
 * of bytes without making a Buffer for each.
 * @example crc32Continue(crc32(a), b) === crc32(Buffer.concat([a, b]))
 */
export function crc32Continue(prev: number, bytes: Uint8Array, start = 0, end: number = bytes.length): number {
  let c = (prev ^ 0xffffffff) >>> 0;
  for (let i = start; i < end; i++) c = TABLE[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
