/**
 * The engine: one cycle per tick — fills → top of book and candles → indicators → risk gate →
 * quotes → order plan — applied through the exchange port. Time comes only from the injected clock,
 * so paper, backtest and live runs share this code. Its neighbours: events (the emitter), status
 * (the projection every screen reads), fills (watermark and spread capture), serial (one piece of
 * venue work at a time); the pure decisions live in lib/core.
 */
import { equityOf, openPortfolio, type Portfolio } from "../core/accounting.ts";
import { isOpen, tickFailed, tickSucceeded } from "../core/breaker.ts";
import type { EngineEvent } from "../core/events.ts";
import { planOrders } from "../core/orders.ts";
import { computeQuotes, inventoryRatio, type QuoteDecision } from "../core/quoting.ts";
import { drawdownPct, riskGate } from "../core/risk.ts";
import { midOf } from "../core/steps.ts";
import type { Candle, Clock, MarketRules, Order, TopOfBook } from "../core/types.ts";
import type { Config } from "../config/schema.ts";
import { type ExchangePort, KeyRefused, OrderRejected } from "../venues/port.ts";
import { CandleHistory } from "./candles.ts";
import { Edges } from "./edges.ts";
import { EventBus, type Listener } from "./events.ts";
import { FillTracker } from "./fills.ts";
import { Serial } from "./serial.ts";
import { type EngineState, type EngineStatus, initialRunState, projectStatus, type RunState } from "./status.ts";

export interface EngineOptions {
  config: Config;
  exchange: ExchangePort;
  clock: Clock;
  /** restored from the ledger; defaults: not paused, no kill switch */
  paused?: boolean;
  killSwitch?: boolean;
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

export class Engine {
  readonly #ex: ExchangePort;
  readonly #clock: Clock;
  readonly #events = new EventBus();
  readonly #serial = new Serial();
  readonly #fills: FillTracker;
  readonly #opts: EngineOptions;
  readonly #runId: string;
  #config: Config;
  readonly #candles: CandleHistory;
  #rules: MarketRules | null = null;
  readonly #edges = new Edges();
  readonly #run: RunState;
  #seq = 0;

  constructor(opts: EngineOptions) {
    this.#opts = opts;
    this.#ex = opts.exchange;
    this.#clock = opts.clock;
    this.#config = opts.config;
    this.#candles = new CandleHistory(opts.config.strategy);
    this.#run = initialRunState(opts.paused ?? false, opts.killSwitch ?? false);
    this.#fills = new FillTracker(opts.lastTradeId ?? null);
    this.#runId = Math.floor(opts.clock.now() / 1000).toString(36).slice(-6);
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

  /**
   * Swaps the parameters (Telegram /set). Indicators whose periods or profile changed restart and
   * reload their history from the venue on the next tick.
   */
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
      const cancelled = await this.#cancelAll();
      await this.#candles.update(ex);
      const top = await ex.topOfBook();
      const inv = await ex.balances();
      this.#run.topOfBook = top;
      this.#run.inventory = inv;
      const mid = midOf(top);
      this.#run.portfolio = this.#opts.portfolio ?? openPortfolio(inv.position ?? inv.base, inv.quote, mid);
      if (this.#opts.lastTradeId !== undefined) await this.#collectFills();
      else this.#fills.lastTradeId = (await ex.fillsSince(null)).at(-1)?.tradeId ?? null;
      this.#run.initialEquity = this.#opts.initialEquity ?? equityOf(this.#run.portfolio, mid);
      this.#run.peakEquity = Math.max(this.#run.initialEquity, equityOf(this.#run.portfolio, mid));
      this.#run.state = this.#run.paused ? "paused" : "warming_up";
      const ts = this.#clock.now();
      this.#emit({ type: "start", ts, cancelledLeftovers: cancelled, lastTradeId: this.lastTradeId });
    });
  }

  /** One cycle. Never throws: failures are counted, reported and may trip the error breaker. */
  tick(): Promise<void> {
    return this.#serial.run(() => this.#tick());
  }

