/**
 * Engine work written once for every venue: a generator that yields each venue answer it needs (a value
 * from the paper exchange, a promise from a real venue) and gets the answer back. `drive` runs it without
 * a promise or a trip through the microtask queue for as long as the answers are values — a backtest
 * tick runs straight through — and continues asynchronously from the first promise on.
 */
import type { Awaitable } from "../venues/port.ts";

export type Work<T> = Generator<unknown, T, unknown>;

/** Waits for one venue answer: `const top = yield* wait(venue.topOfBook())`. */
export function* wait<T>(answer: Awaitable<T>): Work<T> {
  return (yield answer) as T;
}

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
