import { describe, expect, test } from "bun:test";
import {
  applyFill,
  applyFunding,
  equityOf,
  openPortfolio,
  summarize,
  unrealizedOf,
} from "../../lib/core/accounting.ts";

describe("spot: average cost, cash-style", () => {
  /** Start: 1 base carried at the starting mid 2000, 3000 quote; initial equity 1 × 2000 + 3000 = 5000. */
  const start = () => openPortfolio(1, 3000, 2000);

  test("openPortfolio carries the starting base at the starting mid", () => {
    expect(start()).toEqual({
      base: 1,
      quote: 3000,
      avgCost: 2000,
      realized: 0,
      fees: 0,
      funding: 0,
      volumeQuote: 0,
      fills: 0,
      buys: 0,
      sells: 0,
    });
    expect(equityOf(start(), 2000)).toBe(5000);
  });

  test("a buy moves the average cost; a sell realizes against it and leaves it", () => {
    const p = start();
    // buy 1 @ 1900, fee 0.19: base 2; avgCost (1 × 2000 + 1 × 1900) / 2 = 1950; quote 3000 − 1900 − 0.19 = 1099.81
    applyFill(p, { side: "buy", price: 1900, amount: 1, feeQuote: 0.19 });
    expect(p.base).toBe(2);
    expect(p.avgCost).toBeCloseTo(1950, 9);
    expect(p.quote).toBeCloseTo(1099.81, 9);
    expect(p.realized).toBe(0);

    // sell 0.5 @ 2100, fee 0.105: realized 0.5 × (2100 − 1950) = 75; avgCost stays 1950
    // base 1.5; quote 1099.81 + 1050 − 0.105 = 2149.705
    applyFill(p, { side: "sell", price: 2100, amount: 0.5, feeQuote: 0.105 });
    expect(p.base).toBe(1.5);
    expect(p.avgCost).toBeCloseTo(1950, 9);
    expect(p.realized).toBeCloseTo(75, 9);
    expect(p.quote).toBeCloseTo(2149.705, 9);
    // fees 0.19 + 0.105 = 0.295; volume 1900 + 1050 = 2950; 2 fills, 1 buy, 1 sell
    expect(p.fees).toBeCloseTo(0.295, 12);
    expect(p.volumeQuote).toBeCloseTo(2950, 9);
    expect([p.fills, p.buys, p.sells]).toEqual([2, 1, 1]);

    // at mid 2050: equity 1.5 × 2050 + 2149.705 = 3075 + 2149.705 = 5224.705; pnl 5224.705 − 5000 = 224.705
    // unrealized 1.5 × (2050 − 1950) = 150; realized + unrealized − fees = 75 + 150 − 0.295 = 224.705
    const s = summarize(p, 2050, 5000);
    expect(s.equity).toBeCloseTo(5224.705, 9);
    expect(s.initialEquity).toBe(5000);
    expect(s.pnl).toBeCloseTo(224.705, 9);
    expect(s.unrealized).toBeCloseTo(150, 9);
    expect(unrealizedOf(p, 2050)).toBeCloseTo(150, 9);
    expect(s.realized).toBeCloseTo(75, 9);
    expect(s.fees).toBeCloseTo(0.295, 12);
    expect(Math.abs(s.pnl - (s.realized + s.unrealized - s.fees))).toBeLessThan(1e-9);
    expect(s.avgCost).toBeCloseTo(1950, 9);
    expect([s.base, s.volumeQuote, s.fills, s.buys, s.sells]).toEqual([1.5, 2950, 2, 1, 1]);
  });

  test("a fee rebate (negative fee) adds to the quote and to the pnl", () => {
    // from nothing: buy 0.1 @ 100 with fee −0.05: quote 1000 − 10 + 0.05 = 990.05; avgCost 100
    const p = openPortfolio(0, 1000, 100);
    applyFill(p, { side: "buy", price: 100, amount: 0.1, feeQuote: -0.05 });
    expect(p.quote).toBeCloseTo(990.05, 9);
    expect(p.fees).toBe(-0.05);
    expect(p.avgCost).toBeCloseTo(100, 9);
    // at mid 100: equity 0.1 × 100 + 990.05 = 1000.05; pnl 0.05 = 0 realized + 0 unrealized − (−0.05)
    const s = summarize(p, 100, 1000);
    expect(s.pnl).toBeCloseTo(0.05, 9);
    expect(Math.abs(s.pnl - (s.realized + s.unrealized - s.fees))).toBeLessThan(1e-9);
  });
});

