/**
 * Runs work one piece at a time, in call order: a /pause never interleaves with a tick's orders.
 * When nothing is in flight the work runs at once; work that finishes without waiting (a backtest tick
 * against the paper exchange) returns its value with no promise at all. Work that waits holds the
 * line until it settles; work asked for while other work runs (even from inside it) waits its turn.
 */
export class Serial {
  #last: Promise<unknown> | null = null;
  /** work is running right now, synchronously (a listener called from inside it must not cut in) */
  #running = false;

  run<T>(work: () => T | Promise<T>): T | Promise<T> {
    if (this.#last === null && !this.#running) {
      this.#running = true;
      let now: T | Promise<T>;
      try {
        now = work();
      } finally {
        this.#running = false;
      }
      if (now instanceof Promise) this.#hold(now);
      return now;
    }
    // behind the work in flight; a synchronous one has finished before any promise callback runs
    const next = (this.#last ?? Promise.resolve()).then(work, work);
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
