/**
 * The engine: one cycle per tick — fills → top of book and candles → indicators → risk gate →
 * quotes → order plan — applied through the exchange port. Time comes only from the injected clock,
 * so paper, backtest and live runs share this code. Its neighbours: events (the emitter), recording
 * (the durable record, fail closed), control (where a pause is kept), pull (cancel everything of ours),
 * status (the projection every screen reads), fills, candles, edges, serial; the decisions are in lib/core.
 *
 * Safety (DESIGN §12): a pause — from the operator, the kill switch or the error breaker — is written to
 * the control store before it acts, and its cancels are retried every tick until nothing of ours rests;
 * only `resume()` clears it. A tick that fails pulls our quotes (`risk.pull_quotes_on_error`).
 */
import { equityOf, openPortfolio, type Portfolio } from "../core/accounting.ts";
import { isOpen, tickFailed, tickSucceeded } from "../core/breaker.ts";
import type { EngineEvent, PauseSource } from "../core/events.ts";
import { planOrders } from "../core/orders.ts";
import { computeQuotes, inventoryRatio, type QuoteDecision } from "../core/quoting.ts";
import { drawdownPct, riskGate } from "../core/risk.ts";
import { midOf } from "../core/steps.ts";
import type { Candle, Clock, MarketRules, Order, TopOfBook } from "../core/types.ts";
import type { Config } from "../config/schema.ts";
import { type ExchangePort, KeyRefused, OrderRejected } from "../venues/port.ts";
import { CandleHistory } from "./candles.ts";
import { type ControlStore, memoryStore } from "./control.ts";
import { Edges } from "./edges.ts";
import { EventBus, type Listener } from "./events.ts";
import { FillTracker } from "./fills.ts";
import { pullQuotes, type PullResult } from "./pull.ts";
import { Recording, type Sink } from "./recording.ts";
import { Serial } from "./serial.ts";
import { type EngineState, type EngineStatus, initialRunState, projectStatus, type RunState } from "./status.ts";

export interface EngineOptions {
  config: Config;
  exchange: ExchangePort;
  clock: Clock;
  /** where a pause, the kill switch and the peak equity are kept (the ledger); default: in memory */
  control?: ControlStore;
  /** without `control`: start paused / with the kill switch tripped */
  paused?: boolean;
  killSwitch?: boolean;
  /** the durable record of every event (the ledger's recorder); a write that throws stops quoting */
  record?: Sink;
  /** removes secrets and signatures from error texts before they reach status, events and logs */
  scrub?: (text: string) => string;
  /**
   * The last fill already recorded. Given, start() collects every fill after it (those missed while
   * down); absent, fills the venue already has are taken as history and skipped.
   */
  lastTradeId?: string | null;
  /** the portfolio so far (rebuilt from the ledger); absent, it opens from the venue's balances at start */
  portfolio?: Portfolio;
  /** what PnL is measured against (the account's starting equity); absent, the equity at start */
  initialEquity?: number;
}

/** What a pause or a stop did: cancelled now, and what still rests (retried). */
export type PullOutcome = PullResult;

const messageOf = (e: unknown) => (e as Error)?.message ?? String(e);

export class Engine {
  readonly #ex: ExchangePort;
  readonly #clock: Clock;
  readonly #events = new EventBus();
  readonly #serial = new Serial();
  readonly #fills: FillTracker;
  readonly #opts: EngineOptions;
  readonly #control: ControlStore;
  readonly #recording: Recording;
  readonly #scrub: (text: string) => string;
  readonly #edges = new Edges();
  readonly #candles: CandleHistory;
  readonly #run: RunState;
  /** client ids never repeat across restarts: a random run id, then a sequence */
  readonly #runId = crypto.getRandomValues(new Uint32Array(2)).reduce((s, x) => s + x.toString(36), "").slice(0, 7);
  #config: Config;
  #rules: MarketRules | null = null;
  #seq = 0;
  #stopping = false;
  /** the state shown while paused: by the kill switch, the error breaker, or anyone else */
  #pausedState: EngineState = "paused";
  /** why the control store could not record the last pause, null when it did */
  #controlError: string | null = null;

