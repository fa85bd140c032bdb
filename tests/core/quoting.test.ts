import { describe, expect, test } from "bun:test";
import { ceilToStep, floorToStep } from "../../lib/core/steps.ts";
import { computeQuotes, type QuoteDecision } from "../../lib/core/quoting.ts";
import { indicators, NOW, quoteInput } from "../fixtures.ts";

/** Narrows to a quoting decision or fails with the stand-aside reason. */
function quoted(d: QuoteDecision) {
  if (d.action !== "quote") throw new Error(`expected quotes, got stand_aside: ${d.detail}`);
  return d;
}

describe("natr_macd profile, spot", () => {
  test("spreads come from NATR × multipliers / 10000", () => {
    // natr 0.05 %: bid 0.05 × 120 / 10000 = 0.0006 (6 bps), ask 0.05 × 60 / 10000 = 0.0003 (3 bps)
    const d = quoted(computeQuotes(quoteInput()));
    expect(d.figures.bidSpreadBps).toBeCloseTo(6, 10);
    expect(d.figures.askSpreadBps).toBeCloseTo(3, 10);
    // s = 0, ratio 0.5: reference = mid = 3000; bid 3000 × 0.9994 = 2998.20; ask 3000 × 1.0003 = 3000.90
    expect(d.figures.reference).toBeCloseTo(3000, 9);
    expect(d.bid).toEqual({ side: "buy", price: 2998.2, amount: 0.01 });
    expect(d.ask).toEqual({ side: "sell", price: 3000.9, amount: 0.01 });
  });

  test("MACD trend shift: s = histogram / atr, reference moves by s × max_shift", () => {
    // s = 0.75 / 1.5 = 0.5; max_shift = 0.5 × 0.05 / 100 = 0.00025
    // reference = 3000 × (1 + 0.5 × 0.00025) = 3000.375
    // bid = 3000.375 × 0.9994 = 2998.574775 → down to tick 2998.57
    // ask = 3000.375 × 1.0003 = 3001.2751125 → up to tick 3001.28
    const d = quoted(
      computeQuotes(quoteInput({ indicators: indicators({ macd: { macd: 1, signal: 0.25, histogram: 0.75 } }) })),
    );
    expect(d.figures.trend).toBeCloseTo(0.5, 12);
    expect(d.figures.maxShift).toBeCloseTo(0.00025, 15);
    expect(d.figures.trendShift).toBeCloseTo(0.000125, 15);
    expect(d.figures.reference).toBeCloseTo(3000.375, 9);
    expect(d.bid?.price).toBe(2998.57);
    expect(d.ask?.price).toBe(3001.28);
  });

  test("MACD signal is clamped to [-1, 1]", () => {
    // histogram −3 / atr 1.5 = −2 → −1; reference = 3000 × (1 − 0.00025) = 2999.25
    const d = quoted(
      computeQuotes(quoteInput({ indicators: indicators({ macd: { macd: -3, signal: 0, histogram: -3 } }) })),
    );
    expect(d.figures.trend).toBe(-1);
    expect(d.figures.reference).toBeCloseTo(2999.25, 9);
  });

  test("inventory shift: too little base raises the reference (lean to buy)", () => {
    // base 0.5 × 3000 = 1500, quote 3000: ratio = 1500 / 4500 = 1/3
    // delta = (0.5 − 1/3) / 0.5 = 1/3; shift = 1/3 × 0.00025 × 1 = 0.0000833…
    // reference = 3000 × (1 + 0.00025 / 3) = 3000.25
    // bid = 3000.25 × 0.9994 = 2998.44985 → 2998.44; ask = 3000.25 × 1.0003 = 3001.150075 → 3001.16
    const d = quoted(computeQuotes(quoteInput({ inventory: { base: 0.5, quote: 3000 } })));
    expect(d.figures.inventoryRatio).toBeCloseTo(1 / 3, 12);
    expect(d.figures.inventoryDelta).toBeCloseTo(1 / 3, 12);
    expect(d.figures.reference).toBeCloseTo(3000.25, 9);
    expect(d.bid?.price).toBe(2998.44);
    expect(d.ask?.price).toBe(3001.16);
    expect(d.inventoryLimit).toBeNull();
  });

  test("inventory_scalar weights the inventory shift", () => {
    // same inventory as above with scalar 3: shift = 1/3 × 0.00025 × 3 = 0.00025 → reference 3000.75
    const d = quoted(
      computeQuotes(quoteInput({ inventory: { base: 0.5, quote: 3000 } }, "strategy.inventory_scalar=3")),
    );
    expect(d.figures.reference).toBeCloseTo(3000.75, 9);
  });

  test("trend and inventory shifts multiply", () => {
    // s = 0.5 → (1 + 0.000125); delta = 1/3 → (1 + 0.0000833…)
    // reference = 3000 × 1.000125 × 1.0000833… = 3000.6250104…
    const d = quoted(computeQuotes(quoteInput({
      inventory: { base: 0.5, quote: 3000 },
      indicators: indicators({ macd: { macd: 1, signal: 0.25, histogram: 0.75 } }),
    })));
    expect(d.figures.reference).toBeCloseTo(3000 * 1.000125 * (1 + 0.00025 / 3), 9);
    expect(d.figures.reference).toBeCloseTo(3000.62501, 4);
  });

  test("delta is clamped to −1 when all equity is base, and only the reducing side is quoted", () => {
    // base 2, quote 0: ratio 1 → delta (0.5 − 1) / 0.5 = −1; |1 − 0.5| > 0.3 → base_high: ask only
    // reference = 3000 × (1 − 0.00025) = 2999.25; ask = 2999.25 × 1.0003 = 3000.149775, which is
    // closer to mid than the 1 bp floor 3000 × 1.0001 = 3000.30, so the floor wins
    const d = quoted(computeQuotes(quoteInput({ inventory: { base: 2, quote: 0 } })));
    expect(d.figures.inventoryDelta).toBe(-1);
    expect(d.inventoryLimit).toBe("base_high");
    expect(d.bid).toBeNull();
    expect(d.skipped.bid?.detail).toContain("above target");
    expect(d.skipped.bid?.reason).toBe("inventory_limit");
    expect(d.figures.reference).toBeCloseTo(2999.25, 9);
    expect(d.ask?.price).toBe(3000.3);
  });

  test("past max_inventory_deviation on the low side only the bid is quoted", () => {
    // base 0.2 × 3000 = 600, quote 3000: ratio 600 / 3600 = 0.1667; 0.5 − 0.1667 = 0.333 > 0.3
    const d = quoted(computeQuotes(quoteInput({ inventory: { base: 0.2, quote: 3000 } })));
    expect(d.inventoryLimit).toBe("base_low");
    expect(d.ask).toBeNull();
    expect(d.skipped.ask?.detail).toContain("below target");
    expect(d.skipped.ask?.reason).toBe("inventory_limit");
    expect(d.bid).not.toBeNull();
  });

  test("just inside max_inventory_deviation both sides are quoted", () => {
    // base 0.25 × 3000 = 750 of 3750: ratio 0.2, deviation exactly 0.3 is not past the limit
    const d = quoted(computeQuotes(quoteInput({ inventory: { base: 0.25, quote: 3000 } })));
    expect(d.figures.inventoryRatio).toBeCloseTo(0.2, 12);
    expect(d.inventoryLimit).toBeNull();
    expect(d.bid).not.toBeNull();
    expect(d.ask).not.toBeNull();
  });
});

