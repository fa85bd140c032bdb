/**
 * The engine: one cycle per tick — fills → snapshot → indicators → risk gate → quotes → order plan.
 * It talks to the venue only through the exchange port and reads time only from its clock, so paper,
 * backtest and live runs share this code.
 */
import { applyFill, type Book, equityOf, openBook, type PnlSummary, summarize } from "../core/accounting.ts";
import type { Clock } from "./clock.ts";
import type { Config } from "../config/config.ts";
import { type ExchangePort, type Fill, type Order, OrderRejected, VenueDenied } from "../venues/port.ts";
import { type Candle, Indicators, type IndicatorSnapshot } from "../core/indicators.ts";
import { planOrders } from "../core/orders.ts";
import {
  computeQuotes,
  type Inventory,
  type InventoryLimit,
  inventoryRatio,
  type MarketRules,
  type MarketSnapshot,
  midOf,
  type QuoteDecision,
  type Side,
} from "../core/quoting.ts";
import { drawdownPct, riskGate } from "../core/risk.ts";

export type EngineState =
  | "starting"
  | "warming_up"
  | "quoting"
  | "standing_aside"
  | "paused"
  | "killed"
  | "error_breaker"
  | "stopped";

/** Something that happened, for alerts, logs and the ledger. */
export type EngineEvent =
  | { type: "start"; ts: number; cancelledLeftovers: number }
  | { type: "stop"; ts: number; cancelled: number }
  | { type: "tick"; ts: number }
  | { type: "fill"; ts: number; fill: Fill; inventoryRatio: number; spreadCaptureBps: number | null }
  | { type: "inventory_limit"; ts: number; state: "hit" | "cleared"; limit: InventoryLimit; ratio: number }
  | { type: "error"; ts: number; message: string; consecutive: number }
  | { type: "error_breaker"; ts: number; state: "tripped" | "recovered"; consecutive: number; reason?: string }
  | { type: "kill_switch"; ts: number; drawdownPct: number; equity: number; peakEquity: number }
  | { type: "stale_data"; ts: number; state: "stale" | "fresh"; detail: string }
  | { type: "order_placed"; ts: number; order: Order }
  | { type: "order_cancelled"; ts: number; order: Order }
  | { type: "paused"; ts: number; cancelled: number }
  | { type: "resumed"; ts: number }
  | { type: "order_rejected"; ts: number; side: Side; reason: string; message: string };

export interface EngineStatus {
  mode: Config["mode"];
  symbol: string;
  marketType: Config["market"]["type"];
  profile: Config["strategy"]["profile"];
  state: EngineState;
  /** why the engine is not quoting (or which side it skips) */
  reason: string | null;
  paused: boolean;
  killSwitch: boolean;
  ts: number;
  lastTickTs: number | null;
  ticks: number;
  warmup: { count: number; required: number };
  market: MarketSnapshot | null;
  mid: number | null;
  indicators: IndicatorSnapshot;
  decision: QuoteDecision | null;
  inventory: Inventory | null;
  inventoryRatio: number | null;
  openOrders: Order[];
  pnl: (PnlSummary & { drawdownPct: number }) | null;
  consecutiveErrors: number;
  lastError: string | null;
  /** duration of the last tick's compute and venue calls, ms */
  loopMs: number | null;
}

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
  /** the books so far (rebuilt from the ledger); absent, they open from the venue's balances at start */
  book?: Book;
  /** what PnL is measured against (the account's starting equity); absent, the equity at start */
  initialEquity?: number;
}

type Listener = (e: EngineEvent) => void;

