/**
 * Candles held as columns: one Float64Array per field instead of an object per minute. A month is 43,200 candles;
 * as objects that is six boxed numbers each for the collector to walk, as columns 2 MB of flat memory that the parser
 * writes, the binary cache stores as it is (venues/candle-cache.ts) and the replay reads by index. A Candle object is
 * made only where one is handed on (the closed candles a tick gives the indicators).
 */
import type { Candle } from "./types.ts";

export const CANDLE_FIELDS = ["ts", "open", "high", "low", "close", "volume"] as const;

export class CandleColumns {
  constructor(
    readonly length: number,
    readonly ts: Float64Array,
    readonly open: Float64Array,
    readonly high: Float64Array,
    readonly low: Float64Array,
    readonly close: Float64Array,
    readonly volume: Float64Array,
  ) {}

  /** Room for `capacity` candles, to be filled by a writer (the parser) and then cut to length with `take`. */
  static empty(capacity: number): CandleColumns {
    const a = () => new Float64Array(capacity);
    return new CandleColumns(0, a(), a(), a(), a(), a(), a());
  }

  static of(candles: readonly Candle[]): CandleColumns {
    const c = CandleColumns.empty(candles.length);
    for (let i = 0; i < candles.length; i++) c.set(i, candles[i]);
    return c.take(candles.length);
  }

  /** The six columns laid end to end in one buffer of 6 × n doubles (the cache's body). */
  static fromBlock(block: Float64Array, n: number): CandleColumns {
    const col = (k: number) => block.subarray(k * n, (k + 1) * n);
    return new CandleColumns(n, col(0), col(1), col(2), col(3), col(4), col(5));
  }

  /** The first `n` rows (views, no copy). */
  take(n: number): CandleColumns {
    const v = (a: Float64Array) => a.subarray(0, n);
    return new CandleColumns(n, v(this.ts), v(this.open), v(this.high), v(this.low), v(this.close), v(this.volume));
  }

  set(i: number, c: Candle): void {
    this.ts[i] = c.ts, this.open[i] = c.open, this.high[i] = c.high;
    this.low[i] = c.low, this.close[i] = c.close, this.volume[i] = c.volume;
  }

  /** Candle i as an object (a fresh one: the caller may keep it). */
  at(i: number): Candle {
    return {
      ts: this.ts[i],
      open: this.open[i],
      high: this.high[i],
      low: this.low[i],
      close: this.close[i],
      volume: this.volume[i],
    };
  }

  /** Candles from..to (exclusive) as objects. */
  candles(from = 0, to = this.length): Candle[] {
    const out: Candle[] = new Array(Math.max(0, to - from));
    for (let i = from; i < to; i++) out[i - from] = this.at(i);
    return out;
  }
}
