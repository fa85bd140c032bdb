import { describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { runBacktest, sharpe } from "../../lib/lab/backtest.ts";
import { parseCandleCsv } from "../../lib/venues/candles.ts";
import { loadCandleFile } from "../../lib/venues/replay-feed.ts";
import { config } from "../fixtures.ts";
import { PaperExchange } from "../../lib/venues/paper.ts";
import type { PlaceOrder } from "../../lib/core/types.ts";

// ten days of real 1m candles each, bundled gzipped (tests/data/README.md)
const SPOT_10D = "tests/data/binance_spot_ETHUSDT_1m_20240726_10d.csv.gz";
const PERP_10D = "tests/data/binance_perp_ETHUSDT_1m_20241219_10d.csv.gz";

describe("accounting identity on ten real days", () => {
  test.each([
    ["spot ETH/USDT, natr_macd", SPOT_10D, [] as string[]],
    ["perp ETH/USDT, natr_rsi", PERP_10D, [
      "strategy.profile=natr_rsi",
      "market.type=perp",
      "paper.initial_base=0",
      "paper.initial_quote=5000",
      "market.lot_size=0.001",
    ]],
  ])("%s: final balances = initial + fills − fees", async (_name: string, file: string, sets: string[]) => {
    const cfg = config(...sets);
    const candles = loadCandleFile(file);
    expect(candles.length).toBe(14_400); // ten days of 1m candles
    const { summary: s, fills } = await runBacktest(cfg, candles);
    expect(s.fills).toBeGreaterThan(100);
    expect(fills.length).toBe(s.fills);

    // recompute independently from the reported fills
    let base = cfg.paper.initial_base, quote = cfg.paper.initial_quote, fees = 0, volume = 0;
    for (const f of fills) {
      const sign = f.side === "buy" ? 1 : -1;
      base += sign * f.amount;
      quote -= sign * f.price * f.amount;
      quote -= f.fee_quote;
      fees += f.fee_quote;
      volume += f.price * f.amount;
      expect(f.fee_quote).toBeCloseTo(f.price * f.amount * cfg.market.maker_fee_bps / 10_000, 12);
    }
    expect(s.final_base).toBeCloseTo(base, 9);
    // perp funding moves cash too (recomputed from the fills and candles in tests/lab/funding.test.ts)
    quote += s.funding_quote;
    if (cfg.market.type === "spot") expect(s.funding_quote).toBe(0);
    expect(s.final_quote).toBeCloseTo(quote, 6);
    expect(s.fees_quote).toBeCloseTo(fees, 6);
    expect(s.volume_quote).toBeCloseTo(volume, 4);
    // equity and PnL agree with the balances at the final mid
    expect(s.final_equity_quote).toBeCloseTo(base * s.final_mid + quote, 6);
    expect(s.pnl_quote).toBeCloseTo(s.final_equity_quote - s.initial_equity_quote, 6);
    expect(s.pnl_quote).toBeCloseTo(
      s.realized_pnl_quote + s.unrealized_pnl_quote - s.fees_quote + s.funding_quote,
      6,
    );
    expect(s.hold_equity_quote).toBeCloseTo(
      cfg.paper.initial_base * s.final_mid + cfg.paper.initial_quote,
      6,
    );
    if (cfg.market.type === "spot") {
      expect(Math.min(base, quote)).toBeGreaterThanOrEqual(0); // spot balances never negative
    }
    expect(s.max_drawdown_pct).toBeGreaterThanOrEqual(0);
    expect(fills.every((f, i) => i === 0 || f.ts >= fills[i - 1].ts)).toBe(true);
  }, 60_000);
});

describe("report", () => {
  test("sharpe of hourly returns, annualised by √(24 × 365)", () => {
    // returns +1 %, −1 %, +1 %: mean 1/3 %, sample std 1.1547 % → 0.2887 × 93.59 = 27.02
    const eq = [100, 101, 99.99, 100.9899];
    const r = [0.01, -0.01, 0.01];
    const mean = (r[0] + r[1] + r[2]) / 3;
    const sd = Math.sqrt(r.reduce((a, x) => a + (x - mean) ** 2, 0) / 2);
    expect(sharpe(eq)).toBeCloseTo(mean / sd * Math.sqrt(8760), 6);
    expect(sharpe([100, 100, 100])).toBeNull();
    expect(sharpe([100])).toBeNull();
  });

  test("backtest command writes the JSON report of DESIGN §10 and a chart next to it", () => {
    const dir = mkdtempSync(join(tmpdir(), "mmbot-bt-"));
    const out = join(dir, "report.json");
    const r = spawnSync(
      "deno",
      ["run", "-P", "mod.ts", "backtest", "--data", "data/binance_spot_ETHUSDT_1m_sample.csv", "--json", out],
      { encoding: "utf8", timeout: 60_000 },
    );
    expect(r.stderr).not.toContain("error");
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("hold benchmark");
    const report = JSON.parse(readFileSync(out, "utf8"));
    for (
      const key of [
        "initial_equity_quote",
        "final_equity_quote",
        "pnl_quote",
        "return_pct",
        "hold_return_pct",
        "sharpe",
        "max_drawdown_pct",
        "fills",
        "volume_quote",
        "fees_quote",
        "final_base",
        "final_quote",
        "initial_base",
        "initial_quote",
      ]
    ) expect(report.summary, key).toHaveProperty(key);
    expect(report.fills.length).toBe(report.summary.fills);
    for (const key of ["ts", "side", "price", "amount", "fee_quote"]) expect(report.fills[0]).toHaveProperty(key);
    const svg = readFileSync(join(dir, "report.svg"), "utf8");
    expect(svg).toStartWith("<svg");
    expect(svg).toContain("equity");
  }, 60_000);

  test("a data file that is too short is refused clearly", async () => {
    const candles = parseCandleCsv("ts,open,high,low,close,volume\n0,1,1,1,1,1\n60000,1,1,1,1,1\n", "short.csv");
    await expect(runBacktest(config(), candles)).rejects.toThrow("the indicators alone need 34");
  });
});

describe("client order ids in a backtest", () => {
  test("without the run id: the prefix and a sequence, unique within the run; two runs place the same ids", async () => {
    const candles = loadCandleFile(SPOT_10D).slice(0, 2_000);
    const place = PaperExchange.prototype.place, seen: string[] = [];
    PaperExchange.prototype.place = function (this: PaperExchange, req: PlaceOrder) {
      seen.push(req.clientOrderId);
      return place.call(this, req);
    };
    try {
      await runBacktest(config(), candles);
      const first = seen.splice(0);
      await runBacktest(config(), candles);
      expect(first.length).toBeGreaterThan(100);
      expect(first.every((id, i) => id === `mmbot-${i + 1}`)).toBe(true);
      expect(seen).toEqual(first); // live ids carry a random run id (desk.test.ts); a backtest's need none
    } finally {
      PaperExchange.prototype.place = place;
    }
  });
});