describe("natr_rsi profile, perp", () => {
  const perp = ["strategy.profile=natr_rsi", "market.type=perp"];

  test("RSI shift: s = trend_scalar × (rsi − 50) / 50 leans against overbought", () => {
    // rsi 70: s = −1 × 20 / 50 = −0.4; reference = 3000 × (1 − 0.4 × 0.00025) = 2999.7
    // bid = 2999.7 × 0.9994 = 2997.90018 → 2997.90; ask = 2999.7 × 1.0003 = 3000.59991 → 3000.60
    const d = quoted(
      computeQuotes(
        quoteInput({ indicators: indicators({ rsi: 70 }), inventory: { base: 0, quote: 5000, position: 0 } }, ...perp),
      ),
    );
    expect(d.figures.trend).toBeCloseTo(-0.4, 12);
    expect(d.figures.reference).toBeCloseTo(2999.7, 9);
    expect(d.bid?.price).toBe(2997.9);
    expect(d.ask?.price).toBe(3000.6);
  });

  test("trend_scalar +1 follows the RSI instead", () => {
    // rsi 30, scalar 1: s = (30 − 50) / 50 = −0.4
    const d = quoted(
      computeQuotes(
        quoteInput(
          { indicators: indicators({ rsi: 30 }), inventory: { base: 0, quote: 5000, position: 0 } },
          ...perp,
          "strategy.trend_scalar=1",
        ),
      ),
    );
    expect(d.figures.trend).toBeCloseTo(-0.4, 12);
  });

  test("perp inventory ratio comes from the position notional", () => {
    // position 0.1 × 3000 = 300 notional; ratio = 0.5 + 300 / (2 × 1000) = 0.65
    // delta = (0.5 − 0.65) / 0.5 = −0.3; shift = −0.3 × 0.00025 = −0.000075
    // reference = 3000 × (1 − 0.000075) = 2999.775
    // bid = 2999.775 × 0.9994 = 2997.975135 → 2997.97; ask = 2999.775 × 1.0003 = 3000.6749325 → 3000.68
    const d = quoted(computeQuotes(quoteInput({ inventory: { base: 0, quote: 5000, position: 0.1 } }, ...perp)));
    expect(d.figures.inventoryRatio).toBeCloseTo(0.65, 12);
    expect(d.figures.inventoryDelta).toBeCloseTo(-0.3, 12);
    expect(d.figures.reference).toBeCloseTo(2999.775, 9);
    expect(d.bid?.price).toBe(2997.97);
    expect(d.ask?.price).toBe(3000.68);
  });

  test("perp ratio is clamped to [0, 1] beyond the position limit", () => {
    // short 1 ETH = −3000 notional: 0.5 + clamp(−3000 / 2000) = 0.5 − 0.5 = 0 → base_low, bid only
    const d = quoted(computeQuotes(quoteInput({ inventory: { base: 0, quote: 5000, position: -1 } }, ...perp)));
    expect(d.figures.inventoryRatio).toBe(0);
    expect(d.figures.inventoryDelta).toBe(1);
    expect(d.inventoryLimit).toBe("base_low");
    expect(d.ask).toBeNull();
    expect(d.bid).not.toBeNull();
  });

  test("position limit blocks the side that would grow the position past it", () => {
    // long 0.33 × 3000 = 990; a bid adds 0.01 × 2998.2 ≈ 29.98 → 1019.98 > 1000: no bid. Selling is fine.
    const d = quoted(computeQuotes(
      quoteInput(
        { inventory: { base: 0, quote: 5000, position: 0.33 } },
        ...perp,
        "strategy.max_inventory_deviation=1",
      ),
    ));
    expect(d.bid).toBeNull();
    expect(d.skipped.bid?.detail).toContain("max_position_notional");
    expect(d.skipped.bid?.reason).toBe("position_limit");
    expect(d.ask).not.toBeNull();
  });

  test("perp quotes need no base balance", () => {
    const d = quoted(computeQuotes(quoteInput({ inventory: { base: 0, quote: 5000, position: 0 } }, ...perp)));
    expect(d.ask).not.toBeNull();
  });
});

