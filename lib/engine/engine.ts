/**
 * The engine: one cycle per tick — fills → top of book and candles → indicators → risk gate → quotes →
 * order plan — applied through the exchange port, on the injected clock (paper, backtest and live share it).
 * Safety (DESIGN §12): a pause — the operator's, the kill switch's or the error breaker's — is written before
 * it acts (guards.ts), its cancels are retried every tick until nothing of ours rests (desk.ts), and only
 * `resume()` clears it; every event is recorded before it is told (recording.ts, fail closed).
 */
import { messageOf } from "../core/format.ts";
import { equityOf, openPortfolio, type Portfolio } from "../core/accounting.ts";
import { isOpen, tickFailed, tickSucceeded } from "../core/breaker.ts";
import type { EngineEvent, PauseSource } from "../core/events.ts";
import { computeQuotes } from "../core/quoting.ts";
import { midOf } from "../core/steps.ts";
import type { Candle, Clock, Fill, Inventory, MarketRules, TopOfBook } from "../core/types.ts";
import type { Config } from "../config/schema.ts";
import { type ExchangePort, KeyRefused } from "../venues/port.ts";
import { CandleHistory } from "./candles.ts";
import { memoryStore } from "./control.ts";
import { Edges } from "./edges.ts";
import { EventBus, type Listener } from "./events.ts";
import { FillTracker } from "./fills.ts";
import { FundingBook } from "./funding.ts";
import type { PullResult } from "./pull.ts";
import { OrderDesk } from "./desk.ts";
import { Guards } from "./guards.ts";
import { Recording } from "./recording.ts";
import type { EngineOptions } from "./options.ts";
import { Serial } from "./serial.ts";
import { drive, wait, type Work } from "./drive.ts";
import type { SkipTally } from "./skips.ts";

export type { EngineOptions };
import { type EngineStatus, initialRunState, projectStatus, riskEquityOf, type RunState } from "./status.ts";

export class Engine {
  readonly #ex: ExchangePort;
  readonly #clock: Clock;
  readonly #events = new EventBus();
  readonly #serial = new Serial();
  readonly #fills: FillTracker;
  readonly #opts: EngineOptions;
  readonly #guards: Guards;
  readonly #desk: OrderDesk;
  readonly #recording: Recording;
  readonly #scrub: (text: string) => string;
  readonly #edges = new Edges();
  readonly #candles: CandleHistory;
  readonly #run: RunState;
  readonly #funding: FundingBook | null;
  #config: Config;
  #rules: MarketRules | null = null;
  #stopping = false;

