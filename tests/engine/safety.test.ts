/**
 * The engine's money-safety invariants (DESIGN §12) against the paper exchange on a manual clock:
 * durable pauses whose cancels are retried, a stop that reports what still rests, fail-closed
 * recording, the peak equity kept across restarts, quotes pulled when a tick fails, client ids that
 * never repeat.
 */
import { describe, expect, test } from "bun:test";
import type { EngineEvent } from "../../lib/core/events.ts";
import type { Candle, Order } from "../../lib/core/types.ts";
import { ManualClock } from "../../lib/engine/clock.ts";
import { memoryPauses, type PauseBackend } from "../../lib/engine/pause.ts";
import { Engine } from "../../lib/engine/engine.ts";
import { PaperExchange } from "../../lib/venues/paper.ts";
import type { ExchangePort } from "../../lib/venues/port.ts";
import { ReplayFeed } from "../../lib/venues/replay-feed.ts";
import { engineConfig, flat } from "../fixtures.ts";

const T0 = Date.UTC(2024, 0, 1, 0, 0);
const MIN = 60_000;
/** A paper venue whose calls can be made to fail by kind, like an exchange in an outage. */
function setup(candles: Candle[] = flat(T0, 60, () => 100), ...sets: string[]) {
  const cfg = engineConfig(...sets);
  const clock = new ManualClock(T0 + 10 * MIN);
  const paper = new PaperExchange(new ReplayFeed(candles, 0.01), clock, cfg);
  const down = new Set<keyof ExchangePort>();
  const fail = (kind: keyof ExchangePort) => () => Promise.reject(new Error(`${kind}: 503 Service Unavailable`));
  const venue: ExchangePort = {
    rules: () => paper.rules(),
    topOfBook: () => (down.has("topOfBook") ? fail("topOfBook")() : paper.topOfBook()),
    closedCandles: (s, l) => paper.closedCandles(s, l),
    balances: () => (down.has("balances") ? fail("balances")() : paper.balances()),
    openOrders: (p) => (down.has("openOrders") ? fail("openOrders")() : paper.openOrders(p)),
    place: (o) => (down.has("place") ? fail("place")() : paper.place(o)),
    cancel: (o) => (down.has("cancel") ? fail("cancel")() : paper.cancel(o)),
    fillsSince: (t) => (down.has("fillsSince") ? fail("fillsSince")() : paper.fillsSince(t)),
  };
  const outage = (on: boolean) => {
    for (const k of ["topOfBook", "balances", "openOrders", "place", "cancel", "fillsSince"] as const) {
      if (on) down.add(k);
      else down.delete(k);
    }
  };
  const events: EngineEvent[] = [];
  const make = (opts: { pauses?: PauseBackend; record?: (e: EngineEvent) => void } = {}) => {
    const engine = new Engine({ config: cfg, exchange: venue, clock, ...opts });
    engine.on((e) => e.type !== "tick" && events.push(e));
    return engine;
  };
  const resting = () => paper.openOrders("mmbot-");
  return { cfg, clock, paper, venue, down, outage, events, make, resting };
}

