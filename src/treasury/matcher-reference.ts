/**
 * The first two steps of `reconcile` (docs/reconciliation.md, rules 2–3):
 * the same bank line booked twice, then matching by reference.
 */
import { ReferenceScanner, sameNormalised, writeNormalised } from '../domain/reference-text.js';
import { compareIds, HOW, ST, type MatchState, type MethodCode } from './matcher-state.js';

/** A power of two at least twice `n`: open-addressing tables stay at most half full. */
function tableSize(n: number): number {
  let size = 16;
  while (size < 2 * n) size *= 2;
  return size;
}

/** Mixes a string hash with the integer keys it is looked up with (finaliser of MurmurHash3). */
function slotHash(h: number, a: number, b: number): number {
  let x = Math.imul(h ^ Math.imul(a, 0x85ebca6b), 0xc2b2ae35) ^ b;
  x ^= x >>> 16;
  x = Math.imul(x, 0x85ebca6b);
  return x ^ (x >>> 13);
}

/**
 * Entries with the same account, bank reference, date, currency and amount
 * are one booking seen twice (an overlapping statement, a re-import): all
 * but the lowest id are `duplicate` of it.
 */
export function markRepeatedBankLines(s: MatchState): void {
  const ne = s.ne;
  // Open addressing over entry numbers + 1, keyed by the four numbers: a
  // Map of two million bank-reference strings cost more than the rest of
  // this pass together, and almost every line is seen once.
  const mark = s.arena.mark();
  const mask = tableSize(ne) - 1;
  const table = s.arena.int32(mask + 1);
  // Per line seen twice: its first occurrence → every copy (the first included).
  let repeats: Map<number, number[]> | null = null;
  for (let e = 0; e < ne; e++) {
    const ref = s.entries.bankReferences[e]!;
    if (ref === null) continue;
    const amount = s.eAmt[e]!;
    // The numbers only: a line's text is read when another line has the same account, day, currency and amount.
    let at = slotHash(amount | 0, s.eAcc[e]! * 1024 + s.eCur[e]!, s.eDay[e]! ^ ((amount / 4_294_967_296) | 0)) & mask;
    for (;;) {
      const k = table[at]! - 1;
      if (k === -1) {
        table[at] = e + 1;
        break;
      }
      if (s.eAcc[k] === s.eAcc[e] && s.eDay[k] === s.eDay[e] && s.eCur[k] === s.eCur[e] && s.eAmt[k] === amount && s.entries.bankReferences[k] === ref) {
        repeats ??= new Map();
        const copies = repeats.get(k);
        if (copies === undefined) repeats.set(k, [k, e]);
        else copies.push(e);
        break;
      }
      at = (at + 1) & mask;
    }
  }
  s.arena.release(mark);
  if (repeats === null) return;
  for (const copies of repeats.values()) {
    let original = copies[0]!;
    for (const e of copies) if (compareIds(s.entries.ids[e]!, s.entries.ids[original]!) < 0) original = e;
    for (const e of copies) if (e !== original) s.duplicate(e, original, HOW.none);
  }
}

/**
 * Normalised reference → item on one account; the same reference on two
 * items of one account is ambiguous and matches neither. An open-addressing
 * table keyed by the normalised reference's hash and the account, so a
 * candidate is looked up from its range of the entry's text, without
 * building its string (domain/reference-text.ts, ReferenceScanner).
 */
class ReferenceIndex {
  private readonly mask: number;
  /**
   * Per slot, four numbers: item number + 1 (0: empty slot; negative: that
   * reference is ambiguous on that account), the slot hash, the account and
   * where the item's normalised reference starts in `norm`. A probe reads
   * one slot, a hit one more place (`norm`), instead of three arrays and
   * the item object's string.
   */
  private readonly table: Int32Array;
  /** Normalised lengths some item reference has (the last cell: 255 or more). */
  private readonly lengths = new Uint8Array(256);
  /** Normalised references end to end, each after one byte of its length (255: the length is in `longLength`). */
  private readonly norm: Uint8Array;
  private readonly longLength = new Map<number, number>();

