/**
 * JetStreamLog against a real nats-server 2.9 with JetStream (started here
 * on 127.0.0.1 with a fresh store): the shared Log conformance suite with
 * small and default message sizes, then what only JetStream has: retried
 * publishes, fencing of a second writer, offsets inside multi-record
 * messages, and a kill -9 of the server.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import { connect, headers } from '@nats-io/transport-node';
import type { NatsConnection } from '@nats-io/transport-node';
import { FIRST_OFFSET_HEADER } from '../../src/log/jetstream-frame.js';
import { JetStreamLog } from '../../src/log/jetstream-log.js';
import type { JetStreamLogOptions } from '../../src/log/jetstream-log-options.js';
import type { LogRecord } from '../../src/log/log.js';
import { skipUnlessCi, startNatsServer } from '../support/nats-server.js';
import type { NatsServer } from '../support/nats-server.js';
import { runLogConformance } from './log-conformance.js';
import type { LogFixture } from './log-conformance.js';

const nats = await startNatsServer().catch(skipUnlessCi);
after(async () => {
  await nats?.stop();
});

const text = (p: Uint8Array): string => Buffer.from(p.buffer, p.byteOffset, p.byteLength).toString('latin1');
const payloadOf = (partition: number, offset: number): string => `p${String(partition)}-o${String(offset)}-${'j'.repeat(offset % 31)}`;

let streams = 0;

interface JsFixture extends LogFixture {
  log: JetStreamLog;
  reopen(): Promise<JetStreamLog>;
  options: JetStreamLogOptions;
  /** A connection of the fixture's own, for looking at the stream directly. */
  nc: NatsConnection;
}

/** A log on its own stream and buckets; every Log gets its own connection, as separate processes would. */
async function jsFixture(server: NatsServer, extra: JetStreamLogOptions = {}): Promise<JsFixture> {
  const id = ++streams;
  const options: JetStreamLogOptions = { stream: `TPAY_LOG_T${String(id)}`, subjectPrefix: `tpay.t${String(id)}`, partitions: 4, ...extra };
  const connections: NatsConnection[] = [];
  const logs: JetStreamLog[] = [];
  const newConnection = async (): Promise<NatsConnection> => {
    const nc = await connect({ servers: server.url, reconnectTimeWait: 200, maxReconnectAttempts: -1 });
    connections.push(nc);
    return nc;
  };
  const reopen = async (): Promise<JetStreamLog> => {
    const log = await JetStreamLog.open(await newConnection(), options);
    logs.push(log);
    return log;
  };
  const log = await reopen();
  const nc = await newConnection();
  return {
    log,
    reopen,
    options,
    nc,
    dispose: async () => {
      for (const l of logs) await l.close();
      const jsm = await jetstreamManager(nc);
      for (const name of [options.stream!, `KV_${options.stream!}_STATE`, `KV_${options.stream!}_LEASES`]) await jsm.streams.delete(name);
      for (const c of connections) await c.close();
    },
  };
}

async function readAll(log: JetStreamLog, partition: number, from = 0): Promise<LogRecord[]> {
  const reader = await log.openReader(partition, from);
  const all: LogRecord[] = [];
  for (let batch = await reader.read(1000, 1 << 20); batch.length > 0; batch = await reader.read(1000, 1 << 20)) all.push(...batch);
  await reader.close();
  return all;
}

async function messagesOn(nc: NatsConnection, stream: string, subject: string): Promise<number> {
  const jsm = await jetstreamManager(nc);
  const info = await jsm.streams.info(stream, { subjects_filter: subject });
  return info.state.subjects?.[subject] ?? 0;
}

