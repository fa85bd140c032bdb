/**
 * The exchange port: everything the engine needs from a venue. The paper exchange and the ccxt
 * adapter implement it; the engine never knows which one it is talking to.
 */
import type { Candle, Fill, Inventory, MarketRules, Order, PlaceOrder, TopOfBook } from "../core/types.ts";

/**
 * The venue refused an order (rejected, in the venue's word); the engine skips that side for this tick.
 * An expected outcome of placing, so `place` returns it rather than throwing (no stack is captured: a
 * backtest meets tens of thousands of post-only crosses).
 */
export class OrderRejected {
  readonly name = "OrderRejected";
  constructor(readonly reason: "post_only" | "insufficient_funds" | "invalid", readonly message: string) {}
}

/**
 * A value now or later: the paper exchange answers at once (a backtest awaits nothing and runs without a
 * promise per call), a real venue answers over the network.
 */
export type Awaitable<T> = T | Promise<T>;

/**
 * The venue refuses our API key (bad or expired key, missing permission, IP not allowed):
 * retrying cannot help, so the engine stops quoting at once and alerts.
 */
export class KeyRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = "KeyRefused";
  }
}

export interface ExchangePort {
  /** tick size, lot size, minimum notional */
  rules(): Awaitable<MarketRules>;
  /** the best bid and ask now */
  topOfBook(): Awaitable<TopOfBook>;
  /** closed 1m candles with open time > `sinceTs` (all available when null), oldest first, at most `limit` newest */
  closedCandles(sinceTs: number | null, limit: number): Awaitable<Candle[]>;
  /** spot: base and quote totals; perp: quote and signed position */
  balances(): Awaitable<Inventory>;
  /** our open orders (those whose client id starts with `prefix`) */
  openOrders(prefix: string): Awaitable<Order[]>;
  /** a post-only limit order, or the venue's refusal (throws only when the venue could not be asked or answer) */
  place(order: PlaceOrder): Awaitable<Order | OrderRejected>;
  cancel(order: Order): Awaitable<void>;
  /** our fills after the one with trade id `afterTradeId` (all when null), oldest first */
  fillsSince(afterTradeId: string | null): Awaitable<Fill[]>;
  /**
   * Renew the venue-side cancel-all countdown; venues without one leave it undefined. The venue
   * cancels all our open orders on the market if `seconds` pass without another call; 0 disarms it.
   */
  armDeadMan?(seconds: number): Promise<void>;
}
