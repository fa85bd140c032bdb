import { describe, expect, test } from "bun:test";
import { computeQuotes } from "../../lib/core/quoting.ts";
import { rangeGuard } from "../../lib/core/range-guard.ts";
import { Indicators, requiredCandles } from "../../lib/core/indicators.ts";
import { bar, config, FIXED_10_10, indicators, quoted, quoteInput } from "../fixtures.ts";

// fixed 10 / 10 bps at mid 3000 (book 2999.99 / 3000.01), no seed shift; NATR 0.05 % (the fixture's)
const CALM = ["strategy.range_guard_natr=2", "strategy.range_guard_widen=1"];
const MOVE = ["strategy.move_guard_natr=2", "strategy.move_guard_widen=1"];

describe("rangeGuard: past range_guard_natr × natr / 100, both sides get range_guard_widen × range", () => {
  const p = { range_guard_natr: 2, range_guard_widen: 1.5 };
  test.each([
    // range, natr %, extra each side: threshold 2 × 0.05 / 100 = 0.001
    [0.003, 0.05, 0.0045], // a 30 bps candle: each side 1.5 × 30 = 45 bps further out
    [0.0009, 0.05, 0], // 9 bps is under the 10 bps threshold
    [0.001, 0.05, 0], // at the threshold: not past it
    [0.003, 0.2, 0], // at NATR 0.2 % the threshold is 40 bps
  ])("range %p at NATR %p: + %p", (range: number, natr: number, extra: number) => {
    expect(rangeGuard(p, range, natr)).toBeCloseTo(extra, 12);
  });

  test("off: threshold 0, widen 0, no range yet, or a range that is not a number", () => {
    expect(rangeGuard({ ...p, range_guard_natr: 0 }, 0.05, 0.05)).toBe(0);
    expect(rangeGuard({ ...p, range_guard_widen: 0 }, 0.05, 0.05)).toBe(0);
    expect(rangeGuard(p, null, 0.05)).toBe(0);
    expect(rangeGuard(p, Infinity, 0.05)).toBe(0);
  });
});

describe("quotes with the calm filter", () => {
  test("after a 30 bps candle both sides stand 40 bps off: bid 2988.00, ask 3012.00", () => {
    // threshold 2 × 0.05 % = 10 bps < 30: each spread 0.001 + 1 × 0.003 = 0.004 → 3000 × 0.996, 3000 × 1.004
    const d = quoted(computeQuotes(quoteInput({ indicators: indicators({ range: 0.003 }) }, ...FIXED_10_10, ...CALM)));
    expect(d.bid!.price).toBe(2988);
    expect(d.ask!.price).toBe(3012);
    expect(d.figures.bidSpreadBps).toBeCloseTo(40, 9);
    expect(d.figures.askSpreadBps).toBeCloseTo(40, 9);
  });

  test("with the fast-move guard too, the run-over side gets both: bid 2979.00 after a 30 bps fall", () => {
    // bid 0.001 + 0.003 (move) + 0.003 (range) = 0.007 → 2979.00; ask 0.001 + 0.003 = 0.004 → 3012.00
    const ind = indicators({ range: 0.003, move: -0.003 });
    const d = quoted(computeQuotes(quoteInput({ indicators: ind }, ...FIXED_10_10, ...CALM, ...MOVE)));
    expect(d.bid!.price).toBe(2979);
    expect(d.ask!.price).toBe(3012);
  });

  test("off at the schema default 0: the same candle leaves the quotes as they were (2997.00 / 3003.00)", () => {
    expect(config().strategy.range_guard_natr).toBe(0);
    const d = quoted(computeQuotes(quoteInput({ indicators: indicators({ range: 0.003 }) }, ...FIXED_10_10)));
    expect(d.bid!.price).toBe(2997);
    expect(d.ask!.price).toBe(3003);
  });
});

describe("the range: the largest ln(high / low) of the last range_guard_min closed candles", () => {
  const calmIndicators = () =>
    new Indicators(config("strategy.profile=fixed", "strategy.natr_period=2", "strategy.range_guard_min=3").strategy);
  // ranges (high / low): 1.05, 1.01, 1.02, 1.03, 1.01
  const candles = [[105, 100], [101, 100], [102, 100], [103, 100], [101, 100]].map(([h, l], i) =>
    bar(i * 60_000, l, h, l, h)
  );

  test("over 3 candles the wide first one has dropped out: ln(1.03), not ln(1.05)", () => {
    const ind = calmIndicators();
    for (const c of candles) ind.add(c);
    expect(ind.snapshot().range).toBeCloseTo(Math.log(1.03), 12);
  });

  test("while the wide candle is among the last 3 it counts: after 3 candles ln(1.05)", () => {
    const ind = calmIndicators();
    for (const c of candles.slice(0, 3)) ind.add(c);
    expect(ind.snapshot().range).toBeCloseTo(Math.log(1.05), 12);
    ind.add(candles[3]);
    expect(ind.snapshot().range).toBeCloseTo(Math.log(1.03), 12);
  });

  test("the mirror (p → P0² / p swaps high and low) has the same range", () => {
    const p0 = 100, mirror = (p: number) => p0 * p0 / p;
    const ind = calmIndicators(), mirrored = calmIndicators();
    for (const c of candles) {
      ind.add(c);
      mirrored.add(bar(c.ts, mirror(c.open), mirror(c.low), mirror(c.high), mirror(c.close)));
    }
    expect(mirrored.snapshot().range).toBeCloseTo(ind.snapshot().range!, 12);
  });
});

describe("warm-up with the calm filter on: its candles too", () => {
  test.each([
    // fixed on NATR 30: 30 candles; a filter over 40 candles needs 40; off, the span does not count
    [["strategy.range_guard_natr=2", "strategy.range_guard_min=40"], 40],
    [["strategy.range_guard_natr=2", "strategy.range_guard_min=5"], 30],
    [["strategy.range_guard_natr=0", "strategy.range_guard_min=40"], 30],
  ])("%p: %p candles", (sets: string[], n: number) => {
    expect(requiredCandles(config("strategy.profile=fixed", ...sets).strategy)).toBe(n);
  });
});
