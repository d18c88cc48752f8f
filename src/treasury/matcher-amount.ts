/**
 * Rule 5 of `reconcile` (docs/reconciliation.md): items and entries no
 * reference matched, paired by amount on one account and currency within
 * the date window. First the exact amounts (paired in date order, see
 * domain/window-matching), then, with a tolerance, the near ones: closest
 * date, then smallest difference, then ids. An exact amount is the
 * stronger evidence, so it is taken first even on a further date.
 */
import { pairInDateOrder } from '../domain/window-matching.js';
import { compareIds, HOW, ST, type MatchState } from './matcher-state.js';

interface Bucket {
  items: number[];
  entries: number[];
}

/** Items and entries still open, by (account, currency), in the order the keys first appear. */
function openByAccount(s: MatchState): Bucket[] {
  const out: Bucket[] = [];
  const byKey = new Map<number, Bucket>();
  const slot = (acc: number, cur: number): Bucket => {
    const key = acc * s.currencies.length + cur;
    let b = byKey.get(key);
    if (b === undefined) {
      b = { items: [], entries: [] };
      byKey.set(key, b);
      out.push(b);
    }
    return b;
  };
  for (let i = 0; i < s.ni; i++) {
    if (s.iStatus[i] === ST.open && s.iAmt[i] !== 0) slot(s.iAcc[i]!, s.iCur[i]!).items.push(i);
  }
  for (let e = 0; e < s.ne; e++) {
    if (s.eStatus[e] === ST.open) slot(s.eAcc[e]!, s.eCur[e]!).entries.push(e);
  }
  return out;
}

function mixKey(outer: number, amount: number): number {
  let x = Math.imul((amount | 0) ^ Math.imul(outer, 0x85ebca6b), 0xc2b2ae35) ^ ((amount / 4_294_967_296) | 0);
  x ^= x >>> 16;
  x = Math.imul(x, 0x85ebca6b);
  return x ^ (x >>> 13);
}

/**
 * Open items and entries grouped by (account, currency, amount), without an
 * object or a Map key per row (a boxed amount per row as a Map key cost
 * more than the pairing): open entries get a bucket number through an
 * open-addressing table, items look theirs up (an amount no open entry has
 * is never paired), and each bucket's rows sit together in index order.
 */
class AmountBuckets {
  count = 0;
  readonly itemStart: Int32Array;
  readonly items: Int32Array;
  readonly entryStart: Int32Array;
  readonly entries: Int32Array;

  constructor(s: MatchState) {
    const nc = s.currencies.length;
    const ne = s.ne;
    const ni = s.ni;
    let open = 0;
    for (let e = 0; e < ne; e++) if (s.eStatus[e] === ST.open) open++;
    let size = 16;
    while (size < 2 * open) size *= 2;
    const mask = size - 1;
    const table = s.arena.int32(size);
    const keyOuter = s.arena.int32(open);
    const keyAmount = s.arena.float64(open);
    const eBucket = s.arena.int32(ne, -1);
    const lookup = (outer: number, amount: number, insert: boolean): number => {
      let at = mixKey(outer, amount) & mask;
      for (;;) {
        const b = table[at]! - 1;
        if (b === -1) {
          if (!insert) return -1;
          const id = this.count++;
          keyOuter[id] = outer;
          keyAmount[id] = amount;
          table[at] = id + 1;
          return id;
        }
        if (keyOuter[b] === outer && keyAmount[b] === amount) return b;
        at = (at + 1) & mask;
      }
    };
    for (let e = 0; e < ne; e++) if (s.eStatus[e] === ST.open) eBucket[e] = lookup(s.eAcc[e]! * nc + s.eCur[e]!, s.eAmt[e]!, true);
    const iBucket = s.arena.int32(ni, -1);
    for (let i = 0; i < ni; i++) if (s.iStatus[i] === ST.open && s.iAmt[i] !== 0) iBucket[i] = lookup(s.iAcc[i]! * nc + s.iCur[i]!, s.iAmt[i]!, false);
    const n = this.count;
    this.itemStart = s.arena.int32(n + 1);
    this.entryStart = s.arena.int32(n + 1);
    for (let i = 0; i < ni; i++) if (iBucket[i] !== -1) this.itemStart[iBucket[i]! + 1]!++;
    for (let e = 0; e < ne; e++) if (eBucket[e] !== -1) this.entryStart[eBucket[e]! + 1]!++;
    for (let b = 0; b < n; b++) {
      this.itemStart[b + 1]! += this.itemStart[b]!;
      this.entryStart[b + 1]! += this.entryStart[b]!;
    }
    this.items = s.arena.int32(this.itemStart[n]!);
    this.entries = s.arena.int32(this.entryStart[n]!);
    const fill = s.arena.int32(n);
    fill.set(this.itemStart.subarray(0, n));
    for (let i = 0; i < ni; i++) if (iBucket[i] !== -1) this.items[fill[iBucket[i]!]!++] = i;
    fill.set(this.entryStart.subarray(0, n));
    for (let e = 0; e < ne; e++) if (eBucket[e] !== -1) this.entries[fill[eBucket[e]!]!++] = e;
  }
}

function matchExactAmounts(s: MatchState): void {
  const w = s.options.dateWindowDays;
  const mark = s.arena.mark();
  const b = new AmountBuckets(s);
  for (let k = 0; k < b.count; k++) {
    const i0 = b.itemStart[k]!;
    const i1 = b.itemStart[k + 1]!;
    const e0 = b.entryStart[k]!;
    const e1 = b.entryStart[k + 1]!;
    if (i1 === i0) continue;
    if (i1 - i0 === 1 && e1 - e0 === 1) {
      // One item, one entry (nearly every bucket): pairInDateOrder's answer without its arrays.
      const i = b.items[i0]!;
      const e = b.entries[e0]!;
      if (Math.abs(s.eDay[e]! - s.iDay[i]!) <= w) s.pair(i, e, HOW.amount);
      continue;
    }
    const items = Array.from(b.items.subarray(i0, i1)).sort(s.byItemDate);
    const entries = Array.from(b.entries.subarray(e0, e1)).sort(s.byEntryDate);
    const itemDays = items.map((i) => s.iDay[i]!);
    const entryDays = entries.map((e) => s.eDay[e]!);
    for (const [ip, ep] of pairInDateOrder(itemDays, entryDays, w)) s.pair(items[ip]!, entries[ep]!, HOW.amount);
  }
  s.arena.release(mark);
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
  for (const b of openByAccount(s)) {
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
      compareIds(s.items.ids[x.item]!, s.items.ids[y.item]!) ||
      compareIds(s.entries.ids[x.entry]!, s.entries.ids[y.entry]!),
  );
  for (const c of candidates) {
    if (s.iStatus[c.item] === ST.open && s.eStatus[c.entry] === ST.open) s.pair(c.item, c.entry, HOW.amount);
  }
}

export function matchByAmount(s: MatchState): void {
  matchExactAmounts(s);
  if (s.options.amountToleranceMinor > 0) matchNearAmounts(s);
}
