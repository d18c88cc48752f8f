import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig } from '../../src/config/config.js';

void describe('ingest.dedupIntervalBudget', () => {
  void it('defaults to 1024 and is set by environment or flag', () => {
    assert.equal(loadConfig({ env: {} }).ingest.dedupIntervalBudget, 1024);
    assert.equal(loadConfig({ env: { TPAY_INGEST__DEDUP_INTERVAL_BUDGET: '4096' } }).ingest.dedupIntervalBudget, 4096);
    assert.equal(loadConfig({ env: {}, overrides: { 'ingest.dedupIntervalBudget': 1 } }).ingest.dedupIntervalBudget, 1);
  });

  void it('names the key, the value and the limit when out of range', () => {
    assert.throws(
      () => loadConfig({ env: {}, overrides: { 'ingest.dedupIntervalBudget': 65_537 } }),
      (e: unknown) => e instanceof ConfigError && /^configuration key 'ingest\.dedupIntervalBudget' = 65537: .*65536/.test(e.message),
    );
    assert.throws(() => loadConfig({ env: {}, overrides: { 'ingest.dedupIntervalBudget': 0 } }), /'ingest\.dedupIntervalBudget' = 0/);
  });

  void it('an old config with ingest.dedupWindow fails with a pointer to its replacement', () => {
    assert.throws(
      () => loadConfig({ env: { TPAY_INGEST__DEDUP_WINDOW: '1024', TPAY_INGEST__NOPE: '1' } }),
      (e: unknown) =>
        e instanceof ConfigError &&
        e.message ===
          "configuration key 'ingest.dedupWindow' was removed: dedup now keeps every accepted seq exactly, bounded by 'ingest.dedupIntervalBudget' (intervals per terminal, default 1024; see docs/ingest.md); unknown configuration key 'ingest.nope'",
    );
  });
});

void describe('adapters', () => {
  void it('defaults to the embedded adapters and accepts only the ones this build has', () => {
    assert.deepEqual(loadConfig({ env: {} }).adapters, { log: 'segment', warehouse: 'parquet', serving: 'memory' });
    assert.equal(loadConfig({ env: { TPAY_ADAPTERS__LOG: 'jetstream' } }).adapters.log, 'jetstream');
    assert.throws(
      () => loadConfig({ env: { TPAY_ADAPTERS__LOG: 'kafka' } }),
      (e: unknown) => e instanceof ConfigError && e.code === 'config_invalid' && /^configuration key 'adapters\.log' = "kafka": .*"segment"\|"jetstream"/.test(e.message),
    );
    assert.equal(loadConfig({ env: {}, overrides: { 'adapters.warehouse': 'clickhouse' } }).adapters.warehouse, 'clickhouse');
    assert.throws(() => loadConfig({ env: {}, overrides: { 'adapters.warehouse': 'bigquery' } }), /'adapters\.warehouse' = "bigquery"/);
    assert.throws(() => loadConfig({ env: { TPAY_ADAPTERS__QUEUE: 'kafka' } }), /unknown configuration key 'adapters\.queue'/);
  });

  void it('gives the stream role a health port and the batch role none unless set', () => {
    const c = loadConfig({ env: {} });
    assert.equal(c.stream.healthPort, 7402);
    assert.equal(c.batch.healthPort, null);
    assert.equal(loadConfig({ env: { TPAY_BATCH__HEALTH_PORT: '7403' } }).batch.healthPort, 7403);
    assert.throws(() => loadConfig({ env: { TPAY_STREAM__HEALTH_PORT: '70000' } }), /'stream\.healthPort' = 70000/);
  });
});