export class Engine {
  readonly #ex: ExchangePort;
  readonly #clock: Clock;
  #config: Config;
  #indicators: Indicators;
  readonly #listeners: Listener[] = [];
  readonly #placedMid = new Map<string, number>();
  /** the last closed candles, for the dashboard */
  readonly #recentCandles: Candle[] = [];
  #rules: MarketRules | null = null;
  #book: Book | null = null;
  #initialEquity = 0;
  #peakEquity = 0;
  #lastTradeId: string | null = null;
  #market: MarketSnapshot | null = null;
  #inventory: Inventory | null = null;
  #decision: QuoteDecision | null = null;
  #openOrders: Order[] = [];
  #state: EngineState = "starting";
  #reason: string | null = null;
  #paused: boolean;
  #killSwitch: boolean;
  #limit: InventoryLimit = null;
  #stale = false;
  #consecutiveErrors = 0;
  #lastError: string | null = null;
  #ticks = 0;
  #lastTickTs: number | null = null;
  #loopMs: number | null = null;
  #seq = 0;
  readonly #runId: string;
  readonly #resumeFills: boolean;
  readonly #givenBook: Book | undefined;
  readonly #givenInitialEquity: number | undefined;
  /** venue work (start, tick, pause, stop) runs one at a time, so a /pause never races a tick's orders */
  #lock: Promise<unknown> = Promise.resolve();
  #reloadCandles = false;

  constructor(opts: EngineOptions) {
    this.#ex = opts.exchange;
    this.#clock = opts.clock;
    this.#config = opts.config;
    this.#indicators = new Indicators(opts.config.strategy);
    this.#paused = opts.paused ?? false;
    this.#killSwitch = opts.killSwitch ?? false;
    this.#lastTradeId = opts.lastTradeId ?? null;
    this.#resumeFills = opts.lastTradeId !== undefined;
    this.#givenBook = opts.book;
    this.#givenInitialEquity = opts.initialEquity;
    this.#runId = Math.floor(opts.clock.now() / 1000).toString(36).slice(-6);
  }

  get paused(): boolean {
    return this.#paused;
  }

  get config(): Config {
    return this.#config;
  }

  /**
   * Swaps the parameters (Telegram /set). Indicators whose periods or profile changed restart and
   * reload their history from the venue on the next tick.
   */
  reconfigure(next: Config): void {
    const key = (c: Config) => {
      const s = c.strategy;
      return [s.profile, s.natr_period, s.macd_fast, s.macd_slow, s.macd_signal, s.rsi_period].join();
    };
    if (key(next) !== key(this.#config)) {
      this.#indicators = new Indicators(next.strategy);
      this.#recentCandles.length = 0;
      this.#reloadCandles = true;
    }
    this.#config = next;
  }

  #exclusive<T>(work: () => Promise<T>): Promise<T> {
    const run = this.#lock.then(work, work);
    this.#lock = run.catch(() => {});
    return run;
  }

  /** Subscribes to events; returns the unsubscribe function. */
  on(listener: Listener): () => void {
    this.#listeners.push(listener);
    return () => this.#listeners.splice(this.#listeners.indexOf(listener) >>> 0, 1);
  }