describe("a pause is durable before it acts, and its cancels are retried", () => {
  test("during an outage: paused in the store at once, 'pausing' while orders rest, cancelled once the venue is back", async () => {
    const { clock, outage, make, resting, events } = setup();
    const store = memoryPauses();
    const engine = make({ pauses: store });
    await engine.start();
    await engine.tick();
    expect((await resting()).length).toBe(2);

    outage(true);
    const r = await engine.pause("telegram");
    expect(store.read().paused).toBe(true); // written before any cancel could succeed
    expect(store.read().detail).toBe("paused from telegram");
    expect(r).toMatchObject({ cancelled: 0, confirmed: false });
    expect(r.resting.length).toBe(2); // the last known orders
    expect(engine.status().state).toBe("pausing");
    expect(engine.status().detail).toBe(
      "pausing: 2 order(s) still resting, last error openOrders: 503 Service Unavailable; paused from telegram",
    );
    // ticks during the outage never unpause and never place
    for (let i = 0; i < 8; i++) {
      clock.advance(15_000);
      await engine.tick();
      expect(engine.paused).toBe(true);
      expect(store.read().paused).toBe(true);
    }
    outage(false);
    clock.advance(15_000);
    await engine.tick();
    expect(await resting()).toEqual([]);
    expect(engine.status()).toMatchObject({ state: "paused", detail: "paused from telegram" });
    expect(events.some((e) => e.type === "orders_pulled")).toBe(true);
    const placedBefore = events.filter((e) => e.type === "order_placed").length;
    for (let i = 0; i < 4; i++) {
      clock.advance(15_000);
      await engine.tick();
    }
    expect(events.filter((e) => e.type === "order_placed").length).toBe(placedBefore);
    engine.resume();
    expect(store.read().paused).toBe(false);
    clock.advance(15_000);
    await engine.tick();
    expect((await resting()).length).toBe(2);
  });

  test("cancels that fail one by one: the failing order is retried until it is gone", async () => {
    const { paper, clock, make, resting } = setup();
    const engine = make();
    await engine.start();
    await engine.tick();
    const [bid] = await resting();
    const cancel = paper.cancel.bind(paper);
    let refuse: string | null = bid.clientOrderId;
    paper.cancel = (
      o: Order,
    ) => (o.clientOrderId === refuse ? Promise.reject(new Error("-1001 disconnected")) : cancel(o));
    const r = await engine.pause();
    expect([r.cancelled, r.resting.map((o) => o.clientOrderId), r.confirmed]).toEqual([1, [bid.clientOrderId], true]);
    expect(engine.status().detail).toStartWith("pausing: 1 order(s) still resting, last error -1001 disconnected");
    refuse = null;
    clock.advance(15_000);
    await engine.tick();
    expect(await resting()).toEqual([]);
    expect(engine.status().state).toBe("paused");
  });

  test("a store that cannot record the pause: paused in memory anyway, and an error says a restart would forget it", async () => {
    const { make, resting, events } = setup();
    const store = memoryPauses();
    const engine = make({ pauses: store });
    await engine.start();
    await engine.tick();
    store.write = () => {
      throw new Error("disk I/O error");
    };
    await engine.pause("http");
    expect(engine.paused).toBe(true);
    expect(await resting()).toEqual([]);
    const error = events.find((e) => e.type === "error") as Extract<EngineEvent, { type: "error" }>;
    expect(error.message).toBe(
      "paused from http, but the ledger could not record it (disk I/O error): a restart would forget it",
    );
  });

  test("the error breaker pauses durably and does not resume when the venue answers again", async () => {
    const { clock, outage, make, events } = setup(undefined, "risk.max_consecutive_errors=3");
    const store = memoryPauses();
    const engine = make({ pauses: store });
    await engine.start();
    await engine.tick();
    outage(true);
    for (let i = 0; i < 3; i++) {
      clock.advance(15_000);
      await engine.tick();
    }
    expect(store.read().paused).toBe(true);
    expect(store.read().detail).toBe(
      "paused by the error breaker: 3 failed ticks in a row; last: fillsSince: 503 Service Unavailable",
    );
    outage(false);
    clock.advance(15_000);
    await engine.tick();
    expect(events.some((e) => e.type === "error_breaker" && e.state === "recovered")).toBe(true);
    expect(engine.paused).toBe(true);
    expect(engine.status().state).toBe("error_breaker");
  });
});

describe("a failed tick pulls our quotes", () => {
  test("one failed fetch cancels both quotes at once; the next good tick quotes again", async () => {
    const { clock, down, make, resting } = setup();
    const engine = make();
    await engine.start();
    await engine.tick();
    expect((await resting()).length).toBe(2);
    down.add("balances");
    clock.advance(15_000);
    await engine.tick();
    expect(await resting()).toEqual([]); // not left resting until the breaker trips
    expect(engine.status()).toMatchObject({ state: "standing_aside", consecutiveErrors: 1 });
    down.delete("balances");
    clock.advance(15_000);
    await engine.tick();
    expect((await resting()).length).toBe(2);
  });

  test("with risk.pull_quotes_on_error=false the quotes rest until the breaker trips", async () => {
    const { clock, down, make, resting } = setup(undefined, "risk.pull_quotes_on_error=false");
    const engine = make();
    await engine.start();
    await engine.tick();
    down.add("balances");
    clock.advance(15_000);
    await engine.tick();
    expect((await resting()).length).toBe(2);
  });
});

