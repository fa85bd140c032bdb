/**
 * Paper trading on live public data: the exchange's order book, closed candles and public trades
 * (through ccxt, no API keys) served to the paper exchange. A resting paper order fills only when
 * public trades print strictly through its price after it was placed — the same rule as the replay.
 */
import type { CcxtExchange } from "./ccxt.ts";
import type { Candle, Side, TopOfBook } from "../core/types.ts";
import type { MarketFeed } from "./feed.ts";

/** Public trades older than this are forgotten (ticks are seconds apart). */
const KEEP_TRADES_MS = 15 * 60_000;

export class LiveFeed implements MarketFeed {
  #top: TopOfBook | null = null;
  readonly #candles: Candle[] = [];
  /** `ts`: the exchange's time; `seen`: ours, when it arrived (a trade is only known from then on) */
  #trades: { ts: number; seen: number; price: number; amount: number }[] = [];
  #lastTradeTs: number | null = null;
  /** trades before we started watching are not ours to fill against */
  readonly #startTs = Date.now();

  constructor(readonly venue: CcxtExchange, readonly historyCandles: number) {}

  /** Fetches what changed since the last call: the book, new closed candles, new public trades. */
  async refresh(): Promise<void> {
    this.#top = await this.venue.topOfBook();
    const last = this.#candles.at(-1)?.ts ?? null;
    const fresh = await this.venue.closedCandles(last, last === null ? this.historyCandles : 1000);
    for (const c of fresh) if (c.ts > (this.#candles.at(-1)?.ts ?? -Infinity)) this.#candles.push(c);
    if (this.#candles.length > 2000) this.#candles.splice(0, this.#candles.length - 2000);
    const trades = await this.venue.publicTrades(this.#lastTradeTs ?? this.#startTs);
    const seen = Date.now();
    for (const t of trades) this.#trades.push({ ...t, seen });
    if (trades.length) this.#lastTradeTs = trades.at(-1)!.ts;
    const horizon = seen - KEEP_TRADES_MS;
    if (this.#trades.length && this.#trades[0].seen < horizon) {
      this.#trades = this.#trades.filter((t) => t.seen >= horizon);
    }
  }

  topOfBook(_now: number): TopOfBook | null {
    return this.#top;
  }

  closedCandles(_now: number, sinceTs: number | null, limit: number): Candle[] {
    return this.#candles.filter((c) => sinceTs === null || c.ts > sinceTs).slice(-limit);
  }

  /**
   * Trades are placed in time by when we saw them, so one printed just before our last check but
   * fetched after it still counts; the exchange's own time keeps out those before our order.
   */
  volumeThrough(side: Side, price: number, from: number, to: number, placedTs: number): number {
    let v = 0, first = Infinity;
    for (const t of this.#trades) {
      if (t.seen <= from || t.seen > to || t.ts <= placedTs) continue;
      if (side === "buy" ? t.price < price : t.price > price) v += t.amount, first = Math.min(first, t.ts);
    }
    if (v > 0) this.throughTs = first; // the exchange's time of the first trade through our price
    return v;
  }

  throughTs = 0;
}
