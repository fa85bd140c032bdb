import { describe, expect, test } from "bun:test";
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  statSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { CandleColumns } from "../../lib/core/candle-columns.ts";
import type { Candle } from "../../lib/core/types.ts";
import { cachePathOf, readCache, stampOf, writeCache } from "../../lib/venues/candle-cache.ts";
import { readCandleColumns, readCandleData, readCandleFile, readCandleFiles } from "../../lib/venues/candle-files.ts";

const SPOT_10D = "tests/data/binance_spot_ETHUSDT_1m_20240726_10d.csv.gz";
const H = "ts,open,high,low,close,volume";

/** An independent reading of our CSV: split into lines and cells, Number() each (what the parser must agree with). */
function naive(text: string): Candle[] {
  return text.trim().split("\n").slice(1).map((line) => {
    const [ts, open, high, low, close, volume] = line.split(",").map(Number);
    return { ts, open, high, low, close, volume };
  });
}

const columnsOf = (c: CandleColumns) => [c.ts, c.open, c.high, c.low, c.close, c.volume].map((a) => [...a]);

function scratch(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), "mmbot-cache-"));
  const path = join(dir, "candles.csv");
  writeFileSync(path, text);
  return path;
}

describe("candles as columns", () => {
  test("the column parser gives exactly what an independent split-and-Number reading gives (10 days, 14,400 rows)", () => {
    const text = gunzipSync(readFileSync(SPOT_10D)).toString("utf8");
    const want = naive(text);
    expect(want.length).toBe(14_400);
    const got = readCandleColumns(SPOT_10D);
    expect(got.length).toBe(want.length);
    expect(got.candles()).toEqual(want);
    expect(readCandleFile(SPOT_10D)).toEqual(want);
  });

  test("a file that needs more room than the first guess (short rows) is read whole", () => {
    const rows = Array.from({ length: 500 }, (_, i) => `${i * 60_000},1,1,1,1,0`);
    const c = readCandleColumns(scratch(`${H}\n${rows.join("\n")}\n`));
    expect(c.length).toBe(500);
    expect(c.ts[499]).toBe(499 * 60_000);
    expect(c.at(499)).toEqual({ ts: 499 * 60_000, open: 1, high: 1, low: 1, close: 1, volume: 0 });
  });

  test("readCandleData names the same gaps as readCandleFiles", () => {
    const path = scratch(`${H}\n0,1,1,1,1,1\n60000,1,1,1,1,1\n240000,1,1,1,1,1\n`);
    const data = readCandleData([path]);
    expect(data.notes).toEqual(readCandleFiles([path]).notes);
    expect(data.notes[0]).toContain("2 minute(s) missing");
  });
});

