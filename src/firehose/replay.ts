/**
 * Replaying NDJSON files (ours or anyone's): read in large chunks cut at
 * line boundaries, never the whole file; or preload into memory for a
 * benchmark that must not measure the disk.
 */
import { open } from 'node:fs/promises';
import { checkInteger } from './errors.js';
import { FirehoseReadError } from './errors.js';
import { countLines, type LineChunk, type LineSource } from './line-chunk.js';

const NL = 0x0a;

export interface ReadOptions {
  /** Bytes per read, 4 KiB..256 MiB. Default 1 MiB. */
  chunkBytes?: number;
  /** A single line longer than this fails the read (the server would reject it anyway). Default 64 MiB. */
  maxLineBytes?: number;
}

/**
 * Streams a file as chunks of whole lines. A last line without `\n` gets
 * one. Memory: one chunk being read plus the chunks the consumer still
 * holds.
 * @example
 * for await (const c of readLineChunks('out/acme/transactions.ndjson')) n += c.lines;
 */
export async function* readLineChunks(path: string, opts: ReadOptions = {}): AsyncGenerator<LineChunk> {
  const chunkBytes = opts.chunkBytes ?? 1 << 20;
  const maxLine = opts.maxLineBytes ?? 64 << 20;
  checkInteger('chunkBytes', chunkBytes, 4096, 256 << 20);
  checkInteger('maxLineBytes', maxLine, 1, 2 ** 31 - 1);
  const fh = await open(path, 'r');
  try {
    let carry: Buffer | null = null;
    for (;;) {
      // A fresh buffer per chunk: the consumer may keep chunks (the sender keeps them until acked).
      const size: number = Math.max(chunkBytes, (carry?.length ?? 0) * 2);
      const buf: Buffer = Buffer.allocUnsafe(size);
      const have: number = carry === null ? 0 : carry.copy(buf, 0);
      const { bytesRead } = await fh.read(buf, have, size - have, null);
      const end = have + bytesRead;
      if (bytesRead === 0) {
        if (end > 0) {
          buf[end] = NL;
          yield { data: buf.subarray(0, end + 1), lines: 1 };
        }
        return;
      }
      const last = buf.lastIndexOf(NL, end - 1);
      if (last === -1) {
        if (end > maxLine) throw new FirehoseReadError(`${path}: a line is longer than ${maxLine} bytes`);
        carry = buf.subarray(0, end);
        continue;
      }
      carry = last + 1 < end ? buf.subarray(last + 1, end) : null;
      const data = buf.subarray(0, last + 1);
      yield { data, lines: countLines(data) };
    }
  } finally {
    await fh.close();
  }
}

/**
 * Reads a whole source into memory, e.g. a file before a benchmark.
 * @example const chunks = await preloadLineChunks(readLineChunks(path));
 */
export async function preloadLineChunks(source: LineSource): Promise<LineChunk[]> {
  const out: LineChunk[] = [];
  for await (const c of source) out.push(c);
  return out;
}

/**
 * Replays preloaded chunks `times` times (the same lines again: after the
 * first pass the server answers them as duplicates).
 * @example await sendLines(repeatChunks(chunks, 3), opts)
 */
export function* repeatChunks(chunks: readonly LineChunk[], times = 1): Generator<LineChunk> {
  for (let i = 0; i < times; i++) yield* chunks;
}
