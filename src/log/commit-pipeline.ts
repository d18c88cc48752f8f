/**
 * Group commit for a `LogWriter` (see log.ts `commit()`): up to
 * `maxInFlight` commits run at once and resolve in order; a call while one
 * is waiting to start shares it; a call with nothing newly staged shares the
 * latest in flight. Once a commit fails, every later one rejects. Shared by
 * the segment and JetStream writers, which differ only in `flush`.
 */
import { LogError, LogWriterFailedError } from './errors.js';

interface Waiter {
  promise: Promise<ReadonlyMap<number, number>>;
  resolve(ends: ReadonlyMap<number, number>): void;
  reject(err: unknown): void;
}

export interface CommitPipelineOptions {
  maxInFlight: number;
  /** Makes what is staged durable; must settle after `previous` (the commit before it), with the new end offsets. */
  flush(previous: Promise<unknown>): Promise<ReadonlyMap<number, number>>;
  /** Bytes staged and not yet taken by a flush. */
  stagedBytes(): number;
  /** The error a failed flush becomes when it is not a LogError already. */
  wrap(err: unknown): LogError;
}

export class CommitPipeline {
  private next: Waiter | null = null;
  private inFlight = 0;
  /** The promise of the latest commit started, while it is in flight. */
  private latest: Promise<ReadonlyMap<number, number>> | null = null;
  /** Settles when the latest commit started has settled: null when it succeeded, else its error. */
  private lastCommit: Promise<unknown> = Promise.resolve(null);
  /** The first failure; the writer is unusable from then on. */
  failure: LogError | null = null;

  constructor(private readonly opts: CommitPipelineOptions) {}

  /** Marks the writer failed (keeps the first failure). */
  fail(err: LogError): void {
    this.failure ??= err;
  }

  request(): Promise<ReadonlyMap<number, number>> {
    if (this.next !== null) return this.next.promise;
    // Nothing new staged: the latest commit in flight covers every record so far.
    if (this.latest !== null && this.opts.stagedBytes() === 0) return this.latest;
    let resolve!: Waiter['resolve'];
    let reject!: Waiter['reject'];
    const promise = new Promise<ReadonlyMap<number, number>>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    this.next = { promise, resolve, reject };
    // Starting synchronously (when a slot is free) means this commit takes
    // the records staged up to this very call.
    this.start();
    return promise;
  }

  /** Resolves when no commit is waiting or running (failures included). */
  async drain(): Promise<void> {
    await this.next?.promise.catch(() => undefined);
    await this.lastCommit;
  }

  private start(): void {
    while (this.next !== null && this.inFlight < this.opts.maxInFlight) {
      const waiter = this.next;
      this.next = null;
      if (this.failure !== null) {
        waiter.reject(new LogWriterFailedError(this.failure));
        continue;
      }
      this.inFlight++;
      this.latest = waiter.promise;
      const run = this.opts.flush(this.lastCommit);
      this.lastCommit = run.then(
        () => null,
        (err: unknown) => err,
      );
      run.then(
        (ends) => {
          this.inFlight--;
          if (this.latest === waiter.promise) this.latest = null;
          waiter.resolve(ends);
          this.start();
        },
        (err: unknown) => {
          this.inFlight--;
          if (this.latest === waiter.promise) this.latest = null;
          this.failure ??= err instanceof LogError ? err : this.opts.wrap(err);
          waiter.reject(this.failure);
          this.start();
        },
      );
    }
  }
}
