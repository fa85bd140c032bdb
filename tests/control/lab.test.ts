/** /chart, /backtest and the daily report, through grammY against the fake Bot API server. */
import { afterEach, describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openBot, type RunningBot } from "../../lib/app/open.ts";
import { runLoop } from "../../lib/engine/loop.ts";
import { Telegram } from "../../lib/control/telegram.ts";
import { BACKTEST_USAGE, CHART_USAGE, LabCommands } from "../../lib/control/lab-commands.ts";
import { runRequest } from "../../lib/lab/backtest-worker.ts";
import { withValue } from "../../lib/config/validate.ts";
import { requiredCandles } from "../../lib/core/indicators.ts";
import { signed } from "../../lib/core/format.ts";
import { FakeTelegram } from "../fakes/telegram.ts";
import { History } from "../../lib/http/history.ts";
import { config } from "../fixtures.ts";

const OWNER = 4242;
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup(sets: string[] = []) {
  const fake = new FakeTelegram().start();
  cleanups.push(() => fake.stop());
  const dir = mkdtempSync(join(tmpdir(), "mmbot-lab-"));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const bot: RunningBot = await openBot(
    config(`storage.path=${join(dir, "ledger.sqlite")}`, `telegram.api_root=${fake.apiRoot}`, ...sets),
    { reset: false, secrets: { telegramAllowedUsers: [] } },
  );
  cleanups.push(async () => {
    await bot.close();
    bot.ledger.close();
  });
  const telegram = new Telegram({ token: fake.token, allowedUsers: [OWNER], bot, log: () => {} });
  telegram.start();
  cleanups.push(async () => {
    await bot.engine.stop();
    await telegram.stop();
  });
  await fake.waitFor((c) => c.method === "setMyCommands", 10_000, "setMyCommands");
  await bot.engine.start();
  return { fake, bot, telegram, dir };
}

describe("one quote history", () => {
  test("Telegram given the dashboard's 24 h of ticks keeps no second copy (mod.ts makes one for both)", async () => {
    const { bot, fake } = await setup();
    const history = new History(bot.engine);
    const on = bot.engine.on.bind(bot.engine);
    let listeners = 0;
    bot.engine.on = (...args) => (listeners++, on(...args));
    const telegram = (recent?: History["recent"]) => {
      const before = listeners;
      const t = new Telegram({ token: fake.token, allowedUsers: [OWNER], bot, log: () => {}, recent });
      return { lab: t.lab, listeners: listeners - before };
    };
    const shared = telegram(history.recent), own = telegram();
    expect(shared.lab.recent).toBe(history.recent);
    expect(own.lab.recent).not.toBe(history.recent);
    expect(own.listeners).toBe(shared.listeners + 1); // the second history's own listener, and no more
  });
});

/** Sends `text` as the owner; waits for the first answer (a message or a photo) after it. */
async function ask(fake: FakeTelegram, text: string, method?: string) {
  const before = fake.calls.length;
  fake.sendText(OWNER, text);
  return await fake.waitFor(
    (c) =>
      (method ? c.method === method : c.method === "sendMessage" || c.method === "sendPhoto") &&
      c.payload.chat_id === OWNER && c.payload.disable_notification === undefined && fake.calls.indexOf(c) >= before,
    30_000,
    `answer to ${text}`,
  );
}

/** Width and height from a PNG's IHDR chunk. */
function pngSize(bytes: Uint8Array): [number, number] {
  expect([...bytes.slice(0, 8)]).toEqual([137, 80, 78, 71, 13, 10, 26, 10]);
  const v = new DataView(bytes.buffer, bytes.byteOffset);
  return [v.getUint32(16), v.getUint32(20)];
}

