import { describe, expect, test } from "bun:test";
import { computeQuotes } from "../../lib/core/quoting.ts";
import { inventoryControl } from "../../lib/core/inventory.ts";
import { FIXED_10_10, quoted, quoteInput } from "../fixtures.ts";

// fixed 10 / 10 bps at mid 3000 (book 2999.99 / 3000.01), no seed shift (shift_multiplier 0), band 0.2
const SETS = [...FIXED_10_10, "strategy.max_inventory_deviation=0.2"];

describe("inventoryControl: u = clamp((ratio − target) / band, −1, 1)", () => {
  const p = { target_base_ratio: 0.5, max_inventory_deviation: 0.2, inventory_skew: 1, inventory_size_shape: 2 };
  test.each([
    // ratio, u, skew shift = −u × 1 × (0.001 + 0.003) / 2, bid scale, ask scale (e^−2|u| on the adding side)
    [0.6, 0.5, -0.001, Math.exp(-1), 1],
    [0.4, -0.5, 0.001, 1, Math.exp(-1)],
    [0.9, 1, -0.002, Math.exp(-2), 1], // past the band: u stays 1
    [0.5, 0, 0, 1, 1],
  ])("ratio %p: u %p, shift %p, bid × %p, ask × %p", (
    ratio: number,
    u: number,
    shift: number,
    bidScale: number,
    askScale: number,
  ) => {
    const c = inventoryControl(p, ratio, 0.001, 0.003);
    expect(c.bandUsed).toBeCloseTo(u, 12);
    expect(c.skewShift).toBeCloseTo(shift, 12);
    expect(c.bidScale).toBeCloseTo(bidScale, 12);
    expect(c.askScale).toBeCloseTo(askScale, 12);
  });

  test("off at the defaults: no shift, full sizes", () => {
    const c = inventoryControl({ ...p, inventory_skew: 0, inventory_size_shape: 0 }, 0.75, 0.001, 0.001);
    expect(c).toEqual({ bandUsed: 1, skewShift: 0, bidScale: 1, askScale: 1 });
  });
});

describe("quotes with inventory control", () => {
  test("too much base: the reference moves down, the ask (which sells it) comes nearer, the bid shrinks", () => {
    // base 1.2 + 2400 quote at 3000: ratio 3600 / 6000 = 0.6, u = (0.6 − 0.5) / 0.2 = 0.5
    // reference 3000 × (1 − 0.5 × 1 × 0.001) = 2998.5; bid 2998.5 × 0.999 = 2995.5015 → 2995.50,
    // ask 2998.5 × 1.001 = 3001.4985 → 3001.50 (without the skew: 2997.00 / 3003.00)
    // bid amount 0.01 × e^(−2 × 0.5) = 0.0036788 → 0.0036 on the 0.0001 lot; the ask keeps 0.01
    const d = quoted(computeQuotes(quoteInput(
      { inventory: { base: 1.2, quote: 2400 } },
      ...SETS,
      "strategy.inventory_skew=1",
      "strategy.inventory_size_shape=2",
    )));
    expect(d.bid).toEqual({ side: "buy", price: 2995.5, amount: 0.0036 });
    expect(d.ask).toEqual({ side: "sell", price: 3001.5, amount: 0.01 });
    expect(d.figures.bandUsed).toBeCloseTo(0.5, 12);
    expect(d.figures.skewShift).toBeCloseTo(-0.0005, 12);
  });

  test("too little base: the mirror image (the bid comes nearer, the ask shrinks)", () => {
    // base 0.8 + 3600 quote: ratio 2400 / 6000 = 0.4, u = −0.5; reference 3001.5;
    // bid 3001.5 × 0.999 = 2998.4985 → 2998.49; ask 3001.5 × 1.001 = 3004.5015 → 3004.51; ask amount 0.0036
    const d = quoted(computeQuotes(quoteInput(
      { inventory: { base: 0.8, quote: 3600 } },
      ...SETS,
      "strategy.inventory_skew=1",
      "strategy.inventory_size_shape=2",
    )));
    expect(d.bid).toEqual({ side: "buy", price: 2998.49, amount: 0.01 });
    expect(d.ask).toEqual({ side: "sell", price: 3004.51, amount: 0.0036 });
  });

  test("past the band the adding side stops: ratio 0.75 > 0.5 + 0.2, no bid", () => {
    // base 1.5 + 1500 quote: 4500 / 6000 = 0.75
    const d = quoted(computeQuotes(quoteInput({ inventory: { base: 1.5, quote: 1500 } }, ...SETS)));
    expect(d.bid).toBeNull();
    expect(d.skipped.bid?.reason).toBe("inventory_limit");
    expect(d.ask).not.toBeNull();
  });

  test("at the defaults nothing changes: the seed quotes, full size", () => {
    const d = quoted(computeQuotes(quoteInput({ inventory: { base: 1.2, quote: 2400 } }, ...SETS)));
    // 3000 × 0.999 = 2997.00, 3000 × 1.001 = 3003.00
    expect(d.bid).toEqual({ side: "buy", price: 2997, amount: 0.01 });
    expect(d.ask).toEqual({ side: "sell", price: 3003, amount: 0.01 });
  });
});
