import { afterEach, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openBot } from "../../lib/app/open.ts";
import { CcxtExchange } from "../../lib/venues/ccxt.ts";
import { systemClock } from "../../lib/engine/clock.ts";
import { Engine } from "../../lib/engine/engine.ts";
import type { EngineEvent } from "../../lib/core/events.ts";
import { API_KEY, API_SECRET, FakeBinance, KEYS, PERP } from "../fakes/binance.ts";
import { config } from "../fixtures.ts";
import { start as startProcess, stopStarted } from "../process.ts";

// a spawned bot is stopped whatever the test's outcome
afterEach(() => stopStarted());

const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const FAST_RETRY = { attempts: 4, baseMs: 20, capMs: 3000 };

function fakeFor(kind: "spot" | "perp") {
  const fake = new FakeBinance(kind).start();
  cleanups.push(() => fake.stop());
  return fake;
}

function liveConfig(fake: FakeBinance, ...sets: string[]) {
  return config(
    "mode=live",
    "feed.source=live",
    `market.rest_url=${fake.url}`,
    "strategy.profile=fixed",
    ...(fake.kind === "perp" ? PERP : []),
    ...sets,
  );
}

/** The engine on ccxt's real class against the fake, without a ledger. */
async function engineOn(fake: FakeBinance, ...sets: string[]) {
  const cfg = liveConfig(fake, ...sets);
  const { exchange } = await CcxtExchange.open(cfg, { trading: true, secrets: KEYS, retry: FAST_RETRY });
  const engine = new Engine({ config: cfg, exchange, clock: systemClock });
  const events: EngineEvent[] = [];
  engine.on((e) => events.push(e));
  await engine.start();
  return { engine, exchange, events };
}

/** A fresh directory for a ledger, removed after the test. */
function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** `deno run -P mod.ts` in live mode against the fake, with a fresh ledger. */
function startLive(fake: FakeBinance, keys: { key: string; secret: string }) {
  const sets = ["mode=live", "feed.source=live", `market.rest_url=${fake.url}`, ...(fake.kind === "perp" ? PERP : [])];
  sets.push(`storage.path=${join(tempDir("mmbot-live-run-"), "l.sqlite")}`);
  const bot = startProcess(sets.flatMap((s) => ["--set", s]), {
    EXCHANGE_API_KEY: keys.key,
    EXCHANGE_API_SECRET: keys.secret,
  });
  cleanups.push(() => void bot.child.kill("SIGKILL"));
  return bot;
}

const posts = (fake: FakeBinance) =>
  fake.calls(fake.kind === "spot" ? "POST /api/v3/order" : "POST /fapi/v1/order").map((r) => r.params);

