/**
 * A generated treasury world with an answer key: accounts × days of
 * expected payouts (two merchant accounts of one acquirer, one of another)
 * and cash deposits, booked cleanly except for injected breaks of every
 * kind. Amounts are unique per account and ≡ 1 (mod 4) in magnitude, so no
 * sum of two items equals an item, and unexpected entries are larger than
 * any sum: a break can only be found for the reason it was injected.
 */
import type { BookedEntry, ExpectedItem, ItemResult } from '../../src/domain/reconciliation.js';
import { Prng } from '../../src/firehose/prng.js';

export const BREAKS = [
  'missing',
  'short_paid',
  'over_paid',
  'repeat_duplicate',
  'bank_line_duplicate',
  'late',
  'wrong_reference',
  'no_reference',
  'currency',
  'batch_by_reference',
  'batch_by_sum',
  'split',
] as const;
export type Break = (typeof BREAKS)[number];

export interface ItemKey {
  status: ItemResult['status'];
  method: ItemResult['method'];
  difference: number;
  daysOff: number;
  bookedCurrency: string | null;
}

export interface EntryKey {
  status: string;
  duplicateOf: string | null;
}

export interface World {
  items: ExpectedItem[];
  entries: BookedEntry[];
  asOf: string;
  itemKey: Map<string, ItemKey>;
  entryKey: Map<string, EntryKey>;
  /** What was injected into which item or entry (clean ones are absent). */
  injected: Map<string, Break | 'unexpected' | 'zero'>;
}

const START = Date.UTC(2026, 0, 5) / 86_400_000;
const CURRENCIES = ['EUR', 'GBP', 'USD'] as const;

function iso(day: number): string {
  return new Date(day * 86_400_000).toISOString().slice(0, 10);
}

export function generateWorld(seed: number, accounts: number, days: number): World {
  const rng = new Prng(seed);
  const w: World = { items: [], entries: [], asOf: iso(START + days), itemKey: new Map(), entryKey: new Map(), injected: new Map() };
  const lastMissingDay = START + days - 3; // asOf − day > missingAfterDays (2)
  for (let a = 0; a < accounts; a++) {
    const account = `ACC${String(a).padStart(3, '0')}`;
    const currency = CURRENCIES[a % 3]!;
    const other = CURRENCIES[(a + 1) % 3]!;
    const used = new Set<number>();
    const amount = (): number => {
      for (;;) {
        const v = 4 * rng.between(2_500, 2_500_000) + 1;
        if (!used.has(v)) {
          used.add(v);
          return v;
        }
      }
    };
    let seq = 0;
    const book = (over: Partial<BookedEntry> & { amountMinor: number; date: string }, key: EntryKey): BookedEntry => {
      seq++;
      const e: BookedEntry = { id: `E-${account}-${String(seq).padStart(6, '0')}`, account, currency, reference: null, remittance: null, bankReference: `BK${account}${String(seq)}`, ...over };
      w.entries.push(e);
      w.entryKey.set(e.id, key);
      return e;
    };
    const matched: EntryKey = { status: 'matched', duplicateOf: null };
    for (let d = START; d < START + days; d++) {
      const ymd = iso(d).replaceAll('-', '');
      const mk = (id: string, kind: ExpectedItem['kind'], reference: string | null, group: string | null): ExpectedItem => {
        const sign = kind === 'payout' && rng.chance(0.06) ? -1 : 1;
        return { id: `${id}-${account}-${ymd}`, kind, account, currency, amountMinor: sign * amount(), expectedDate: iso(d), reference, group };
      };
      const day = [
        mk('PO-M1', 'payout', `ADYEN-MA${String(a)}1-${ymd}`, 'adyen'),
        mk('PO-M2', 'payout', `ADYEN-MA${String(a)}2-${ymd}`, 'adyen'),
        mk('PO-W', 'payout', `WL.${String(a)}.${ymd}`, 'worldline'),
        mk('DEP', 'deposit', rng.chance(0.25) ? null : `DEP-S${String(a)}-${ymd}`, null),
      ];
      const dep = day[3]!;
      if (rng.chance(0.03)) {
        dep.amountMinor = 0;
        w.injected.set(dep.id, 'zero');
      }
      w.items.push(...day);
      const clean = (it: ExpectedItem, key: Partial<ItemKey> = {}): void => {
        w.itemKey.set(it.id, { status: 'matched', method: it.reference === null ? 'amount' : 'reference', difference: 0, daysOff: 0, bookedCurrency: null, ...key });
      };
      const cleanEntry = (it: ExpectedItem): BookedEntry => book({ amountMinor: it.amountMinor, date: it.expectedDate, ...referenceFields(rng, it.reference) }, matched);
      const brk: Break | null = rng.chance(0.45) ? rng.pick(BREAKS) : null;
      // The break's item: one with a reference when the break needs one, never the zero deposit.
      const withRef = day.filter((it) => it.reference !== null && it.amountMinor !== 0);
      const target = brk === null ? null : brk === 'missing' || brk === 'no_reference' ? rng.pick(day.filter((it) => it.amountMinor !== 0)) : rng.pick(withRef);
      const handled = new Set<ExpectedItem>();
      if (brk !== null && target !== null) {
        const pair = [day[0]!, day[1]!];
        if (brk === 'batch_by_reference' || brk === 'batch_by_sum') {
          const total = pair[0]!.amountMinor + pair[1]!.amountMinor;
          const remittance = brk === 'batch_by_reference' ? `ADYEN PAYOUTS ${pair[0]!.reference!}, ${pair[1]!.reference!}` : 'ADYEN SETTLEMENT';
          const e = book({ amountMinor: total, date: iso(d + 1), remittance }, { status: 'timing', duplicateOf: null });
          for (const it of pair) {
            clean(it, { status: 'timing', method: 'batch', daysOff: 1 });
            handled.add(it);
            w.injected.set(it.id, brk);
          }
          w.injected.set(e.id, brk);
        } else {
          handled.add(target);
          w.injected.set(target.id, brk);
          injectOne(rng, brk, target, { book, clean, cleanEntry, other, lastMissingDay, w, d });
        }
      }
      for (const it of day) {
        if (handled.has(it)) continue;
        clean(it, it.amountMinor === 0 ? { method: null } : {});
        if (it.amountMinor !== 0) cleanEntry(it);
      }
      if (rng.chance(0.05)) {
        const e = book({ amountMinor: 4 * rng.between(12_500_000, 25_000_000) + 1, date: iso(d + rng.int(3)), remittance: 'INTEREST ADJUSTMENT' }, { status: 'unexpected', duplicateOf: null });
        w.injected.set(e.id, 'unexpected');
      }
    }
  }
  return w;
}

