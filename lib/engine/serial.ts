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
  /** opened when the running work has finished, however it finishes: what was asked for meanwhile waits on it */
  #gate: { opened: Promise<void>; open: () => void } | null = null;

  run<T>(work: () => T | Promise<T>): T | Promise<T> {
    if (this.#running) {
      // asked for from inside running work: after it, even if it goes on to wait for the venue
      if (!this.#gate) {
        let open!: () => void;
        const opened = new Promise<void>((r) => (open = r));
        this.#gate = { opened, open };
      }
      const next = this.#gate.opened.then(work);
      this.#hold(next);
      return next;
    }
    if (this.#last === null) {
      this.#running = true;
      let now: T | Promise<T>;
      try {
        now = work();
      } catch (e) {
        this.#release(null);
        throw e;
      } finally {
        this.#running = false;
      }
      if (this.#release(now)) return now; // what was asked for meanwhile holds the line after it
      if (now instanceof Promise) this.#hold(now);
      return now;
    }
    const next = this.#last.then(work, work);
    this.#hold(next);
    return next;
  }

  /** Opens the gate once `now` has finished; true when there was one (work is queued behind it). */
  #release(now: unknown): boolean {
    const gate = this.#gate;
    if (!gate) return false;
    this.#gate = null;
    if (now instanceof Promise) now.then(gate.open, gate.open);
    else gate.open();
    return true;
  }

  #hold(p: Promise<unknown>): void {
    const done: Promise<unknown> = p.then(() => this.#settled(done), () => this.#settled(done));
    this.#last = done;
  }

  #settled(done: Promise<unknown>): void {
    if (this.#last === done) this.#last = null;
  }
}
