/**
 * Spreads each chunk of a source evenly over a period. The live generator
 * releases a whole simulated minute at once; a demo or a dashboard wants a
 * steady trickle, so each minute's lines go out in small pieces over the
 * following minute.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { splitChunk, type LineChunk, type LineSource } from './line-chunk.js';

export interface SmoothOptions {
  /** How long each chunk is spread over. Default 60 000 ms (one simulated minute at speed 1). */
  periodMs?: number;
  /** Pieces per chunk. Default 30 (one every 2 s). */
  pieces?: number;
  signal?: AbortSignal;
}

/**
 * @example
 * const live = smoothChunks(pacedLineChunks(world, 'acme', { start: Date.now() - 120_000 }, { speed: 1 }));
 */
export async function* smoothChunks(source: LineSource, o: SmoothOptions = {}): AsyncGenerator<LineChunk> {
  const period = o.periodMs ?? 60_000;
  const pieces = o.pieces ?? 30;
  for await (const chunk of source) {
    const per = Math.max(1, Math.ceil(chunk.lines / pieces));
    const t0 = Date.now();
    let rest: LineChunk | null = chunk;
    for (let i = 1; rest !== null; i++) {
      let piece: LineChunk;
      if (rest.lines > per) [piece, rest] = splitChunk(rest, per);
      else [piece, rest] = [rest, null];
      yield piece;
      const wait = t0 + (i * period) / pieces - Date.now();
      if (rest !== null && wait > 0) await sleep(wait, undefined, { signal: o.signal }).catch(() => undefined);
      if (o.signal?.aborted === true) return;
    }
  }
}
