/**
 * Appends dead letters for one ingest worker. Entries are staged while a
 * batch is decoded and made durable by `commit()`, which the worker runs
 * beside its log commit, so a rejection is stored before it is answered.
 */
import { mkdirSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { encodeDeadLetter, type DeadLetterInput } from './dead-letter.js';

export class DeadLetterWriter {
  private staged: string[] = [];
  private counter = 0;

  private constructor(
    private readonly fh: FileHandle,
    private readonly idPrefix: string,
    private readonly sync: boolean,
  ) {}

  /**
   * Opens `<dir>/w<index>.ndjson`, cutting a torn last line left by a crash.
   * @example const w = await DeadLetterWriter.open('/data/dlq', 0, true)
   */
  static async open(dir: string, workerIndex: number, sync: boolean): Promise<DeadLetterWriter> {
    mkdirSync(dir, { recursive: true });
    const fh = await open(join(dir, `w${workerIndex}.ndjson`), 'a+');
    const { size } = await fh.stat();
    let keep = size;
    if (size > 0) {
      // Find the last newline: anything after it is a half-written entry.
      const tailLen = Math.min(size, 1 << 20);
      const tail = Buffer.alloc(tailLen);
      await fh.read(tail, 0, tailLen, size - tailLen);
      const nl = tail.lastIndexOf(10);
      keep = nl === -1 ? (tailLen === size ? 0 : size) : size - tailLen + nl + 1;
      if (keep !== size) await fh.truncate(keep);
    }
    const prefix = `w${workerIndex}-${Date.now().toString(36)}`;
    return new DeadLetterWriter(fh, prefix, sync);
  }

  /** Stages one entry; returns its id. */
  stage(d: DeadLetterInput): string {
    const id = `${this.idPrefix}-${(this.counter++).toString(36)}`;
    this.staged.push(encodeDeadLetter(id, d));
    return id;
  }

  get stagedCount(): number {
    return this.staged.length;
  }

  /** Writes and (in fsync mode) fdatasyncs everything staged. */
  async commit(): Promise<void> {
    if (this.staged.length === 0) return;
    const data = Buffer.from(this.staged.join(''), 'utf8');
    this.staged = [];
    // Opened with 'a+': every write lands at the end of the file.
    await this.fh.write(data, 0, data.length);
    if (this.sync) await this.fh.datasync();
  }

  async close(): Promise<void> {
    await this.commit();
    await this.fh.close();
  }
}
