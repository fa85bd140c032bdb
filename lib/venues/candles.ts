/**
 * Candle data: the text formats (our CSV, Binance's kline dumps: `parseCandleCsv`, `parseBinanceKlines`, one hot loop
 * for both; candle-files.ts finds the text in a file), and the price path assumed inside each 1-minute candle so that
 * 15-second ticks and the paper fill model see a definite price at every moment.
 *
 * Intra-minute path (documented in the README): the price moves in straight lines
 * open (0 s) → first extreme (20 s) → second extreme (40 s) → close (60 s), where the first extreme
 * is the low for a rising candle (close ≥ open) and the high for a falling one. Volume is spread
 * evenly over the minute.
 */
import { readFileSync } from "node:fs";
import { type Candle, CANDLE_MS } from "../core/types.ts";

export const CSV_HEADER = "ts,open,high,low,close,volume";

/** A malformed data file; the message names the file, line and problem. */
export class DataError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "DataError";
  }
}

/** A data file's text; a file that cannot be read is a DataError naming it and what it was for. */
export function readDataFile(path: string, what: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (e) {
    throw new DataError(`${path}: cannot read the ${what}: ${(e as Error).message}`);
  }
}

/**
 * Largest believable price and volume. Beyond them the arithmetic downstream (mid × amount, sums of
 * fills, equity) overflows to Infinity and the ledger fills with NaN; no real market comes close
 * (a price of 1e12 quote per base, a minute's volume of 1e18 base).
 */
export const MAX_PRICE = 1e12;
export const MAX_VOLUME = 1e18;

/** Parses `ts,open,high,low,close,volume` rows; throws DataError naming the first bad line. */
export function parseCandleCsv(text: string, source: string): Candle[] {
  const firstEnd = text.indexOf("\n") < 0 ? text.length : text.indexOf("\n");
  const header = text.slice(0, firstEnd).trim().replace(/^\uFEFF/, "");
  if (header !== CSV_HEADER) {
    throw new DataError(`${source}:1: expected the header "${CSV_HEADER}", got ${JSON.stringify(header)}`);
  }
  return parseRows(text, firstEnd + 1, 1, source, OURS);
}

/**
 * Binance's public kline dumps (data.binance.vision) as published: 12 columns
 * `open_time,open,high,low,close,volume,close_time,quote_volume,count,taker_buy_base,taker_buy_quote,ignore`, no
 * header (the futures dumps' later files carry one: it is skipped), times in ms or — spot since 2025 — µs. Only 1m
 * klines are accepted: a row's close time must be its open time + 59.999 s.
 */
export function parseBinanceKlines(text: string, source: string): Candle[] {
  let pos = 0, lineNo = 0;
  if (/^\uFEFF?open_time/.test(text)) {
    pos = text.indexOf("\n") < 0 ? text.length : text.indexOf("\n") + 1;
    lineNo = 1;
  }
  return parseRows(text, pos, lineNo, source, BINANCE);
}

/** How the rows of one format are laid out. */
interface Layout {
  /** columns in a row */
  columns: number;
  /** what a wrong count of columns is told */
  described: string;
  /** Binance: open times may be µs; the close time (column 7) is checked to be open + 1 minute − 1 ms */
  binance: boolean;
}
const OURS: Layout = { columns: 6, described: CSV_HEADER, binance: false };
const BINANCE: Layout = { columns: 12, described: "Binance's 1m kline dump", binance: true };
/** An open time past this is in µs (ms since epoch pass it in the year 5138; µs passed it in 1973). */
const MICROSECONDS_FROM = 1e14;
const NAMES = ["ts", "open", "high", "low", "close", "volume", "close_time"];

