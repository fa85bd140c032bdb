import { describe, expect, test } from "bun:test";
import { FillTracker } from "../../lib/engine/fills.ts";
import { openPortfolio } from "../../lib/core/accounting.ts";
import type { Fill } from "../../lib/core/types.ts";
import { config, NOW } from "../fixtures.ts";

function fill(tradeId: string, clientOrderId: string, side: Fill["side"], price: number, feeQuote = 0.01): Fill {
  return { tradeId, clientOrderId, side, price, amount: 0.1, feeQuote, ts: NOW };
}

const params = config().strategy; // target 0.5, max_position_notional 1000

describe("FillTracker", () => {
  test("spread capture in bps from the mid at placement, positive when earned", () => {
    const t = new FillTracker(null);
    t.placed("b1", 100);
    t.placed("a1", 100);
    const events = t.take(
      [fill("t1", "b1", "buy", 99.9), fill("t2", "a1", "sell", 99.95)],
      openPortfolio(1, 1000, 100),
      "spot",
      params,
    );
    // buy at 99.9 placed at mid 100: (100 − 99.9) / 100 × 10000 = +10 bps
    expect(events[0].spreadCaptureBps).toBeCloseTo(10, 9);
    // sell at 99.95 placed at mid 100: (99.95 − 100) / 100 × 10000 = −5 bps (sold below the mid)
    expect(events[1].spreadCaptureBps).toBeCloseTo(-5, 9);
    // one event per fill, in order, carrying the fill, its ts and the inventory ratio right after it:
    // after the buy: base 1.1, quote 1000 − 9.99 − 0.01 = 990; at 99.9: 109.89 / (109.89 + 990) = 0.09990999…
    // after the sell: base 1.0, quote 990 + 9.995 − 0.01 = 999.985; at 99.95: 99.95 / 1099.935 = 0.09086873…
    expect(events.map((e) => e.fill.tradeId)).toEqual(["t1", "t2"]);
    expect(events[0]).toMatchObject({ type: "fill", ts: NOW, fill: fill("t1", "b1", "buy", 99.9) });
    expect(events[0].inventoryRatio).toBeCloseTo(109.89 / 1099.89, 12);
    expect(events[1].inventoryRatio).toBeCloseTo(99.95 / 1099.935, 12);
  });

  test("perp: the inventory ratio after a fill comes from the position (the portfolio's base)", () => {
    // position 1 + 0.1 = 1.1 at 99.9: 0.5 + 1.1 × 99.9 / (2 × 1000) = 0.5 + 0.054945 = 0.554945
    const [e] = new FillTracker(null).take(
      [fill("t1", "b1", "buy", 99.9)],
      openPortfolio(1, 1000, 100),
      "perp",
      params,
    );
    expect(e.inventoryRatio).toBeCloseTo(0.554945, 12);
  });

  test("the watermark moves to the last trade id, and stays put with no fills", () => {
    const t = new FillTracker("t0");
    t.take([], openPortfolio(1, 1000, 100), "spot", params);
    expect(t.lastTradeId).toBe("t0");
    t.take([fill("t1", "x", "buy", 100), fill("t2", "x", "buy", 100)], openPortfolio(1, 1000, 100), "spot", params);
    expect(t.lastTradeId).toBe("t2");
  });

  test("a fill of an order never placed through the tracker has no capture", () => {
    const t = new FillTracker(null);
    t.placed("b1", 100);
    const [e] = t.take([fill("t1", "unknown", "buy", 99.9)], openPortfolio(1, 1000, 100), "spot", params);
    expect(e.spreadCaptureBps).toBeNull();
  });

  test("the portfolio is updated in place, fill by fill", () => {
    const p = openPortfolio(1, 1000, 100);
    new FillTracker(null).take([fill("t1", "b1", "buy", 99.9), fill("t2", "a1", "sell", 99.95)], p, "spot", params);
    // buy 0.1 @ 99.9, fee 0.01: base 1.1, quote 1000 − 9.99 − 0.01 = 990
    // sell 0.1 @ 99.95, fee 0.01: base 1.0, quote 990 + 9.995 − 0.01 = 999.985
    expect(p.base).toBeCloseTo(1, 12);
    expect(p.quote).toBeCloseTo(999.985, 9);
    expect(p.fees).toBeCloseTo(0.02, 12);
    expect([p.fills, p.buys, p.sells]).toEqual([2, 1, 1]);
  });

  test("only the last 1000 placements are remembered", () => {
    const t = new FillTracker(null);
    // 1001 placements: the first one is forgotten, the second is still known
    for (let i = 0; i <= 1000; i++) t.placed(`o${i}`, 100);
    const [first, second] = t.take(
      [fill("t1", "o0", "buy", 99.9), fill("t2", "o1", "buy", 99.9)],
      openPortfolio(1, 1000, 100),
      "spot",
      params,
    );
    expect(first.spreadCaptureBps).toBeNull();
    expect(second.spreadCaptureBps).toBeCloseTo(10, 9);
  });
});
