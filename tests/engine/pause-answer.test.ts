/**
 * The operator's pause answers at once whatever the venue is doing (issue 24): with every venue call hanging, the
 * answer says "pause recorded, cancelling N order(s)", /status says `pausing` from that moment, and the cancels go
 * on once the venue answers again.
 */
import { describe, expect, test } from "bun:test";
import { ManualClock } from "../../lib/engine/clock.ts";
import { Engine } from "../../lib/engine/engine.ts";
import { memoryPauses } from "../../lib/engine/pause.ts";
import { pauseAnswer, pauseAnswerText } from "../../lib/engine/pause-answer.ts";
import { createApp } from "../../lib/http/routes.ts";
import { History } from "../../lib/http/history.ts";
import { Metrics } from "../../lib/http/metrics.ts";
import { PaperExchange } from "../../lib/venues/paper.ts";
import type { ExchangePort } from "../../lib/venues/port.ts";
import { ReplayFeed } from "../../lib/venues/replay-feed.ts";
import { config, flat } from "../fixtures.ts";

const T0 = Date.UTC(2024, 0, 1, 0, 0);
const MIN = 60_000;

/** A paper venue that can be made to hang: every call waits until `release()`, then answers as the paper venue. */
function hangingVenue() {
  const cfg = config(
    "strategy.profile=fixed",
    "strategy.natr_period=5",
    "strategy.order_amount=0.1",
    "paper.initial_base=1",
    "paper.initial_quote=100",
  );
  const clock = new ManualClock(T0 + 10 * MIN);
  const paper = new PaperExchange(new ReplayFeed(flat(T0, 60, () => 100), 0.01), clock, cfg);
  let gate: Promise<void> | null = null, open = () => {};
  let waiting = 0;
  const call = <T>(answer: () => T): T | Promise<T> => {
    if (!gate) return answer();
    waiting++;
    return gate.then(() => (waiting--, answer()));
  };
  const venue: ExchangePort = {
    rules: () => paper.rules(),
    topOfBook: () => call(() => paper.topOfBook()),
    closedCandles: (s, l) => paper.closedCandles(s, l),
    balances: () => call(() => paper.balances()),
    openOrders: (p) => call(() => paper.openOrders(p)),
    place: (o) => call(() => paper.place(o)),
    cancel: (o) => call(() => paper.cancel(o)),
    fillsSince: (t) => call(() => paper.fillsSince(t)),
  };
  return {
    cfg,
    clock,
    venue,
    resting: () => paper.openOrders("mmbot-"),
    hang: () => (gate = new Promise<void>((r) => (open = r))),
    release: () => (gate = null, open()),
    waiting: () => waiting,
  };
}

describe("a pause while the venue hangs every call", () => {
  test("Telegram's answer comes at once: 'pause recorded, cancelling 2 order(s)'; status 'pausing'; cancelled later", async () => {
    const v = hangingVenue();
    const store = memoryPauses();
    const engine = new Engine({ config: v.cfg, exchange: v.venue, clock: v.clock, pauses: store });
    await engine.start();
    await engine.tick();
    expect(v.resting().length).toBe(2);

    v.hang();
    v.clock.advance(15_000);
    const ticking = engine.tick(); // stuck on its first venue call
    const a = await pauseAnswer(engine, "telegram", 50);
    expect(v.waiting()).toBeGreaterThan(0); // the venue has still not answered anything
    expect(a).toEqual({ done: false, cancelling: 2 });
    expect(pauseAnswerText(a as { done: false; cancelling: number })).toStartWith(
      "⏸ Pause recorded, cancelling 2 order(s)",
    );
    expect(store.read().paused).toBe(true); // the operator's word is durable already
    const s = engine.status();
    expect([s.state, s.paused]).toEqual(["pausing", true]);
    expect(s.detail).toBe("pausing: pause recorded, cancelling 2 order(s); paused from telegram");

    // the venue answers again: the tick in flight places nothing, the pull cancels, nothing rests
    v.release();
    await ticking;
    v.clock.advance(15_000);
    await engine.tick();
    expect(v.resting()).toEqual([]);
    expect(engine.status().state).toBe("paused");
  });

  test("POST /api/pause answers at once with pausing and the count; the pull goes on behind it", async () => {
    const v = hangingVenue();
    const engine = new Engine({ config: v.cfg, exchange: v.venue, clock: v.clock });
    const app = createApp({
      engine,
      metrics: new Metrics(),
      history: new History(engine),
      version: "t",
      runtime: "bun",
      startedAt: 0,
      token: "s3cret",
      pause: () => engine.pause("http"),
      resume: () => engine.resume(),
    });
    await engine.start();
    await engine.tick();
    v.hang();
    v.clock.advance(15_000);
    const ticking = engine.tick();
    const res = await app.request("/api/pause", { method: "POST", headers: { Authorization: "Bearer s3cret" } });
    expect(v.waiting()).toBeGreaterThan(0);
    expect(await res.json()).toEqual({
      paused: true,
      pausing: true,
      cancelling: 2,
      detail: "pause recorded, cancelling 2 order(s)",
    });
    expect((await (await app.request("/api/status")).json()).state).toBe("pausing");
    v.release();
    await ticking;
    v.clock.advance(15_000);
    await engine.tick();
    expect(v.resting()).toEqual([]);
  });

  test("a venue that answers: the pull's own result, as before", async () => {
    const v = hangingVenue();
    const engine = new Engine({ config: v.cfg, exchange: v.venue, clock: v.clock });
    await engine.start();
    await engine.tick();
    const a = await pauseAnswer(engine, "telegram", 5_000);
    expect(a).toMatchObject({ done: true, result: { cancelled: 2, resting: [], confirmed: true } });
    expect(engine.status().state).toBe("paused");
  });
});
