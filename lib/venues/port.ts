/**
 * The exchange port: everything the engine needs from a venue. Paper, backtest and live adapters
 * implement it; the engine never knows which one it is talking to.
 */
import type { Candle } from "../core/indicators.ts";
import type { Inventory, MarketRules, MarketSnapshot, Side } from "../core/quoting.ts";

/** An order resting (or once resting) at the venue. */
export interface Order {
  clientOrderId: string;
  venueOrderId: string;
  side: Side;
  price: number;
  amount: number;
  filled: number;
  status: "open" | "filled" | "canceled" | "rejected";
  /** placement time, ms (exchange clock) */
  ts: number;
}

/** One execution of one of our orders. */
export interface Fill {
  /** the venue's trade id: unique, used to make recording idempotent */
  tradeId: string;
  clientOrderId: string;
  side: Side;
  price: number;
  amount: number;
  /** fee in quote currency (negative for a rebate) */
  feeQuote: number;
  ts: number;
}

export interface PlaceOrder {
  clientOrderId: string;
  side: Side;
  price: number;
  amount: number;
}

/** Why the venue refused an order; the engine skips that side for this tick. */
export class OrderRejected extends Error {
  constructor(readonly reason: "post_only" | "insufficient_funds" | "invalid", message: string) {
    super(message);
    this.name = "OrderRejected";
  }
}

/**
 * The venue refuses us as a client (bad or expired API key, missing permission, IP not allowed):
 * retrying cannot help, so the engine stops quoting at once and alerts.
 */
export class VenueDenied extends Error {
  constructor(message: string) {
    super(message);
    this.name = "VenueDenied";
  }
}

export interface ExchangePort {
  /** tick size, lot size, minimum notional */
  rules(): Promise<MarketRules>;
  /** top of book now */
  snapshot(): Promise<MarketSnapshot>;
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
}
