import { describe, expect, test } from "bun:test";
import { maxDrawdownPct } from "../../lib/core/drawdown.ts";

describe("maxDrawdownPct", () => {
  test("the largest fall from the running peak, not from the first value nor to the lowest", () => {
    // peaks 100, 110; falls 110 → 99 (10 %) and 110 → 88 (20 %); 120 after them is a new peak, no fall
    expect(maxDrawdownPct([100, 110, 99, 105, 88, 120])).toBeCloseTo(20, 12);
    expect(maxDrawdownPct([88, 120])).toBe(0);
    expect(maxDrawdownPct([])).toBe(0);
  });

  test("a starting peak counts (the backtest's initial equity): 1000 then 900 is 10 %", () => {
    expect(maxDrawdownPct([900, 950], 1000)).toBe(10);
    expect(maxDrawdownPct(new Float64Array([900, 950]))).toBe(0); // without it, 900 is the first peak
  });
});
