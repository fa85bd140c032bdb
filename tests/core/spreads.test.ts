/** The fee floor (lib/core/spreads.ts) with worked numbers: in the quotes, in the warning, in /params. */
import { describe, expect, test } from "bun:test";
import { computeQuotes, type QuoteDecision } from "../../lib/core/quoting.ts";
import { feeFloorBps, feeFloorWarning, modelSpreads } from "../../lib/core/spreads.ts";
import { paramsText } from "../../lib/control/reports.ts";
import { config, indicators, quoteInput } from "../fixtures.ts";

function quoted(d: QuoteDecision) {
  if (d.action !== "quote") throw new Error(`expected quotes, got stand_aside: ${d.reason}`);
  return d;
}

// Mid 3000 (book 2999.99 / 3000.01), balanced, no trend: reference = mid; multipliers 120 / 60.
const seed = ["strategy.bid_spread_multiplier=120", "strategy.ask_spread_multiplier=60"];
const at = (natr: number, fee: number, ...sets: string[]) =>
  quoted(computeQuotes(quoteInput({ indicators: indicators({ natr }), makerFeeBps: fee }, ...seed, ...sets)));

describe("fee floor in the quotes", () => {
  test("spreads under the fee are held at the fee from mid, and a round trip between them breaks even", () => {
    // natr 0.05: model bid 6 bps, ask 3 bps; fee 10 bps → bid 3000 × 0.999 = 2997.00, ask 3000 × 1.001 = 3003.00
    const d = at(0.05, 10);
    expect(d.figures.bidSpreadBps).toBeCloseTo(6, 10); // the model's figures are the seed formula's
    expect(d.bid!.price).toBe(2997);
    expect(d.ask!.price).toBe(3003);
    // buy at the bid paying 10 bps, sell at the ask paying 10 bps: 3003 × 0.999 − 2997 × 1.001 = 0
    expect(d.ask!.price * 0.999 - d.bid!.price * 1.001).toBeCloseTo(0, 9);
    expect(d.figures.bidDistanceBps).toBeCloseTo(10, 9);
  });

  test("off, the seed formula alone: bid 3000 × 0.9994 = 2998.20, ask 3000 × 1.0003 = 3000.90", () => {
    const d = at(0.05, 10, "strategy.fee_floor=false");
    expect([d.bid!.price, d.ask!.price]).toEqual([2998.2, 3000.9]);
  });

  test("above the floor nothing changes: natr 0.2 gives bid 24 bps (2992.80), ask 12 bps (3003.60)", () => {
    for (const onOff of ["true", "false"]) {
      const d = at(0.2, 10, `strategy.fee_floor=${onOff}`);
      expect([d.bid!.price, d.ask!.price]).toEqual([2992.8, 3003.6]);
    }
  });

  test("each side on its own: natr 0.1 keeps the bid at 12 bps (2996.40) and lifts the ask from 6 to 10 bps", () => {
    const d = at(0.1, 10);
    expect([d.bid!.price, d.ask!.price]).toEqual([2996.4, 3003]);
  });

  test("a rebate adds no floor; min_spread_bps still holds", () => {
    const d = at(0.05, -1);
    expect([d.bid!.price, d.ask!.price]).toEqual([2998.2, 3000.9]);
    // min_spread 8 bps beats a 2 bps fee: bid 3000 × 0.9992 = 2997.60, ask 3000 × 1.0008 = 3002.40
    const m = at(0.05, 2, "strategy.min_spread_bps=8");
    expect([m.bid!.price, m.ask!.price]).toEqual([2997.6, 3002.4]);
  });

  test("fixed profile: 5 / 5 bps under a 10 bps fee is held at 10", () => {
    const d = quoted(
      computeQuotes(
        quoteInput(
          { makerFeeBps: 10 },
          "strategy.profile=fixed",
          "strategy.fixed_bid_spread_bps=5",
          "strategy.fixed_ask_spread_bps=5",
        ),
      ),
    );
    expect([d.bid!.price, d.ask!.price]).toEqual([2997, 3003]);
  });

  test("the floor and the model spreads by formula", () => {
    expect(feeFloorBps({ fee_floor: true }, 10)).toBe(10);
    expect(feeFloorBps({ fee_floor: false }, 10)).toBe(0);
    expect(feeFloorBps({ fee_floor: true }, -2)).toBe(0);
    const s = modelSpreads(config(...seed).strategy, 0.05);
    expect([s.bid * 10_000, s.ask * 10_000].map((x) => Number(x.toFixed(9)))).toEqual([6, 3]);
  });
});

describe("fee floor warning", () => {
  const p = (...sets: string[]) => config(...seed, ...sets).strategy;

  test("names NATR, the spreads under the fee, the fee and what the floor does", () => {
    expect(feeFloorWarning(p(), 10, 0.05)).toBe(
      "at NATR 0.050 % the configured bid spread 6.0 bps and ask spread 3.0 bps are under the maker fee of 10 bps a side: " +
        "quotes are held 10 bps from mid by the fee floor (strategy.fee_floor); raise " +
        "strategy.bid_spread_multiplier / ask_spread_multiplier to quote wider by design",
    );
    expect(feeFloorWarning(p("strategy.fee_floor=false"), 10, 0.05)).toContain(
      "strategy.fee_floor is off, so a round trip between such quotes loses money",
    );
  });

  test("silent above the fee, with a rebate, or before NATR is known; fixed needs no NATR", () => {
    // natr 0.1: ask 60 × 0.1 / 10000 = 6 bps < 10 → warns; natr 0.17: ask 10.2 bps → silent
    expect(feeFloorWarning(p(), 10, 0.1)).toContain("the configured ask spread 6.0 bps is under the maker fee"); // bid 12
    expect(feeFloorWarning(p(), 10, 0.17)).toBeNull();
    expect(feeFloorWarning(p(), -1, 0.05)).toBeNull();
    expect(feeFloorWarning(p(), 10, null)).toBeNull();
    const fixed = p("strategy.profile=fixed", "strategy.fixed_bid_spread_bps=12", "strategy.fixed_ask_spread_bps=8");
    expect(feeFloorWarning(fixed, 10, null)).toContain("the configured ask spread 8.0 bps is under"); // bid 12 is not
  });

  test("/params shows it first, and not when the spreads clear the fee", () => {
    const c = config(...seed);
    const text = paramsText(c, {}, 0.05);
    expect(text.split("\n")[1]).toStartWith(
      "⚠️ Fee floor: at NATR 0.050 % the configured bid spread 6.0 bps and ask spread 3.0 bps are",
    );
    expect(paramsText(c, {}, 0.3)).not.toContain("Fee floor");
    expect(paramsText(c, {})).not.toContain("Fee floor");
    expect(text).toContain("  strategy.fee_floor = true");
  });
});
