import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FakeBinance, type KlineRow, klineRow, PERP } from "../fakes/binance.ts";
import { config } from "../fixtures.ts";
import { createVenue, loadCcxt } from "../../lib/venues/ccxt-venue.ts";
import { Downloader, type DownloadRequest } from "../../lib/venues/download.ts";
import { readCandleFile } from "../../lib/venues/candle-files.ts";
import { loadFundingFile } from "../../lib/venues/funding-file.ts";

// The venue's history: the bundled sample's three days (2024-05-01 03:00 → 2024-05-04 03:00 UTC) without minutes
// 100–104, which the venue "never had". The oracle for every file written is these rows as the venue serves them.
const SAMPLE = readCandleFile("data/binance_spot_ETHUSDT_1m_sample.csv");
const T0 = SAMPLE[0].ts;
const END = T0 + 3 * 1440 * 60_000;
const HISTORY: KlineRow[] = SAMPLE.filter((_, i) => i < 100 || i >= 105).map(klineRow);
const expectedFile = (rows: KlineRow[]) =>
  `ts,open,high,low,close,volume\n${rows.map((r) => r.slice(0, 6).join(",")).join("\n")}\n`;

let fake: FakeBinance;
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "mmbot-download-"));
});
afterEach(async () => {
  await fake?.stop();
});

async function downloader(kind: "spot" | "perp", sleeps: number[] = [], onProgress?: (done: number) => void) {
  const c = config(`market.rest_url=${fake.url}`, ...(kind === "perp" ? PERP : []));
  const { venue } = await createVenue(c, { trading: false });
  const sleep = (ms: number) => (sleeps.push(ms), Promise.resolve());
  return new Downloader(venue, await loadCcxt(), c.market.symbol, { sleep, onProgress });
}

