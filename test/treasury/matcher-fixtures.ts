/** Builders for matcher tests: an item, an entry, a run that answers by id. */
import type { BookedEntry, EntryResult, ExpectedItem, ItemResult, MatchOptions } from '../../src/domain/reconciliation.js';
import type { MatchResult } from '../../src/treasury/match-result.js';
import { reconcile } from '../../src/treasury/matcher.js';

export const ACC = 'DE89370400440532013000';
export const OTHER_ACC = 'FR7630006000011234567890189';

export const OPTIONS: MatchOptions = { asOf: '2026-03-31', amountToleranceMinor: 0, dateWindowDays: 3, missingAfterDays: 2 };

export function item(id: string, over: Partial<ExpectedItem> = {}): ExpectedItem {
  return { id, kind: 'payout', account: ACC, currency: 'EUR', amountMinor: 10_000, expectedDate: '2026-03-02', reference: null, ...over };
}

export function entry(id: string, over: Partial<BookedEntry> = {}): BookedEntry {
  return { id, account: ACC, currency: 'EUR', amountMinor: 10_000, date: '2026-03-02', reference: null, remittance: null, bankReference: null, ...over };
}

export interface Outcome {
  item(id: string): ItemResult;
  entry(id: string): EntryResult;
  items: ItemResult[];
  entries: EntryResult[];
}

/** Every row of a result as objects, in row order. */
export interface Rows {
  items: ItemResult[];
  entries: EntryResult[];
}

export function rows(r: MatchResult): Rows {
  return { items: r.itemResults(), entries: r.entryResults() };
}

export function run(items: readonly ExpectedItem[], entries: readonly BookedEntry[], options: Partial<MatchOptions> = {}): Outcome {
  const r = rows(reconcile(items, entries, { ...OPTIONS, ...options }));
  const byItem = new Map(r.items.map((x) => [x.itemId, x]));
  const byEntry = new Map(r.entries.map((x) => [x.entryId, x]));
  return {
    item: (id) => byItem.get(id) ?? assertNever(`no item ${id}`),
    entry: (id) => byEntry.get(id) ?? assertNever(`no entry ${id}`),
    items: r.items,
    entries: r.entries,
  };
}

function assertNever(message: string): never {
  throw new Error(message);
}

/** An item result with the defaults of an unmatched one. */
export function itemResult(itemId: string, over: Partial<ItemResult>): ItemResult {
  return { itemId, status: 'missing', entryIds: [], method: null, difference: 0, bookedCurrency: null, daysOff: 0, reason: null, ...over };
}

/** An entry result with the defaults of an unexplained one. */
export function entryResult(entryId: string, over: Partial<EntryResult>): EntryResult {
  return { entryId, status: 'unexpected', itemIds: [], method: null, duplicateOf: null, reason: null, ...over };
}

/** Fisher–Yates with a seeded stream, so a failing order can be replayed. */
export function shuffled<T>(xs: readonly T[], next: () => number): T[] {
  const out = [...xs];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}
