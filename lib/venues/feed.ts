/** The market data a paper exchange trades against: a replay of candles, or the exchange's live public data. */
import type { Candle, Side, TopOfBook } from "../core/types.ts";

export interface MarketFeed {
  /** top of book at `now`; its `ts` lags `now` inside a data gap; null before any data */
  topOfBook(now: number): TopOfBook | null;
  closedCandles(now: number, sinceTs: number | null, limit: number): Candle[];
  /**
   * Volume traded strictly through `price` in (from, to] (our clock), by trades that happened after
   * the order was placed at `placedTs` (`from` is never earlier than that).
   */
  volumeThrough(side: Side, price: number, from: number, to: number, placedTs: number): number;
  /** after a `volumeThrough` that found volume: the first moment the market traded through the price (ms) */
  readonly throughTs: number;
}
