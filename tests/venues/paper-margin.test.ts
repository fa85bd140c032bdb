import { describe, expect, test } from "bun:test";
import { ManualClock } from "../../lib/engine/clock.ts";
import { OrderRejected } from "../../lib/venues/port.ts";
import { PaperExchange } from "../../lib/venues/paper.ts";
import { ReplayFeed } from "../../lib/venues/replay-feed.ts";
import { bar, config } from "../fixtures.ts";

const T0 = Date.UTC(2024, 0, 1, 0, 0);
// mid ≈ 100 for a minute, then a minute that falls to 99 (fills bids at 99.6)
const CANDLES = [bar(T0, 100, 100, 100, 100, 0), bar(T0 + 60_000, 100, 100, 99, 99, 600)];
const PERP = ["market.type=perp", "paper.initial_base=0", "paper.initial_quote=100", "market.min_notional=0"];

function setup(...sets: string[]) {
  const clock = new ManualClock(T0 + 5_000);
  const ex = new PaperExchange(new ReplayFeed(CANDLES, 0.01), clock, config(...PERP, ...sets));
  return { clock, ex };
}

/** The venue's refusal: returned, not thrown (an expected outcome of placing). */
async function rejection(answer: unknown): Promise<OrderRejected> {
  const value = await answer;
  if (value instanceof OrderRejected) return value;
  throw new Error(`expected a rejection, got ${JSON.stringify(value)}`);
}

describe("paper perp margin (market.leverage)", () => {
  test("at 2×, 100 USDT carries 2 ETH of bids at mid 100, not more; like the venue, the rejection says margin", async () => {
    const { ex } = setup("market.leverage=2");
    // 1.5 ETH × 100.005 / 2 = 75.0… ≤ 100
    await ex.place({ clientOrderId: "mmbot-1", side: "buy", price: 99.5, amount: 1.5 });
    // with 0.6 more the bids make 2.1 ETH at mid 100.005 (book 100 / 100.01): 105.005… > 100
    const e = await rejection(ex.place({ clientOrderId: "mmbot-2", side: "buy", price: 99.5, amount: 0.6 }));
    expect(e.reason).toBe("insufficient_funds");
    expect(e.message).toBe(
      "Margin is insufficient: buy 0.6 at 99.5 needs 105.01 initial margin at 2x, equity 100.00",
    );
    // an ask beside the bids needs no more than the worse side: 0.5 ETH
    await ex.place({ clientOrderId: "mmbot-3", side: "sell", price: 100.5, amount: 0.5 });
  });

  test("at 1× the same order is refused; at 5× it rests", async () => {
    const at1 = setup("market.leverage=1").ex;
    expect((await rejection(at1.place({ clientOrderId: "a", side: "buy", price: 99.5, amount: 1.5 }))).reason).toBe(
      "insufficient_funds",
    );
    await setup("market.leverage=5").ex.place({ clientOrderId: "b", side: "buy", price: 99.5, amount: 4 });
  });

  test("a filled long reports its entry and the computed liquidation price", async () => {
    const { clock, ex } = setup("market.leverage=5", "paper.maintenance_margin_pct=0.5", "paper.max_volume_share=1");
    await ex.place({ clientOrderId: "mmbot-l", side: "buy", price: 99.6, amount: 4 });
    clock.set(T0 + 120_000);
    expect((await ex.fillsSince(null)).map((f) => f.amount)).toEqual([4]);
    const bal = await ex.balances();
    // cash = 100 − 4 × 99.6 − fee 4 × 99.6 × 0.001 = −298.8 − 0.3984 = −298.7984
    expect(bal.position).toBe(4);
    expect(bal.entryPrice).toBe(99.6);
    expect(bal.quote).toBeCloseTo(-298.7984, 9);
    // cross: 4P − 298.7984 = 0.005 × 4P → P = 298.7984 / (4 × 0.995) = 75.0750…
    expect(bal.liquidationPrice).toBeCloseTo(298.7984 / 3.98, 9);
  });

  test("isolated: the liquidation price comes from the position's own margin", async () => {
    const { clock, ex } = setup(
      "market.leverage=5",
      "market.margin_mode=isolated",
      "paper.maintenance_margin_pct=0.5",
      "paper.max_volume_share=1",
    );
    await ex.place({ clientOrderId: "mmbot-i", side: "buy", price: 99.6, amount: 4 });
    clock.set(T0 + 120_000);
    // margin 4 × 99.6 / 5 = 79.68: 79.68 + 4 (P − 99.6) = 0.02 P → P = (398.4 − 79.68) / 3.98 = 80.0804…
    expect((await ex.balances()).liquidationPrice).toBeCloseTo((398.4 - 79.68) / 3.98, 9);
  });

  test("spot accounts have no liquidation price", async () => {
    const ex = new PaperExchange(new ReplayFeed(CANDLES, 0.01), new ManualClock(T0 + 5_000), config());
    expect(await ex.balances()).toEqual({ base: 1, quote: 3000 });
  });
});