  constructor(opts: EngineOptions) {
    this.#opts = opts;
    this.#ex = opts.exchange;
    this.#clock = opts.clock;
    this.#config = opts.config;
    this.#recording = new Recording(opts.record ?? null);
    this.#scrub = opts.scrub ?? ((t) => t);
    this.#candles = new CandleHistory(opts.config.strategy);
    this.#run = initialRunState(false, false);
    this.#guards = new Guards(opts.control ?? memoryStore(opts.paused, opts.killSwitch), this.#run, this.#scrub);
    this.#desk = new OrderDesk({
      venue: this.#ex,
      clock: this.#clock,
      run: this.#run,
      prefix: () => this.#config.market.client_order_prefix,
      emit: (e) => this.#emit(e),
      scrub: this.#scrub,
      halted: () => this.#run.paused || this.#stopping || this.#recording.failing,
      placed: (id, mid) => this.#fills.placed(id, mid),
    });
    this.#fills = new FillTracker(opts.lastTradeId ?? null);
    this.#funding = opts.funding && opts.config.market.type === "perp" ? new FundingBook(opts.funding) : null;
  }

  get paused(): boolean {
    return this.#run.paused;
  }

  get config(): Config {
    return this.#config;
  }

  /** The venue's trade id of the last fill taken (the watermark for fills after a restart). */
  get lastTradeId(): string | null {
    return this.#fills.lastTradeId;
  }

  /** The last top of book seen. */
  get topOfBook(): TopOfBook | null {
    return this.#run.topOfBook;
  }

  /** Our accounting from fills (balances, fees, PnL by average cost). */
  get portfolio(): Portfolio | null {
    return this.#run.portfolio;
  }

  /** Quotes not placed since the start, by reason (DESIGN §14). */
  get skips(): SkipTally {
    return this.#run.skips;
  }

  /** The last closed candles seen (up to 240), oldest first. */
  recentCandles(): readonly Candle[] {
    return this.#candles.recent();
  }

  /** Subscribes to events (`ticks: false`: all but "tick"); returns the unsubscribe function. */
  on(listener: Listener, opts?: { ticks?: boolean }): () => void {
    return this.#events.on(listener, opts);
  }

  /** Swaps the parameters (Telegram /set); indicators whose periods changed reload their history. */
  reconfigure(next: Config): void {
    this.#candles.reconfigure(next.strategy);
    this.#config = next;
  }

  /**
   * Start-up and crash recovery share one path: market rules, cancel leftover orders of ours,
   * load the candles the indicators need, open the portfolio from the venue's balances.
   */
  async start(): Promise<void> {
    await this.#serial.run(() => drive(this.#start()));
  }

  *#start(): Work<void> {
    const ex = this.#ex;
    this.#rules = yield* wait(ex.rules());
    const leftovers = yield* wait(ex.openOrders(this.#config.market.client_order_prefix));
    for (const o of leftovers) yield* this.#desk.cancel(o);
    yield this.#candles.update(ex, this.#clock.now());
    const top = yield* wait(ex.topOfBook());
    const inv = yield* wait(ex.balances());
    this.#run.topOfBook = top;
    this.#run.inventory = inv;
    const mid = midOf(top);
    const p = this.#run.portfolio = this.#opts.portfolio ?? openPortfolio(inv.position ?? inv.base, inv.quote, mid);
    if (this.#opts.lastTradeId !== undefined) this.#takeFills(yield* wait(ex.fillsSince(this.#fills.lastTradeId)));
    else this.#fills.lastTradeId = (yield* wait(ex.fillsSince(null))).at(-1)?.tradeId ?? null;
    this.#run.initialEquity = this.#opts.initialEquity ?? equityOf(p, mid);
    this.#run.held = { base: p.base, quote: p.quote, equity: equityOf(p, mid) };
    // the drawdown budget survives restarts: a crash loop does not reset the peak
    const startRisk = riskEquityOf(this.#config, this.#run, mid);
    this.#run.peakEquity = Math.max(this.#guards.store.peakEquity ?? 0, this.#run.initialEquity, startRisk);
    this.#run.state = this.#run.paused ? "paused" : "warming_up";
    const ts = this.#clock.now();
    this.#emit({ type: "start", ts, cancelledLeftovers: leftovers.length, lastTradeId: this.lastTradeId });
  }

  /**
   * One cycle. Never throws: failures are counted, reported, pull our quotes and may trip the breaker.
   * Returns a promise only when the venue made it wait (a backtest tick returns at once).
   */
  tick(): void | Promise<void> {
    return this.#serial.run(() => drive(this.#tick()));
  }

  *#tick(): Work<void> {
    const t0 = this.#clock.elapsedMs();
    const now = this.#clock.now();
    const cfg = this.#config;
    try {
      if (this.#recording.failing && this.#recording.flush()) this.#emit({ type: "ledger_recovered", ts: now });
      // The hottest path yields only a promise: a value (the paper exchange's answer) is used as it is, so a
      // backtest tick runs through without resuming the generator once.
      let fills = this.#ex.fillsSince(this.#fills.lastTradeId);
      if (fills instanceof Promise) fills = (yield fills) as Fill[];
      this.#takeFills(fills);
      let top = this.#ex.topOfBook();
      if (top instanceof Promise) top = (yield top) as TopOfBook;
      const candles = this.#candles.update(this.#ex, now);
      if (candles) yield candles;
      const funding = this.#funding?.due(now) ? this.#funding : null; // perp funding (funding.ts)
      if (funding) {
        const settled = yield* wait(funding.settle(now, this.#run.portfolio!, fills, this.#candles.recent()));
        for (const e of settled) this.#emit(e);
        const failure = funding.failure && this.#scrub(`funding: ${funding.failure}`); // reported; the tick goes on
        if (failure) this.#emit({ type: "error", ts: now, message: failure, consecutive: this.#run.breaker.failures });
      }
      let inv = this.#ex.balances();
      if (inv instanceof Promise) inv = (yield inv) as Inventory;
      this.#run.topOfBook = top;
      this.#run.inventory = inv;
      if (this.#run.breaker.failures) {
        const { breaker, recovered } = tickSucceeded(this.#run.breaker, cfg.risk.max_consecutive_errors);
        if (recovered) {
          this.#emit({ type: "error_breaker", ts: now, state: "recovered", consecutive: this.#run.breaker.failures });
        }
        this.#run.breaker = breaker;
      }
      // renew the venue's cancel-all countdown where it has one (Binance USDT-M)
      if (cfg.risk.dead_man_s > 0 && this.#ex.armDeadMan) yield this.#ex.armDeadMan(cfg.risk.dead_man_s);

      const ind = this.#candles.snapshot();
      const mid = midOf(top);
      const equity = riskEquityOf(cfg, this.#run, mid); // the kill switch's basis (risk.drawdown_basis)
      const gate = this.#guards.gate(now, top.ts, ind.natr, equity, cfg.risk);
      this.#emitIf(this.#edges.staleData(now, !gate.ok && gate.reason === "stale_data" ? gate.detail : null));
      if (!gate.ok && gate.reason === "kill_switch" && !this.#run.paused) {
        if (!this.#run.killSwitch) this.#emit(this.#guards.tripKillSwitch(now, equity));
        this.#run.decision = null;
        yield* this.#pause("kill_switch", gate.detail);
        return;
      }
      const decision = this.#run.paused || this.#recording.failing || !gate.ok ? null : computeQuotes({
        nowMs: now,
        topOfBook: top,
        rules: this.#rules!,
        indicators: ind,
        inventory: inv,
        marketType: cfg.market.type,
        params: cfg.strategy,
        liquidationGuardPct: cfg.risk.liquidation_guard_pct,
        makerFeeBps: cfg.market.maker_fee_bps,
      });
      this.#run.decision = decision;
      if (decision?.action !== "quote") {
        const failing = this.#recording.failing ? this.#recording.error ?? "unknown error" : null;
        const [state, why, code] = this.#guards.asideFor(gate, decision, ind.ready, failing);
        const pulling = this.#desk.standAside(state, why, code);
        if (pulling) yield* pulling;
        return;
      }
      this.#emitIf(this.#edges.inventoryLimit(now, decision.inventoryLimit, decision.figures.inventoryRatio));
      this.#emitIf(this.#edges.liquidationGuard(now, decision));
      yield* this.#desk.apply(decision, cfg.strategy.refresh_tolerance_bps, mid);
    } catch (e) {
      yield* this.#onError(now, e);
    } finally {
      this.#run.ticks++;
      this.#run.lastTickTs = now;
      this.#run.loopMs = this.#clock.elapsedMs() - t0;
      // the tick event, when someone records or listens to it
      if (this.#recording.sink || this.#events.tickListeners) this.#emit({ type: "tick", ts: now });
    }
  }

  /**
   * Pauses (the operator's word, or a guard's): written to the control store first, then every order
   * of ours is cancelled; what fails is retried every tick until nothing rests. Never throws.
   */
  async pause(source: PauseSource = "cli"): Promise<PullResult> {
    this.#guards.pauseNow(source);
    return await this.#serial.run(() => drive(this.#pulled(source)));
  }

  /**
   * Quotes again from the next tick; also clears a tripped kill switch, measuring drawdown afresh from
   * here. Throws (staying paused) when the control store cannot record it.
   */
  resume(): void {
    const p = this.#run.portfolio, top = this.#run.topOfBook;
    this.#guards.resume(p && top ? riskEquityOf(this.#config, this.#run, midOf(top)) : null);
    this.#emit({ type: "resumed", ts: this.#clock.now() });
  }

  /** A stop is coming: from now on nothing more is placed (a tick in flight finishes without placing). */
  halt(): void {
    this.#stopping = true;
  }

  /**
   * The one shutdown path: cancel every order of ours, retrying until `timeoutMs` has passed, then
   * confirm with a final open-orders query. The caller exits non-zero when `resting` is not empty or
   * the venue could not confirm.
   */
  async stop(timeoutMs = this.#config.risk.shutdown_timeout_s * 1000): Promise<PullResult> {
    this.#stopping = true; // a tick still running places nothing more
    const work = function* (this: Engine): Work<PullResult> {
      // events the ledger could not record yet: one more try before the process ends
      if (this.#recording.failing && this.#recording.flush()) {
        this.#emit({ type: "ledger_recovered", ts: this.#clock.now() });
      }
      const r = yield* this.#desk.stop(timeoutMs), { cancelled, resting, confirmed } = r;
      this.#emit({ type: "stop", ts: this.#clock.now(), cancelled, resting, confirmed });
      return r;
    };
    return await this.#serial.run(() => drive(work.call(this)));
  }

  status(): EngineStatus {
    return projectStatus(this.#config, this.#clock.now(), this.#candles.snapshot(), this.#run);
  }

  /** The durable record first (fail closed when it cannot write), then the listeners. */
  #emit(e: EngineEvent): void {
    this.#recording.emit(e, this.#events, this.#scrub);
  }

  #emitIf(e: EngineEvent | null): void {
    if (e) this.#emit(e);
  }

  /** After a pause: pull our quotes once now (the ticks retry what is left) and say what happened. */
  *#pulled(source: PauseSource): Work<PullResult> {
    const r = yield* this.#desk.pull();
    const reason = this.#pausedWhy();
    this.#desk.settle(this.#guards.pausedState, reason);
    const ts = this.#clock.now();
    this.#emit({ type: "paused", ts, cancelled: r.cancelled, resting: r.resting.length, source, reason });
    if (this.#guards.storeError !== null) {
      const message =
        `${reason}, but the ledger could not record it (${this.#guards.storeError}): a restart would forget it`;
      this.#emit({ type: "error", ts, message, consecutive: this.#run.breaker.failures });
    }
    return r;
  }

  /** Inside a tick (already serialized): a guard pauses. */
  #pause(source: PauseSource, detail: string): Work<PullResult> {
    this.#guards.pauseNow(source, detail);
    return this.#pulled(source);
  }

  #pausedWhy(): string {
    return this.#guards.why(this.#recording.error);
  }

  #takeFills(fills: readonly Fill[]): void {
    const { market, strategy } = this.#config;
    for (const e of this.#fills.take(fills, this.#run.portfolio!, market.type, strategy)) this.#emit(e);
  }

  *#onError(ts: number, e: unknown): Work<void> {
    const max = this.#config.risk.max_consecutive_errors;
    const message = this.#scrub(messageOf(e));
    const { breaker, tripped } = tickFailed(this.#run.breaker, message, max, e instanceof KeyRefused);
    this.#run.breaker = breaker;
    this.#emit({ type: "error", ts, message, consecutive: breaker.failures });
    if (tripped) {
      this.#emit({ type: "error_breaker", ts, state: "tripped", consecutive: breaker.failures, reason: message });
      if (!this.#run.paused) {
        yield* this.#pause("error_breaker", `${breaker.failures} failed ticks in a row; last: ${message}`);
        return;
      }
    }
    // the venue may be the thing that is failing: try anyway, and again next tick
    if (this.#run.paused || isOpen(breaker, max) || this.#config.risk.pull_quotes_on_error) {
      const why = this.#run.paused ? this.#pausedWhy() : `a tick failed, quotes pulled: ${message}`;
      const code = this.#run.paused ? this.#guards.pausedCode : "error";
      const pulling = this.#desk.standAside(this.#run.paused ? this.#guards.pausedState : "standing_aside", why, code);
      if (pulling) yield* pulling;
    }
  }
}
