import { describe, expect, test } from "bun:test";
import { decide, type DecideState, newDecideScratch, type TickInputs } from "../../lib/core/decide.ts";
import { NO_TRANSITIONS } from "../../lib/core/transitions.ts";
import { keptDecision } from "../../lib/core/quote-record.ts";
import type { Order } from "../../lib/core/types.ts";
import { config, indicators, NOW, quoteInput } from "../fixtures.ts";

// Seed values, NATR 0.05 %, no trend, balanced inventory (1 × 3000 vs 3000 quote): reference = mid 3000;
// bid 3000 × (1 − 0.05 × 120 / 10 000) = 2998.20, ask 3000 × (1 + 0.05 × 60 / 10 000) = 3000.90.
const BID = 2998.2, ASK = 3000.9;

const cfg = config();
const order = (side: "buy" | "sell", price: number, id: string, amount = cfg.strategy.order_amount): Order => ({
  clientOrderId: id,
  venueOrderId: `v-${id}`,
  side,
  price,
  amount,
  filled: 0,
  status: "open",
  ts: NOW - 15_000,
});

function inputs(over: Partial<TickInputs> = {}): TickInputs {
  const { nowMs, topOfBook, rules, indicators, inventory } = quoteInput(); // mid 3000, balanced: 1 base, 3000 quote
  return {
    nowMs,
    topOfBook,
    rules,
    indicators,
    inventory,
    equity: 6000,
    open: [],
    paused: null,
    ledgerFailing: null,
    config: { ...cfg, market: { ...cfg.market, type: "spot", maker_fee_bps: 0 } },
    ...over,
  };
}

const state = (over: Partial<DecideState> = {}): DecideState => ({
  killSwitch: false,
  peakEquity: 6000,
  transitions: NO_TRANSITIONS,
  ...over,
});

describe("decide: quoting", () => {
  test("nothing rests: place both quotes at the worked prices, cancel nothing", () => {
    const a = decide(inputs(), state());
    expect(a.state).toBe("quoting");
    expect(a.place.map((q) => [q.side, q.price])).toEqual([["buy", BID], ["sell", ASK]]);
    expect([a.cancel, a.keep, a.reason, a.detail, a.skipBid, a.skipAsk]).toEqual([[], [], null, null, null, null]);
  });

  test("a bid within the tolerance is kept, an ask 10 bps off is cancelled and placed anew", () => {
    const bid = order("buy", BID, "b"), far = order("sell", 3003.9, "a"); // (3003.9 − 3000.9) / 3000.9 = 10 bps
    const a = decide(inputs({ open: [bid, far] }), state());
    expect(a.keep).toEqual([bid]);
    expect(a.cancel).toEqual([far]);
    expect(a.place.map((q) => [q.side, q.price])).toEqual([["sell", ASK]]);
  });

  test("sides without funds are skipped with their reason, one count a side, both sentences kept", () => {
    // 0.005 base × 3000 = 15 of 30 equity: ratio 0.5, within limits; the bid needs 2998.20 × 0.01 = 29.98 quote,
    // the ask 0.01 base: neither is there
    const a = decide(inputs({ inventory: { base: 0.005, quote: 15 }, equity: 30 }), state({ peakEquity: 30 }));
    expect([a.state, a.skipBid, a.skipAsk, a.reason, a.place]).toEqual(["quoting", "funds", "funds", "funds", []]);
    expect(a.detail).toBe(
      "quote balance 15 is below the order value 29.98; base balance 0.005 is below the order amount 0.01",
    );
  });
});