  constructor(private readonly s: MatchState) {
    const ni = s.ni;
    this.mask = tableSize(ni) - 1;
    this.table = s.arena.int32(4 * (this.mask + 1));
    // A length byte and the text per reference is room enough (a normalised reference is never longer
    // than its text): sized from the table, so it never grows outside the arena during a run.
    this.norm = s.arena.uint8(ni + s.items.referenceChars);
    const scanner = new ReferenceScanner();
    let end = 0;
    for (let i = 0; i < ni; i++) {
      const ref = s.items.references[i]!;
      if (ref === null) continue;
      const h = scanner.whole(ref);
      if (h === null) continue;
      const length = scanner.length;
      const at = end;
      this.norm[at] = Math.min(255, length);
      if (length >= 255) this.longLength.set(at, length);
      end = writeNormalised(ref, this.norm, at + 1);
      this.lengths[Math.min(255, length)] = 1;
      const acc = s.iAcc[i]!;
      const full = slotHash(h, acc, 0);
      let slot = full & this.mask;
      for (;;) {
        const p = 4 * slot;
        const k = this.table[p]!;
        if (k === 0) {
          this.table[p] = i + 1;
          this.table[p + 1] = full;
          this.table[p + 2] = acc;
          this.table[p + 3] = at;
          break;
        }
        if (this.table[p + 1] === full && this.table[p + 2] === acc && this.sameAt(ref, 0, ref.length, length, this.table[p + 3]!)) {
          if (k > 0) this.table[p] = -k;
          end = at; // its bytes are not needed
          break;
        }
        slot = (slot + 1) & this.mask;
      }
    }
  }

  /** Whether the normalised reference at `at` is `text.slice(start, end)` normalised (`length` characters). */
  private sameAt(text: string, start: number, end: number, length: number, at: number): boolean {
    const stored = this.norm[at]!;
    if (stored !== Math.min(255, length)) return false;
    if (stored === 255 && this.longLength.get(at) !== length) return false;
    return sameNormalised(text, start, end, this.norm, at + 1, length);
  }

  /** Whether some item reference is `length` characters long once normalised: most words of remittance text are not, and skip the table. */
  mayHave(length: number): boolean {
    return this.lengths[Math.min(255, length)] === 1;
  }

  /** The item on `account` whose reference normalises as `text.slice(start, end)` does (`length` characters, hash `h`), or −1. */
  find(text: string, start: number, end: number, h: number, length: number, account: number): number {
    const full = slotHash(h, account, 0);
    let slot = full & this.mask;
    for (;;) {
      const p = 4 * slot;
      const k = this.table[p]!;
      if (k === 0) return -1;
      if (this.table[p + 1] === full && this.table[p + 2] === account && this.sameAt(text, start, end, length, this.table[p + 3]!)) return k < 0 ? -1 : k - 1;
      slot = (slot + 1) & this.mask;
    }
  }
}

/** Payments of one item set found by reference: the first entry, then splits and repeats joined in date order. */
interface Group {
  items: readonly number[];
  payers: number[];
  method: MethodCode;
}

/**
 * The items entries name: an entry's reference whole, else every reference
 * candidate in its reference and remittance text. One finder per run: it
 * keeps its scanner and its visitor (no closure per entry).
 */
class NamedItems {
  private readonly scanner = new ReferenceScanner();
  /**
   * The items found for the current entry, in the order found: a typed
   * array reused for every entry (an array emptied with `length = 0` lets
   * its storage go, and took a new one per entry that names an item).
   */
  private found = new Int32Array(16);
  private nFound = 0;
  private text = '';
  private account = 0;
  private readonly visit = (start: number, end: number, h: number, length: number): void => {
    if (!this.index.mayHave(length)) return;
    const i = this.index.find(this.text, start, end, h, length, this.account);
    if (i === -1) return;
    for (let k = 0; k < this.nFound; k++) if (this.found[k] === i) return;
    if (this.nFound === this.found.length) {
      const grown = new Int32Array(2 * this.nFound);
      grown.set(this.found);
      this.found = grown;
    }
    this.found[this.nFound++] = i;
  };

  constructor(
    private readonly s: MatchState,
    private readonly index: ReferenceIndex,
  ) {}

  /** −1: names nothing; ≥ 0: the one item it names; −2: several, then in `several()`. */
  of(e: number): number {
    const acc = this.s.eAcc[e]!;
    const ref = this.s.entries.references[e]!;
    const remittance = this.s.entries.remittances[e]!;
    if (ref !== null) {
      const h = this.scanner.whole(ref);
      if (h !== null) {
        const i = this.index.find(ref, 0, ref.length, h, this.scanner.length, acc);
        if (i !== -1) return i;
      }
    }
    this.account = acc;
    if (ref !== null) {
      this.text = ref;
      this.scanner.scan(ref, this.visit);
    }
    if (remittance !== null) {
      this.text = remittance;
      this.scanner.scan(remittance, this.visit);
    }
    const n = this.nFound;
    if (n === 0) return -1;
    if (n === 1) {
      this.nFound = 0;
      return this.found[0]!;
    }
    return -2;
  }

