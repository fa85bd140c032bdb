/**
 * The ccxt adapter on ccxt's real `binance` / `binanceusdm` classes against the fake Binance:
 * the venue-side dead-man switch (USDT-M countdownCancelAll) and the time an order book is current
 * as of (the venue's timestamp, else the first sighting of its update id). Time is moved by hand.
 */
import { afterEach, describe, expect, test } from "bun:test";
import { CcxtExchange } from "../../lib/venues/ccxt.ts";
import { BookClock, orderFrom } from "../../lib/venues/ccxt-convert.ts";
import { createVenue, loadCcxt } from "../../lib/venues/ccxt-venue.ts";
import { type ExchangePort, KeyRefused } from "../../lib/venues/port.ts";
import { riskGate } from "../../lib/core/risk.ts";
import { API_KEY, FakeBinance, KEYS, PERP } from "../fakes/binance.ts";
import { config, until } from "../fixtures.ts";

const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const FAST_RETRY = { attempts: 4, baseMs: 20, capMs: 3000 };
const T0 = Date.UTC(2025, 0, 6, 12, 0, 0);
const COUNTDOWN = "POST /fapi/v1/countdownCancelAll";

/** A fake Binance whose clock moves only when the test says so. */
function fakeFor(kind: "spot" | "perp") {
  const fake = new FakeBinance(kind).start();
  cleanups.push(() => fake.stop());
  const clock = { ms: T0 };
  fake.now = () => clock.ms;
  return { fake, clock };
}

/** CcxtExchange on ccxt's real class for the fake's kind, REST sent to the fake, with its own `now`. */
async function exchangeOn(fake: FakeBinance, now: () => number = Date.now) {
  const cfg = config(
    "mode=live",
    "feed.source=live",
    `market.rest_url=${fake.url}`,
    ...(fake.kind === "perp" ? PERP : []),
  );
  const { venue } = await createVenue(cfg, { trading: true, secrets: KEYS });
  venue.enableRateLimit = false; // ccxt's throttle only slows these tests down
  const exchange = new CcxtExchange(venue, await loadCcxt(), cfg, FAST_RETRY, undefined, now);
  cleanups.push(() => exchange.close());
  return { exchange, cfg };
}

/** A resting bid and ask of ours, well away from the fake's 2999.99 / 3000.01 book. */
async function quoteBothSides(exchange: CcxtExchange) {
  await exchange.place({ clientOrderId: "mmbot-b1", side: "buy", price: 2990, amount: 0.01 });
  await exchange.place({ clientOrderId: "mmbot-a1", side: "sell", price: 3010, amount: 0.01 });
}

describe("venue-side dead-man switch (Binance USDT-M countdownCancelAll)", () => {
  test("binanceusdm arms it with a signed request: the market id and the countdown in ms", async () => {
    const { fake } = fakeFor("perp");
    const { exchange } = await exchangeOn(fake);
    expect(typeof exchange.armDeadMan).toBe("function");
    await exchange.armDeadMan!(60);
    const calls = fake.calls(COUNTDOWN);
    expect(calls.map((c) => [c.params.symbol, c.params.countdownTime])).toEqual([["ETHUSDT", "60000"]]);
    expect(calls[0].signed && calls[0].apiKey === API_KEY).toBe(true);
    expect(fake.countdowns.get("ETHUSDT")).toBe(T0 + 60_000);
  });

  test("our orders disappear once the bot stops renewing it; each renewal pushes the deadline on", async () => {
    const { fake, clock } = fakeFor("perp");
    const { exchange } = await exchangeOn(fake);
    await quoteBothSides(exchange);
    await exchange.armDeadMan!(60);
    clock.ms = T0 + 40_000;
    await exchange.armDeadMan!(60); // renewed: the deadline is now T0 + 100 s
    clock.ms = T0 + 90_000; // past the first deadline
    expect(fake.open().length).toBe(2);
    expect((await exchange.openOrders("mmbot-")).length).toBe(2);
    clock.ms = T0 + 100_000; // the bot went silent at T0 + 40 s
    expect(fake.open()).toEqual([]);
    expect(await exchange.openOrders("mmbot-")).toEqual([]);
    expect(fake.orders.map((o) => o.status)).toEqual(["CANCELED", "CANCELED"]);
  });

  test("in real time the venue fires on its own, with no request from the bot to notice it", async () => {
    const fake = new FakeBinance("perp").start(); // the wall clock
    cleanups.push(() => fake.stop());
    const { exchange } = await exchangeOn(fake);
    await quoteBothSides(exchange);
    await exchange.armDeadMan!(1);
    const seen = fake.requests.length;
    // fake.orders, not fake.open() (which would check the deadline itself)
    await until(() => fake.orders.every((o) => o.status === "CANCELED"), "every order cancelled", 3_000);
    expect(fake.requests.length).toBe(seen);
  });

  test("0 disarms it at the venue (orders then rest however long the bot is silent), said once, not every tick", async () => {
    const { fake, clock } = fakeFor("perp");
    const { exchange } = await exchangeOn(fake);
    await quoteBothSides(exchange);
    await exchange.armDeadMan!(60);
    await exchange.armDeadMan!(0);
    await exchange.armDeadMan!(0);
    await exchange.armDeadMan!(0);
    expect(fake.calls(COUNTDOWN).map((c) => c.params.countdownTime)).toEqual(["60000", "0"]);
    expect(fake.countdowns.size).toBe(0);
    clock.ms = T0 + 3_600_000;
    expect(fake.open().length).toBe(2);
    // a fresh process does not know what a previous run left armed: its first 0 is sent
    const { exchange: restarted } = await exchangeOn(fake);
    await restarted.armDeadMan!(0);
    expect(fake.calls(COUNTDOWN).length).toBe(3);
  });

  test("retried like the other idempotent calls; a refused key is final", async () => {
    const { fake } = fakeFor("perp");
    const { exchange } = await exchangeOn(fake);
    fake.inject(COUNTDOWN, {
      status: 503,
      body: { code: -1001, msg: "Internal error; unable to process your request." },
    }, 2);
    await exchange.armDeadMan!(30);
    expect(fake.calls(COUNTDOWN).length).toBe(3);
    expect(fake.countdowns.get("ETHUSDT")).toBe(T0 + 30_000);
    fake.inject(COUNTDOWN, {
      status: 401,
      body: { code: -2015, msg: "Invalid API-key, IP, or permissions for action." },
    });
    await expect(exchange.armDeadMan!(30)).rejects.toBeInstanceOf(KeyRefused);
    expect(fake.calls(COUNTDOWN).length).toBe(4);
  });

  test("spot binance has none: the method is left undefined and nothing is sent", async () => {
    const { fake } = fakeFor("spot");
    const { exchange } = await exchangeOn(fake);
    const port: ExchangePort = exchange;
    expect(port.armDeadMan).toBeUndefined();
    expect("armDeadMan" in exchange).toBe(false);
    await port.armDeadMan?.(60);
    expect(fake.requests.filter((r) => r.path.includes("countdown"))).toEqual([]);
  });
});

