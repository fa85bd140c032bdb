/**
 * The engine's candle history: closed 1m candles fetched from the venue, fed once each and in order
 * to the indicators, and the last few hours kept for the dashboard chart. A change of indicator
 * periods or profile restarts the indicators and reloads the history on the next update.
 */
import { Indicators, type IndicatorSnapshot } from "../core/indicators.ts";
import type { StrategyParams } from "../core/params.ts";
import { type Candle, CANDLE_MS } from "../core/types.ts";
import type { ExchangePort } from "../venues/port.ts";

/** Closed candles kept for the chart; at least this many are loaded at start (two hours). */
const KEPT = 240;
const LOADED = 120;

const periodsOf = (s: StrategyParams) =>
  [
    s.profile,
    s.natr_period,
    s.macd_fast,
    s.macd_slow,
    s.macd_signal,
    s.rsi_period,
    s.move_guard_min,
    s.move_guard_natr > 0,
    s.range_guard_min,
    s.range_guard_natr > 0,
  ].join();

export class CandleHistory {
  #indicators: Indicators;
  #periods: string;
  #reload = true;
  readonly #recent: Candle[] = [];

  constructor(params: StrategyParams) {
    this.#indicators = new Indicators(params);
    this.#periods = periodsOf(params);
  }

  snapshot(): IndicatorSnapshot {
    return this.#indicators.snapshot();
  }

  /** The last closed candles (up to 240), oldest first. */
  recent(): readonly Candle[] {
    return this.#recent;
  }

  /** New parameters: indicators whose periods or profile changed start over from reloaded history. */
  reconfigure(params: StrategyParams): void {
    const periods = periodsOf(params);
    if (periods === this.#periods) return;
    this.#indicators = new Indicators(params);
    this.#periods = periods;
    this.#recent.length = 0;
    this.#reload = true;
  }

  /**
   * Fetches the closed candles since the last one (the whole history needed at first or after a change).
   * Until the next candle can have closed there is nothing new: no venue call (and nothing to await).
   */
  update(venue: ExchangePort, nowMs: number): void | Promise<void> {
    const last = this.#indicators.lastCandleTs;
    if (!this.#reload && last !== null && nowMs < last + 2 * CANDLE_MS) return;
    const candles = this.#reload
      ? venue.closedCandles(null, Math.max(this.#indicators.snapshot().required, LOADED))
      : venue.closedCandles(last, 1000);
    if (candles instanceof Promise) return candles.then((cs) => this.#add(cs));
    this.#add(candles);
  }

  /** Feeds new candles to the indicators (only now is a reload done: a failed fetch is retried whole). */
  #add(candles: readonly Candle[]): void {
    this.#reload = false;
    for (const c of candles) {
      if (!this.#indicators.add(c)) continue;
      this.#recent.push(c);
      if (this.#recent.length > KEPT) this.#recent.shift();
    }
  }
}
