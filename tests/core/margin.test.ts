import { describe, expect, test } from "bun:test";
import {
  addingSide,
  checkMargin,
  entryAfterFill,
  initialMarginQuote,
  liquidationDistancePct,
  liquidationPrice,
} from "../../lib/core/margin.ts";

// Worked numbers: a 1000 USDT wallet holding 1 ETH long or short at 2000, maintenance margin 0.4 %.
// Cash-style, a long that paid 2000 has cash 1000 − 2000 = −1000; a short that received it has 3000.
const MMR = 0.004;

describe("liquidation price", () => {
  test("cross long: equity P − 1000 meets 0.4 % of P at 1000 / 0.996 = 1004.016…", () => {
    const p = liquidationPrice({ position: 1, cash: -1000, entryPrice: 2000 }, "cross", 5, MMR)!;
    expect(p).toBeCloseTo(1004.01606, 4);
    // check the definition: equity at P equals the maintenance margin
    expect(p - 1000).toBeCloseTo(p * MMR, 9);
  });

  test("cross short: 3000 − P meets 0.4 % of P at 3000 / 1.004 = 2988.047…", () => {
    const p = liquidationPrice({ position: -1, cash: 3000, entryPrice: 2000 }, "cross", 5, MMR)!;
    expect(p).toBeCloseTo(2988.04781, 4);
    expect(3000 - p).toBeCloseTo(p * MMR, 9);
  });

  test("isolated at 10×: only the 200 USDT initial margin backs the position", () => {
    // long: 200 + (P − 2000) = 0.004 P → P = 1800 / 0.996 = 1807.2289…
    expect(liquidationPrice({ position: 1, cash: -1000, entryPrice: 2000 }, "isolated", 10, MMR)).toBeCloseTo(
      1807.22892,
      4,
    );
    // short: 200 − (P − 2000) = 0.004 P → P = 2200 / 1.004 = 2191.2350…
    expect(liquidationPrice({ position: -1, cash: 3000, entryPrice: 2000 }, "isolated", 10, MMR)).toBeCloseTo(
      2191.23506,
      4,
    );
  });

  test("flat, or a long fully paid for in cash: no liquidation price", () => {
    expect(liquidationPrice({ position: 0, cash: 1000, entryPrice: 0 }, "cross", 5, MMR)).toBeNull();
    expect(liquidationPrice({ position: 1, cash: 500, entryPrice: 2000 }, "cross", 1, MMR)).toBeNull();
  });

  test("distance and the side that adds", () => {
    // signed toward safety: a long 100 above its liquidation price is 5 % away, 100 below it is 5 % past (−5)
    expect(liquidationDistancePct(2000, 1900, 0.5)).toBeCloseTo(5, 12);
    expect(liquidationDistancePct(2000, 2100, 0.5)).toBeCloseTo(-5, 12);
    // a short the other way round
    expect(liquidationDistancePct(2000, 2100, -0.5)).toBeCloseTo(5, 12);
    expect(liquidationDistancePct(2000, 1900, -0.5)).toBeCloseTo(-5, 12);
    // the figures: a 20× long, liquidation 2751.97, mid 2526.99 → (2526.99 − 2751.97) / 2526.99 = −8.90 %
    expect(liquidationDistancePct(2526.99, 2751.97, 1)!).toBeCloseTo(-8.903, 3);
    expect(liquidationDistancePct(2000, null, 0.5)).toBeNull();
    expect(liquidationDistancePct(2000, 1900, 0)).toBeNull();
    expect(addingSide(0.5)).toBe("buy");
    expect(addingSide(-0.5)).toBe("sell");
    expect(addingSide(0)).toBeNull();
  });
});

describe("initial margin check", () => {
  test("5× on 1000 USDT carries 2.5 ETH at 2000, not 2.6", () => {
    expect(initialMarginQuote(5000, 5)).toBe(1000);
    const flat = { position: 0, cash: 1000 };
    expect(checkMargin(flat, 0, 0, { side: "buy", amount: 2.5 }, 2000, 5)).toEqual({
      ok: true,
      requiredQuote: 1000,
      equityQuote: 1000,
    });
    expect(checkMargin(flat, 0, 0, { side: "buy", amount: 2.6 }, 2000, 5).ok).toBe(false);
  });

  test("resting orders on the same side count; the worse side decides", () => {
    const flat = { position: 0, cash: 1000 };
    // 2 ETH of bids rest: one more ETH of bids needs 3 × 2000 / 5 = 1200 > 1000
    expect(checkMargin(flat, 2, 0, { side: "buy", amount: 1 }, 2000, 5)).toMatchObject({
      ok: false,
      requiredQuote: 1200,
    });
    // an ask beside 2 ETH of bids: the worse side is still 2 ETH (800)
    expect(checkMargin(flat, 2, 0, { side: "sell", amount: 1 }, 2000, 5)).toMatchObject({
      ok: true,
      requiredQuote: 800,
    });
  });

  test("an order that only reduces the position is always accepted", () => {
    // long 3 ETH, cash −5800 (equity at 2000: 200, less than its 1200 margin), selling 1 reduces it
    const a = { position: 3, cash: -5800 };
    expect(checkMargin(a, 0, 0, { side: "sell", amount: 1 }, 2000, 5).ok).toBe(true);
    expect(checkMargin(a, 0, 0, { side: "buy", amount: 0.1 }, 2000, 5).ok).toBe(false);
  });
});

describe("entry price after a fill", () => {
  test("grows by average, keeps on reduce, resets on flip and flat", () => {
    expect(entryAfterFill(2000, 1, 1, 2100)).toBe(2050);
    expect(entryAfterFill(2000, 2, -1, 2100)).toBe(2000);
    expect(entryAfterFill(2000, 1, -3, 2100)).toBe(2100);
    expect(entryAfterFill(2000, 1, -1, 2100)).toBe(0);
    expect(entryAfterFill(0, 0, -0.5, 1900)).toBe(1900);
  });
});
