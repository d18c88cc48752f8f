/**
 * Fault injection on the way out of the generator: offline terminals whose
 * records wait in a backlog (late), records held back behind later ones of
 * the same terminal (out of order), exact resends of recent lines
 * (duplicates). Each fault costs nothing when it is off, and copies of
 * lines are made only for the lines a fault touches.
 */
import type { LineWriter } from './line-writer.js';
import type { Prng } from './prng.js';
import type { ResolvedFaults, TenantTruth } from './record-options.js';
import { VOID, type SaleWriter } from './sale-writer.js';

/** Valid lines remembered for exact resends (duplicates fault). */
const DUP_RING = 256;

interface Pending {
  line: Buffer;
  seq: number;
  remaining: number;
  swapped: number;
}

export class FaultRouter {
  /** Per terminal: epoch ms at which its outage ends, 0 while online. */
  private readonly offlineUntil: Float64Array;
  /** Terminals currently offline, and the lines each produced meanwhile. */
  private readonly offline: number[] = [];
  private readonly backlog = new Map<number, Buffer[]>();
  /** Per terminal: a record held back to go out after later ones. */
  private readonly pending = new Map<number, Pending>();
  /**
   * The last valid lines, for exact resends. While a line is still in the
   * batch being built it is remembered by its offsets (no copy); only the
   * ring's lines still there when the batch leaves are copied out, 256 per
   * batch instead of every line.
   */
  private readonly dupLines: (Buffer | null)[] = new Array<Buffer | null>(DUP_RING).fill(null);
  private readonly dupStart = new Int32Array(DUP_RING);
  private readonly dupEnd = new Int32Array(DUP_RING);
  private dupCount = 0;
  private dupNext = 0;

  constructor(
    private readonly w: LineWriter,
    private readonly f: ResolvedFaults,
    private readonly faultRng: Prng,
    private readonly terminals: number,
    private readonly truth: TenantTruth,
  ) {
    this.offlineUntil = new Float64Array(terminals);
  }

  /** Once per simulated minute: terminals come back (their backlog goes out) and others go offline. */
  tick(t: number): void {
    if (this.offline.length > 0) this.releaseOffline(t);
    if (this.f.late > 0) this.startOutages(t);
  }

  /** Before the batch leaves the writer: copy out the remembered lines that live in it. */
  beforeTake(): void {
    for (let i = 0; i < this.dupCount; i++) {
      if (this.dupLines[i] === null) this.dupLines[i] = Buffer.from(this.w.buf.subarray(this.dupStart[i]!, this.dupEnd[i]!));
    }
  }

  /**
   * The record `r` just wrote stands at the end of the batch. Leaves it
   * there, or moves it into its terminal's backlog or hold-back slot
   * (faults). Copies happen only when a fault is on.
   */
  route(r: SaleWriter): void {
    const term = r.term;
    if (this.offlineUntil[term]! > 0) {
      this.backlog.get(term)!.push(this.w.cut(r.start));
      this.truth.late++;
      return;
    }
    if (this.pending.size > 0) {
      const p = this.pending.get(term);
      if (p !== undefined) {
        if (r.refTerm === term && r.refSeq === p.seq) {
          // Never let a void overtake the sale it cancels.
          const line = this.w.cut(r.start);
          this.releasePending(term);
          this.emitCopy(line);
          return;
        }
        this.sent(r.start);
        p.swapped++;
        if (--p.remaining === 0) this.releasePending(term);
        return;
      }
    }
    const f = this.f;
    if (f.outOfOrder > 0 && r.type !== VOID && this.faultRng.chance(f.outOfOrder)) {
      this.pending.set(term, { line: this.w.cut(r.start), seq: r.seq, remaining: this.faultRng.between(1, f.outOfOrderDistance), swapped: 0 });
      return;
    }
    this.sent(r.start);
  }

  private releasePending(term: number): void {
    const p = this.pending.get(term);
    if (p === undefined) return;
    this.pending.delete(term);
    if (p.swapped > 0) this.truth.outOfOrder++;
    this.emitCopy(p.line);
  }

  /** Writes a valid line held outside the batch (backlog, hold-back). */
  private emitCopy(line: Buffer): void {
    const start = this.w.pos;
    this.w.line(line);
    this.sent(start);
  }

  /** A valid line now stands in the batch at `start`: remember it for resends, maybe resend one. */
  sent(start: number): void {
    const d = this.f.duplicates;
    if (d === 0) return;
    const i = this.dupNext;
    this.dupLines[i] = null;
    this.dupStart[i] = start;
    this.dupEnd[i] = this.w.pos;
    this.dupNext = (i + 1) % DUP_RING;
    if (this.dupCount < DUP_RING) this.dupCount++;
    if (this.faultRng.chance(d)) {
      const j = this.faultRng.int(this.dupCount);
      // A view of the batch stays valid even if `line` grows the buffer: the old memory lives on under it.
      this.w.line(this.dupLines[j] ?? this.w.buf.subarray(this.dupStart[j]!, this.dupEnd[j]!));
      this.truth.duplicates++;
    }
  }

  /** Takes random terminals offline: their records wait in a backlog until the outage ends. */
  private startOutages(t: number): void {
    const f = this.f;
    const n = this.faultRng.poisson((f.late * this.terminals) / 1440);
    for (let i = 0; i < n; i++) {
      const term = this.faultRng.int(this.terminals);
      if (this.offlineUntil[term]! > 0) continue;
      this.releasePending(term);
      this.offlineUntil[term] = t + this.faultRng.between(f.lateDurationMs[0], f.lateDurationMs[1]);
      this.offline.push(term);
      this.backlog.set(term, []);
    }
  }

  private releaseOffline(t: number): void {
    let keep = 0;
    for (const term of this.offline) {
      if (this.offlineUntil[term]! > t) {
        this.offline[keep++] = term;
        continue;
      }
      this.flushBacklog(term);
    }
    this.offline.length = keep;
  }

  private flushBacklog(term: number): void {
    this.offlineUntil[term] = 0;
    const lines = this.backlog.get(term) ?? [];
    this.backlog.delete(term);
    for (const line of lines) this.emitCopy(line);
  }

  /** End of the stream: held-back records go out, offline terminals come back. */
  finish(): void {
    for (const term of [...this.pending.keys()]) this.releasePending(term);
    for (const term of this.offline) this.flushBacklog(term);
    this.offline.length = 0;
  }
}
