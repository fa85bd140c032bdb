import { describe, expect, test } from "bun:test";
import { drawdownPct, riskEquity, riskGate, type RiskState } from "../../lib/core/risk.ts";
import { closedBreaker, isOpen, tickFailed, tickSucceeded } from "../../lib/core/breaker.ts";
import type { RiskLimits } from "../../lib/core/params.ts";
import { NOW } from "../fixtures.ts";

const LIMITS: RiskLimits = {
  max_drawdown_pct: 10,
  max_natr_pct: 1,
  max_book_age_s: 30,
  max_consecutive_errors: 3,
  pull_quotes_on_error: true,
  dead_man_s: 0,
  shutdown_timeout_s: 30,
};

/** Everything fine: fresh book, calm NATR, equity at its peak. */
const state = (over: Partial<RiskState> = {}): RiskState => ({
  killSwitch: false,
  nowMs: NOW,
  bookTs: NOW,
  natr: 0.05,
  equity: 1000,
  peakEquity: 1000,
  ...over,
});

const reasonOf = (s: RiskState) => {
  const g = riskGate(s, LIMITS);
  return g.ok ? "ok" : g.reason;
};

describe("drawdownPct", () => {
  test.each([
    // (1 − 900.1 / 1000) × 100 = 9.99
    [900.1, 1000, 9.99],
    // (1 − 750 / 1000) × 100 = 25
    [750, 1000, 25],
    // above the peak: (1 − 1100 / 1000) × 100 = −10
    [1100, 1000, -10],
    // no peak yet: 0, not a division by zero
    [500, 0, 0],
  ])("equity %p, peak %p → drawdown %p percent", (equity: number, peak: number, pct: number) => {
    expect(drawdownPct(equity, peak)).toBeCloseTo(pct, 9);
  });
});

describe("riskGate", () => {
  test("all fine: ok", () => {
    expect(riskGate(state(), LIMITS)).toEqual({ ok: true });
  });

  test("kill switch already tripped stops quoting even at the peak", () => {
    expect(reasonOf(state({ killSwitch: true }))).toBe("kill_switch");
  });

  test("drawdown 9.99 % (equity 900.1 of peak 1000) is below the 10 % limit: ok", () => {
    expect(reasonOf(state({ equity: 900.1 }))).toBe("ok");
  });

  test("drawdown 10.01 % (equity 899.9 of peak 1000) trips the kill switch", () => {
    // (1 − 899.9 / 1000) × 100 = 10.01 ≥ 10
    expect(riskGate(state({ equity: 899.9 }), LIMITS)).toEqual({
      ok: false,
      reason: "kill_switch",
      detail: "drawdown 10.01 % reached the limit of 10 %",
    });
  });

  // (1 − 900 / 1000) × 100 is 9.999999999999998 in floating point and missed the `≥`; (1000 − 900) / 1000 × 100 is 10.
  test("drawdown exactly 10 % (equity 900 of peak 1000) trips the kill switch (≥)", () => {
    expect(reasonOf(state({ equity: 900 }))).toBe("kill_switch");
  });

  test("kill switch comes before stale data", () => {
    expect(reasonOf(state({ killSwitch: true, bookTs: NOW - 60_000 }))).toBe("kill_switch");
  });

  test("book 31 s old with max 30 s: stale", () => {
    expect(riskGate(state({ bookTs: NOW - 31_000 }), LIMITS)).toEqual({
      ok: false,
      reason: "stale_book",
      detail: "order book is 31 s old (max 30 s)",
    });
  });

  test("book exactly 30 s old: still ok (stale only when older than the max)", () => {
    expect(reasonOf(state({ bookTs: NOW - 30_000 }))).toBe("ok");
  });

  test("a stale book comes before the volatility cap", () => {
    expect(reasonOf(state({ bookTs: NOW - 31_000, natr: 5 }))).toBe("stale_book");
  });

  test.each([
    [1.001, "volatility_cap"],
    [1, "ok"], // at the cap, not above it
    [null, "ok"], // no NATR yet: the gate does not block
  ])("NATR %p percent with cap 1 percent: %s", (natr: number, reason: string) => {
    expect(reasonOf(state({ natr }))).toBe(reason);
  });

  test("volatility cap detail names the NATR to 3 decimals", () => {
    const g = riskGate(state({ natr: 1.23456 }), LIMITS);
    expect(g).toEqual({ ok: false, reason: "volatility_cap", detail: "NATR 1.235 % is above 1 %" });
  });
});