describe("/chart", () => {
  test("answers with a PNG of the last hours: candles, quotes, fills, equity, inventory", async () => {
    const { fake, bot } = await setup(["feed.speed=3000"]);
    const controller = new AbortController();
    const loop = runLoop(bot.engine, bot.clock, { refreshMs: 15_000, signal: controller.signal, endTs: bot.endTs });
    // a fill and an hour of ticks: fill markers and lines to draw
    while (!bot.ledger.fills(bot.account.id).length || bot.engine.status().ticks < 240) {
      await new Promise((r) => setTimeout(r, 20));
    }
    controller.abort();
    await loop;
    const photo = await ask(fake, "/chart 1", "sendPhoto");
    expect(pngSize(photo.files!.photo)).toEqual([1000, 680]);
    mkdirSync("out", { recursive: true });
    writeFileSync("out/chart.png", photo.files!.photo); // to look at
    const fills = bot.ledger.fills(bot.account.id).filter((f) => f.ts >= bot.engine.status().lastTickTs! - 3_600_000);
    expect(String(photo.payload.caption)).toStartWith(`ETH/USDT: last 1 h, ${fills.length} fill(s) · PnL `);
  }, 60_000);

  test.each(["/chart abc", "/chart 0", "/chart 25", "/chart 1 2"])(
    "%p gets the usage line and no picture",
    async (cmd: string) => {
      const { fake } = await setup();
      const reply = await ask(fake, cmd);
      expect([reply.method, reply.payload.text]).toEqual(["sendMessage", CHART_USAGE]);
      expect(fake.sent("sendPhoto")).toEqual([]);
    },
  );
});

describe("/backtest", () => {
  test(
    "runs in a worker beside the bot and answers with the summary and a PNG; a second request is told to wait",
    async () => {
      const { fake, bot, telegram } = await setup(["strategy.profile=fixed"]);
      await bot.engine.tick();
      // three commands in one batch: the second finds the backtest running, the third (/pause) is not held up
      const before = fake.calls.length;
      fake.sendText(OWNER, "/backtest 1 natr_macd");
      fake.sendText(OWNER, "/backtest");
      fake.sendText(OWNER, "/pause");
      const pausedReply = await fake.waitForMessage("⏸ Paused", OWNER, 30_000);
      const replies = fake.calls.slice(before).filter((c) =>
        c.method === "sendMessage" && c.payload.chat_id === OWNER && c.payload.disable_notification === undefined
      )
        .map((c) => String(c.payload.text));
      expect(replies[0]).toStartWith("🧪 Backtesting 1 day(s) with natr_macd; quoting goes on meanwhile.");
      expect(replies[1]).toStartWith("⏳ Not started: a backtest is already running (1 day(s), natr_macd");
      expect(replies[2]).toStartWith("⏸ Paused: cancelled");
      expect(fake.calls.indexOf(pausedReply)).toBeLessThan(fake.calls.findIndex((c) => c.method === "sendPhoto") >>> 0);
      bot.engine.resume();
      await bot.engine.tick(); // the bot's own cycle is not held up by the backtest
      const photo = await fake.waitFor((c) => c.method === "sendPhoto", 60_000, "the backtest's picture");
      expect(pngSize(photo.files!.photo)[0]).toBe(1000);
      mkdirSync("out", { recursive: true });
      writeFileSync("out/backtest.png", photo.files!.photo); // to look at

      // the same backtest computed here, in this thread, from the same candles and configuration
      const cfg = withValue(bot.engine.config, "strategy.profile", "natr_macd");
      const toTs = bot.engine.status().lastTickTs!;
      const span = 86_400_000 + (requiredCandles(cfg.strategy) + 1) * 60_000;
      const { candles } = await bot.candleHistory(toTs - span, toTs);
      const here = await runRequest({ config: cfg, candles, title: "x" });
      if (!here.ok) throw new Error(here.error);
      expect(here.inWorker).toBe(false);
      const caption = String(photo.payload.caption);
      expect(caption).toContain(
        `Return: ${signed(here.summary.return_pct, 3)} % · hold: ${signed(here.summary.hold_return_pct, 3)} %`,
      );
      expect(caption).toContain(
        `Fills: ${here.summary.fills} (${here.summary.buys} buys, ${here.summary.sells} sells)`,
      );
      expect(caption).toContain(`fees ${here.summary.fees_quote.toFixed(2)} USDT`);
      expect(caption).toContain("of the replay data data/binance_spot_ETHUSDT_1m_sample.csv");
      expect(bot.engine.config.strategy.profile).toBe("fixed"); // the running bot's configuration is untouched

      // free again
      expect(telegram.lab.job.running).toBe(false);
      const again = await ask(fake, "/backtest 1", "sendMessage");
      expect(String(again.payload.text)).toStartWith("🧪 Backtesting 1 day(s) with fixed");
      await fake.waitFor((c) => c.method === "sendPhoto" && c !== photo, 60_000, "the second picture");
    },
    120_000,
  );

  test.each(["/backtest 999999", "/backtest 0", "/backtest abc", "/backtest 1 bogus", "/backtest 1 fixed extra"])(
    "%p gets one usage line and starts nothing",
    async (cmd: string) => {
      const { fake, telegram } = await setup();
      const reply = await ask(fake, cmd);
      expect(String(reply.payload.text)).toStartWith(BACKTEST_USAGE);
      expect(String(reply.payload.text)).not.toContain("\n");
      expect(telegram.lab.job.running).toBe(false);
      expect(fake.sent("sendPhoto")).toEqual([]);
    },
  );
});