  async #tick(): Promise<void> {
    const t0 = this.#clock.elapsedMs();
    const now = this.#clock.now();
    const cfg = this.#config;
    try {
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

      const ind = this.#candles.snapshot();
      const mid = midOf(top);
      const equity = equityOf(this.#run.portfolio!, mid);
      this.#run.peakEquity = Math.max(this.#run.peakEquity, equity);
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
      if (!gate.ok) {
        if (gate.reason === "kill_switch" && !this.#run.killSwitch) {
          this.#run.killSwitch = true;
          const dd = drawdownPct(equity, this.#run.peakEquity);
          this.#emit({ type: "kill_switch", ts: now, drawdownPct: dd, equity, peakEquity: this.#run.peakEquity });
        }
        this.#run.decision = null;
        const state = gate.reason === "paused" ? "paused" : gate.reason === "kill_switch" ? "killed" : "standing_aside";
        await this.#standAside(state, gate.detail);
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
    for (const q of plan.place) {
      if (this.#run.paused) break;
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
    this.#run.openOrders = resting;
    this.#run.state = "quoting";
    this.#run.reason = skipped.length ? skipped.join("; ") : null;
  }

  /** Cancels our orders and stops quoting until `resume()`. Returns how many orders were cancelled. */
  pause(): Promise<number> {
    this.#run.paused = true; // a tick in progress stops placing; then everything resting is cancelled
    return this.#serial.run(async () => {
      const cancelled = await this.#cancelAll();
      this.#run.state = "paused";
      this.#run.reason = "paused by the user";
      this.#run.decision = null;
      this.#emit({ type: "paused", ts: this.#clock.now(), cancelled });
      return cancelled;
    });
  }

  /** Resumes quoting; also clears a tripped kill switch, measuring drawdown afresh from here. */
  resume(): void {
    this.#run.paused = false;
    if (this.#run.killSwitch && this.#run.topOfBook && this.#run.portfolio) {
      this.#run.peakEquity = equityOf(this.#run.portfolio, midOf(this.#run.topOfBook));
    }
    this.#run.killSwitch = false;
    this.#emit({ type: "resumed", ts: this.#clock.now() });
  }

  /** Cancels every order of ours; the caller exits after this. */
  stop(): Promise<number> {
    return this.#serial.run(async () => {
      const cancelled = await this.#cancelAll();
      this.#run.state = "stopped";
      this.#emit({ type: "stop", ts: this.#clock.now(), cancelled });
      return cancelled;
    });
  }

  status(): EngineStatus {
    return projectStatus(this.#config, this.#clock.now(), this.#candles.snapshot(), this.#run);
  }

  #emit(e: EngineEvent): void {
    this.#events.emit(e);
  }

  #emitIf(e: EngineEvent | null): void {
    if (e) this.#events.emit(e);
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

  async #standAside(state: EngineState, reason: string): Promise<void> {
    this.#run.state = state;
    this.#run.reason = reason;
    if (this.#run.openOrders.length || state !== "warming_up") await this.#cancelAll();
  }

  async #cancelAll(): Promise<number> {
    const open = await this.#ex.openOrders(this.#config.market.client_order_prefix);
    for (const o of open) await this.#cancel(o);
    this.#run.openOrders = [];
    return open.length;
  }

  async #cancel(o: Order): Promise<void> {
    await this.#ex.cancel(o);
    this.#emit({ type: "order_cancelled", ts: this.#clock.now(), order: o });
  }

  async #onError(ts: number, e: unknown): Promise<void> {
    const max = this.#config.risk.max_consecutive_errors;
    const message = (e as Error)?.message ?? String(e);
    const { breaker, tripped } = tickFailed(this.#run.breaker, message, max, e instanceof KeyRefused);
    this.#run.breaker = breaker;
    this.#emit({ type: "error", ts, message, consecutive: breaker.failures });
    if (tripped) {
      this.#emit({ type: "error_breaker", ts, state: "tripped", consecutive: breaker.failures, reason: message });
    }
    if (isOpen(breaker, max)) {
      this.#run.state = "error_breaker";
      this.#run.reason = `${breaker.failures} failed ticks in a row; last: ${message}`;
      try {
        await this.#cancelAll(); // best effort: the venue may be the thing that is failing
      } catch { /* retried on the next tick */ }
    }
  }
}