describe("the candle cache beside a data file", () => {
  const text = `${H}\n0,10,12,9,11,5\n60000,11,13,10,12,6\n120000,12,12.5,11.5,12,7\n`;

  test("written on the first read, and the second read is served from it", () => {
    const path = scratch(text);
    const first = readCandleColumns(path, { cache: true });
    expect(existsSync(cachePathOf(path))).toBe(true);
    expect(cachePathOf(path)).toBe(join(path, "..", ".candles.csv.mmbot-cache"));
    const cached = readCache(path, stampOf(path));
    expect(cached).not.toBeNull();
    expect(columnsOf(cached!)).toEqual(columnsOf(first));
    expect(readCandleColumns(path, { cache: true }).candles()).toEqual(naive(text));
  });

  test("a current cache is what the read returns: the file is not parsed again", () => {
    const path = scratch(text);
    // other candles than the file's, written as a valid cache under the file's own stamp: a read that re-parsed the
    // file would return the file's three candles, a read served from the cache returns these two
    const other = [{ ts: 0, open: 7, high: 8, low: 6, close: 7.5, volume: 1 }, {
      ts: 60_000,
      open: 7.5,
      high: 9,
      low: 7,
      close: 8,
      volume: 2,
    }];
    expect(writeCache(path, stampOf(path), CandleColumns.of(other))).toBe(true);
    expect(readCandleColumns(path, { cache: true }).candles()).toEqual(other);
    expect(readCandleColumns(path).candles()).toEqual(naive(text)); // without `cache` the file itself
  });

  test("the stamp is in whole ms, so that Deno (whole ms) and Bun (with the fraction) share one cache", () => {
    const path = scratch(text);
    const t = 1_700_000_000.1234567; // s, with a fraction of a ms
    utimesSync(path, t, t);
    expect(stampOf(path).mtimeMs).toBe(1_700_000_000_123);
  });

  test("without `cache` nothing is written", () => {
    const path = scratch(text);
    readCandleColumns(path);
    expect(existsSync(cachePathOf(path))).toBe(false);
  });

  test("a changed file (another size) is parsed again and the cache rewritten", () => {
    const path = scratch(text);
    readCandleColumns(path, { cache: true });
    writeFileSync(path, `${text}180000,12,14,12,13,8\n`);
    const c = readCandleColumns(path, { cache: true });
    expect(c.length).toBe(4);
    expect(c.close[3]).toBe(13);
    expect(readCache(path, stampOf(path))!.length).toBe(4);
  });

  test("a file rewritten with the same size but a new mtime is parsed again", () => {
    const path = scratch(text);
    readCandleColumns(path, { cache: true });
    writeFileSync(path, text.replace("0,10,12,9,11,5", "0,10,12,9,11,7")); // same length
    const t = statSync(path).mtimeMs / 1000 + 5;
    utimesSync(path, t, t);
    expect(readCandleColumns(path, { cache: true }).volume[0]).toBe(7);
  });

  test("a damaged cache (one byte of a candle changed, or cut short) is ignored and rebuilt", () => {
    const path = scratch(text);
    readCandleColumns(path, { cache: true });
    const bytes = readFileSync(cachePathOf(path));
    const flipped = Uint8Array.from(bytes);
    flipped[flipped.length - 3] ^= 0x40; // inside the last volume
    writeFileSync(cachePathOf(path), flipped);
    expect(readCache(path, stampOf(path))).toBeNull();
    expect(readCandleColumns(path, { cache: true }).candles()).toEqual(naive(text));
    expect(readCache(path, stampOf(path))).not.toBeNull(); // rebuilt

    writeFileSync(cachePathOf(path), bytes.subarray(0, bytes.length - 8));
    expect(readCache(path, stampOf(path))).toBeNull();
    writeFileSync(cachePathOf(path), "not a cache at all");
    expect(readCache(path, stampOf(path))).toBeNull();
    expect(readCandleColumns(path, { cache: true }).candles()).toEqual(naive(text));
  });

  test("another file's cache put in its place is not taken", () => {
    const a = scratch(text), b = scratch(`${H}\n0,1,1,1,1,1\n`);
    readCandleColumns(b, { cache: true });
    copyFileSync(cachePathOf(b), cachePathOf(a));
    expect(readCache(a, stampOf(a))).toBeNull();
    expect(readCandleColumns(a, { cache: true }).length).toBe(3);
  });

  test("a cache that cannot be written (its place taken by a folder) changes nothing but the cache", () => {
    const path = scratch(text);
    mkdirSync(join(cachePathOf(path), "inside"), { recursive: true });
    expect(readCandleColumns(path, { cache: true }).candles()).toEqual(naive(text));
    expect(readCandleColumns(path, { cache: true }).length).toBe(3);
  });

  test("a bad file is still refused with its line, cache or not", () => {
    const path = scratch(`${H}\n0,1,1,1,1,1\n60000,1,1,x,1,1\n`);
    expect(() => readCandleColumns(path, { cache: true })).toThrow(`${path}:3: low "x" is not a number`);
    expect(existsSync(cachePathOf(path))).toBe(false);
  });

  test("columns of objects and back are the same candles", () => {
    const cs = naive(text);
    expect(CandleColumns.of(cs).candles()).toEqual(cs);
    expect(CandleColumns.of(cs).candles(1, 2)).toEqual([cs[1]]);
  });
});
