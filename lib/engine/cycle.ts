/**
 * The engine's cycle and the run state it alone writes (status.ts). A tick (DESIGN §5): gather the inputs (fills, book,
 * candles, funding, balances, our orders), a pure `decide` (core/decide.ts) returns the actions as data, the order desk
 * (desk.ts) carries them out and returns what happened, the cycle folds that in. Also the start, the pull after a
 * pause and the stop. Safety (DESIGN §12): a pause is written before it acts (pause.ts) and its cancels are retried
 * every tick until nothing of ours rests; every event is recorded before it is told (recording.ts, fail closed).
 */
import { messageOf } from "../core/format.ts";
import { equityOf, openPortfolio } from "../core/accounting.ts";
import { afterFailure, tickSucceeded } from "../core/breaker.ts";
import type { TickActions } from "../core/decide.ts";
import type { EngineEvent, PauseSource } from "../core/events.ts";
import { midOf } from "../core/steps.ts";
import type { Clock, Fill, Inventory, MarketRules, Order, TopOfBook } from "../core/types.ts";
import type { Config } from "../config/schema.ts";
import { KeyRefused } from "../venues/port.ts";
import type { CandleHistory } from "./candles.ts";
import { EventBus } from "./events.ts";
import type { Accounts } from "./accounts.ts";
import { OrderDesk, type Placement, type Pulled, type PullResult, unlisted } from "./desk.ts";
import type { PauseStore } from "./pause.ts";
import { Recording } from "./recording.ts";
import type { EngineOptions } from "./options.ts";
import { ROUND_END, Rounds, type Work } from "./drive.ts";
import { Placements } from "./placements.ts";
import { keepBalances, keepBook, newBook } from "./gathered.ts";
import { TickDecider } from "./decider.ts";
import { type EngineState, initialRunState, riskEquityOf, type RunState } from "./status.ts";

const NO_ORDERS: readonly Order[] = Object.freeze([]);

export class Cycle {
  readonly #clock: Clock;
  readonly events = new EventBus();
  readonly #accounts: Accounts;
  readonly #opts: EngineOptions;
  readonly #pauses: PauseStore;
  readonly #desk: OrderDesk;
  readonly #recording: Recording;
  readonly #scrub: (text: string) => string;
  readonly #candles: CandleHistory;
  /** the run state: written here and nowhere else (the others read the status projection) */
  readonly #run: RunState = initialRunState();
  /** the parameters now (Telegram /set swaps them through `reconfigure`) */
  config: Config;
  #rules: MarketRules | null = null;
  /** a stop is coming (set by the engine): nothing more is placed, a tick in flight finishes without placing */
  stopping = false;
  readonly #decider: TickDecider;
  readonly #placements: Placements;

  constructor(opts: EngineOptions, pauses: PauseStore, accounts: Accounts, candles: CandleHistory) {
    this.#opts = opts;
    this.#clock = opts.clock;
    this.config = opts.config;
    this.#recording = new Recording(opts.record ?? null, this.events);
    this.#scrub = opts.scrub ?? ((t) => t);
    this.#candles = candles;
    this.#pauses = pauses;
    this.#desk = new OrderDesk(opts.exchange, this.#clock, opts.runId);
    this.#accounts = accounts;
    this.#decider = new TickDecider(opts.config, candles.snapshot());
    this.#placements = new Placements(this.#run, accounts, this.#clock, this.#recording, (e) => this.#emit(e));
  }

  get run(): Readonly<RunState> {
    return this.#run;
  }

