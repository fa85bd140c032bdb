/** The paper venue liquidates a perpetual as the venue does (DESIGN §13): a constructed crash, worked numbers. */
import { describe, expect, test } from "bun:test";
import { ManualClock } from "../../lib/engine/clock.ts";
import { isLiquidation } from "../../lib/core/margin.ts";
import { PaperExchange } from "../../lib/venues/paper.ts";
import { ReplayFeed } from "../../lib/venues/replay-feed.ts";
import type { Fill, Order } from "../../lib/core/types.ts";
import { bar, config } from "../fixtures.ts";

const T0 = Date.UTC(2024, 0, 1, 0, 0);
const M = 60_000;
// 100 for a minute; a minute down to 99 (our bid at 99.6 fills); the crash: down to 74 (through the liquidation
// price 75.08); then 70 (a bid at 72 would fill there, if it still rested)
const CRASH = [
  bar(T0, 100, 100, 100, 100, 0),
  bar(T0 + M, 100, 100, 99, 99, 600),
  bar(T0 + 2 * M, 99, 99, 74, 74, 1000),
  bar(T0 + 3 * M, 74, 74, 70, 71, 1000),
  bar(T0 + 4 * M, 71, 71, 71, 71, 0),
];
const PERP = [
  "market.type=perp",
  "paper.initial_base=0",
  "paper.initial_quote=100",
  "market.min_notional=0",
  "market.leverage=5",
  "paper.maintenance_margin_pct=0.5",
  "paper.max_volume_share=1",
];

/** A 5× long of 4 at 99.6 on 100 USDT (cash −298.7984, liquidation 298.7984 / 3.98 = 75.0749…), then the crash. */
async function crash(...sets: string[]) {
  const clock = new ManualClock(T0 + 5_000);
  const ex = new PaperExchange(new ReplayFeed(CRASH, 0.01), clock, config(...PERP, ...sets));
  await ex.place({ clientOrderId: "mmbot-long", side: "buy", price: 99.6, amount: 4 });
  clock.set(T0 + 2 * M);
  expect((await ex.balances()).position).toBe(4);
  await ex.place({ clientOrderId: "mmbot-low", side: "buy", price: 72, amount: 0.5 });
  await ex.place({ clientOrderId: "mmbot-ask", side: "sell", price: 101, amount: 1 });
  clock.set(T0 + 5 * M);
  return { ex, fills: (await ex.fillsSince(null)) as Fill[], open: (await ex.openOrders("mmbot-")) as Order[] };
}

const LIQ = 298.7984 / 3.98;

describe("paper liquidation of a perpetual", () => {
  test("the crash closes the long at its liquidation price with the fee; orders cancelled; the account goes on", async () => {
    const { ex, fills, open } = await crash("paper.liquidation_fee_pct=0.02");
    expect(fills.map((f) => [f.clientOrderId.replace(/\d+$/, "…"), f.side, f.amount])).toEqual([
      ["mmbot-long", "buy", 4],
      ["autoclose-…", "sell", 4], // never the bid at 72: the venue cancelled it with the rest
    ]);
    const liq = fills[1];
    expect(isLiquidation(liq)).toBe(true);
    expect(liq.price).toBeCloseTo(LIQ, 9); // 75.07497…
    // at the crash minute, not later (the market went through 75.07 between 99 and 74)
    expect(liq.ts).toBeGreaterThanOrEqual(T0 + 2 * M);
    expect(liq.ts).toBeLessThan(T0 + 3 * M);
    // fee 0.02 % of 4 × 75.075 = 0.060060
    expect(liq.feeQuote).toBeCloseTo(4 * LIQ * 0.0002, 9);
    expect(open).toEqual([]);
    const bal = await ex.balances();
    expect(bal.position).toBe(0);
    expect(bal.liquidationPrice).toBeNull();
    // what is left is the maintenance margin less the fee: −298.7984 + 4 × 75.0750 = 1.50150 (= 0.5 % of 300.30),
    // − 0.06006 = 1.44144
    expect(bal.quote).toBeCloseTo(-298.7984 + 4 * LIQ - 4 * LIQ * 0.0002, 9);
    expect(bal.quote).toBeCloseTo(1.44144, 4);
    // the cash reconciles from the fills alone: 100 − Σ signed notional − Σ fees
    const fromFills = 100 -
      fills.reduce((s, f) => s + (f.side === "buy" ? 1 : -1) * f.price * f.amount + f.feeQuote, 0);
    expect(bal.quote).toBeCloseTo(fromFills, 9);
    // the account goes on: a small order it can carry rests
    expect(await ex.place({ clientOrderId: "mmbot-after", side: "buy", price: 70, amount: 0.05 })).toMatchObject({
      status: "open",
    });
  });

  test("the fee never takes more than the margin left: 1 % of 300.30 is 3.00, capped at 1.5015; cash 0", async () => {
    const { ex, fills } = await crash("paper.liquidation_fee_pct=1");
    expect(fills[1].feeQuote).toBeCloseTo(-298.7984 + 4 * LIQ, 9);
    expect((await ex.balances()).quote).toBeCloseTo(0, 9);
  });

  test("isolated: only the position's margin is lost, the rest of the cash stays", async () => {
    // margin 4 × 99.6 / 5 = 79.68; liquidation (398.4 − 79.68) / 3.98 = 80.0804…; wallet 100 − 0.3984 fee = 99.6016;
    // loss at liquidation 4 × (99.6 − 80.0804) = 78.0784 = margin − maintenance (0.5 % × 4 × 80.0804 = 1.6016)
    const { ex, fills } = await crash("market.margin_mode=isolated", "paper.liquidation_fee_pct=0.02");
    const p = (398.4 - 79.68) / 3.98;
    expect(fills[1].price).toBeCloseTo(p, 9);
    expect((await ex.balances()).quote).toBeCloseTo(99.6016 - 4 * (99.6 - p) - 4 * p * 0.0002, 9);
  });

  test("a short is liquidated when the market rises through its price", async () => {
    const RISE = CRASH.map((c) => bar(c.ts, 200 - c.open, 200 - c.low, 200 - c.high, 200 - c.close, c.volume));
    const clock = new ManualClock(T0 + 5_000);
    const ex = new PaperExchange(new ReplayFeed(RISE, 0.01), clock, config(...PERP));
    await ex.place({ clientOrderId: "mmbot-short", side: "sell", price: 100.4, amount: 4 });
    clock.set(T0 + 2 * M);
    const liq = (await ex.balances()).liquidationPrice!;
    expect(liq).toBeGreaterThan(101); // above the mid
    clock.set(T0 + 5 * M);
    const fills = (await ex.fillsSince(null)) as Fill[];
    expect(fills.map((f) => [f.side, f.amount, isLiquidation(f)])).toEqual([["sell", 4, false], ["buy", 4, true]]);
    expect(fills[1].price).toBe(liq);
  });

  test("no crash, no liquidation: the position stays", async () => {
    const calm = [...CRASH.slice(0, 2), bar(T0 + 2 * M, 99, 99, 90, 90, 1000), bar(T0 + 3 * M, 90, 90, 90, 90, 0)];
    const clock = new ManualClock(T0 + 5_000);
    const ex = new PaperExchange(new ReplayFeed(calm, 0.01), clock, config(...PERP));
    await ex.place({ clientOrderId: "mmbot-long", side: "buy", price: 99.6, amount: 4 });
    clock.set(T0 + 4 * M);
    expect(((await ex.fillsSince(null)) as Fill[]).length).toBe(1);
    expect((await ex.balances()).position).toBe(4);
  });
});
