import { afterEach, describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FakeBinance, type KlineRow, klineRow } from "../fakes/binance.ts";
import { start, stopStarted } from "../process.ts";
import { until } from "../fixtures.ts";
import { readCandleFile } from "../../lib/venues/candle-files.ts";

// `mmbot download` as a user runs it, against the fake Binance serving the bundled sample's three days
// (2024-05-01 03:00 → 2024-05-04 03:00 UTC) less minutes 100–104; the oracle is what the fake serves.
const SAMPLE = readCandleFile("data/binance_spot_ETHUSDT_1m_sample.csv");
const HISTORY: KlineRow[] = SAMPLE.filter((_, i) => i < 100 || i >= 105).map(klineRow);
const EXPECTED = `ts,open,high,low,close,volume\n${HISTORY.map((r) => r.slice(0, 6).join(",")).join("\n")}\n`;
const RANGE = ["--from", "2024-05-01T03:00", "--to", "2024-05-04T03:00"];

let fake: FakeBinance | null = null;
afterEach(async () => {
  await stopStarted();
  await fake?.stop();
  fake = null;
});

/** Deno's own notice under -P (see README, "A quiet console") is not the bot's. */
const ownLines = (text: string) => text.split("\n").filter((l) => l.trim() && !l.includes("experimental feature"));

describe("mmbot download", () => {
  test(
    "killed with SIGKILL mid-download and run again: the same file, every row the venue's, the gap named",
    async () => {
      fake = new FakeBinance("spot").start();
      fake.history = HISTORY;
      fake.klinesPageMax = 500;
      fake.holdKlinesAfter = 4; // the fifth page hangs until the first run is dead
      const dir = mkdtempSync(join(tmpdir(), "mmbot-dl-"));
      const out = join(dir, "eth.csv");
      const args = ["download", ...RANGE, "--out", out, "--set", `market.rest_url=${fake.url}`];
      const first = start(args);
      await until(() => fake!.calls("GET /api/v3/klines").length >= 5, () => `five page requests; ${first.err()}`);
      first.child.kill("SIGKILL");
      await first.exited;
      expect(existsSync(out)).toBe(false); // only a finished download becomes the file
      expect(readFileSync(`${out}.part`, "utf8").split("\n").length).toBeGreaterThan(2000);
      fake.holdKlinesAfter = null;
      fake.releaseKlines();
      const second = start(args);
      expect(await second.exited).toBe(0);
      expect(readFileSync(out, "utf8")).toBe(EXPECTED);
      expect(readdirSync(dir)).toEqual(["eth.csv"]);
      expect(ownLines(second.out())).toEqual([
        expect.stringMatching(
          new RegExp(
            `^mmbot download: ETH/USDT \\(binance, spot\\): 4315 1m candles in ${out}; 5 pages, 2000 rows kept`,
          ),
        ),
        "mmbot download: the venue has no candles for 5 minute(s): 2024-05-01 04:40:00 → 2024-05-01 04:44:00 UTC (5 min) (left missing, not filled)",
      ]);
      // the second run asked from the minute after the last row the first one kept
      const resumedAt = fake.calls("GET /api/v3/klines").slice(5)[0].params.startTime;
      expect(Number(resumedAt)).toBe(HISTORY[1999][0] + 60_000);

      // and that file backtests
      const bt = start(["backtest", "--data", out]);
      expect(await bt.exited).toBe(0);
      expect(bt.out()).toContain("1 gap(s) in the candles, 5 minute(s) missing in all");
    },
    60_000,
  );

  test("bad input: one line, exit 2, nothing written", async () => {
    fake = new FakeBinance("spot").start();
    const dir = mkdtempSync(join(tmpdir(), "mmbot-dl-"));
    const out = join(dir, "sub", "x.csv");
    const cases: [string[], string][] = [
      [
        ["--from", "2024-05-04", "--to", "2024-05-01"],
        "mmbot download: --from 2024-05-04 is not before --to 2024-05-01",
      ],
      [["--from", "2999-01-01"], "mmbot download: --from 2999-01-01: is in the future"],
      [["--from", "yesterday"], 'mmbot download: --from "yesterday": not a date'],
      [
        ["--from", "2024-05-01", "--set", "market.symbol=XYZ/USDT"],
        'mmbot download: market.symbol: "XYZ/USDT" is not listed on binance',
      ],
      [
        ["--from", "2024-05-01", "--set", "market.exchange=coincheck"],
        "mmbot download: market.exchange: coincheck has no candle history",
      ],
      [["--from", "2024-05-01", "--funding"], "mmbot download: --funding: funding rates exist for perpetuals"],
    ];
    const runs = cases.map(([extra]) =>
      start(["download", "--out", out, "--set", `market.rest_url=${fake!.url}`, ...extra])
    );
    for (const [i, run] of runs.entries()) {
      expect(await run.exited).toBe(2);
      const lines = ownLines(run.err());
      expect(lines.length).toBe(1);
      expect(lines[0]).toStartWith(cases[i][1]);
    }
    expect(existsSync(join(dir, "sub"))).toBe(false);
  }, 60_000);
});
