import { describe, expect, test } from "bun:test";
import { initialRunState, type PauseView, projectStatus, type RunState } from "../../lib/engine/status.ts";
import { openPortfolio } from "../../lib/core/accounting.ts";
import { config, indicators, NOW } from "../fixtures.ts";

/** A run a few ticks in: book 2999 / 3001 (mid 3000), 0.5 base + 3000 quote, portfolio opened at mid 2800. */
function running(over: Partial<RunState> = {}): RunState {
  return {
    ...initialRunState(),
    state: "quoting",
    lastTickTs: NOW - 1000,
    ticks: 7,
    topOfBook: { ts: NOW - 500, bestBid: 2999, bestAsk: 3001 },
    inventory: { base: 0.5, quote: 3000 },
    // initial equity 0.5 × 2800 + 3000 = 4400
    portfolio: openPortfolio(0.5, 3000, 2800),
    initialEquity: 4400,
    breaker: { failures: 2, lastError: "timeout" },
    loopMs: 12,
    ...over,
  };
}

/** The pause store's view: not paused, peak equity 5000. */
const pause = (over: Partial<PauseView> = {}): PauseView => ({
  paused: false,
  killSwitch: false,
  peakEquity: 5000,
  ...over,
});

describe("initialRunState", () => {
  test("starts with nothing known", () => {
    const r = initialRunState();
    expect(r.state).toBe("starting");
    expect([r.ticks, r.lastTickTs, r.topOfBook, r.portfolio, r.loopMs]).toEqual([0, null, null, null, null]);
    expect(r.breaker).toEqual({ failures: 0, lastError: null });
  });
});

describe("projectStatus", () => {
  test("before any top of book: mid, inventory ratio and pnl are null", () => {
    const s = projectStatus(config(), NOW, indicators({ count: 3, required: 34 }), initialRunState(), pause());
    expect(s.mid).toBeNull();
    expect(s.inventoryRatio).toBeNull();
    expect(s.pnl).toBeNull();
    expect([s.consecutiveErrors, s.lastError]).toEqual([0, null]);
    expect(s.warmup).toEqual({ count: 3, required: 34 });
    expect([s.state, s.ts, s.ticks]).toEqual(["starting", NOW, 0]);
  });

  test("inventory and portfolio without a book still give no ratio and no pnl", () => {
    const s = projectStatus(config(), NOW, indicators(), running({ topOfBook: null }), pause());
    expect([s.mid, s.inventoryRatio, s.pnl]).toEqual([null, null, null]);
  });

  test("spot: mid, inventory ratio, pnl and drawdown from the run state", () => {
    const s = projectStatus(config(), NOW, indicators(), running(), pause());
    // mid (2999 + 3001) / 2 = 3000
    expect(s.mid).toBe(3000);
    // ratio 0.5 × 3000 / (0.5 × 3000 + 3000) = 1500 / 4500 = 1/3
    expect(s.inventoryRatio).toBeCloseTo(1 / 3, 12);
    // equity 0.5 × 3000 + 3000 = 4500; pnl 4500 − 4400 = 100; unrealized 0.5 × (3000 − 2800) = 100
    expect(s.pnl?.equity).toBeCloseTo(4500, 9);
    expect(s.pnl?.pnl).toBeCloseTo(100, 9);
    expect(s.pnl?.unrealized).toBeCloseTo(100, 9);
    // drawdown from peak 5000: (1 − 4500 / 5000) × 100 = 10 %
    expect(s.pnl?.drawdownPct).toBeCloseTo(10, 9);
    expect([s.consecutiveErrors, s.lastError]).toEqual([2, "timeout"]);
  });

  test("the book and balances are copies: the cycle rewrites its records next tick, a status taken keeps its own", () => {
    const run = running();
    const s = projectStatus(config(), NOW, indicators(), run, pause());
    run.topOfBook!.bestBid = 2990, run.inventory!.base = 0.7; // the next tick, written into the same records
    expect(s.topOfBook).toEqual({ ts: NOW - 500, bestBid: 2999, bestAsk: 3001 });
    expect(s.inventory).toEqual({ base: 0.5, quote: 3000 });
  });

  test("config and run fields pass through", () => {
    const run = running({ state: "paused", reason: "paused", detail: "paused from the command line" });
    const s = projectStatus(config(), NOW, indicators(), run, pause({ paused: true }));
    expect([s.mode, s.symbol, s.marketType, s.profile]).toEqual(["paper", "ETH/USDT", "spot", "natr_macd"]);
    expect([s.state, s.reason, s.detail, s.paused, s.killSwitch]).toEqual([
      "paused",
      "paused",
      "paused from the command line",
      true,
      false,
    ]);
    expect([s.ts, s.lastTickTs, s.ticks, s.loopMs]).toEqual([NOW, NOW - 1000, 7, 12]);
  });

  test("a pause recorded while the run still quotes reads 'pausing' at once, with the orders being cancelled", () => {
    const open = [1, 2].map((i) => ({
      clientOrderId: `mmbot-${i}`,
      venueOrderId: `v${i}`,
      side: i === 1 ? "buy" as const : "sell" as const,
      price: 3000 + i,
      amount: 0.01,
      filled: 0,
      status: "open" as const,
      ts: NOW,
    }));
    const run = running();
    run.orders.placed(open[0], 0);
    run.orders.placed(open[1], 0);
    const s = projectStatus(config(), NOW, indicators(), run, pause({ paused: true, detail: "paused from telegram" }));
    expect([s.state, s.reason, s.detail]).toEqual([
      "pausing",
      "paused",
      "pausing: pause recorded, cancelling 2 order(s); paused from telegram",
    ]);
    // not paused: the run's own state
    expect(projectStatus(config(), NOW, indicators(), run, pause()).state).toBe("quoting");
  });

  test("perp: inventory ratio from the position notional", () => {
    // position 0.1 × 3000 = 300; ratio 0.5 + 300 / (2 × 1000) = 0.65
    const s = projectStatus(
      config("market.type=perp"),
      NOW,
      indicators(),
      running({ inventory: { base: 0, quote: 5000, position: 0.1 } }),
      pause(),
    );
    expect(s.marketType).toBe("perp");
    expect(s.inventoryRatio).toBeCloseTo(0.65, 12);
  });
});
