import { describe, expect, test } from "bun:test";
import { ManualClock } from "../../lib/engine/clock.ts";
import { OrderRejected } from "../../lib/venues/port.ts";
import { PaperExchange } from "../../lib/venues/paper.ts";
import { ReplayFeed } from "../../lib/venues/replay-feed.ts";
import type { Fill } from "../../lib/core/types.ts";
import { bar, config } from "../fixtures.ts";

const T0 = Date.UTC(2024, 0, 1, 0, 0);
// A rising candle: path open 100 (0 s) → low 99.5 (20 s) → high 100.5 (40 s) → close 100.2 (60 s), 60 traded
const RISING = bar(T0, 100, 100.5, 99.5, 100.2, 60);

function setup(at: number, ...sets: string[]) {
  const clock = new ManualClock(at);
  const feed = new ReplayFeed([RISING, bar(T0 + 60_000, 100.2, 100.2, 100.2, 100.2, 0)], 0.01);
  const ex = new PaperExchange(feed, clock, config(...sets));
  return { clock, feed, ex };
}

describe("intra-minute path", () => {
  test("the price moves in straight lines between open, extremes and close", () => {
    const { feed } = setup(T0);
    // 5 s: 100 + (99.5 − 100) × 5 / 20 = 99.875; 30 s: 99.5 + (100.5 − 99.5) × 10 / 20 = 100
    expect(feed.series.priceAt(T0 + 5_000)!.price).toBeCloseTo(99.875, 10);
    expect(feed.series.priceAt(T0 + 30_000)!.price).toBeCloseTo(100, 10);
    // the book around 99.875: bid rounded down to the tick, ask one tick above
    expect(feed.topOfBook(T0 + 5_000)).toEqual({ ts: T0 + 5_000, bestBid: 99.87, bestAsk: 99.88 });
  });
});