describe("the time an order book is current as of", () => {
  test("spot (no timestamp): the first sighting of its update id, so a frozen book ages and the risk gate stands aside", async () => {
    const { fake } = fakeFor("spot");
    const local = { ms: T0 };
    const { exchange, cfg } = await exchangeOn(fake, () => local.ms);
    expect((await exchange.topOfBook()).ts).toBe(T0);
    local.ms = T0 + 5_000;
    expect(await exchange.topOfBook()).toEqual({ ts: T0 + 5_000, bestBid: 2999.99, bestAsk: 3000.01 });

    fake.frozen = true; // the venue keeps answering the snapshot it served at T0 + 5 s
    fake.bestBid = 2999.5; // the frozen book does not show it
    for (const s of [10, 20, 40]) {
      local.ms = T0 + s * 1000;
      expect(await exchange.topOfBook()).toEqual({ ts: T0 + 5_000, bestBid: 2999.99, bestAsk: 3000.01 });
    }
    const state = { killSwitch: false, natr: null, equity: 1, peakEquity: 1 };
    const top = await exchange.topOfBook();
    expect(riskGate({ ...state, nowMs: local.ms, bookTs: top.ts }, cfg.risk)).toMatchObject({
      ok: false,
      reason: "stale_book",
      detail: `order book is 35 s old (max ${cfg.risk.max_book_age_s} s)`,
    });

    fake.frozen = false; // it moves again: a new update id, stamped when we first see it
    local.ms = T0 + 41_000;
    const fresh = await exchange.topOfBook();
    expect(fresh).toEqual({ ts: T0 + 41_000, bestBid: 2999.5, bestAsk: 3000.01 });
    expect(riskGate({ ...state, nowMs: local.ms, bookTs: fresh.ts }, cfg.risk)).toEqual({ ok: true });
    const depth = fake.calls("GET /api/v3/depth");
    expect(depth.length).toBe(7);
  });

  test("futures: the venue's own timestamp (T), not our clock; it stops while the book is frozen", async () => {
    const { fake, clock } = fakeFor("perp");
    const local = { ms: 1_000 }; // our clock, far from the venue's: never used when the book has a time
    const { exchange } = await exchangeOn(fake, () => local.ms);
    expect((await exchange.topOfBook()).ts).toBe(T0);
    clock.ms = T0 + 2_000;
    expect((await exchange.topOfBook()).ts).toBe(T0 + 2_000);
    fake.frozen = true;
    clock.ms = T0 + 60_000;
    local.ms = 61_000;
    expect((await exchange.topOfBook()).ts).toBe(T0 + 2_000);
    fake.frozen = false;
    clock.ms = T0 + 61_000;
    expect((await exchange.topOfBook()).ts).toBe(T0 + 61_000);
  });

  test("BookClock: the timestamp wins; a new nonce restarts the clock; neither is the moment of receipt", () => {
    const c = new BookClock();
    expect(c.asOf({ timestamp: 123, nonce: 7 }, 1_000)).toBe(123);
    expect(c.asOf({ nonce: 7 }, 1_000)).toBe(1_000);
    expect(c.asOf({ nonce: 7 }, 9_000)).toBe(1_000);
    expect(c.asOf({ nonce: 8 }, 9_500)).toBe(9_500);
    expect(c.asOf({ nonce: 7 }, 9_600)).toBe(9_600); // back to an older id: still a change
    expect(c.asOf({}, 9_700)).toBe(9_700);
    expect(c.asOf({ timestamp: null, nonce: null }, 9_800)).toBe(9_800);
  });
});

describe("ccxt's order words, translated once at the venue edge", () => {
  test("ccxt's closed is our filled, its canceled our cancelled; open and rejected stay", () => {
    const status = (s: string) =>
      orderFrom({ id: "1", clientOrderId: "mmbot-1", side: "buy", price: 100, amount: 1, status: s } as never, 0)
        .status;
    expect(["open", "closed", "canceled", "rejected"].map(status)).toEqual(["open", "filled", "cancelled", "rejected"]);
  });
});
