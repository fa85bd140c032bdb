import { afterEach, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openBot, type RunningBot } from "../../lib/app/open.ts";
import { runLoop } from "../../lib/engine/loop.ts";
import { midOf } from "../../lib/core/steps.ts";
import { Telegram } from "../../lib/control/telegram.ts";
import { type Call, FakeTelegram } from "../fakes/telegram.ts";
import { config, until } from "../fixtures.ts";
import { start as startProcess, stopStarted } from "../process.ts";

// a spawned bot is stopped whatever the test's outcome
afterEach(() => stopStarted());

const OWNER = 4242;
const STRANGER = 666;
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** A paper bot on the bundled data with Telegram pointed at a fake Bot API server. */
async function setup(opts: { sets?: string[]; before?: (fake: FakeTelegram) => void; allowed?: number[] } = {}) {
  const fake = new FakeTelegram().start();
  cleanups.push(() => fake.stop());
  const dir = mkdtempSync(join(tmpdir(), "mmbot-tg-"));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const bot: RunningBot = await openBot(
    config(
      `storage.path=${join(dir, "ledger.sqlite")}`,
      `telegram.api_root=${fake.apiRoot}`,
      "strategy.profile=fixed",
      "strategy.fixed_bid_spread_bps=3",
      "strategy.fixed_ask_spread_bps=3",
      ...(opts.sets ?? []),
    ),
    { reset: false, secrets: { telegramAllowedUsers: [] } },
  );
  cleanups.push(async () => {
    await bot.close();
    bot.ledger.close();
  });
  opts.before?.(fake);
  const logs: string[] = [];
  const telegram = new Telegram({
    token: fake.token,
    allowedUsers: opts.allowed ?? [OWNER],
    bot,
    log: (l) => logs.push(l),
  });
  telegram.start();
  cleanups.push(async () => {
    await bot.engine.stop();
    await telegram.stop();
  });
  await fake.waitFor((c) => c.method === "setMyCommands", 10_000, "setMyCommands");
  await bot.engine.start();
  return { fake, bot, telegram, logs };
}

/** Alerts always say whether to notify; replies to commands never do. */
const isReply = (c: Call) => c.method === "sendMessage" && c.payload.disable_notification === undefined;

/** Sends a command as the owner and returns the bot's reply. */
async function ask(fake: FakeTelegram, text: string, from = OWNER) {
  const before = fake.calls.length;
  fake.sendText(from, text);
  return await fake.waitFor(
    (c) => isReply(c) && c.payload.chat_id === from && fake.calls.indexOf(c) >= before,
    10_000,
    `reply to ${text}`,
  );
}

