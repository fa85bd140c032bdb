/**
 * Engine work written once for every venue: a generator that waits for a venue answer only when it is a promise
 * (a real venue), and uses a value (the paper exchange's) as it is. One way of waiting, everywhere:
 *
 *   let top = venue.topOfBook();
 *   if (top instanceof Promise) top = (yield top) as TopOfBook;
 *
 * so a backtest tick neither suspends nor resumes the generator. `drive` runs the work without a promise or a trip
 * through the microtask queue until it yields its first promise, and asynchronously from there on.
 */

export type Work<T> = Generator<unknown, T, unknown>;

/** Runs `work` synchronously until it yields a promise; from there on, asynchronously. Errors propagate. */
export function drive<T>(work: Work<T>): T | Promise<T> {
  let r = work.next();
  while (!r.done) {
    if (r.value instanceof Promise) return finish(work, r.value);
    r = work.next(r.value);
  }
  return r.value;
}

async function finish<T>(work: Work<T>, pending: Promise<unknown>): Promise<T> {
  for (;;) {
    let r: IteratorResult<unknown, T>;
    try {
      r = work.next(await pending);
    } catch (e) {
      r = work.throw(e); // the rejection surfaces at the yield, where the work can catch it
    }
    while (!r.done && !(r.value instanceof Promise)) r = work.next(r.value);
    if (r.done) return r.value;
    pending = r.value as Promise<unknown>;
  }
}
