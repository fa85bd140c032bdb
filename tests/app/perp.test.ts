/**
 * USDT-M perpetuals end to end against the fake futures venue (ccxt's real binanceusdm): leverage and margin
 * mode set at start, a refusal, fills and the position with the venue's entry price, the average cost of a
 * position held at start, the venue's funding payments booked once, the venue's liquidation price and the guard.
 */
import { afterEach, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openBot, type RunningBot } from "../../lib/app/open.ts";
import { ConfigError } from "../../lib/config/validate.ts";
import type { EngineEvent } from "../../lib/core/events.ts";
import { CcxtExchange } from "../../lib/venues/ccxt.ts";
import { balanceText, fillsText, pnlText, statusText } from "../../lib/control/reports.ts";
import { Alerter } from "../../lib/control/alerts.ts";
import { renderMetrics } from "../../lib/http/metrics.ts";
import { FakeBinance, KEYS, PERP } from "../fakes/binance.ts";
import { Ledger } from "../../lib/storage/ledger.ts";
import { config } from "../fixtures.ts";

const H8 = 8 * 3_600_000;
const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function perpFake(): FakeBinance {
  const fake = new FakeBinance("perp").start();
  cleanups.push(() => fake.stop());
  return fake;
}

function perpConfig(fake: FakeBinance, dir: string, ...sets: string[]) {
  return config(
    "mode=live",
    "feed.source=live",
    `market.rest_url=${fake.url}`,
    "strategy.profile=fixed",
    `storage.path=${join(dir, "ledger.sqlite")}`,
    ...PERP,
    ...sets,
  );
}

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "mmbot-perp-"));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function open(
  fake: FakeBinance,
  dir: string,
  ...sets: string[]
): Promise<RunningBot & { events: EngineEvent[]; shut(): Promise<void> }> {
  const bot = await openBot(perpConfig(fake, dir, ...sets), { reset: false, secrets: KEYS });
  const events: EngineEvent[] = [];
  bot.engine.on((e) => events.push(e));
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await bot.engine.stop(2000);
    await bot.close();
    bot.ledger.close();
  };
  cleanups.push(close);
  return Object.assign(bot, { events, shut: close });
}

