import { describe, expect, test } from "bun:test";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { replayData, replaySource } from "../../lib/app/sources.ts";
import { config } from "../fixtures.ts";

const MIN = 60_000, T0 = Date.UTC(2024, 4, 1);

/** A file of `n` minutes whose close is 1000 + the minute's index, so each candle says which one it is. */
function minutesFile(n: number): string {
  const rows = Array.from({ length: n }, (_, i) => `${T0 + i * MIN},${1000 + i},${1001 + i},${1000 + i},${1000 + i},1`);
  const path = join(mkdtempSync(join(tmpdir(), "mmbot-sources-")), "minutes.csv");
  writeFileSync(path, `ts,open,high,low,close,volume\n${rows.join("\n")}\n`);
  return path;
}

describe("the replay source's history (Telegram /backtest on the replayed file)", () => {
  test("the window before the clock: exactly the minutes in [from, to), in order", async () => {
    const c = config(`feed.path=${minutesFile(600)}`);
    const src = replaySource(c, replayData(c));
    const h = await src.history(T0 + 100 * MIN, T0 + 103 * MIN);
    expect(h.candles.map((k) => k.close - 1000)).toEqual([100, 101, 102]);
    expect(h.where).toContain("minutes.csv");
  });

  test("a window reaching before the file's first minute: the file's first minutes, as many as asked", async () => {
    const c = config(`feed.path=${minutesFile(600)}`);
    const h = await replaySource(c, replayData(c)).history(T0 - 2 * MIN, T0 + 2 * MIN);
    expect(h.candles.map((k) => k.close - 1000)).toEqual([0, 1, 2, 3]);
  });

  test("past the file's end: only what the file has", async () => {
    const c = config(`feed.path=${minutesFile(600)}`);
    const h = await replaySource(c, replayData(c)).history(T0 + 598 * MIN, T0 + 700 * MIN);
    expect(h.candles.map((k) => k.close - 1000)).toEqual([598, 599]);
  });
});
