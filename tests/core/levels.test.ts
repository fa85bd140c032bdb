import { describe, expect, test } from "bun:test";
import { computeQuotes } from "../../lib/core/quoting.ts";
import type { Quoted } from "../../lib/core/quote-record.ts";
import { planOrders } from "../../lib/core/orders.ts";
import type { Order } from "../../lib/core/types.ts";
import { FIXED_10_10, indicators, quoteInput } from "../fixtures.ts";

// fixed 10 / 10 bps at mid 3000 (book 2999.99 / 3000.01), no shifts, no fee: level 0 is bid 2997.00, ask 3003.00
const SETS = [
  ...FIXED_10_10,
  "strategy.levels=3",
  "strategy.level_step_bps=10",
  "strategy.level_amount_scale=2",
];
const prices = (qs: { price: number; amount: number }[]) => qs.map((q) => [q.price, q.amount]);

describe("levels: k steps further from the reference, size × scale^k", () => {
  test("worked numbers: 3 levels, 10 bps steps, sizes doubling", () => {
    // bids: 2997 × (1 − 0.001) = 2994.003 → 2994.00; 2997 × (1 − 0.002) = 2991.006 → 2991.00
    // asks: 3003 × 1.001 = 3006.003 → 3006.01; 3003 × 1.002 = 3009.006 → 3009.01; sizes 0.01, 0.02, 0.04
    const d = computeQuotes(quoteInput({}, ...SETS)) as Quoted;
    expect(prices(d.bids)).toEqual([[2997, 0.01], [2994, 0.02], [2991, 0.04]]);
    expect(prices(d.asks)).toEqual([[3003, 0.01], [3006.01, 0.02], [3009.01, 0.04]]);
    expect(d.bid).toEqual(d.bids[0]); // level 0 is the one quote of a single level
    // each quote says which level it is (level 0 says nothing: one level is as it always was)
    expect(d.bids.map((q) => q.level)).toEqual([undefined, 1, 2]);
    expect(d.asks.map((q) => q.level)).toEqual([undefined, 1, 2]);
  });

  test("the step as a NATR multiple: 2 × NATR 0.05 % = 10 bps, the same ladder", () => {
    const d = computeQuotes(
      quoteInput({ indicators: indicators({ natr: 0.05 }) }, ...SETS, "strategy.level_step_natr=2"),
    ) as Quoted;
    expect(prices(d.bids)).toEqual([[2997, 0.01], [2994, 0.02], [2991, 0.04]]);
  });

  test("funds count the lower levels: 100 quote pays for 29.97 + 59.88 but not + 119.64; 0.05 base for 0.01 + 0.02", () => {
    const d = computeQuotes(quoteInput({ inventory: { base: 0.05, quote: 100 } }, ...SETS)) as Quoted;
    expect(prices(d.bids)).toEqual([[2997, 0.01], [2994, 0.02]]);
    expect(prices(d.asks)).toEqual([[3003, 0.01], [3006.01, 0.02]]);
  });

  test("one level: one quote a side, as before", () => {
    const d = computeQuotes(quoteInput({}, ...SETS, "strategy.levels=1")) as Quoted;
    expect(prices(d.bids)).toEqual([[2997, 0.01]]);
    expect(prices(d.asks)).toEqual([[3003, 0.01]]);
  });

  test("a side not quoted has no levels", () => {
    // 1.7 base + 900 quote: ratio 5100 / 6000 = 0.85, past 0.5 + 0.3: no bid at any level
    const d = computeQuotes(quoteInput({ inventory: { base: 1.7, quote: 900 } }, ...SETS)) as Quoted;
    expect(d.bids).toEqual([]);
    expect(d.asks.length).toBe(3);
  });
});

describe("order plan per level", () => {
  const order = (id: string, side: "buy" | "sell", price: number, amount: number): Order => ({
    clientOrderId: id,
    venueOrderId: id,
    side,
    price,
    amount,
    filled: 0,
    status: "open",
    ts: 0,
  } as Order);
  test("keeps the level that still matches, cancels the stray, places the missing levels: at most 3 a side", () => {
    const d = computeQuotes(quoteInput({}, ...SETS)) as Quoted;
    const open = [order("a", "buy", 2994, 0.02), order("b", "buy", 2980, 0.01), order("c", "sell", 3003, 0.01)];
    const plan = planOrders(open, d, 1);
    expect(plan.keep.map((o) => o.clientOrderId)).toEqual(["a", "c"]);
    expect(plan.cancel.map((o) => o.clientOrderId)).toEqual(["b"]);
    expect(prices(plan.place)).toEqual([[2997, 0.01], [2991, 0.04], [3006.01, 0.02], [3009.01, 0.04]]);
  });
});