  /** The items of the last `of` that answered −2, in the order found (a new array for the caller). */
  several(): number[] {
    const found = Array.from(this.found.subarray(0, this.nFound));
    this.nFound = 0;
    return found;
  }
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
  const mark = s.arena.mark();
  const finder = new NamedItems(s, new ReferenceIndex(s));
  const ne = s.ne;
  // Per entry: −1 none, ≥ 0 the one item it names, −2 several (in `multi`).
  const named = s.arena.int32(ne, -1);
  const multi = new Map<number, number[]>();
  const claims = s.arena.uint32(s.ni);
  for (let e = 0; e < ne; e++) {
    if (s.eStatus[e] !== ST.open) continue;
    const one = finder.of(e);
    if (one === -1) continue;
    named[e] = one;
    if (one >= 0) claims[one]!++;
    else {
      const found = finder.several().sort(s.byItemId);
      multi.set(e, found);
      for (const i of found) claims[i]!++;
    }
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
  // Per item, the number of its payment in `groups` (−1: none yet): typed, for the hundreds of
  // thousands of contested entries of a year (a Map and a few arrays per entry were most of this pass's garbage).
  const groupOf = s.arena.int32(s.ni, -1);
  const groups: Group[] = [];
  for (let c = 0; c < contested.length; c++) {
    const e = contested[c]!;
    const one = named[e]!;
    if (one >= 0) {
      const k = groupOf[one]!;
      if (k === -1) {
        groupOf[one] = groups.length;
        groups.push({ items: [one], payers: [e], method: HOW.reference });
      } else if (groups[k]!.items.length === 1) joinOrRepeat(s, groups[k]!, e);
      // It names an item a batch already covers: a second booking of part of it.
      else s.duplicate(e, groups[k]!.payers[0]!, HOW.reference);
      continue;
    }
    const set = multi.get(e)!;
    let free: number[] | null = null;
    for (let j = 0; j < set.length; j++) if (groupOf[set[j]!] === -1) (free ??= []).push(set[j]!);
    if (free !== null) {
      const k = groups.length;
      groups.push({ items: free, payers: [e], method: HOW.batch });
      for (let j = 0; j < free.length; j++) groupOf[free[j]!] = k;
      continue;
    }
    const k = groupOf[set[0]!]!;
    const g = groups[k]!;
    let same = g.items.length === set.length;
    for (let j = 0; same && j < set.length; j++) same = groupOf[set[j]!] === k;
    if (same) joinOrRepeat(s, g, e);
    else {
      // It names items that other payments already cover: a second booking of (part of) them.
      let earliest = g.payers[0]!;
      for (let j = 0; j < set.length; j++) {
        const p = groups[groupOf[set[j]!]!]!.payers[0]!;
        if (s.byEntryDate(p, earliest) < 0) earliest = p;
      }
      s.duplicate(e, earliest, HOW.batch);
    }
  }
  for (let k = 0; k < groups.length; k++) s.settle(groups[k]!.items, groups[k]!.payers, groups[k]!.method);
  s.arena.release(mark);
}

/** A later entry naming exactly a payment's items: a repeat of one of its payers, or part of a split. */
function joinOrRepeat(s: MatchState, g: Group, e: number): void {
  const repeated = repeatOf(s, g, e);
  if (repeated === -1) g.payers.push(e);
  else s.duplicate(e, repeated, g.method);
}

/** The earlier payer `e` repeats (same amount and currency, and adding it would not help the total), or −1. */
function repeatOf(s: MatchState, g: Group, e: number): number {
  let same = -1;
  for (let k = 0; k < g.payers.length; k++) {
    const p = g.payers[k]!;
    if (s.eAmt[p] === s.eAmt[e] && s.eCur[p] === s.eCur[e]) {
      same = p;
      break;
    }
  }
  if (same === -1) return -1;
  const cur = s.iCur[g.items[0]!]!;
  if (s.eCur[e] !== cur) return same;
  let expected = 0;
  for (let k = 0; k < g.items.length; k++) expected += s.iAmt[g.items[k]!]!;
  let booked = 0;
  for (let k = 0; k < g.payers.length; k++) if (s.eCur[g.payers[k]!] === cur) booked += s.eAmt[g.payers[k]!]!;
  return Math.abs(booked + s.eAmt[e]! - expected) >= Math.abs(booked - expected) ? same : -1;
}
