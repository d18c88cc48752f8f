/**
 * The serving store's totals per tenant, currency and UTC day, summed by
 * ClickHouse over the batches reads count (the store's own visibility rule,
 * `visibleRanges` and `visibleSql`), in the shape of `writeSales`' day
 * tallies. The query path (`series`) gives the same sums but rebuilds a
 * tenant's quarter hours in memory, which took 6–45 s per 100,000 records
 * on the busy bench machine: too slow to check every run of `bench:scale`.
 */
import { ROWS } from '../src/serving/clickhouse-serving-schema.js';
import { visibleSql, type ClickHouseServingStore } from '../src/serving/clickhouse-serving-store.js';
import { ClickHouseHttp } from '../src/warehouse/clickhouse-http.js';
import { emptyTally, type Tallies } from '../test/support/jetstream-sales.js';

/** Quarter hours per UTC day. */
const QUARTERS_PER_DAY = 96;

export async function servingDayTotals(url: string, serving: ClickHouseServingStore): Promise<Tallies> {
  const ranges = await serving.visibleRanges();
  const out: Tallies = new Map();
  if (ranges.length === 0) return out;
  const ch = new ClickHouseHttp({ url });
  try {
    // r7–r9: sale, refund and void counts; o0–o2: gross, refunds and voids in the original currency (domain/metrics.ts SUM order).
    const body = (
      await ch.query(
        `SELECT tenant, currency, intDiv(quarter, ${String(QUARTERS_PER_DAY)}) AS day, sum(r7), sum(r8), sum(r9), sum(o0), sum(o1), sum(o2) ` +
          `FROM ${serving.database}.${ROWS} WHERE ${visibleSql(ranges)} GROUP BY tenant, currency, day FORMAT TabSeparated`,
      )
    ).toString();
    for (const line of body.split('\n')) {
      if (line === '') continue;
      const [tenant, currency, day, ...sums] = line.split('\t') as [string, string, string, ...string[]];
      const [sales, refunds, voids, grossMinor, refundsMinor, voidsMinor] = sums.map(Number) as [number, number, number, number, number, number];
      if (sales + refunds + voids === 0) continue;
      const t = emptyTally();
      Object.assign(t, { sales, refunds, voids, grossMinor, refundsMinor, voidsMinor });
      out.set(`${tenant}/${currency}/${new Date(Number(day) * 86_400_000).toISOString().slice(0, 10)}`, t);
    }
  } finally {
    await ch.close();
  }
  return out;
}
