import { describe, expect, test } from "bun:test";
import { avellanedaStoikov, inventoryInOrders } from "../../lib/core/avellaneda.ts";
import { computeQuotes } from "../../lib/core/quoting.ts";
import type { Quoted } from "../../lib/core/quote-record.ts";
import { Indicators } from "../../lib/core/indicators.ts";
import { indicators, quoteInput } from "../fixtures.ts";

const AS = ["strategy.profile=as", "strategy.as_gamma=0.5", "strategy.as_kappa=1000", "strategy.as_tau_min=30"];

describe("Avellaneda–Stoikov (profile as)", () => {
  test("worked numbers: γ 0.5, κ 1000, σ 0.001, τ 30 min, q 4", () => {
    // γσ²τ = 0.5 × 1e-6 × 30 = 1.5e-5; r / mid − 1 = −4 × 1.5e-5 = −6e-5
    // total spread 1.5e-5 + (2 / 0.5) × ln(1 + 0.5 / 1000) = 1.5e-5 + 4 × 0.000499875042 = 0.00201450017; half 0.00100725008
    const f = avellanedaStoikov({ as_gamma: 0.5, as_kappa: 1000, as_tau_min: 30 }, 0.001, 4);
    expect(f.reservationShift).toBeCloseTo(-6e-5, 15);
    expect(f.halfSpread).toBeCloseTo(0.00100725008, 11);
  });

  test("q in order sizes: spot base over the target's, perp position", () => {
    // 1.04 base + 2880 quote at 3000: equity 6000, target base 0.5 × 6000 / 3000 = 1; (1.04 − 1) / 0.01 = 4
    expect(inventoryInOrders({ base: 1.04, quote: 2880 }, 3000, false, 0.5, 0.01)).toBeCloseTo(4, 9);
    expect(inventoryInOrders({ base: 0, quote: 5000, position: -0.03 }, 3000, true, 0.5, 0.01)).toBeCloseTo(-3, 9);
  });

  test("quotes: r = 3000 × (1 − 6e-5) = 2999.82; bid 2996.7984 → 2996.79, ask 3002.8416 → 3002.85", () => {
    const d = computeQuotes(quoteInput(
      { inventory: { base: 1.04, quote: 2880 }, indicators: indicators({ sigma: 0.001 }) },
      ...AS,
    )) as Quoted;
    expect(d.figures.reference).toBeCloseTo(2999.82, 9);
    expect(d.bid?.price).toBe(2996.79);
    expect(d.ask?.price).toBe(3002.85);
    expect(d.figures.as?.q).toBeCloseTo(4, 9);
  });

  test("the fee floor holds: a 10 bps maker fee keeps each side ≥ 10 bps from mid", () => {
    // κ 1e6: spread ≈ 2 / κ = 2e-6 in all, far under the fee; the floor puts bid at 2997.00 and ask at 3003.00
    const d = computeQuotes(quoteInput({ makerFeeBps: 10 }, ...AS, "strategy.as_kappa=1000000")) as Quoted;
    expect(d.bid?.price).toBe(2997);
    expect(d.ask?.price).toBe(3003);
  });

  test("no σ yet: stands aside with the reason", () => {
    const d = computeQuotes(quoteInput({ indicators: indicators({ sigma: null }) }, ...AS));
    expect(d.action).toBe("stand_aside");
  });

  test("σ: the deviation of the last natr_period 1m log returns", () => {
    // closes 100, 101, 100: returns ln 1.01 and −ln 1.01, mean 0, σ = ln 1.01 = 0.00995033085
    const ind = new Indicators({
      profile: "as",
      natr_period: 2,
      macd_fast: 12,
      macd_slow: 26,
      macd_signal: 9,
      rsi_period: 14,
    });
    [100, 101, 100].forEach((c, i) => ind.add({ ts: i * 60_000, open: c, high: c, low: c, close: c, volume: 1 }));
    expect(ind.snapshot().sigma).toBeCloseTo(0.00995033085, 10);
    // one more, 100 → 103: the window is now −ln 1.01 and ln 1.03: mean 0.0098049, σ = |ln 1.03 + ln 1.01| / 2
    ind.add({ ts: 3 * 60_000, open: 103, high: 103, low: 103, close: 103, volume: 1 });
    expect(ind.snapshot().sigma).toBeCloseTo((Math.log(1.03) + Math.log(1.01)) / 2, 10);
  });
});
