/** Indicators: trading-signals ATR (and NATR from it), MACD and RSI, updated once per closed 1m candle. */
import { ATR, EMA, MACD, RSI } from "trading-signals";
import type { StrategyParams } from "./params.ts";
import type { Candle } from "./types.ts";

/** What the strategy reads; `ready` only once every indicator it uses is stable. */
export interface IndicatorSnapshot {
  ready: boolean;
  /** closed candles seen so far */
  count: number;
  /** closed candles needed before `ready` */
  required: number;
  /** open time of the last closed candle, ms; null before the first */
  lastCandleTs: number | null;
  /** NATR in percent */
  natr: number | null;
  /** ATR in quote currency */
  atr: number | null;
  macd: { macd: number; signal: number; histogram: number } | null;
  rsi: number | null;
  /** σ: standard deviation of the 1m log returns over natr_period candles, a fraction (the `as` profile) */
  sigma: number | null;
  /** close_last / close_{move_guard_min candles before} − 1, the fast-move guard's move (lib/core/move-guard.ts) */
  move: number | null;
  /** the largest ln(high / low) of the last range_guard_min closed candles, the calm filter's (core/range-guard.ts) */
  range: number | null;
}

type IndicatorParams =
  & Pick<StrategyParams, "profile" | "natr_period" | "macd_fast" | "macd_slow" | "macd_signal" | "rsi_period">
  & Partial<Pick<StrategyParams, "move_guard_natr" | "move_guard_min" | "range_guard_natr" | "range_guard_min">>;

/**
 * Candles each indicator needs before its value is stable (trading-signals' own warm-up); with the fast-move guard on,
 * also the move's move_guard_min + 1 closes, so that a backtest window and its mirror guard from their first minute;
 * with the calm filter on, its range_guard_min candles.
 */
export function requiredCandles(p: IndicatorParams): number {
  const guard = (p.move_guard_natr ?? 0) > 0 ? (p.move_guard_min ?? 1) + 1 : 0;
  const calm = (p.range_guard_natr ?? 0) > 0 ? p.range_guard_min ?? 1 : 0;
  return Math.max(guard, calm, profileCandles(p));
}

function profileCandles(p: IndicatorParams): number {
  const natr = p.natr_period; // ATR: WSMA of true range, first value after `period` candles
  if (p.profile === "natr_macd") return Math.max(natr, p.macd_slow + p.macd_signal - 1);
  if (p.profile === "natr_rsi") return Math.max(natr, p.rsi_period + 1);
  if (p.profile === "as") return natr + 1; // σ: natr_period returns need one candle more
  return natr;
}

/** Incremental indicator set; feed it closed candles in order, read `snapshot()`. */
export class Indicators {
  readonly #atr: ATR;
  readonly #macd: MACD | null;
  readonly #rsi: RSI | null;
  readonly #required: number;
  #count = 0;
  #lastTs: number | null = null;
  #lastClose = NaN;
  #snapshot: IndicatorSnapshot | null = null;
  /** the last natr_period log returns (a ring) and their running sums, for σ */
  readonly #returns: Float64Array;
  #sum = 0;
  #sumSq = 0;
  /** the last move_guard_min + 1 closes (a ring), for the move */
  readonly #closes: Float64Array;
  /** the last range_guard_min candles' ln(high / low) (a ring), for the range */
  readonly #ranges: Float64Array;

  constructor(params: IndicatorParams) {
    this.#atr = new ATR(params.natr_period);
    this.#macd = params.profile === "natr_macd"
      ? new MACD(new EMA(params.macd_fast), new EMA(params.macd_slow), new EMA(params.macd_signal))
      : null;
    this.#rsi = params.profile === "natr_rsi" ? new RSI(params.rsi_period) : null;
    this.#required = requiredCandles(params);
    this.#returns = new Float64Array(params.natr_period);
    this.#closes = new Float64Array((params.move_guard_min ?? 1) + 1);
    this.#ranges = new Float64Array(params.range_guard_min ?? 1);
  }

  /** Adds one closed candle; ignores a candle that is not newer than the last one. */
  add(candle: Candle): boolean {
    if (this.#lastTs !== null && candle.ts <= this.#lastTs) return false;
    this.#atr.add(candle);
    if (this.#count > 0) this.#addReturn(Math.log(candle.close / this.#lastClose));
    this.#lastClose = candle.close;
    this.#closes[this.#count % this.#closes.length] = candle.close;
    this.#ranges[this.#count % this.#ranges.length] = Math.log(candle.high / candle.low);
    this.#snapshot = null;
    this.#macd?.add(candle.close);
    this.#rsi?.add(candle.close);
    this.#count++;
    this.#lastTs = candle.ts;
    return true;
  }

  #addReturn(r: number): void {
    const n = this.#returns.length, i = (this.#count - 1) % n;
    if (this.#count > n) {
      const old = this.#returns[i];
      this.#sum -= old;
      this.#sumSq -= old * old;
    }
    this.#returns[i] = r;
    this.#sum += r;
    this.#sumSq += r * r;
  }

  /** σ of the last natr_period returns (population), null until there are that many */
  #sigma(): number | null {
    const n = this.#returns.length;
    if (this.#count <= n) return null;
    const mean = this.#sum / n;
    return Math.sqrt(Math.max(0, this.#sumSq / n - mean * mean));
  }

  /** the move over the last move_guard_min candles (fraction), null until there are that many after a first */
  #move(): number | null {
    const n = this.#closes.length;
    if (this.#count < n) return null;
    const last = this.#closes[(this.#count - 1) % n], first = this.#closes[this.#count % n];
    return last / first - 1;
  }

  /** the widest of the last range_guard_min candles (ln(high / low)), null until there are that many */
  #range(): number | null {
    if (this.#count < this.#ranges.length) return null;
    let widest = 0;
    for (const r of this.#ranges) if (r > widest) widest = r;
    return widest;
  }

  /** open time of the last closed candle added, ms */
  get lastCandleTs(): number | null {
    return this.#lastTs;
  }

  /** The figures after the last candle (the same object until the next candle: read it, never change it). */
  snapshot(): IndicatorSnapshot {
    return this.#snapshot ??= this.#figures();
  }

  #figures(): IndicatorSnapshot {
    const ready = this.#count >= this.#required;
    const macd = ready ? this.#macd?.getResult() ?? null : null;
    const atr = ready ? this.#atr.getResult() : null;
    return {
      ready,
      count: this.#count,
      required: this.#required,
      lastCandleTs: this.#lastTs,
      // NATR is ATR as a percent of the close (trading-signals' NATR computes exactly this, from its own ATR)
      natr: atr === null || atr === undefined ? null : 100 * atr / this.#lastClose,
      atr,
      macd: macd ? { macd: macd.macd, signal: macd.signal, histogram: macd.histogram } : null,
      rsi: ready ? this.#rsi?.getResult() ?? null : null,
      sigma: ready ? this.#sigma() : null,
      move: ready ? this.#move() : null,
      range: ready ? this.#range() : null,
    };
  }
}
