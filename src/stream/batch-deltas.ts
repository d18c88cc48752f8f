/**
 * A built batch (wire layout of stream-protocol.ts) as `RollupDelta`
 * objects with their stores, for a serving store that writes rows (the
 * ClickHouse adapter), where the in-process path applies the numbers
 * directly.
 */
import type { Store } from '../domain/store.js';
import type { CardBrand, Tender } from '../domain/transaction.js';
import type { RollupDelta } from '../serving/serving-store.js';
import type { BuiltBatch } from './rollup-builder.js';
import { DELTA_WIDTH } from './stream-protocol.js';
import type { TenantDirectory } from './tenant-directory.js';

/**
 * The deltas of `built`, each with its store as the directory describes it
 * now; `unknownStores` counts deltas whose store left the registry since
 * the batch was built (left out, as the in-process stream does).
 * @example
 * const { deltas } = deltasOf(builder.build(3, records), directory);
 */
export function deltasOf(built: BuiltBatch, directory: TenantDirectory): { deltas: RollupDelta[]; unknownStores: number } {
  const data = built.deltas;
  const registries = built.tenants.map((t) => directory.get(t)?.stores);
  const deltas: RollupDelta[] = [];
  let unknownStores = 0;
  for (let o = 0; o < data.length; o += DELTA_WIDTH) {
    const store: Store | undefined = registries[data[o]!]?.get(built.stores[data[o + 1]!]!);
    if (store === undefined) {
      unknownStores++;
      continue;
    }
    deltas.push({
      tenant: built.tenants[data[o]!]!,
      store,
      quarter: data[o + 2]!,
      tender: built.words[data[o + 3]!] as Tender,
      cardBrand: data[o + 4] === -1 ? null : (built.words[data[o + 4]!] as CardBrand),
      currency: built.words[data[o + 5]!]!,
      rep: data.subarray(o + 6, o + 18),
      orig: data.subarray(o + 18, o + 25),
    });
  }
  return { deltas, unknownStores };
}