describe("live trading through ccxt against a fake Binance", () => {
  for (const kind of ["spot", "perp"] as const) {
    test(`${kind}: rules from the market; orders arrive post-only, signed, with our client id, rounded to the filters`, async () => {
      const fake = fakeFor(kind);
      // 0.0123456 ETH: spot's lot is 0.0001, the perpetual's 0.001 (rules come from exchangeInfo, not the config)
      const { engine, exchange } = await engineOn(fake, "strategy.order_amount=0.0123456");
      expect(await exchange.rules()).toEqual(
        kind === "spot"
          ? { tickSize: 0.01, lotSize: 0.0001, minNotional: 5 }
          : { tickSize: 0.01, lotSize: 0.001, minNotional: 20 },
      );
      await engine.tick();
      const orders = posts(fake);
      expect(orders.length).toBe(2);
      for (const o of orders) {
        if (kind === "spot") expect(o.type).toBe("LIMIT_MAKER");
        else expect([o.type, o.timeInForce]).toEqual(["LIMIT", "GTX"]);
        expect(o.newClientOrderId).toMatch(/^mmbot-/);
        expect(o.quantity).toBe(kind === "spot" ? "0.0123" : "0.012");
        expect(Number(o.price) * 100 % 1).toBeCloseTo(0, 6);
        expect(o.signature).toMatch(/^[0-9a-f]{64}$/);
      }
      const bid = orders.find((o) => o.side === "BUY")!, ask = orders.find((o) => o.side === "SELL")!;
      expect(Number(bid.price)).toBeLessThan(fake.bestBid + 0.005);
      expect(Number(ask.price)).toBeGreaterThan(fake.bestAsk - 0.005);
      // every private request carried the key and a valid signature (the fake refuses others)
      expect(fake.requests.filter((r) => r.signed).every((r) => r.apiKey === API_KEY)).toBe(true);
      expect(fake.open().length).toBe(2);
      await engine.stop();
      expect(fake.open()).toEqual([]);
    });
  }

  test("a 429 with Retry-After is honoured, then the call succeeds", async () => {
    const fake = fakeFor("spot");
    const { engine, events } = await engineOn(fake);
    fake.inject("GET /api/v3/depth", {
      status: 429,
      body: { code: -1003, msg: "Too many requests; current limit is 6000 request weight per 1 MINUTE." },
      headers: { "Retry-After": "1" },
    });
    await engine.tick();
    const depth = fake.calls("GET /api/v3/depth").slice(-2);
    expect(depth[1].at - depth[0].at).toBeGreaterThanOrEqual(950);
    expect(events.filter((e) => e.type === "error")).toEqual([]);
    expect(fake.open().length).toBe(2);
    await engine.stop();
  });

  test("5xx answers are retried with backoff; the tick succeeds", async () => {
    const fake = fakeFor("perp");
    const { engine, events } = await engineOn(fake);
    fake.inject("GET /fapi/v1/openOrders", {
      status: 503,
      body: { code: -1001, msg: "Internal error; unable to process your request. Please try again." },
    }, 2);
    await engine.tick();
    expect(events.filter((e) => e.type === "error")).toEqual([]);
    expect(fake.open().length).toBe(2);
    await engine.stop();
    expect(fake.open()).toEqual([]);
  });

  test("an order whose placement timed out is found by its client id: no duplicate, no orphan", async () => {
    const fake = fakeFor("spot");
    const { engine, exchange, events } = await engineOn(fake);
    exchange.venue.timeout = 300;
    fake.inject("POST /api/v3/order", { delayMs: 800 }); // placed at the exchange, reply too late
    await engine.tick();
    expect(events.filter((e) => e.type === "error")).toEqual([]);
    const open = fake.open();
    expect(open.map((o) => o.side).sort()).toEqual(["BUY", "SELL"]);
    expect(engine.status().openOrders.length).toBe(2);
    // the next tick keeps one order per side
    await engine.tick();
    expect(fake.open().length).toBe(2);
    await engine.stop();
    expect(fake.open()).toEqual([]);
  });

  test("insufficient balance skips that side and is reported; the other side still quotes", async () => {
    const fake = fakeFor("spot");
    const { engine, events } = await engineOn(fake);
    fake.inject("POST /api/v3/order", {
      status: 400,
      body: { code: -2010, msg: "Account has insufficient balance for requested action." },
    });
    await engine.tick();
    const rejected = events.filter((e) => e.type === "order_rejected");
    expect(rejected).toMatchObject([{ reason: "insufficient_funds" }]);
    expect(fake.open().length).toBe(1);
    expect(engine.status()).toMatchObject({ state: "quoting", consecutiveErrors: 0 });
    expect(engine.status().detail).toContain("insufficient balance");
    await engine.stop();
  });

  for (const kind of ["spot", "perp"] as const) {
    test(`${kind}: a post-only rejection skips that side for the tick, without counting as an error`, async () => {
      const fake = fakeFor(kind);
      const { engine, events } = await engineOn(fake);
      fake.inject(
        kind === "spot" ? "POST /api/v3/order" : "POST /fapi/v1/order",
        kind === "spot" ? { status: 400, body: { code: -2010, msg: "Order would immediately match and take." } } : {
          status: 400,
          body: {
            code: -5022,
            msg: "Due to the order could not be executed as maker, the Post Only order will be rejected.",
          },
        },
      );
      await engine.tick();
      expect(events.filter((e) => e.type === "order_rejected")).toMatchObject([{ reason: "post_only" }]);
      expect(fake.open().length).toBe(1);
      expect(engine.status().consecutiveErrors).toBe(0);
      await engine.tick();
      expect(fake.open().length).toBe(2);
      await engine.stop();
    });
  }

  test("an API key refused mid-run pauses at once (no waiting for five failures), cancels, and holds until resumed", async () => {
    const fake = fakeFor("spot");
    const { engine, events } = await engineOn(fake);
    await engine.tick();
    expect(fake.open().length).toBe(2);
    fake.inject("GET /api/v3/myTrades", {
      status: 401,
      body: { code: -2015, msg: "Invalid API-key, IP, or permissions for action." },
    });
    await engine.tick();
    const tripped = events.find((e) => e.type === "error_breaker");
    expect(tripped).toMatchObject({ state: "tripped" });
    expect((tripped as { detail: string }).detail).toContain("refused the API key");
    expect(engine.status().state).toBe("error_breaker");
    expect(fake.open()).toEqual([]);
    await engine.tick(); // the key works again, but the pause holds until the operator resumes
    expect(events.some((e) => e.type === "error_breaker" && e.state === "recovered")).toBe(true);
    expect(engine.status()).toMatchObject({ state: "error_breaker", paused: true });
    expect(fake.open()).toEqual([]);
    engine.resume();
    await engine.tick();
    expect(fake.open().length).toBe(2);
    await engine.stop();
  });

  test("a wrong API key at start: mod.ts refuses to trade with a clear message", async () => {
    const fake = fakeFor("spot");
    const bot = startLive(fake, { key: "wrong-key", secret: "wrong-secret" });
    expect(await bot.exited).toBe(2);
    expect(bot.err()).toContain("mmbot: not trading:");
    expect(bot.err()).toContain("refused the API key");
    expect(bot.out() + bot.err()).not.toContain("wrong-secret");
    expect(fake.open()).toEqual([]);
  });
});

