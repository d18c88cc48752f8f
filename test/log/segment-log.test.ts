/**
 * SegmentLog: the shared Log conformance suite in both durability modes, then
 * what only a file-based log has: torn tails, segment roll-over, retention by
 * segment, a reader in another thread, settings.
 */
import assert from 'node:assert/strict';
import { readFile, readdir, open, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Worker } from 'node:worker_threads';
import { CommittedEnd } from '../../src/log/committed-end.js';
import { FRAME_HEADER_BYTES, RECORD_HEADER_BYTES, frameBaseOffset, sealFrameComputingCrc } from '../../src/log/frame.js';
import type { LogRecord } from '../../src/log/log.js';
import { SEGMENT_HEADER_BYTES, parseSegmentFileName, segmentFileName } from '../../src/log/segment-file.js';
import { SegmentLog } from '../../src/log/segment-log.js';
import type { SegmentLogOptions } from '../../src/log/segment-log-options.js';
import { runLogConformance } from './log-conformance.js';
import type { LogFixture } from './log-conformance.js';
import type { ReaderWorkerInput, ReaderWorkerResult } from './reader-worker.js';
import { workerPayload } from './reader-worker.js';
import { tempDir } from './temp-dir.js';

function segmentLogFixture(options: SegmentLogOptions): () => Promise<LogFixture> {
  return async () => {
    const dir = await tempDir();
    const opened: SegmentLog[] = [];
    const reopen = async (): Promise<SegmentLog> => {
      const log = await SegmentLog.open(dir.path, options);
      opened.push(log);
      return log;
    };
    const log = await reopen();
    return {
      log,
      reopen,
      dispose: async () => {
        for (const l of opened) await l.close();
        await dir[Symbol.asyncDispose]();
      },
    };
  };
}

// 4 KiB segments: the suite's ~20 KiB retention test spans several of them.
runLogConformance('SegmentLog, fsync', segmentLogFixture({ partitions: 4, segmentBytes: 4096 }));
runLogConformance('SegmentLog, write', segmentLogFixture({ partitions: 4, segmentBytes: 4096, durability: 'write' }));

const text = (p: Uint8Array): string => Buffer.from(p.buffer, p.byteOffset, p.byteLength).toString('latin1');
const payloadOf = (offset: number): string => `record-${String(offset)}-${'q'.repeat(offset % 13)}`;

async function readAll(log: SegmentLog, partition: number, from = 0): Promise<LogRecord[]> {
  const reader = await log.openReader(partition, from);
  const all: LogRecord[] = [];
  for (let batch = await reader.read(1000, 1 << 20); batch.length > 0; batch = await reader.read(1000, 1 << 20)) all.push(...batch);
  await reader.close();
  return all;
}

/** A frame as the writer would store it. */
function frame(base: number, payloads: readonly string[]): Buffer {
  const records = payloads.map((p) => {
    const b = Buffer.alloc(RECORD_HEADER_BYTES + p.length);
    b.writeUInt32LE(p.length, 0);
    b.write(p, RECORD_HEADER_BYTES, 'latin1');
    return b;
  });
  const buf = Buffer.concat([Buffer.alloc(FRAME_HEADER_BYTES), ...records]);
  sealFrameComputingCrc(buf, 0, buf.length, base, payloads.length);
  return buf;
}

async function segmentBases(dir: string, partition = 0): Promise<number[]> {
  const names = await readdir(join(dir, `p${String(partition).padStart(2, '0')}`));
  return names.flatMap((n) => {
    const base = parseSegmentFileName(n);
    return base === null ? [] : [base];
  }).sort((a, b) => a - b);
}