describe("download (ccxt against the fake Binance)", () => {
  test("pages until done through a 429 with Retry-After and a 503 mid-way; every row the venue's, the gap named", async () => {
    fake = new FakeBinance("spot").start();
    fake.history = HISTORY;
    fake.klinesPageMax = 500; // the venue pages at 500 whatever is asked
    fake.inject("GET /api/v3/klines", {
      status: 429,
      body: { code: -1003, msg: "Too many requests" },
      headers: { "Retry-After": "2" },
    });
    let pagesSeen = 0;
    const sleeps: number[] = [];
    const d = await downloader("spot", sleeps, () => {
      // a 503 after the third page
      if (++pagesSeen === 3) fake.inject("GET /api/v3/klines", { status: 503, body: { code: -1001, msg: "Internal" } });
    });
    const path = join(dir, "out.csv");
    const result = await d.download({ kind: "candles", fromTs: T0, toTs: END, path });
    expect(readFileSync(path, "utf8")).toBe(expectedFile(HISTORY));
    expect(result.rows).toBe(4315);
    expect(result.pages).toBe(Math.ceil(4315 / 500));
    expect(result.gaps).toEqual([{ fromTs: T0 + 100 * 60_000, minutes: 5 }]);
    // 9 pages + the 429 + the 503, each retried once: the 429 after its Retry-After, the 503 after the backoff's first step
    expect(fake.calls("GET /api/v3/klines").length).toBe(11);
    expect(sleeps).toEqual([2000, 500]);
    expect(existsSync(`${path}.part`) || existsSync(`${path}.tmp`)).toBe(false);
  });

  test("a .part left by a killed run (torn last line) is resumed after its last whole row: the same file", async () => {
    fake = new FakeBinance("spot").start();
    fake.history = HISTORY;
    const path = join(dir, "out.csv");
    const req: DownloadRequest = { kind: "candles", fromTs: T0, toTs: END, path };
    const meta = `# mmbot download ${
      JSON.stringify({ symbol: "ETH/USDT", venue: "binance", kind: "candles", fromTs: T0, path })
    }`;
    const kept = HISTORY.slice(0, 1234).map((r) => r.slice(0, 6).join(","));
    writeFileSync(`${path}.part`, `${meta}\nts,open,high,low,close,volume\n${kept.join("\n")}\n1714607`);
    const result = await (await downloader("spot")).download(req);
    expect(readFileSync(path, "utf8")).toBe(expectedFile(HISTORY));
    expect(result.resumedRows).toBe(1234);
    expect(Number(fake.calls("GET /api/v3/klines")[0].params.startTime)).toBe(HISTORY[1233][0] + 60_000);
  });

  test("a rerun whose end moved (no --to: a later now) continues the .part; an earlier end cuts it", async () => {
    fake = new FakeBinance("spot").start();
    fake.history = HISTORY;
    const path = join(dir, "out.csv");
    const meta = `# mmbot download ${
      JSON.stringify({ symbol: "ETH/USDT", venue: "binance", kind: "candles", fromTs: T0, path })
    }`;
    const kept = HISTORY.slice(0, 1234).map((r) => r.slice(0, 6).join(","));
    writeFileSync(`${path}.part`, `${meta}\nts,open,high,low,close,volume\n${kept.join("\n")}\n`);
    const to = T0 + 1000 * 60_000; // before the .part's last row
    const result = await (await downloader("spot")).download({ kind: "candles", fromTs: T0, toTs: to, path });
    expect(readFileSync(path, "utf8")).toBe(expectedFile(HISTORY.filter((r) => r[0] < to)));
    expect(result.resumedRows).toBe(995); // minutes 0–999 less the five the venue never had
    expect(fake.calls("GET /api/v3/klines").length).toBe(0);
  });

  test("a .part of another request is not continued", async () => {
    fake = new FakeBinance("spot").start();
    fake.history = HISTORY;
    const path = join(dir, "out.csv");
    writeFileSync(
      `${path}.part`,
      `# mmbot download {"symbol":"BTC/USDT"}\nts,open,high,low,close,volume\n1,1,1,1,1,1\n`,
    );
    const result = await (await downloader("spot")).download({ kind: "candles", fromTs: T0, toTs: END, path });
    expect(result.resumedRows).toBe(0);
    expect(readFileSync(path, "utf8")).toBe(expectedFile(HISTORY));
  });

  test("only the asked range is written: --to is exclusive, --from inclusive", async () => {
    fake = new FakeBinance("spot").start();
    fake.history = HISTORY;
    const path = join(dir, "out.csv");
    const from = T0 + 90 * 60_000, to = T0 + 110 * 60_000;
    const result = await (await downloader("spot")).download({ kind: "candles", fromTs: from, toTs: to, path });
    expect(readFileSync(path, "utf8")).toBe(expectedFile(HISTORY.filter((r) => r[0] >= from && r[0] < to)));
    expect(result.rows).toBe(15);
    expect(result.gaps).toEqual([{ fromTs: T0 + 100 * 60_000, minutes: 5 }]);
  });

  test("funding rates of a perpetual: each funding time once, on the 8 h grid (Binance stamps a few ms late)", async () => {
    fake = new FakeBinance("perp").start();
    const H8 = 8 * 3_600_000;
    const first = Math.ceil(T0 / H8) * H8;
    const rates = Array.from({ length: 30 }, (_, i) => ({ ts: first + i * H8, rate: (i % 7 - 3) / 100_000 }));
    for (const r of rates) {
      fake.fundingRates.push({
        symbol: "ETHUSDT",
        fundingTime: r.ts + 3,
        fundingRate: String(r.rate),
        markPrice: "3000",
      });
    }
    const path = join(dir, "funding.csv");
    const end = first + 10 * 86_400_000;
    const result = await (await downloader("perp")).download({ kind: "funding", fromTs: T0, toTs: end, path });
    expect(loadFundingFile(path)).toEqual(rates);
    expect(result.rows).toBe(30);
  });
});