describe("decide: standing aside", () => {
  const resting = [order("buy", BID, "b"), order("sell", ASK, "a")];

  test("paused comes first, before the kill switch, a stale book and a failing ledger; everything is cancelled", () => {
    const paused = { state: "paused" as const, reason: "paused", detail: "paused from telegram" };
    const ledgerFailing = { state: "standing_aside" as const, reason: "ledger", detail: "the ledger cannot record" };
    const a = decide(
      inputs({ paused, ledgerFailing, open: resting, equity: 100, topOfBook: { ts: 0, bestBid: 1, bestAsk: 2 } }),
      state({ killSwitch: true }),
    );
    expect([a.state, a.reason, a.detail]).toEqual(["paused", "paused", "paused from telegram"]);
    expect([a.cancel, a.place, a.killSwitch, a.alerts]).toEqual([resting, [], null, []]);
    expect([a.skipBid, a.skipAsk]).toEqual(["paused", "paused"]);
  });

  test("the kill switch trips at 10 % below the peak: one event with the worked drawdown, cancel all, no skip", () => {
    // peak 6000, equity 5400: (6000 − 5400) / 6000 = 10 %, the limit
    const a = decide(inputs({ equity: 5400, open: resting }), state());
    expect([a.state, a.reason]).toEqual(["killed", "kill_switch"]);
    expect(a.detail).toBe("drawdown 10.00 % reached the limit of 10 %");
    expect(a.killSwitch).toEqual({ type: "kill_switch", ts: NOW, drawdownPct: 10, equity: 5400, peakEquity: 6000 });
    expect([a.cancel, a.place, a.skipBid, a.skipAsk]).toEqual([resting, [], null, null]);
  });

  test("a kill switch left tripped while not paused (a ledger from an older version) pauses again: no event, no skip", () => {
    const a = decide(inputs(), state({ killSwitch: true }));
    expect([a.state, a.killSwitch, a.skipBid, a.skipAsk]).toEqual(["killed", null, null, null]);
  });

  test("9.99 % below the peak (5400.6 of 6000) still quotes", () => {
    expect(decide(inputs({ equity: 5400.6 }), state()).state).toBe("quoting");
  });

  test("a stale book stands aside and alerts once; fresh again alerts once more", () => {
    const stale = inputs({ topOfBook: { ts: NOW - 31_000, bestBid: 2999.99, bestAsk: 3000.01 }, open: resting });
    const first = decide(stale, state());
    expect([first.state, first.reason, first.detail]).toEqual([
      "standing_aside",
      "stale_book",
      "order book is 31 s old (max 30 s)",
    ]);
    expect(first.cancel).toEqual(resting);
    expect(first.alerts).toMatchObject([{ type: "stale_book", state: "stale" }]);
    const second = decide(stale, state({ transitions: first.transitions }));
    expect(second.alerts).toEqual([]);
    const fresh = decide(inputs(), state({ transitions: second.transitions }));
    expect(fresh.state).toBe("quoting");
    expect(fresh.alerts).toMatchObject([{ type: "stale_book", state: "fresh" }]);
  });

  test("stale candles are their own reason and their own alert", () => {
    // the last candle opened 5 minutes ago and ended 240 s ago > 180 s
    const a = decide(inputs({ indicators: indicators({ lastCandleTs: NOW - 300_000 }) }), state());
    expect([a.state, a.reason]).toEqual(["standing_aside", "stale_candles"]);
    expect(a.alerts).toMatchObject([{ type: "stale_candles", state: "stale" }]);
    expect(a.alerts.some((e) => e.type === "stale_book")).toBe(false);
  });

  test("a ledger that cannot record stands aside after the kill switch, before the market's reasons", () => {
    const ledgerFailing = { state: "standing_aside" as const, reason: "ledger", detail: "the ledger cannot record" };
    expect(decide(inputs({ ledgerFailing, equity: 5000 }), state()).state).toBe("killed");
    const a = decide(inputs({ ledgerFailing, indicators: indicators({ natr: 5 }) }), state());
    expect([a.state, a.reason]).toEqual(["standing_aside", "ledger"]);
  });

  test("warming up: its own state and reason", () => {
    const a = decide(inputs({ indicators: indicators({ ready: false, count: 3, required: 34 }) }), state());
    expect([a.state, a.reason, a.detail]).toEqual(["warming_up", "warming_up", "warming up (3/34 candles)"]);
  });
});

describe("decide: written into the caller's scratch", () => {
  test("tick after tick the same records, each time the decision a fresh call makes", () => {
    const scratch = newDecideScratch();
    const bid = order("buy", BID, "b"), far = order("sell", 3003.9, "a");
    const ticks: [Partial<TickInputs>, Partial<DecideState>][] = [
      [{}, {}],
      [{ open: [bid, far] }, {}],
      [{ indicators: indicators({ natr: 5 }), open: [bid] }, {}], // volatility cap: stands aside
      [{ open: [bid, far] }, { peakEquity: 9000 }], // the kill switch trips
      [{ config: config("strategy.levels=3"), open: [bid] }, {}], // three levels a side
      [{ open: [far] }, {}],
    ];
    let last: ReturnType<typeof decide> | null = null;
    for (const [over, st] of ticks) {
      const fresh = decide(inputs(over), state(st));
      const reused = decide(inputs(over), state(st), scratch);
      if (last) expect(reused).toBe(last); // the same record, rewritten
      last = reused;
      expect(JSON.stringify(reused)).toBe(JSON.stringify(fresh));
      if (over.config) expect(reused.quote?.action === "quote" && reused.quote.bids.length).toBe(3);
    }
  });
});

describe("keptDecision", () => {
  test("a quote decision from a record is copied whole (level 0 still the first of its list); others as they are", () => {
    const scratch = newDecideScratch();
    const d = decide(inputs({ config: config("strategy.levels=3") }), state(), scratch).quote!;
    const kept = keptDecision(d)!, json = JSON.stringify(d);
    expect(JSON.stringify(kept)).toBe(json);
    if (kept.action !== "quote") throw new Error("quoting expected");
    expect(kept.bid).toBe(kept.bids[0]);
    decide(inputs({ topOfBook: { ts: NOW, bestBid: 2900, bestAsk: 2900.1 } }), state(), scratch); // another market
    expect(JSON.stringify(kept)).toBe(json);
    expect(JSON.stringify(d)).not.toBe(json);
    const aside = decide(inputs({ indicators: indicators({ ready: false, count: 3, required: 34 }) }), state()).quote;
    expect(aside?.action).toBe("stand_aside");
    expect(keptDecision(aside)).toBe(aside);
  });
});
