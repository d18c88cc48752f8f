/**
 * Public ways to pull generated records: line by line (simple, for tests
 * and small tools), as ready-to-send byte chunks per tenant (fast), or only
 * the ground truth.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { checkNumber } from './errors.js';
import type { LineChunk } from './line-chunk.js';
import { TenantRecordGenerator } from './record-generator.js';
import type { RecordOptions, TenantTruth } from './record-options.js';
import type { World } from './world.js';

/** One generated line and the tenant whose stream it belongs to. */
export interface TenantLine {
  tenant_id: string;
  line: string;
}

/**
 * Every tenant's lines, interleaved batch by batch. Per tenant, the order is
 * exactly that of `tenantLineChunks` and of the files `writeFirehoseFiles`
 * writes.
 * @example
 * for (const { tenant_id, line } of records(world, { start: '2026-03-28T00:00:00Z', records: 1000 })) …
 */
export function* records(world: World, opts: RecordOptions): Generator<TenantLine> {
  const gens = world.tenants.map((t) => new TenantRecordGenerator(world, t.tenant.tenant_id, opts));
  let live = gens.length;
  const done = new Array<boolean>(gens.length).fill(false);
  while (live > 0) {
    for (let i = 0; i < gens.length; i++) {
      if (done[i]) continue;
      const g = gens[i]!;
      const lines = g.next();
      if (lines === null) {
        done[i] = true;
        live--;
        continue;
      }
      for (const line of lines) yield { tenant_id: g.tenantId, line };
    }
  }
}

export interface ChunkOptions {
  /** Lines per chunk, at least (a chunk ends on a simulated minute). Default 4096 (≈ 1.2 MB). */
  chunkLines?: number;
  /** Receives the tenant's ground truth once the stream is exhausted. */
  onTruth?: (truth: TenantTruth) => void;
}

/**
 * One tenant's stream as byte chunks of whole lines: the fast path for the
 * TCP sender and the file writer.
 * @example
 * const src = tenantLineChunks(world, 'acme', { start: Date.now() - 86_400_000, records: 1_000_000 });
 * await sendLines(src, { host: '127.0.0.1', port: 7400, key });
 */
export function* tenantLineChunks(world: World, tenantId: string, opts: RecordOptions, chunk: ChunkOptions = {}): Generator<LineChunk> {
  const gen = new TenantRecordGenerator(world, tenantId, opts);
  const min = chunk.chunkLines ?? 4096;
  for (let c = gen.nextChunk(min); c !== null; c = gen.nextChunk(min)) yield c;
  chunk.onTruth?.(gen.truth);
}

export interface PacedOptions extends ChunkOptions {
  /** Simulated time per wall-clock time: 1 = real time, 60 = an hour a minute. */
  speed: number;
  /** Stops the stream early. */
  signal?: AbortSignal;
  /** Send the part of the stream before now at once (a `start` in the past), then pace. Default false. */
  catchUp?: boolean;
}

/**
 * One tenant's stream, released as event time advances `speed` times faster
 * than the wall clock from the moment it starts: a live feed whose rate
 * follows the simulated demand (lunch peaks, closed nights). With
 * `catchUp`, a `start` in the past is sent at once, then pacing begins.
 * Pair it with the sender's `ratePerS` to also cap the rate.
 * @example
 * const live = pacedLineChunks(world, 'acme', { start: Date.now() - 3_600_000 }, { speed: 1, chunkLines: 1 });
 * await sendLines(live, { port: 7400, key });
 */
export async function* pacedLineChunks(world: World, tenantId: string, opts: RecordOptions, paced: PacedOptions): AsyncGenerator<LineChunk> {
  checkNumber('speed', paced.speed, 1e-6, 1e9);
  const gen = new TenantRecordGenerator(world, tenantId, opts);
  const min = paced.chunkLines ?? 256;
  const sim0 = gen.simulatedTimeMs;
  // With catchUp, a start in the past counts as already elapsed: that backlog goes out at once.
  const wall0 = performance.now() - (paced.catchUp === true ? Math.max(0, Date.now() - sim0) / paced.speed : 0);
  for (let c = gen.nextChunk(min); c !== null; c = gen.nextChunk(min)) {
    // A chunk goes out once the wall clock has caught up with the simulated minute it ends in.
    const wait = (gen.simulatedTimeMs - sim0) / paced.speed - (performance.now() - wall0);
    if (wait > 0) await delay(wait, undefined, paced.signal === undefined ? {} : { signal: paced.signal }).catch(() => undefined);
    if (paced.signal?.aborted === true) return;
    yield c;
  }
  paced.onTruth?.(gen.truth);
}

/**
 * The ground truth of every tenant for these options, without keeping any
 * line: what an ingest fed the same stream must report.
 * @example groundTruth(world, opts)[0]!.valid // unique valid records of the first tenant
 */
export function groundTruth(world: World, opts: RecordOptions): TenantTruth[] {
  return world.tenants.map((t) => {
    const gen = new TenantRecordGenerator(world, t.tenant.tenant_id, opts);
    while (gen.nextChunk(65_536) !== null);
    return gen.truth;
  });
}

export interface GenerationRate {
  lines: number;
  bytes: number;
  elapsedMs: number;
  linesPerS: number;
  megabytesPerS: number;
}

/**
 * Measures generation speed on this core: lines made and encoded to
 * buffers (as the sender and file writer do), for all tenants.
 * @example measureGenerationRate(generateWorld({ seed: 1 }), { start: '2026-03-01T00:00:00Z', records: 500_000 })
 */
export function measureGenerationRate(world: World, opts: RecordOptions): GenerationRate {
  const t0 = performance.now();
  let lines = 0;
  let bytes = 0;
  for (const t of world.tenants) {
    for (const c of tenantLineChunks(world, t.tenant.tenant_id, opts)) {
      lines += c.lines;
      bytes += c.data.length;
    }
  }
  const elapsedMs = performance.now() - t0;
  return { lines, bytes, elapsedMs, linesPerS: (lines * 1000) / elapsedMs, megabytesPerS: bytes / 1e6 / (elapsedMs / 1000) };
}