describe("the worker", () => {
  test("computes off the main thread and gives the same figures as in-process", async () => {
    const { BacktestJob } = await import("../../lib/control/backtest-job.ts");
    const dir = mkdtempSync(join(tmpdir(), "mmbot-lab-"));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const cfg = config("strategy.profile=fixed");
    const { loadCandleFile } = await import("../../lib/venues/replay-feed.ts");
    const candles = loadCandleFile("data/binance_spot_ETHUSDT_1m_sample.csv").slice(0, 600);
    const job = new BacktestJob();
    job.claim("test");
    const there = await job.run({ config: cfg, candles, title: "t" });
    const here = await runRequest({ config: cfg, candles, title: "t" });
    if (!there.ok || !here.ok) throw new Error("backtest failed");
    expect(there.inWorker).toBe(true);
    expect(there.summary).toEqual(here.summary);
    expect(job.running).toBe(false);
    writeFileSync(join(dir, "x.png"), there.png);
  }, 60_000);
});

describe("stopping", () => {
  test("a backtest running at shutdown ends at once, its worker terminated, the slot free", async () => {
    const { BacktestJob } = await import("../../lib/control/backtest-job.ts");
    const { loadCandleFile } = await import("../../lib/venues/replay-feed.ts");
    const job = new BacktestJob();
    job.claim("three days");
    const running = job.run({
      config: config(),
      candles: loadCandleFile("data/binance_spot_ETHUSDT_1m_sample.csv"),
      title: "t",
    });
    job.stop();
    expect(await running).toEqual({ ok: false, error: "stopped: the bot is shutting down" });
    expect(job.running).toBe(false);
    job.claim("next"); // free for the next request
    job.release();
  });
});

describe("the daily report", () => {
  test(
    "goes out silently once the market's clock passes the UTC hour, with the day's figures from the ledger",
    async () => {
      const { bot } = await setup(["feed.speed=20000", "telegram.daily_report.hour_utc=4"]);
      const controller = new AbortController();
      const loop = runLoop(bot.engine, bot.clock, { refreshMs: 15_000, signal: controller.signal, endTs: bot.endTs });
      while (bot.engine.status().ticks < 100) await new Promise((r) => setTimeout(r, 20));
      controller.abort();
      await loop;
      // the schedule on chosen times, on a fresh reporter: the first call sets 04:00 as due, the next past it reports
      const sent: [string, boolean][] = [];
      const lab = new LabCommands(bot, (text, silent) => sent.push([text, silent]));
      const to = Date.UTC(2024, 4, 1, 4);
      lab.reportIfDue(to - 60_000);
      lab.reportIfDue(to - 1);
      expect(sent).toEqual([]);
      lab.reportIfDue(to + 15_000);
      expect(sent.length).toBe(1);
      const [text, silent] = sent[0];
      const day = bot.ledger.fills(bot.account.id).filter((f) => f.ts < to && f.ts >= to - 86_400_000);
      expect(day.length).toBeGreaterThan(0);
      expect(silent).toBe(true); // silent by default
      expect(text).toContain("2024-04-30 04:00 → 2024-05-01 04:00 UTC");
      const buys = day.filter((f) => f.side === "buy").length;
      const volume = day.reduce((a, f) => a + f.price * f.amount, 0);
      const fees = day.reduce((a, f) => a + f.feeQuote, 0);
      expect(text).toContain(
        `Fills: ${day.length} (${buys} buys, ${day.length - buys} sells) · volume ${volume.toFixed(2)} USDT`,
      );
      expect(text).toContain(`− fees ${fees.toFixed(2)} = `);
      expect(text).toMatch(/Max drawdown in the window: \d+\.\d\d %/);
      expect(text).toMatch(/Total PnL: [+-]\d+\.\d\d USDT = realized/);
      lab.reportIfDue(to + 30_000); // once a day, not once a tick
      expect(sent.length).toBe(1);
    },
    60_000,
  );

  test(
    "the engine's ticks drive it: running past midnight (hour_utc 0, the default) sends the day's report",
    async () => {
      const { fake, bot } = await setup(["feed.speed=20000"]);
      const controller = new AbortController();
      const loop = runLoop(bot.engine, bot.clock, { refreshMs: 15_000, signal: controller.signal, endTs: bot.endTs });
      const report = await fake.waitFor(
        (c) => String(c.payload.text ?? "").startsWith("🗓 Daily report"),
        30_000,
        "the daily report",
      );
      controller.abort();
      await loop;
      expect(String(report.payload.text)).toMatch(/→ 2024-05-0\d 00:00 UTC/);
      expect(report.payload.disable_notification).toBe(true); // silent by default
      expect(report.payload.chat_id).toBe(OWNER);
    },
    60_000,
  );

  test("telegram.daily_report.send=off sends none", async () => {
    const { fake, telegram } = await setup(["telegram.daily_report.send=off"]);
    telegram.lab.reportIfDue(Date.UTC(2024, 4, 1, 23));
    telegram.lab.reportIfDue(Date.UTC(2024, 4, 2, 1));
    await ask(fake, "/help"); // answered after any report queued before it
    expect(fake.calls.filter((c) => String(c.payload.text ?? "").startsWith("🗓"))).toEqual([]);
  });
});

