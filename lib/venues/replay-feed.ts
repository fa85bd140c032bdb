/** Replay market: bundled or user-supplied 1m candles served as an order book and candle history. */
import { readFileSync } from "node:fs";
import { CandleSeries, DataError, parseCandleCsv } from "./candles.ts";
import type { Candle } from "../core/indicators.ts";
import { floorToStep, type MarketSnapshot, type Side } from "../core/quoting.ts";

/** Public market data the paper exchange trades against (replayed candles here; live data later). */
export interface PaperMarket {
  /** top of book at `now`; its `ts` lags `now` inside a data gap; null before any data */
  book(now: number): MarketSnapshot | null;
  closedCandles(now: number, sinceTs: number | null, limit: number): Candle[];
  /**
   * Volume traded strictly through `price` in (from, to] (our clock), by trades that happened after
   * the order was placed at `placedTs` (`from` is never earlier than that).
   */
  volumeThrough(side: Side, price: number, from: number, to: number, placedTs: number): number;
}

/** Reads a candle CSV; throws DataError with the file and line of the first problem. */
export function loadCandleFile(path: string): Candle[] {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    throw new DataError(`${path}: cannot read the candle file: ${(e as Error).message}`);
  }
  return parseCandleCsv(text, path);
}

/** A one-tick-wide book around the candle path: bid = price rounded down to the tick, ask one tick up. */
export class ReplayMarket implements PaperMarket {
  readonly series: CandleSeries;
  constructor(candles: Candle[], readonly tickSize: number) {
    this.series = new CandleSeries(candles);
  }

  book(now: number): MarketSnapshot | null {
    const p = this.series.priceAt(now);
    if (!p) return null;
    const bestBid = floorToStep(p.price, this.tickSize);
    return { ts: p.asOf, bestBid, bestAsk: floorToStep(bestBid + this.tickSize * 1.5, this.tickSize) };
  }

  closedCandles(now: number, sinceTs: number | null, limit: number): Candle[] {
    return this.series.closedBefore(now, sinceTs, limit);
  }

  volumeThrough(side: Side, price: number, from: number, to: number): number {
    return this.series.volumeThrough(side, price, from, to);
  }
}
