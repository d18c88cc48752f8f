/**
 * Partition leases on JetStream KV against a real nats-server: one holder at
 * a time, renewal by revision, expiry after the bucket's TTL, and a kept
 * lease that outlives its TTL.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import type { NatsConnection } from '@nats-io/transport-node';
import { JetStreamLeases } from '../../src/log/jetstream-leases.js';
import { skipUnlessCi, startNatsServer } from '../support/nats-server.js';

const nats = await startNatsServer().catch(skipUnlessCi);
after(async () => {
  await nats?.stop();
});

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
let buckets = 0;

/** Two holders, each on its own connection (as two processes would be), sharing one fresh bucket. */
async function twoHolders(url: string, ttlMs: number): Promise<{ a: JetStreamLeases; b: JetStreamLeases; dispose(): Promise<void> }> {
  const bucket = `TPAY_LEASES_T${String(++buckets)}`;
  const connections: NatsConnection[] = [await connect({ servers: url }), await connect({ servers: url })];
  const a = await JetStreamLeases.open(connections[0]!, { bucket, ttlMs });
  const b = await JetStreamLeases.open(connections[1]!, { bucket, ttlMs });
  return {
    a,
    b,
    dispose: async () => {
      await (await jetstreamManager(connections[0]!)).streams.delete(`KV_${bucket}`);
      for (const c of connections) await c.close();
    },
  };
}

if (nats === null) {
  describe('JetStreamLeases', () => {
    it('needs nats-server (run scripts/ensure-system-deps.sh)', (t) => {
      t.skip('nats-server is not installed');
    });
  });
} else {
  const url = nats.url;
  describe('JetStreamLeases', () => {
    it('gives a partition to exactly one of two holders, and to the other once released', async () => {
      const { a, b, dispose } = await twoHolders(url, 10_000);
      try {
        assert.equal(a.ttlMs, 10_000);
        const [ga, gb] = await Promise.all([a.acquire('rollups.3', 'worker-a'), b.acquire('rollups.3', 'worker-b')]);
        const winners = [ga, gb].filter((g) => g.ok);
        assert.equal(winners.length, 1, 'exactly one holder wins a race for one partition');
        const [winner, loser, loserName] = ga.ok ? [a, b, 'worker-b'] : [b, a, 'worker-a'];
        const held = (ga.ok ? ga : gb) as { ok: true; lease: { name: string; holder: string; revision: number } };
        assert.deepEqual(ga.ok ? gb : ga, { ok: false, heldBy: held.lease.holder });
        // Another partition is independent.
        assert.equal((await loser.acquire('rollups.4', loserName)).ok, true);

        const before = held.lease.revision;
        assert.equal(await winner.renew(held.lease), true);
        assert.ok(held.lease.revision > before, 'a renewal is a new revision');
        assert.equal((await loser.acquire('rollups.3', loserName)).ok, false);

        await winner.release(held.lease);
        assert.equal(await loser.holderOf('rollups.3'), null);
        const again = await loser.acquire('rollups.3', loserName);
        assert.equal(again.ok, true);
        assert.equal(await winner.holderOf('rollups.3'), loserName);
        await assert.rejects(a.acquire('no spaces', 'x'), { code: 'log_invalid_argument' });
      } finally {
        await dispose();
      }
    });

    it('lets a lease that was not renewed expire after the TTL: the next holder gets it, the old one learns it lost it', { timeout: 20_000 }, async () => {
      const { a, b, dispose } = await twoHolders(url, 1000);
      try {
        const first = await a.acquire('writer.0', 'worker-a');
        assert.ok(first.ok);
        assert.deepEqual(await b.acquire('writer.0', 'worker-b'), { ok: false, heldBy: 'worker-a' });
        // The server drops the key once it is older than the TTL (its expiry check runs about once a TTL).
        let second = await b.acquire('writer.0', 'worker-b');
        const deadline = Date.now() + 5000;
        while (!second.ok && Date.now() < deadline) {
          await sleep(200);
          second = await b.acquire('writer.0', 'worker-b');
        }
        assert.ok(second.ok, 'the expired lease is free');
        assert.equal(await a.renew(first.lease), false, 'the old holder cannot renew a lease it lost');
        await a.release(first.lease);
        assert.equal(await b.holderOf('writer.0'), 'worker-b', "the old holder's release leaves the new lease alone");
        assert.equal(await b.renew(second.lease), true);
      } finally {
        await dispose();
      }
    });

    it('keeps a renewed lease past its TTL, and reports it lost when another holder takes it', { timeout: 20_000 }, async () => {
      const { a, b, dispose } = await twoHolders(url, 1000);
      try {
        const got = await a.acquire('writer.1', 'worker-a');
        assert.ok(got.ok);
        const lost: Error[] = [];
        const keeper = a.keep(got.lease, (err) => lost.push(err));
        await sleep(3000);
        assert.deepEqual(await b.acquire('writer.1', 'worker-b'), { ok: false, heldBy: 'worker-a' });
        assert.equal(lost.length, 0);
        await keeper.stop();
        // Renewals stopped: it expires, someone else takes it, and a renewal now fails.
        let taken = await b.acquire('writer.1', 'worker-b');
        for (const deadline = Date.now() + 5000; !taken.ok && Date.now() < deadline; taken = await b.acquire('writer.1', 'worker-b')) await sleep(200);
        assert.ok(taken.ok);
        const keeperAgain = a.keep(got.lease, (err) => lost.push(err));
        await sleep(800);
        await keeperAgain.stop();
        assert.equal(lost.length, 1);
        assert.match(lost[0]!.message, /lease writer\.1 of worker-a lost/);
      } finally {
        await dispose();
      }
    });
  });
}