describe("Telegram commands (grammY against a fake Bot API server)", () => {
  test("registers its command menu and drops updates queued while it was offline", async () => {
    const { fake, bot } = await setup({ before: (f) => f.sendText(OWNER, "/pause") });
    const menu = fake.sent("setMyCommands")[0].payload.commands as { command: string }[];
    expect(menu.map((c) => c.command)).toEqual(
      [
        "status",
        "pause",
        "resume",
        "balance",
        "orders",
        "fills",
        "pnl",
        "chart",
        "backtest",
        "params",
        "set",
        "unset",
        "help",
      ],
    );
    expect(fake.sent("deleteWebhook")[0].payload.drop_pending_updates).toBe(true);
    await ask(fake, "/help");
    expect(bot.engine.paused).toBe(false); // the stale /pause was never obeyed
  });

  test("/status reports state, mid, both quotes with spreads, NATR, trend, inventory, orders and PnL", async () => {
    const { fake, bot } = await setup();
    await bot.engine.tick();
    const orders = await bot.exchange.openOrders("mmbot-");
    expect(orders.length).toBe(2);
    const reply = await ask(fake, "/status");
    const text = String(reply.payload.text);
    const mid = midOf(bot.engine.topOfBook!);
    const bid = orders.find((o) => o.side === "buy")!.price, offer = orders.find((o) => o.side === "sell")!.price;
    expect(text).toContain("State: running");
    expect(text).toContain(`Mid: ${Number(mid.toFixed(8))}`);
    // our quotes on the 0.01 tick grid, as the alerts and /orders print them (3003.50, not 3003.5)
    expect(text).toContain(`Bid: ${bid.toFixed(2)} (${((mid - bid) / mid * 10_000).toFixed(1)} bp)`);
    expect(text).toContain(`Ask: ${offer.toFixed(2)} (${((offer - mid) / mid * 10_000).toFixed(1)} bp)`);
    expect(text).toMatch(/NATR: \d+\.\d{3} %/);
    expect(text).toMatch(/Trend signal: [+-]\d\.\d{3}/);
    // 1 ETH and 3000 USDT at mid ≈ 3000: about half the equity in base
    expect(text).toMatch(/Inventory ratio: 0\.[45]\d\d \(target 0\.5\)/);
    expect(text).toContain("Open orders: 2");
    // the process line carries this process's own resident memory (read independently from /proc, Linux) and uptime
    const rssMb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync("/proc/self/status", "utf8"))![1]) / 1024;
    const shown = /\nProcess: (\d+) MB resident \(heap \d+ MB\), up \d/.exec(text);
    expect(shown, text).not.toBeNull();
    expect(Math.abs(Number(shown![1]) - rssMb)).toBeLessThan(32);
    // no fills yet: PnL is the starting 1 ETH revalued, mid − initial mid
    const pnl = mid - bot.account.initial_mid;
    expect(text).toContain(`PnL total: ${pnl >= 0 ? "+" : ""}${pnl.toFixed(2)} USDT (0 fills)`);
    const keyboard = (reply.payload.reply_markup as { inline_keyboard: { text: string; callback_data: string }[][] })
      .inline_keyboard[0];
    expect(keyboard.map((b) => b.callback_data)).toEqual(["pause", "refresh"]);

    // the Pause button: orders cancelled, the message edited to the new state, the button now says Resume
    fake.pressButton(OWNER, "pause", Number(reply.payload.message_id ?? 1));
    const edit = await fake.waitFor((c) => c.method === "editMessageText", 10_000, "editMessageText");
    expect(String(edit.payload.text)).toContain("State: paused");
    expect(JSON.stringify(edit.payload.reply_markup)).toContain('"callback_data":"resume"');
    expect(fake.sent("answerCallbackQuery")[0].payload.text).toBe(
      "⏸ Paused: cancelled 2 order(s); not quoting until /resume.",
    );
    expect(await bot.exchange.openOrders("mmbot-")).toEqual([]);
  });

  test("/pause cancels our orders, pauses the engine and the ledger; /resume quotes again", async () => {
    const { fake, bot } = await setup();
    await bot.engine.tick();
    expect((await bot.exchange.openOrders("mmbot-")).length).toBe(2);
    expect(String((await ask(fake, "/pause")).payload.text)).toBe(
      "⏸ Paused: cancelled 2 order(s); not quoting until /resume.",
    );
    expect(await bot.exchange.openOrders("mmbot-")).toEqual([]);
    expect(bot.engine.paused).toBe(true);
    expect(bot.ledger.paused).toBe(true); // survives a restart
    await bot.engine.tick();
    expect(await bot.exchange.openOrders("mmbot-")).toEqual([]);
    expect(String((await ask(fake, "/pause")).payload.text)).toContain("Already paused");

    expect(String((await ask(fake, "/resume")).payload.text)).toContain("Resumed");
    await bot.engine.tick();
    expect((await bot.exchange.openOrders("mmbot-")).length).toBe(2);
    expect(bot.ledger.paused).toBe(false);
  });

  test("/pause and /resume answer the one who asked once (the reply); other allowed users get the alert", async () => {
    const PARTNER = 5151;
    const { fake, bot } = await setup({ allowed: [OWNER, PARTNER], sets: ["telegram.alerts.lifecycle=on"] });
    await bot.engine.tick();
    await ask(fake, "/pause");
    await ask(fake, "/resume");
    fake.pressButton(OWNER, "pause", 1);
    await fake.waitFor((c) => c.method === "answerCallbackQuery", 10_000, "the button's answer");
    // an alert queued after those: once it is out, any alert about the pause would be out too (sent in order)
    await bot.engine.stop();
    await fake.waitForMessage("mmbot stopped", PARTNER);
    await fake.waitForMessage("mmbot stopped", OWNER);
    const texts = (id: number) => fake.sent("sendMessage", id).map((c) => String(c.payload.text));
    expect(texts(OWNER).filter((t) => /Paused|Resumed/.test(t))).toEqual([
      "⏸ Paused: cancelled 2 order(s); not quoting until /resume.",
      "▶️ Resumed: quoting from the next tick.",
    ]);
    expect(texts(PARTNER).filter((t) => /Paused|Resumed/.test(t))).toEqual([
      "⏸ Paused; cancelled 2 order(s)",
      "▶️ Resumed quoting",
      "⏸ Paused; cancelled 0 order(s)",
    ]);
  });

  test("a stranger gets no reply and changes nothing; their id is logged once", async () => {
    const { fake, bot, logs } = await setup();
    await bot.engine.tick();
    fake.sendText(STRANGER, "/pause", "mallory");
    fake.sendText(STRANGER, "/status", "mallory");
    fake.pressButton(STRANGER, "pause", 1);
    await ask(fake, "/help"); // handled after the stranger's updates
    expect(fake.sent("sendMessage", STRANGER)).toEqual([]);
    expect(fake.sent("answerCallbackQuery")).toEqual([]);
    expect(bot.engine.paused).toBe(false);
    expect((await bot.exchange.openOrders("mmbot-")).length).toBe(2);
    const mentions = logs.filter((l) => l.includes(String(STRANGER)));
    expect(mentions).toEqual([
      `telegram: ignoring user ${STRANGER} (@mallory); to allow them, add ${STRANGER} to TELEGRAM_ALLOWED_USERS`,
    ]);
  });

  test("/set validates with the config schema, persists in the ledger and applies from the next tick", async () => {
    const { fake, bot } = await setup();
    const refused = String((await ask(fake, "/set strategy.order_amount -1")).payload.text);
    expect(refused).toBe(
      "❌ Refused, nothing changed: strategy.order_amount: -1 is not allowed; must be a number > 0 and ≤ 1e9",
    );
    expect(String((await ask(fake, "/set market.symbol BTC/USDT")).payload.text)).toContain(
      "market.symbol: cannot be changed while running",
    );
    expect(String((await ask(fake, "/set strategy.nope 1")).payload.text)).toContain("strategy.nope: unknown key");
    expect(String((await ask(fake, "/set strategy.order_amount")).payload.text)).toStartWith("Usage: /set");
    expect(bot.ledger.overrides()).toEqual({});
    expect(bot.engine.config.strategy.order_amount).toBe(0.01);

    expect(String((await ask(fake, "/set strategy.order_amount 0.02")).payload.text)).toStartWith(
      "✅ strategy.order_amount: 0.01 → 0.02",
    );
    expect(bot.ledger.overrides()).toEqual({ "strategy.order_amount": "0.02" });
    await bot.engine.tick();
    expect((await bot.exchange.openOrders("mmbot-")).map((o) => o.amount)).toEqual([0.02, 0.02]);
    expect(String((await ask(fake, "/params")).payload.text)).toContain("* strategy.order_amount = 0.02");
    expect(String((await ask(fake, "/unset strategy.order_amount")).payload.text)).toStartWith(
      "✅ strategy.order_amount: 0.02 → 0.01",
    );
    expect(bot.ledger.overrides()).toEqual({});
  });

  test("arguments that make no sense get a usage reply", async () => {
    const { fake, bot } = await setup();
    expect(String((await ask(fake, "/fills abc")).payload.text)).toBe("Usage: /fills [n], n from 1 to 50 (default 10)");
    expect(String((await ask(fake, "/fills 500")).payload.text)).toStartWith("Usage: /fills");
    expect(String((await ask(fake, "/pause now")).payload.text)).toBe("Usage: /pause (no arguments)");
    expect(bot.engine.paused).toBe(false);
    expect(String((await ask(fake, "/frobnicate")).payload.text)).toStartWith("Unknown command.");
    expect(String((await ask(fake, "/fills")).payload.text)).toBe("No fills yet.");
  });
});