  #emit(e: EngineEvent): void {
    for (const l of this.#listeners) {
      try {
        l(e);
      } catch (err) {
        // a broken listener (alerts, logs) must never stop trading
        console.error(`mmbot: event listener failed on ${e.type}: ${(err as Error).message}`);
      }
    }
  }

  /**
   * Start-up and crash recovery share one path: market rules, cancel leftover orders of ours,
   * load the candles the indicators need, open the books from the venue's balances.
   */
  start(): Promise<void> {
    return this.#exclusive(() => this.#start());
  }

  async #start(): Promise<void> {
    const ex = this.#ex;
    this.#rules = await ex.rules();
    const cancelled = await this.#cancelAll();
    // enough history for the indicators, and two hours for the dashboard chart
    const warm = await ex.closedCandles(null, Math.max(this.#indicators.snapshot().required, 120));
    for (const c of warm) this.#addCandle(c);
    const market = await ex.snapshot();
    const inv = await ex.balances();
    this.#market = market;
    this.#inventory = inv;
    const mid = midOf(market);
    this.#book = this.#givenBook ?? openBook(inv.position ?? inv.base, inv.quote, mid);
    if (this.#resumeFills) await this.#collectFills();
    else this.#lastTradeId = (await ex.fillsSince(null)).at(-1)?.tradeId ?? null;
    this.#initialEquity = this.#givenInitialEquity ?? equityOf(this.#book, mid);
    this.#peakEquity = Math.max(this.#initialEquity, equityOf(this.#book, mid));
    this.#state = this.#paused ? "paused" : "warming_up";
    this.#emit({ type: "start", ts: this.#clock.now(), cancelledLeftovers: cancelled });
  }

  /** One cycle. Never throws: failures are counted, reported and may trip the error breaker. */
  tick(): Promise<void> {
    return this.#exclusive(() => this.#tick());
  }

  async #tick(): Promise<void> {
    const t0 = performance.now();
    const now = this.#clock.now();
    const cfg = this.#config;
    try {
      await this.#collectFills();
      const market = await this.#ex.snapshot();
      const candles = this.#reloadCandles
        ? await this.#ex.closedCandles(null, Math.max(this.#indicators.snapshot().required, 120))
        : await this.#ex.closedCandles(this.#indicators.lastCandleTs, 1000);
      this.#reloadCandles = false;
      for (const c of candles) this.#addCandle(c);
      const inv = await this.#ex.balances();
      this.#market = market;
      this.#inventory = inv;
      if (this.#consecutiveErrors >= cfg.risk.max_consecutive_errors) {
        this.#emit({ type: "error_breaker", ts: now, state: "recovered", consecutive: this.#consecutiveErrors });
      }
      this.#consecutiveErrors = 0;

      const ind = this.#indicators.snapshot();
      const mid = midOf(market);
      const equity = equityOf(this.#book!, mid);
      this.#peakEquity = Math.max(this.#peakEquity, equity);

      const gate = riskGate({
        paused: this.#paused,
        killSwitch: this.#killSwitch,
        nowMs: now,
        bookTs: market.ts,
        natr: ind.natr,
        equity,
        peakEquity: this.#peakEquity,
      }, cfg.risk);
      this.#noteStale(now, gate.ok ? null : gate.reason === "stale_data" ? gate.detail : null);
      if (!gate.ok) {
        if (gate.reason === "kill_switch" && !this.#killSwitch) {
          this.#killSwitch = true;
          this.#emit({
            type: "kill_switch",
            ts: now,
            drawdownPct: drawdownPct(equity, this.#peakEquity),
            equity,
            peakEquity: this.#peakEquity,
          });
        }
        this.#decision = null;
        await this.#standAside(
          gate.reason === "paused" ? "paused" : gate.reason === "kill_switch" ? "killed" : "standing_aside",
          gate.detail,
        );
        return;
      }

      const decision = computeQuotes({
        nowMs: now,
        market,
        rules: this.#rules!,
        indicators: ind,
        inventory: inv,
        marketType: cfg.market.type,
        params: cfg.strategy,
      });
      this.#decision = decision;
      if (decision.action === "stand_aside") {
        await this.#standAside(ind.ready ? "standing_aside" : "warming_up", decision.reason);
        return;
      }
      this.#noteInventoryLimit(now, decision.inventoryLimit, decision.figures.inventoryRatio);

      const open = await this.#ex.openOrders(cfg.market.client_order_prefix);
      const plan = planOrders(open, decision, cfg.strategy.refresh_tolerance_bps);
      for (const o of plan.cancel) await this.#cancel(o);
      const skipped = Object.values(decision.skipped);
      const resting = [...plan.keep];
      for (const q of plan.place) {
        if (this.#paused) break;
        const clientOrderId = `${cfg.market.client_order_prefix}${this.#runId}-${++this.#seq}`;
        try {
          const order = await this.#ex.place({ clientOrderId, side: q.side, price: q.price, amount: q.amount });
          resting.push(order);
          this.#placedMid.set(clientOrderId, mid);
          // fills of a cancelled order may still arrive next tick; keep a bounded history
          if (this.#placedMid.size > 1000) this.#placedMid.delete(this.#placedMid.keys().next().value!);
          this.#emit({ type: "order_placed", ts: now, order });
        } catch (e) {
          if (!(e instanceof OrderRejected)) throw e;
          // denied by the venue for this tick only (post-only cross, funds): skip the side
          skipped.push(`${q.side} rejected: ${e.message}`);
          this.#emit({ type: "order_rejected", ts: now, side: q.side, reason: e.reason, message: e.message });
        }
      }
      this.#openOrders = resting;
      this.#state = "quoting";
      this.#reason = skipped.length ? skipped.join("; ") : null;
    } catch (e) {
      await this.#onError(now, e);
    } finally {
      this.#ticks++;
      this.#lastTickTs = now;
      this.#loopMs = performance.now() - t0;
      this.#emit({ type: "tick", ts: now });
    }
  }

  /** Cancels our orders and stops quoting until `resume()`. Returns how many orders were cancelled. */
  pause(): Promise<number> {
    this.#paused = true; // a tick in progress stops placing; then everything resting is cancelled
    return this.#exclusive(() => this.#pause());
  }

  async #pause(): Promise<number> {
    const cancelled = await this.#cancelAll();
    this.#state = "paused";
    this.#reason = "paused by the user";
    this.#decision = null;
    this.#emit({ type: "paused", ts: this.#clock.now(), cancelled });
    return cancelled;
  }

  /** Resumes quoting; also clears a tripped kill switch, measuring drawdown afresh from here. */
  resume(): void {
    this.#paused = false;
    if (this.#killSwitch && this.#market && this.#book) {
      this.#peakEquity = equityOf(this.#book, midOf(this.#market));
    }
    this.#killSwitch = false;
    this.#emit({ type: "resumed", ts: this.#clock.now() });
  }

  /** Cancels every order of ours; the caller exits after this. */
  stop(): Promise<number> {
    return this.#exclusive(async () => {
      const cancelled = await this.#cancelAll();
      this.#state = "stopped";
      this.#emit({ type: "stop", ts: this.#clock.now(), cancelled });
      return cancelled;
    });
  }

  /** The venue's trade id of the last fill seen (the watermark for fills after a restart). */
  get lastTradeId(): string | null {
    return this.#lastTradeId;
  }

  /** The last order book seen. */
  get market(): MarketSnapshot | null {
    return this.#market;
  }

  /** The books kept from fills (balances, fees, PnL by average cost). */
  get book(): Book | null {
    return this.#book;
  }

  status(): EngineStatus {
    const cfg = this.#config;
    const ind = this.#indicators.snapshot();
    const m = this.#market;
    const mid = m ? midOf(m) : null;
    const b = this.#book;
    const equity = b && mid !== null ? equityOf(b, mid) : null;
    return {
      mode: cfg.mode,
      symbol: cfg.market.symbol,
      marketType: cfg.market.type,
      profile: cfg.strategy.profile,
      state: this.#state,
      reason: this.#reason,
      paused: this.#paused,
      killSwitch: this.#killSwitch,
      ts: this.#clock.now(),
      lastTickTs: this.#lastTickTs,
      ticks: this.#ticks,
      warmup: { count: ind.count, required: ind.required },
      market: m,
      mid,
      indicators: ind,
      decision: this.#decision,
      inventory: this.#inventory,
      inventoryRatio: this.#inventory && mid !== null
        ? inventoryRatio(this.#inventory, mid, cfg.market.type, cfg.strategy)
        : null,
      openOrders: this.#openOrders,
      pnl: b && equity !== null && mid !== null
        ? { ...summarize(b, mid, this.#initialEquity), drawdownPct: drawdownPct(equity, this.#peakEquity) }
        : null,
      consecutiveErrors: this.#consecutiveErrors,
      lastError: this.#lastError,
      loopMs: this.#loopMs,
    };
  }

  /** The last closed candles seen (up to 240), oldest first. */
  recentCandles(): readonly Candle[] {
    return this.#recentCandles;
  }

  #addCandle(c: Candle): void {
    if (!this.#indicators.add(c)) return;
    this.#recentCandles.push(c);
    if (this.#recentCandles.length > 240) this.#recentCandles.shift();
  }

  async #collectFills(): Promise<void> {
    const fills = await this.#ex.fillsSince(this.#lastTradeId);
    if (!fills.length) return;
    const cfg = this.#config;
    for (const f of fills) {
      applyFill(this.#book!, f);
      this.#lastTradeId = f.tradeId;
      const mid = this.#placedMid.get(f.clientOrderId) ?? null;
      const capture = mid === null ? null : (f.side === "buy" ? mid - f.price : f.price - mid) / mid * 10_000;
      const b = this.#book!;
      const ratio = inventoryRatio(
        cfg.market.type === "perp" ? { base: 0, quote: b.quote, position: b.base } : b,
        f.price,
        cfg.market.type,
        cfg.strategy,
      );
      this.#emit({ type: "fill", ts: f.ts, fill: f, inventoryRatio: ratio, spreadCaptureBps: capture });
    }
  }

  async #standAside(state: EngineState, reason: string): Promise<void> {
    this.#state = state;
    this.#reason = reason;
    if (this.#openOrders.length || state !== "warming_up") await this.#cancelAll();
  }

  async #cancelAll(): Promise<number> {
    const open = await this.#ex.openOrders(this.#config.market.client_order_prefix);
    for (const o of open) await this.#cancel(o);
    this.#openOrders = [];
    return open.length;
  }

  async #cancel(o: Order): Promise<void> {
    await this.#ex.cancel(o);
    this.#emit({ type: "order_cancelled", ts: this.#clock.now(), order: o });
  }

  #noteInventoryLimit(ts: number, limit: InventoryLimit, ratio: number): void {
    if (limit === this.#limit) return;
    if (limit) this.#emit({ type: "inventory_limit", ts, state: "hit", limit, ratio });
    else this.#emit({ type: "inventory_limit", ts, state: "cleared", limit: this.#limit, ratio });
    this.#limit = limit;
  }

  #noteStale(ts: number, detail: string | null): void {
    if ((detail !== null) === this.#stale) return;
    this.#stale = detail !== null;
    this.#emit({ type: "stale_data", ts, state: detail ? "stale" : "fresh", detail: detail ?? "market data is fresh" });
  }

  async #onError(ts: number, e: unknown): Promise<void> {
    const max = this.#config.risk.max_consecutive_errors;
    const wasTripped = this.#consecutiveErrors >= max;
    this.#consecutiveErrors++;
    // a refused API key will not get better by retrying: trip the breaker at once
    if (e instanceof VenueDenied) this.#consecutiveErrors = Math.max(this.#consecutiveErrors, max);
    this.#lastError = (e as Error)?.message ?? String(e);
    this.#emit({ type: "error", ts, message: this.#lastError, consecutive: this.#consecutiveErrors });
    if (!wasTripped && this.#consecutiveErrors >= max) {
      this.#emit({
        type: "error_breaker",
        ts,
        state: "tripped",
        consecutive: this.#consecutiveErrors,
        reason: this.#lastError,
      });
    }
    if (this.#consecutiveErrors >= this.#config.risk.max_consecutive_errors) {
      this.#state = "error_breaker";
      this.#reason = `${this.#consecutiveErrors} failed ticks in a row; last: ${this.#lastError}`;
      try {
        await this.#cancelAll(); // best effort: the venue may be the thing that is failing
      } catch { /* retried on the next tick */ }
    }
  }
}
