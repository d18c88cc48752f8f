/**
 * Where records are in a partition's subject: which stream message holds
 * an offset. Messages of one subject have increasing stream sequences and
 * increasing first offsets, so the message holding offset `o` is found by a
 * binary search over stream sequences; each probe is one "next message of
 * this subject at or after sequence s" request, and what probes (and
 * writes, and reads) learn is kept here as a sparse index that narrows the
 * next search. A reader reopened where an earlier one stopped is usually
 * placed from the index alone.
 */

/** A stream message of a partition, as its headers describe it. */
export interface MessageRef {
  seq: number;
  firstOffset: number;
  count: number;
}

/** Entries kept per partition; past it every other one is dropped (the index stays valid, only sparser). */
const MAX_ENTRIES = 8192;

export class OffsetIndex {
  /** Sorted by seq, hence by firstOffset too. */
  private entries: MessageRef[] = [];

  add(ref: MessageRef): void {
    const e = this.entries;
    const last = e.at(-1);
    if (last === undefined || last.seq < ref.seq) {
      e.push(ref);
    } else {
      const i = this.lowerBoundBySeq(ref.seq);
      if (e[i]?.seq === ref.seq) return;
      e.splice(i, 0, ref);
    }
    if (e.length > MAX_ENTRIES) this.entries = e.filter((_, i) => i % 2 === 1 || i === e.length - 1);
  }

  /** Forget messages below `seq` (retention purged them). */
  dropBelow(seq: number): void {
    this.entries = this.entries.slice(this.lowerBoundBySeq(seq));
  }

  /**
   * The message holding `offset`. `last` is the partition's last message;
   * `probe(seq)` returns the partition's first message at or after `seq`.
   * Null when no message holds it (purged meanwhile).
   */
  async locate(offset: number, last: MessageRef, probe: (seq: number) => Promise<MessageRef | null>): Promise<MessageRef | null> {
    if (holds(last, offset)) return last;
    let lo = 1;
    let hi = last.seq - 1;
    // Narrow by what is known: the last entry starting at or below the offset, the first starting above it.
    const e = this.entries;
    let i = 0;
    let j = e.length;
    while (i < j) {
      const m = (i + j) >>> 1;
      if (e[m]!.firstOffset <= offset) i = m + 1;
      else j = m;
    }
    const below = e[i - 1];
    const above = e[i];
    if (below !== undefined) {
      if (holds(below, offset)) return below;
      lo = below.seq + 1;
    }
    if (above !== undefined) hi = Math.min(hi, above.seq - 1);
    while (lo <= hi) {
      const mid = Math.floor((lo + hi) / 2);
      const ref = await probe(mid);
      if (ref === null || ref.seq > hi) {
        hi = mid - 1;
        continue;
      }
      this.add(ref);
      if (holds(ref, offset)) return ref;
      if (ref.firstOffset > offset) hi = mid - 1;
      else lo = ref.seq + 1;
    }
    return null;
  }

  private lowerBoundBySeq(seq: number): number {
    const e = this.entries;
    let i = 0;
    let j = e.length;
    while (i < j) {
      const m = (i + j) >>> 1;
      if (e[m]!.seq < seq) i = m + 1;
      else j = m;
    }
    return i;
  }
}

function holds(ref: MessageRef, offset: number): boolean {
  return ref.firstOffset <= offset && offset < ref.firstOffset + ref.count;
}