describe("Telegram alerts", () => {
  test("paper fills produce alerts naming side, amount, price, fee and inventory; /fills and /pnl agree with the ledger", async () => {
    const { fake, bot } = await setup({ sets: ["feed.speed=3000", "telegram.coalesce_fills_s=0.2"] });
    const controller = new AbortController();
    const loop = runLoop(bot.engine, bot.clock, { refreshMs: 15_000, signal: controller.signal, endTs: bot.endTs });
    const alert = await fake.waitFor(
      (c) => c.method === "sendMessage" && /(BUY|SELL) /.test(String(c.payload.text)),
      20_000,
      "fill alert",
    );
    controller.abort();
    await loop;
    const first = bot.ledger.fills(bot.account.id)[0];
    const text = String(alert.payload.text);
    expect(alert.payload.chat_id).toBe(OWNER);
    expect(alert.payload.disable_notification).toBe(false);
    expect(text).toContain(
      // the price on the 0.01 tick grid (3003.50, not 3003.5)
      `${first.side === "buy" ? "🟢 BUY" : "🔴 SELL"} ${first.amount} ETH @ ${first.price.toFixed(2)} · fee ${
        first.feeQuote.toFixed(4)
      } USDT · inventory 0.`,
    );
    const fills = String((await ask(fake, "/fills 1")).payload.text);
    const last = bot.ledger.fills(bot.account.id).at(-1)!;
    expect(fills).toContain(`${last.amount} ETH @ ${last.price.toFixed(2)}`); // on the tick, as the alert
    const pnl = String((await ask(fake, "/pnl")).payload.text);
    expect(pnl).toContain(`Fills ${bot.ledger.fills(bot.account.id).length} `);
  });

  test("a 429 with retry_after is retried after the wait and delivered once", async () => {
    const { fake, bot, telegram } = await setup();
    await fake.waitForMessage("mmbot started");
    fake.failNext("sendMessage", {
      status: 429,
      body: {
        ok: false,
        error_code: 429,
        description: "Too Many Requests: retry after 1",
        parameters: { retry_after: 1 },
      },
    });
    await bot.engine.pause(); // a lifecycle alert (silent by default)
    const attempts = () => fake.sent("sendMessage").filter((c) => String(c.payload.text).startsWith("⏸ Paused"));
    await until(() => attempts().length === 2, "the paused alert, refused once and sent again");
    const [refused, delivered] = attempts();
    expect(delivered.at - refused.at).toBeGreaterThanOrEqual(950);
    expect(delivered.payload.disable_notification).toBe(true);
    // the sender sends in order: once the alert queued after it is out, a repeat of the paused alert would be too
    bot.engine.resume();
    await fake.waitForMessage("▶️ Resumed", OWNER);
    await until(() => telegram.queue.size === 0, "the queue drained");
    expect(attempts().length).toBe(2); // answered 200 the second time: not sent again
    // delivered: started, paused (once, though asked twice), resumed
    const kind = (c: Call) =>
      ["▶️ mmbot started", "⏸ Paused", "▶️ Resumed"].find((k) => String(c.payload.text).startsWith(k));
    expect(fake.sent("sendMessage", OWNER).map(kind)).toEqual([
      "▶️ mmbot started",
      "⏸ Paused",
      "⏸ Paused",
      "▶️ Resumed",
    ]);
    expect(bot.metrics.telegramSent).toBe(3);
  });

  test("Telegram down: ticks go on and orders are placed; alerts wait and arrive once it is back", async () => {
    const { fake, bot, telegram, logs } = await setup();
    await fake.waitForMessage("mmbot started");
    const port = fake.port;
    await fake.stop();
    await bot.engine.pause();
    bot.engine.resume();
    for (let i = 0; i < 3; i++) await bot.engine.tick();
    expect(bot.engine.status().ticks).toBe(3);
    expect((await bot.exchange.openOrders("mmbot-")).length).toBe(2);
    expect(telegram.queue.size).toBeGreaterThanOrEqual(1);
    await until(() => logs.some((l) => l.includes("cannot reach")), "a log line saying Telegram cannot be reached");
    expect(logs.some((l) => l.includes("cannot reach") && l.includes("trading continues"))).toBe(true);

    fake.start(port);
    await fake.waitForMessage("⏸ Paused", OWNER, 15_000);
    await fake.waitForMessage("▶️ Resumed", OWNER, 15_000);
    await until(() => telegram.queue.size === 0, "the queue drained"); // shifted once Telegram's answer is in
  });

  test("a 409 conflict (another instance polling the token) is reported and trading continues", async () => {
    const { fake, bot, logs } = await setup({
      before: (f) =>
        f.failNext("getUpdates", {
          status: 409,
          body: {
            ok: false,
            error_code: 409,
            description:
              "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running",
          },
        }),
    });
    await until(() => logs.some((l) => l.includes("409 Conflict")), "a log line about the 409");
    expect(logs.find((l) => l.includes("409"))).toContain(
      "another process is polling this bot token (409 Conflict); commands are not received here while it runs. Trading continues",
    );
    await bot.engine.tick();
    expect((await bot.exchange.openOrders("mmbot-")).length).toBe(2);
    await fake.waitForMessage("mmbot started"); // alerts still go out
  });
});

