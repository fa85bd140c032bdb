import { describe, expect, test } from "bun:test";
import { planOrders } from "../../lib/core/orders.ts";
import type { Order, Quote } from "../../lib/core/types.ts";

const bid = (price: number, amount = 0.01): Quote => ({ side: "buy", price, amount });
const ask = (price: number, amount = 0.01): Quote => ({ side: "sell", price, amount });

/** A resting order of ours; `filled` 0 unless given. */
function order(id: string, side: Order["side"], price: number, amount = 0.01, filled = 0): Order {
  return { clientOrderId: id, venueOrderId: `v-${id}`, side, price, amount, filled, status: "open", ts: 0 };
}

const ids = (orders: Order[]) => orders.map((o) => o.clientOrderId);

describe("planOrders: price tolerance", () => {
  test.each([
    // |100.009 − 100| / 100 × 10000 = 0.9 bps ≤ 1 → kept
    ["0.9 bps above", 100.009, true],
    // 99.991: 0.9 bps below, the distance is absolute
    ["0.9 bps below", 99.991, true],
    // 100.01: exactly 1 bp (1.0000000000005 in floating point) is still within the tolerance
    ["exactly 1 bp", 100.01, true],
    // |100.011 − 100| / 100 × 10000 = 1.1 bps > 1 → cancelled and replaced
    ["1.1 bps above", 100.011, false],
    ["1.1 bps below", 99.989, false],
  ])("wanted bid 100.00, resting %s (%p), tolerance 1 bp: kept %p", (_name: string, resting: number, kept: boolean) => {
    const plan = planOrders([order("b1", "buy", resting)], { bid: bid(100), ask: null }, 1);
    if (kept) {
      expect(ids(plan.keep)).toEqual(["b1"]);
      expect(plan.cancel).toEqual([]);
      expect(plan.place).toEqual([]);
    } else {
      expect(plan.keep).toEqual([]);
      expect(ids(plan.cancel)).toEqual(["b1"]);
      expect(plan.place).toEqual([bid(100)]);
    }
  });

  test("tolerance 0: only the exact price is kept", () => {
    // 100.001 is 0.1 bps off: > 0 → replaced; 100 is 0 bps → kept
    expect(ids(planOrders([order("b1", "buy", 100.001)], { bid: bid(100), ask: null }, 0).cancel)).toEqual(["b1"]);
    expect(ids(planOrders([order("b1", "buy", 100)], { bid: bid(100), ask: null }, 0).keep)).toEqual(["b1"]);
  });
});

describe("planOrders: remaining amount", () => {
  test("a partly filled order is replaced: remaining 0.01 − 0.004 = 0.006 ≠ wanted 0.01", () => {
    const plan = planOrders([order("b1", "buy", 100, 0.01, 0.004)], { bid: bid(100, 0.01), ask: null }, 1);
    expect(plan.keep).toEqual([]);
    expect(ids(plan.cancel)).toEqual(["b1"]);
    expect(plan.place).toEqual([bid(100, 0.01)]);
  });

  test("a partly filled order whose remainder equals the wanted amount is kept: 0.01 − 0.004 = 0.006", () => {
    const plan = planOrders([order("b1", "buy", 100, 0.01, 0.004)], { bid: bid(100, 0.006), ask: null }, 1);
    expect(ids(plan.keep)).toEqual(["b1"]);
    expect(plan.cancel).toEqual([]);
    expect(plan.place).toEqual([]);
  });

  test("a bigger unfilled order is replaced: 0.02 ≠ 0.01", () => {
    const plan = planOrders([order("a1", "sell", 101, 0.02)], { bid: null, ask: ask(101, 0.01) }, 1);
    expect(ids(plan.cancel)).toEqual(["a1"]);
    expect(plan.place).toEqual([ask(101, 0.01)]);
  });
});

describe("planOrders: sides", () => {
  test("two matching orders on one side: the first is kept, the duplicate cancelled", () => {
    const open = [order("b1", "buy", 100), order("b2", "buy", 100.005), order("a1", "sell", 101)];
    const plan = planOrders(open, { bid: bid(100), ask: ask(101) }, 1);
    expect(ids(plan.keep)).toEqual(["b1", "a1"]);
    expect(ids(plan.cancel)).toEqual(["b2"]);
    expect(plan.place).toEqual([]);
  });

  test("a side not wanted (quote null): every order on it is cancelled, nothing placed there", () => {
    const open = [order("b1", "buy", 100), order("a1", "sell", 101), order("a2", "sell", 102)];
    const plan = planOrders(open, { bid: bid(100), ask: null }, 1);
    expect(ids(plan.keep)).toEqual(["b1"]);
    expect(ids(plan.cancel)).toEqual(["a1", "a2"]);
    expect(plan.place).toEqual([]);
  });

  test("a buy never satisfies the wanted ask, even at the same price", () => {
    const plan = planOrders([order("b1", "buy", 101)], { bid: null, ask: ask(101) }, 1);
    expect(ids(plan.cancel)).toEqual(["b1"]);
    expect(plan.place).toEqual([ask(101)]);
  });

  test("nothing resting: both quotes are placed, bid first", () => {
    const plan = planOrders([], { bid: bid(100), ask: ask(101) }, 1);
    expect(plan).toEqual({ cancel: [], place: [bid(100), ask(101)], keep: [] });
  });

  test("nothing resting and nothing wanted: an empty plan", () => {
    expect(planOrders([], { bid: null, ask: null }, 1)).toEqual({ cancel: [], place: [], keep: [] });
  });
});
