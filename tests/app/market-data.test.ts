import { afterEach, describe, expect, test } from "bun:test";
import { mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FakeBinance, klineRow, PERP } from "../fakes/binance.ts";
import { config } from "../fixtures.ts";
import { marketHistory } from "../../lib/app/market-data.ts";
import { readCandleFile } from "../../lib/venues/candle-files.ts";

// backtest / optimize --symbol --from --to: the month files of data/<exchange>/<SYMBOL>/, downloaded when missing.
const SAMPLE = readCandleFile("data/binance_spot_ETHUSDT_1m_sample.csv"); // 2024-05-01 03:00 → 05-04 03:00 UTC
const T0 = SAMPLE[0].ts;

let fake: FakeBinance;
afterEach(() => fake?.stop());

describe("market history from the download folder", () => {
  test("a missing month is downloaded whole, then read offline; the range cut, the venue's gaps named", async () => {
    fake = new FakeBinance("spot").start();
    fake.history = SAMPLE.map(klineRow);
    const root = mkdtempSync(join(tmpdir(), "mmbot-data-"));
    const c = config(`market.rest_url=${fake.url}`);
    const from = T0 + 60 * 60_000, to = T0 + 2 * 1440 * 60_000;
    const first = await marketHistory(c, from, to, { offline: false, root });
    expect(first.candles).toEqual(SAMPLE.filter((x) => x.ts >= from && x.ts < to));
    expect(readdirSync(join(root, "binance", "ETH_USDT"))).toEqual(["2024-05.csv"]);
    expect(first.notes[0]).toStartWith("downloaded ETH/USDT (binance, spot): 4320 1m candles in ");
    // the month's other days are the venue's gaps (this venue has three days of May)
    expect(first.notes[1]).toStartWith(
      "the venue has no candles for 40320 minute(s): 2024-05-01 00:00:00",
    );
    const requests = fake.requests.length;
    const again = await marketHistory(c, from, to, { offline: true, root });
    expect(again.candles).toEqual(first.candles);
    expect(fake.requests.length).toBe(requests); // nothing asked of the venue
  });

  test("a perpetual's month brings its funding rates, on the 8 h grid, cut to the range", async () => {
    fake = new FakeBinance("perp").start();
    fake.history = SAMPLE.map(klineRow);
    const H8 = 8 * 3_600_000;
    // every funding time of May 2024, stamped a few ms late as Binance does
    const rates = Array.from(
      { length: 93 },
      (_, i) => ({ ts: Date.UTC(2024, 4, 1) + i * H8, rate: (i % 5 - 2) / 10_000 }),
    );
    for (const r of rates) {
      fake.fundingRates.push({
        symbol: "ETHUSDT",
        fundingTime: r.ts + 7,
        fundingRate: String(r.rate),
        markPrice: "3000",
      });
    }
    const root = mkdtempSync(join(tmpdir(), "mmbot-data-"));
    const from = T0, to = T0 + 3 * 1440 * 60_000;
    const h = await marketHistory(config(`market.rest_url=${fake.url}`, ...PERP), from, to, { offline: false, root });
    expect(readdirSync(join(root, "binanceusdm", "ETH_USDT_USDT")).sort()).toEqual([
      "2024-05.csv",
      "2024-05.funding.csv",
    ]);
    expect(h.candles.length).toBe(4320);
    expect(h.fundingRates).toEqual(rates.filter((r) => r.ts >= from && r.ts < to));
    expect(h.fundingRates!.length).toBe(9); // 2024-05-01 08:00 … 2024-05-04 00:00
  });

  test("--offline with a month missing names the file and the way to fetch it", async () => {
    const root = mkdtempSync(join(tmpdir(), "mmbot-data-"));
    await expect(marketHistory(config(), T0, T0 + 60_000, { offline: true, root })).rejects.toThrow(
      `--offline: missing ${join(root, "binance", "ETH_USDT", "2024-05.csv")}; run without --offline to download it`,
    );
  });
});