  constructor(opts: EngineOptions) {
    this.#opts = opts;
    this.#ex = opts.exchange;
    this.#clock = opts.clock;
    this.#config = opts.config;
    this.#control = opts.control ?? memoryStore(opts.paused, opts.killSwitch);
    this.#recording = new Recording(opts.record ?? null);
    this.#scrub = opts.scrub ?? ((t) => t);
    this.#candles = new CandleHistory(opts.config.strategy);
    this.#run = initialRunState(this.#control.paused, this.#control.killSwitch);
    this.#run.pauseReason = this.#control.pauseReason;
    this.#fills = new FillTracker(opts.lastTradeId ?? null);
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

  /** The last closed candles seen (up to 240), oldest first. */
  recentCandles(): readonly Candle[] {
    return this.#candles.recent();
  }

  /** Subscribes to events; returns the unsubscribe function. */
  on(listener: Listener): () => void {
    return this.#events.on(listener);
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
  start(): Promise<void> {
    return this.#serial.run(async () => {
      const ex = this.#ex;
      this.#rules = await ex.rules();
      const leftovers = await ex.openOrders(this.#prefix);
      for (const o of leftovers) await this.#cancel(o);
      await this.#candles.update(ex);
      const top = await ex.topOfBook();
      const inv = await ex.balances();
      this.#run.topOfBook = top;
      this.#run.inventory = inv;
      const mid = midOf(top);
      const p = this.#run.portfolio = this.#opts.portfolio ?? openPortfolio(inv.position ?? inv.base, inv.quote, mid);
      if (this.#opts.lastTradeId !== undefined) await this.#collectFills();
      else this.#fills.lastTradeId = (await ex.fillsSince(null)).at(-1)?.tradeId ?? null;
      this.#run.initialEquity = this.#opts.initialEquity ?? equityOf(p, mid);
      // the drawdown budget survives restarts: a crash loop does not reset the peak
      this.#run.peakEquity = Math.max(this.#control.peakEquity ?? 0, this.#run.initialEquity, equityOf(p, mid));
      this.#run.state = this.#run.paused ? "paused" : "warming_up";
      const ts = this.#clock.now();
      this.#emit({ type: "start", ts, cancelledLeftovers: leftovers.length, lastTradeId: this.lastTradeId });
    });
  }

  /** One cycle. Never throws: failures are counted, reported, pull our quotes and may trip the breaker. */
  tick(): Promise<void> {
    return this.#serial.run(() => this.#tick());
  }

  async #tick(): Promise<void> {
    const t0 = this.#clock.elapsedMs();
    const now = this.#clock.now();
    const cfg = this.#config;
    try {
      if (this.#recording.failing && this.#recording.flush()) this.#emit({ type: "ledger_recovered", ts: now });
      await this.#collectFills();
      const top = await this.#ex.topOfBook();
      await this.#candles.update(this.#ex);
      const inv = await this.#ex.balances();
      this.#run.topOfBook = top;
      this.#run.inventory = inv;
      if (this.#run.breaker.failures) {
        const { breaker, recovered } = tickSucceeded(this.#run.breaker, cfg.risk.max_consecutive_errors);
        if (recovered) {
          this.#emit({ type: "error_breaker", ts: now, state: "recovered", consecutive: this.#run.breaker.failures });
        }
        this.#run.breaker = breaker;
      }
      await this.#armDeadMan();

      const ind = this.#candles.snapshot();
      const mid = midOf(top);
      const equity = equityOf(this.#run.portfolio!, mid);
      this.#notePeak(equity);
      const gate = riskGate({
        paused: this.#run.paused,
        killSwitch: this.#run.killSwitch,
        nowMs: now,
        bookTs: top.ts,
        natr: ind.natr,
        equity,
        peakEquity: this.#run.peakEquity,
      }, cfg.risk);
      this.#emitIf(this.#edges.staleData(now, !gate.ok && gate.reason === "stale_data" ? gate.detail : null));
      if (!gate.ok && gate.reason === "kill_switch" && !this.#run.paused) {
        if (!this.#run.killSwitch) this.#tripKillSwitch(now, equity);
        this.#run.decision = null;
        await this.#pause("kill_switch", gate.detail);
        return;
      }
      if (this.#run.paused || this.#recording.failing) {
        this.#run.decision = null;
        await this.#standAside(this.#run.paused ? this.#pausedState : "standing_aside", this.#pausedWhy());
        return;
      }
      if (!gate.ok) {
        this.#run.decision = null;
        await this.#standAside("standing_aside", gate.detail);
        return;
      }

      const decision = computeQuotes({
        nowMs: now,
        market: top,
        rules: this.#rules!,
        indicators: ind,
        inventory: inv,
        marketType: cfg.market.type,
        params: cfg.strategy,
      });
      this.#run.decision = decision;
      if (decision.action === "stand_aside") {
        await this.#standAside(ind.ready ? "standing_aside" : "warming_up", decision.reason);
        return;
      }
      this.#emitIf(this.#edges.inventoryLimit(now, decision.inventoryLimit, decision.figures.inventoryRatio));
      await this.#apply(decision, mid, now);
    } catch (e) {
      await this.#onError(now, e);
    } finally {
      this.#run.ticks++;
      this.#run.lastTickTs = now;
      this.#run.loopMs = this.#clock.elapsedMs() - t0;
      this.#emit({ type: "tick", ts: now });
    }
  }

  /** Applies a decision: cancel what the plan drops, keep what is close enough, place the rest. */
  async #apply(decision: Extract<QuoteDecision, { action: "quote" }>, mid: number, now: number): Promise<void> {
    const m = this.#config.market;
    const open = await this.#ex.openOrders(m.client_order_prefix);
    const plan = planOrders(open, decision, this.#config.strategy.refresh_tolerance_bps);
    for (const o of plan.cancel) await this.#cancel(o);
    const skipped = Object.values(decision.skipped);
    const resting = [...plan.keep];
    this.#run.openOrders = resting;
    for (const q of plan.place) {
      // a pause, a stop or a ledger that stopped recording takes effect between two placements
      if (this.#run.paused || this.#stopping || this.#recording.failing) break;
      const clientOrderId = `${m.client_order_prefix}${this.#runId}-${++this.#seq}`;
      try {
        const order = await this.#ex.place({ clientOrderId, side: q.side, price: q.price, amount: q.amount });
        resting.push(order);
        this.#fills.placed(clientOrderId, mid);
        this.#emit({ type: "order_placed", ts: now, order });
      } catch (e) {
        if (!(e instanceof OrderRejected)) throw e;
        // rejected by the venue for this tick only (post-only cross, funds): skip the side
        skipped.push(`${q.side} rejected: ${e.message}`);
        this.#emit({ type: "order_rejected", ts: now, side: q.side, reason: e.reason, message: e.message });
      }
    }
    this.#run.state = "quoting";
    this.#run.reason = skipped.length ? skipped.join("; ") : null;
  }

  /**
   * Pauses (the operator's word, or a guard's): written to the control store first, then every order
   * of ours is cancelled; what fails is retried every tick until nothing rests. Never throws.
   */
  pause(source: PauseSource = "cli"): Promise<PullOutcome> {
    const reason = source === "cli" ? "paused by the user" : `paused from ${source}`;
    this.#pauseNow(reason, source);
    return this.#serial.run(() => this.#pulled(source, reason));
  }

  /**
   * Quotes again from the next tick; also clears a tripped kill switch, measuring drawdown afresh from
   * here. Throws (staying paused) when the control store cannot record it.
   */
  resume(): void {
    const equity = this.#run.portfolio && this.#run.topOfBook
      ? equityOf(this.#run.portfolio, midOf(this.#run.topOfBook))
      : null;
    const c = this.#control;
    if (this.#run.killSwitch && equity !== null) c.peakEquity = equity;
    c.killSwitch = false;
    c.paused = false;
    c.pauseReason = null;
    if (this.#run.killSwitch && equity !== null) this.#run.peakEquity = equity;
    this.#run.paused = false;
    this.#run.pauseReason = null;
    this.#pausedState = "paused";
    this.#run.killSwitch = false;
    this.#emit({ type: "resumed", ts: this.#clock.now() });
  }

  /**
   * The one shutdown path: cancel every order of ours, retrying until `timeoutMs` has passed, then
   * confirm with a final open-orders query. The caller exits non-zero when `resting` is not empty or
   * the venue could not confirm.
   */
  stop(timeoutMs = this.#config.risk.shutdown_timeout_s * 1000): Promise<PullOutcome> {
    const deadline = this.#clock.elapsedMs() + timeoutMs;
    this.#stopping = true; // a tick still running places nothing more
    return this.#serial.run(async () => {
      let cancelled = 0, wait = 250;
      let r: PullResult;
      for (;;) {
        r = await this.#pull();
        cancelled += r.cancelled;
        const left = deadline - this.#clock.elapsedMs();
        if ((r.confirmed && !r.resting.length) || left <= 0) break;
        await this.#clock.sleep(Math.min(wait, left));
        wait = Math.min(wait * 2, 5_000);
      }
      if (!r.confirmed || r.resting.length) {
        // what the venue says now is the truth to report
        try {
          r = { ...r, resting: await this.#ex.openOrders(this.#prefix), confirmed: true };
        } catch (e) {
          r = { ...r, confirmed: false, error: this.#scrub(messageOf(e)) };
        }
      }
      this.#run.state = "stopped";
      this.#run.openOrders = r.resting;
      this.#emit({ type: "stop", ts: this.#clock.now(), cancelled, resting: r.resting, confirmed: r.confirmed });
      return { ...r, cancelled };
    });
  }

  status(): EngineStatus {
    return projectStatus(this.#config, this.#clock.now(), this.#candles.snapshot(), this.#run);
  }

  get #prefix(): string {
    return this.#config.market.client_order_prefix;
  }

  /** The durable record first (fail closed when it cannot write), then the listeners. */
  #emit(e: EngineEvent): void {
    const wasFailing = this.#recording.failing;
    this.#recording.write(e);
    this.#events.emit(e);
    if (!wasFailing && this.#recording.failing) {
      this.#events.emit({ type: "ledger_failed", ts: e.ts, message: this.#scrub(this.#recording.error ?? "") });
    }
  }

  #emitIf(e: EngineEvent | null): void {
    if (e) this.#emit(e);
  }

  /** The pause in memory at once, then in the store; a store that cannot record it is reported. */
  #pauseNow(reason: string, source: PauseSource): void {
    this.#run.paused = true; // a tick in progress stops placing at once
    this.#run.pauseReason = reason;
    this.#pausedState = source === "kill_switch" ? "killed" : source === "error_breaker" ? "error_breaker" : "paused";
    try {
      this.#control.paused = true;
      this.#control.pauseReason = reason;
      this.#controlError = null;
    } catch (e) {
      this.#controlError = this.#scrub(messageOf(e));
    }
  }

  /** After a pause: pull our quotes once now (the ticks retry what is left) and say what happened. */
  async #pulled(source: PauseSource, reason: string): Promise<PullResult> {
    const r = await this.#pull();
    this.#settleAside(this.#pausedState, this.#pausedWhy());
    const ts = this.#clock.now();
    this.#emit({ type: "paused", ts, cancelled: r.cancelled, resting: r.resting.length, source, reason });
    if (this.#controlError !== null) {
      const message =
        `${reason}, but the ledger could not record it (${this.#controlError}): a restart would forget it`;
      this.#emit({ type: "error", ts, message, consecutive: this.#run.breaker.failures });
    }
    return r;
  }

  /** Inside a tick (already serialized): a guard pauses. */
  #pause(source: PauseSource, detail: string): Promise<PullResult> {
    const reason = `paused by the ${source.replace("_", " ")}: ${detail}`;
    this.#pauseNow(reason, source);
    return this.#pulled(source, reason);
  }

  #pausedWhy(): string {
    if (this.#run.paused) return this.#run.pauseReason ?? "paused";
    return `the ledger cannot record (${this.#recording.error}); not quoting until it can`;
  }

  #tripKillSwitch(ts: number, equity: number): void {
    this.#run.killSwitch = true;
    try {
      this.#control.killSwitch = true;
    } catch { /* the pause that follows reports the ledger failure */ }
    const dd = drawdownPct(equity, this.#run.peakEquity);
    this.#emit({ type: "kill_switch", ts, drawdownPct: dd, equity, peakEquity: this.#run.peakEquity });
  }

  #notePeak(equity: number): void {
    if (!(equity > this.#run.peakEquity)) return;
    this.#run.peakEquity = equity;
    try {
      this.#control.peakEquity = equity;
    } catch { /* kept in memory; the ledger's own failure is reported where it records events */ }
  }

  /** Renews the venue's cancel-all countdown where it has one (Binance USDT-M). */
  async #armDeadMan(): Promise<void> {
    const s = this.#config.risk.dead_man_s;
    if (s > 0) await this.#ex.armDeadMan?.(s);
  }

  async #collectFills(): Promise<void> {
    const fills = await this.#ex.fillsSince(this.#fills.lastTradeId);
    if (!fills.length) return;
    const p = this.#run.portfolio!;
    const { market, strategy } = this.#config;
    const ratioAt = (price: number) =>
      inventoryRatio(
        market.type === "perp" ? { base: 0, quote: p.quote, position: p.base } : p,
        price,
        market.type,
        strategy,
      );
    for (const e of this.#fills.take(fills, p, ratioAt)) this.#emit(e);
  }

  /** Not quoting: make sure nothing of ours rests (retried every tick while something does). */
  async #standAside(state: EngineState, reason: string): Promise<void> {
    if (state === "warming_up" && !this.#run.openOrders.length && !this.#run.resting.length) {
      this.#settleAside(state, reason);
      return;
    }
    const before = this.#run.resting.length;
    const r = await this.#pull();
    this.#settleAside(state, reason);
    if (before && !r.resting.length && r.confirmed) {
      this.#emit({ type: "orders_pulled", ts: this.#clock.now(), cancelled: r.cancelled });
    }
  }

  /** State and reason while not quoting; "pausing" while orders of ours still rest. */
  #settleAside(state: EngineState, reason: string): void {
    const left = this.#run.resting.length;
    if (left || !this.#run.restingConfirmed) {
      this.#run.state = "pausing";
      this.#run.reason = `pausing: ${
        left ? `${left} order(s) still resting` : "cannot tell what rests"
      }, last error ${this.#run.restingError}; ${reason}`;
    } else {
      this.#run.state = state;
      this.#run.reason = reason;
    }
  }

  async #pull(): Promise<PullResult> {
    const known = this.#run.resting.length ? this.#run.resting : this.#run.openOrders;
    const r = await pullQuotes(this.#ex, this.#prefix, known, (o) => this.#cancel(o));
    this.#run.resting = r.resting;
    this.#run.restingConfirmed = r.confirmed;
    this.#run.restingError = r.error === null ? null : this.#scrub(r.error);
    this.#run.openOrders = r.resting;
    return r;
  }

  async #cancel(o: Order): Promise<void> {
    await this.#ex.cancel(o);
    this.#emit({ type: "order_cancelled", ts: this.#clock.now(), order: o });
  }

  async #onError(ts: number, e: unknown): Promise<void> {
    const max = this.#config.risk.max_consecutive_errors;
    const message = this.#scrub(messageOf(e));
    const { breaker, tripped } = tickFailed(this.#run.breaker, message, max, e instanceof KeyRefused);
    this.#run.breaker = breaker;
    this.#emit({ type: "error", ts, message, consecutive: breaker.failures });
    if (tripped) {
      this.#emit({ type: "error_breaker", ts, state: "tripped", consecutive: breaker.failures, reason: message });
      if (!this.#run.paused) {
        await this.#pause("error_breaker", `${breaker.failures} failed ticks in a row; last: ${message}`);
        return;
      }
    }
    // the venue may be the thing that is failing: try anyway, and again next tick
    if (this.#run.paused || isOpen(breaker, max) || this.#config.risk.pull_quotes_on_error) {
      const why = this.#run.paused ? this.#pausedWhy() : `a tick failed, quotes pulled: ${message}`;
      await this.#standAside(this.#run.paused ? this.#pausedState : "standing_aside", why);
    }
  }
}