describe("perpetuals on the fake futures venue", () => {
  test("leverage and margin mode are set at start, and said", async () => {
    const fake = perpFake();
    const bot = await open(fake, tempDir(), "market.leverage=3", "market.margin_mode=isolated");
    expect([fake.leverage, fake.marginType]).toEqual([3, "isolated"]);
    expect(fake.calls("POST /fapi/v1/leverage").map((r) => r.params.leverage)).toEqual(["3"]);
    expect(fake.calls("POST /fapi/v1/marginType").map((r) => r.params.marginType)).toEqual(["ISOLATED"]);
    expect(bot.notes).toContain("ETH/USDT:USDT: isolated margin, leverage 3x set on binanceusdm");
  }, 30_000);

  test("a margin mode already set is no error (-4046)", async () => {
    const fake = perpFake();
    await open(fake, tempDir(), "market.leverage=2"); // cross, as the fake already is
    expect(fake.calls("POST /fapi/v1/marginType").length).toBe(1);
    expect(fake.leverage).toBe(2);
  }, 30_000);

  test("a refusal stops the start with the key named, before anything trades", async () => {
    const fake = perpFake();
    fake.position = { amount: 0.1, entry: 3000 };
    const start = openBot(perpConfig(fake, tempDir(), "market.margin_mode=isolated"), { reset: false, secrets: KEYS });
    const e = await start.then(() => null, (e) => e);
    expect(e).toBeInstanceOf(ConfigError);
    expect((e as ConfigError).problems[0]).toStartWith(
      "market.margin_mode: binanceusdm refused isolated for ETH/USDT:USDT (",
    );
    expect((e as ConfigError).problems[0]).toContain("Margin type cannot be changed if there exists position");
    expect(fake.calls("POST /fapi/v1/order")).toEqual([]);

    fake.position = { amount: 0, entry: 0 };
    fake.inject("POST /fapi/v1/leverage", { status: 400, body: { code: -4028, msg: "Leverage 50 is not valid" } });
    const e2 = await openBot(perpConfig(fake, tempDir(), "market.leverage=50"), { reset: false, secrets: KEYS })
      .then(() => null, (e) => e);
    expect((e2 as ConfigError).problems[0]).toStartWith("market.leverage: binanceusdm refused 50x for ETH/USDT:USDT");
  }, 30_000);

  test("a position held at start: the account continues its average cost from the venue's entry price", async () => {
    const fake = perpFake();
    // 0.5 ETH long from 2900, wallet 1000 USDT; at mid 3000 the venue's margin balance is 1050
    fake.position = { amount: 0.5, entry: 2900 };
    fake.balances.USDT = 1000;
    fake.unrealized = 50;
    const bot = await open(fake, tempDir());
    expect(bot.account).toMatchObject({ initial_base: 0.5, initial_quote: 1000 - 0.5 * 2900, initial_mid: 2900 });
    await bot.engine.start();
    const pnl = bot.engine.status().pnl!;
    expect(pnl.avgCost).toBe(2900);
    expect(pnl.equity).toBeCloseTo(1050, 9); // = the venue's margin balance
    expect(pnl.unrealized).toBeCloseTo(50, 9); // 0.5 × (3000 − 2900)
    expect(pnl.pnl).toBeCloseTo(pnl.realized + pnl.unrealized - pnl.fees + pnl.funding, 9);
  }, 30_000);

  test("perp fills move the position; the venue's entry price and position are read back", async () => {
    const fake = perpFake();
    const bot = await open(fake, tempDir());
    await bot.engine.start();
    await bot.engine.tick();
    const bid = fake.open().find((o) => o.side === "BUY")!;
    fake.fill(bid.clientOrderId);
    await bot.engine.tick();
    const s = bot.engine.status();
    expect(bot.engine.portfolio!.base).toBeCloseTo(bid.origQty, 12);
    expect(s.inventory).toMatchObject({ position: bid.origQty, entryPrice: bid.price });
    expect(bot.engine.portfolio!.avgCost).toBe(bid.price);
    expect(bot.ledger.fills(bot.account.id).map((f) => [f.side, f.price, f.amount])).toEqual([
      ["buy", bid.price, bid.origQty],
    ]);
  }, 30_000);

  test(
    "the venue's funding payments are booked once each: ledger rows, portfolio, PnL, and across a restart",
    async () => {
      const fake = perpFake();
      const dir = tempDir();
      // the account was opened an hour before the last funding time, which paid while the bot was down
      const fundingTime = Math.floor(Date.now() / H8) * H8;
      const ledger = Ledger.open(join(dir, "ledger.sqlite"));
      ledger.openAccount({
        created_ts: fundingTime - 3_600_000,
        mode: "live:binanceusdm:sandbox",
        symbol: "ETH/USDT:USDT",
        initial_base: 0,
        initial_quote: 3000,
        initial_mid: 3000,
      });
      ledger.close();
      fake.position = { amount: 0.5, entry: 3000 };
      const paid = fake.payFunding(0.0001, fundingTime + 4); // −0.5 × 3000 × 0.0001 = −0.15, a few ms late
      const bot = await open(fake, dir);
      await bot.engine.start();
      expect(paid).toBeCloseTo(-0.15, 12);
      await bot.engine.tick();
      const funding = bot.events.filter((e) => e.type === "funding");
      expect(funding).toMatchObject([{ type: "funding", payment: { amountQuote: -0.15, rate: null } }]);
      expect(bot.engine.portfolio!.funding).toBeCloseTo(-0.15, 12);
      expect(bot.ledger.funding(bot.account.id).map((p) => p.amountQuote)).toEqual([-0.15]);
      const s = bot.engine.status();
      expect(pnlText(s, [])).toContain("+ funding -0.15");
      expect(balanceText(s, bot.engine.portfolio)).toContain("Funding so far: -0.1500 USDT");
      expect(renderMetrics(bot.metrics, s, { version: "t", runtime: "bun" })).toContain("\nmm_funding_quote -0.15\n");
      await bot.shut();

      const again = await open(fake, dir);
      expect(again.ledger.portfolio(again.account).funding).toBeCloseTo(-0.15, 12);
      await again.engine.start();
      await again.engine.tick();
      expect(again.events.filter((e) => e.type === "funding")).toEqual([]); // not booked twice
      expect(fake.calls("GET /fapi/v1/income").length).toBe(1); // nor asked again: that time is settled
      expect(again.engine.portfolio!.funding).toBeCloseTo(-0.15, 12);
    },
    30_000,
  );

  test(
    "a margin rejection by the venue (-2019) skips that side for the tick, without counting as an error",
    async () => {
      const fake = perpFake();
      const bot = await open(fake, tempDir());
      fake.balances.USDT = 4; // the fake carries orders up to 5 × the wallet: 0.01 ETH at 3000 is more
      await bot.engine.start();
      await bot.engine.tick();
      expect(bot.events.filter((e) => e.type === "order_rejected")).toMatchObject([
        { side: "buy", reason: "insufficient_funds" },
        { side: "sell", reason: "insufficient_funds" },
      ]);
      expect(fake.open()).toEqual([]);
      expect(bot.engine.status()).toMatchObject({ state: "quoting", consecutiveErrors: 0 });
      // the venue's minimum notional (-4164) is an invalid order for that side, not a shortage of funds nor an error
      fake.balances.USDT = 3000;
      fake.inject("POST /fapi/v1/order", {
        status: 400,
        body: { code: -4164, msg: "Order's notional must be no smaller than 20 (unless you choose reduce only)." },
      });
      await bot.engine.tick();
      expect(bot.events.filter((e) => e.type === "order_rejected").slice(2)).toMatchObject([{ reason: "invalid" }]);
      expect(fake.open().length).toBe(1);
      expect(bot.engine.status().consecutiveErrors).toBe(0);
    },
    30_000,
  );

  test("the venue's liquidation price is read; near it the guard stops adding to the position and alerts", async () => {
    const fake = perpFake();
    const bot = await open(fake, tempDir(), "risk.liquidation_guard_pct=10");
    fake.position = { amount: 0.05, entry: 3000 };
    fake.liquidationPrice = 2800; // mid 3000: 6.67 % away
    await bot.engine.start();
    await bot.engine.tick();
    expect(bot.engine.status().inventory?.liquidationPrice).toBe(2800);
    expect(fake.open().map((o) => o.side)).toEqual(["SELL"]);
    expect(bot.events.filter((e) => e.type === "liquidation_guard")).toMatchObject([
      {
        state: "hit",
        side: "buy",
        detail: "mid 3000 is 6.67 % from the liquidation price 2800.00 (guard 10 %): not adding to the long",
      },
    ]);
    // every screen shows it: /status, /balance, /metrics, the alert
    const status = bot.engine.status();
    expect(statusText(status, null, 0.5, bot.config.market.tick_size)).toContain(
      "Position: 0.05 ETH at entry 3000 · liquidation 2800 (6.7 % away) · 1x cross · GUARD: not adding (within 10 %)",
    );
    // the process line: the bot's own memory and uptime (84 MiB resident, 22 MiB of heap, 3 h 12 min)
    const proc = { ...bot.process.read(), rssBytes: 84 * 1048576, heapUsedBytes: 22 * 1048576, uptimeS: 11_530 };
    expect(statusText(status, null, 0.5, bot.config.market.tick_size, proc)).toContain(
      "\nProcess: 84 MB resident (heap 22 MB), up 3 h 12 min\n",
    );
    expect(statusText(status, null, 0.5, bot.config.market.tick_size)).not.toContain("Process:");
    expect(balanceText(status, bot.engine.portfolio)).toContain(
      "Liquidation price: 2800 (6.7 % away; the venue's) · 1x cross",
    );
    const metrics = renderMetrics(bot.metrics, status, { version: "t", runtime: "bun" });
    expect(metrics).toContain("\nmm_liquidation_price 2800\n");
    expect(metrics).toMatch(/\nmm_liquidation_distance_ratio 0\.0666666\d*\n/);
    const alerts: string[] = [];
    const alerter = new Alerter({ config: () => bot.config, push: (a) => alerts.push(a.text) });
    for (const e of bot.events) alerter.handle(e);
    expect(alerts).toContain(
      "🚨 Liquidation guard: mid 3000 is 6.67 % from the liquidation price 2800.00 (guard 10 %): not adding to the long; quoting only the side that reduces the position",
    );
    fake.liquidationPrice = 2000; // 33 % away
    await bot.engine.tick();
    expect(fake.open().map((o) => o.side).sort()).toEqual(["BUY", "SELL"]);
    expect(bot.events.filter((e) => e.type === "liquidation_guard").map((e) => e.state)).toEqual(["hit", "cleared"]);
    // past it (a long whose liquidation price is above the mid): negative everywhere, and the guard holds
    fake.liquidationPrice = 3200; // (3000 − 3200) / 3000 = −6.67 %
    await bot.engine.tick();
    expect(fake.open().map((o) => o.side)).toEqual(["SELL"]);
    const past = bot.engine.status();
    expect(past.margin?.liquidationDistancePct).toBeCloseTo(-6.6667, 3);
    expect(statusText(past, null, 0.5, bot.config.market.tick_size)).toContain(
      "liquidation 3200 (⚠️ PAST it by 6.7 %)",
    );
    expect(balanceText(past, bot.engine.portfolio)).toContain(
      "Liquidation price: 3200 (⚠️ PAST it by 6.7 %; the venue's)",
    );
    expect(renderMetrics(bot.metrics, past, { version: "t", runtime: "bun" }))
      .toMatch(/\nmm_liquidation_distance_ratio -0\.0666666\d*\n/);
    expect(bot.events.filter((e) => e.type === "liquidation_guard").at(-1)?.detail).toBe(
      "mid 3000 is 6.67 % past the liquidation price 3200.00 (guard 10 %): not adding to the long",
    );
  }, 30_000);

  test("paper on live data reads the venue's funding rate at a funding time", async () => {
    const fake = perpFake();
    const t = Date.UTC(2026, 0, 1, 8);
    fake.payFunding(0.00025, t + 3); // Binance's funding time can be a few ms late
    const cfg = config("feed.source=live", `market.rest_url=${fake.url}`, ...PERP);
    const { exchange } = await CcxtExchange.open(cfg, { trading: false });
    cleanups.push(() => exchange.close());
    expect(await exchange.fundingRateAt(t)).toBe(0.00025);
    expect(await exchange.fundingRateAt(t + 8 * 3_600_000)).toBeNull();
  }, 30_000);
});

