import { describe, expect, test } from "bun:test";
import { Metrics } from "../../lib/http/metrics.ts";
import { type ExchangePort, OrderRejected } from "../../lib/venues/port.ts";

/** A port whose answers are values (as the paper exchange's), one promise, one refusal and one throw. */
const port = {
  topOfBook: () => ({ ts: 1, bestBid: 99, bestAsk: 101 }),
  balances: () => Promise.resolve({ base: 1, quote: 2 }),
  openOrders: () => Promise.reject(Object.assign(new Error("503"), { name: "ExchangeNotAvailable" })),
  place: () => new OrderRejected("post_only", "would cross"),
  cancel: () => {
    throw new Error("503");
  },
} as unknown as ExchangePort;

describe("Metrics.instrument", () => {
  test("a value stays a value (no promise), and every call is counted and timed", async () => {
    const m = new Metrics();
    const p = m.instrument(port);
    const top = p.topOfBook();
    expect(top).not.toBeInstanceOf(Promise);
    expect(top).toEqual({ ts: 1, bestBid: 99, bestAsk: 101 });
    const inv = p.balances();
    expect(inv).toBeInstanceOf(Promise);
    expect(await inv).toEqual({ base: 1, quote: 2 });
    expect(p.place({ clientOrderId: "x", side: "buy", price: 1, amount: 1 })).toBeInstanceOf(OrderRejected);
    expect(() => p.cancel({} as never)).toThrow("503");
    const listing = p.openOrders("mmbot-");
    expect(m.requests.get("openOrders")).toBeUndefined(); // timed when it settles, not when it is asked
    await expect(listing).rejects.toThrow("503");
    expect([...m.requests.keys()].sort()).toEqual(["balances", "cancel", "openOrders", "place", "topOfBook"]);
    expect([...m.requests.values()].map((r) => r.count)).toEqual([1, 1, 1, 1, 1]);
    expect([...m.errors]).toEqual([["post_only", 1], ["Error", 1], ["ExchangeNotAvailable", 1]]);
  });
});
