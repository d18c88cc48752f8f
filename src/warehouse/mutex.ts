/**
 * Runs async critical sections one at a time, in call order.
 * @example
 * const m = new Mutex();
 * await m.run(async () => { await writeManifest(root, next); });
 */
export class Mutex {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(fn: () => Promise<T>): Promise<T> {
    const result = this.tail.then(fn);
    // The next section waits for this one whether it resolves or rejects.
    this.tail = result.catch(() => undefined);
    return result;
  }

  /** Resolves once every section started so far has finished. */
  async idle(): Promise<void> {
    await this.tail;
  }
}
