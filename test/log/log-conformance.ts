/**
 * The conformance suite of the `Log` port: every adapter runs it (see
 * segment-log.test.ts). It needs at least 4 partitions, and storage small
 * enough that ~40 KiB of records spans several retention units (segments,
 * messages blocks) so that retention has something to delete.
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { Log, LogReader, LogRecord } from '../../src/log/log.js';

export interface LogFixture {
  log: Log;
  /** Another Log over the same storage; the earlier ones may still be open. */
  reopen(): Promise<Log>;
  /** Close whatever is still open and delete the storage. */
  dispose(): Promise<void>;
}

const bytes = (s: string): Uint8Array => Buffer.from(s, 'latin1');
const text = (p: Uint8Array): string => Buffer.from(p.buffer, p.byteOffset, p.byteLength).toString('latin1');
const payloadOf = (partition: number, offset: number): string => `p${String(partition)}-o${String(offset)}-${'x'.repeat(offset % 97)}`;

/** Everything from the reader's position up to the end, in batches of at most `batch` records. */
async function drain(reader: LogReader, batch = 1000): Promise<LogRecord[]> {
  const all: LogRecord[] = [];
  for (;;) {
    const got = await reader.read(batch, 1 << 20);
    if (got.length === 0) return all;
    all.push(...got);
  }
}

function summary(records: readonly LogRecord[]): [number, string][] {
  return records.map((r) => [r.offset, text(r.payload)]);
}

