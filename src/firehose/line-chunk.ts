/**
 * The unit the firehose moves around: a buffer of whole NDJSON lines, each
 * ending in `\n`, plus how many there are. Counting lines once, when the
 * chunk is made, lets the sender match acks to lines without rescanning.
 */

const NL = 0x0a;

export interface LineChunk {
  /** Whole lines, each terminated by `\n` (a `\r` before it is part of the line); or whole compact frames. */
  data: Buffer;
  /** Number of `\n` in `data` (of frames, for compact chunks). */
  lines: number;
  /** `compact`: `data` holds compact frames (a u16 length, then a record), not lines. */
  format?: 'compact';
}

/** Where lines come from: a generator, a file reader, or preloaded chunks. */
export type LineSource = Iterable<LineChunk> | AsyncIterable<LineChunk>;

/**
 * Number of `\n` bytes in `buf[start, end)`. `indexOf` runs memchr in C++,
 * far faster than a JS loop over bytes.
 * @example countLines(Buffer.from('a\nb\n')) // 2
 */
export function countLines(buf: Buffer, start = 0, end = buf.length): number {
  let n = 0;
  let i = buf.indexOf(NL, start);
  while (i !== -1 && i < end) {
    n++;
    i = buf.indexOf(NL, i + 1);
  }
  return n;
}

/**
 * Byte offset just after the `n`-th `\n` at or after `start` (n ≥ 1), or -1
 * if there are fewer than `n`.
 * @example offsetAfterLines(Buffer.from('a\nb\nc\n'), 2) // 4
 */
export function offsetAfterLines(buf: Buffer, n: number, start = 0): number {
  let at = start;
  for (let k = 0; k < n; k++) {
    const i = buf.indexOf(NL, at);
    if (i === -1) return -1;
    at = i + 1;
  }
  return at;
}

/**
 * Byte offset just after the `n`-th compact frame at or after `start`, or
 * -1 if there are fewer than `n`.
 */
export function offsetAfterFrames(buf: Buffer, n: number, start = 0): number {
  let at = start;
  for (let k = 0; k < n; k++) {
    if (at + 2 > buf.length) return -1;
    at += 2 + (buf[at]! | (buf[at + 1]! << 8));
    if (at > buf.length) return -1;
  }
  return at;
}

/** Byte offset after the first `n` records of `chunk`, whatever its format. */
export function offsetAfterRecords(chunk: LineChunk, n: number): number {
  return chunk.format === 'compact' ? offsetAfterFrames(chunk.data, n) : offsetAfterLines(chunk.data, n);
}

/**
 * A chunk from generated lines (no `\n` inside any of them). Our generated
 * lines are ASCII, so `latin1` encodes them byte for byte without the UTF-8
 * encoder's scan; pass `utf8` for arbitrary text.
 * @example linesToChunk(['{"a":1}', '{"a":2}']) // { data: <16 bytes>, lines: 2 }
 */
export function linesToChunk(lines: readonly string[], encoding: 'latin1' | 'utf8' = 'latin1'): LineChunk {
  return { data: Buffer.from(lines.join('\n') + '\n', encoding), lines: lines.length };
}

/**
 * Splits off the first `n` lines (0 < n < chunk.lines) without copying.
 * @example const [head, tail] = splitChunk(chunk, 100);
 */
export function splitChunk(chunk: LineChunk, n: number): [LineChunk, LineChunk] {
  const cut = offsetAfterRecords(chunk, n);
  if (cut === -1 || n <= 0 || n >= chunk.lines) throw new RangeError(`cannot split ${chunk.lines} lines at ${n}`);
  const head: LineChunk = { data: chunk.data.subarray(0, cut), lines: n };
  const tail: LineChunk = { data: chunk.data.subarray(cut), lines: chunk.lines - n };
  if (chunk.format !== undefined) head.format = tail.format = chunk.format;
  return [head, tail];
}

/**
 * Wraps plain strings as a source, `perChunk` lines at a time (tests, small tools).
 * @example await sendLines(linesSource(['{"txn_id":"1",…}']), opts)
 */
export function* linesSource(lines: Iterable<string>, perChunk = 4096): Generator<LineChunk> {
  let batch: string[] = [];
  for (const line of lines) {
    batch.push(line);
    if (batch.length >= perChunk) {
      yield linesToChunk(batch, 'utf8');
      batch = [];
    }
  }
  if (batch.length > 0) yield linesToChunk(batch, 'utf8');
}