describe("venue set-up", () => {
  test("an exchange without a testnet is refused when market.sandbox is on; an unknown id lists examples", async () => {
    const kraken = config("mode=live", "feed.source=live", "market.exchange=kraken", "market.symbol=ETH/USD");
    await expect(CcxtExchange.open(kraken, { trading: true, secrets: KEYS })).rejects.toThrow(
      "market.sandbox: true is not possible with kraken: ccxt knows no testnet for it",
    );
    const nope = config("mode=live", "feed.source=live", "market.exchange=nope");
    await expect(CcxtExchange.open(nope, { trading: true, secrets: KEYS })).rejects.toThrow(
      'market.exchange: "nope" is not a ccxt exchange id; e.g. binance (spot) or binanceusdm (USDT-M perpetuals)',
    );
  });

  test("binanceusdm in sandbox uses demo trading, binance spot the spot testnet", async () => {
    const perp = await CcxtExchange.open(config("mode=live", "feed.source=live", ...PERP), {
      trading: true,
      secrets: KEYS,
    });
    expect(perp.endpoint).toBe("https://demo-fapi.binance.com");
    const spot = await CcxtExchange.open(config("mode=live", "feed.source=live"), { trading: true, secrets: KEYS });
    expect(spot.endpoint).toBe("https://testnet.binance.vision");
    const paper = await CcxtExchange.open(config("feed.source=live"), { trading: false });
    expect(paper.endpoint).toBe("https://api.binance.com");
  });
});