describe('SegmentLog recovery of a torn tail', () => {
  const segmentBytes = 8192;
  const cases = [
    { name: 'garbage bytes', tail: () => Buffer.alloc(100, 0xab), stoppedAt: 'bad_length', records: 0 },
    // Three 50-byte records; only the first 93 bytes made it (the cut falls inside a payload).
    { name: 'half a frame', tail: () => frame(10, ['Z'.repeat(50), 'Z'.repeat(50), 'Z'.repeat(50)]).subarray(0, 93), stoppedAt: 'bad_crc', records: 0 },
    { name: 'a CRC-valid frame with a stale offset', tail: () => frame(7, ['old-7', 'old-8']), stoppedAt: 'offset_mismatch', records: 2 },
  ] as const;

  for (const c of cases) {
    it(`cuts ${c.name} after the end, zeroes it, and appends continue at offset 10`, async () => {
      await using dir = await tempDir();
      const first = await SegmentLog.open(dir.path, { partitions: 2, segmentBytes });
      const writer = await first.openWriter([0]);
      for (let o = 0; o < 10; o++) {
        writer.append(0, Buffer.from(payloadOf(o)));
        if (o === 4) await writer.commit();
      }
      await writer.commit();
      await first.close();
      const endPosition = SEGMENT_HEADER_BYTES + 2 * FRAME_HEADER_BYTES + Array.from({ length: 10 }, (_, o) => RECORD_HEADER_BYTES + payloadOf(o).length).reduce((a, b) => a + b);

      const path = join(dir.path, 'p00', segmentFileName(0));
      const tail = c.tail();
      const fh = await open(path, 'r+');
      await fh.write(tail, 0, tail.length, endPosition);
      await fh.close();
      const tampered = await readFile(path);

      // A reader never repairs: it returns the 10 committed records and leaves the file alone.
      const readerSide = await SegmentLog.open(dir.path);
      assert.deepEqual((await readAll(readerSide, 0)).map((r) => text(r.payload)), Array.from({ length: 10 }, (_, o) => payloadOf(o)));
      assert.ok((await readFile(path)).equals(tampered));
      await readerSide.close();

      const warnings: object[] = [];
      const second = await SegmentLog.open(dir.path, { segmentBytes, logger: { warn: (obj) => warnings.push(obj) } });
      const again = await second.openWriter([0]);
      assert.deepEqual(again.recovery, [
        {
          partition: 0,
          segmentBase: 0,
          endOffset: 10,
          endPosition,
          stoppedAt: c.stoppedAt,
          truncatedBytes: tail.length,
          truncatedRecords: c.records,
          lostCommittedRecords: 0,
        },
      ]);
      assert.equal(warnings.length, 1);
      const after = await readFile(path);
      assert.ok(after.subarray(endPosition).equals(Buffer.alloc(segmentBytes - endPosition)), 'everything after the end is zero');
      again.append(0, Buffer.from(payloadOf(10)));
      assert.deepEqual([...(await again.commit())], [[0, 11]]);
      assert.deepEqual(
        (await readAll(second, 0)).map((r) => [r.offset, text(r.payload)]),
        Array.from({ length: 11 }, (_, o) => [o, payloadOf(o)]),
      );
      await second.close();
    });
  }

  it('reports committed records that are gone (the committed file says more than the segment holds)', async () => {
    await using dir = await tempDir();
    const first = await SegmentLog.open(dir.path, { partitions: 1, segmentBytes });
    const writer = await first.openWriter([0]);
    for (let o = 0; o < 10; o++) writer.append(0, Buffer.from(payloadOf(o)));
    await writer.commit();
    await first.close();
    const committed = await CommittedEnd.openForWriter(join(dir.path, 'p00'));
    committed.write({ end: 12, segmentBase: 0, position: 4000 });
    await committed.close();

    const second = await SegmentLog.open(dir.path);
    const again = await second.openWriter([0]);
    assert.equal(again.recovery[0]?.endOffset, 10);
    assert.equal(again.recovery[0]?.lostCommittedRecords, 2);
    assert.equal(await second.endOffset(0), 10);
    await second.close();
  });
});

