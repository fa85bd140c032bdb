/**
 * The order desk: what the engine does with our orders at the venue — apply a quote decision
 * (cancel, keep, place), pull everything while standing aside (retried every tick while something
 * rests), and the stop's bounded retries with a final open-orders query. It keeps the run state's view of what
 * still rests, so status screens can say "pausing: 2 order(s) still resting".
 */
import { messageOf } from "../core/format.ts";
import type { EngineEvent } from "../core/events.ts";
import type { Clock, Order } from "../core/types.ts";
import { planOrders } from "../core/orders.ts";
import type { QuoteDecision } from "../core/quoting.ts";
import { type ExchangePort, OrderRejected } from "../venues/port.ts";
import { pullQuotes, type PullResult } from "./pull.ts";
import { wait, type Work } from "./drive.ts";
import type { EngineState, RunState } from "./status.ts";
import { rejectionSkip } from "./skips.ts";

export interface DeskContext {
  venue: ExchangePort;
  clock: Clock;
  run: RunState;
  /** client order id prefix (from the current config) */
  prefix(): string;
  emit(e: EngineEvent): void;
  scrub(text: string): string;
  /** a pause, a stop or a ledger that stopped recording: no further placement */
  halted(): boolean;
  /** an order was placed at this mid (for its fills' spread capture) */
  placed(clientOrderId: string, mid: number): void;
}

/**
 * How long a placement that got no answer may still reach the venue: its request is valid for the venue's receive
 * window (Binance: 5 s by default) plus ccxt's retries; after this, the listing is trusted again while standing aside.
 */
const UNANSWERED_MS = 120_000;

export class OrderDesk {
  readonly #c: DeskContext;
  /** client ids never repeat across restarts: a random run id, then a sequence */
  readonly #runId = [...crypto.getRandomValues(new Uint8Array(7))].map((b) => (b % 36).toString(36)).join("");
  #seq = 0;

  constructor(context: DeskContext) {
    this.#c = context;
  }

  nextClientOrderId(): string {
    const prefix = this.#c.prefix();
    if (prefix !== this.#idPrefix) (this.#idPrefix = prefix), (this.#idBase = `${prefix}${this.#runId}-`);
    return this.#idBase + ++this.#seq;
  }
  #idPrefix = "";
  #idBase = "";

  /**
   * Applies a decision: cancel what the plan drops, keep what is close enough, place the rest —
   * unless the context is `halted()` (a pause, a stop, a ledger that stopped recording) between two placements.
   */
  *apply(decision: Extract<QuoteDecision, { action: "quote" }>, toleranceBps: number, mid: number): Work<void> {
    const { venue, run, clock } = this.#c;
    // a value is used as it is, only a promise is yielded (the paper exchange answers without a resume)
    let open = venue.openOrders(this.#c.prefix());
    if (open instanceof Promise) open = (yield open) as Order[];
    const plan = planOrders(open, decision, toleranceBps);
    for (const o of plan.cancel) {
      const cancelling = venue.cancel(o);
      if (cancelling instanceof Promise) yield cancelling;
      this.#cancelled(o);
    }
    const skipped: string[] = [];
    const { skips } = run;
    if (decision.skipped.bid) skips.add(decision.skipped.bid.reason, 1), skipped.push(decision.skipped.bid.detail);
    if (decision.skipped.ask) skips.add(decision.skipped.ask.reason, 1), skipped.push(decision.skipped.ask.detail);
    if (decision.inventoryLimit) skips.ticksAtInventoryLimit++;
    const resting = [...plan.keep];
    run.openOrders = resting; // listed just now, and the plan cancelled what is not wanted
    if (run.resting.length) run.resting = [];
    run.restingConfirmed = true;
    for (const q of plan.place) {
      if (this.#c.halted()) break;
      const clientOrderId = this.nextClientOrderId();
      let placed: Order | OrderRejected;
      try {
        const answer = venue.place({ clientOrderId, side: q.side, price: q.price, amount: q.amount });
        placed = answer instanceof Promise ? (yield answer) as Order | OrderRejected : answer;
      } catch (e) {
        // no answer (a timeout): the order may rest anyway; it counts as ours until the venue says otherwise
        resting.push({ ...q, clientOrderId, venueOrderId: "", filled: 0, status: "open", ts: clock.now() });
        run.unansweredTs = clock.now();
        throw e;
      }
      if (placed instanceof OrderRejected) {
        // refused for this tick only (post-only cross, funds): skip the side
        skipped.push(`${q.side} rejected: ${placed.message}`);
        skips.add(rejectionSkip(placed.reason), 1);
        this.#c.emit({
          type: "order_rejected",
          ts: clock.now(),
          side: q.side,
          reason: placed.reason,
          message: placed.message,
        });
        continue;
      }
      resting.push(placed);
      this.#c.placed(clientOrderId, mid);
      this.#c.emit({ type: "order_placed", ts: clock.now(), order: placed });
    }
    run.state = "quoting";
    run.reason = skipped.length ? skipped.join("; ") : null;
  }

  *cancel(o: Order): Work<void> {
    yield this.#c.venue.cancel(o);
    this.#cancelled(o);
  }

  #cancelled(o: Order): void {
    this.#c.emit({ type: "order_cancelled", ts: this.#c.clock.now(), order: o });
  }

