import { describe, expect, test } from "bun:test";
import { computeQuotes, type QuoteDecision } from "../../lib/core/quoting.ts";
import { orderAmount, sizeWarning } from "../../lib/core/sizing.ts";
import { quoteInput } from "../fixtures.ts";

function quoted(d: QuoteDecision) {
  if (d.action !== "quote") throw new Error(`expected quotes, got stand_aside: ${d.detail}`);
  return d;
}

const PERP = ["market.type=perp"];
const RULES = { tickSize: 0.01, lotSize: 0.001, minNotional: 20 };

describe("order size in quote (strategy.order_value_quote)", () => {
  test("amount = value / price, down to the lot", () => {
    const p = { ...quoteInput().params, order_value_quote: 25 };
    // 25 / 2500 = 0.01; 25 / 2600 = 0.009615… → 0.009 (23.4 ≥ 20)
    expect(orderAmount(p, 2500, RULES)).toBe(0.01);
    expect(orderAmount(p, 2600, RULES)).toBe(0.009);
  });

  test("rounded up instead when rounding down would fall below a minimum the value meets", () => {
    const p = { ...quoteInput().params, order_value_quote: 20 };
    // 20 / 1999.99 = 0.0100000… → down 0.01 is 19.9999 < 20 → up to 0.011 (22.0)
    expect(orderAmount(p, 1999.99, RULES)).toBe(0.011);
    // a value below the minimum stays below it (and is skipped as min_notional)
    expect(orderAmount({ ...p, order_value_quote: 15 }, 1999.99, RULES)).toBe(0.007);
  });

  test("order_amount applies when order_value_quote is 0", () => {
    expect(orderAmount(quoteInput().params, 2500, RULES)).toBe(0.01);
  });

  test("quotes carry the sizes of their own prices; 0.01 ETH under 2000 is skipped as min_notional", () => {
    const top = { ts: 0, bestBid: 1899.99, bestAsk: 1900.01 };
    const base = quoteInput(
      { topOfBook: top, rules: RULES, inventory: { base: 0, quote: 5000, position: 0 } },
      ...PERP,
    );
    const fixed = quoted(computeQuotes({ ...base, nowMs: base.nowMs }));
    expect(fixed.bid).toBeNull();
    expect(fixed.skipped.bid?.reason).toBe("min_notional");
    expect(fixed.skipped.ask?.reason).toBe("min_notional");
    const byValue = quoted(computeQuotes({ ...base, params: { ...base.params, order_value_quote: 25 } }));
    // bid 1898.86 (6 bps under mid, down to the tick): 25 / 1898.86 = 0.01316… → 0.013
    expect(byValue.bid).toEqual({ side: "buy", price: byValue.bid!.price, amount: 0.013 });
    expect(byValue.bid!.price * 0.013).toBeGreaterThan(20);
    expect(byValue.ask!.amount).toBe(0.013);
  });
});

describe("liquidation guard (risk.liquidation_guard_pct)", () => {
  const top = { ts: 0, bestBid: 1999.99, bestAsk: 2000.01 };
  const input = (position: number, liquidationPrice: number | null, guardPct = 10) =>
    quoteInput({
      topOfBook: top,
      rules: { ...RULES, minNotional: 5 },
      inventory: { base: 0, quote: 0, position, liquidationPrice },
      liquidationGuardPct: guardPct,
    }, ...PERP);

  test("a long 9.9 % above its liquidation price: no bid, the ask still reduces it", () => {
    // mid 2000, liquidation 1802: distance 198 / 2000 = 9.9 % < 10 %
    const d = quoted(computeQuotes(input(0.2, 1802)));
    expect(d.bid).toBeNull();
    expect(d.skipped.bid).toEqual({
      reason: "liquidation_guard",
      detail: "mid 2000 is 9.90 % from the liquidation price 1802.00 (guard 10 %): not adding to the long",
    });
    expect(d.ask).not.toBeNull();
  });

  test("a short near its liquidation price: no ask", () => {
    const d = quoted(computeQuotes(input(-0.2, 2150)));
    expect(d.ask).toBeNull();
    expect(d.skipped.ask?.reason).toBe("liquidation_guard");
    expect(d.bid).not.toBeNull();
  });

  test("past the liquidation price, however far, it never adds (the old |distance| read 8.9 % past as safe)", () => {
    // the case: a long with liquidation 2183 at mid 2000 is (2000 − 2183) / 2000 = −9.15 %: past it
    for (const [position, liq] of [[0.2, 2183], [0.2, 2600], [-0.2, 1817], [-0.2, 1400]]) {
      const d = quoted(computeQuotes(input(position, liq)));
      const adding = position > 0 ? "bid" : "ask";
      expect({ liq, side: d[adding] }).toEqual({ liq, side: null });
      expect(d.skipped[adding]?.reason).toBe("liquidation_guard");
    }
    expect(quoted(computeQuotes(input(0.2, 2183))).skipped.bid?.detail).toBe(
      "mid 2000 is 9.15 % past the liquidation price 2183.00 (guard 10 %): not adding to the long",
    );
  });

  test("far enough, guard off, or no liquidation price: both sides", () => {
    for (const d of [input(0.2, 1790), input(0.2, 1802, 0), input(0.2, null)].map(computeQuotes).map(quoted)) {
      expect(d.bid).not.toBeNull();
      expect(d.ask).not.toBeNull();
    }
  });
});

describe("start warning: the configured size cannot meet the venue's minimum", () => {
  const p = quoteInput().params;
  test("0.01 ETH at 1850 is 18.50 < 20: says until when, and what to set", () => {
    expect(sizeWarning(p, RULES, 1850, "USDT")).toBe(
      "WARNING: strategy.order_amount 0.01 × mid 1850.00 = 18.50 USDT is below the venue's minimum order value 20 USDT: every quote is skipped until the price is above 2000.00; size orders in quote instead, e.g. --set strategy.order_value_quote=25",
    );
    expect(sizeWarning(p, RULES, 2100, "USDT")).toBeNull();
  });

  test("a size in quote below the minimum", () => {
    expect(sizeWarning({ ...p, order_value_quote: 15 }, RULES, 1850, "USDT")).toBe(
      "WARNING: strategy.order_value_quote 15 USDT is below the venue's minimum order value 20 USDT: no order can be placed; raise it to at least 20",
    );
    expect(sizeWarning({ ...p, order_value_quote: 20 }, RULES, 1850, "USDT")).toBeNull();
  });
});
