import { describe, expect, test } from "bun:test";
import { computeQuotes } from "../../lib/core/quoting.ts";
import { unwind } from "../../lib/core/unwind.ts";
import { config, FIXED_10_10, quoted, quoteInput } from "../fixtures.ts";

// fixed 10 / 10 bps at mid 3000 (book 2999.99 / 3000.01), no seed shift, NATR 0.05 % (the fixture's), a perp; the
// unwind at 4 NATR (4 × 0.05 / 100 = 0.002: 20 bps under water) with the reducing side 0.5 NATR (2.5 bps) from mid
const PERP = [...FIXED_10_10, "market.type=perp"];
const UNWIND = ["strategy.unwind_natr=4", "strategy.unwind_offset_natr=0.5"];
const perp = (position: number, entryPrice: number | null, ...sets: string[]) =>
  quoted(computeQuotes(quoteInput({ inventory: { base: 0, quote: 5000, position, entryPrice } }, ...PERP, ...sets)));

describe("unwind: loss = sign(position) × ln(entry / mid); past unwind_natr × natr / 100 the adding side stands aside", () => {
  const p = { unwind_natr: 4, unwind_offset_natr: 0.5 };
  test.each([
    // position, entry, mid, adding side (null: no unwind); threshold 0.002
    [0.1, 3010, 3000, "buy"], // a long 33.3 bps under water (ln(3010 / 3000) = 0.0033278)
    [-0.1, 3000 * 3000 / 3010, 3000, "sell"], // the mirror: a short at 2990.03, ln(3000 / 2990.03) = 0.0033278
    [0.1, 3005, 3000, null], // 16.6 bps: within the threshold
    [-0.1, 2995, 3000, null], // the mirror, within
    [0.1, 2990, 3000, null], // a long in profit
    [-0.1, 3010, 3000, null], // a short in profit
    [0, 3010, 3000, null], // flat
    [0.1, null, 3000, null], // no entry price
  ] as [number, number | null, number, string | null][])(
    "position %p from %p at mid %p: adding side %p",
    (position: number, entry: number | null, mid: number, adding: string | null) => {
      expect(unwind(p, position, entry, mid, 0.05)?.adding ?? null).toBe(adding);
    },
  );

  test("the figures: loss, threshold and the reducing side's offset, fractions", () => {
    const u = unwind(p, 0.1, 3010, 3000, 0.05)!;
    expect(u.loss).toBeCloseTo(Math.log(3010 / 3000), 15);
    expect(u.loss).toBeCloseTo(0.0033278, 7);
    expect(u.threshold).toBeCloseTo(0.002, 15);
    expect(u.offset).toBeCloseTo(0.00025, 15);
    // the mirrored short is as far under water
    expect(unwind(p, -0.1, 3000 * 3000 / 3010, 3000, 0.05)!.loss).toBeCloseTo(u.loss, 12);
  });

  test("off: unwind_natr 0 (the seed and default), or a NATR that makes the threshold wider than the loss", () => {
    expect(config().strategy.unwind_natr).toBe(0);
    expect(unwind({ ...p, unwind_natr: 0 }, 0.1, 3500, 3000, 0.05)).toBeNull();
    // at NATR 0.1 % the threshold is 40 bps: 33.3 bps is within
    expect(unwind(p, 0.1, 3010, 3000, 0.1)).toBeNull();
  });
});

describe("quotes with the unwind", () => {
  test("a long 33.3 bps under water: no bid (reason unwind), the ask 2.5 bps from mid at 3000.75", () => {
    // ask = min(3000 × 1.001, 3000 × (1 + 0.5 × 0.05 / 100)) = min(3003.00, 3000.75) = 3000.75
    const d = perp(0.1, 3010, ...UNWIND);
    expect(d.bid).toBeNull();
    expect(d.bids).toEqual([]);
    expect(d.skipped.bid).toEqual({
      reason: "unwind",
      detail:
        "the long is 33.3 bps under water (unwind 20.0 bps): not adding to it, the ask 2.5 bps from mid hands it back",
    });
    expect(d.ask!.price).toBe(3000.75);
    expect(d.skipped.ask).toBeUndefined();
    expect(d.figures.askDistanceBps).toBeCloseTo(2.5, 6);
  });

  test("the mirror: a short as far under water: no ask, the bid at 3000 × (1 − 0.00025) = 2999.25", () => {
    const d = perp(-0.1, 3000 * 3000 / 3010, ...UNWIND);
    expect(d.ask).toBeNull();
    expect(d.skipped.ask?.reason).toBe("unwind");
    expect(d.skipped.ask?.detail).toBe(
      "the short is 33.3 bps under water (unwind 20.0 bps): not adding to it, the bid 2.5 bps from mid hands it back",
    );
    expect(d.bid!.price).toBe(2999.25);
    expect(d.figures.bidDistanceBps).toBeCloseTo(2.5, 6);
  });

  test("within the threshold, in profit, or off: the quotes are the normal ones (2997.00 / 3003.00)", () => {
    for (
      const d of [
        perp(0.1, 3005, ...UNWIND),
        perp(-0.1, 2995, ...UNWIND),
        perp(0.1, 2990, ...UNWIND),
        perp(0.1, 3010),
        perp(0.1, 3010, "strategy.unwind_natr=0", "strategy.unwind_offset_natr=0.5"),
      ]
    ) {
      expect([d.bid?.price, d.ask?.price]).toEqual([2997, 3003]);
      expect(d.skipped).toEqual({});
    }
  });

  test("never crossing: offset 0 leaves the reducing side at min_spread_bps (1 bps: 3000.30), outside the book", () => {
    const d = perp(0.1, 3010, "strategy.unwind_natr=4", "strategy.unwind_offset_natr=0");
    expect(d.ask!.price).toBe(3000.3);
    // with min_spread_bps at its smallest the book holds it: the best ask 3000.01, a tick above the mid
    const tight = perp(
      0.1,
      3010,
      "strategy.unwind_natr=4",
      "strategy.unwind_offset_natr=0",
      "strategy.min_spread_bps=0.001",
    );
    expect(tight.ask!.price).toBe(3000.01);
    const short = perp(
      -0.1,
      2990,
      "strategy.unwind_natr=4",
      "strategy.unwind_offset_natr=0",
      "strategy.min_spread_bps=0.001",
    );
    expect(short.bid!.price).toBe(2999.99);
  });

  test("the fee floor still holds: offset 1 bps under a 2 bps maker fee sits at 2 bps (3000.60)", () => {
    const c = config(...PERP, "strategy.unwind_natr=4", "strategy.unwind_offset_natr=0.2");
    const d = quoted(computeQuotes(quoteInput({
      inventory: { base: 0, quote: 5000, position: 0.1, entryPrice: 3010 },
      marketType: "perp",
      params: c.strategy,
      makerFeeBps: 2,
    })));
    expect(d.ask!.price).toBe(3000.6);
  });

  test("the reducing side keeps its own quote when that is nearer (offset 3 NATR = 15 bps > 10 bps: 3003.00)", () => {
    const d = perp(0.1, 3010, "strategy.unwind_natr=4", "strategy.unwind_offset_natr=3");
    expect(d.bid).toBeNull();
    expect(d.ask!.price).toBe(3003);
  });

  test("spot has no position entry: nothing changes", () => {
    const c = config(...FIXED_10_10, ...UNWIND);
    const d = quoted(computeQuotes(quoteInput({ params: c.strategy })));
    expect([d.bid?.price, d.ask?.price]).toEqual([2997, 3003]);
  });
});