describe("fill model", () => {
  test("touching the price is not enough", async () => {
    const { clock, ex } = setup(T0 + 5_000);
    await ex.place({ clientOrderId: "mmbot-a", side: "buy", price: 99.5, amount: 0.1 }); // the candle's low
    clock.set(T0 + 60_000);
    expect(await ex.fillsSince(null)).toEqual([]);
    expect((await ex.openOrders("mmbot-"))[0].filled).toBe(0);
  });

  test("trading through fills a share of the volume traded beyond the price, at the limit, paying the maker fee", async () => {
    const { clock, ex } = setup(T0 + 5_000);
    await ex.place({ clientOrderId: "mmbot-b", side: "buy", price: 99.6, amount: 1 });
    clock.set(T0 + 60_000);
    // below 99.6: from 99.875 (5 s) down to 99.5 (20 s) for 0.1 / 0.375 × 15 s = 4 s,
    // and back up toward 100.5 (40 s) for 0.1 / 1.0 × 20 s = 2 s: 6 s of 60 s → 6 of 60 traded
    // fill = 10 % of 6 = 0.6 (partial); fee = 99.6 × 0.6 × 10 bps = 0.05976
    const [fill] = await ex.fillsSince(null);
    expect(fill).toMatchObject({ side: "buy", price: 99.6, amount: 0.6, clientOrderId: "mmbot-b" });
    expect(fill.feeQuote).toBeCloseTo(0.05976, 10);
    // stamped when it traded, not when the clock looked (60 s): through 99.6 first at
    // 5 s + 15 s × (99.875 − 99.6) / (99.875 − 99.5) = 16 s; the price there is 100 − 0.5 × 16 / 20 = 99.6,
    // the book 99.60 / 99.61, so the fill's mid is 99.605
    expect(fill.ts).toBe(T0 + 16_000);
    expect(fill.mid).toBeCloseTo(99.605, 9);
    const bal = await ex.balances();
    expect(bal.base).toBeCloseTo(1.6, 12);
    expect(bal.quote).toBeCloseTo(3000 - 59.76 - 0.05976, 9);
    expect((await ex.openOrders("mmbot-"))[0]).toMatchObject({ filled: 0.6, status: "open" });
  });

  test("fills found in one look come out in the order they traded, numbered in that order", () => {
    const clock = new ManualClock(T0 + 5_000);
    const feed = new ReplayFeed([RISING, bar(T0 + 60_000, 100.2, 100.2, 100.2, 100.2, 0)], 0.01);
    const ex = new PaperExchange(feed, clock, config(), undefined, "bt-");
    ex.place({ clientOrderId: "mmbot-s", side: "sell", price: 100.4, amount: 0.1 }); // placed first
    ex.place({ clientOrderId: "mmbot-t", side: "buy", price: 99.6, amount: 0.1 });
    clock.set(T0 + 60_000);
    // the buy traded at 16 s (above); the sell when the rise from 99.5 (20 s) to 100.5 (40 s) passed 100.4:
    // 20 s + 20 s × 0.9 / 1.0 = 38 s
    const fills = ex.fillsSince(null) as Fill[];
    expect(fills.map((f) => [f.tradeId, f.side, f.ts - T0])).toEqual([
      ["bt-1", "buy", 16_000],
      ["bt-2", "sell", 38_000],
    ]);
  });

  test("the rest of a partly filled order fills on the lot grid, without float dust", async () => {
    const clock = new ManualClock(T0 + 5_000);
    const feed = new ReplayFeed([RISING, bar(T0 + 60_000, 100.2, 100.2, 99.0, 99.0, 600)], 0.01);
    const ex = new PaperExchange(feed, clock, config("paper.max_volume_share=0.00087", "market.min_notional=0"));
    await ex.place({ clientOrderId: "mmbot-r", side: "buy", price: 99.6, amount: 0.01 });
    clock.set(T0 + 60_000);
    // 6 traded below 99.6 in the first minute × 0.087 % = 0.00522 → 0.0052 on the lot grid
    expect((await ex.fillsSince(null)).map((f) => f.amount)).toEqual([0.0052]);
    clock.set(T0 + 120_000);
    // the falling minute trades far more: the rest, 0.01 − 0.0052, is exactly 0.0048 (not 0.0048000000000000004)
    expect((await ex.fillsSince(null)).map((f) => f.amount)).toEqual([0.0052, 0.0048]);
  });

  test("fills since a trade id: its own ids are found by their place; any other id gets everything", () => {
    const clock = new ManualClock(T0 + 5_000);
    const feed = new ReplayFeed([RISING, bar(T0 + 60_000, 100.2, 100.2, 99.0, 99.0, 600)], 0.01);
    const ex = new PaperExchange(feed, clock, config("paper.max_volume_share=0.00087", "market.min_notional=0"), {
      base: 1,
      quote: 3000,
    }, "t-");
    ex.place({ clientOrderId: "mmbot-r", side: "buy", price: 99.6, amount: 0.01 });
    clock.set(T0 + 60_000);
    const first = (ex.fillsSince(null) as Fill[]).map((f) => f.tradeId);
    clock.set(T0 + 120_000);
    const all = (ex.fillsSince(null) as Fill[]).map((f) => f.tradeId);
    expect([first, all]).toEqual([["t-1"], ["t-1", "t-2"]]);
    const since = (id: string) => (ex.fillsSince(id) as Fill[]).map((f) => f.tradeId);
    expect(since("t-1")).toEqual(["t-2"]);
    expect(since("t-2")).toEqual([]);
    for (const other of ["t-01", "t-3", "t-0", "t-", "t-1.0", "x-1", ""]) expect(since(other)).toEqual(all);
  });

  test("max_volume_share scales the fill", async () => {
    const { clock, ex } = setup(T0 + 5_000, "paper.max_volume_share=0.05");
    await ex.place({ clientOrderId: "mmbot-c", side: "buy", price: 99.6, amount: 1 });
    clock.set(T0 + 60_000);
    expect((await ex.fillsSince(null))[0].amount).toBe(0.3); // 5 % of 6
  });

  test("a sell fills while the price is above it; a small order fills completely", async () => {
    const { clock, ex } = setup(T0 + 5_000);
    await ex.place({ clientOrderId: "mmbot-d", side: "sell", price: 100.4, amount: 0.1 });
    clock.set(T0 + 60_000);
    // above 100.4 for 2 s + 6.67 s → 8.67 of 60 traded, 10 % = 0.87 ≥ 0.1
    const fills = await ex.fillsSince(null);
    expect(fills.map((f) => [f.side, f.amount, f.price])).toEqual([["sell", 0.1, 100.4]]);
    expect(await ex.openOrders("mmbot-")).toEqual([]);
    expect((await ex.balances()).base).toBeCloseTo(0.9, 12);
  });

  test("no look-ahead: an order placed after the low never sees it", async () => {
    const { clock, ex } = setup(T0 + 30_000); // price 100 now; the 99.5 low was at 20 s
    await ex.place({ clientOrderId: "mmbot-e", side: "buy", price: 99.6, amount: 1 });
    clock.set(T0 + 120_000);
    expect(await ex.fillsSince(null)).toEqual([]);
  });

  test("fills are reported once: fillsSince continues after the last trade id", async () => {
    const { clock, ex } = setup(T0 + 5_000);
    await ex.place({ clientOrderId: "mmbot-f", side: "buy", price: 99.6, amount: 1 });
    clock.set(T0 + 18_000); // below 99.6 from 16 s to 18 s: 2 of 60 traded → 0.2
    const first = await ex.fillsSince(null);
    clock.set(T0 + 60_000);
    const next = await ex.fillsSince(first.at(-1)!.tradeId);
    expect(first.map((f) => f.amount)).toEqual([0.2]);
    expect(next.map((f) => f.amount)).toEqual([0.4]); // 18–20 s and 20–22 s: 4 of 60 traded
    expect(next[0].tradeId).not.toBe(first[0].tradeId);
    expect(await ex.fillsSince(next[0].tradeId)).toEqual([]);
  });

  test("a cancelled order stops filling", async () => {
    const { clock, ex } = setup(T0 + 5_000);
    const o = await ex.place({ clientOrderId: "mmbot-g", side: "buy", price: 99.6, amount: 1 });
    if (o instanceof OrderRejected) throw new Error(`placement rejected: ${o.message}`);
    clock.set(T0 + 10_000);
    await ex.cancel(o);
    clock.set(T0 + 60_000);
    expect(await ex.fillsSince(null)).toEqual([]);
  });
});