  /** Cancels everything of ours the venue lists; what fails stays in `run.resting` for the next try. */
  *pull(): Work<PullResult> {
    const run = this.#c.run;
    const known = run.resting.length ? run.resting : run.openOrders;
    const pulled = yield* pullQuotes(this.#c.venue, this.#c.prefix(), known, (o) => this.cancel(o));
    // the error goes to status screens, the /pause reply and alerts: never with a signed URL in it
    const r = { ...pulled, error: pulled.error === null ? null : this.#c.scrub(pulled.error) };
    run.resting = r.resting;
    run.restingConfirmed = r.confirmed;
    run.restingError = r.error;
    run.openOrders = r.resting;
    return r;
  }

  /** Not quoting: make sure nothing of ours rests (retried every tick while something does). */
  standAside(state: EngineState, reason: string, code: string): Work<void> | null {
    const run = this.#c.run;
    run.skips.add(code, 2);
    // nothing of ours can rest: the last listing was empty, nothing was placed since, and no placement without an
    // answer can still arrive at the venue (one may land after a listing that did not see it), so nothing to ask
    const quiet = this.#c.clock.now() - run.unansweredTs > UNANSWERED_MS;
    if (quiet && !run.openOrders.length && !run.resting.length && run.restingConfirmed) {
      this.settle(state, reason);
      return null;
    }
    return this.#pullAside(state, reason);
  }

  *#pullAside(state: EngineState, reason: string): Work<void> {
    const run = this.#c.run;
    const before = run.resting.length;
    const r = yield* this.pull();
    this.settle(state, reason);
    if (before && !r.resting.length && r.confirmed) {
      this.#c.emit({ type: "orders_pulled", ts: this.#c.clock.now(), cancelled: r.cancelled });
    }
  }

  /** State and reason while not quoting; "pausing" while orders of ours may still rest. */
  settle(state: EngineState, reason: string): void {
    const run = this.#c.run;
    const left = run.resting.length;
    if (left || !run.restingConfirmed) {
      run.state = "pausing";
      run.reason = `pausing: ${
        left ? `${left} order(s) still resting` : "cannot tell what rests"
      }, last error ${run.restingError}; ${reason}`;
    } else {
      run.state = state;
      run.reason = reason;
    }
  }

  /**
   * Cancels everything of ours, retrying with backoff until nothing rests or `timeoutMs` has passed,
   * then asks the venue once more what rests: that answer is what the stop reports.
   */
  *stop(timeoutMs: number): Work<PullResult> {
    const clock = this.#c.clock;
    const deadline = clock.elapsedMs() + timeoutMs;
    let cancelled = 0, backoffMs = 250;
    let r: PullResult;
    for (;;) {
      r = yield* this.pull();
      cancelled += r.cancelled;
      const left = deadline - clock.elapsedMs();
      if ((r.confirmed && !r.resting.length) || left <= 0) break;
      yield clock.sleep(Math.min(backoffMs, left));
      backoffMs = Math.min(backoffMs * 2, 5_000);
    }
    if (!r.confirmed || r.resting.length) {
      try {
        r = { ...r, resting: yield* wait(this.#c.venue.openOrders(this.#c.prefix())), confirmed: true };
      } catch (e) {
        r = { ...r, confirmed: false, error: this.#c.scrub(messageOf(e)) };
      }
    }
    this.#c.run.state = "stopped";
    this.#c.run.openOrders = r.resting;
    return { ...r, cancelled };
  }
}