describe("perp: signed position", () => {
  test("a sell bigger than a long flips it: realize on the closed part, the rest opens at the fill price", () => {
    // long 0.1 @ 100, quote 1000 (initial equity 0.1 × 100 + 1000 = 1010); sell 0.3 @ 110, no fee
    const p = openPortfolio(0.1, 1000, 100);
    applyFill(p, { side: "sell", price: 110, amount: 0.3, feeQuote: 0 });
    // closed 0.1: realized 0.1 × (110 − 100) × (+1) = 1; position 0.1 − 0.3 = −0.2 at 110
    expect(p.realized).toBeCloseTo(1, 12);
    expect(p.base).toBeCloseTo(-0.2, 12);
    expect(p.avgCost).toBe(110);
    // quote 1000 + 0.3 × 110 = 1033
    expect(p.quote).toBeCloseTo(1033, 9);
    // at mid 105: equity −0.2 × 105 + 1033 = 1012; pnl 2 = realized 1 + unrealized −0.2 × (105 − 110) = +1
    const s = summarize(p, 105, 1010);
    expect(s.equity).toBeCloseTo(1012, 9);
    expect(s.unrealized).toBeCloseTo(1, 9);
    expect(s.pnl).toBeCloseTo(2, 9);
    expect(Math.abs(s.pnl - (s.realized + s.unrealized - s.fees))).toBeLessThan(1e-9);
  });

  test("a buy reducing a short realizes with the sign of the position", () => {
    // short 0.2 @ 110; buy 0.1 @ 100: realized 0.1 × (100 − 110) × (−1) = +1; avgCost stays 110
    const p = openPortfolio(-0.2, 1000, 110);
    applyFill(p, { side: "buy", price: 100, amount: 0.1, feeQuote: 0.01 });
    expect(p.realized).toBeCloseTo(1, 12);
    expect(p.base).toBeCloseTo(-0.1, 12);
    expect(p.avgCost).toBe(110);
    // quote 1000 − 0.1 × 100 − 0.01 = 989.99
    expect(p.quote).toBeCloseTo(989.99, 9);
  });

  test("adding to a short averages the entry like a long", () => {
    // short 0.1 @ 100, sell 0.1 more @ 110: avgCost (0.1 × 100 + 0.1 × 110) / 0.2 = 105; nothing realized
    const p = openPortfolio(-0.1, 1000, 100);
    applyFill(p, { side: "sell", price: 110, amount: 0.1, feeQuote: 0 });
    expect(p.avgCost).toBeCloseTo(105, 9);
    expect(p.base).toBeCloseTo(-0.2, 12);
    expect(p.realized).toBe(0);
    // at mid 100: unrealized −0.2 × (100 − 105) = +1
    expect(unrealizedOf(p, 100)).toBeCloseTo(1, 9);
  });
});

describe("funding", () => {
  test("a payment of −2.5 (a long paying 0.01 % on 25 000 notional) lowers quote, equity and pnl by 2.5", () => {
    const p = openPortfolio(0, 1000, 100);
    applyFunding(p, -2.5);
    expect(p.quote).toBe(997.5);
    expect(p.funding).toBe(-2.5);
    expect(summarize(p, 100, 1000).pnl).toBe(-2.5);
  });
});

describe("the pnl identity", () => {
  test("equity − initial equity = realized + unrealized − fees + funding after random fills and fundings", () => {
    let seed = 7;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    // initial equity 0.5 × 100 + 1000 = 1050
    const p = openPortfolio(0.5, 1000, 100);
    for (let i = 0; i < 500; i++) {
      const side = rand() < 0.5 ? "buy" : "sell";
      applyFill(p, { side, price: 90 + rand() * 20, amount: 0.01 + rand(), feeQuote: (rand() - 0.2) * 0.05 });
      if (i % 50 === 0) applyFunding(p, (rand() - 0.5) * 2);
      const s = summarize(p, 90 + rand() * 20, 1050);
      expect(Math.abs(s.pnl - (s.realized + s.unrealized - s.fees + s.funding))).toBeLessThan(1e-9);
    }
    expect(p.buys + p.sells).toBe(500);
  });
});
