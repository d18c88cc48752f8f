/**
 * Staging of one partition's records between commits, straight into the
 * bodies of the JetStream messages that will carry them (see
 * jetstream-frame.ts): a commit publishes the bodies as they are.
 *
 * A message is closed when the next record would take it past the target
 * size; a record larger than the target goes alone into a message of its
 * own (up to the server's payload limit, checked by the writer).
 */
import { JS_FRAME_HEADER_BYTES, JS_RECORD_HEADER_BYTES, sealJsFrame } from './jetstream-frame.js';

/** One message ready to publish. */
export interface StagedMessage {
  body: Buffer;
  firstOffset: number;
  count: number;
}

/** First buffer of a message; grows by doubling up to the target, so a commit of one record does not allocate a whole message. */
const INITIAL_BYTES = 4096;

export class JetStreamStage {
  private sealed: StagedMessage[] = [];
  private buf: Buffer | null = null;
  private used = 0;
  private firstOffset = 0;
  private count = 0;
  /** Bytes staged and not yet taken, framing included. */
  bytes = 0;

  constructor(
    /** Offset the next appended record gets. */
    public nextOffset: number,
    /** Target body size of a message. */
    private readonly messageBytes: number,
  ) {}

  /** Copy one record in; the caller has checked its size. */
  append(payload: Uint8Array): void {
    const recordBytes = JS_RECORD_HEADER_BYTES + payload.byteLength;
    if (this.buf !== null && this.used + recordBytes > this.messageBytes) this.seal();
    if (this.buf === null) {
      this.buf = Buffer.allocUnsafe(Math.max(INITIAL_BYTES, Math.min(this.messageBytes, JS_FRAME_HEADER_BYTES + recordBytes)));
      this.used = JS_FRAME_HEADER_BYTES;
      this.firstOffset = this.nextOffset;
      this.count = 0;
      this.bytes += JS_FRAME_HEADER_BYTES;
    }
    if (this.used + recordBytes > this.buf.length) this.grow(this.used + recordBytes);
    const buf = this.buf;
    buf.writeUInt32LE(payload.byteLength, this.used);
    buf.set(payload, this.used + JS_RECORD_HEADER_BYTES);
    this.used += recordBytes;
    this.bytes += recordBytes;
    this.count++;
    this.nextOffset++;
  }

  /** Every message staged so far, in offset order (empty when nothing is staged). */
  take(): StagedMessage[] {
    if (this.buf !== null) this.seal();
    const out = this.sealed;
    this.sealed = [];
    this.bytes = 0;
    return out;
  }

  private seal(): void {
    const buf = this.buf!;
    sealJsFrame(buf, this.used, this.firstOffset, this.count);
    this.sealed.push({ body: buf.subarray(0, this.used), firstOffset: this.firstOffset, count: this.count });
    this.buf = null;
  }

  private grow(need: number): void {
    let size = this.buf!.length * 2;
    while (size < need) size *= 2;
    const grown = Buffer.allocUnsafe(Math.max(need, Math.min(size, this.messageBytes)));
    this.buf!.copy(grown, 0, 0, this.used);
    this.buf = grown;
  }
}
