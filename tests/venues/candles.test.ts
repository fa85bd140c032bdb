import { describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CandleSeries, DataError, parseCandleCsv } from "../../lib/venues/candles.ts";
import { loadCandleFile, ReplayFeed } from "../../lib/venues/replay-feed.ts";

describe("candle CSV", () => {
  const H = "ts,open,high,low,close,volume";
  test.each([
    [
      "missing header",
      "1,2,3,4,5,6",
      'x.csv:1: expected the header "ts,open,high,low,close,volume", got "1,2,3,4,5,6"',
    ],
    [
      "short row",
      `${H}\n0,1,1,1,1,1\n60000,1,1,1`,
      "x.csv:3: expected 6 columns (ts,open,high,low,close,volume), got 4",
    ],
    ["not a number", `${H}\n0,1,1,1,1,1\n60000,1,abc,1,1,1`, 'x.csv:3: high "abc" is not a number'],
    ["empty cell", `${H}\n0,1,1,,1,1`, 'x.csv:2: low "" is not a number'],
    ["high below close", `${H}\n0,1,1,1,2,1`, "x.csv:2: high 1 / low 1 do not contain open 1 and close 2"],
    ["negative volume", `${H}\n0,1,1,1,1,-5`, "x.csv:2: volume -5 is negative"],
    ["zero price", `${H}\n0,0,1,0,1,1`, "x.csv:2: prices must be positive"],
    [
      "out of order",
      `${H}\n120000,1,1,1,1,1\n60000,1,1,1,1,1`,
      "x.csv:3: ts 60000 is not after the previous row (120000)",
    ],
    ["not a minute", `${H}\n1500,1,1,1,1,1`, "x.csv:2: ts 1500 is not a whole minute in ms since epoch"],
    ["no rows", `${H}\n`, "x.csv: no candles"],
  ])("%s", (_name: string, text: string, message: string) => {
    expect(() => parseCandleCsv(text, "x.csv")).toThrow(new DataError(message));
  });

  test("CRLF line endings and a trailing newline are fine", () => {
    expect(parseCandleCsv(`${"ts,open,high,low,close,volume"}\r\n0,1,2,0.5,1.5,3\r\n`, "x.csv")).toEqual([
      { ts: 0, open: 1, high: 2, low: 0.5, close: 1.5, volume: 3 },
    ]);
  });

  test("a missing file is named", () => {
    expect(() => loadCandleFile("nope/missing.csv")).toThrow("nope/missing.csv: cannot read the candle file");
  });

  test("the bad line of a real file is reported by number", () => {
    const dir = mkdtempSync(join(tmpdir(), "mmbot-csv-"));
    const lines = readFileSync("data/binance_spot_ETHUSDT_1m_sample.csv", "utf8").split("\n").slice(0, 100);
    lines[57] = lines[57].replace(/,[^,]*$/, ",lots");
    const path = join(dir, "bad.csv");
    writeFileSync(path, lines.join("\n"));
    expect(() => loadCandleFile(path)).toThrow(`${path}:58: volume "lots" is not a number`);
    expect(existsSync(path)).toBe(true);
  });

  test("closed candles: only those that ended by now, newest `limit`, after `since`", () => {
    const s = new CandleSeries(parseCandleCsv(`${H}\n0,1,1,1,1,1\n60000,1,1,1,1,1\n120000,1,1,1,1,1`, "x.csv"));
    expect(s.closedBefore(119_999, null, 10).map((c) => c.ts)).toEqual([0]);
    expect(s.closedBefore(180_000, null, 2).map((c) => c.ts)).toEqual([60_000, 120_000]);
    expect(s.closedBefore(180_000, 60_000, 10).map((c) => c.ts)).toEqual([120_000]);
  });

  test("volume through a price: strictly beyond the window's part of the path, each window on its own", () => {
    // a rising candle: 100 (0 s) → 96 (20 s) → 104 (40 s) → 102 (60 s); 60 a minute, so volume = seconds through
    const s = new CandleSeries(parseCandleCsv(`${H}\n0,100,104,96,102,60\n60000,102,102,102,102,60`, "x.csv"));
    // (5 s, 15 s]: 99 → 97, so 97 and 99 are touched, not traded through
    expect(s.volumeThrough("buy", 97, 5_000, 15_000)).toBe(0);
    expect(s.volumeThrough("sell", 99, 5_000, 15_000)).toBe(0);
    expect(s.volumeThrough("buy", 97.5, 5_000, 15_000)).toBeCloseTo(2.5, 9); // below 97.5 from 12.5 s
    expect(s.throughTs).toBeCloseTo(12_500, 6);
    expect(s.volumeThrough("sell", 98.5, 5_000, 15_000)).toBeCloseTo(2.5, 9); // above 98.5 until 7.5 s
    // the next window reaches the low: the same 97 now trades through, 15 s → 20 s (96) → 22.5 s
    expect(s.volumeThrough("buy", 97, 15_000, 35_000)).toBeCloseTo(7.5, 9);
    expect(s.volumeThrough("sell", 100, 15_000, 35_000)).toBeCloseTo(5, 9); // above 100 from 30 s
    expect(s.volumeThrough("buy", 97, 5_000, 15_000)).toBe(0); // and the first window again
    // just inside the candle's extremes: traded through near the low (17.5 s → 21.25 s) and the high (38.75 s → 45 s)
    expect(s.volumeThrough("buy", 96.5, 15_000, 25_000)).toBeCloseTo(3.75, 9);
    expect(s.volumeThrough("sell", 103.5, 35_000, 45_000)).toBeCloseTo(6.25, 9);
    expect(s.volumeThrough("buy", 96, 0, 60_000)).toBe(0); // at the low, the high: touched only
    expect(s.volumeThrough("sell", 104, 0, 60_000)).toBe(0);
    // across two candles: above 101 from 32.5 s to the first one's end (27.5 s), and the whole second one at 102
    expect(s.volumeThrough("sell", 101, 30_000, 120_000)).toBeCloseTo(87.5, 9);
  });

  describe("absurd values are refused (issue 12)", () => {
    test.each([
      ["price 1e308", `${H}\n0,1,1e308,1,1,1`, "x.csv:2: high 1e308 is above the largest accepted price, 1e12"],
      [
        "open past 1e12",
        `${H}\n0,2e12,2e12,2e12,2e12,1`,
        "x.csv:2: open 2e12 is above the largest accepted price, 1e12",
      ],
      [
        "low past 1e12 on a later line",
        `${H}\n0,1,1,1,1,1\n60000,1,1,1000000000001,1,1`,
        "x.csv:3: low 1000000000001 is above the largest accepted price, 1e12",
      ],
      ["close 1e308", `${H}\n0,1,1,1,1e308,1`, "x.csv:2: close 1e308 is above the largest accepted price, 1e12"],
      ["volume past 1e18", `${H}\n0,1,1,1,1,1e19`, "x.csv:2: volume 1e19 is above the largest accepted volume, 1e18"],
      ["volume 1e308", `${H}\n0,1,1,1,1,1e308`, "x.csv:2: volume 1e308 is above the largest accepted volume, 1e18"],
      ["price overflowing to Infinity", `${H}\n0,1,1e999,1,1,1`, 'x.csv:2: high "1e999" is not a number'],
      ["Infinity", `${H}\n0,1,1,1,Infinity,1`, 'x.csv:2: close "Infinity" is not a number'],
      ["NaN volume", `${H}\n0,1,1,1,1,NaN`, 'x.csv:2: volume "NaN" is not a number'],
    ])("%s", (_name: string, text: string, message: string) => {
      expect(() => parseCandleCsv(text, "x.csv")).toThrow(new DataError(message));
    });

    test("the limits themselves are accepted", () => {
      expect(parseCandleCsv(`${H}\n0,1e12,1e12,1e12,1e12,1e18`, "x.csv")).toEqual([
        { ts: 0, open: 1e12, high: 1e12, low: 1e12, close: 1e12, volume: 1e18 },
      ]);
    });

    test("a real file with a 1e308 price is refused by file:line and column", () => {
      const dir = mkdtempSync(join(tmpdir(), "mmbot-csv-"));
      const lines = readFileSync("data/binance_spot_ETHUSDT_1m_sample.csv", "utf8").split("\n").slice(0, 100);
      const cells = lines[41].split(",");
      cells[2] = "1e308"; // high
      lines[41] = cells.join(",");
      const path = join(dir, "huge.csv");
      writeFileSync(path, lines.join("\n"));
      expect(() => loadCandleFile(path)).toThrow(
        new DataError(`${path}:42: high 1e308 is above the largest accepted price, 1e12`),
      );
    });
  });
});

describe("the warm-up on replayed candles (the replay and the backtest)", () => {
  // 5 candles from 00:00: the file ends at 00:05
  const feed = new ReplayFeed(
    Array.from({ length: 5 }, (_, i) => ({ ts: i * 60_000, open: 1, high: 1, low: 1, close: 1, volume: 1 })),
    0.01,
  );

  test("starts once the indicators have their candles: 4 of them → 00:04", () => {
    expect(feed.warmStart(4, "x.csv")).toBe(4 * 60_000);
  });

  test("5 needed of 5: the file ends as the warm-up does, nothing to trade on", () => {
    expect(() => feed.warmStart(5, "x.csv")).toThrow(DataError);
    expect(() => feed.warmStart(5, "x.csv")).toThrow("x.csv: 5 candles are not enough; the indicators alone need 5");
  });
});