describe("error breaker, max 3", () => {
  const MAX = 3;

  test("opens on the third failure in a row, reports the trip once", () => {
    const b0 = closedBreaker();
    expect(b0).toEqual({ failures: 0, lastError: null });
    expect(isOpen(b0, MAX)).toBe(false);

    const f1 = tickFailed(b0, "timeout 1", MAX);
    expect(f1).toEqual({ breaker: { failures: 1, lastError: "timeout 1" }, tripped: false });
    const f2 = tickFailed(f1.breaker, "timeout 2", MAX);
    expect(f2).toEqual({ breaker: { failures: 2, lastError: "timeout 2" }, tripped: false });
    expect(isOpen(f2.breaker, MAX)).toBe(false);

    const f3 = tickFailed(f2.breaker, "timeout 3", MAX);
    expect(f3).toEqual({ breaker: { failures: 3, lastError: "timeout 3" }, tripped: true });
    expect(isOpen(f3.breaker, MAX)).toBe(true);

    // already open: still open, but not tripped again
    const f4 = tickFailed(f3.breaker, "timeout 4", MAX);
    expect(f4).toEqual({ breaker: { failures: 4, lastError: "timeout 4" }, tripped: false });
    expect(isOpen(f4.breaker, MAX)).toBe(true);

    // the first success closes it, resets the count and keeps the last message
    const ok = tickSucceeded(f4.breaker, MAX);
    expect(ok).toEqual({ breaker: { failures: 0, lastError: "timeout 4" }, recovered: true });
    expect(isOpen(ok.breaker, MAX)).toBe(false);
  });

  test("a final failure (refused key) opens it at once from 0 failures", () => {
    const r = tickFailed(closedBreaker(), "invalid API key", MAX, true);
    expect(r).toEqual({ breaker: { failures: 3, lastError: "invalid API key" }, tripped: true });
    expect(isOpen(r.breaker, MAX)).toBe(true);
  });

  test("a success on a closed breaker is no recovery, and resets a partial count", () => {
    expect(tickSucceeded(closedBreaker(), MAX)).toEqual({
      breaker: { failures: 0, lastError: null },
      recovered: false,
    });
    const partial = { failures: 2, lastError: "timeout" };
    expect(tickSucceeded(partial, MAX)).toEqual({ breaker: { failures: 0, lastError: "timeout" }, recovered: false });
  });

  test("tickFailed does not change the breaker it was given", () => {
    const b = closedBreaker();
    tickFailed(b, "x", MAX);
    expect(b).toEqual({ failures: 0, lastError: null });
  });
});

describe("riskEquity: what the kill switch watches (risk.drawdown_basis)", () => {
  // 1 ETH + 3000 USDT at 3000: 6000. ETH falls to 2000, balances unchanged: equity 1 × 2000 + 3000 = 5000
  const held = { base: 1, quote: 3000, equity: 6000 };
  test("spot, strategy: starting equity + equity − held value = 6000 + 5000 − 5000 = 6000, no drawdown", () => {
    expect(riskEquity("strategy", "spot", 5000, 2000, held)).toBe(6000);
    expect(drawdownPct(riskEquity("strategy", "spot", 5000, 2000, held), 6000)).toBe(0);
  });
  test("spot, strategy: quoting lost 120 over holding → 5880, 2 % below the peak of 6000", () => {
    // equity 4880 at mid 2000 while holding would be worth 5000: 6000 + 4880 − 5000 = 5880; (6000 − 5880)/6000 = 2 %
    expect(riskEquity("strategy", "spot", 4880, 2000, held)).toBe(5880);
    expect(drawdownPct(5880, 6000)).toBeCloseTo(2, 12);
  });
  test("equity basis, perps and a run without balances yet: the account's equity", () => {
    expect(riskEquity("equity", "spot", 5000, 2000, held)).toBe(5000); // 16.7 % below 6000
    expect(riskEquity("strategy", "perp", 5000, 2000, held)).toBe(5000);
    expect(riskEquity("strategy", "spot", 5000, 2000, null)).toBe(5000);
  });
});
