/**
 * The dedup budget on a real service: a corrupted seq far ahead does not
 * poison its till; a gap-heavy till stays within its interval budget, and
 * only seqs inside its merged floor are `seq_out_of_window`; `/metrics`
 * reports the budget's use; the state survives a restart; and a data
 * directory of an earlier release (fixed-window snapshots) is rebuilt
 * exactly from its log.
 */
import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { restoreDedupIndex } from '../../src/domain/dedup-snapshot.js';
import { listDeadLetters } from '../../src/dlq/dead-letter-store.js';
import { seedTenants, txnLine } from '../support/fixtures.js';
import { TestIngestClient } from '../support/ingest-client.js';
import { startService, type RunningService } from '../support/service.js';
import { tempDir } from '../support/temp-dir.js';
import { v1DedupSnapshot, type V1Terminal } from '../support/v1-dedup-snapshot.js';

const TS = new Date(Date.now() - 3 * 86_400_000).toISOString();
const line = (terminal: string, seq: number): string => txnLine({ terminal_id: terminal, seq, ts: TS });

/** Till K: 1..1000, one line whose seq lost a digit to corruption (9,001,000), then 1001..15,519. */
const tillK = [...Array.from({ length: 1000 }, (_, k) => line('K', k + 1)), line('K', 9_001_000), ...Array.from({ length: 14_519 }, (_, k) => line('K', 1001 + k))];
/** Till G numbers in steps of two: every record is its own interval. */
const tillG = Array.from({ length: 3000 }, (_, k) => line('G', 2 * k + 1));

async function send(s: RunningService, key: string, lines: readonly string[]): Promise<{ totals: { accepted: number; duplicates: number; rejected: number }; rejects: readonly { code: string; message: string }[] }> {
  const c = await TestIngestClient.connect(s.svc.tcpPort, key);
  for (let i = 0; i < lines.length; i += 1000) c.write(`${lines.slice(i, i + 1000).join('\n')}\n`);
  await c.waitForAck(lines.length, 60_000);
  c.close();
  return { totals: c.totals(), rejects: c.rejects() };
}

async function dedupMetrics(s: RunningService): Promise<Record<string, number>> {
  const text = await (await fetch(`${s.http}/metrics`)).text();
  const out: Record<string, number> = {};
  for (const m of text.matchAll(/^tpay_ingest_dedup_(\w+) (\S+)$/gm)) out[m[1]!] = Number(m[2]);
  return out;
}

describe('dedup interval budget', () => {
  it('one bad seq does not poison a till; a gap-heavy till stays within budget; restarts and old snapshots keep it exact', { timeout: 120_000 }, async () => {
    await using dir = tempDir();
    const { acme } = seedTenants(dir.path);
    let s = await startService(dir.path);
    try {
      assert.deepEqual((await send(s, acme.ingestKey, tillK)).totals, { accepted: 15_520, duplicates: 0, rejected: 0 });
      assert.deepEqual((await send(s, acme.ingestKey, tillG)).totals, { accepted: 3000, duplicates: 0, rejected: 0 });
      // K: [1, 15519] and [9001000]; G: 1024 intervals, its oldest 1976 merged into a floor.
      assert.deepEqual(await dedupMetrics(s), { terminals: 2, intervals: 2 + 1024, terminals_at_budget: 1, intervals_peak: 1024, interval_budget: 1024, floor_merges_total: 1976 });

      // Re-sent: K is all duplicates; G's newest 1024 too, and its floored 1976 cannot be proven new.
      assert.deepEqual((await send(s, acme.ingestKey, tillK)).totals, { accepted: 0, duplicates: 15_520, rejected: 0 });
      const g = await send(s, acme.ingestKey, tillG);
      assert.deepEqual(g.totals, { accepted: 0, duplicates: 1024, rejected: 1976 });
      assert.deepEqual(new Set(g.rejects.map((r) => r.code)), new Set(['seq_out_of_window']));
      assert.equal(g.rejects[0]!.message, "seq 1 of terminal_id 'G' is inside its merged floor (seqs 1..3951, past the budget of 1024 intervals) and cannot be proven new");
      // A gap of G above its floor is still exact: new (and it joins [4999] and [5001] into one interval).
      assert.deepEqual((await send(s, acme.ingestKey, [line('G', 5000)])).totals, { accepted: 1, duplicates: 0, rejected: 0 });
      assert.equal((await dedupMetrics(s))['intervals'], 2 + 1023);

      // A graceful restart: the state comes back from the snapshots, merges are counted afresh.
      await s.svc.close();
      s = await startService(dir.path);
      assert.deepEqual(await dedupMetrics(s), { terminals: 2, intervals: 2 + 1023, terminals_at_budget: 1, intervals_peak: 1023, interval_budget: 1024, floor_merges_total: 0 });
      assert.deepEqual((await send(s, acme.ingestKey, tillK)).totals, { accepted: 0, duplicates: 15_520, rejected: 0 });
      await s.svc.close();

      // The same data directory as an earlier release left it: a fixed-window (v1) snapshot per
      // partition, covering the whole log. Trusted as is, it would floor K's 1..15519 (all below
      // 9001000 − 1024); the log is whole, so the state is rebuilt from it instead.
      const dedupDir = join(dir.path, 'dedup');
      for (const f of readdirSync(dedupDir).filter((n) => n.endsWith('.snap'))) {
        const bytes = readFileSync(join(dedupDir, f));
        const idx = restoreDedupIndex(bytes.subarray(8), 1024);
        const terminals: V1Terminal[] = [];
        for (const [tenant, sets] of idx.tenants()) {
          for (const [id, slot] of sets) {
            const iv = idx.seqsAt(slot).intervals();
            const seen: number[] = [];
            // Only the top of each till matters to a 1024-seq window.
            for (let k = iv.length - 2; k >= 0 && seen.length < 2048; k -= 2) for (let x = iv[k + 1]!; x >= iv[k]! && seen.length < 2048; x--) seen.push(x);
            terminals.push({ tenant, id, seen });
          }
        }
        writeFileSync(join(dedupDir, f), Buffer.concat([bytes.subarray(0, 8), v1DedupSnapshot(1024, terminals)]));
      }
      s = await startService(dir.path);
      assert.equal(s.svc.engine.recovery.reduce((n, r) => n + r.replayedRecords, 0), 15_520 + 3000 + 1);
      assert.deepEqual((await send(s, acme.ingestKey, tillK)).totals, { accepted: 0, duplicates: 15_520, rejected: 0 });
      // The same state as before; the replay took G through 1024 intervals again (peak), merges are not counted.
      assert.deepEqual(await dedupMetrics(s), { terminals: 2, intervals: 2 + 1023, terminals_at_budget: 1, intervals_peak: 1024, interval_budget: 1024, floor_merges_total: 0 });
      assert.deepEqual((await send(s, acme.ingestKey, tillG)).totals, { accepted: 0, duplicates: 1024, rejected: 1976 });
    } finally {
      await s.svc.close();
    }
    const dead = await listDeadLetters(join(dir.path, 'dlq'), { limit: 10_000 });
    assert.equal(dead.length, 2 * 1976); // G's floored seqs, re-sent twice
  });
});