describe("live bot with its ledger", () => {
  test("fills reach the ledger once, also those that happened while the bot was down; leftovers are cancelled", async () => {
    const fake = fakeFor("spot");
    const cfg = liveConfig(fake, `storage.path=${join(tempDir("mmbot-live-"), "ledger.sqlite")}`);

    const first = await openBot(cfg, { reset: false, secrets: KEYS });
    await first.engine.start();
    await first.engine.tick();
    const [bid, ask] = [fake.open().find((o) => o.side === "BUY")!, fake.open().find((o) => o.side === "SELL")!];
    fake.fill(bid.clientOrderId);
    await first.engine.tick();
    await first.engine.tick();
    expect(first.ledger.fills(first.account.id).map((f) => f.tradeId)).toEqual(["500"]);
    // the bot dies without cancelling (kill -9); its ask fills while it is down
    fake.fill(ask.clientOrderId, 0.004);
    first.ledger.close();
    await first.close();
    const leftover = fake.open().map((o) => o.clientOrderId);
    expect(leftover.length).toBeGreaterThan(0);

    const second = await openBot(cfg, { reset: false, secrets: KEYS });
    cleanups.push(async () => {
      await second.close();
      second.ledger.close();
    });
    expect(second.notes.join("\n")).toContain(`continuing live:binance:sandbox account #${first.account.id}`);
    await second.engine.start();
    const fills = second.ledger.fills(second.account.id);
    expect(fills.map((f) => [f.tradeId, f.side, f.amount, f.clientOrderId])).toEqual([
      ["500", "buy", 0.01, bid.clientOrderId],
      ["501", "sell", 0.004, ask.clientOrderId],
    ]);
    // books from fills: initial balances at the exchange + fills − fees equal the exchange's balances now
    expect(second.engine.portfolio!.base).toBeCloseTo(fake.balances.ETH, 9);
    expect(second.engine.portfolio!.quote).toBeCloseTo(fake.balances.USDT, 9);
    expect(fake.open().filter((o) => leftover.includes(o.clientOrderId))).toEqual([]);
    await second.engine.tick();
    expect(second.ledger.fills(second.account.id).length).toBe(2);
    await second.engine.stop();
    expect(fake.open()).toEqual([]);
    await second.close();
  });

  test(
    "a failing signed call: its URL's timestamp and signature never reach the status, events or alerts",
    async () => {
      const fake = fakeFor("spot");
      const cfg = liveConfig(fake, `storage.path=${join(tempDir("mmbot-scrub-"), "ledger.sqlite")}`);
      const bot = await openBot(cfg, { reset: false, secrets: KEYS });
      cleanups.push(async () => {
        await bot.close();
        bot.ledger.close();
      });
      const events: EngineEvent[] = [];
      bot.engine.on((e) => events.push(e));
      await bot.engine.start();
      // a plain-text 503 on a signed call: ccxt's error text carries the whole signed URL
      const down = { status: 503, body: "Service Unavailable" };
      const raw = await CcxtExchange.open(cfg, { trading: true, secrets: KEYS, retry: { ...FAST_RETRY, attempts: 1 } });
      fake.inject("GET /api/v3/account", down);
      const unscrubbed = await raw.exchange.balances().then(() => "", (e) => String((e as Error).message));
      await raw.exchange.close();
      expect(unscrubbed).toMatch(/\/api\/v3\/account\?.*signature=[0-9a-f]{64}/); // what would leak
      fake.inject("GET /api/v3/account", down, 4); // every retry of the bot's call
      await bot.engine.tick();
      const error = events.find((e) => e.type === "error") as Extract<EngineEvent, { type: "error" }>;
      expect(error.message).toContain("/api/v3/account?<redacted>");
      for (const text of [error.message, bot.engine.status().lastError ?? "", JSON.stringify(bot.engine.status())]) {
        expect(text).not.toMatch(/signature|timestamp=|recvWindow/);
        expect(text).not.toContain(API_KEY);
      }
    },
    30_000,
  );

  test("paper on live public data: no keys, no orders at the exchange, fills when public trades print through", async () => {
    const fake = fakeFor("spot");
    const dir = tempDir("mmbot-plive-");
    const cfg = config(
      "feed.source=live",
      `market.rest_url=${fake.url}`,
      "strategy.profile=fixed",
      `storage.path=${join(dir, "ledger.sqlite")}`,
    );
    const bot = await openBot(cfg, { reset: false, secrets: { ...KEYS } });
    cleanups.push(async () => {
      await bot.close();
      bot.ledger.close();
    });
    await bot.engine.start();
    await bot.beforeTick();
    await bot.engine.tick();
    const open = await bot.exchange.openOrders("mmbot-");
    expect(open.length).toBe(2);
    const bid = open.find((o) => o.side === "buy")!;
    // a public trade counts only when it is printed after our order was placed and seen after the paper exchange
    // last looked, both to the millisecond: each print waits for the clock to reach a fresh millisecond
    const nextMs = async () => {
      const t = Date.now(), end = performance.now() + 1_000;
      while (Date.now() <= t) {
        if (performance.now() > end) throw new Error("Date.now() did not move on within 1 s");
        await new Promise((r) => setTimeout(r, 1));
      }
    };
    // touching our price is not a fill: checked after the same refresh and two ticks that report the fill below
    await nextMs();
    fake.printTrade(bid.price, 3);
    await bot.beforeTick();
    await bot.engine.tick();
    await bot.engine.tick();
    expect(bot.ledger.fills(bot.account.id)).toEqual([]);
    // trading through it is
    await nextMs();
    fake.printTrade(bid.price - 0.5, 3);
    await bot.beforeTick();
    await bot.engine.tick();
    await bot.engine.tick(); // the paper exchange reports a fill on the tick after it happened
    const fills = bot.ledger.fills(bot.account.id);
    expect(fills.map((f) => [f.side, f.price, f.amount])).toEqual([["buy", bid.price, 0.01]]);
    expect(fake.requests.filter((r) => r.signed || r.apiKey)).toEqual([]);
    expect(fake.orders).toEqual([]);
    await bot.engine.stop();
    await bot.close();
  });

  test("mod.ts on the testnet: says which endpoint, quotes, and cancels every order on SIGTERM", async () => {
    const fake = fakeFor("perp");
    const bot = startLive(fake, { key: API_KEY, secret: API_SECRET });
    await bot.waitFor("| bid ", 30_000);
    expect(bot.out()).toContain("mmbot: testnet trading ETH/USDT:USDT (perp) on binanceusdm");
    expect(bot.out()).toContain(
      `binanceusdm ETH/USDT:USDT: demo trading (Binance's futures testnet), REST ${fake.url}; tick 0.01, lot 0.001, min notional 20 from the exchange`,
    );
    expect(fake.open().length).toBe(2);
    bot.child.kill("SIGTERM");
    expect(await bot.exited).toBe(0);
    expect(fake.open()).toEqual([]);
    expect(bot.out()).toContain("cancelled 2 order(s)");
    expect(bot.out() + bot.err()).not.toContain(API_SECRET);
    // a quiet console with ccxt loaded too: no dependency's deprecation warning
    expect(bot.err()).not.toContain("DeprecationWarning");
  }, 30_000); // it waits up to 30 s for the first quote: a start on a loaded machine takes about 4 s
});
