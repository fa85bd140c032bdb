import { describe, expect, test } from "bun:test";
import { ManualClock } from "../../lib/engine/clock.ts";
import { Engine } from "../../lib/engine/engine.ts";
import { memoryPauses } from "../../lib/engine/pause.ts";
import type { EngineEvent } from "../../lib/core/events.ts";
import type { ExchangePort } from "../../lib/venues/port.ts";
import type { Candle } from "../../lib/core/types.ts";
import { PaperExchange } from "../../lib/venues/paper.ts";
import { ReplayFeed } from "../../lib/venues/replay-feed.ts";
import { bar, engineConfig, flat } from "../fixtures.ts";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Ledger } from "../../lib/storage/ledger.ts";
import { recorder } from "../../lib/storage/recorder.ts";

const T0 = Date.UTC(2024, 0, 1, 0, 0);
const MIN = 60_000;
// fixed 10 bp spreads, 5-candle NATR warm-up, 0.1 base per order, 1 base + 100 quote
function setup(candles: Candle[], startMinute: number, ...sets: string[]) {
  const cfg = engineConfig(...sets);
  const clock = new ManualClock(T0 + startMinute * MIN);
  const exchange = new PaperExchange(new ReplayFeed(candles, 0.01), clock, cfg);
  const events: EngineEvent[] = [];
  const make = (ex: ExchangePort = exchange) => {
    const engine = new Engine({ config: cfg, exchange: ex, clock });
    engine.on((e) => e.type !== "tick" && events.push(e));
    return engine;
  };
  return { cfg, clock, exchange, events, make };
}

const open = (ex: ExchangePort) => ex.openOrders("mmbot-");
/** Event types, leaving out the order bookkeeping that every tick produces. */
const types = (events: EngineEvent[]) =>
  events.map((e) => e.type).filter((t) => t !== "order_placed" && t !== "order_cancelled");