  /**
   * Start-up and crash recovery share one path: market rules, cancel leftover orders of ours,
   * load the candles the indicators need, open the portfolio from the venue's balances.
   */
  *start(): Work<void> {
    const ex = this.#opts.exchange, run = this.#run;
    let rules = ex.rules();
    if (rules instanceof Promise) rules = (yield rules) as MarketRules;
    this.#rules = rules;
    const c = yield* this.#desk.reconcile(this.#prefix);
    this.#cancelled(c.cancelled);
    if (c.failed.length) throw c.error;
    const loading = this.#candles.update(ex, this.#clock.now());
    if (loading instanceof Promise) yield loading;
    let top = ex.topOfBook();
    if (top instanceof Promise) top = (yield top) as TopOfBook;
    let inv = ex.balances();
    if (inv instanceof Promise) inv = (yield inv) as Inventory;
    run.topOfBook = keepBook(this.#book, top);
    run.inventory = keepBalances(this.#balances, inv);
    const mid = midOf(top);
    const p = this.#opts.portfolio ?? openPortfolio(inv.position ?? inv.base, inv.quote, mid);
    // given the last fill recorded, the fills missed while down are taken; else the venue's fills are history
    const resuming = this.#opts.lastTradeId !== undefined;
    let fills = ex.fillsSince(resuming ? this.#accounts.lastTradeId : null);
    if (fills instanceof Promise) fills = (yield fills) as Fill[];
    this.#accounts.open(p, resuming ? undefined : fills);
    run.portfolio = p; // the status reads it; accounts.ts alone changes it
    if (resuming) this.#takeFills(fills);
    run.held = this.#opts.held ?? { base: p.base, quote: p.quote, equity: equityOf(p, mid) }; // strategy basis
    run.initialEquity = run.held.equity;
    // the kept peak survives restarts (a crash loop); both on the kill switch's basis
    this.#pauses.startPeak(run.initialEquity, riskEquityOf(this.config, run, mid));
    run.state = this.#pauses.paused ? this.#pauses.state : "warming_up";
    const cancelledLeftovers = c.cancelled.length, lastTradeId = this.#accounts.lastTradeId;
    this.#emit({ type: "start", ts: this.#clock.now(), cancelledLeftovers, lastTradeId });
  }

  /** One cycle, a round of the tick loop (drive.ts `Rounds`: one generator, never re-entered). Failures are counted,
   * reported, pull our quotes and may trip the breaker; what escapes that (a bug) throws, and a new loop follows. */
  tick(): void | Promise<void> {
    return this.#ticks.run();
  }

  readonly #ticks = new Rounds(() => this.#tickLoop());
  readonly #book = newBook(); // the book and balances as the engine keeps them (gathered.ts)
  readonly #balances: Inventory = { base: NaN, quote: NaN };

  *#tickLoop(): Work<void> {
    for (;;) {
      const t0 = this.#clock.elapsedMs(), now = this.#clock.now();
      const cfg = this.config, ex = this.#opts.exchange, run = this.#run;
      try {
        this.#flushRecord(now);
        // gather
        let fills = ex.fillsSince(this.#accounts.lastTradeId);
        if (fills instanceof Promise) fills = (yield fills) as Fill[];
        this.#takeFills(fills);
        let top = ex.topOfBook();
        if (top instanceof Promise) top = (yield top) as TopOfBook;
        const loading = this.#candles.update(ex, now);
        if (loading instanceof Promise) yield loading;
        if (this.#accounts.fundingDue(now)) { // perp funding (funding.ts): a source that fails is reported, the tick goes on
          const settled = yield* this.#accounts.settleFunding(now, fills, this.#candles.recent());
          this.tell(settled.events);
          const failure = settled.failure && this.#scrub(`funding: ${settled.failure}`);
          if (failure) this.#emit({ type: "error", ts: now, message: failure, consecutive: run.breaker.failures });
        }
        let inv = ex.balances();
        if (inv instanceof Promise) inv = (yield inv) as Inventory;
        run.topOfBook = top = keepBook(this.#book, top); // the engine's own records from here on
        run.inventory = inv = keepBalances(this.#balances, inv);
        if (run.breaker.failures) this.#recovered(now);
        // renew the venue's cancel-all countdown where it has one (Binance USDT-M)
        const arming = cfg.risk.dead_man_s > 0 && ex.armDeadMan?.(cfg.risk.dead_man_s);
        if (arming instanceof Promise) yield arming;
        // our orders at the venue, unless nothing of ours can rest; a listing that fails stands aside on what we knew
        let open = NO_ORDERS, listing: unknown = null;
        const asked = run.orders.mayRest(now);
        if (asked) {
          try {
            const listed = ex.openOrders(this.#prefix);
            open = listed instanceof Promise ? (yield listed) as Order[] : listed;
          } catch (e) {
            listing = e;
            open = run.orders.lastKnown;
          }
        }
        const a = this.#decide(now, top, inv, open);

        // carry out, fold
        if (a.state === "quoting" && listing !== null) throw listing; // quoting needs to know what rests
        if (a.state === "quoting") {
          if (a.cancel.length) {
            let c = this.#desk.cancel(a.cancel);
            if (c instanceof Promise) c = (yield c) as Awaited<typeof c>;
            this.#cancelled(c.cancelled);
            if (c.failed.length) throw c.error;
          }
          this.#placements.begin(a, midOf(top));
          for (let i = 0; i < a.place.length && this.#mayPlace(); i++) { // indexed: a for-of keeps an iterator
            let p = this.#desk.place(a.place[i], this.#prefix);
            if (p instanceof Promise) p = (yield p) as Placement;
            this.#placements.placed(a.place[i], p);
          }
          this.#placements.end();
        } else {
          const paused = this.#decider.inputs.paused, tripped = a.state === "killed" && !paused;
          if (tripped) { // the pause is written before it acts: first the kill switch and the pause, then the cancels
            if (a.killSwitch) this.#emit(a.killSwitch);
            this.#pauses.pause("kill_switch", a.detail!);
          }
          const pulled = !asked
            ? null
            : listing !== null
            ? unlisted(listing, run.orders.lastKnown)
            : yield* this.#desk.pullListed(a.cancel);
          if (!tripped) this.#aside(a.state, a.reason!, a.detail!, pulled);
          else this.#paused("kill_switch", pulled ?? { cancelled: [], resting: [], confirmed: true, error: null });
        }
      } catch (e) {
        yield* this.#onError(now, e);
      } finally {
        run.ticks++;
        run.lastTickTs = now;
        run.loopMs = this.#clock.elapsedMs() - t0;
        // the tick event, when someone records or listens to it
        if (this.#recording.hears("tick")) this.#emit({ type: "tick", ts: now });
      }
      yield ROUND_END;
    }
  }

  /** The breaker's count after a tick that gathered everything: a recovery is told. */
  #recovered(now: number): void {
    const run = this.#run, consecutive = run.breaker.failures;
    const { breaker, recovered } = tickSucceeded(run.breaker, this.config.risk.max_consecutive_errors);
    if (recovered) this.#emit({ type: "error_breaker", ts: now, state: "recovered", consecutive });
    run.breaker = breaker;
  }

  /** The pure decision on what was gathered (decider.ts), and what of it the run state takes at once. */
  #decide(now: number, top: TopOfBook, inv: Inventory, open: readonly Order[]): TickActions {
    const run = this.#run, cfg = this.config;
    const equity = riskEquityOf(cfg, run, midOf(top)), paused = this.#pauses.halt; // risk.drawdown_basis
    this.#pauses.notePeak(equity);
    const d = this.#decider, inp = d.inputs, st = d.held, p = this.#pauses; // rewritten each tick (decider.ts)
    inp.nowMs = now, inp.topOfBook = top, inp.rules = this.#rules!, inp.indicators = this.#candles.snapshot();
    inp.inventory = inv, inp.equity = equity, inp.open = open, inp.paused = paused;
    inp.ledgerFailing = this.#recording.halt, inp.config = cfg;
    st.killSwitch = p.killSwitch, st.peakEquity = p.peakEquity, st.transitions = run.transitions;
    const a = d.decide();
    run.transitions = a.transitions;
    this.tell(a.alerts);
    run.decision = a.quote;
    if (a.skipBid) run.skips.add(a.skipBid, 1);
    if (a.skipAsk) run.skips.add(a.skipAsk, 1);
    return a;
  }

  /**
   * The one shutdown path: cancel every order of ours, retrying until `timeoutMs` has passed, then
   * confirm with a final open-orders query.
   */
  *stop(timeoutMs: number): Work<PullResult> {
    this.stopping = true; // a tick still running places nothing more
    this.#flushRecord(this.#clock.now()); // events the ledger could not record yet: one more try before the end
    const clock = this.#clock, deadline = clock.elapsedMs() + timeoutMs;
    let backoffMs = 250, cancelled = 0, pulled: Pulled;
    for (;;) { // each attempt is folded (its cancels recorded) before the next
      pulled = yield* this.#desk.pull(this.#prefix, this.#run.orders.lastKnown);
      cancelled += this.#fold(pulled).cancelled;
      const left = deadline - clock.elapsedMs();
      if ((pulled.confirmed && !pulled.resting.length) || left <= 0) break;
      yield clock.sleep(Math.min(backoffMs, left));
      backoffMs = Math.min(backoffMs * 2, 5_000);
    }
    // what rests is what the venue says at the end, not what the last failure left us guessing
    if (!pulled.confirmed || pulled.resting.length) pulled = yield* this.#desk.confirm(this.#prefix, pulled);
    const { resting, confirmed, error } = this.#fold({ ...pulled, cancelled: [] });
    this.#run.state = "stopped";
    this.#emit({ type: "stop", ts: clock.now(), cancelled, resting, confirmed });
    return { cancelled, resting, confirmed, error };
  }

  get #prefix(): string {
    return this.config.market.client_order_prefix;
  }

  /** Events the ledger could not record: written now in order, if it takes them again. */
  #flushRecord(ts: number): void {
    if (this.#recording.failing && this.#recording.flush()) this.#emit({ type: "ledger_recovered", ts });
  }

  /** The durable record first (fail closed when it cannot write), then the listeners. */
  #emit(e: EngineEvent): void {
    this.#recording.emit(e, this.#scrub);
  }

  #cancelled(orders: readonly Order[]): void {
    if (!this.#recording.hears("order_cancelled")) return;
    for (const order of orders) this.#emit({ type: "order_cancelled", ts: this.#clock.now(), order });
  }

  /** Places go on until a pause, a stop or a ledger that cannot record. */
  #mayPlace(): boolean {
    return !(this.#pauses.paused || this.stopping || this.#recording.failing);
  }

  /**
   * Not quoting: folds what the pull did (null: nothing of ours could rest, nothing asked) into the state —
   * "pausing" while orders of ours may still rest — and says when the last of them has gone.
   */
  #aside(state: EngineState, reason: string, detail: string, pulled: Pulled | null): void {
    if (pulled && this.#fold(pulled).allGone) {
      this.#emit({ type: "orders_pulled", ts: this.#clock.now(), cancelled: pulled.cancelled.length });
    }
    const pausing = this.#run.orders.pausing(detail);
    this.#run.state = pausing === null ? state : "pausing";
    this.#run.reason = reason;
    this.#run.detail = pausing ?? detail;
  }

  /** What a pull did to what rests, told and folded; as its caller reads it (error scrubbed: it is shown). */
  #fold(pulled: Pulled): PullResult & { allGone: boolean } {
    this.#cancelled(pulled.cancelled);
    return this.#run.orders.pulled(pulled, this.#scrub);
  }

  /** After a pause: pull our quotes once now (the ticks retry what is left) and say what happened. */
  *pull(source: PauseSource): Work<PullResult> {
    const pulled: Pulled = yield* this.#desk.pull(this.#prefix, this.#run.orders.lastKnown);
    return this.#paused(source, pulled);
  }

  #paused(source: PauseSource, pulled: Pulled): PullResult {
    const p = this.#pauses;
    const { cancelled, resting, confirmed, error } = this.#fold(pulled);
    this.#aside(p.state, p.reason, p.detail!, null);
    const ts = this.#clock.now(), detail = p.detail!;
    this.#emit({ type: "paused", ts, cancelled, resting: resting.length, source, detail });
    if (p.writeError !== null) {
      const why = this.#scrub(p.writeError);
      const message = `${detail}, but the ledger could not record it (${why}): a restart would forget it`;
      this.#emit({ type: "error", ts, message, consecutive: this.#run.breaker.failures });
    }
    return { cancelled, resting, confirmed, error };
  }

