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
    let r = await resumed(work, pending);
    while (!r.done && !(r.value instanceof Promise)) r = work.next(r.value);
    if (r.done) return r.value;
    pending = r.value as Promise<unknown>;
  }
}

/** Where a long-lived work loop (the cycle's ticks) ends one round: it yields this, and `Rounds.run` returns. */
export const ROUND_END: unique symbol = Symbol("round end");

/**
 * A long-lived work loop (the cycle's ticks): one generator, made when first needed, that yields ROUND_END at the end
 * of each round. `run` drives one round, synchronously until it yields a promise and asynchronously from there on, as
 * `drive` runs work; a round then makes no generator object (nor the register file each one carries: a backtest's
 * tick made two a tick, a third of what it allocated). A loop that ends or throws is dropped (the error propagates)
 * and the next round makes a new one. Never re-entered: a second `run` while a round waits for a promise would resume
 * that round with the wrong answer, so it throws instead.
 */
export class Rounds {
  #loop: Work<void> | null = null;
  #inRound = false;
  readonly #make: () => Work<void>;

  constructor(make: () => Work<void>) {
    this.#make = make;
  }

  run(): void | Promise<void> {
    if (this.#inRound) throw new Error("a round is already running: rounds run one at a time");
    const loop = this.#loop ??= this.#make();
    this.#inRound = true;
    try {
      let r = loop.next();
      while (r.value !== ROUND_END) {
        if (r.done) return this.#drop();
        if (r.value instanceof Promise) return this.#finish(loop, r.value);
        r = loop.next(r.value);
      }
      this.#inRound = false;
    } catch (e) {
      this.#drop();
      throw e;
    }
  }

  #drop(): void {
    this.#loop = null;
    this.#inRound = false;
  }

  async #finish(loop: Work<void>, pending: Promise<unknown>): Promise<void> {
    try {
      for (;;) {
        let r = await resumed(loop, pending);
        while (r.value !== ROUND_END && !r.done && !(r.value instanceof Promise)) r = loop.next(r.value);
        if (r.value === ROUND_END) return void (this.#inRound = false);
        if (r.done) return this.#drop();
        pending = r.value as Promise<unknown>;
      }
    } catch (e) {
      this.#drop();
      throw e;
    }
  }
}

/** `work` resumed with what `pending` settles to: a rejection surfaces at the yield, where the work can catch it. */
async function resumed<T>(work: Work<T>, pending: Promise<unknown>): Promise<IteratorResult<unknown, T>> {
  try {
    return work.next(await pending);
  } catch (e) {
    return work.throw(e);
  }
}
