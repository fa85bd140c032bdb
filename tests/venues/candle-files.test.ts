import { describe, expect, test } from "bun:test";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DataError, parseBinanceKlines } from "../../lib/venues/candles.ts";
import { readCandleFile, readCandleFiles } from "../../lib/venues/candle-files.ts";

// Bundled worked fixtures (tests/data/formats), cut from data/binance_spot_ETHUSDT_1m_sample.csv, 2024-05-01 from
// 03:00 UTC (1714532400000): ours.csv minutes 0–9, the same gzipped, Binance's monthly dump layout in ms minutes 8–11,
// Binance's daily zip in µs (as spot publishes since 2025) minutes 13–14. Minute 12 is in none of them.
const DIR = "tests/data/formats";
const T0 = 1714532400000;
const MIN = 60_000;

describe("candle file formats", () => {
  test("our CSV and the same gzipped give the same ten candles", () => {
    const plain = readCandleFile(`${DIR}/ours.csv`);
    expect(plain.length).toBe(10);
    expect(plain[0]).toEqual({ ts: T0, open: 2987.81, high: 2987.81, low: 2985.9, close: 2986.95, volume: 95.3499 });
    expect(readCandleFile(`${DIR}/ours.csv.gz`)).toEqual(plain);
  });

  test("Binance's monthly dump (12 columns, no header, ms)", () => {
    const c = readCandleFile(`${DIR}/ETHUSDT-1m-2024-05.csv`);
    expect(c.map((x) => (x.ts - T0) / MIN)).toEqual([8, 9, 10, 11]);
    expect(c[3]).toEqual({
      ts: T0 + 11 * MIN,
      open: 2990.2,
      high: 2992.76,
      low: 2990.19,
      close: 2992.75,
      volume: 199.5767,
    });
  });

  test("Binance's daily zip with open times in µs", () => {
    expect(readCandleFile(`${DIR}/ETHUSDT-1m-2024-05-01.zip`)).toEqual([
      { ts: T0 + 13 * MIN, open: 2991, high: 2993.09, low: 2991, close: 2992.61, volume: 215.3057 },
      { ts: T0 + 14 * MIN, open: 2992.61, high: 2992.61, low: 2991.65, close: 2992, volume: 100.0015 },
    ]);
  });

  test("files in any order are joined; the overlap and the gap are named", () => {
    const { candles, notes } = readCandleFiles([
      `${DIR}/ETHUSDT-1m-2024-05-01.zip`,
      `${DIR}/ETHUSDT-1m-2024-05.csv`,
      `${DIR}/ours.csv.gz`,
    ]);
    expect(candles.map((x) => (x.ts - T0) / MIN)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 14]);
    expect(notes).toEqual([
      "ours.csv.gz and ETHUSDT-1m-2024-05.csv overlap on 2 minute(s) from 2024-05-01 03:08:00 UTC; the candles agree and are kept once",
      "1 gap(s) in the candles, 1 minute(s) missing in all: 2024-05-01 03:12:00 → 2024-05-01 03:12:00 UTC (1 min)",
    ]);
  });

  test("two files that disagree on a shared minute are refused, naming both and the minute", () => {
    const dir = mkdtempSync(join(tmpdir(), "mmbot-formats-"));
    const other = join(dir, "other.csv");
    writeFileSync(other, `ts,open,high,low,close,volume\n${T0 + 9 * MIN},1,1,1,1,1\n`);
    expect(() => readCandleFiles([`${DIR}/ours.csv`, other])).toThrow(
      `${other} and ${DIR}/ours.csv disagree on the candle of 2024-05-01 03:09:00 UTC`,
    );
  });

  test.each([
    [
      "a 5m kline",
      `${T0},1,1,1,1,1,${T0 + 5 * MIN - 1},0,0,0,0,0`,
      `x.csv:1: close_time ${T0 + 5 * MIN - 1} is not open_time ${T0} + 1 minute; only 1m klines are accepted`,
    ],
    [
      "11 columns",
      `${T0},1,1,1,1,1,${T0 + MIN - 1},0,0,0,0`,
      "x.csv:1: expected 12 columns (Binance's 1m kline dump), got 11",
    ],
    ["a bad price", `${T0},1,x,1,1,1,${T0 + MIN - 1},0,0,0,0,0`, 'x.csv:1: high "x" is not a number'],
  ])("Binance dump: %s is refused by line", (_name: string, text: string, message: string) => {
    expect(() => parseBinanceKlines(text, "x.csv")).toThrow(new DataError(message));
  });

  test("a futures dump's header line is skipped, line numbers still count it", () => {
    const header =
      "open_time,open,high,low,close,volume,close_time,quote_volume,count,taker_buy_volume,taker_buy_quote_volume,ignore";
    expect(parseBinanceKlines(`${header}\n${T0},2,3,1,2,5,${T0 + MIN - 1},0,0,0,0,0\n`, "x.csv")).toEqual([
      { ts: T0, open: 2, high: 3, low: 1, close: 2, volume: 5 },
    ]);
    expect(() => parseBinanceKlines(`${header}\n${T0},2,3,1,2`, "x.csv")).toThrow("x.csv:2: expected 12 columns");
  });

  test("a broken zip or gzip is named", () => {
    const dir = mkdtempSync(join(tmpdir(), "mmbot-formats-"));
    writeFileSync(join(dir, "a.zip"), "not a zip");
    writeFileSync(join(dir, "a.csv.gz"), "not gzip");
    expect(() => readCandleFile(join(dir, "a.zip"))).toThrow(`${join(dir, "a.zip")}: not a readable zip file`);
    expect(() => readCandleFile(join(dir, "a.csv.gz"))).toThrow(`${join(dir, "a.csv.gz")}: not a readable gzip file`);
  });
});
