/**
 * Runs work one piece at a time, in call order: a /pause never interleaves with a tick's orders.
 * When nothing is in flight the work runs at once; work that finishes without waiting (a backtest tick
 * against the paper exchange) returns its value with no promise at all. Work that waits holds the
 * line until it settles.
 */
export class Serial {
  #last: Promise<unknown> | null = null;

  run<T>(work: () => T | Promise<T>): T | Promise<T> {
    if (this.#last === null) {
      const now = work();
      if (now instanceof Promise) this.#hold(now);
      return now;
    }
    const next = this.#last.then(work, work);
    this.#hold(next);
    return next;
  }

  #hold(p: Promise<unknown>): void {
    const done: Promise<unknown> = p.then(() => this.#settled(done), () => this.#settled(done));
    this.#last = done;
  }

  #settled(done: Promise<unknown>): void {
    if (this.#last === done) this.#last = null;
  }
}
