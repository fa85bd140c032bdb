/**
 * The exchange port: everything the engine needs from a venue. The paper exchange and the ccxt
 * adapter implement it; the engine never knows which one it is talking to.
 */
import type { Candle, Fill, Inventory, MarketRules, Order, PlaceOrder, TopOfBook } from "../core/types.ts";

/** The venue refused an order (rejected, in the venue's word); the engine skips that side for this tick. */
export class OrderRejected extends Error {
  constructor(readonly reason: "post_only" | "insufficient_funds" | "invalid", message: string) {
    super(message);
    this.name = "OrderRejected";
  }
}

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
  rules(): Promise<MarketRules>;
  /** the best bid and ask now */
  topOfBook(): Promise<TopOfBook>;
  /** closed 1m candles with open time > `sinceTs` (all available when null), oldest first, at most `limit` newest */
  closedCandles(sinceTs: number | null, limit: number): Promise<Candle[]>;
  /** spot: base and quote totals; perp: quote and signed position */
  balances(): Promise<Inventory>;
  /** our open orders (those whose client id starts with `prefix`) */
  openOrders(prefix: string): Promise<Order[]>;
  /** a post-only limit order; throws OrderRejected when the venue refuses it */
  place(order: PlaceOrder): Promise<Order>;
  cancel(order: Order): Promise<void>;
  /** our fills after the one with trade id `afterTradeId` (all when null), oldest first */
  fillsSince(afterTradeId: string | null): Promise<Fill[]>;
  /**
   * Renew the venue-side cancel-all countdown; venues without one leave it undefined. The venue
   * cancels all our open orders on the market if `seconds` pass without another call; 0 disarms it.
   */
  armDeadMan?(seconds: number): Promise<void>;
}
