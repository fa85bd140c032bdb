/** A backtest through a constructed crash at 20×: the paper venue liquidates, the report counts it, nothing sails past. */
import { describe, expect, test } from "bun:test";
import { runBacktest } from "../../lib/lab/backtest.ts";
import type { Candle } from "../../lib/core/types.ts";
import { bar, config } from "../fixtures.ts";

const T0 = Date.UTC(2024, 0, 1);
const M = 60_000;

/** Two hours around 3000 (a 6-wide range each minute), an hour falling 0.5 % a minute (−26 %), an hour flat. */
function crashCandles(): Candle[] {
  const out: Candle[] = [];
  let t = T0;
  for (let i = 0; i < 120; i++, t += M) {
    const o = i % 2 ? 3001 : 3000, c = i % 2 ? 3000 : 3001;
    out.push(bar(t, o, 3003, 2997, c, 100));
  }
  let p = 3000;
  for (let i = 0; i < 60; i++, t += M) {
    const next = Math.round(p * 0.995 * 100) / 100;
    out.push(bar(t, p, p, next, next, 100));
    p = next;
  }
  for (let i = 0; i < 60; i++, t += M) out.push(bar(t, p, p + 1, p - 1, p, 100));
  return out;
}

const SETS = [
  "market.type=perp",
  "market.leverage=20",
  "paper.initial_base=0",
  "paper.initial_quote=500",
  "paper.funding_rate_8h=0",
  "paper.maintenance_margin_pct=0.4",
  "paper.liquidation_fee_pct=1",
  "paper.max_volume_share=1",
  "strategy.order_amount=0.5",
  "strategy.max_position_notional=20000",
  "risk.liquidation_guard_pct=0",
  "market.maker_fee_bps=0",
];

describe("backtest through a crash at 20× (DESIGN §13)", () => {
  test("the long is liquidated once, at the price its own fills imply; equity never goes below zero", async () => {
    const { summary: s, fills } = await runBacktest(config(...SETS), crashCandles());
    expect(s.liquidations).toBe(1);
    const i = fills.findIndex((f) => f.liquidation);
    expect(fills.filter((f) => f.liquidation).length).toBe(1);
    expect(i).toBeGreaterThan(0);
    // recomputed from the report's fills before it: position q and cash-style cash, then P = −cash / (q × (1 − mmr))
    let q = 0, cash = 500;
    for (const f of fills.slice(0, i)) {
      const sign = f.side === "buy" ? 1 : -1;
      q += sign * f.amount;
      cash -= sign * f.price * f.amount + f.fee_quote;
    }
    expect(q).toBeGreaterThan(0);
    const liq = -cash / (q * (1 - 0.004));
    const l = fills[i];
    expect({ side: l.side, amount: l.amount }).toEqual({ side: "sell", amount: q });
    expect(l.price).toBeCloseTo(liq, 6);
    // what was left is the maintenance margin (0.4 % of q × P); the 1 % fee is capped at it: nothing remains
    expect(l.fee_quote).toBeCloseTo(Math.min(q * liq * 0.01, cash + q * liq), 6);
    expect(s.final_equity_quote).toBeGreaterThanOrEqual(-1e-6);
    expect(s.max_drawdown_pct).toBeLessThanOrEqual(100 + 1e-9);
    expect(s.return_pct).toBeGreaterThanOrEqual(-100 - 1e-9);
  });

  test("the same crash at 1×: no liquidation, the report says 0", async () => {
    const { summary: s } = await runBacktest(config(...SETS, "market.leverage=1"), crashCandles());
    expect(s.liquidations).toBe(0);
  });
});
