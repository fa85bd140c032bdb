import { describe, expect, test } from "bun:test";
import { computeQuotes } from "../../lib/core/quoting.ts";
import { moveGuard } from "../../lib/core/move-guard.ts";
import { Indicators, requiredCandles } from "../../lib/core/indicators.ts";
import { config, FIXED_10_10, flat, indicators, quoted, quoteInput } from "../fixtures.ts";

// fixed 10 / 10 bps at mid 3000 (book 2999.99 / 3000.01), no seed shift; NATR 0.05 % (the fixture's)
const SETS = FIXED_10_10;
const GUARD = ["strategy.move_guard_natr=2", "strategy.move_guard_widen=1"];

describe("moveGuard: past move_guard_natr × natr / 100, the run-over side gets move_guard_widen × |move|", () => {
  const p = { move_guard_natr: 2, move_guard_widen: 1.5, move_guard_away: 0 };
  test.each([
    // move, natr %, extra bid, extra ask: threshold 2 × 0.05 / 100 = 0.001
    [-0.003, 0.05, 0.0045, 0], // a 30 bps fall: the bid 1.5 × 30 = 45 bps further out
    [0.003, 0.05, 0, 0.0045], // the same rise (the mirror): the ask, by as much
    [-0.0009, 0.05, 0, 0], // 9 bps is under the 10 bps threshold
    [-0.001, 0.05, 0, 0], // at the threshold: not past it
    [-0.003, 0.2, 0, 0], // at NATR 0.2 % the threshold is 40 bps
  ])("move %p at NATR %p: bid + %p, ask + %p", (move: number, natr: number, bid: number, ask: number) => {
    const g = moveGuard(p, move, natr);
    expect(g.bid).toBeCloseTo(bid, 12);
    expect(g.ask).toBeCloseTo(ask, 12);
  });

  test("off: threshold 0, widen and away 0, or no move yet", () => {
    expect(moveGuard({ ...p, move_guard_natr: 0 }, -0.05, 0.05)).toEqual({ bid: 0, ask: 0 });
    expect(moveGuard({ ...p, move_guard_widen: 0 }, -0.05, 0.05)).toEqual({ bid: 0, ask: 0 });
    expect(moveGuard(p, null, 0.05)).toEqual({ bid: 0, ask: 0 });
  });
});

describe("moveGuard's other side: the side the move runs away from gets move_guard_away × |move|", () => {
  const p = { move_guard_natr: 2, move_guard_widen: 1.5, move_guard_away: 0.5 };
  test.each([
    // threshold 2 × 0.05 / 100 = 0.001; a 30 bps move: the run-over side 45 bps, the other 15 bps
    [-0.003, 0.0045, 0.0015], // a fall: the bid runs over, the ask is the side it runs away from
    [0.003, 0.0015, 0.0045], // the same rise (the mirror): the other way round
    [-0.0009, 0, 0], // under the threshold: neither
  ])("move %p: bid + %p, ask + %p", (move: number, bid: number, ask: number) => {
    const g = moveGuard(p, move, 0.05);
    expect(g.bid).toBeCloseTo(bid, 12);
    expect(g.ask).toBeCloseTo(ask, 12);
  });

  test("on with widen 0: only the side the move runs away from (after a 30 bps rise the bid, 15 bps)", () => {
    const g = moveGuard({ ...p, move_guard_widen: 0 }, 0.003, 0.05);
    expect(g.bid).toBeCloseTo(0.0015, 12);
    expect(g.ask).toBe(0);
  });

  test("quotes after a 30 bps rise with away 1 and widen 0: bid 2988.00, ask 3003.00", () => {
    // bid spread 0.001 + 1 × 0.003 = 0.004 → 3000 × 0.996 = 2988.00; the ask stays 3003.00
    const sets = [...SETS, "strategy.move_guard_natr=2", "strategy.move_guard_widen=0", "strategy.move_guard_away=1"];
    const d = quoted(computeQuotes(quoteInput({ indicators: indicators({ move: 0.003 }) }, ...sets)));
    expect(d.bid!.price).toBe(2988);
    expect(d.ask!.price).toBe(3003);
  });
});

describe("quotes with the fast-move guard", () => {
  test("after a 30 bps fall the bid stands 40 bps off, the ask stays at 10", () => {
    // threshold 2 × 0.05 % = 10 bps < 30: bid spread 0.001 + 1 × 0.003 = 0.004 → 3000 × 0.996 = 2988.00; ask 3003.00
    const d = quoted(computeQuotes(quoteInput({ indicators: indicators({ move: -0.003 }) }, ...SETS, ...GUARD)));
    expect(d.bid!.price).toBe(2988);
    expect(d.ask!.price).toBe(3003);
    expect(d.figures.bidSpreadBps).toBeCloseTo(40, 9);
  });

  test("after the same rise, the mirror image: the ask 3012.00, the bid 2997.00", () => {
    const d = quoted(computeQuotes(quoteInput({ indicators: indicators({ move: 0.003 }) }, ...SETS, ...GUARD)));
    expect(d.bid!.price).toBe(2997);
    expect(d.ask!.price).toBe(3012);
  });

  test("off at the seed value 0: the same fall leaves the quotes as they were (2997.00 / 3003.00)", () => {
    expect(config().strategy.move_guard_natr).toBe(0);
    const d = quoted(computeQuotes(quoteInput({ indicators: indicators({ move: -0.003 }) }, ...SETS)));
    expect(d.bid!.price).toBe(2997);
    expect(d.ask!.price).toBe(3003);
  });
});

describe("the move: close_last / close_{move_guard_min before} − 1", () => {
  test("over 3 candles: closes 100, 101, 99, 98, 97 → 97 / 101 − 1", () => {
    const ind = new Indicators(
      config("strategy.profile=fixed", "strategy.natr_period=2", "strategy.move_guard_min=3")
        .strategy,
    );
    const closes = [100, 101, 99, 98, 97];
    for (const c of flat(0, closes.length, (i) => closes[i])) ind.add(c);
    expect(ind.snapshot().move).toBeCloseTo(97 / 101 - 1, 12);
  });

  test("null until move_guard_min + 1 candles are in", () => {
    const ind = new Indicators(
      config("strategy.profile=fixed", "strategy.natr_period=2", "strategy.move_guard_min=3")
        .strategy,
    );
    for (const c of flat(0, 3, (i) => 100 + i)) ind.add(c);
    expect(ind.snapshot().ready).toBe(true);
    expect(ind.snapshot().move).toBeNull();
    ind.add(flat(3 * 60_000, 1, () => 106)[0]);
    expect(ind.snapshot().move).toBeCloseTo(106 / 100 - 1, 12);
  });
});

describe("warm-up with the guard on: the move's closes too", () => {
  test.each([
    // fixed on NATR 30: 30 candles; a guard over 40 candles needs 41 closes; off, the span does not count
    [["strategy.move_guard_natr=2", "strategy.move_guard_min=40"], 41],
    [["strategy.move_guard_natr=2", "strategy.move_guard_min=5"], 30],
    [["strategy.move_guard_natr=0", "strategy.move_guard_min=40"], 30],
  ])("%p: %p candles", (sets: string[], n: number) => {
    expect(requiredCandles(config("strategy.profile=fixed", ...sets).strategy)).toBe(n);
  });
});
