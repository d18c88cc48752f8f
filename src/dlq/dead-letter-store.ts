/**
 * Reading dead letters and recording replays. Reading is safe while ingest
 * runs: a half-written last line is skipped.
 */
import { createReadStream, existsSync, mkdirSync, readdirSync } from 'node:fs';
import { appendFile, open } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { DeadLetter } from './dead-letter.js';

/** `resolved`: the replayed line is now in (accepted, or already there as a duplicate). */
export const REPLAY_OUTCOMES = ['resolved', 'rejected'] as const;
export type ReplayOutcome = (typeof REPLAY_OUTCOMES)[number];

export interface ReplayRecord {
  id: string;
  outcome: ReplayOutcome;
  /** The code of the new rejection when `outcome` is `rejected`. */
  code: string | null;
  message: string | null;
  at: number;
}

/** A dead letter with its replay state: `open` until a replay resolved it. */
export interface DeadLetterView extends DeadLetter {
  status: 'open' | 'replayed';
  last_replay: ReplayRecord | null;
}

export interface DeadLetterFilter {
  tenant?: string | undefined;
  code?: string | undefined;
  status?: 'open' | 'replayed' | 'all' | undefined;
  limit?: number | undefined;
}

const LEDGER = 'replays.ndjson';

async function* readLines(path: string): AsyncGenerator<string> {
  const rl = createInterface({ input: createReadStream(path, { encoding: 'utf8' }), crlfDelay: Infinity });
  for await (const line of rl) if (line.length > 0) yield line;
}

function parseLine<T>(line: string): T | undefined {
  try {
    return JSON.parse(line) as T;
  } catch {
    // A torn last line from a crash mid-write: the writer cuts it on its next start.
    return undefined;
  }
}

export async function readReplayLedger(dlqDir: string): Promise<Map<string, ReplayRecord>> {
  const out = new Map<string, ReplayRecord>();
  const p = join(dlqDir, LEDGER);
  if (!existsSync(p)) return out;
  for await (const line of readLines(p)) {
    const r = parseLine<ReplayRecord>(line);
    if (r !== undefined) out.set(r.id, r);
  }
  return out;
}

/**
 * Lists dead letters, oldest first (by receive time, then line).
 * @example await listDeadLetters('/data/dlq', { tenant: 'acme', code: 'unknown_store', status: 'open' })
 */
export async function listDeadLetters(dlqDir: string, filter: DeadLetterFilter = {}): Promise<DeadLetterView[]> {
  const out: DeadLetterView[] = [];
  if (!existsSync(dlqDir)) return out;
  const ledger = await readReplayLedger(dlqDir);
  const status = filter.status ?? 'all';
  // One file per ingest worker: entries of one batch are spread across them.
  const files = readdirSync(dlqDir).filter((f) => /^w\d+\.ndjson$/.test(f)).sort();
  for (const f of files) {
    for await (const line of readLines(join(dlqDir, f))) {
      const d = parseLine<DeadLetter>(line);
      if (d === undefined) continue;
      if (filter.tenant !== undefined && d.tenant !== filter.tenant) continue;
      if (filter.code !== undefined && d.code !== filter.code) continue;
      const last = ledger.get(d.id) ?? null;
      const st = last !== null && last.outcome === 'resolved' ? 'replayed' : 'open';
      if (status !== 'all' && st !== status) continue;
      out.push({ ...d, status: st, last_replay: last });
    }
  }
  out.sort((a, b) => a.received_at - b.received_at || a.line - b.line);
  return filter.limit === undefined ? out : out.slice(0, filter.limit);
}

/** Appends replay outcomes to the ledger durably. */
export async function recordReplays(dlqDir: string, records: readonly ReplayRecord[]): Promise<void> {
  if (records.length === 0) return;
  mkdirSync(dlqDir, { recursive: true });
  const p = join(dlqDir, LEDGER);
  await appendFile(p, records.map((r) => `${JSON.stringify(r)}\n`).join(''));
  const fh = await open(p, 'r+');
  try {
    await fh.datasync();
  } finally {
    await fh.close();
  }
}

/** Counts of dead letters by code (all statuses). */
export async function countDeadLetters(dlqDir: string, tenant?: string): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const d of await listDeadLetters(dlqDir, { tenant })) counts[d.code] = (counts[d.code] ?? 0) + 1;
  return counts;
}