describe("fees in any asset", () => {
  test(
    "a fee paid in BNB is kept as paid and valued at the venue's ticker; one in base at the fill's price",
    async () => {
      const fake = perpFake();
      fake.feeIn = { asset: "BNB", priceUsdt: 600 };
      const bot = await open(fake, tempDir());
      await bot.engine.start();
      await bot.engine.tick();
      const bid = fake.open().find((o) => o.side === "BUY")!;
      fake.fill(bid.clientOrderId);
      await bot.engine.tick();
      const [fill] = bot.ledger.fills(bot.account.id);
      // the fake charges 0.1 % of the value: in BNB, that value / 600
      const feeUsdt = bid.origQty * bid.price * 0.001;
      expect(fill.feeAsset).toBe("BNB");
      expect(fill.feeAmount).toBeCloseTo(feeUsdt / 600, 12);
      expect(fill.feeQuote).toBeCloseTo(feeUsdt, 9); // valued at the BNB/USDT ticker, 600
      expect(bot.engine.portfolio!.fees).toBeCloseTo(feeUsdt, 9); // so PnL counts it
      expect(fillsText([fill], bot.config.market)).toContain(`fee ${+(feeUsdt / 600).toPrecision(12)} BNB (≈`);
    },
    30_000,
  );

  test("a fee in base is converted at the trade price", async () => {
    const { feeOf } = await import("../../lib/venues/ccxt-convert.ts");
    const never = () => Promise.reject(new Error("no ticker needed"));
    expect(await feeOf({ price: 2000, fee: { cost: 0.00001, currency: "ETH" } }, "ETH", "USDT", never)).toEqual({
      feeQuote: 0.02,
    });
    expect(await feeOf({ price: 2000, fee: { cost: 0.02, currency: "USDT" } }, "ETH", "USDT", never)).toEqual({
      feeQuote: 0.02,
    });
  });
});

