/** ccxt's shapes → ours: top of book, candles, orders and fees as the exchange port speaks them. */
import type { OHLCV, Order as CcxtOrder, Trade } from "ccxt";
import type { Candle, Order, TopOfBook } from "../core/types.ts";

/** The best bid and ask of a ccxt order book; throws on an unusable (empty or crossed) book. */
export function topOfBookFrom(
  ob: { bids: unknown[][]; asks: unknown[][]; timestamp?: number },
  nowMs: number,
): TopOfBook {
  const bid = Number(ob.bids[0]?.[0]), ask = Number(ob.asks[0]?.[0]);
  if (!(bid > 0) || !(ask > 0) || bid >= ask) throw new Error(`unusable order book: bid ${bid}, ask ${ask}`);
  // spot depth carries no time: the moment we received it
  return { ts: ob.timestamp ?? nowMs, bestBid: bid, bestAsk: ask };
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
