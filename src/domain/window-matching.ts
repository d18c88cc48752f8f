/**
 * Pairing expected items with booked entries of one exact amount by date
 * (the matcher's amount pass, docs/reconciliation.md). Equal amounts are
 * common for cash deposits and fixed fees, and a greedy "closest date
 * first" goes wrong on them: payouts due Monday and Tuesday, booked Tuesday
 * and Wednesday, would pair Tuesday–Tuesday and leave Monday to Wednesday.
 * This pairs them as a treasurer would: the most pairs within the window,
 * then the fewest total days off, pairs in date order (first due, first
 * paid).
 *
 * An order-preserving assignment loses nothing: if two crossing pairs are
 * within the window, the uncrossed ones are too, with no more days off.
 * So a dynamic programme over the two date-sorted lists finds the optimum.
 * Each item only looks at the entries inside its window (a band that moves
 * forward with the item), so the work is items × entries-per-window, not
 * items × entries.
 */

/** Skip the entry, skip the item, or pair them: the choice kept per DP cell for the traceback. */
const SKIP_ENTRY = 0;
const SKIP_ITEM = 1;
const PAIR = 2;

/**
 * Pairs of positions `[item, entry]`, ascending, into `itemDays` and
 * `entryDays` (both sorted ascending, day numbers): the most pairs with
 * |entry − item| ≤ `window`, then the least total |entry − item|. On a tie
 * the earlier item and the earlier entry are paired.
 * @example pairInDateOrder([1, 2], [2, 3], 3) // [[0, 0], [1, 1]]
 */
export function pairInDateOrder(itemDays: ArrayLike<number>, entryDays: ArrayLike<number>, window: number): [number, number][] {
  const n = itemDays.length;
  const m = entryDays.length;
  if (n === 0 || m === 0) return [];
  // The entries item i may pair with: positions lo[i]..hi[i] (empty when hi < lo); both only move forward.
  const lo = new Int32Array(n);
  const hi = new Int32Array(n);
  const rowStart = new Int32Array(n + 1);
  let a = 0;
  let b = -1;
  for (let i = 0; i < n; i++) {
    const d = itemDays[i]!;
    while (a < m && entryDays[a]! < d - window) a++;
    while (b + 1 < m && entryDays[b + 1]! <= d + window) b++;
    lo[i] = a;
    hi[i] = b;
    rowStart[i + 1] = rowStart[i]! + Math.max(0, b - a + 1);
  }
  const choice = new Uint8Array(rowStart[n]!);
  // F(i, j): best (pairs, days off) using the first i items and the first j entries, kept for the current i.
  const count = new Int32Array(m + 1);
  const cost = new Float64Array(m + 1);
  // F(i, j) is the same for every j ≥ top (items < i cannot reach further): cells past top are filled when needed.
  let top = 0;
  for (let i = 0; i < n; i++) {
    const l = lo[i]!;
    const h = hi[i]!;
    for (let j = top + 1; j <= h + 1; j++) {
      count[j] = count[top]!;
      cost[j] = cost[top]!;
    }
    top = Math.max(top, h + 1);
    if (l > h) continue;
    const d = itemDays[i]!;
    let diagCount = count[l]!;
    let diagCost = cost[l]!;
    for (let j = l + 1; j <= h + 1; j++) {
      const upCount = count[j]!;
      const upCost = cost[j]!;
      // Preference on ties (skip the later entry, then the later item) keeps the earlier ones paired.
      let bestCount = count[j - 1]!;
      let bestCost = cost[j - 1]!;
      let c = SKIP_ENTRY;
      if (upCount > bestCount || (upCount === bestCount && upCost < bestCost)) {
        bestCount = upCount;
        bestCost = upCost;
        c = SKIP_ITEM;
      }
      const pairCount = diagCount + 1;
      const pairCost = diagCost + Math.abs(entryDays[j - 1]! - d);
      if (pairCount > bestCount || (pairCount === bestCount && pairCost < bestCost)) {
        bestCount = pairCount;
        bestCost = pairCost;
        c = PAIR;
      }
      count[j] = bestCount;
      cost[j] = bestCost;
      choice[rowStart[i]! + (j - l - 1)] = c;
      diagCount = upCount;
      diagCost = upCost;
    }
  }
  const pairs: [number, number][] = [];
  let i = n;
  let j = m;
  while (i > 0 && j > 0) {
    const l = lo[i - 1]!;
    const h = hi[i - 1]!;
    if (j > h + 1) {
      j = h + 1;
    } else if (l > h || j <= l) {
      i--;
    } else {
      const c = choice[rowStart[i - 1]! + (j - l - 1)]!;
      if (c === PAIR) pairs.push([i - 1, j - 1]);
      if (c !== SKIP_ITEM) j--;
      if (c !== SKIP_ENTRY) i--;
    }
  }
  return pairs.reverse();
}