describe("rejections", () => {
  test("post-only orders that would cross are rejected", async () => {
    const { ex } = setup(T0 + 5_000); // book 99.87 / 99.88
    const err = ex.place({ clientOrderId: "mmbot-h", side: "buy", price: 99.88, amount: 0.1 }) as OrderRejected;
    expect(err).toBeInstanceOf(OrderRejected);
    expect(err.reason).toBe("post_only");
    const sell = ex.place({ clientOrderId: "mmbot-i", side: "sell", price: 99.87, amount: 0.1 });
    expect(sell).toBeInstanceOf(OrderRejected); // returned, not thrown: a refusal is an expected outcome
    expect((sell as OrderRejected).message).toContain("would cross");
    expect(await ex.place({ clientOrderId: "mmbot-j", side: "buy", price: 99.87, amount: 0.1 })).toMatchObject({
      status: "open",
    });
  });

  test("balances never go negative: orders must be covered by free funds", async () => {
    const { ex } = setup(T0 + 5_000, "paper.initial_quote=50", "paper.initial_base=0.05");
    const buy = ex.place({ clientOrderId: "mmbot-k", side: "buy", price: 99, amount: 1 }) as OrderRejected;
    expect(buy.reason).toBe("insufficient_funds");
    const sell = ex.place({ clientOrderId: "mmbot-l", side: "sell", price: 101, amount: 0.06 }) as OrderRejected;
    expect(sell.reason).toBe("insufficient_funds");
    // 0.4 × 99 = 39.6 is reserved, so a second 0.4 buy (another 39.6) no longer fits in 50
    await ex.place({ clientOrderId: "mmbot-m", side: "buy", price: 99, amount: 0.4 });
    const second = ex.place({ clientOrderId: "mmbot-n", side: "buy", price: 99, amount: 0.4 }) as OrderRejected;
    expect(second.reason).toBe("insufficient_funds");
  });

  test("prices off the tick and amounts off the lot are invalid", () => {
    const { ex } = setup(T0 + 5_000);
    const p = ex.place({ clientOrderId: "mmbot-o", side: "buy", price: 99.005, amount: 0.1 }) as OrderRejected;
    expect(p.reason).toBe("invalid");
    const a = ex.place({ clientOrderId: "mmbot-p", side: "buy", price: 99, amount: 0.00005 }) as OrderRejected;
    expect(a.reason).toBe("invalid");
  });
});
