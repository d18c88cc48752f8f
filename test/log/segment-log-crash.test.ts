/**
 * Crash safety with a real process and a real SIGKILL: a child appends and
 * commits as fast as it can and prints every commit it saw resolve; it is
 * killed at random moments, restarted, killed again. Every record whose
 * commit was reported must then be there exactly once, at its offset, with
 * its bytes, and offsets must be contiguous.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { SegmentLog } from '../../src/log/segment-log.js';
import { CRASH_PARTITIONS, crashPayload } from './crash-child.js';
import { tempDir } from './temp-dir.js';

const CHILD = fileURLToPath(new URL('./crash-child.js', import.meta.url));
const ROUNDS = 6;

interface Round {
  recovered: number[];
  commits: [number, number][][];
  killedBySignal: string | null;
  stderr: string;
}

/** Run the child once and SIGKILL it `killAfterMs` after it is ready. */
async function runChild(dir: string, durability: string, killAfterMs: number): Promise<Round> {
  const child = spawn(process.execPath, [CHILD, dir, durability], { stdio: ['ignore', 'pipe', 'pipe'] });
  const round: Round = { recovered: [], commits: [], killedBySignal: null, stderr: '' };
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (round.stderr += chunk));
  const lines = createInterface({ input: child.stdout });
  const closed = new Promise<void>((resolve) => lines.once('close', resolve));
  const exited = new Promise<void>((resolve) =>
    child.once('exit', (_code, signal) => {
      round.killedBySignal = signal;
      resolve();
    }),
  );
  // Kill at a random moment, but only after a few commits: on a loaded
  // machine the child may commit nothing in the first few hundred ms.
  let due = false;
  const killIfDue = (): void => {
    if (due && round.commits.length >= 3) child.kill('SIGKILL');
  };
  lines.on('line', (line) => {
    const space = line.indexOf(' ');
    const kind = line.slice(0, space);
    const value: unknown = JSON.parse(line.slice(space + 1));
    if (kind === 'ready') {
      round.recovered = value as number[];
      setTimeout(() => {
        due = true;
        killIfDue();
      }, killAfterMs);
    } else if (kind === 'commit') {
      round.commits.push(value as [number, number][]);
      killIfDue();
    }
  });
  await Promise.all([exited, closed]);
  return round;
}

test('every commit reported before kill -9 survives exactly once, in order, with its bytes', { timeout: 60_000 }, async () => {
  await using dir = await tempDir();
  const reported = new Array<number>(CRASH_PARTITIONS).fill(0);
  let random = 42;
  for (let r = 0; r < ROUNDS; r++) {
    random = (Math.imul(random, 1103515245) + 12345) >>> 0;
    const durability = r % 2 === 0 ? 'fsync' : 'write';
    const round = await runChild(dir.path, durability, 80 + (random % 400));
    assert.equal(round.killedBySignal, 'SIGKILL', `round ${String(r)}: child died on its own: ${round.stderr}`);
    assert.equal(round.recovered.length, CRASH_PARTITIONS, `round ${String(r)} never got ready: ${round.stderr}`);
    for (let p = 0; p < CRASH_PARTITIONS; p++) {
      assert.ok(round.recovered[p]! >= reported[p]!, `round ${String(r)} partition ${String(p)}: recovered end ${String(round.recovered[p])} < reported ${String(reported[p])}`);
    }
    assert.ok(round.commits.length >= 3, `round ${String(r)}: only ${String(round.commits.length)} commits before the kill`);
    for (const ends of round.commits) for (const [p, end] of ends) reported[p] = Math.max(reported[p]!, end);
  }

  const log = await SegmentLog.open(dir.path);
  const writer = await log.openWriter([...Array(CRASH_PARTITIONS).keys()]);
  for (const report of writer.recovery) assert.ok(report.endOffset >= reported[report.partition]!);
  await writer.close();
  for (let p = 0; p < CRASH_PARTITIONS; p++) {
    const reader = await log.openReader(p, 0);
    let expected = 0;
    for (;;) {
      const batch = await reader.read(5000, 4 << 20);
      if (batch.length === 0) break;
      for (const record of batch) {
        assert.equal(record.offset, expected, `partition ${String(p)}: offsets not contiguous`);
        assert.equal(Buffer.from(record.payload).toString('latin1'), crashPayload(p, expected), `partition ${String(p)} offset ${String(expected)}`);
        expected++;
      }
    }
    assert.equal(expected, await log.endOffset(p));
    assert.ok(expected >= reported[p]!, `partition ${String(p)}: ${String(expected)} records, ${String(reported[p])} reported committed`);
    assert.ok(reported[p]! > 0);
  }
  await log.close();
});
