/** ccxt's shapes → ours: top of book, candles, orders and fees as the exchange port speaks them. */
import type { OHLCV, Order as CcxtOrder, Trade } from "ccxt";
import type { Candle, Order, TopOfBook } from "../core/types.ts";

/** The best bid and ask of a ccxt order book, current as of `asOfMs`; throws on an unusable (empty or crossed) book. */
export function topOfBookFrom(ob: { bids: unknown[][]; asks: unknown[][] }, asOfMs: number): TopOfBook {
  const bid = Number(ob.bids[0]?.[0]), ask = Number(ob.asks[0]?.[0]);
  if (!(bid > 0) || !(ask > 0) || bid >= ask) throw new Error(`unusable order book: bid ${bid}, ask ${ask}`);
  return { ts: asOfMs, bestBid: bid, bestAsk: ask };
}

/**
 * When an order book is current as of, by the venue's own account: its timestamp when it carries one
 * (futures depth), else the first time we saw its update id (spot depth carries no time, only
 * Binance's lastUpdateId, which ccxt puts in `nonce`). A book that stops changing keeps the time of
 * its first sighting, so it ages and the risk gate's max_book_age_s sees it. One per venue.
 */
export class BookClock {
  #nonce: number | null = null;
  #firstSeenMs = 0;

  asOf(ob: { timestamp?: number | null; nonce?: number | null }, nowMs: number): number {
    if (ob.timestamp != null) return ob.timestamp;
    if (ob.nonce == null) return nowMs; // neither: the moment we received it
    if (ob.nonce !== this.#nonce) {
      this.#nonce = ob.nonce;
      this.#firstSeenMs = nowMs;
    }
    return this.#firstSeenMs;
  }
}

export const candleFrom = ([ts, open, high, low, close, volume]: OHLCV): Candle => ({
  ts: Number(ts),
  open: Number(open),
  high: Number(high),
  low: Number(low),
  close: Number(close),
  volume: Number(volume),
});

export function orderFrom(o: CcxtOrder, nowMs: number): Order {
  const status = o.status === "closed" ? "filled" : o.status === "canceled" ? "canceled" : "open";
  return {
    clientOrderId: o.clientOrderId ?? "",
    venueOrderId: String(o.id),
    side: o.side as Order["side"],
    price: Number(o.price),
    amount: Number(o.amount),
    filled: Number(o.filled ?? 0),
    status: o.status === "rejected" ? "rejected" : status,
    ts: Number(o.timestamp ?? nowMs),
  };
}

/** The fee in quote; a fee paid in base is converted at the trade price (BNB fees are left as reported). */
export function feeInQuote(t: Trade, baseCurrency: string): number {
  const fee = t.fee;
  if (!fee?.cost) return 0;
  return fee.currency === baseCurrency ? Number(fee.cost) * Number(t.price) : Number(fee.cost);
}
