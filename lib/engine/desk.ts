/**
 * The order desk: carries out the tick's actions at the venue — place one quote, cancel orders, pull everything of
 * ours (list, then cancel each), and the stop's bounded retries with a final open-orders query — and returns what
 * happened as data. It holds no run state and calls nothing back: the engine decides, the desk does, the engine folds.
 */
import { messageOf } from "../core/format.ts";
import { IdSequence } from "../core/id-sequence.ts";
import type { Clock, Order, Quote } from "../core/types.ts";
import { type ExchangePort, OrderRejected } from "../venues/port.ts";
import type { Work } from "./drive.ts";

/** No answer to a placement (a timeout): the order may rest anyway, so it counts as ours until the venue says not. */
export class Unanswered {
  constructor(readonly order: Order, readonly error: unknown) {}
}

/** What became of one placement: the order resting, the venue's refusal, or no answer. */
export type Placement = Order | OrderRejected | Unanswered;

export interface CancelResult {
  cancelled: Order[];
  /** orders whose cancel failed: they may still rest */
  failed: Order[];
  /** the last failure as thrown, null when every cancel answered */
  error: unknown;
}

/** What a pull did, as the engine folds it: the orders cancelled, and what may still rest. */
export interface Pulled {
  /** the orders cancelled */
  cancelled: Order[];
  /** orders of ours still resting (those whose cancel failed; when listing failed, the last known) */
  resting: Order[];
  /** true when the venue answered the listing: `resting` is what it said, not a guess */
  confirmed: boolean;
  /** the last failure, null when everything answered */
  error: string | null;
}

/** What a pause or a stop reports to whoever asked for it (Telegram, HTTP, the shutdown). */
export interface PullResult extends Omit<Pulled, "cancelled"> {
  cancelled: number;
}

export class OrderDesk {
  readonly #venue: ExchangePort;
  readonly #clock: Clock;
  /** client ids never repeat across restarts: the run id (EngineOptions.runId), then a sequence */
  readonly #runId: string;
  #idPrefix = "";
  #ids = new IdSequence("");

  constructor(venue: ExchangePort, clock: Clock, runId: string = randomRunId()) {
    this.#venue = venue;
    this.#clock = clock;
    this.#runId = runId;
  }

  /** `${prefix}${runId}-${seq}`; without a run id (a backtest's) `${prefix}${seq}`. */
  nextClientOrderId(prefix: string): string {
    if (prefix !== this.#idPrefix) { // the sequence goes on
      this.#idPrefix = prefix;
      this.#ids = new IdSequence(this.#runId ? `${prefix}${this.#runId}-` : prefix, this.#ids.last);
    }
    return this.#ids.next();
  }

  /**
   * Places one post-only quote under a fresh client order id. A refusal is an answer, not a failure; a venue that
   * answers with a value (the paper exchange) gets a value back, no promise.
   */
  place(q: Quote, prefix: string): Placement | Promise<Placement> {
    const clientOrderId = this.nextClientOrderId(prefix);
    let answer;
    try {
      answer = this.#venue.place({ clientOrderId, side: q.side, price: q.price, amount: q.amount });
    } catch (e) {
      return this.#unanswered(q, clientOrderId, e);
    }
    return answer instanceof Promise ? answer.catch((e) => this.#unanswered(q, clientOrderId, e)) : answer;
  }

  #unanswered(q: Quote, clientOrderId: string, error: unknown): Unanswered {
    const order: Order = { ...q, clientOrderId, venueOrderId: "", filled: 0, status: "open", ts: this.#clock.now() };
    return new Unanswered(order, error);
  }

  /** At start: cancels every order of ours the venue lists (leftovers of an earlier run). */
  *reconcile(prefix: string): Work<CancelResult> {
    let leftovers = this.#venue.openOrders(prefix);
    if (leftovers instanceof Promise) leftovers = (yield leftovers) as Order[];
    const c = this.cancel(leftovers);
    return c instanceof Promise ? (yield c) as CancelResult : c;
  }

  /**
   * Cancels each order; one failed cancel does not stop the others. A venue that answers with values gets a value
   * back: no generator, as a quoting tick cancels nearly every tick; from the first promise on, the rest waits.
   */
  cancel(orders: readonly Order[]): CancelResult | Promise<CancelResult> {
    const r: CancelResult = { cancelled: [], failed: [], error: null };
    for (let i = 0; i < orders.length; i++) {
      const waiting = this.#cancelOne(orders[i], r);
      if (waiting) return this.#cancelRest(orders, i, waiting, r);
    }
    return r;
  }

  /** One cancel, its answer noted in `r`; the promise instead when the venue makes us wait for it. */
  #cancelOne(o: Order, r: CancelResult): Promise<unknown> | null {
    try {
      const cancelling = this.#venue.cancel(o);
      if (cancelling instanceof Promise) return cancelling;
      r.cancelled.push(o);
    } catch (e) {
      r.failed.push(o);
      r.error = e;
    }
    return null;
  }

  /** The cancels from orders[i] on, the first answering through `waiting`, each after the one before. */
  async #cancelRest(orders: readonly Order[], i: number, waiting: Promise<unknown>, r: CancelResult) {
    let w: Promise<unknown> | null = waiting;
    while (w) {
      try {
        await w;
        r.cancelled.push(orders[i]);
      } catch (e) {
        r.failed.push(orders[i]);
        r.error = e;
      }
      w = null;
      while (w === null && ++i < orders.length) w = this.#cancelOne(orders[i], r);
    }
    return r;
  }

  /** Lists what of ours rests at the venue and cancels each; `lastKnown` stands in when the listing fails. */
  *pull(prefix: string, lastKnown: readonly Order[]): Work<Pulled> {
    let open: Order[];
    try {
      const listed = this.#venue.openOrders(prefix);
      open = listed instanceof Promise ? (yield listed) as Order[] : listed;
    } catch (e) {
      return unlisted(e, lastKnown);
    }
    return yield* this.pullListed(open);
  }

  /** Cancels what a listing just showed: everything of ours. */
  *pullListed(listed: readonly Order[]): Work<Pulled> {
    let c = this.cancel(listed);
    if (c instanceof Promise) c = (yield c) as CancelResult;
    const error = c.failed.length ? messageOf(c.error) : null;
    return { cancelled: c.cancelled, resting: c.failed, confirmed: true, error };
  }

  /** After a pull that left something resting or unconfirmed: the venue's answer on what of ours rests now. */
  *confirm(prefix: string, last: Pulled): Work<Pulled> {
    try {
      const listed = this.#venue.openOrders(prefix);
      const resting = listed instanceof Promise ? (yield listed) as Order[] : listed;
      return { ...last, resting, confirmed: true };
    } catch (e) {
      return { ...last, confirmed: false, error: messageOf(e) };
    }
  }
}

/** Seven random characters of [0-9a-z]: a run's ids differ from every other run's. */
const randomRunId = () => [...crypto.getRandomValues(new Uint8Array(7))].map((b) => (b % 36).toString(36)).join("");

/** A listing that failed: what we knew is taken to rest, unconfirmed. */
export const unlisted = (e: unknown, lastKnown: readonly Order[]): Pulled => ({
  cancelled: [],
  resting: [...lastKnown],
  confirmed: false,
  error: messageOf(e),
});