describe("fixed profile", () => {
  test("constant spreads in bps, no trend shift, same inventory shift", () => {
    // 10 bps each side of mid: bid 3000 × 0.999 = 2997, ask 3000 × 1.001 = 3003, whatever MACD says
    const d = quoted(
      computeQuotes(
        quoteInput(
          { indicators: indicators({ macd: { macd: 3, signal: 0, histogram: 3 } }) },
          "strategy.profile=fixed",
        ),
      ),
    );
    expect(d.figures.trend).toBe(0);
    expect(d.figures.bidSpreadBps).toBeCloseTo(10, 10);
    expect(d.bid?.price).toBe(2997);
    expect(d.ask?.price).toBe(3003);
  });

  test("inventory skew applies as in the NATR profiles", () => {
    // ratio 1/3 → delta 1/3 → reference 3000.25; bid 3000.25 × 0.998 = 2994.2495 → 2994.24;
    // ask 3000.25 × 1.002 = 3006.2505 → 3006.26
    const d = quoted(
      computeQuotes(
        quoteInput(
          { inventory: { base: 0.5, quote: 3000 } },
          "strategy.profile=fixed",
          "strategy.fixed_bid_spread_bps=20",
          "strategy.fixed_ask_spread_bps=20",
        ),
      ),
    );
    expect(d.figures.reference).toBeCloseTo(3000.25, 9);
    expect(d.bid?.price).toBe(2994.24);
    expect(d.ask?.price).toBe(3006.26);
  });
});