describe("paper on live perpetual data", () => {
  test(
    "no keys, no leverage calls at the venue; quotes on the paper venue at its configured leverage (flat: no liquidation price)",
    async () => {
      const fake = perpFake();
      const dir = tempDir();
      const cfg = config(
        "feed.source=live",
        `market.rest_url=${fake.url}`,
        "strategy.profile=fixed",
        `storage.path=${join(dir, "ledger.sqlite")}`,
        "market.leverage=5",
        "paper.initial_base=0",
        ...PERP,
      );
      const bot = await openBot(cfg, { reset: false, secrets: { ...KEYS } });
      cleanups.push(async () => {
        await bot.engine.stop(2000);
        await bot.close();
        bot.ledger.close();
      });
      await bot.engine.start();
      await bot.beforeTick();
      await bot.engine.tick();
      expect(fake.calls("POST /fapi/v1/leverage")).toEqual([]);
      expect(fake.calls("POST /fapi/v1/marginType")).toEqual([]);
      expect(fake.requests.filter((r) => r.signed || r.apiKey)).toEqual([]);
      const s = bot.engine.status();
      expect(s.margin).toMatchObject({ leverage: 5, marginMode: "cross", liquidationPrice: null }); // flat
      expect((await bot.exchange.openOrders("mmbot-")).length).toBe(2);
    },
    30_000,
  );
});
