/**
 * Candle data: the text formats (our CSV, Binance's kline dumps: `parseCandleCsv`, `parseBinanceKlines`, one hot loop
 * for both, writing columns; candle-files.ts finds the text in a file). The price path inside a candle and the lookup
 * by time live in candle-series.ts.
 */
import { readFileSync } from "node:fs";
import { type Candle, CANDLE_MS } from "../core/types.ts";
import { CandleColumns } from "../core/candle-columns.ts";
export { CandleSeries } from "./candle-series.ts";

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
  return parseCandleCsvColumns(text, source).candles();
}

/** parseCandleCsv into columns (venues/candle-columns.ts): what the replay and the cache hold. */
export function parseCandleCsvColumns(text: string, source: string): CandleColumns {
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
  return parseBinanceKlinesColumns(text, source).candles();
}

/** parseBinanceKlines into columns. */
export function parseBinanceKlinesColumns(text: string, source: string): CandleColumns {
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
function parseRows(text: string, pos: number, lineNo: number, source: string, layout: Layout): CandleColumns {
  // written straight into columns: room for a row per 30 characters (ours are ~50), grown by doubling if short
  let cols6 = CandleColumns.empty(Math.ceil((text.length - pos) / 30) + 1), n = 0;
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
    if (n === cols6.ts.length) cols6 = grown(cols6, n);
    cols6.ts[n] = ts, cols6.open[n] = open, cols6.high[n] = high;
    cols6.low[n] = low, cols6.close[n] = close, cols6.volume[n] = volume;
    n++;
  }
  if (!n) throw new DataError(`${source}: no candles`);
  return cols6.take(n);
}

/** The same rows with twice the room. */
function grown(c: CandleColumns, n: number): CandleColumns {
  const next = CandleColumns.empty(2 * n);
  for (const k of ["ts", "open", "high", "low", "close", "volume"] as const) next[k].set(c[k]);
  return next;
}
