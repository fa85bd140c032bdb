import { describe, expect, test } from "bun:test";
import { runBacktest } from "../../lib/lab/backtest.ts";
import { loadCandleFile } from "../../lib/venues/replay-feed.ts";
import { type FundingRate, loadFundingFile } from "../../lib/venues/funding-file.ts";
import type { Candle } from "../../lib/core/types.ts";
import { config } from "../fixtures.ts";

// the first four days of a real BTC perpetual month and its funding rates, bundled (tests/data/README.md)
const BTC_PERP = "tests/data/binance_perp_BTCUSDT_1m_20230718_4d.csv.gz";
const BTC_FUNDING = "tests/data/binance_perp_BTCUSDT_funding_20230704_20230817.csv";
const H8 = 8 * 3_600_000;

// four days of the real BTC perpetual, quoted in 120 USDT orders (Binance's BTCUSDT minimum is 100)
const SETS = [
  "market.type=perp",
  "market.symbol=BTC/USDT:USDT",
  "strategy.profile=natr_rsi",
  "strategy.order_value_quote=120",
  "market.min_notional=100",
  "market.lot_size=0.001",
  "market.maker_fee_bps=2",
  "paper.initial_base=0",
  "paper.initial_quote=5000",
];

/** DESIGN §13 recomputed from the report alone: Σ −position(at t) × open(t) × rate(t) over the funding times. */
function fundingFromReport(
  fills: { ts: number; side: string; amount: number }[],
  candles: Candle[],
  rateAt: (ts: number) => number | undefined,
  fromTs: number,
  toTs: number,
): { total: number; times: number } {
  const open = new Map(candles.map((c) => [c.ts, c.open]));
  let total = 0, times = 0;
  for (let t = Math.ceil(fromTs / H8) * H8; t <= toTs; t += H8) {
    const position = fills.filter((f) => f.ts <= t).reduce((p, f) => p + (f.side === "buy" ? f.amount : -f.amount), 0);
    const rate = rateAt(t);
    if (rate === undefined || !open.has(t)) continue;
    total += -position * open.get(t)! * rate;
    times++;
  }
  return { total, times };
}

describe("funding in the backtest (DESIGN §13)", () => {
  const candles = loadCandleFile(BTC_PERP).slice(0, 4 * 1440);

  test("--funding CSV: funding_quote is Σ −position × open × rate, and PnL = realized + unrealized − fees + funding", async () => {
    const rates: FundingRate[] = loadFundingFile(BTC_FUNDING);
    const { summary: s, fills } = await runBacktest(config(...SETS), candles, { fundingRates: rates });
    expect(s.fills).toBeGreaterThan(50);
    const byTs = new Map(rates.map((r) => [r.ts, r.rate]));
    // the first tick is the start; a funding time is booked once its candle has closed (a minute later)
    const want = fundingFromReport(
      fills,
      candles,
      (t) => byTs.get(t),
      Date.parse(s.start) + 1,
      Date.parse(s.end) - 120_000,
    );
    expect(want.times).toBe(12); // from 07-18 11:44 (after the warm-up) to 07-22 11:12: 16:00 on the 18th … 08:00 on the 22nd
    expect(Math.abs(want.total)).toBeGreaterThan(0.001); // the position was not flat at every funding time
    expect(s.funding_quote).toBeCloseTo(want.total, 9);
    expect(s.pnl_quote).toBeCloseTo(s.realized_pnl_quote + s.unrealized_pnl_quote - s.fees_quote + s.funding_quote, 6);
  });

  test("without a file, paper.funding_rate_8h is the rate at every funding time", async () => {
    const { summary: s, fills } = await runBacktest(config(...SETS, "paper.funding_rate_8h=0.0003"), candles);
    const want = fundingFromReport(fills, candles, () => 0.0003, Date.parse(s.start) + 1, Date.parse(s.end) - 120_000);
    expect(s.funding_quote).toBeCloseTo(want.total, 9);
    const none = await runBacktest(config(...SETS, "paper.funding_rate_8h=0"), candles);
    expect(none.summary.funding_quote).toBe(0);
  });
});