describe("guards", () => {
  test("quotes never sit inside the top of book", () => {
    // wide book 2990 / 3010 (mid 3000): model bid 2998.2 and ask 3000.9 are pushed out to 2990 / 3010
    const d = quoted(computeQuotes(quoteInput({ topOfBook: { ts: NOW, bestBid: 2990, bestAsk: 3010 } })));
    expect(d.bid?.price).toBe(2990);
    expect(d.ask?.price).toBe(3010);
  });

  test("at least min_spread_bps from mid when NATR is tiny", () => {
    // natr 0.001: bid spread 0.12 bps; the 1 bp floor gives 3000 × 0.9999 = 2999.70, ask 3000.30
    const d = quoted(computeQuotes(quoteInput({ indicators: indicators({ natr: 0.001 }) })));
    expect(d.bid?.price).toBe(2999.7);
    expect(d.ask?.price).toBe(3000.3);
    expect(d.figures.bidDistanceBps).toBeCloseTo(1, 6);
  });

  test("min_spread_bps is configurable", () => {
    // 5 bps: 3000 × 0.9995 = 2998.50, 3000 × 1.0005 = 3001.50
    const d = quoted(
      computeQuotes(quoteInput({ indicators: indicators({ natr: 0.001 }) }, "strategy.min_spread_bps=5")),
    );
    expect(d.bid?.price).toBe(2998.5);
    expect(d.ask?.price).toBe(3001.5);
  });

  test("bid rounds down and ask rounds up to a coarse tick", () => {
    // tick 0.5: 2998.574775 → 2998.5, 3001.2751125 → 3001.5 (same inputs as the MACD shift test)
    const d = quoted(computeQuotes(quoteInput({
      indicators: indicators({ macd: { macd: 1, signal: 0.25, histogram: 0.75 } }),
      rules: { tickSize: 0.5, lotSize: 0.0001, minNotional: 5 },
    })));
    expect(d.bid?.price).toBe(2998.5);
    expect(d.ask?.price).toBe(3001.5);
  });

  test("amount rounds down to the lot size", () => {
    // 0.0123 with lot 0.001 → 0.012
    const d = quoted(
      computeQuotes(
        quoteInput({ rules: { tickSize: 0.01, lotSize: 0.001, minNotional: 5 } }, "strategy.order_amount=0.0123"),
      ),
    );
    expect(d.bid?.amount).toBe(0.012);
    expect(d.ask?.amount).toBe(0.012);
  });

  test("an amount below one lot quotes nothing", () => {
    const d = quoted(computeQuotes(quoteInput({}, "strategy.order_amount=0.00005")));
    expect(d.bid).toBeNull();
    expect(d.skipped.bid?.detail).toContain("lot size");
    expect(d.skipped.ask?.detail).toContain("lot size");
    expect(d.skipped.ask?.reason).toBe("lot_size");
  });

  test("minimum notional: 0.01 × ~3000 = ~30 is below 50", () => {
    const d = quoted(computeQuotes(quoteInput({ rules: { tickSize: 0.01, lotSize: 0.0001, minNotional: 50 } })));
    expect(d.bid).toBeNull();
    expect(d.ask).toBeNull();
    expect(d.skipped.bid?.detail).toContain("minimum notional 50");
    expect(d.skipped.bid?.reason).toBe("min_notional");
  });

  test("no bid without the quote to pay for it, no ask without the base", () => {
    // bid needs 0.01 × 2998.2 = 29.98 quote; ask needs 0.01 base (deviation limit off to isolate the check)
    const noQuote = quoted(
      computeQuotes(quoteInput({ inventory: { base: 1, quote: 29 } }, "strategy.max_inventory_deviation=1")),
    );
    expect(noQuote.bid).toBeNull();
    expect(noQuote.skipped.bid?.detail).toContain("quote balance 29");
    expect(noQuote.skipped.bid?.reason).toBe("funds");
    expect(noQuote.ask).not.toBeNull();
    const noBase = quoted(
      computeQuotes(quoteInput({ inventory: { base: 0.009, quote: 3000 } }, "strategy.max_inventory_deviation=1")),
    );
    expect(noBase.ask).toBeNull();
    expect(noBase.skipped.ask?.detail).toContain("base balance 0.009");
    expect(noBase.skipped.ask?.reason).toBe("funds");
    expect(noBase.bid).not.toBeNull();
  });

  test("never crosses, stays outside the top of book and min spread, over many random inputs", () => {
    let seed = 42;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let i = 0; i < 2000; i++) {
      const mid = 100 + rand() * 5000;
      const half = rand() * 5;
      const bestBid = Number((mid - half).toFixed(2));
      const bestAsk = Number((mid + half + 0.01).toFixed(2));
      const input = quoteInput(
        {
          topOfBook: { ts: NOW, bestBid, bestAsk },
          indicators: indicators({
            natr: rand() * 0.5,
            atr: rand() * 10,
            macd: { macd: 0, signal: 0, histogram: (rand() - 0.5) * 40 },
          }),
          inventory: { base: rand() * 3, quote: rand() * 10000 },
        },
        `strategy.shift_multiplier=${(rand() * 20).toFixed(3)}`,
        "strategy.max_inventory_deviation=1",
      );
      const d = computeQuotes(input);
      if (d.action !== "quote") continue;
      const m = (bestBid + bestAsk) / 2;
      if (d.bid) {
        expect(d.bid.price).toBeLessThanOrEqual(bestBid);
        expect(d.bid.price).toBeLessThanOrEqual(m * (1 - 1 / 10_000) + 1e-9);
      }
      if (d.ask) {
        expect(d.ask.price).toBeGreaterThanOrEqual(bestAsk);
        expect(d.ask.price).toBeGreaterThanOrEqual(m * (1 + 1 / 10_000) - 1e-9);
      }
    }
  });
});