describe("stop: bounded retries, then the venue's word on what rests", () => {
  test("an outage that ends within the timeout: everything cancelled, confirmed", async () => {
    const { paper, make, resting } = setup();
    const engine = make();
    await engine.start();
    await engine.tick();
    const cancel = paper.cancel.bind(paper);
    let failures = 3;
    paper.cancel = (o: Order) => (failures-- > 0 ? Promise.reject(new Error("503")) : cancel(o));
    const r = await engine.stop(30_000);
    expect([r.confirmed, r.resting, await resting()]).toEqual([true, [], []]);
  });

  test("an outage that outlasts the timeout: what still rests is reported", async () => {
    const { clock, paper, make, resting, events } = setup();
    const engine = make();
    await engine.start();
    await engine.tick();
    const t0 = clock.now();
    paper.cancel = () => Promise.reject(new Error("503"));
    const r = await engine.stop(10_000);
    expect(clock.now() - t0).toBeGreaterThanOrEqual(10_000); // it kept trying for the whole timeout
    expect(r.confirmed).toBe(true);
    expect(r.resting.map((o) => o.clientOrderId).sort()).toEqual((await resting()).map((o) => o.clientOrderId).sort());
    expect(r.resting.length).toBe(2);
    const stop = events.find((e) => e.type === "stop") as Extract<EngineEvent, { type: "stop" }>;
    expect(stop.resting.length).toBe(2);
  });
});

describe("written before it acts", () => {
  test("the kill switch and its pause are in the store before the first cancel: a crash between them keeps it", async () => {
    // 1 base + 100 quote at 100; at 90 the bid has filled: about 1.1 × 90 + 90 = 189 of the 200.005 peak, 5.5 % ≥ 5 %
    const { clock, paper, make, resting } = setup(
      flat(T0, 60, (i) => (i < 12 ? 100 : 90)),
      "risk.max_drawdown_pct=5",
      "risk.max_natr_pct=50",
      "risk.drawdown_basis=equity", // the market's fall trips it: equity, not the strategy's own loss
    );
    const store = memoryPauses();
    const engine = make({ pauses: store });
    await engine.start();
    await engine.tick();
    expect((await resting()).length).toBe(2);
    const atCancel: boolean[] = [];
    const cancel = paper.cancel.bind(paper);
    paper.cancel = (o: Order) => {
      const r = store.read();
      atCancel.push(r.paused && r.killSwitch);
      return cancel(o);
    };
    clock.set(T0 + 12 * MIN + 5_000);
    await engine.tick();
    expect(engine.status().state).toBe("killed");
    expect(await resting()).toEqual([]);
    expect(atCancel.length).toBeGreaterThan(0);
    expect(atCancel.every(Boolean)).toBe(true);
  });

  test("the stop records each attempt's cancels before the next attempt", async () => {
    const { paper, make, resting, events } = setup();
    const engine = make();
    await engine.start();
    await engine.tick();
    const [bid] = await resting();
    const cancel = paper.cancel.bind(paper), list = paper.openOrders.bind(paper);
    let refuse = true, listings = 0, recordedBeforeSecond = -1;
    paper.cancel = (o: Order) => {
      if (o.clientOrderId !== bid.clientOrderId || !refuse) return cancel(o);
      refuse = false;
      return Promise.reject(new Error("503"));
    };
    paper.openOrders = (prefix: string) => {
      if (++listings === 2) recordedBeforeSecond = events.filter((e) => e.type === "order_cancelled").length;
      return list(prefix);
    };
    const r = await engine.stop(30_000);
    expect(recordedBeforeSecond).toBe(1); // the ask, cancelled on the first attempt, was told before the retry
    expect([r.cancelled, r.resting, r.confirmed]).toEqual([2, [], true]);
  });
});

describe("the stop's final open-orders query", () => {
  test("cancels that timed out but did the work: the final query, not the last failure, decides what rests", async () => {
    const { clock, paper, make, resting } = setup();
    const engine = make();
    await engine.start();
    await engine.tick();
    const cancel = paper.cancel.bind(paper);
    const deadline = clock.now() + 10_000;
    // until the deadline the venue refuses; at it, the cancel goes through but its answer is lost
    paper.cancel = async (o: Order) => {
      if (clock.now() >= deadline) await cancel(o);
      throw new Error("request timed out (10000 ms)");
    };
    const r = await engine.stop(10_000);
    expect(await resting()).toEqual([]); // really gone at the venue
    expect([r.confirmed, r.resting]).toEqual([true, []]); // and the report says so: exit 0, not 3
  });
});