  #takeFills(fills: readonly Fill[]): void {
    this.tell(this.#accounts.take(fills, this.config.market.type, this.config.strategy));
  }

  /** Records and tells events (the engine's own: a resume). */
  tell(events: readonly EngineEvent[]): void {
    for (let i = 0; i < events.length; i++) this.#emit(events[i]); // most ticks none: no iterator
  }

  *#onError(ts: number, e: unknown): Work<void> {
    const run = this.#run, message = this.#scrub(messageOf(e)), halt = this.#pauses.halt;
    const failed = afterFailure(run.breaker, message, this.config.risk, e instanceof KeyRefused, halt !== null);
    const { breaker, tripped, pause, pull } = failed;
    run.breaker = breaker;
    this.#emit({ type: "error", ts, message, consecutive: breaker.failures });
    if (tripped) {
      this.#emit({ type: "error_breaker", ts, state: "tripped", consecutive: breaker.failures, detail: message });
    }
    if (pause !== null) {
      this.#pauses.pause("error_breaker", pause);
      yield* this.pull("error_breaker");
    } else if (pull) {
      const [state, reason, detail] = halt
        ? [halt.state, halt.reason, halt.detail]
        : ["standing_aside" as const, "error", `a tick failed, quotes pulled: ${message}`];
      run.skips.add(reason, 2);
      if (!run.orders.mayRest(ts)) this.#aside(state, reason, detail, null);
      else this.#aside(state, reason, detail, yield* this.#desk.pull(this.#prefix, run.orders.lastKnown));
    }
  }
}
