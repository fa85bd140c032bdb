/**
 * Candles with fast lookup by time for a clock that mostly moves forward, and the price path assumed inside each
 * 1-minute candle so that 15-second ticks and the paper fill model see a definite price at every moment. Held as
 * columns (core/candle-columns.ts): every tick reads them by index, and no object a minute lives for the collector.
 *
 * Intra-minute path (documented in the README): the price moves in straight lines
 * open (0 s) → first extreme (20 s) → second extreme (40 s) → close (60 s), where the first extreme
 * is the low for a rising candle (close ≥ open) and the high for a falling one. Volume is spread
 * evenly over the minute.
 */
import { CandleColumns } from "../core/candle-columns.ts";
import { type Candle, CANDLE_MS } from "../core/types.ts";

// Path vertices of candle i, written into a reused buffer (this runs several times per tick):
// [t0, p0, t1, p1, t2, p2, t3, p3].
const PATH = new Float64Array(8);
function path(c: CandleColumns, i: number): Float64Array {
  const ts = c.ts[i], open = c.open[i], close = c.close[i], up = close >= open;
  PATH[0] = ts, PATH[1] = open;
  PATH[2] = ts + 20_000, PATH[3] = up ? c.low[i] : c.high[i];
  PATH[4] = ts + 40_000, PATH[5] = up ? c.high[i] : c.low[i];
  PATH[6] = ts + CANDLE_MS, PATH[7] = close;
  return PATH;
}

/**
 * Whether candle i's path cannot go strictly beyond `price` (a buy's: below it; a sell's: above it), read from the
 * candle's extremes without walking the path: then the candle adds nothing, exactly as the walk finds. A point of a
 * segment, p0 + (p1 − p0) × (a − t0) / (t1 − t0) in doubles, stays within a few units in the last place of [min, max]
 * of its ends when p1 − p0 is exact — it is (Sterbenz) while the candle's high is at most twice its low; a wider
 * candle (bad data) is walked — so a price beyond the extremes by REACH_MARGIN (≈ 9 units) is out of reach.
 */
function outOfReach(c: CandleColumns, i: number, side: "buy" | "sell", price: number): boolean {
  const open = c.open[i], close = c.close[i], high = c.high[i], low = c.low[i];
  const lo = Math.min(open, low, high, close), hi = Math.max(open, low, high, close);
  if (!(lo > 0 && hi <= 2 * lo)) return false;
  return side === "buy" ? price < lo * (1 - REACH_MARGIN) : price > hi * (1 + REACH_MARGIN);
}
const REACH_MARGIN = 1e-15;

export class CandleSeries {
  #cursor = 0;
  readonly columns: CandleColumns;
  constructor(candles: readonly Candle[] | CandleColumns) {
    this.columns = candles instanceof CandleColumns ? candles : CandleColumns.of(candles);
  }

  get length(): number {
    return this.columns.length;
  }
  get firstTs(): number {
    return this.columns.ts[0];
  }
  /** end of the last candle */
  get endTs(): number {
    return this.columns.ts[this.columns.length - 1] + CANDLE_MS;
  }

  /** Index of the last candle with open time ≤ t, or -1. */
  indexAt(t: number): number {
    const ts = this.columns.ts, n = this.columns.length;
    let i = this.#cursor;
    if (i >= n || ts[i] > t) {
      // jump back (rare): binary search
      let lo = 0, hi = n - 1;
      i = -1;
      while (lo <= hi) {
        const mid = (lo + hi) >> 1;
        if (ts[mid] <= t) (i = mid), (lo = mid + 1);
        else hi = mid - 1;
      }
      if (i < 0) return -1;
    }
    while (i + 1 < n && ts[i + 1] <= t) i++;
    this.#cursor = i;
    return i;
  }

  /** Price at time t and the time it is current as of (earlier than t inside a gap); null before the data. */
  priceAt(t: number): { price: number; asOf: number } | null {
    const price = this.price(t);
    return Number.isNaN(price) ? null : { price, asOf: this.asOf };
  }

  /** priceAt without an object (every tick asks): the price, NaN before the data; its time is left in `asOf`. */
  price(t: number): number {
    const i = this.indexAt(t);
    if (i < 0) return NaN;
    const c = this.columns;
    if (t >= c.ts[i] + CANDLE_MS) {
      this.asOf = c.ts[i] + CANDLE_MS;
      return c.close[i];
    }
    this.asOf = t;
    const p = path(c, i);
    for (let k = 2; k < 8; k += 2) {
      if (t <= p[k]) {
        const t0 = p[k - 2], p0 = p[k - 1], t1 = p[k], p1 = p[k + 1];
        return p0 + (p1 - p0) * (t - t0) / (t1 - t0);
      }
    }
    return c.close[i];
  }

  /** After `price`: the time the price is current as of. */
  asOf = 0;

  /** Closed candles (ended by `now`) with open time > sinceTs, at most the newest `limit`, as objects. */
  closedBefore(now: number, sinceTs: number | null, limit: number): Candle[] {
    const last = this.indexAt(now - CANDLE_MS); // the newest candle that has ended by now
    if (last < 0) return [];
    const lowest = Math.max(0, last - limit + 1), ts = this.columns.ts;
    let first = last + 1;
    // walk back from the newest: a running bot asks for the one or two candles since its last
    while (first > lowest && (sinceTs === null || ts[first - 1] > sinceTs)) first--;
    return this.columns.candles(first, last + 1);
  }

  /**
   * Volume traded strictly through `price` during (from, to]: for a buy, while the path is below
   * the price; for a sell, while above. Touching the price counts for nothing.
   */
  volumeThrough(side: "buy" | "sell", price: number, from: number, to: number): number {
    if (to <= from) return 0;
    const c = this.columns, n = c.length;
    let volume = 0, first = Infinity;
    let i = Math.max(0, this.indexAt(from));
    for (; i < n && c.ts[i] < to; i++) {
      if (outOfReach(c, i, side, price)) continue; // most orders rest away from the market: no walk
      const p = path(c, i), candleVolume = c.volume[i];
      let msThrough = 0;
      for (let k = 2; k < 8; k += 2) {
        const t0 = p[k - 2], p0 = p[k - 1], t1 = p[k], p1 = p[k + 1];
        const a = Math.max(t0, from), b = Math.min(t1, to);
        if (b <= a) continue;
        // the segment clipped to (a, b]; linear, so the time beyond the price is a fraction of it
        const pa = p0 + (p1 - p0) * (a - t0) / (t1 - t0);
        const pb = p0 + (p1 - p0) * (b - t0) / (t1 - t0);
        const da = side === "buy" ? price - pa : pa - price; // > 0 when beyond our price
        const db = side === "buy" ? price - pb : pb - price;
        if (da > 0 && db > 0) {
          msThrough += b - a;
          if (candleVolume > 0) first = Math.min(first, a);
        } else if (da > 0 || db > 0) {
          msThrough += (b - a) * Math.max(da, db) / Math.abs(da - db);
          // through from the start, or from where the line crosses the price
          if (candleVolume > 0) first = Math.min(first, da > 0 ? a : a + (b - a) * -da / (db - da));
        }
      }
      volume += candleVolume * msThrough / CANDLE_MS;
    }
    if (volume > 0) this.throughTs = first;
    return volume;
  }

  /** After a `volumeThrough` that found volume: the first moment the path went strictly through the price. */
  throughTs = 0;
}