describe("the venue's dead-man switch", () => {
  test("renewed once per tick with risk.dead_man_s where the venue has one; never with 0", async () => {
    for (const [seconds, expected] of [[60, [60, 60, 60]], [0, []]] as const) {
      const { clock, venue, make } = setup(undefined, `risk.dead_man_s=${seconds}`);
      const armed: number[] = [];
      venue.armDeadMan = (s: number) => (armed.push(s), Promise.resolve());
      const engine = make();
      await engine.start();
      for (let i = 0; i < 3; i++) {
        clock.advance(15_000);
        await engine.tick();
      }
      expect([seconds, armed]).toEqual([seconds, [...expected]]);
    }
  });
});

describe("fail closed on ledger write errors", () => {
  test("a fill the ledger cannot record stops quoting and cancels; the backlog is written in order when it recovers", async () => {
    // falling prices: our bid fills
    const { clock, make, resting, events } = setup(flat(T0, 60, (i) => (i < 11 ? 100 : 99)));
    const written: EngineEvent[] = [];
    let broken = false;
    const engine = make({
      record: (e) => {
        if (broken && e.type !== "tick") throw new Error("SQLITE_FULL: database or disk is full");
        if (e.type !== "tick") written.push(e);
      },
    });
    await engine.start();
    await engine.tick();
    broken = true;
    for (let i = 0; i < 8 && !events.some((e) => e.type === "ledger_failed"); i++) {
      clock.advance(15_000);
      await engine.tick();
    }
    const failed = events.find((e) => e.type === "ledger_failed") as Extract<EngineEvent, { type: "ledger_failed" }>;
    expect(failed.message).toBe("SQLITE_FULL: database or disk is full");
    clock.advance(15_000);
    await engine.tick();
    expect(await resting()).toEqual([]);
    expect(engine.status().detail).toContain("the ledger cannot record (SQLITE_FULL");
    const unwritten = events.filter((e) => e.type !== "ledger_failed" && !written.includes(e));
    broken = false;
    clock.advance(15_000);
    await engine.tick();
    expect(events.some((e) => e.type === "ledger_recovered")).toBe(true);
    // every event told while the ledger was down was written afterwards, in the same order
    expect(written.slice(-unwritten.length - 10).filter((e) => unwritten.includes(e))).toEqual(unwritten);
    clock.advance(15_000);
    await engine.tick();
    expect(engine.status().state).toBe("quoting");
  });
});

describe("restarts", () => {
  test("the peak equity is kept: a restart does not reset the drawdown budget", async () => {
    const { make } = setup();
    const store = memoryPauses();
    store.peakEquity = 250; // a peak reached before the restart
    const engine = make({ pauses: store });
    await engine.start();
    await engine.tick();
    // equity now 1 × 100.005 + 100 = 200.005: (250 − 200.005) / 250 = 19.998 % ≥ 10 %: the kill switch trips
    expect(engine.status()).toMatchObject({ state: "killed", killSwitch: true, paused: true });
    expect(store.read().killSwitch).toBe(true);
    expect(store.read().detail).toBe("paused by the kill switch: drawdown 20.00 % reached the limit of 10 %");
  });

  test("a new peak is written to the store as it is reached", async () => {
    const { clock, make } = setup(flat(T0, 60, (i) => (i < 11 ? 100 : 110)), "risk.drawdown_basis=equity");
    const store = memoryPauses();
    const engine = make({ pauses: store });
    await engine.start();
    expect(store.peakEquity).toBe(null);
    clock.set(T0 + 13 * MIN);
    await engine.tick();
    // the bot holds ~1 base: equity at mid 110.005 is ~ 1 × 110.005 + 100 = 210.005, above the 200.005 at start
    expect(store.peakEquity).toBeGreaterThan(205);
  });

  test("client order ids never repeat across two runs started in the same millisecond", async () => {
    const ids = new Set<string>();
    for (let run = 0; run < 2; run++) {
      const { make, resting } = setup();
      const engine = make();
      await engine.start();
      await engine.tick();
      for (const o of await resting()) ids.add(o.clientOrderId);
    }
    expect(ids.size).toBe(4);
  });
});