if (nats === null) {
  describe('JetStreamLog', () => {
    it('needs nats-server (run scripts/ensure-system-deps.sh)', (t) => {
      t.skip('nats-server is not installed');
    });
  });
} else {
  const server = nats;
  // 1 KiB messages: most commits of the suite span several messages, and retention has many to purge.
  runLogConformance('JetStreamLog, 1 KiB messages', () => jsFixture(server, { messageBytes: 1024 }));
  runLogConformance('JetStreamLog, default 128 KiB messages', () => jsFixture(server));

  describe('JetStreamLog on JetStream', () => {
    it('stores a publish retried after its ack was lost once, and the commit resolves once it is acked', { timeout: 30_000 }, async () => {
      const fx = await jsFixture(server, { ackTimeoutMs: 200, publishAttempts: 40 });
      try {
        const writer = await fx.log.openWriter([0]);
        for (let o = 0; o < 3; o++) writer.append(0, Buffer.from(payloadOf(0, o)));
        // The server sits on the publish (and every retry, each with the same
        // message id) for 1.5 s: the first attempts' acks never arrive in time.
        await server.pause();
        const commit = writer.commit();
        let settled = false;
        void commit.then(
          () => (settled = true),
          () => (settled = true),
        );
        await new Promise((resolve) => setTimeout(resolve, 1500));
        assert.equal(settled, false, 'a commit resolves only after JetStream has acked');
        server.resume();
        assert.deepEqual([...(await commit)], [[0, 3]]);
        assert.equal(await messagesOn(fx.nc, fx.options.stream!, `${fx.options.subjectPrefix!}.p.0`), 1, 'the original and its retries are one message');
        writer.append(0, Buffer.from(payloadOf(0, 3)));
        assert.deepEqual([...(await writer.commit())], [[0, 4]]);
        assert.deepEqual(
          (await readAll(fx.log, 0)).map((r) => [r.offset, text(r.payload)]),
          Array.from({ length: 4 }, (_, o) => [o, payloadOf(0, o)]),
        );
      } finally {
        server.resume();
        await fx.dispose();
      }
    });

    it('fences a writer whose lease was taken over: the two never interleave records', { timeout: 30_000 }, async () => {
      const fx = await jsFixture(server);
      try {
        const first = await fx.log.openWriter([0, 1]);
        for (const p of [0, 1]) first.append(p, Buffer.from(payloadOf(p, 0)));
        await first.commit();
        // The leases vanish, as when they expire while their holder is stalled.
        const leases = await new Kvm(fx.nc).open(`${fx.options.stream!}_LEASES`);
        for (const p of [0, 1]) await leases.purge(`writer.${String(p)}`);
        const other = await fx.reopen();
        const second = await other.openWriter([0]);
        const third = await other.openWriter([1]);

        // Partition 0: the old writer publishes first, so the new one is refused.
        first.append(0, Buffer.from('old writer'));
        assert.deepEqual([...(await first.commit())], [[0, 2]]);
        second.append(0, Buffer.from('new writer'));
        await assert.rejects(second.commit(), (err: Error & { code?: string; cause?: { code?: string } }) => {
          assert.equal(err.code, 'log_partition_owned');
          return true;
        });
        assert.throws(() => {
          second.append(0, Buffer.from('more'));
        }, { code: 'log_writer_failed' });

        // Partition 1: the new writer publishes first, so the old one is refused.
        third.append(1, Buffer.from('new writer'));
        assert.deepEqual([...(await third.commit())], [[1, 2]]);
        first.append(1, Buffer.from('old writer'));
        await assert.rejects(first.commit(), { code: 'log_partition_owned' });

        assert.deepEqual((await readAll(other, 0)).map((r) => [r.offset, text(r.payload)]), [
          [0, payloadOf(0, 0)],
          [1, 'old writer'],
        ]);
        assert.deepEqual((await readAll(other, 1)).map((r) => [r.offset, text(r.payload)]), [
          [0, payloadOf(1, 0)],
          [1, 'new writer'],
        ]);
      } finally {
        await fx.dispose();
      }
    });

    it('reads from any offset inside multi-record messages, found from the offset headers by a fresh instance', { timeout: 30_000 }, async () => {
      const fx = await jsFixture(server, { messageBytes: 2048 });
      try {
        const writer = await fx.log.openWriter([2]);
        const total = 1000;
        for (let o = 0; o < total; o++) {
          writer.append(2, Buffer.from(payloadOf(2, o)));
          if (o % 300 === 299) await writer.commit();
        }
        assert.deepEqual([...(await writer.commit())], [[2, total]]);
        const subject = `${fx.options.subjectPrefix!}.p.2`;
        const messages = await messagesOn(fx.nc, fx.options.stream!, subject);
        // ~50-byte records in 2 KiB messages: dozens of records per message.
        assert.ok(messages > 10 && messages < 100, `${String(messages)} messages`);
        const jsm = await jetstreamManager(fx.nc);
        // Only partition 2 is written, so stream sequence 2 is its second message.
        const second = await jsm.streams.getMessage(fx.options.stream!, { seq: 2 });
        const firstOffset = Number(second?.header?.get(FIRST_OFFSET_HEADER));
        assert.ok(firstOffset > 1, 'the second message starts past offset 1');
        assert.match(second?.header?.get('Nats-Msg-Id') ?? '', new RegExp(`^[0-9a-f]{16}-p2-o${String(firstOffset)}$`));

        const fresh = await fx.reopen();
        for (const from of [0, 1, firstOffset - 1, firstOffset, firstOffset + 1, 537, 998, 999, total]) {
          const reader = await fresh.openReader(2, from);
          const got = await reader.read(3, 1 << 20);
          const expected = Array.from({ length: Math.min(3, total - from) }, (_, i) => [from + i, payloadOf(2, from + i)]);
          assert.deepEqual(got.map((r) => [r.offset, text(r.payload)]), expected, `from ${String(from)}`);
          await reader.close();
        }
        assert.deepEqual(
          (await readAll(fresh, 2, 537)).map((r) => r.offset),
          Array.from({ length: total - 537 }, (_, i) => 537 + i),
        );
        await assert.rejects(fresh.openReader(2, total + 1), { code: 'log_offset_out_of_range' });
      } finally {
        await fx.dispose();
      }
    });

    it('keeps every committed record and checkpoint through kill -9 and restart of nats-server', { timeout: 60_000 }, async () => {
      const fx = await jsFixture(server, { messageBytes: 1024 });
      try {
        const writer = await fx.log.openWriter([0, 1, 2, 3]);
        const counts = [400, 7, 1, 0];
        for (let p = 0; p < 4; p++) {
          for (let o = 0; o < counts[p]!; o++) {
            writer.append(p, Buffer.from(payloadOf(p, o)));
            if (o % 100 === 99) await writer.commit();
          }
        }
        await writer.commit();
        await fx.log.saveCheckpoint('rollups', 0, 123);
        await fx.log.saveCheckpoint('rollups', 1, 7);
        await fx.log.saveCheckpoint('warehouse', 0, 400);

        await server.kill9();
        await server.restart();

        const after = await fx.reopen();
        for (let p = 0; p < 4; p++) {
          assert.equal(await after.endOffset(p), counts[p]);
          assert.deepEqual(
            (await readAll(after, p)).map((r) => [r.offset, text(r.payload)]),
            Array.from({ length: counts[p]! }, (_, o) => [o, payloadOf(p, o)]),
          );
        }
        assert.equal(await after.loadCheckpoint('rollups', 0), 123);
        assert.equal(await after.loadCheckpoint('rollups', 1), 7);
        assert.equal(await after.loadCheckpoint('warehouse', 0), 400);
        assert.equal(await after.loadCheckpoint('warehouse', 1), 0);
        // The writer rides through the restart: its connection reconnects and offsets go on.
        writer.append(3, Buffer.from(payloadOf(3, 0)));
        writer.append(0, Buffer.from(payloadOf(0, 400)));
        const ends = await writer.commit();
        assert.deepEqual([...ends].sort((a, b) => a[0] - b[0]), [
          [0, 401],
          [3, 1],
        ]);
        assert.deepEqual((await readAll(after, 0, 399)).map((r) => [r.offset, text(r.payload)]), [
          [399, payloadOf(0, 399)],
          [400, payloadOf(0, 400)],
        ]);
      } finally {
        await fx.dispose();
      }
    });

    it('purges whole messages below every checkpoint, never a partition\'s last one', { timeout: 30_000 }, async () => {
      const fx = await jsFixture(server);
      try {
        const writer = await fx.log.openWriter([0, 1]);
        for (let o = 0; o < 60; o++) {
          writer.append(0, Buffer.from(payloadOf(0, o)));
          // Ten records per commit: messages hold offsets 0–9, 10–19, … 50–59.
          if (o % 10 === 9) await writer.commit();
        }
        const subject = `${fx.options.subjectPrefix!}.p.0`;
        assert.equal(await messagesOn(fx.nc, fx.options.stream!, subject), 6);
        assert.deepEqual(await fx.log.applyRetention(), { deletedSegments: 0, freedBytes: 0 }, 'no group registered: keep everything');

        await fx.log.saveCheckpoint('g', 0, 25);
        const first = await fx.log.applyRetention();
        assert.equal(first.deletedSegments, 2, 'offsets 0–19; 20–29 holds the checkpoint and stays');
        assert.ok(first.freedBytes > 20 * 10);
        assert.equal(await messagesOn(fx.nc, fx.options.stream!, subject), 4);
        await assert.rejects(fx.log.openReader(0, 19), { code: 'log_offset_out_of_range' });
        assert.equal((await readAll(fx.log, 0, 20))[0]?.offset, 20);

        await fx.log.saveCheckpoint('g', 0, 60);
        assert.equal((await fx.log.applyRetention()).deletedSegments, 3, 'the last message stays');
        assert.equal(await fx.log.endOffset(0), 60);
        assert.deepEqual((await readAll(fx.log, 0, 55)).map((r) => r.offset), [55, 56, 57, 58, 59]);
        await assert.rejects(fx.log.openReader(0, 49), { code: 'log_offset_out_of_range' });
        // Partition 1 was never written: nothing to purge, its end is 0.
        assert.equal(await fx.log.endOffset(1), 0);
        writer.append(0, Buffer.from('after retention'));
        assert.deepEqual([...(await writer.commit())], [[0, 61]]);
      } finally {
        await fx.dispose();
      }
    });

    it('reports a damaged message as log_corrupt, naming stream, subject and sequence', async () => {
      const fx = await jsFixture(server);
      try {
        const writer = await fx.log.openWriter([1]);
        writer.append(1, Buffer.from('intact'));
        await writer.commit();
        await writer.close();
        const jsm = await jetstreamManager(fx.nc);
        const subject = `${fx.options.subjectPrefix!}.p.1`;
        const stored = await jsm.streams.getMessage(fx.options.stream!, { last_by_subj: subject });
        const body = Buffer.from(stored!.data);
        body.writeUInt8(body.readUInt8(body.length - 1) ^ 0x01, body.length - 1); // one bit of the payload
        const h = headers();
        h.set(FIRST_OFFSET_HEADER, '1');
        h.set('Tpay-Records', '1');
        body.writeBigUInt64LE(1n, 8); // the next offset, so only the CRC is wrong
        const ack = await jetstream(fx.nc).publish(subject, body, { headers: h });
        const reader = await fx.log.openReader(1, 0);
        assert.deepEqual((await reader.read(1, 1 << 20)).map((r) => text(r.payload)), ['intact']);
        await assert.rejects(reader.read(10, 1 << 20), {
          code: 'log_corrupt',
          message: `bad log frame: CRC mismatch (stream ${fx.options.stream!} subject ${subject} seq ${String(ack.seq)})`,
        });
      } finally {
        await fx.dispose();
      }
    });

    it('rejects unknown and out-of-range options, and a log opened with another partition count', async () => {
      const fx = await jsFixture(server);
      try {
        await assert.rejects(JetStreamLog.open(fx.nc, { partitons: 8 } as unknown as JetStreamLogOptions), {
          code: 'log_invalid_argument',
          message: "unknown JetStreamLog option 'partitons' (known: stream, subjectPrefix, partitions, messageBytes, replicas, ackTimeoutMs, publishAttempts, leaseTtlMs)",
        });
        await assert.rejects(JetStreamLog.open(fx.nc, { messageBytes: 100 }), {
          code: 'log_invalid_argument',
          message: 'JetStreamLog option messageBytes is 100; expected an integer from 1024 to 8388608',
        });
        await assert.rejects(JetStreamLog.open(fx.nc, { stream: 'a.b' }), { code: 'log_invalid_argument' });
        await assert.rejects(JetStreamLog.open(fx.nc, { ...fx.options, partitions: 8 }), { code: 'log_config_mismatch' });
        const adopted = await JetStreamLog.open(fx.nc, { stream: fx.options.stream! });
        assert.equal(adopted.partitions, 4);
        await adopted.close();
        const writer = await fx.log.openWriter([0]);
        assert.throws(() => {
          writer.append(0, new Uint8Array(1 << 20));
        }, { code: 'log_record_too_large' });
      } finally {
        await fx.dispose();
      }
    });
  });
}