/** The rows from `pos` on (line `lineNo` was the one before); the one hot loop every candle file goes through. */
function parseRows(text: string, pos: number, lineNo: number, source: string, layout: Layout): Candle[] {
  const candles: Candle[] = [];
  const cols = layout.columns;
  // the cells read: ours all six, Binance's the first seven (the close time checks the interval)
  const read = layout.binance ? 7 : 6;
  const v = [0, 0, 0, 0, 0, 0, 0];
  let prevTs = -Infinity;
  // A month is 43 200 rows and the backtest command parses it cold: cells are found with indexOf and read with
  // Number() on a slice (no array per line or per cell: 4× faster than split()).
  for (; pos < text.length;) {
    let end = text.indexOf("\n", pos);
    if (end < 0) end = text.length;
    lineNo++;
    const start = pos;
    pos = end + 1;
    const comma = text.indexOf(",", start);
    if ((comma < 0 || comma > end) && text.slice(start, end).trim() === "") continue; // a blank line
    let from = start;
    for (let k = 0; k < cols; k++) {
      const next = text.indexOf(",", from);
      const to = k < cols - 1 ? next : end;
      if (to < 0 || to > end || (k === cols - 1 && next >= 0 && next < end)) {
        const cells = text.slice(start, end).split(",").length;
        throw new DataError(`${source}:${lineNo}: expected ${cols} columns (${layout.described}), got ${cells}`);
      }
      if (k >= read) {
        from = to + 1;
        continue;
      }
      const cell = text.slice(from, to);
      from = to + 1;
      // Number("") and Number(" ") are 0: an empty cell is not a number
      const n = Number(cell);
      if (!Number.isFinite(n) || (n === 0 && cell.trim() === "")) {
        throw new DataError(`${source}:${lineNo}: ${NAMES[k]} ${JSON.stringify(cell)} is not a number`);
      }
      if (k >= 1 && k <= 4 && n > MAX_PRICE) {
        throw new DataError(
          `${source}:${lineNo}: ${NAMES[k]} ${cell.trim()} is above the largest accepted price, 1e12`,
        );
      }
      if (k === 5 && n > MAX_VOLUME) {
        throw new DataError(`${source}:${lineNo}: volume ${cell.trim()} is above the largest accepted volume, 1e18`);
      }
      v[k] = n;
    }
    let ts = v[0];
    const open = v[1], high = v[2], low = v[3], close = v[4], volume = v[5];
    if (layout.binance) {
      const unit = ts >= MICROSECONDS_FROM ? 1000 : 1;
      if (v[6] - ts !== CANDLE_MS * unit - 1) {
        throw new DataError(
          `${source}:${lineNo}: close_time ${v[6]} is not open_time ${ts} + 1 minute; only 1m klines are accepted`,
        );
      }
      ts /= unit;
    }
    if (!Number.isInteger(ts) || ts % CANDLE_MS !== 0) {
      throw new DataError(`${source}:${lineNo}: ts ${ts} is not a whole minute in ms since epoch`);
    }
    if (open <= 0 || high <= 0 || low <= 0 || close <= 0) {
      throw new DataError(`${source}:${lineNo}: prices must be positive`);
    }
    if (high < Math.max(open, close, low) || low > Math.min(open, close)) {
      throw new DataError(
        `${source}:${lineNo}: high ${high} / low ${low} do not contain open ${open} and close ${close}`,
      );
    }
    if (volume < 0) throw new DataError(`${source}:${lineNo}: volume ${volume} is negative`);
    if (ts <= prevTs) throw new DataError(`${source}:${lineNo}: ts ${ts} is not after the previous row (${prevTs})`);
    prevTs = ts;
    candles.push({ ts, open, high, low, close, volume });
  }
  if (!candles.length) throw new DataError(`${source}: no candles`);
  return candles;
}

