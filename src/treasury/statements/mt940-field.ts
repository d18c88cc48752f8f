/**
 * One MT940 field (a tag and its lines) as byte offsets into the file, the
 * unit the MT940 reader hands to the field readers (mt940-fields.ts,
 * mt940-information.ts). One object is refilled for every tag.
 */
import type { StatementBytes } from './statement-bytes.js';

const NO_LINES: readonly string[] = Object.freeze([]);

/**
 * The field being read, as byte offsets into the file: its text is decoded
 * only when asked for (the `:61:` and `:86:` readers read the bytes).
 */
export class Field {
  tag = '';
  line = 0;
  /** From after the tag to the end of the first line, then to the end of the last line (line breaks included). */
  start = 0;
  firstEnd = 0;
  end = 0;
  /** Continuation lines: the first `lines` slots of lineStarts/lineEnds (reused, never shrunk: no array work per field). */
  lines = 0;
  private readonly lineStarts: number[] = [];
  private readonly lineEnds: number[] = [];

  constructor(readonly src: StatementBytes) {}

  /** Starts the field of `tag` at `line`: its first line runs from `start` to `end`. */
  reset(tag: string, line: number, start: number, end: number): void {
    this.tag = tag;
    this.line = line;
    this.start = start;
    this.firstEnd = end;
    this.end = end;
    this.lines = 0;
  }

  /** Adds a continuation line. */
  addLine(start: number, end: number): void {
    const i = this.lines++;
    if (i < this.lineStarts.length) {
      this.lineStarts[i] = start;
      this.lineEnds[i] = end;
    } else {
      this.lineStarts.push(start);
      this.lineEnds.push(end);
    }
    this.end = end;
  }

  get first(): string {
    return this.src.text(this.start, this.firstEnd);
  }

  /** The continuation lines. */
  get rest(): readonly string[] {
    const n = this.lines;
    if (n === 0) return NO_LINES;
    const out: string[] = [];
    for (let i = 0; i < n; i++) out.push(this.src.text(this.lineStarts[i]!, this.lineEnds[i]!));
    return out;
  }

  /**
   * Copies the lines (from the first, or from the first continuation line)
   * into the scratch buffer, joined by `separator` (a byte, or -1 for none),
   * and returns their length there: one decode for a wrapped value.
   */
  copyLines(withFirst: boolean, separator: number): number {
    const b = this.src.bytes;
    const scratch = this.src.reserve(this.end - this.start, 0);
    let n = 0;
    if (withFirst) n += b.copy(scratch, 0, this.start, this.firstEnd);
    for (let i = 0; i < this.lines; i++) {
      if ((withFirst || i > 0) && separator !== -1) scratch[n++] = separator;
      n += b.copy(scratch, n, this.lineStarts[i]!, this.lineEnds[i]!);
    }
    return n;
  }
}