describe("stand aside on bad market input", () => {
  const detailOf = (d: QuoteDecision) => (d.action === "stand_aside" ? d.detail : "quoted");

  test.each([
    ["NaN bid", { bestBid: NaN, bestAsk: 3000 }, "bad order book"],
    ["zero ask", { bestBid: 2999, bestAsk: 0 }, "bad order book"],
    ["negative bid", { bestBid: -1, bestAsk: 3000 }, "bad order book"],
    ["bid equals ask", { bestBid: 3000, bestAsk: 3000 }, "crossed order book"],
    ["bid above ask", { bestBid: 3001, bestAsk: 3000 }, "crossed order book"],
  ])("%s", (_name: string, book: { bestBid: number; bestAsk: number }, reason: string) => {
    expect(detailOf(computeQuotes(quoteInput({ topOfBook: { ts: NOW, ...book } })))).toContain(reason);
  });

  test("too few candles: warming up (n/N candles)", () => {
    const d = computeQuotes(
      quoteInput({ indicators: indicators({ ready: false, count: 12, required: 34, natr: null }) }),
    );
    expect(detailOf(d)).toBe("warming up (12/34 candles)");
  });

  test("stale candles", () => {
    // last candle opened 5 minutes ago, ended 4 minutes (240 s) ago > 180 s
    const d = computeQuotes(quoteInput({ indicators: indicators({ lastCandleTs: NOW - 300_000 }) }));
    expect(detailOf(d)).toContain("stale candles: last closed candle ended 240 s ago");
  });

  test("no equity at all", () => {
    expect(detailOf(computeQuotes(quoteInput({ inventory: { base: 0, quote: 0 } })))).toContain("no equity");
  });

  test("NaN balance", () => {
    expect(detailOf(computeQuotes(quoteInput({ inventory: { base: NaN, quote: 1 } })))).toContain("bad balances");
  });
});

describe("step rounding", () => {
  test.each([
    [2000.03, 0.01, 2000.03, 2000.03], // exact multiple despite 2000.03 / 0.01 = 200002.99999999997
    [2000.031, 0.01, 2000.03, 2000.04],
    [0.0123, 0.001, 0.012, 0.013],
    [17, 5, 15, 20],
    // 30 million steps and more: x / step is off by a few units in the last place either way
    [300000.03, 0.01, 300000.03, 300000.03], // / 0.01 = 30000003.000000004 (ceil took it a tick up)
    [300000.04, 0.01, 300000.04, 300000.04], // / 0.01 = 30000003.999999996 (floor took it a tick down)
    [300000.045, 0.01, 300000.04, 300000.05], // off the grid: rounded as asked
    [123456789.01, 0.01, 123456789.01, 123456789.01], // 12,345,678,901 steps
  ])("%p on step %p: floor %p, ceil %p", (x: number, step: number, down: number, up: number) => {
    expect(floorToStep(x, step)).toBe(down);
    expect(ceilToStep(x, step)).toBe(up);
  });
});