describe("/backtest's candles on live data", () => {
  test("paper on the venue's live data: a day of the venue's 1m history, page by page, without gaps", async () => {
    const { FakeBinance } = await import("../fakes/binance.ts");
    const fake = new FakeBinance("spot").start();
    cleanups.push(() => fake.stop());
    const dir = mkdtempSync(join(tmpdir(), "mmbot-lab-live-"));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const bot = await openBot(
      config("feed.source=live", `market.rest_url=${fake.url}`, `storage.path=${join(dir, "l.sqlite")}`),
      { reset: false, secrets: { telegramAllowedUsers: [] } },
    );
    cleanups.push(async () => {
      await bot.close();
      bot.ledger.close();
    });
    const toTs = Math.floor(Date.now() / 60_000) * 60_000 - 60_000; // the last closed minute
    const fromTs = toTs - 86_400_000;
    const pagesBefore = fake.calls("GET /api/v3/klines").length;
    const { candles, where } = await bot.candleHistory(fromTs, toTs);
    expect(where).toBe("binance's 1m candles");
    expect(candles.length).toBe(1440);
    expect(candles[0].ts).toBe(fromTs);
    expect(candles.every((c, i) => i === 0 || c.ts - candles[i - 1].ts === 60_000)).toBe(true);
    expect(fake.calls("GET /api/v3/klines").length - pagesBefore).toBeGreaterThanOrEqual(2); // 1000 a page
  }, 60_000);
});

describe("mod.ts on Deno, with Telegram", () => {
  test(
    "/chart and /backtest answer with pictures from the real process (Deno's worker and resvg under -P)",
    async () => {
      const { start: startProcess } = await import("../process.ts");
      const fake = new FakeTelegram().start();
      cleanups.push(() => fake.stop());
      const dir = mkdtempSync(join(tmpdir(), "mmbot-lab-run-"));
      cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
      const bot = startProcess(
        [
          "--set",
          `storage.path=${join(dir, "l.sqlite")}`,
          "--set",
          `telegram.api_root=${fake.apiRoot}`,
          "--set",
          "feed.speed=60",
        ],
        { TELEGRAM_BOT_TOKEN: fake.token, TELEGRAM_ALLOWED_USERS: String(OWNER) },
      );
      cleanups.push(() => void bot.child.kill("SIGKILL"));
      await bot.waitFor("telegram: @mmbot_test_bot is listening");
      await bot.waitFor("| bid ");
      const chart = await ask(fake, "/chart", "sendPhoto");
      expect(pngSize(chart.files!.photo)).toEqual([1000, 680]);
      await ask(fake, "/backtest 1 fixed", "sendMessage");
      const backtest = await fake.waitFor(
        (c) => c.method === "sendPhoto" && String(c.payload.caption).startsWith("🧪 Backtest ETH/USDT · fixed"),
        60_000,
        "the backtest's picture",
      );
      expect(pngSize(backtest.files!.photo)[0]).toBe(1000);
      bot.child.kill("SIGTERM");
      expect(await bot.exited).toBe(0);
      expect(bot.err()).not.toMatch(/DeprecationWarning|NotCapable|Error/);
    },
    120_000,
  );
});
