/**
 * A data directory with generated transactions already in the log (as
 * ingest writes them), tenants, registries and read keys, plus the same
 * transactions parsed for the reference.
 */
import { join } from 'node:path';
import { currencyExponent } from '../../src/domain/currency.js';
import { DEFAULT_USD_PER_UNIT } from '../../src/domain/fx-defaults.js';
import { encodeIngestedRecord } from '../../src/domain/ingested-record.js';
import { partitionOf } from '../../src/domain/partition.js';
import type { Store } from '../../src/domain/store.js';
import { records } from '../../src/firehose/records.js';
import type { RecordOptions } from '../../src/firehose/record-options.js';
import { generateWorld, type World } from '../../src/firehose/world.js';
import { SegmentLog } from '../../src/log/segment-log.js';
import type { RollupDelta } from '../../src/serving/serving-store.js';
import { deltasOf } from '../../src/stream/batch-deltas.js';
import { RollupBuilder } from '../../src/stream/rollup-builder.js';
import type { TenantDirectory } from '../../src/stream/tenant-directory.js';
import { RegistryStore } from '../../src/tenants/registry-store.js';
import { TenantStore } from '../../src/tenants/tenant-store.js';
import { refTxnOf, type ParsedLine, type RefTxn } from './reference.js';

export const PARTITIONS = 8;
export const SEGMENT_BYTES = 1 << 20;

export interface TenantSetup {
  id: string;
  reporting: string;
  cutoff: string;
  cutoffMin: number;
  readKey: string;
  stores: Store[];
}

export interface Fixture {
  world: World;
  tenants: TenantSetup[];
  txns: RefTxn[];
}


/**
 * Generates `windows` of records for a world, writes them to the log of
 * `dataDir` and sets up the tenants with the given cut-offs.
 * Receive time follows the simulated clock: a record arrives one second
 * after the newest event time seen so far in its tenant's stream, so an
 * offline till's backlog arrives late, as it would.
 */
export async function buildFixture(
  dataDir: string,
  opts: { seed: number; stores: number; tenants: { cutoff: string }[]; windows: RecordOptions[] },
): Promise<Fixture> {
  const world = generateWorld({ seed: opts.seed, tenants: opts.tenants.length, stores: opts.stores });
  const tenantStore = new TenantStore(dataDir);
  const registries = new RegistryStore(dataDir);
  const setups: TenantSetup[] = world.tenants.map((t, i) => {
    const cutoff = opts.tenants[i]!.cutoff;
    const id = t.tenant.tenant_id;
    // Live since long before the records: late ones are restatements, not history.
    tenantStore.createTenant({ id, reportingCurrency: t.tenant.reporting_currency, businessDayCutoff: cutoff, goLive: '2020-01-01' });
    registries.put(id, t.stores);
    const [h, m] = cutoff.split(':').map(Number) as [number, number];
    return { id, reporting: t.tenant.reporting_currency, cutoff, cutoffMin: h * 60 + m, readKey: tenantStore.createKey(id, 'read').secret, stores: t.stores };
  });
  const byTenant = new Map(setups.map((s) => [s.id, { setup: s, stores: new Map(s.stores.map((st) => [st.store_id, st])) }]));

  const log = await SegmentLog.open(join(dataDir, 'log'), { partitions: PARTITIONS, segmentBytes: SEGMENT_BYTES });
  const writer = await log.openWriter([...Array(PARTITIONS).keys()]);
  const scratch = Buffer.alloc(1 << 16);
  const txns: RefTxn[] = [];
  let staged = 0;
  for (const window of opts.windows) {
    const clock = new Map<string, number>();
    for (const { tenant_id, line } of records(world, window)) {
      const p = JSON.parse(line) as ParsedLine;
      const ts = Date.parse(p.ts);
      const now = Math.max(clock.get(tenant_id) ?? 0, ts);
      clock.set(tenant_id, now);
      const receivedAt = now + 1000;
      const t = byTenant.get(tenant_id)!;
      const store = t.stores.get(p.store_id)!;
      const lineBuf = Buffer.from(line);
      const n = encodeIngestedRecord(scratch, Buffer.from(tenant_id), p.terminal_id, p.seq, receivedAt, lineBuf, 0, lineBuf.length);
      writer.append(partitionOf(tenant_id, p.terminal_id, PARTITIONS), scratch.subarray(0, n));
      if (++staged % 5000 === 0) await writer.commit();
      txns.push(refTxnOf(tenant_id, p, store, t.setup.reporting, receivedAt, DEFAULT_USD_PER_UNIT, (c) => currencyExponent(c)!));
    }
  }
  await writer.close();
  await log.close();
  return { world, tenants: setups, txns };
}

/** One partition's batch of the fixture's log, as the stream reads and rolls it up. */
export interface LogBatch {
  partition: number;
  from: number;
  to: number;
  deltas: RollupDelta[];
}

/** The fixture's log read as the stream reads it: `batchRecords` records per batch, each rolled up into deltas. */
export async function logBatches(dataDir: string, directory: TenantDirectory, batchRecords: number): Promise<LogBatch[]> {
  const log = await SegmentLog.open(join(dataDir, 'log'), { partitions: PARTITIONS, segmentBytes: SEGMENT_BYTES });
  const builder = new RollupBuilder(directory);
  const out: LogBatch[] = [];
  for (let p = 0; p < PARTITIONS; p++) {
    const reader = await log.openReader(p, 0);
    for (;;) {
      const from = reader.position;
      const records = await reader.read(batchRecords, 8 << 20);
      if (records.length === 0) break;
      const { deltas, unknownStores } = deltasOf(builder.build(p, records), directory);
      if (unknownStores !== 0) throw new Error(`the fixture's log names ${String(unknownStores)} stores its registry lacks`);
      out.push({ partition: p, from, to: reader.position, deltas });
    }
    await reader.close();
  }
  await log.close();
  return out;
}
