/**
 * Rule 6 of `reconcile` (docs/reconciliation.md): one entry paying several
 * items without naming them (an acquirer that pays all merchant accounts of
 * a day at once). Only two sums are tried per account, currency and
 * expected date: each group's open items, and all open items of the day;
 * never arbitrary subsets (subset-sum is exponential and, over hundreds of
 * payouts, finds coincidences rather than batches).
 */
import { compareIds, HOW, ST, type MatchState } from './matcher-state.js';

interface Sum {
  /** Sorted by id. */
  items: number[];
  day: number;
  /** The group the sum is of, or null for the whole day. */
  group: string | null;
}

function preference(s: MatchState, entryDay: number): (a: Sum, b: Sum) => number {
  // Closest date, then a group's sum before the whole day's, then the earlier day, then the group name.
  return (a, b) =>
    Math.abs(a.day - entryDay) - Math.abs(b.day - entryDay) ||
    (a.group === null ? 1 : 0) - (b.group === null ? 1 : 0) ||
    a.day - b.day ||
    compareIds(a.group ?? '', b.group ?? '');
}

export function matchBatches(s: MatchState): void {
  const sets = new Map<string, { items: number[]; day: number; group: string | null }>();
  const add = (key: string, i: number, group: string | null): void => {
    let set = sets.get(key);
    if (set === undefined) {
      set = { items: [], day: s.iDay[i]!, group };
      sets.set(key, set);
    }
    set.items.push(i);
  };
  for (let i = 0; i < s.ni; i++) {
    if (s.iStatus[i] !== ST.open || s.iAmt[i] === 0) continue;
    const day = `${String(s.iAcc[i])},${String(s.iCur[i])},${String(s.iDay[i])}`;
    add(day, i, null);
    const group = s.items.groups[i];
    // JSON keeps any group name apart from the day key's digits and commas.
    if (group !== undefined && group !== null) add(`${day},${JSON.stringify(group)}`, i, group);
  }
  // Account, currency and total → the sums of at least two items with that total.
  const byTotal = new Map<string, Sum[]>();
  for (const set of sets.values()) {
    if (set.items.length < 2) continue;
    let total = 0;
    for (const i of set.items) total += s.iAmt[i]!;
    const first = set.items[0]!;
    const key = `${String(s.iAcc[first])},${String(s.iCur[first])},${String(total)}`;
    const list = byTotal.get(key);
    const sum: Sum = { items: set.items.sort(s.byItemId), day: set.day, group: set.group };
    if (list === undefined) byTotal.set(key, [sum]);
    else list.push(sum);
  }
  if (byTotal.size === 0) return;
  const open: number[] = [];
  for (let e = 0; e < s.ne; e++) if (s.eStatus[e] === ST.open) open.push(e);
  open.sort(s.byEntryDate);
  const w = s.options.dateWindowDays;
  for (const e of open) {
    const list = byTotal.get(`${String(s.eAcc[e])},${String(s.eCur[e])},${String(s.eAmt[e])}`);
    if (list === undefined) continue;
    const d = s.eDay[e]!;
    const fits = list.filter((c) => Math.abs(c.day - d) <= w && c.items.every((i) => s.iStatus[i] === ST.open));
    if (fits.length === 0) continue;
    fits.sort(preference(s, d));
    s.settle(fits[0]!.items, [e], HOW.batch);
  }
}
