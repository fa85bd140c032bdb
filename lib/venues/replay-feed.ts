/** Replay feed: bundled or user-supplied 1m candles served as a top of book and candle history. */
import { CandleSeries, DataError } from "./candles.ts";
import { readCandleFile } from "./candle-files.ts";
import type { CandleColumns } from "../core/candle-columns.ts";
import { type Candle, CANDLE_MS, type Side, type TopOfBook } from "../core/types.ts";
import { floorToStep } from "../core/steps.ts";
import type { MarketFeed } from "./feed.ts";

/** Reads a candle file (our CSV, gzipped, or Binance's dump); throws DataError with the file and line of the first problem. */
export function loadCandleFile(path: string): Candle[] {
  return readCandleFile(path);
}

/** A one-tick-wide book around the candle path: bid = price rounded down to the tick, ask one tick up. */
export class ReplayFeed implements MarketFeed {
  readonly series: CandleSeries;
  constructor(candles: readonly Candle[] | CandleColumns, readonly tickSize: number) {
    this.series = new CandleSeries(candles);
  }

  /**
   * The first moment the indicators are warm: `warmupCandles` after the first candle (the replay and the backtest
   * start there). A DataError naming `where` when the candles end before it.
   */
  warmStart(warmupCandles: number, where: string): number {
    const start = this.series.firstTs + warmupCandles * CANDLE_MS;
    if (start >= this.series.endTs) {
      throw new DataError(
        `${where}: ${this.series.length} candles are not enough; the indicators alone need ${warmupCandles}`,
      );
    }
    return start;
  }

  topOfBook(now: number): TopOfBook | null {
    // asked several times a tick (the engine, a placement's post-only check): the same moment, the same book
    if (now === this.#lastNow) return this.#lastTop;
    const price = this.series.price(now);
    const bestBid = Number.isNaN(price) ? 0 : floorToStep(price, this.tickSize);
    const bestAsk = floorToStep(bestBid + this.tickSize * 1.5, this.tickSize);
    const top = Number.isNaN(price) ? null : { ts: this.series.asOf, bestBid, bestAsk };
    this.#lastNow = now;
    return this.#lastTop = top;
  }
  #lastNow = NaN;
  #lastTop: TopOfBook | null = null;

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