describe("mod.ts with Telegram", () => {
  test("a running bot obeys /pause from the phone and says goodbye on SIGTERM", async () => {
    const fake = new FakeTelegram().start();
    cleanups.push(() => fake.stop());
    const dir = mkdtempSync(join(tmpdir(), "mmbot-tg-run-"));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const bot = startProcess(
      ["--set", `storage.path=${join(dir, "l.sqlite")}`, "--set", `telegram.api_root=${fake.apiRoot}`],
      { TELEGRAM_BOT_TOKEN: fake.token, TELEGRAM_ALLOWED_USERS: String(OWNER) },
    );
    cleanups.push(() => void bot.child.kill("SIGKILL"));
    await bot.waitFor("telegram: @mmbot_test_bot is listening; 1 allowed user(s)");
    await bot.waitFor("| bid ");
    expect(String((await ask(fake, "/pause")).payload.text)).toMatch(/^⏸ Paused: cancelled 2 order\(s\)/);
    await bot.waitFor(" paused; cancelled 2 order(s)");
    bot.child.kill("SIGTERM");
    expect(await bot.exited).toBe(0);
    expect(fake.sent("sendMessage", OWNER).some((c) => String(c.payload.text).startsWith("⏹ mmbot stopped"))).toBe(
      true,
    );
    expect(bot.out()).not.toContain(fake.token);
    // one answer per command: the reply, not the lifecycle alert as well (sent in order, before "stopped")
    expect(fake.sent("sendMessage", OWNER).filter((c) => String(c.payload.text).includes("Paused")).length).toBe(1);
    // grammY's Node build requires punycode (via node-fetch): muted, as the user did not cause it
    expect(bot.err()).not.toContain("DeprecationWarning");
  });

  test("without TELEGRAM_BOT_TOKEN the bot runs and says so once", async () => {
    const dir = mkdtempSync(join(tmpdir(), "mmbot-tg-off-"));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const bot = startProcess(["--set", `storage.path=${join(dir, "l.sqlite")}`]);
    await bot.waitFor("| bid ");
    bot.child.kill("SIGTERM");
    expect(await bot.exited).toBe(0);
    expect(bot.out().match(/telegram off/g)).toEqual(["telegram off"]);
  });
});
