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
    assert.throws(
      () => loadConfig({ env: { TPAY_ADAPTERS__LOG: 'jetstream' } }),
      (e: unknown) => e instanceof ConfigError && e.code === 'config_invalid' && /^configuration key 'adapters\.log' = "jetstream": .*"segment"/.test(e.message),
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
