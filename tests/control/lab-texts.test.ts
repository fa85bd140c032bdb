import { describe, expect, test } from "bun:test";
import { backtestText, dailyText } from "../../lib/control/lab-texts.ts";
import type { BacktestSummary } from "../../lib/lab/backtest.ts";
import { BACKTEST_SUMMARY } from "../fixtures.ts";

const summary = BACKTEST_SUMMARY;
const asked = { days: 1, profile: "fixed", symbol: "ETH/USDT", where: "the replay data x.csv", ms: 1234 };

describe("/backtest's answer", () => {
  test("return against hold, the PnL split of DESIGN §14 (spread, inventory, fees, funding), fills, fees", () => {
    expect(backtestText(summary, asked)).toBe([
      "🧪 Backtest ETH/USDT · fixed · 1 day(s) of the replay data x.csv",
      "2024-05-01 03:34 → 2024-05-02 03:34 UTC",
      "Return: +0.200 % · hold: +0.500 % · vs hold: -0.300 %",
      "PnL: +12.00 USDT = spread +9.50 + inventory +3.30 − fees 0.30 + funding -0.50",
      "Fills: 10 (4 buys, 6 sells) · volume 300.50 USDT · fees 0.30 USDT",
      // fee per fill 0.3 / 300.5 × 10000 = 9.98 bps;
      // no markouts in this report, so no 5-minute sum: at the fill 9.5 / 300.5 × 10000 = 316.1 bps
      "Per fill: n/a bps by 5 min = at the fill 316.1 − markout n/a − fee 10.0 · markout 1 min n/a · quoted 3.0 bps from the mid",
      "At the inventory limit: 0.0 % of the time",
      "Max drawdown: 0.75 % · Sharpe: 1.23",
      "Computed in 1.2 s beside the running bot",
    ].join("\n"));
  });
});

describe("/backtest's answer, mirrored", () => {
  test("leads with the edge and the directional part, then the time at the inventory limit", () => {
    const text = backtestText(
      {
        ...summary,
        edge_pct: -0.25,
        directional_pct: -0.05,
        inventory_limit_time_pct: 12.34,
        markout_1m_bps: 1.25,
        markout_5m_bps: 4,
      } as BacktestSummary,
      asked,
    ).split("\n");
    expect(text[2]).toBe("Edge: -0.250 % · directional: -0.050 % (run and its mirror)");
    // 316.14 − 4 − 9.98 = 302.16 bps: the distance at placement (3.0) is not in the sum
    expect(text[6]).toBe(
      "Per fill: 302.2 bps by 5 min = at the fill 316.1 − markout 4.0 − fee 10.0 · markout 1 min 1.3 · quoted 3.0 bps from the mid",
    );
    expect(text[7]).toBe("At the inventory limit: 12.3 % of the time");
  });
});

describe("the daily report", () => {
  test("the window's figures and the totals, each on its line", () => {
    const text = dailyText({
      symbol: "ETH/USDT",
      fromTs: Date.UTC(2024, 4, 1),
      toTs: Date.UTC(2024, 4, 2),
      window: { fills: 3, buys: 2, sells: 1, volumeQuote: 90.3, feesQuote: 0.09, realizedQuote: 1.5 },
      pnl: {
        base: 0.99,
        quote: 3031.2,
        equity: 6001,
        initialEquity: 6000,
        pnl: 1,
        realized: 1.5,
        unrealized: -0.41,
        fees: 0.09,
        funding: 0,
        volumeQuote: 90.3,
        fills: 3,
        buys: 2,
        sells: 1,
        avgCost: 3000,
      },
      inventoryRatio: 0.4951,
      target: 0.5,
      maxDrawdownPct: 0.1234,
    });
    expect(text).toBe([
      "🗓 Daily report ETH/USDT · 2024-05-01 00:00 → 2024-05-02 00:00 UTC",
      "Day: realized +1.50 − fees 0.09 = +1.41 USDT",
      "Fills: 3 (2 buys, 1 sells) · volume 90.30 USDT",
      "Total PnL: +1.00 USDT = realized +1.50 + unrealized -0.41 − fees 0.09 + funding +0.00",
      "Inventory: 0.495 (target 0.5) · 0.99 ETH, 3031.20 USDT",
      "Max drawdown in the window: 0.12 %",
    ].join("\n"));
  });
});
