import { describe, expect, test } from "bun:test";
import { CandleHistory } from "../../lib/engine/candles.ts";
import type { ExchangePort } from "../../lib/venues/port.ts";
import type { Candle } from "../../lib/core/types.ts";
import { bar, config } from "../fixtures.ts";

// eight candles whose high / low is 1.01 except the fourth from the end (1.05): the widest of the last 3 is 1.01,
// of the last 5 it is 1.05
const CANDLES = [1.01, 1.01, 1.01, 1.01, 1.05, 1.01, 1.01, 1.01].map((r, i) => bar(i * 60_000, 100, 100 * r, 100, 100));
const NOW = CANDLES.length * 60_000 + 1_000;

/** A venue that answers closedCandles from CANDLES and counts the full reloads (since null). */
function venue() {
  const calls = { reloads: 0 };
  const port = {
    closedCandles: (since: number | null, limit: number): Candle[] => {
      if (since === null) calls.reloads++;
      return CANDLES.filter((c) => since === null || c.ts > since).slice(-limit);
    },
  } as unknown as ExchangePort;
  return { port, calls };
}

const params = (...sets: string[]) =>
  config("strategy.profile=fixed", "strategy.natr_period=2", "strategy.range_guard_natr=2", ...sets).strategy;

describe("the candle history reloads when the calm filter's span changes, not when its widening does", () => {
  test("span 3 → 5: the indicators start over from reloaded candles and the range covers the wide candle", () => {
    const { port, calls } = venue();
    const h = new CandleHistory(params("strategy.range_guard_min=3"));
    h.update(port, NOW);
    expect(h.snapshot().range).toBeCloseTo(Math.log(1.01), 12);
    h.reconfigure(params("strategy.range_guard_min=3", "strategy.range_guard_widen=2"));
    h.update(port, NOW);
    expect(calls.reloads).toBe(1);
    h.reconfigure(params("strategy.range_guard_min=5"));
    h.update(port, NOW);
    expect(calls.reloads).toBe(2);
    expect(h.snapshot().range).toBeCloseTo(Math.log(1.05), 12);
  });

  test("turning the filter on reloads too (its warm-up counts only when on)", () => {
    const { port, calls } = venue();
    const h = new CandleHistory(params("strategy.range_guard_natr=0"));
    h.update(port, NOW);
    h.reconfigure(params());
    h.update(port, NOW);
    expect(calls.reloads).toBe(2);
  });
});
