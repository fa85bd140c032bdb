/** The venue answers late or not at all: an order that lands after the listing, a funding source that fails. */
import { describe, expect, test } from "bun:test";
import { ManualClock } from "../../lib/engine/clock.ts";
import { Engine } from "../../lib/engine/engine.ts";
import { PaperExchange } from "../../lib/venues/paper.ts";
import type { ExchangePort } from "../../lib/venues/port.ts";
import type { PlaceOrder } from "../../lib/core/types.ts";
import { ReplayFeed } from "../../lib/venues/replay-feed.ts";
import { engineConfig, flat } from "../fixtures.ts";

const MIN = 60_000;

describe("a placement without an answer that lands after the listing", () => {
  test("is cancelled while paused: the ticks keep asking the venue until it can no longer arrive", async () => {
    const T0 = Date.UTC(2024, 0, 1, 0, 0);
    const cfg = engineConfig();
    const clock = new ManualClock(T0 + 10 * MIN);
    const paper = new PaperExchange(new ReplayFeed(flat(T0, 60, () => 100), 0.01), clock, cfg);
    let timeout = false;
    const late: PlaceOrder[] = [];
    const venue: ExchangePort = {
      rules: () => paper.rules(),
      topOfBook: () => paper.topOfBook(),
      closedCandles: (s, l) => paper.closedCandles(s, l),
      balances: () => paper.balances(),
      openOrders: (p) => paper.openOrders(p),
      place: (o) => {
        if (!timeout) return paper.place(o);
        late.push(o); // the request is on its way; the answer never comes
        return Promise.reject(new Error("RequestTimeout"));
      },
      cancel: (o) => paper.cancel(o),
      fillsSince: (t) => paper.fillsSince(t),
    };
    const engine = new Engine({ config: cfg, exchange: venue, clock });
    await engine.start();
    await engine.tick();
    for (const o of paper.openOrders("mmbot-")) paper.cancel(o); // (filled or cancelled elsewhere: none rest)
    timeout = true;
    clock.set(clock.now() + 1000);
    await engine.tick(); // places, no answer; the failed tick pulls: the venue lists nothing yet
    await engine.pause("telegram");
    timeout = false;
    for (const o of late) paper.place(o); // the requests land now
    expect(paper.openOrders("mmbot-").length).toBeGreaterThan(0);
    for (let i = 0; i < 3; i++) {
      clock.set(clock.now() + 1000);
      await engine.tick();
    }
    expect(paper.openOrders("mmbot-")).toEqual([]);
    expect(engine.status().state).toBe("paused");
  });
});

describe("a funding source that fails (paper on live data: the venue's rate)", () => {
  test("is reported, retried, and then given up: the trading tick goes on, no breaker, no pause", async () => {
    const T0 = Date.UTC(2024, 0, 1, 7, 0); // a funding time at 08:00
    const cfg = engineConfig("market.type=perp", "paper.initial_quote=1000");
    const clock = new ManualClock(T0 + 10 * MIN);
    const paper = new PaperExchange(new ReplayFeed(flat(T0, 120, () => 100), 0.01), clock, cfg);
    let asked = 0;
    const rateAt = () => {
      asked++;
      return Promise.reject(new Error("fetchFundingRateHistory: 503 Service Unavailable"));
    };
    const engine = new Engine({
      config: cfg,
      exchange: paper,
      clock,
      funding: { source: { kind: "rates", rateAt }, afterTs: null, credit: (q) => paper.creditFunding(q) },
    });
    const errors: string[] = [];
    engine.on((e) => e.type === "error" && errors.push(e.message));
    await engine.start();
    for (let t = T0 + 10 * MIN; t < T0 + 100 * MIN; t += MIN) {
      clock.set(t);
      await engine.tick();
    }
    expect(engine.paused).toBe(false);
    expect(engine.status().state).toBe("quoting");
    expect(engine.status().consecutiveErrors).toBe(0);
    // asked each tick (a minute apart) from 08:01, when its candle has closed, until the 10 minutes a missing
    // candle is waited for have passed (08:11, more than 600 s after 08:00): 11 asks, then given up
    expect(asked).toBe(11);
    expect(errors.length).toBe(11);
    expect(errors[0]).toBe("funding: fetchFundingRateHistory: 503 Service Unavailable");
    expect(engine.portfolio!.funding).toBe(0);
  });
});
