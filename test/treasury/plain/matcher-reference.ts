/**
 * The first two steps of `reconcile` (docs/reconciliation.md, rules 2–3):
 * the same bank line booked twice, then matching by reference.
 */
import { forEachReferenceCandidate, normaliseReference } from '../../../src/domain/reference-text.js';
import { compareIds, HOW, ST, type MatchState, type MethodCode } from './matcher-state.js';

/**
 * Entries with the same account, bank reference, date, currency and amount
 * are one booking seen twice (an overlapping statement, a re-import): all
 * but the lowest id are `duplicate` of it.
 */
export function markRepeatedBankLines(s: MatchState): void {
  const first = new Map<string, number>();
  // Other lines sharing a bank reference (rare: another account, or another line of the same bank), chained.
  const next = new Int32Array(s.entries.length).fill(-1);
  // Per line seen twice: its first occurrence → every copy (the first included).
  const repeats = new Map<number, number[]>();
  for (let e = 0; e < s.entries.length; e++) {
    const ref = s.entries[e]!.bankReference;
    if (ref === null) continue;
    const head = first.get(ref);
    if (head === undefined) {
      first.set(ref, e);
      continue;
    }
    let k = head;
    let last = head;
    for (; k !== -1; last = k, k = next[k]!) {
      if (s.eAcc[k] === s.eAcc[e] && s.eDay[k] === s.eDay[e] && s.eCur[k] === s.eCur[e] && s.eAmt[k] === s.eAmt[e]) break;
    }
    if (k === -1) {
      next[last] = e;
      continue;
    }
    const copies = repeats.get(k);
    if (copies === undefined) repeats.set(k, [k, e]);
    else copies.push(e);
  }
  for (const copies of repeats.values()) {
    let original = copies[0]!;
    for (const e of copies) if (compareIds(s.entries[e]!.id, s.entries[original]!.id) < 0) original = e;
    for (const e of copies) if (e !== original) s.duplicate(e, original, HOW.none);
  }
}

/** Normalised reference → item on one account; the same reference on two items of one account is ambiguous and matches neither. */
class ReferenceIndex {
  private readonly first = new Map<string, number>();
  private readonly next: Int32Array;
  private readonly ambiguous: Uint8Array;

  constructor(private readonly s: MatchState) {
    this.next = new Int32Array(s.items.length).fill(-1);
    this.ambiguous = new Uint8Array(s.items.length);
    for (let i = 0; i < s.items.length; i++) {
      const ref = normaliseReference(s.items[i]!.reference);
      if (ref === null) continue;
      const head = this.first.get(ref);
      if (head === undefined) {
        this.first.set(ref, i);
        continue;
      }
      let k = head;
      let last = head;
      for (; k !== -1; last = k, k = this.next[k]!) if (s.iAcc[k] === s.iAcc[i]) break;
      if (k === -1) this.next[last] = i;
      else this.ambiguous[k] = 1;
    }
  }

  /** The item on `account` with this normalised reference, or −1. */
  find(ref: string, account: number): number {
    const head = this.first.get(ref);
    if (head === undefined) return -1;
    for (let k = head; k !== -1; k = this.next[k]!) if (this.s.iAcc[k] === account) return this.ambiguous[k] === 1 ? -1 : k;
    return -1;
  }
}

/** Payments of one item set found by reference: the first entry, then splits and repeats joined in date order. */
interface Group {
  items: readonly number[];
  payers: number[];
  method: MethodCode;
}

/** The items an entry names: its reference whole, else every reference candidate in its reference and remittance text. */
function namedItems(s: MatchState, index: ReferenceIndex, e: number): number[] | null {
  const en = s.entries[e]!;
  const acc = s.eAcc[e]!;
  const ref = normaliseReference(en.reference);
  if (ref !== null) {
    const i = index.find(ref, acc);
    if (i !== -1) return [i];
  }
  const found: number[] = [];
  const visit = (candidate: string): void => {
    const i = index.find(candidate, acc);
    if (i !== -1 && !found.includes(i)) found.push(i);
  };
  if (en.reference !== null) forEachReferenceCandidate(en.reference, visit);
  if (en.remittance !== null) forEachReferenceCandidate(en.remittance, visit);
  return found.length === 0 ? null : found;
}