interface Ctx {
  book: (over: Partial<BookedEntry> & { amountMinor: number; date: string }, key: EntryKey) => BookedEntry;
  clean: (it: ExpectedItem, key?: Partial<ItemKey>) => void;
  cleanEntry: (it: ExpectedItem) => BookedEntry;
  other: string;
  lastMissingDay: number;
  w: World;
  d: number;
}

function injectOne(rng: Prng, brk: Break, it: ExpectedItem, c: Ctx): void {
  const ref = it.reference;
  const mismatch: EntryKey = { status: 'amount_mismatch', duplicateOf: null };
  const matched: EntryKey = { status: 'matched', duplicateOf: null };
  const k = rng.between(1, Math.max(1, Math.floor(Math.abs(it.amountMinor) / 10)));
  switch (brk) {
    case 'missing':
      c.clean(it, { status: c.d <= c.lastMissingDay ? 'missing' : 'pending', method: null });
      return;
    case 'short_paid':
    case 'over_paid': {
      const diff = brk === 'short_paid' ? -k : k;
      c.book({ amountMinor: it.amountMinor + diff, date: it.expectedDate, reference: ref }, mismatch);
      c.clean(it, { status: 'amount_mismatch', difference: diff });
      return;
    }
    case 'repeat_duplicate':
    case 'bank_line_duplicate': {
      const first = c.cleanEntry(it);
      const copy: BookedEntry =
        brk === 'bank_line_duplicate' ? { ...first, id: `${first.id}-copy` } : { ...first, id: `${first.id}-again`, date: iso(c.d + 1), bankReference: `${first.bankReference!}-2` };
      c.w.entries.push(copy);
      c.w.entryKey.set(copy.id, { status: 'duplicate', duplicateOf: first.id });
      c.w.injected.set(copy.id, brk);
      c.clean(it);
      return;
    }
    case 'late': {
      const late = rng.between(1, 5);
      c.book({ amountMinor: it.amountMinor, date: iso(c.d + late), reference: ref }, { status: 'timing', duplicateOf: null });
      c.clean(it, { status: 'timing', daysOff: late });
      return;
    }
    case 'wrong_reference':
    case 'no_reference': {
      const late = brk === 'no_reference' ? rng.int(3) : 0;
      const reference = brk === 'wrong_reference' ? `ZZ${String(rng.int(1e9))}` : null;
      c.book({ amountMinor: it.amountMinor, date: iso(c.d + late), reference, remittance: 'BANK TRANSFER' }, late === 0 ? matched : { status: 'timing', duplicateOf: null });
      c.clean(it, { status: late === 0 ? 'matched' : 'timing', method: 'amount', daysOff: late });
      return;
    }
    case 'currency':
      c.book({ amountMinor: it.amountMinor, date: it.expectedDate, reference: ref, currency: c.other }, mismatch);
      c.clean(it, { status: 'amount_mismatch', bookedCurrency: c.other });
      return;
    case 'split': {
      const part = Math.trunc(it.amountMinor * 0.6);
      c.book({ amountMinor: part, date: it.expectedDate, reference: ref }, { status: 'timing', duplicateOf: null });
      c.book({ amountMinor: it.amountMinor - part, date: iso(c.d + 1), reference: ref }, { status: 'timing', duplicateOf: null });
      c.clean(it, { status: 'timing', daysOff: 1 });
      return;
    }
    case 'batch_by_reference':
    case 'batch_by_sum':
      throw new Error('batches are injected per day');
  }
}

/** Where and how a clean entry carries its reference: as banks and acquirers variously write it. */
function referenceFields(rng: Prng, ref: string | null): Partial<BookedEntry> {
  if (ref === null) return { remittance: 'CASH DEPOSIT BRANCH 12' };
  switch (rng.int(5)) {
    case 0:
      return { reference: ref };
    case 1:
      return { reference: ref.toLowerCase().replaceAll('-', ' ') };
    case 2:
      return { remittance: `PAYOUT ${ref} THANK YOU` };
    case 3:
      return { reference: 'NOTPROVIDED', remittance: `/ROC/${ref}/` };
    default:
      return { remittance: `EREF+${ref.toLowerCase()} SVWZ+SETTLEMENT` };
  }
}
