/**
 * Which batches of a shared serving store are visible: the epoch chain of
 * each partition, worked out from its commit rows (pure, no I/O).
 *
 * Every owner of a partition writes under its lease epoch (a number greater
 * than every earlier owner's). Its first commit row is its claim, from = to
 * = the offset it continues from; each later one commits the batch
 * [from, to) it has just inserted, contiguous with the previous one. So an
 * epoch `e` with claim `s(e)` and the next higher epoch `e'` with claim
 * `s(e')` contribute exactly their commits with from in [s(e), s(e')):
 * whatever `e` committed at or after `s(e')` it did after `e'` took over
 * (the new owner read the chain up to `s(e')` before claiming), and is
 * replayed by `e'` from the log instead.
 */
import { ServingCorruptError } from './serving-errors.js';

/** What one epoch wrote on one partition, from the distinct commit rows. */
export interface EpochCommits {
  epoch: number;
  /** Smallest from: the claim. */
  start: number;
  /** Largest to. */
  end: number;
  /** Sum of (to − from) over its distinct commits: equals end − start when they are contiguous. */
  covered: number;
  /** Every distinct (from, to), when the summary is not enough (a fenced-out tail). */
  details?: readonly (readonly [number, number])[];
}

/** Rows of batches with `from_offset` in [from, to) of this epoch are visible. */
export interface VisibleRange {
  partition: number;
  epoch: number;
  from: number;
  to: number;
}

export interface PartitionChain {
  ranges: VisibleRange[];
  /** The chain's end: the next offset with no visible effect. */
  end: number;
  /** The newest epoch that claimed the partition (0: none). */
  lastEpoch: number;
  /** Epochs whose commits must be listed (`details`) before the chain is known; empty when it is. */
  needDetails: number[];
}

/**
 * The chain of `partition` from its epochs' commits.
 * @example
 * partitionChain(0, [{ epoch: 5, start: 0, end: 200, covered: 200 }, { epoch: 9, start: 150, end: 300, covered: 150, details: undefined }])
 * // → needDetails [5]: epoch 5 wrote past 150, where epoch 9 took over
 */
export function partitionChain(partition: number, epochs: readonly EpochCommits[]): PartitionChain {
  const sorted = [...epochs].sort((a, b) => a.epoch - b.epoch);
  const ranges: VisibleRange[] = [];
  const needDetails: number[] = [];
  const where = `partition ${String(partition)}`;
  let end = 0;
  for (let i = 0; i < sorted.length; i++) {
    const e = sorted[i]!;
    const next = sorted[i + 1];
    const limit = next?.start ?? Infinity;
    if (next !== undefined && next.start < e.start) {
      throw new ServingCorruptError(`${where}: epoch ${String(next.epoch)} claims offset ${String(next.start)}, before epoch ${String(e.epoch)}'s ${String(e.start)}`);
    }
    if (i > 0 && e.start !== end) throw new ServingCorruptError(`${where}: epoch ${String(e.epoch)} claims offset ${String(e.start)}, the chain before it ends at ${String(end)}`);
    let upto: number;
    if (e.end <= limit) {
      if (e.covered !== e.end - e.start) throw new ServingCorruptError(`${where}: the commits of epoch ${String(e.epoch)} from ${String(e.start)} to ${String(e.end)} are not contiguous`);
      upto = e.end;
    } else if (e.details === undefined) {
      needDetails.push(e.epoch);
      // Checked once the details are in; the epochs after it start there.
      end = limit;
      continue;
    } else {
      upto = e.start;
      for (const [from, to] of [...e.details].sort((a, b) => a[0] - b[0] || a[1] - b[1])) {
        if (from >= limit) break;
        if (from === to) continue;
        if (from !== upto) throw new ServingCorruptError(`${where}: epoch ${String(e.epoch)} commits [${String(from)}, ${String(to)}) after a gap at ${String(upto)}`);
        upto = to;
      }
    }
    if (next !== undefined && upto !== limit) {
      throw new ServingCorruptError(`${where}: epoch ${String(e.epoch)} ends at ${String(upto)}, but epoch ${String(next.epoch)} claimed offset ${String(limit)}`);
    }
    if (upto > e.start) ranges.push({ partition, epoch: e.epoch, from: e.start, to: upto });
    end = upto;
  }
  return { ranges, end: needDetails.length > 0 ? -1 : end, lastEpoch: sorted[sorted.length - 1]?.epoch ?? 0, needDetails };
}
