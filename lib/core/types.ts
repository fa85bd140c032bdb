/**
 * The domain's words, one meaning each (DESIGN §1): what the strategy wants resting is a `Quote`,
 * what rests at the venue an `Order`, an execution a `Fill`; the venue's best prices are the
 * `TopOfBook`. Every other layer speaks in these types; none of them does I/O.
 */

export type Side = "buy" | "sell";

/** spot: inventory is base vs quote; perp: inventory is the signed position */
export type MarketType = "spot" | "perp";

/** A 1-minute candle; `ts` is its open time in ms since epoch (exchange clock). */
export interface Candle {
  ts: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
}

export const CANDLE_MS = 60_000;

/** The venue's best bid and ask at a moment (`ts`: when they were current, exchange clock, ms). */
export interface TopOfBook {
  ts: number;
  bestBid: number;
  bestAsk: number;
}

/** The venue's trading rules for the symbol. */
export interface MarketRules {
  tickSize: number;
  lotSize: number;
  minNotional: number;
}

/** Spot: free base and quote. Perp: quote collateral and the signed position in base. */
export interface Inventory {
  base: number;
  quote: number;
  /** perp only: signed position size in base (long > 0) */
  position?: number;
  /** perp only: the venue's average entry price of the position */
  entryPrice?: number | null;
  /** perp only: the price at which the position is liquidated (the venue's, or computed in paper); null: none */
  liquidationPrice?: number | null;
  /** perp only, live: the venue's unrealized PnL of the position (already in `quote`, Binance's margin balance) */
  unrealizedQuote?: number;
}

/** A price and size we want resting on one side. */
export interface Quote {
  side: Side;
  price: number;
  amount: number;
  /** `strategy.levels`: which quote of its side, 0-based from the nearest (lib/core/levels.ts); absent: level 0 */
  level?: number;
}

/** An order resting (or once resting) at the venue. */
export interface Order {
  clientOrderId: string;
  venueOrderId: string;
  side: Side;
  price: number;
  amount: number;
  filled: number;
  status: "open" | "filled" | "cancelled" | "rejected";
  /** placement time, ms (exchange clock) */
  ts: number;
  /** the level of the quote it was placed for (absent: 0); the engine's, a venue's listing does not carry it */
  level?: number;
}

/** One execution of one of our orders. */
export interface Fill {
  /** the venue's trade id: unique, used to make recording idempotent */
  tradeId: string;
  clientOrderId: string;
  side: Side;
  price: number;
  amount: number;
  /** fee in quote currency (negative for a rebate); a fee paid in another asset, valued in quote when taken */
  feeQuote: number;
  /** a fee paid in an asset that is neither base nor quote (BNB on Binance): the asset and the amount paid */
  feeAsset?: string;
  feeAmount?: number;
  /** when the trade happened (a simulated fill: the first moment the market traded through the price), ms */
  ts: number;
  /** the mid at that moment, where the venue knows it (the paper exchange does) */
  mid?: number;
}

/** A command to the venue: place this post-only limit order. */
export interface PlaceOrder {
  clientOrderId: string;
  side: Side;
  price: number;
  amount: number;
}

/** Time as the engine and the paper venue see it: the wall clock live, a simulated one in backtests. */
export interface Clock {
  /** ms since epoch, on the market's time line */
  now(): number;
  /** waits `ms` of this clock's time */
  sleep(ms: number): Promise<void>;
  /** monotonic ms for measuring how long work took (a simulated clock may answer 0: its work takes no time) */
  elapsedMs(): number;
}