describe("engine cycle", () => {
  test("quotes both sides around the book once warmed up", async () => {
    const { clock, exchange, make } = setup(flat(T0, 30, () => 100), 10);
    const engine = make();
    await engine.start();
    await engine.tick();
    // book 100.00 / 100.01, mid 100.005: bid 100.005 × 0.999 = 99.905 → 99.90, ask × 1.001 = 100.105 → 100.11
    const orders = await open(exchange);
    expect(orders.map((o) => [o.side, o.price, o.amount])).toEqual([["buy", 99.9, 0.1], ["sell", 100.11, 0.1]]);
    expect(orders.every((o) => o.clientOrderId.startsWith("mmbot-"))).toBe(true);
    expect(engine.status()).toMatchObject({ state: "quoting", mid: 100.005, ticks: 1, lastTickTs: clock.now() });
  });

  test("a failure past the tick's own handling (the scrub throws) fails that tick only: the next one gathers, counts and quotes", async () => {
    const { cfg, clock, exchange } = setup(flat(T0, 30, () => 100), 10);
    let scrubFails = 0, balancesFail = 0;
    const scrub = (t: string) => {
      if (scrubFails-- > 0) throw new Error("scrub broke");
      return t;
    };
    const balances = () => {
      if (balancesFail-- > 0) throw new Error("503 on balances");
      return exchange.balances();
    };
    const venue = new Proxy(exchange, { // the paper exchange, its balances failing on demand
      get: (
        t,
        k,
      ) => (k === "balances"
        ? balances
        : typeof t[k as keyof PaperExchange] === "function"
        ? (t[k as keyof PaperExchange] as (...a: unknown[]) => unknown).bind(t)
        : t[k as keyof PaperExchange]),
    });
    const engine = new Engine({ config: cfg, exchange: venue, clock, scrub });
    await engine.start();
    await engine.tick();
    expect(engine.status()).toMatchObject({ state: "quoting", ticks: 1 });
    balancesFail = 1, scrubFails = 1; // the tick fails, and reporting its failure fails too
    clock.advance(1_000);
    expect(() => engine.tick()).toThrow("scrub broke");
    clock.advance(1_000);
    await engine.tick(); // a new tick loop: it gathers again and the tick is counted (a dead loop would do nothing)
    expect(engine.status()).toMatchObject({ state: "quoting", ticks: 3, lastTickTs: clock.now() });
    expect((await open(exchange)).length).toBe(2);
  });

  test("the status keeps the decision it was given: the next tick's is written elsewhere", async () => {
    const { clock, make } = setup(flat(T0, 30, (i) => (i < 12 ? 100 : 101)), 11, "risk.max_natr_pct=10");
    const engine = make();
    await engine.start();
    await engine.tick();
    const before = engine.status().decision, copy = JSON.stringify(before);
    clock.advance(2 * MIN); // the price is 101 now: other quotes
    await engine.tick();
    expect(JSON.stringify(before)).toBe(copy);
    expect(JSON.stringify(engine.status().decision)).not.toBe(copy);
  });

  test("tickStatus: the tick's view stamped with the tick's time, the same until the next tick", async () => {
    const { clock, make } = setup(flat(T0, 30, (i) => (i < 12 ? 100 : 101)), 11, "risk.max_natr_pct=10");
    const engine = make();
    await engine.start();
    const tickTs = clock.now();
    await engine.tick();
    clock.advance(15_000); // the clock moves on after the tick: status() says now, tickStatus() the tick's moment
    const at = engine.tickStatus();
    expect(at.ts).toBe(tickTs);
    expect(engine.status().ts).toBe(tickTs + 15_000);
    expect(engine.tickStatus()).toBe(at); // one projection a tick, whoever asks
    clock.advance(MIN); // the price is 101 by the next tick
    await engine.tick();
    const next = engine.tickStatus();
    expect(next.ts).toBe(tickTs + 15_000 + MIN);
    expect(next.ticks).toBe(2);
    expect(next.mid).toBe(101.005);
  });

  test("levels: three orders a side, kept while they match, never more than three a side", async () => {
    // book 100.00 / 100.01, mid 100.005; level 0 raw bid 100.005 × 0.999 = 99.905 → 99.90, then 99.905 × 0.999 =
    // 99.805 → 99.80 and × 0.998 = 99.705 → 99.70; raw ask 100.105005 → 100.11, × 1.001 = 100.2051 → 100.21,
    // × 1.002 = 100.30521 → 100.31; 0.1 each (scale 1). From minute 12 the price is 101: the whole ladder moves.
    const { clock, exchange, events, make } = setup(
      flat(T0, 30, (i) => (i < 12 ? 100 : 101)),
      10,
      "strategy.levels=3",
      "strategy.level_step_bps=10",
      "risk.max_natr_pct=10",
    );
    const engine = make();
    await engine.start();
    await engine.tick();
    const ladder = (await open(exchange)).map((o) => [o.side, o.price, o.amount]);
    expect(ladder).toEqual([
      ["buy", 99.9, 0.1],
      ["buy", 99.8, 0.1],
      ["buy", 99.7, 0.1],
      ["sell", 100.11, 0.1],
      ["sell", 100.21, 0.1],
      ["sell", 100.31, 0.1],
    ]);
    clock.set(T0 + 10 * MIN + 15_000);
    await engine.tick();
    expect(events.filter((e) => e.type === "order_cancelled")).toEqual([]); // every level kept
    for (const minute of [12, 13, 14]) {
      clock.set(T0 + minute * MIN + 5_000);
      await engine.tick();
      const resting = await open(exchange);
      expect(resting.filter((o) => o.side === "buy").length).toBeLessThanOrEqual(3);
      expect(resting.filter((o) => o.side === "sell").length).toBeLessThanOrEqual(3);
    }
    expect(engine.status().state).toBe("quoting");
  });

  test("levels: the ledger and the status hold each order's level, 0, 1, 2 a side, through a moved ladder", async () => {
    // the ladder of the test above: bids 99.90 / 99.80 / 99.70, asks 100.11 / 100.21 / 100.31. From minute 12 the book
    // is 101.00 / 101.01, mid 101.005: raw bid 100.903995 → 100.90, × 0.999 = 100.8031 → 100.80, × 0.998 = 100.7022 →
    // 100.70; raw ask 101.106005 → 101.11, × 1.001 = 101.2071 → 101.21, × 1.002 = 101.3082 → 101.31
    const { clock, exchange, cfg } = setup(
      flat(T0, 30, (i) => (i < 12 ? 100 : 101)),
      10,
      "strategy.levels=3",
      "strategy.level_step_bps=10",
      "risk.max_natr_pct=10",
    );
    const ledger = Ledger.open(join(mkdtempSync(join(tmpdir(), "mmbot-levels-")), "ledger.sqlite"));
    const account = ledger.openAccount({
      created_ts: T0,
      mode: "paper",
      symbol: cfg.market.symbol,
      initial_base: 1,
      initial_quote: 100,
      initial_mid: 100,
    });
    const record = recorder(ledger, account, { replay: false, prefix: "mmbot-", equityNow: () => null });
    const engine = new Engine({ config: cfg, exchange, clock, record });
    await engine.start();
    await engine.tick();
    const rows = () =>
      (ledger.db.prepare("SELECT side, price, level, status FROM orders ORDER BY rowid").all() as {
        side: string;
        price: number;
        level: number;
        status: string;
      }[]).map((r) => [r.side, r.price, r.level, r.status]);
    expect(rows()).toEqual([
      ["buy", 99.9, 0, "open"],
      ["buy", 99.8, 1, "open"],
      ["buy", 99.7, 2, "open"],
      ["sell", 100.11, 0, "open"],
      ["sell", 100.21, 1, "open"],
      ["sell", 100.31, 2, "open"],
    ]);
    const shown = () => engine.status().openOrders.map((o) => [o.side, o.price, o.level ?? 0]);
    expect(shown()).toEqual(rows().map(([side, price, level]) => [side, price, level]));
    // the next tick keeps them all; the venue's listing carries no level, the status still shows each one
    clock.set(T0 + 10 * MIN + 15_000);
    await engine.tick();
    const first = [
      ["buy", 99.9, 0],
      ["buy", 99.8, 1],
      ["buy", 99.7, 2],
      ["sell", 100.11, 0],
      ["sell", 100.21, 1],
      ["sell", 100.31, 2],
    ];
    expect(shown()).toEqual(first);
    clock.set(T0 + 12 * MIN + 5_000); // the price moved to 101: a new ladder, recorded with its levels
    await engine.tick();
    const moved = [
      ["buy", 100.9, 0],
      ["buy", 100.8, 1],
      ["buy", 100.7, 2],
      ["sell", 101.11, 0],
      ["sell", 101.21, 1],
      ["sell", 101.31, 2],
    ];
    expect(rows().filter((r) => r[3] === "open").map(([side, price, level]) => [side, price, level])).toEqual(moved);
    expect(shown()).toEqual(moved);
    // the old ladder: the price rose through every ask (filled), the bids were cancelled, each row keeps its level
    expect(rows().slice(0, 6).map(([side, , level, status]) => [side, level, status])).toEqual([
      ["buy", 0, "cancelled"],
      ["buy", 1, "cancelled"],
      ["buy", 2, "cancelled"],
      ["sell", 0, "filled"],
      ["sell", 1, "filled"],
      ["sell", 2, "filled"],
    ]);
    ledger.close();
  });

  test("warming up: no orders until the indicators are stable", async () => {
    const { exchange, make } = setup(flat(T0, 30, () => 100), 0);
    const engine = make();
    await engine.start();
    await engine.tick();
    expect(await open(exchange)).toEqual([]);
    expect(engine.status()).toMatchObject({
      state: "warming_up",
      reason: "warming_up",
      detail: "warming up (0/5 candles)",
    });
  });

  test("orders within refresh_tolerance_bps are kept; moved quotes are cancelled and replaced", async () => {
    const { clock, exchange, make } = setup(flat(T0, 30, (i) => (i < 12 ? 100 : 101)), 10);
    const engine = make();
    await engine.start();
    await engine.tick();
    const first = (await open(exchange)).map((o) => o.clientOrderId);
    clock.advance(15_000); // same price: same quotes, same orders
    await engine.tick();
    expect((await open(exchange)).map((o) => o.clientOrderId)).toEqual(first);
    clock.set(T0 + 12 * MIN + 5_000); // price 101: 1 % away, far beyond 1 bp
    await engine.tick();
    const moved = await open(exchange);
    expect(moved.map((o) => o.side)).toEqual(["buy", "sell"]); // still one per side
    expect(moved.map((o) => o.clientOrderId).some((id) => first.includes(id))).toBe(false);
    // book 101.00 / 101.01, mid 101.005: bid 100.904 → 100.90, ask 101.106 → 101.11
    expect(moved.map((o) => o.price)).toEqual([100.9, 101.11]);
  });

  test.each([
    [1, "replaced"],
    [10, "kept"],
  ])("a 5 bp move with refresh_tolerance_bps %p: orders %s", async (tolerance: number, outcome: string) => {
    // price 100 → 100.05 (book 100.05 / 100.06): the new ask 100.055 × 1.001 = 100.155 → 100.16 is 5 bp
    // from the resting 100.11, and nothing traded through our orders
    const { clock, exchange, make } = setup(
      flat(T0, 30, (i) => (i < 12 ? 100 : 100.05)),
      10,
      `strategy.refresh_tolerance_bps=${tolerance}`,
    );
    const engine = make();
    await engine.start();
    await engine.tick();
    const first = (await open(exchange)).map((o) => o.clientOrderId);
    clock.set(T0 + 12 * MIN + 5_000);
    await engine.tick();
    const now = (await open(exchange)).map((o) => o.clientOrderId);
    expect(now.length).toBe(2);
    expect(now.filter((id) => first.includes(id)).length).toBe(outcome === "kept" ? 2 : 0);
  });

  test("pause cancels our orders and stops quoting until resume", async () => {
    const { clock, exchange, events, make } = setup(flat(T0, 30, () => 100), 10);
    const engine = make();
    await engine.start();
    await engine.tick();
    expect(await engine.pause()).toEqual({ cancelled: 2, resting: [], confirmed: true, error: null });
    expect(await open(exchange)).toEqual([]);
    clock.advance(15_000);
    await engine.tick();
    expect(await open(exchange)).toEqual([]);
    expect(engine.status()).toMatchObject({ state: "paused", paused: true });
    engine.resume();
    clock.advance(15_000);
    await engine.tick();
    expect((await open(exchange)).length).toBe(2);
    expect(types(events)).toEqual(["start", "paused", "resumed"]);
  });

  test.each([
    // the same fall as the next test, measured on the strategy's own loss (risk.drawdown_basis = strategy):
    // held 1 base + 100 quote, worth 200.005 at the first mid 100.005; at mid 95.005 equity is 194.50551 (as below)
    // and the held balances 1 × 95.005 + 100 = 195.005, so the strategy basis is 200.005 + 194.50551 − 195.005 =
    // 199.50551: (200.005 − 199.50551) / 200.005 = 0.249738 % below the peak, where equity is 2.75 % down
    ["1", 0, null],
    ["0.2", 1, 0.249738756],
  ])("kill switch on the strategy basis: limit %p %, trips %p time(s)", async (
    limit: string,
    trips: number,
    pct: number | null,
  ) => {
    const prices = (i: number) => (i < 12 ? 100 : i < 14 ? 95 : 100);
    const { clock, events, make } = setup(
      flat(T0, 30, prices),
      10,
      `risk.max_drawdown_pct=${limit}`,
      "risk.max_natr_pct=10",
    );
    const engine = make();
    await engine.start();
    await engine.tick();
    clock.set(T0 + 12 * MIN + 5_000);
    await engine.tick();
    const kills = events.filter((e) => e.type === "kill_switch") as Extract<EngineEvent, { type: "kill_switch" }>[];
    expect(kills).toHaveLength(trips);
    if (pct !== null) {
      expect(kills[0].equity).toBeCloseTo(199.50551, 9);
      expect(kills[0].drawdownPct).toBeCloseTo(pct, 8);
    } else expect(engine.status().pnl!.drawdownPct).toBeCloseTo(0.249738756, 8);
  });

  test.each([
    // A restart after the market fell: the account started with 1 base + 100 quote at mid 100.005 (200.005, the kept
    // peak); the bot comes back at mid 95.005 with the same balances, equity 195.005. On the strategy basis, measured
    // from the account's starting balances, 200.005 + 195.005 − (1 × 95.005 + 100) = 200.005: 0 % down, it quotes.
    // Re-based at the restart (or on the equity basis) 195.005 would be 2.5 % below the kept peak: the kill switch.
    // After a rise to mid 105.005: equity 205.005, strategy 200.005 + 205.005 − 205.005 = 200.005, 0 % down again;
    // a peak taken from the account's equity at the restart (205.005) would read 2.44 % down and trip it.
    ["strategy", 95, 2, 0],
    ["equity", 95, 0, 1],
    ["strategy", 105, 2, 0],
    ["equity", 105, 2, 0],
  ])("after a restart, the %p basis at %p measures from the account's starting balances", async (
    basis: string,
    after: number,
    orders: number,
    trips: number,
  ) => {
    const prices = (i: number) => (i < 12 ? 100 : after);
    const cfg = engineConfig("risk.max_drawdown_pct=1", "risk.max_natr_pct=10", `risk.drawdown_basis=${basis}`);
    const clock = new ManualClock(T0 + 13 * MIN + 5_000);
    const exchange = new PaperExchange(new ReplayFeed(flat(T0, 30, prices), 0.01), clock, cfg);
    const pauses = memoryPauses();
    pauses.peakEquity = 200.005;
    const held = { base: 1, quote: 100, equity: 200.005 };
    const engine = new Engine({ config: cfg, exchange, clock, pauses, held });
    const events: EngineEvent[] = [];
    engine.on((e) => events.push(e));
    await engine.start();
    await engine.tick();
    expect(await open(exchange)).toHaveLength(orders);
    expect(events.filter((e) => e.type === "kill_switch")).toHaveLength(trips);
    expect(engine.status().pnl!.initialEquity).toBe(200.005);
  });

  test("kill switch: a drawdown past the limit cancels everything and stays until resumed", async () => {
    // 1 base + 100 quote at 100 = 200; at 95 equity is 195: 2.5 % below the peak > 1 %
    const prices = (i: number) => (i < 12 ? 100 : i < 14 ? 95 : 100);
    const { clock, exchange, events, make } = setup(
      flat(T0, 30, prices),
      10,
      "risk.max_drawdown_pct=1",
      "risk.max_natr_pct=10", // the 5 % jumps would otherwise trip the volatility cap too
      "risk.drawdown_basis=equity", // the account's equity: the market's fall counts
    );
    const engine = make();
    await engine.start();
    await engine.tick();
    clock.set(T0 + 12 * MIN + 5_000);
    await engine.tick();
    expect(await open(exchange)).toEqual([]);
    expect(engine.status()).toMatchObject({ state: "killed", killSwitch: true });
    // the fall traded through our 99.90 bid first: base 1.1, quote 100 − 9.99 − fee 0.00999 = 90.00001;
    // equity at mid 95.005 = 1.1 × 95.005 + 90.00001 = 194.50551; peak 1 × 100.005 + 100 = 200.005 (first tick);
    // drawdown (200.005 − 194.50551) / 200.005 = 5.49949 / 200.005 = 2.749676 %
    const kills = events.filter((e) => e.type === "kill_switch");
    expect(kills).toHaveLength(1);
    const kill = kills[0] as Extract<EngineEvent, { type: "kill_switch" }>;
    expect(kill.ts).toBe(T0 + 12 * MIN + 5_000);
    expect(kill.equity).toBeCloseTo(194.50551, 9);
    expect(kill.peakEquity).toBeCloseTo(200.005, 9);
    expect(kill.drawdownPct).toBeCloseTo(2.749676258, 8);
    clock.set(T0 + 15 * MIN + 5_000); // price recovered: still killed
    await engine.tick();
    clock.advance(15_000);
    await engine.tick();
    expect(await open(exchange)).toEqual([]);
    // one trip, one pause: the ticks that stand aside while killed neither pause again nor tell it again
    expect(types(events).filter((t) => t === "kill_switch" || t === "paused")).toEqual(["kill_switch", "paused"]);
    expect(engine.status()).toMatchObject({ state: "killed", reason: "kill_switch" });
    engine.resume();
    clock.advance(15_000);
    await engine.tick();
    expect(engine.status()).toMatchObject({ state: "quoting", killSwitch: false });
    expect((await open(exchange)).length).toBe(2);
  });

  test("stale data: a gap in the data cancels orders until fresh data returns", async () => {
    // candles for minutes 0–11, nothing for 12–19, then 20–39
    const candles = [...flat(T0, 12, () => 100), ...flat(T0 + 20 * MIN, 20, () => 100)];
    const { clock, exchange, events, make } = setup(candles, 10);
    const engine = make();
    await engine.start();
    await engine.tick();
    expect((await open(exchange)).length).toBe(2);
    clock.set(T0 + 13 * MIN); // the book has been frozen since 12:00, 60 s > 30 s
    await engine.tick();
    expect(await open(exchange)).toEqual([]);
    expect(engine.status()).toMatchObject({ state: "standing_aside" });
    expect(engine.status().detail).toContain("order book is 60 s old");
    clock.set(T0 + 21 * MIN + 5_000);
    await engine.tick();
    expect((await open(exchange)).length).toBe(2);
    expect(events.filter((e) => e.type === "stale_book").map((e) => (e as { state: string }).state)).toEqual([
      "stale",
      "fresh",
    ]);
  });

  test("volatility cap: NATR above risk.max_natr_pct stands aside", async () => {
    // each candle spans 100 ± 2: true range 4 at 100 → NATR 4 % > 1 %
    const candles = Array.from({ length: 30 }, (_, i) => bar(T0 + i * MIN, 100, 102, 98, 100));
    const { exchange, make } = setup(candles, 10);
    const engine = make();
    await engine.start();
    await engine.tick();
    expect(await open(exchange)).toEqual([]);
    expect(engine.status().detail).toContain("NATR 4.000 % is above 1 %");
  });

  test("error breaker: repeated failures pause the bot and alert; it stays paused when the venue is back", async () => {
    const { clock, exchange, events, make } = setup(flat(T0, 30, () => 100), 10, "risk.max_consecutive_errors=3");
    let failing = false;
    const flaky: ExchangePort = {
      rules: () => exchange.rules(),
      topOfBook: () => (failing ? Promise.reject(new Error("exchange down")) : exchange.topOfBook()),
      closedCandles: (since, limit) => exchange.closedCandles(since, limit),
      balances: () => exchange.balances(),
      openOrders: (prefix) => exchange.openOrders(prefix),
      place: (order) => exchange.place(order),
      cancel: (order) => exchange.cancel(order),
      fillsSince: (after) => exchange.fillsSince(after),
    };
    const engine = make(flaky);
    await engine.start();
    await engine.tick();
    failing = true;
    for (let i = 0; i < 3; i++) {
      clock.advance(15_000);
      await engine.tick(); // never throws
    }
    expect(engine.status()).toMatchObject({ state: "error_breaker", consecutiveErrors: 3, lastError: "exchange down" });
    expect(await open(exchange)).toEqual([]);
    failing = false;
    clock.advance(15_000);
    await engine.tick();
    // DESIGN §12: the breaker's pause, like any pause, holds until an explicit resume
    expect(engine.status()).toMatchObject({ state: "error_breaker", paused: true, consecutiveErrors: 0 });
    expect(types(events)).toEqual(["start", "error", "error", "error", "error_breaker", "paused", "error_breaker"]);
    expect(events.filter((e) => e.type === "error_breaker").map((e) => (e as { state: string }).state)).toEqual([
      "tripped",
      "recovered",
    ]);
    expect(await open(exchange)).toEqual([]);
    engine.resume();
    clock.advance(15_000);
    await engine.tick();
    expect(engine.status()).toMatchObject({ state: "quoting", consecutiveErrors: 0 });
    expect((await open(exchange)).length).toBe(2);
  });

  test("start cancels leftover orders with our prefix and leaves others alone", async () => {
    const { exchange, events, make } = setup(flat(T0, 30, () => 100), 10);
    await exchange.place({ clientOrderId: "mmbot-old-1", side: "buy", price: 99, amount: 0.1 });
    await exchange.place({ clientOrderId: "manual-1", side: "buy", price: 98, amount: 0.1 });
    await make().start();
    expect(await open(exchange)).toEqual([]);
    expect((await exchange.openOrders("")).map((o) => o.clientOrderId)).toEqual(["manual-1"]);
    expect(events.map((e) => e.type)).toEqual(["order_cancelled", "start"]);
    expect(events[1]).toMatchObject({ type: "start", cancelledLeftovers: 1 });
  });

  test("fills reach the books and the event stream", async () => {
    // minute 11 dips to 99.8 (below our 99.90 bid); path 100 → 99.8 → 100 → 100
    const candles = flat(T0, 30, () => 100);
    candles[11] = bar(T0 + 11 * MIN, 100, 100, 99.8, 100, 100);
    const { clock, events, make } = setup(candles, 10);
    const engine = make();
    await engine.start();
    await engine.tick();
    clock.set(T0 + 12 * MIN);
    await engine.tick();
    const fills = events.filter((e) => e.type === "fill");
    expect(fills.length).toBe(1);
    const f = fills[0] as Extract<EngineEvent, { type: "fill" }>;
    expect(f.fill).toMatchObject({ side: "buy", price: 99.9, amount: 0.1 });
    // placed when mid was 100.005: captured (100.005 − 99.9) / 100.005 = 10.5 bp
    expect(f.spreadCaptureBps).toBeCloseTo((100.005 - 99.9) / 100.005 * 10_000, 9);
    expect(engine.portfolio!.base).toBeCloseTo(1.1, 12);
    expect(engine.status().pnl!.fees).toBeCloseTo(99.9 * 0.1 * 0.001, 12);
  });

  test("the record's placement is the order as placed, though the paper exchange's own order fills after", async () => {
    // the paper exchange hands out the order it keeps (fills change it); a record kept past the tick (the ledger's
    // backlog) must still say what was placed: the engine copies it for the event
    const candles = flat(T0, 30, () => 100);
    candles[11] = bar(T0 + 11 * MIN, 100, 100, 99.8, 100, 100); // through our 99.90 bid
    const { clock, cfg, exchange } = setup(candles, 10);
    const kept: EngineEvent[] = [];
    const engine = new Engine({ config: cfg, exchange, clock, record: (e) => void kept.push(e) });
    await engine.start();
    await engine.tick();
    const venueBid = (await open(exchange)).find((o) => o.side === "buy")!;
    clock.set(T0 + 12 * MIN);
    await engine.tick();
    expect(venueBid).toMatchObject({ filled: 0.1, status: "filled" }); // the venue's order filled
    const placed = kept.filter((e) => e.type === "order_placed").map((e) => e.order).find((o) => o.side === "buy")!;
    expect(placed).toMatchObject({ clientOrderId: venueBid.clientOrderId, price: 99.9, filled: 0, status: "open" });
    expect(placed).not.toBe(venueBid);
  });

  test("client ids: a run id in each unless the engine is told none; never without one on a ledger", async () => {
    const { cfg, clock, exchange } = setup(flat(T0, 30, () => 100), 10);
    const live = new Engine({ config: cfg, exchange, clock });
    await live.start();
    await live.tick();
    expect((await open(exchange)).map((o) => o.clientOrderId)).toEqual([
      expect.stringMatching(/^mmbot-[0-9a-z]{7}-1$/),
      expect.stringMatching(/^mmbot-[0-9a-z]{7}-2$/),
    ]);
    const bt = new Engine({ config: cfg, exchange, clock, runId: "" });
    await bt.start(); // cancels the leftovers of the run before
    await bt.tick();
    expect((await open(exchange)).map((o) => o.clientOrderId)).toEqual(["mmbot-1", "mmbot-2"]);
    expect(() => new Engine({ config: cfg, exchange, clock, runId: "", record: () => {} })).toThrow("needs a run id");
  });

  test("stop cancels every order of ours", async () => {
    const { exchange, events, make } = setup(flat(T0, 30, () => 100), 10);
    const engine = make();
    await engine.start();
    await engine.tick();
    expect(await engine.stop()).toEqual({ cancelled: 2, resting: [], confirmed: true, error: null });
    expect(await open(exchange)).toEqual([]);
    expect(events.at(-1)).toMatchObject({ type: "stop", cancelled: 2 });
  });

  test("a pause arriving while a tick is placing orders leaves nothing resting", async () => {
    const { exchange, make } = setup(flat(T0, 30, () => 100), 10);
    // a venue that answers slowly: the pause lands between the tick's two placements
    let placing: () => void = () => {};
    const slow: ExchangePort = {
      rules: () => exchange.rules(),
      topOfBook: () => exchange.topOfBook(),
      closedCandles: (since, limit) => exchange.closedCandles(since, limit),
      balances: () => exchange.balances(),
      openOrders: (prefix) => exchange.openOrders(prefix),
      cancel: (o) => exchange.cancel(o),
      fillsSince: (id) => exchange.fillsSince(id),
      place: async (o) => {
        placing();
        await new Promise((r) => setTimeout(r, 20));
        return exchange.place(o);
      },
    };
    const engine = make(slow);
    await engine.start();
    const placed = new Promise<void>((r) => (placing = r));
    const tick = engine.tick();
    await placed;
    const { cancelled } = await engine.pause();
    await tick;
    expect(cancelled).toBe(1); // the one order placed before the pause
    expect(await open(exchange)).toEqual([]);
  });

  test("reconfigure: new amounts apply from the next tick; new indicator periods reload history", async () => {
    const { cfg, clock, exchange, make } = setup(flat(T0, 60, () => 100), 40);
    const engine = make();
    await engine.start();
    await engine.tick();
    engine.reconfigure({ ...cfg, strategy: { ...cfg.strategy, order_amount: 0.2 } });
    clock.advance(60_000);
    await engine.tick();
    expect((await open(exchange)).map((o) => o.amount)).toEqual([0.2, 0.2]);
    expect(engine.status().warmup).toEqual({ count: 41, required: 5 });

    engine.reconfigure({ ...cfg, strategy: { ...cfg.strategy, natr_period: 20 } });
    clock.advance(15_000);
    await engine.tick();
    // the new NATR(20) was fed the venue's history at once: still quoting, not warming up
    expect(engine.status()).toMatchObject({ state: "quoting", warmup: { count: 41, required: 20 } });
  });
});