void describe('nats', () => {
  void it('defaults to a local server and the log stream TPAY_LOG, with the JetStream log settings', () => {
    assert.deepEqual(loadConfig({ env: {} }).nats, {
      servers: 'nats://127.0.0.1:4222',
      stream: 'TPAY_LOG',
      subjectPrefix: 'tpay.log',
      replicas: 1,
      messageBytes: 131_072,
      ackTimeoutMs: 5000,
      publishAttempts: 5,
      writerLeaseTtlMs: 10_000,
    });
    const c = loadConfig({ env: { TPAY_NATS__SERVERS: 'nats://10.0.0.5:4222,nats://10.0.0.6:4222', TPAY_NATS__REPLICAS: '3', TPAY_NATS__STREAM: 'SHOP_LOG' } });
    assert.equal(c.nats.servers, 'nats://10.0.0.5:4222,nats://10.0.0.6:4222');
    assert.equal(c.nats.replicas, 3);
    assert.equal(c.nats.stream, 'SHOP_LOG');
  });

  void it('names the key and the value of a bad setting', () => {
    assert.throws(() => loadConfig({ env: { TPAY_NATS__SERVERS: 'http://10.0.0.5:4222' } }), /^ConfigError: configuration key 'nats\.servers' = "http:\/\/10\.0\.0\.5:4222": expected nats:\/\/host:port/);
    assert.throws(() => loadConfig({ env: { TPAY_NATS__REPLICAS: '2' } }), /configuration key 'nats\.replicas' = 2: expected 1, 3 or 5/);
    assert.throws(() => loadConfig({ env: { TPAY_NATS__STREAM: 'a.b' } }), /configuration key 'nats\.stream' = "a\.b": expected 1–48 of \[A-Za-z0-9_-\]/);
    assert.throws(() => loadConfig({ env: { TPAY_NATS__MESSAGE_BYTES: '100' } }), /configuration key 'nats\.messageBytes' = 100/);
    assert.throws(
      () => loadConfig({ env: { TPAY_NATS__ACK_TIMEOUT_MS: '60000', TPAY_NATS__PUBLISH_ATTEMPTS: '3' } }),
      /configuration key 'nats\.publishAttempts' = 3: nats\.ackTimeoutMs × nats\.publishAttempts is 180000 ms; every retry must fit in the 120000 ms duplicate window/,
    );
    assert.throws(() => loadConfig({ env: { TPAY_NATS__URL: 'nats://x:1' } }), /unknown configuration key 'nats\.url'/);
  });

  void it('stream.lease takes only lease settings, needs the JetStream log, and points old keys at nats', () => {
    const c = loadConfig({ env: {}, overrides: { 'adapters.log': 'jetstream', 'adapters.serving': 'clickhouse', 'stream.lease': { ttlMs: 5000 } } });
    assert.deepEqual(c.stream.lease, { ttlMs: 5000, scanIntervalMs: null, batchRecords: 20_000, batchMs: 500 });
    assert.throws(
      () => loadConfig({ env: {}, overrides: { 'adapters.serving': 'clickhouse', 'stream.lease': {} } }),
      (e: unknown) => e instanceof ConfigError && e.message === "configuration key 'adapters.log' (not set, so its default): stream.lease needs adapters.log 'jetstream', the log every worker reads",
    );
    assert.throws(
      () => loadConfig({ env: {}, overrides: { 'adapters.log': 'jetstream', 'adapters.serving': 'clickhouse', 'stream.lease': { servers: 'nats://10.0.0.5:4222', logStream: 'TPAY_LOG' } } }),
      (e: unknown) =>
        e instanceof ConfigError &&
        e.message ===
          "configuration key 'stream.lease.servers' moved to 'nats.servers' (one NATS section for the JetStream log and the leases; see docs/scale-out.md); configuration key 'stream.lease.logStream' moved to 'nats.stream' (one NATS section for the JetStream log and the leases; see docs/scale-out.md)",
    );
  });

  void it('log.sink is log (the adapters.log log) or none; segment, its old name, still means log', () => {
    assert.equal(loadConfig({ env: {} }).log.sink, 'log');
    assert.equal(loadConfig({ env: { TPAY_LOG__SINK: 'segment' } }).log.sink, 'log');
    assert.equal(loadConfig({ env: { TPAY_LOG__SINK: 'none' } }).log.sink, 'none');
    assert.throws(() => loadConfig({ env: { TPAY_LOG__SINK: 'kafka' } }), /configuration key 'log\.sink' = "kafka"/);
  });
});