describe('SegmentLog segments', () => {
  it('rolls over to a new pre-allocated segment whose name is its first offset', async () => {
    await using dir = await tempDir();
    const log = await SegmentLog.open(dir.path, { partitions: 1, segmentBytes: 1024 });
    const writer = await log.openWriter([0]);
    const payload = (o: number): string => `${String(o).padStart(4, '0')}${'r'.repeat(96)}`;
    for (let o = 0; o < 30; o++) writer.append(0, Buffer.from(payload(o)));
    await writer.commit();
    for (let o = 30; o < 60; o++) {
      writer.append(0, Buffer.from(payload(o)));
      if (o % 10 === 9) await writer.commit();
    }
    const bases = await segmentBases(dir.path);
    // 100-byte records, 1008 usable bytes per segment: at most 9 per segment.
    assert.ok(bases.length >= 7, `only ${String(bases.length)} segments`);
    for (const base of bases) {
      const file = await readFile(join(dir.path, 'p00', segmentFileName(base)));
      assert.equal(file.length, 1024, 'segments are created full size');
      assert.equal(frameBaseOffset(file, SEGMENT_HEADER_BYTES), base, `first frame of ${segmentFileName(base)}`);
    }
    assert.deepEqual(
      (await readAll(log, 0, 25)).map((r) => [r.offset, text(r.payload)]),
      Array.from({ length: 35 }, (_, i) => [25 + i, payload(25 + i)]),
    );

    assert.throws(() => {
      writer.append(0, new Uint8Array(1024 - 16 - 24 - 4 + 1));
    }, { code: 'log_record_too_large' });
    const largest = Buffer.alloc(1024 - 16 - 24 - 4, 0x41);
    writer.append(0, largest);
    assert.deepEqual([...(await writer.commit())], [[0, 61]]);
    assert.ok((await readAll(log, 0, 60))[0]?.payload.every((b) => b === 0x41));
    await log.close();
    assert.deepEqual((await readdir(join(dir.path, 'p00'))).filter((n) => n.endsWith('.tmp')), [], 'no half-made spare left behind');

    const reopened = await SegmentLog.open(dir.path, { segmentBytes: 1024 });
    const next = await reopened.openWriter([0]);
    assert.equal(next.recovery[0]?.segmentBase, (await segmentBases(dir.path)).at(-1));
    assert.equal(next.recovery[0]?.endOffset, 61);
    await reopened.close();
  });

  it('retention deletes exactly the segments every group has passed, never the last', async () => {
    await using dir = await tempDir();
    const log = await SegmentLog.open(dir.path, { partitions: 1, segmentBytes: 1024 });
    assert.deepEqual(await log.applyRetention(), { deletedSegments: 0, freedBytes: 0 });
    const writer = await log.openWriter([0]);
    for (let o = 0; o < 60; o++) {
      writer.append(0, Buffer.from(`${String(o)}:${'t'.repeat(96)}`));
      if (o % 10 === 9) await writer.commit();
    }
    const bases = await segmentBases(dir.path);
    assert.ok(bases.length >= 6);
    assert.deepEqual(await log.applyRetention(), { deletedSegments: 0, freedBytes: 0 }, 'no group registered: keep everything');

    const early = await log.openReader(0, 0);
    assert.equal((await early.read(1, 1 << 20))[0]?.offset, 0);
    await log.saveCheckpoint('g', 0, bases[3]!);
    assert.deepEqual(await log.applyRetention(), { deletedSegments: 3, freedBytes: 3 * 1024 });
    assert.deepEqual(await segmentBases(dir.path), bases.slice(3));
    await assert.rejects(log.openReader(0, bases[3]! - 1), { code: 'log_offset_out_of_range' });
    assert.equal((await readAll(log, 0, bases[3]))[0]?.offset, bases[3]);
    // A reader that had a deleted segment open reads the rest of it, then finds its successor gone.
    assert.deepEqual(
      (await early.read(1000, 1 << 20)).map((r) => r.offset),
      Array.from({ length: bases[1]! - 1 }, (_, i) => i + 1),
    );
    await assert.rejects(early.read(1000, 1 << 20), { code: 'log_offset_out_of_range' });

    await log.saveCheckpoint('g', 0, 60);
    const all = await log.applyRetention();
    assert.deepEqual(all, { deletedSegments: bases.length - 4, freedBytes: (bases.length - 4) * 1024 });
    assert.deepEqual(await segmentBases(dir.path), bases.slice(-1));
    assert.equal(await log.endOffset(0), 60);
    writer.append(0, Buffer.from('after retention'));
    assert.deepEqual([...(await writer.commit())], [[0, 61]]);
    await log.close();
  });

  it('serves a reader in another worker thread while the writer appends', { timeout: 30_000 }, async () => {
    await using dir = await tempDir();
    const log = await SegmentLog.open(dir.path, { partitions: 2, segmentBytes: 16 * 1024 });
    const writer = await log.openWriter([0]);
    const count = 3000;
    const input: ReaderWorkerInput = { dir: dir.path, partition: 0, count };
    const worker = new Worker(new URL('./reader-worker.js', import.meta.url), { workerData: input });
    const result = new Promise<ReaderWorkerResult>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    for (let o = 0; o < count; o++) {
      writer.append(0, Buffer.from(workerPayload(o)));
      if (o % 50 === 49) {
        await writer.commit();
        await new Promise((resolve) => setImmediate(resolve));
      }
    }
    assert.deepEqual(await result, { ownedCode: 'log_partition_owned', records: count, mismatches: 0, position: count });
    await worker.terminate();
    await log.close();
  });
});

describe('SegmentLog settings', () => {
  it('rejects unknown and out-of-range options, naming them', async () => {
    await using dir = await tempDir();
    await assert.rejects(SegmentLog.open(dir.path, { partitons: 8 } as unknown as SegmentLogOptions), {
      code: 'log_invalid_argument',
      message: "unknown SegmentLog option 'partitons' (known: partitions, segmentBytes, durability, preallocation, logger)",
    });
    await assert.rejects(SegmentLog.open(dir.path, { segmentBytes: 100 }), {
      code: 'log_invalid_argument',
      message: 'SegmentLog option segmentBytes is 100; expected an integer from 1024 to 2147483648',
    });
    await assert.rejects(SegmentLog.open(dir.path, { durability: 'sometimes' as 'fsync' }), { code: 'log_invalid_argument' });
  });

  it('keeps the partition count it was created with', async () => {
    await using dir = await tempDir();
    await (await SegmentLog.open(dir.path, { partitions: 4 })).close();
    const adopted = await SegmentLog.open(dir.path);
    assert.equal(adopted.partitions, 4);
    await adopted.close();
    await assert.rejects(SegmentLog.open(dir.path, { partitions: 8 }), { code: 'log_config_mismatch' });
    assert.equal((JSON.parse(await readFile(join(dir.path, 'log.json'), 'utf8')) as { partitions: number }).partitions, 4);
    assert.equal((await stat(join(dir.path, 'log.json'))).isFile(), true);
  });
});