/**
 * Rule 3: entries naming items by reference. An entry naming one item pays
 * it (method `reference`), naming several pays them together (`batch`).
 * Where several entries name the same items, they are taken in date order:
 * the first pays; a later one with the amount of an earlier payer that would
 * not bring the total closer to the expected amount is its `duplicate`;
 * any other later one joins the payment (a split: the total is compared).
 * Items named that another entry already took are left to the first.
 */
export function matchByReference(s: MatchState): void {
  const index = new ReferenceIndex(s);
  const ne = s.entries.length;
  // Per entry: −1 none, ≥ 0 the one item it names, −2 several (in `multi`).
  const named = new Int32Array(ne).fill(-1);
  const multi = new Map<number, number[]>();
  const claims = new Uint32Array(s.items.length);
  for (let e = 0; e < ne; e++) {
    if (s.eStatus[e] !== ST.open) continue;
    const found = namedItems(s, index, e);
    if (found === null) continue;
    if (found.length === 1) named[e] = found[0]!;
    else {
      named[e] = -2;
      multi.set(e, found.sort(s.byItemId));
    }
    for (const i of found) claims[i]!++;
  }
  // Entries whose items no other entry names are settled straight away (nearly all of them); the rest in date order.
  const contested: number[] = [];
  for (let e = 0; e < ne; e++) {
    const one = named[e]!;
    if (one >= 0) {
      if (claims[one] === 1) s.pair(one, e, HOW.reference);
      else contested.push(e);
    } else if (one === -2) {
      const set = multi.get(e)!;
      if (set.every((i) => claims[i] === 1)) s.settle(set, [e], HOW.batch);
      else contested.push(e);
    }
  }
  contested.sort(s.byEntryDate);
  const groupOf = new Map<number, Group>();
  const groups: Group[] = [];
  for (const e of contested) {
    const one = named[e]!;
    const set = one >= 0 ? [one] : multi.get(e)!;
    const free = set.filter((i) => !groupOf.has(i));
    if (free.length > 0) {
      const g: Group = { items: free, payers: [e], method: set.length > 1 ? HOW.batch : HOW.reference };
      groups.push(g);
      for (const i of free) groupOf.set(i, g);
      continue;
    }
    const g = groupOf.get(set[0]!)!;
    if (g.items.length === set.length && set.every((i) => groupOf.get(i) === g)) {
      const repeated = repeatOf(s, g, e);
      if (repeated === -1) g.payers.push(e);
      else s.duplicate(e, repeated, g.method);
    } else {
      // It names items that other payments already cover: a second booking of (part of) them.
      let earliest = g.payers[0]!;
      for (const i of set) {
        const p = groupOf.get(i)!.payers[0]!;
        if (s.byEntryDate(p, earliest) < 0) earliest = p;
      }
      s.duplicate(e, earliest, set.length > 1 ? HOW.batch : HOW.reference);
    }
  }
  for (const g of groups) s.settle(g.items, g.payers, g.method);
}

/** The earlier payer `e` repeats (same amount and currency, and adding it would not help the total), or −1. */
function repeatOf(s: MatchState, g: Group, e: number): number {
  let same = -1;
  for (const p of g.payers) {
    if (s.eAmt[p] === s.eAmt[e] && s.eCur[p] === s.eCur[e]) {
      same = p;
      break;
    }
  }
  if (same === -1) return -1;
  const cur = s.iCur[g.items[0]!]!;
  if (s.eCur[e] !== cur) return same;
  let expected = 0;
  for (const i of g.items) expected += s.iAmt[i]!;
  let booked = 0;
  for (const p of g.payers) if (s.eCur[p] === cur) booked += s.eAmt[p]!;
  return Math.abs(booked + s.eAmt[e]! - expected) >= Math.abs(booked - expected) ? same : -1;
}
