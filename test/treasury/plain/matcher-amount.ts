/**
 * Rule 5 of `reconcile` (docs/reconciliation.md): items and entries no
 * reference matched, paired by amount on one account and currency within
 * the date window. First the exact amounts (paired in date order, see
 * domain/window-matching), then, with a tolerance, the near ones: closest
 * date, then smallest difference, then ids. An exact amount is the
 * stronger evidence, so it is taken first even on a further date.
 */
import { pairInDateOrder } from '../../../src/domain/window-matching.js';
import { compareIds, HOW, ST, type MatchState } from './matcher-state.js';

/** Items and entries still open, by (account, currency) and optionally amount. */
function openByKey(s: MatchState, withAmount: boolean): Map<string, { items: number[]; entries: number[] }> {
  const out = new Map<string, { items: number[]; entries: number[] }>();
  const slot = (acc: number, cur: number, amt: number): { items: number[]; entries: number[] } => {
    const key = withAmount ? `${String(acc)},${String(cur)},${String(amt)}` : `${String(acc)},${String(cur)}`;
    let b = out.get(key);
    if (b === undefined) {
      b = { items: [], entries: [] };
      out.set(key, b);
    }
    return b;
  };
  for (let i = 0; i < s.items.length; i++) {
    if (s.iStatus[i] === ST.open && s.iAmt[i] !== 0) slot(s.iAcc[i]!, s.iCur[i]!, s.iAmt[i]!).items.push(i);
  }
  for (let e = 0; e < s.entries.length; e++) {
    if (s.eStatus[e] === ST.open) slot(s.eAcc[e]!, s.eCur[e]!, s.eAmt[e]!).entries.push(e);
  }
  return out;
}

function matchExactAmounts(s: MatchState): void {
  const w = s.options.dateWindowDays;
  for (const b of openByKey(s, true).values()) {
    if (b.items.length === 0 || b.entries.length === 0) continue;
    b.items.sort(s.byItemDate);
    b.entries.sort(s.byEntryDate);
    const itemDays = b.items.map((i) => s.iDay[i]!);
    const entryDays = b.entries.map((e) => s.eDay[e]!);
    for (const [ip, ep] of pairInDateOrder(itemDays, entryDays, w)) s.pair(b.items[ip]!, b.entries[ep]!, HOW.amount);
  }
}

interface Candidate {
  item: number;
  entry: number;
  days: number;
  diff: number;
}

function matchNearAmounts(s: MatchState): void {
  const tol = s.options.amountToleranceMinor;
  const w = s.options.dateWindowDays;
  const candidates: Candidate[] = [];
  for (const b of openByKey(s, false).values()) {
    if (b.items.length === 0 || b.entries.length === 0) continue;
    const entries = b.entries.sort((x, y) => s.eAmt[x]! - s.eAmt[y]!);
    const amounts = entries.map((e) => s.eAmt[e]!);
    for (const i of b.items) {
      const a = s.iAmt[i]!;
      // First entry with amount ≥ a − tol (binary search), then every one up to a + tol.
      let lo = 0;
      let hi = amounts.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (amounts[mid]! < a - tol) lo = mid + 1;
        else hi = mid;
      }
      for (let k = lo; k < amounts.length && amounts[k]! <= a + tol; k++) {
        const e = entries[k]!;
        const days = Math.abs(s.eDay[e]! - s.iDay[i]!);
        if (days <= w) candidates.push({ item: i, entry: e, days, diff: Math.abs(amounts[k]! - a) });
      }
    }
  }
  candidates.sort(
    (x, y) =>
      x.days - y.days ||
      x.diff - y.diff ||
      compareIds(s.items[x.item]!.id, s.items[y.item]!.id) ||
      compareIds(s.entries[x.entry]!.id, s.entries[y.entry]!.id),
  );
  for (const c of candidates) {
    if (s.iStatus[c.item] === ST.open && s.eStatus[c.entry] === ST.open) s.pair(c.item, c.entry, HOW.amount);
  }
}

export function matchByAmount(s: MatchState): void {
  matchExactAmounts(s);
  if (s.options.amountToleranceMinor > 0) matchNearAmounts(s);
}
