/**
 * Splits a buffer of compact frames (a u16 length, then a compact record)
 * and routes each record to the worker that owns its terminal's partition.
 * The terminal_id sits at a fixed offset of the record, so routing reads
 * its bytes and hashes them, nothing else; the worker still checks the
 * route after its full decode, as for NDJSON lines (line-router.ts).
 */
import { COMPACT_FRAME_HEADER, COMPACT_HEADER, O_TERMINAL_LEN, u16At } from '../domain/compact-record.js';
import { partitionOfBytes } from '../domain/partition.js';
import { IntList, type RoutedBatch } from './line-router.js';

export class CompactRouter {
  private readonly lists: IntList[];

  constructor(
    private readonly workers: number,
    private readonly partitions: number,
  ) {
    this.lists = Array.from({ length: workers }, () => new IntList());
  }

  /**
   * Indexes the frames of `buf[0, len)`. A last frame that runs past `len`
   * (the stream ended inside it) is indexed as what arrived, marked with
   * its declared length + 1 (1 when even the length was cut).
   */
  route(buf: Buffer, len: number, firstRecord: number, tenantSeed: number): RoutedBatch {
    let pos = 0;
    let record = firstRecord;
    let rr = 0;
    while (pos < len) {
      if (pos + COMPACT_FRAME_HEADER > len) {
        this.lists[rr++ % this.workers]!.push4(pos, len, record++, 1);
        break;
      }
      const declared = u16At(buf, pos);
      const start = pos + COMPACT_FRAME_HEADER;
      const end = start + declared;
      if (end > len) {
        this.lists[rr++ % this.workers]!.push4(start, len, record++, declared + 1);
        break;
      }
      let w = rr++ % this.workers;
      if (declared >= COMPACT_HEADER) {
        const k = u16At(buf, start + O_TERMINAL_LEN);
        const t = start + COMPACT_HEADER;
        if (t + k <= end) w = partitionOfBytes(tenantSeed, buf, t, t + k, this.partitions) % this.workers;
      }
      this.lists[w]!.push4(start, end, record++, 0);
      pos = end;
    }
    return { lines: record - firstRecord, parts: this.lists.map((l) => l.take()) };
  }
}
