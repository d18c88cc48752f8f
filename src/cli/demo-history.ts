/**
 * The demo's past: weeks of generated sales for every demo tenant, up to
 * the moment its live stream starts, imported through the history path
 * (the same ingest engine, dedup and dead letters as live records). The
 * tenants' go-live date is the first day of live streaming, so none of it
 * counts as a restatement.
 */
import { tenantLineChunks } from '../firehose/records.js';
import type { World } from '../firehose/world.js';
import { importHistory, type HistoryEngine, type HistorySummary } from '../history/history-import.js';
import type { LineChunk } from '../history/history-sources.js';

export interface DemoHistoryOptions {
  days: number;
  salesPerStoreDay: number;
  /** End of the history (epoch ms): where the live stream starts. */
  endMs: number;
}

/** Generated lines of one tenant as history chunks (generation runs on this thread while the engine's workers take the last chunk). */
async function* generated(world: World, tenant: string, o: DemoHistoryOptions): AsyncGenerator<LineChunk> {
  let line = 1;
  const start = o.endMs - o.days * 86_400_000;
  for (const c of tenantLineChunks(world, tenant, { start, durationMs: o.endMs - start, salesPerStoreDay: o.salesPerStoreDay, faults: { duplicates: 0.0005, malformed: 0.0001 } }, { chunkLines: 8192 })) {
    const data = c.data[c.data.length - 1] === 0x0a ? c.data.subarray(0, c.data.length - 1) : c.data;
    yield { data, firstLine: line, lines: c.lines, bytesRead: 0 };
    line += c.lines;
    // Let acknowledgements and the stream run between chunks.
    await new Promise((r) => setImmediate(r));
  }
}

export async function importDemoHistory(engine: HistoryEngine, world: World, o: DemoHistoryOptions): Promise<HistorySummary[]> {
  const out: HistorySummary[] = [];
  for (const t of world.tenants) {
    const tenant = t.tenant.tenant_id;
    out.push(await importHistory(engine, tenant, [{ name: `${tenant} demo history`, format: 'ndjson', bytes: 0, chunks: generated(world, tenant, o) }]));
  }
  return out;
}
