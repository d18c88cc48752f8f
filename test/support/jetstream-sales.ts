/**
 * Sales in a JetStream log as ingest writes them (ingested-record frames on
 * partition hash(tenant, terminal)), with their tenants and registries in a
 * data directory, and a brute-force tally of what was written: per tenant
 * and currency, the count of each transaction type and the sum of each
 * type's amount in that currency (JSON.parse and plain loops, apart from the
 * product's code), and optionally the same per UTC day of the sale. For the
 * lease-mode stream test and `bench:scale`.
 */
import { encodeIngestedRecord } from '../../src/domain/ingested-record.js';
import { partitionOf } from '../../src/domain/partition.js';
import { records } from '../../src/firehose/records.js';
import type { RecordOptions } from '../../src/firehose/record-options.js';
import { generateWorld, type World } from '../../src/firehose/world.js';
import type { LogWriter } from '../../src/log/log.js';
import type { SeriesGroup, SeriesQuery } from '../../src/serving/series-query.js';
import { RegistryStore } from '../../src/tenants/registry-store.js';
import { TenantStore } from '../../src/tenants/tenant-store.js';

export interface Tally {
  sales: number;
  refunds: number;
  voids: number;
  grossMinor: number;
  refundsMinor: number;
  voidsMinor: number;
}

/** Tallies by `<tenant>/<currency>`, or `<tenant>/<currency>/<YYYY-MM-DD>` (UTC day of the sale) for day tallies. */
export type Tallies = Map<string, Tally>;

export function emptyTally(): Tally {
  return { sales: 0, refunds: 0, voids: 0, grossMinor: 0, refundsMinor: 0, voidsMinor: 0 };
}

/** A world of `tenants` tenants and `stores` stores, set up in `dataDir` (live since 2020, so nothing is history). */
export function setupWorld(dataDir: string, opts: { seed: number; tenants: number; stores: number }): World {
  const world = generateWorld({ seed: opts.seed, tenants: opts.tenants, stores: opts.stores });
  const tenants = new TenantStore(dataDir);
  const registries = new RegistryStore(dataDir);
  for (const t of world.tenants) {
    tenants.createTenant({ id: t.tenant.tenant_id, reportingCurrency: t.tenant.reporting_currency, businessDayCutoff: '00:00', goLive: '2020-01-01' });
    registries.put(t.tenant.tenant_id, t.stores);
  }
  return world;
}

/**
 * Appends the window's records to `writer` (committing every `commitEvery`)
 * and adds them to `tally`; resolves with the number written. `pace` is
 * awaited after each commit (a test keeps writing under load with it);
 * `stop` ends the writing early, after a commit; `days`, when given, gets
 * the same tally per UTC day of each sale.
 */
export async function writeSales(
  writer: LogWriter,
  partitions: number,
  world: World,
  window: RecordOptions,
  tally: Tallies,
  opts: { commitEvery?: number; pace?: () => Promise<void>; stop?: () => boolean; days?: Tallies } = {},
): Promise<number> {
  const scratch = Buffer.alloc(1 << 16);
  const commitEvery = opts.commitEvery ?? 5000;
  let n = 0;
  const clock = new Map<string, number>();
  for (const { tenant_id, line } of records(world, window)) {
    const p = JSON.parse(line) as { ts: string; store_id: string; terminal_id: string; seq: number; type: 'sale' | 'refund' | 'void'; amount_minor: number; currency: string };
    const ts = Date.parse(p.ts);
    const now = Math.max(clock.get(tenant_id) ?? 0, ts);
    clock.set(tenant_id, now);
    const lineBuf = Buffer.from(line);
    const len = encodeIngestedRecord(scratch, Buffer.from(tenant_id), p.terminal_id, p.seq, now + 1000, lineBuf, 0, lineBuf.length);
    writer.append(partitionOf(tenant_id, p.terminal_id, partitions), scratch.subarray(0, len));
    const key = `${tenant_id}/${p.currency}`;
    count(tally, key, p.type, p.amount_minor);
    // The ISO string's first ten characters are the UTC date.
    if (opts.days !== undefined) count(opts.days, `${key}/${new Date(ts).toISOString().slice(0, 10)}`, p.type, p.amount_minor);
    if (++n % commitEvery === 0) {
      await writer.commit();
      await opts.pace?.();
      if (opts.stop?.() === true) break;
    }
  }
  await writer.commit();
  return n;
}

function count(tally: Tallies, key: string, type: 'sale' | 'refund' | 'void', amountMinor: number): void {
  let t = tally.get(key);
  if (t === undefined) tally.set(key, (t = emptyTally()));
  if (type === 'sale') {
    t.sales++;
    t.grossMinor += amountMinor;
  } else if (type === 'refund') {
    t.refunds++;
    t.refundsMinor += amountMinor;
  } else {
    t.voids++;
    t.voidsMinor += amountMinor;
  }
}

/**
 * What the serving store counts, in the same shape: currency=original sums
 * by currency over [fromMs, toMs); with `byDay`, per UTC day (the keys of
 * `writeSales`' `days`), days without a transaction left out.
 */
export async function servingTallies(
  serving: { series(tenant: string, q: SeriesQuery): Promise<SeriesGroup[]> },
  tenants: readonly string[],
  fromMs: number,
  toMs: number,
  byDay = false,
): Promise<Tallies> {
  const out: Tallies = new Map();
  const metrics = ['sale_count', 'refund_count', 'void_count', 'gross_sales', 'refunds', 'voids'] as const;
  for (const tenant of tenants) {
    const groups = await serving.series(tenant, { metrics, granularity: byDay ? 'day' : 'month', tz: 'UTC', from: fromMs, to: toMs, groupBy: [{ kind: 'currency' }], scopes: [], currency: 'original' });
    for (const g of groups) {
      const whole = emptyTally();
      for (const p of g.points) {
        const [sales, refunds, voids, gross, refundsMinor, voidsMinor] = p.values.map((v) => v ?? 0) as [number, number, number, number, number, number];
        const t = byDay ? emptyTally() : whole;
        t.sales += sales;
        t.refunds += refunds;
        t.voids += voids;
        t.grossMinor += gross;
        t.refundsMinor += refundsMinor;
        t.voidsMinor += voidsMinor;
        if (byDay && t.sales + t.refunds + t.voids > 0) out.set(`${tenant}/${String(g.key['currency'])}/${new Date(p.bucket).toISOString().slice(0, 10)}`, t);
      }
      if (!byDay) out.set(`${tenant}/${String(g.key['currency'])}`, whole);
    }
  }
  return out;
}

/** Both tallies sorted by key, for deepEqual. */
export function sortedTallies(t: Tallies): [string, Tally][] {
  return [...t].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}