export function runLogConformance(name: string, makeLog: () => Promise<LogFixture>): void {
  describe(`Log conformance: ${name}`, () => {
    let fx: LogFixture;
    let log: Log;
    beforeEach(async () => {
      fx = await makeLog();
      log = fx.log;
      assert.ok(log.partitions >= 4, 'the suite needs at least 4 partitions');
    });
    afterEach(async () => {
      await fx.dispose();
    });

    it('commits records that read back byte for byte at offsets 0, 1, 2, …', async () => {
      const writer = await log.openWriter([0]);
      const binary = new Uint8Array([0, 0, 0, 0, 255, 0, 1]);
      writer.append(0, bytes('first'));
      writer.append(0, new Uint8Array(0));
      writer.append(0, binary);
      assert.deepEqual([...(await writer.commit())], [[0, 3]]);
      assert.equal(await log.endOffset(0), 3);
      const reader = await log.openReader(0, 0);
      const got = await reader.read(10, 1 << 20);
      assert.deepEqual(
        got.map((r) => [r.offset, [...r.payload]]),
        [
          [0, [...bytes('first')]],
          [1, []],
          [2, [...binary]],
        ],
      );
      assert.deepEqual(await reader.read(10, 1 << 20), []);
      assert.equal(reader.position, 3);
    });

    it('shows staged records to nobody until commit resolves', async () => {
      const writer = await log.openWriter([0]);
      const reader = await log.openReader(0, 0);
      writer.append(0, bytes('a'));
      assert.ok(writer.stagedBytes >= 1);
      assert.deepEqual(await reader.read(10, 1 << 20), []);
      assert.equal(await log.endOffset(0), 0);
      await writer.commit();
      assert.equal(writer.stagedBytes, 0);
      assert.deepEqual(summary(await reader.read(10, 1 << 20)), [[0, 'a']]);
    });

    it('copies the payload at append, so the caller may reuse its buffer', async () => {
      const writer = await log.openWriter([0]);
      const buf = bytes('before');
      writer.append(0, buf);
      buf.set(bytes('AFTER!'));
      await writer.commit();
      assert.deepEqual(summary(await drain(await log.openReader(0, 0))), [[0, 'before']]);
    });

    it('keeps partitions as independent streams with their own offsets', async () => {
      const writer = await log.openWriter([0, 1, 2]);
      const counts = [5, 3, 7];
      for (let i = 0; i < 7; i++) for (let p = 0; p < 3; p++) if (i < counts[p]!) writer.append(p, bytes(payloadOf(p, i)));
      assert.deepEqual(
        [...(await writer.commit())].sort((a, b) => a[0] - b[0]),
        [
          [0, 5],
          [1, 3],
          [2, 7],
        ],
      );
      for (let p = 0; p < 3; p++) {
        const expected = Array.from({ length: counts[p]! }, (_, o): [number, string] => [o, payloadOf(p, o)]);
        assert.deepEqual(summary(await drain(await log.openReader(p, 0))), expected);
      }
      assert.equal(await log.endOffset(3), 0);
    });

    it('reads from a middle offset and honours maxRecords and maxBytes', async () => {
      const writer = await log.openWriter([0]);
      for (let commit = 0; commit < 4; commit++) {
        for (let o = commit * 25; o < (commit + 1) * 25; o++) writer.append(0, bytes(payloadOf(0, o)));
        await writer.commit();
      }
      const reader = await log.openReader(0, 37);
      assert.equal(reader.position, 37);
      assert.deepEqual(
        (await reader.read(10, 1 << 20)).map((r) => r.offset),
        [37, 38, 39, 40, 41, 42, 43, 44, 45, 46],
      );
      // maxBytes below one record still returns that record, so readers always progress.
      assert.deepEqual(summary(await reader.read(1000, 1)), [[47, payloadOf(0, 47)]]);
      const five = payloadOf(0, 48).length + payloadOf(0, 49).length + payloadOf(0, 50).length + payloadOf(0, 51).length + payloadOf(0, 52).length;
      assert.deepEqual(
        (await reader.read(1000, five)).map((r) => r.offset),
        [48, 49, 50, 51, 52],
      );
      const rest = await drain(reader, 7);
      assert.deepEqual(summary(rest), Array.from({ length: 47 }, (_, i): [number, string] => [53 + i, payloadOf(0, 53 + i)]));
      assert.equal(reader.position, 100);
    });

    it('lets a caught-up reader see records committed later', async () => {
      const writer = await log.openWriter([1]);
      const reader = await log.openReader(1, 0);
      assert.deepEqual(await reader.read(10, 1 << 20), []);
      writer.append(1, bytes('late-0'));
      writer.append(1, bytes('late-1'));
      await writer.commit();
      assert.deepEqual(summary(await reader.read(10, 1 << 20)), [
        [0, 'late-0'],
        [1, 'late-1'],
      ]);
      writer.append(1, bytes('later'));
      await writer.commit();
      assert.deepEqual(summary(await reader.read(10, 1 << 20)), [[2, 'later']]);
    });

    it('shows commits to another Log instance on the same storage', async () => {
      const other = await fx.reopen();
      const writer = await log.openWriter([2]);
      const reader = await other.openReader(2, 0);
      writer.append(2, bytes('shared'));
      await writer.commit();
      assert.equal(await other.endOffset(2), 1);
      assert.deepEqual(summary(await reader.read(10, 1 << 20)), [[0, 'shared']]);
    });

    it('coalesces commit calls made while one is in flight, and resolves every one', async () => {
      const writer = await log.openWriter([0, 1]);
      writer.append(0, bytes('a'));
      const first = writer.commit();
      writer.append(0, bytes('b'));
      writer.append(1, bytes('c'));
      const second = writer.commit();
      const third = writer.commit();
      const [r1, r2, r3] = await Promise.all([first, second, third]);
      assert.equal(r1.get(0), 1);
      assert.deepEqual([...r2].sort((a, b) => a[0] - b[0]), [
        [0, 2],
        [1, 1],
      ]);
      assert.deepEqual([...r3].sort((a, b) => a[0] - b[0]), [...r2].sort((a, b) => a[0] - b[0]));
      assert.equal((await writer.commit()).size, 0);
      assert.deepEqual(summary(await drain(await log.openReader(0, 0))), [
        [0, 'a'],
        [1, 'b'],
      ]);
    });

    it('resolves overlapping commits in the order they were called, each covering what was staged before it', async () => {
      const writer = await log.openWriter([0, 1]);
      const order: string[] = [];
      const calls: Promise<ReadonlyMap<number, number>>[] = [];
      for (let i = 0; i < 5; i++) {
        for (let k = 0; k <= i; k++) writer.append(k % 2, bytes(`r${String(i)}.${String(k)}`));
        const c = writer.commit();
        void c.then(() => order.push(`c${String(i)}`));
        calls.push(c);
      }
      const ends = await Promise.all(calls);
      assert.deepEqual(order, ['c0', 'c1', 'c2', 'c3', 'c4']);
      // 1 + 2 + 3 + 4 + 5 records, k even to partition 0: 1 + 1 + 2 + 2 + 3.
      assert.equal(ends[4]!.get(0), 9);
      assert.equal(ends[4]!.get(1), 6);
      const read = summary(await drain(await log.openReader(0, 0)));
      assert.deepEqual(read.map(([, p]) => p), ['r0.0', 'r1.0', 'r2.0', 'r2.2', 'r3.0', 'r3.2', 'r4.0', 'r4.2', 'r4.4']);
    });

    it('stores checkpoints per group and partition, 0 when none', async () => {
      const writer = await log.openWriter([0, 1]);
      for (let o = 0; o < 10; o++) {
        writer.append(0, bytes(payloadOf(0, o)));
        writer.append(1, bytes(payloadOf(1, o)));
      }
      await writer.commit();
      assert.equal(await log.loadCheckpoint('rollups', 0), 0);
      await log.saveCheckpoint('rollups', 0, 7);
      await log.saveCheckpoint('rollups', 1, 2);
      await log.saveCheckpoint('warehouse', 0, 10);
      await log.saveCheckpoint('rollups', 0, 8);
      assert.equal(await log.loadCheckpoint('rollups', 0), 8);
      assert.equal(await log.loadCheckpoint('rollups', 1), 2);
      assert.equal(await log.loadCheckpoint('warehouse', 0), 10);
      assert.equal(await log.loadCheckpoint('warehouse', 1), 0);
      const other = await fx.reopen();
      assert.equal(await other.loadCheckpoint('rollups', 0), 8);
      await assert.rejects(log.saveCheckpoint('rollups', 0, 11), { code: 'log_offset_out_of_range' });
      await assert.rejects(log.saveCheckpoint('no/slash', 0, 1), { code: 'log_invalid_argument' });
    });

    it('keeps offsets across a reopen: appends continue at the end', async () => {
      const writer = await log.openWriter([0]);
      for (let o = 0; o < 5; o++) writer.append(0, bytes(payloadOf(0, o)));
      await writer.commit();
      await log.close();
      const again = await fx.reopen();
      assert.equal(await again.endOffset(0), 5);
      const next = await again.openWriter([0]);
      next.append(0, bytes(payloadOf(0, 5)));
      assert.deepEqual([...(await next.commit())], [[0, 6]]);
      assert.deepEqual(
        summary(await drain(await again.openReader(0, 0))),
        Array.from({ length: 6 }, (_, o): [number, string] => [o, payloadOf(0, o)]),
      );
    });

    it('never lets retention delete records a registered group has not read', async () => {
      const writer = await log.openWriter([0]);
      const total = 300;
      for (let o = 0; o < total; o++) {
        writer.append(0, bytes(payloadOf(0, o)));
        if (o % 20 === 19) await writer.commit();
      }
      await writer.commit();
      await log.registerGroup('slow');
      await log.saveCheckpoint('fast', 0, 250);
      await log.applyRetention();
      // 'slow' never checkpointed: it holds everything.
      assert.deepEqual(summary(await (await log.openReader(0, 0)).read(1, 1 << 20)), [[0, payloadOf(0, 0)]]);

      await log.saveCheckpoint('slow', 0, 120);
      const result = await log.applyRetention();
      assert.ok(result.deletedSegments > 0, 'storage of this size must span several retention units');
      assert.ok(result.freedBytes > 0);
      assert.deepEqual(
        summary(await drain(await log.openReader(0, 120))),
        Array.from({ length: total - 120 }, (_, i): [number, string] => [120 + i, payloadOf(0, 120 + i)]),
      );
      await assert.rejects(log.openReader(0, 0), { code: 'log_offset_out_of_range' });
      assert.equal(await log.endOffset(0), total);
    });

    it('allows one writer per partition at a time, across instances', async () => {
      const first = await log.openWriter([0, 1]);
      await assert.rejects(log.openWriter([1, 2]), { code: 'log_partition_owned' });
      const other = await fx.reopen();
      await assert.rejects(other.openWriter([0]), { code: 'log_partition_owned' });
      // A failed openWriter took nothing: partition 2 is still free.
      const second = await other.openWriter([2]);
      await first.close();
      const third = await other.openWriter([0, 1]);
      await Promise.all([second.close(), third.close()]);
    });

    it('rejects invalid arguments with log_invalid_argument or log_offset_out_of_range', async () => {
      const writer = await log.openWriter([0]);
      assert.throws(() => {
        writer.append(1, bytes('x'));
      }, { code: 'log_invalid_argument' });
      writer.append(0, bytes('x'));
      await writer.commit();
      await assert.rejects(log.openWriter([log.partitions]), { code: 'log_invalid_argument' });
      await assert.rejects(log.openWriter([0.5]), { code: 'log_invalid_argument' });
      await assert.rejects(log.openReader(-1, 0), { code: 'log_invalid_argument' });
      await assert.rejects(log.openReader(0, 2), { code: 'log_offset_out_of_range' });
      const reader = await log.openReader(0, 1);
      await assert.rejects(reader.read(0, 100), { code: 'log_invalid_argument' });
    });

    it('commits what is staged on close, then refuses work with log_closed', async () => {
      const writer = await log.openWriter([3]);
      writer.append(3, bytes('last words'));
      await writer.close();
      assert.throws(() => {
        writer.append(3, bytes('x'));
      }, { code: 'log_closed' });
      await assert.rejects(writer.commit(), { code: 'log_closed' });
      const reader = await log.openReader(3, 0);
      assert.deepEqual(summary(await reader.read(10, 1 << 20)), [[0, 'last words']]);
      await reader.close();
      await assert.rejects(reader.read(1, 1), { code: 'log_closed' });
      await log.close();
      await assert.rejects(log.endOffset(3), { code: 'log_closed' });
    });
  });
}
