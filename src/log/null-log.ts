/**
 * A `Log` that keeps nothing: appends are counted and dropped, commits
 * resolve at once. It exists for one job: benchmarks that show what
 * durability costs by running the same ingest with the log taken out.
 * Never use it for data you want back.
 */
import type { Log, LogReader, LogRecord, LogWriter, RetentionResult } from './log.js';

class NullWriter implements LogWriter {
  readonly stagedBytes = 0;
  private readonly ends = new Map<number, number>();

  constructor(private readonly counts: number[]) {}

  append(partition: number): void {
    this.counts[partition] = (this.counts[partition] ?? 0) + 1;
    this.ends.set(partition, this.counts[partition]!);
  }

  commit(): Promise<ReadonlyMap<number, number>> {
    const out = new Map(this.ends);
    this.ends.clear();
    return Promise.resolve(out);
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

class NullReader implements LogReader {
  constructor(
    readonly partition: number,
    readonly position: number,
  ) {}

  read(): Promise<LogRecord[]> {
    return Promise.resolve([]);
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

export class NullLog implements Log {
  private readonly counts: number[];
  private readonly checkpoints = new Map<string, number>();

  constructor(readonly partitions: number) {
    this.counts = new Array<number>(partitions).fill(0);
  }

  openWriter(): Promise<LogWriter> {
    return Promise.resolve(new NullWriter(this.counts));
  }

  openReader(partition: number, fromOffset: number): Promise<LogReader> {
    return Promise.resolve(new NullReader(partition, fromOffset));
  }

  endOffset(partition: number): Promise<number> {
    return Promise.resolve(this.counts[partition] ?? 0);
  }

  loadCheckpoint(group: string, partition: number): Promise<number> {
    return Promise.resolve(this.checkpoints.get(`${group}/${partition}`) ?? 0);
  }

  saveCheckpoint(group: string, partition: number, offset: number): Promise<void> {
    this.checkpoints.set(`${group}/${partition}`, offset);
    return Promise.resolve();
  }

  registerGroup(): Promise<void> {
    return Promise.resolve();
  }

  applyRetention(): Promise<RetentionResult> {
    return Promise.resolve({ deletedSegments: 0, freedBytes: 0 });
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
