/** Replay feed: bundled or user-supplied 1m candles served as a top of book and candle history. */
import { readFileSync } from "node:fs";
import { CandleSeries, DataError, parseCandleCsv } from "./candles.ts";
import type { Candle, Side, TopOfBook } from "../core/types.ts";
import { floorToStep } from "../core/steps.ts";
import type { MarketFeed } from "./feed.ts";

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
export class ReplayFeed implements MarketFeed {
  readonly series: CandleSeries;
  constructor(candles: Candle[], readonly tickSize: number) {
    this.series = new CandleSeries(candles);
  }

  topOfBook(now: number): TopOfBook | null {
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

  get throughTs(): number {
    return this.series.throughTs;
  }
}