// Path vertices of one candle, written into a reused buffer (this runs several times per tick):
// [t0, p0, t1, p1, t2, p2, t3, p3].
const PATH = new Float64Array(8);
function path(c: Candle): Float64Array {
  const up = c.close >= c.open;
  PATH[0] = c.ts, PATH[1] = c.open;
  PATH[2] = c.ts + 20_000, PATH[3] = up ? c.low : c.high;
  PATH[4] = c.ts + 40_000, PATH[5] = up ? c.high : c.low;
  PATH[6] = c.ts + CANDLE_MS, PATH[7] = c.close;
  return PATH;
}

/** Candles with fast lookup by time for a clock that mostly moves forward. */
export class CandleSeries {
  #cursor = 0;
  constructor(readonly candles: Candle[]) {}

  get firstTs(): number {
    return this.candles[0].ts;
  }
  /** end of the last candle */
  get endTs(): number {
    return this.candles[this.candles.length - 1].ts + CANDLE_MS;
  }

  /** Index of the last candle with open time ≤ t, or -1. */
  indexAt(t: number): number {
    const cs = this.candles;
    let i = this.#cursor;
    if (i >= cs.length || cs[i].ts > t) {
      // jump back (rare): binary search
      let lo = 0, hi = cs.length - 1;
      i = -1;
      while (lo <= hi) {
        const mid = (lo + hi) >> 1;
        if (cs[mid].ts <= t) (i = mid), (lo = mid + 1);
        else hi = mid - 1;
      }
      if (i < 0) return -1;
    }
    while (i + 1 < cs.length && cs[i + 1].ts <= t) i++;
    this.#cursor = i;
    return i;
  }

  /** Price at time t and the time it is current as of (earlier than t inside a gap); null before the data. */
  priceAt(t: number): { price: number; asOf: number } | null {
    const i = this.indexAt(t);
    if (i < 0) return null;
    const c = this.candles[i];
    if (t >= c.ts + CANDLE_MS) return { price: c.close, asOf: c.ts + CANDLE_MS };
    const p = path(c);
    for (let k = 2; k < 8; k += 2) {
      if (t <= p[k]) {
        const t0 = p[k - 2], p0 = p[k - 1], t1 = p[k], p1 = p[k + 1];
        return { price: p0 + (p1 - p0) * (t - t0) / (t1 - t0), asOf: t };
      }
    }
    return { price: c.close, asOf: t };
  }

  /** Closed candles (ended by `now`) with open time > sinceTs, at most the newest `limit`. */
  closedBefore(now: number, sinceTs: number | null, limit: number): Candle[] {
    const last = this.indexAt(now - CANDLE_MS); // the newest candle that has ended by now
    if (last < 0) return [];
    const lowest = Math.max(0, last - limit + 1);
    let first = last + 1;
    // walk back from the newest: a running bot asks for the one or two candles since its last
    while (first > lowest && (sinceTs === null || this.candles[first - 1].ts > sinceTs)) first--;
    return this.candles.slice(first, last + 1);
  }

  /**
   * Volume traded strictly through `price` during (from, to]: for a buy, while the path is below
   * the price; for a sell, while above. Touching the price counts for nothing.
   */
  volumeThrough(side: "buy" | "sell", price: number, from: number, to: number): number {
    if (to <= from) return 0;
    let volume = 0, first = Infinity;
    let i = Math.max(0, this.indexAt(from));
    for (; i < this.candles.length && this.candles[i].ts < to; i++) {
      const c = this.candles[i];
      const p = path(c);
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
          if (c.volume > 0) first = Math.min(first, a);
        } else if (da > 0 || db > 0) {
          msThrough += (b - a) * Math.max(da, db) / Math.abs(da - db);
          // through from the start, or from where the line crosses the price
          if (c.volume > 0) first = Math.min(first, da > 0 ? a : a + (b - a) * -da / (db - da));
        }
      }
      volume += c.volume * msThrough / CANDLE_MS;
    }
    if (volume > 0) this.throughTs = first;
    return volume;
  }

  /** After a `volumeThrough` that found volume: the first moment the path went strictly through the price. */
  throughTs = 0;
}
