/**
 * Telegram control and alerts through grammY: commands for the allowed users, alerts from a bounded
 * queue drained by its own sender. Nothing here is awaited by the trading loop: a Telegram outage,
 * a 429 or a second instance polling the same token never delays a tick.
 */
import { autoRetry } from "@grammyjs/auto-retry";
import { Bot as Grammy, type Context, GrammyError, InlineKeyboard } from "grammy";
import { type Alert, Alerter, BoundedQueue, clip } from "./alerts.ts";
import type { Config } from "../config/schema.ts";
import { ConfigError, getPath } from "../config/validate.ts";
import { sleep } from "../core/sleep.ts";
import type { ControlledBot } from "./bot.ts";
import { pauseAnswer, pauseAnswerText } from "../engine/pause-answer.ts";
import { LabCommands } from "./lab-commands.ts";
import type { RecentMarket } from "../lab/recent.ts";
import { balanceText, fillsText, HELP, helpText, ordersText, paramsText, pnlText, statusText } from "./reports.ts";

export interface TelegramOptions {
  token: string;
  allowedUsers: number[];
  /** the running bot: engine, ledger, account, metrics, /set */
  bot: ControlledBot;
  /** one line for the console */
  log: (line: string) => void;
  /** the run's one quote history (mod.ts shares it with the dashboard); absent: the lab keeps its own */
  recent?: RecentMarket;
}

interface Outgoing extends Alert {
  chatId: number;
}

/** Longest a sender waits between attempts while Telegram is unreachable. */
const MAX_BACKOFF_MS = 60_000;
/** How long shutdown waits for the last alerts (the "stopped" one) to go out. */
const DRAIN_MS = 5_000;
/** Waits after a 409 conflict before polling again (the other instance may have stopped). */
const CONFLICT_RETRY_MS = 60_000;

export class Telegram {
  readonly grammy: Grammy;
  readonly alerter: Alerter;
  readonly queue: BoundedQueue<Outgoing>;
  /** /chart, /backtest and the daily report */
  readonly lab: LabCommands;
  readonly #opts: TelegramOptions;
  readonly #allowed: Set<number>;
  readonly #strangers = new Set<number>();
  readonly #stopping = new AbortController();
  #sender: Promise<void> = Promise.resolve();
  #poller: Promise<void> = Promise.resolve();
  #unreachable = false;
  /** the chat whose command is causing the event being handled: it got the reply, not the alert too */
  #answered: { chatId: number; events: readonly string[] } | null = null;
  #handling: string | null = null;

  constructor(opts: TelegramOptions) {
    this.#opts = opts;
    this.#allowed = new Set(opts.allowedUsers);
    const { bot } = opts;
    const cfg = bot.engine.config.telegram;
    this.queue = new BoundedQueue<Outgoing>(cfg.queue_size, () => bot.metrics.telegramDropped++);
    this.alerter = new Alerter({
      config: () => bot.engine.config,
      push: (a) => {
        const quiet = this.#answered && this.#handling && this.#answered.events.includes(this.#handling)
          ? this.#answered.chatId
          : null;
        for (const chatId of this.#allowed) if (chatId !== quiet) this.queue.push({ ...a, chatId });
      },
    });
    this.lab = new LabCommands(bot, (text, silent) => {
      for (const chatId of this.#allowed) this.queue.push({ text: clip(text), silent, chatId });
    }, opts.recent);
    this.grammy = new Grammy(opts.token, { client: { apiRoot: cfg.api_root } });
    // 429s wait for retry_after, 5xx back off; network failures are the sender's (the queue keeps the alert)
    this.grammy.api.config.use(
      autoRetry({ maxRetryAttempts: 5, maxDelaySeconds: 60, rethrowHttpErrors: true }),
    );
    this.#commands();
    this.grammy.catch((err) => {
      opts.log(`telegram: handling ${err.ctx.update.update_id} failed: ${(err.error as Error)?.message ?? err.error}`);
    });
  }

  /** Starts polling for commands and sending alerts; returns at once. */
  start(): void {
    const { bot, log } = this.#opts;
    bot.engine.on((e) => {
      this.#handling = e.type;
      try {
        this.alerter.handle(e);
      } finally {
        this.#handling = null;
      }
    });
    if (!this.#allowed.size) {
      log(
        "telegram: TELEGRAM_ALLOWED_USERS is empty, so every message is ignored; write to the bot and its console shows your user id",
      );
    }
    this.#sender = this.#sendLoop();
    this.#poller = this.#pollLoop();
  }

  /** Stops polling, gives the last alerts a few seconds to go out, stops the sender. */
  async stop(): Promise<void> {
    this.alerter.close();
    this.lab.stop();
    const deadline = Date.now() + DRAIN_MS;
    while (this.queue.size && !this.#unreachable && Date.now() < deadline) await sleep(50);
    this.#stopping.abort();
    await this.grammy.stop().catch(() => {});
    await Promise.all([this.#sender, this.#poller]);
  }

  async #pollLoop(): Promise<void> {
    const { log } = this.#opts;
    while (!this.#stopping.signal.aborted) {
      try {
        await this.grammy.start({
          drop_pending_updates: true, // commands sent while the bot was offline are stale: never act on them
          allowed_updates: ["message", "callback_query"],
          onStart: async (me) => {
            log(`telegram: @${me.username} is listening; ${this.#allowed.size} allowed user(s)`);
            try {
              await this.grammy.api.setMyCommands(
                HELP.map((line) => {
                  const [command, description] = line.split(" — ");
                  return { command: command.split(" ")[0].slice(1), description };
                }),
              );
            } catch (e) {
              log(`telegram: could not register the command menu: ${(e as Error).message}`);
            }
          },
        });
        return; // stopped
      } catch (e) {
        if (this.#stopping.signal.aborted) return;
        if (e instanceof GrammyError && e.error_code === 401) {
          log("telegram: TELEGRAM_BOT_TOKEN was rejected (401 Unauthorized); Telegram is off, trading continues");
          return;
        }
        const conflict = e instanceof GrammyError && e.error_code === 409;
        log(
          conflict
            ? `telegram: another process is polling this bot token (409 Conflict); commands are not received here while it runs. Trading continues; retrying in ${
              CONFLICT_RETRY_MS / 1000
            } s`
            : `telegram: polling failed (${(e as Error).message}); trading continues; retrying in ${
              CONFLICT_RETRY_MS / 1000
            } s`,
        );
        await sleep(CONFLICT_RETRY_MS, this.#stopping.signal);
      }
    }
  }

  async #sendLoop(): Promise<void> {
    const { bot, log } = this.#opts;
    const stop = this.#stopping.signal;
    const stopped = aborted(stop);
    let backoff = 1000;
    while (!stop.aborted) {
      await Promise.race([this.queue.waitForItem(), stopped]);
      const item = this.queue.peek();
      if (!item || stop.aborted) continue;
      try {
        await this.grammy.api.sendMessage(item.chatId, item.text, { disable_notification: item.silent });
        if (this.queue.peek() === item) this.queue.shift();
        bot.metrics.telegramSent++;
        if (this.#unreachable) log(`telegram: reachable again; ${this.queue.size} alert(s) still queued`);
        this.#unreachable = false;
        backoff = 1000;
      } catch (e) {
        if (e instanceof GrammyError) {
          // Telegram answered and refused this message (chat not found, bot blocked, …): retrying cannot help
          if (this.queue.peek() === item) this.queue.shift();
          bot.metrics.telegramDropped++;
          log(`telegram: alert to ${item.chatId} refused: ${e.description}`);
          continue;
        }
        if (!this.#unreachable) {
          log(
            `telegram: cannot reach ${bot.engine.config.telegram.api_root} (${
              (e as Error).message
            }); alerts wait in a queue of ${this.queue.capacity}; trading continues`,
          );
        }
        this.#unreachable = true;
        await sleep(backoff, stop);
        backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
      }
    }
  }

  /** Allow-list first, then the commands. */
  #commands(): void {
    const g = this.grammy;
    const { bot, log } = this.#opts;
    const { engine, ledger, account } = bot;

    g.use((ctx, next) => {
      const id = ctx.from?.id;
      if (id !== undefined && this.#allowed.has(id)) return next();
      // strangers get no reply at all; their id is logged once so an owner can find their own
      if (id !== undefined && !this.#strangers.has(id)) {
        if (this.#strangers.size < 1000) this.#strangers.add(id);
        const who = ctx.from?.username ? ` (@${ctx.from.username})` : "";
        log(`telegram: ignoring user ${id}${who}; to allow them, add ${id} to TELEGRAM_ALLOWED_USERS`);
      }
    });

    const reply = (ctx: Context, text: string, extra: Parameters<Context["reply"]>[1] = {}) =>
      ctx.reply(clip(text), extra);
    const noArgs = (name: string, handler: (ctx: Context) => Promise<unknown>) =>
      g.command(name, (ctx) => ctx.match.trim() ? reply(ctx, `Usage: /${name} (no arguments)`) : handler(ctx));

    const today = () => {
      // the engine's clock: a replay's "today" is the replayed day
      const day = new Date(engine.status().ts).toISOString().slice(0, 10);
      return ledger.perDay(account).find((d) => d.day === day) ?? null;
    };
    const status = () =>
      statusText(
        engine.status(),
        today(),
        engine.config.strategy.target_base_ratio,
        engine.config.market.tick_size,
        bot.process?.read(),
      );
    const keyboard = () =>
      new InlineKeyboard()
        .text(engine.paused ? "▶️ Resume" : "⏸ Pause", engine.paused ? "resume" : "pause")
        .text("🔄 Refresh", "refresh");
    /** Runs `act` with the alerts of `events` kept from `chatId`: the person who asked gets one answer, the reply. */
    const answering = async <T>(chatId: number | undefined, events: readonly string[], act: () => T): Promise<T> => {
      this.#answered = chatId === undefined ? null : { chatId, events };
      try {
        return await act();
      } finally {
        this.#answered = null;
      }
    };
    const pause = async () => {
      if (engine.paused) {
        const s = engine.status();
        return s.state === "pausing" ? `Already paused; ${s.detail}` : "Already paused. /resume to quote again.";
      }
      const a = await pauseAnswer(engine, "telegram");
      if (!a.done) return pauseAnswerText(a);
      const r = a.result;
      if (!r.resting.length && r.confirmed) {
        return `⏸ Paused: cancelled ${r.cancelled} order(s); not quoting until /resume.`;
      }
      const left = r.resting.length ? `${r.resting.length} order(s) still resting` : "the venue cannot list our orders";
      return `⏸ Paused (kept across restarts), but ${left}; last error ${r.error}. Cancels are retried every tick until none rests; /status shows progress.`;
    };
    const resume = () => {
      const s = engine.status();
      if (!s.paused && !s.killSwitch) return "Already running.";
      try {
        engine.resume();
      } catch (e) {
        return `❌ Not resumed, still paused: the ledger could not record it (${(e as Error).message})`;
      }
      return "▶️ Resumed: quoting from the next tick.";
    };

    noArgs("start", (ctx) => reply(ctx, helpText()));
    noArgs("help", (ctx) => reply(ctx, helpText()));
    noArgs("status", (ctx) => reply(ctx, status(), { reply_markup: keyboard() }));
    noArgs("pause", async (ctx) => reply(ctx, await answering(ctx.from?.id, ["paused"], pause)));
    noArgs("resume", async (ctx) => reply(ctx, await answering(ctx.from?.id, ["resumed"], resume)));
    noArgs("balance", (ctx) => reply(ctx, balanceText(engine.status(), engine.portfolio)));
    noArgs("orders", (ctx) => reply(ctx, ordersText(engine.status().openOrders, engine.config.market)));
    noArgs("pnl", (ctx) => reply(ctx, pnlText(engine.status(), ledger.perDay(account))));
    noArgs(
      "params",
      (ctx) => reply(ctx, paramsText(engine.config, ledger.overrides(), engine.status().indicators.natr)),
    );
    g.command("fills", (ctx) => {
      const arg = ctx.match.trim();
      const n = arg === "" ? 10 : /^\d+$/.test(arg) ? Number(arg) : NaN;
      if (!(n >= 1 && n <= 50)) return reply(ctx, "Usage: /fills [n], n from 1 to 50 (default 10)");
      return reply(ctx, fillsText(ledger.fills(account.id, n), engine.config.market));
    });
    /** /set and /unset: apply, log and confirm, or refuse with the schema's reason (nothing changed). */
    const change = (ctx: Context, command: string, path: string, apply: () => Config, after: string) => {
      try {
        const before = getPath(engine.config, path);
        const now = getPath(apply(), path);
        log(`telegram: ${command} ${path}: ${before} → ${now} by ${ctx.from?.id}`);
        return reply(ctx, `✅ ${path}: ${before} → ${now} (${after})`);
      } catch (e) {
        if (!(e instanceof ConfigError)) throw e;
        return reply(ctx, `❌ Refused, nothing changed: ${e.problems.join("; ")}`);
      }
    };
    g.command("set", (ctx) => {
      const [path, ...rest] = ctx.match.trim().split(/\s+/);
      const text = rest.join(" ");
      if (!path || !text) {
        return reply(ctx, "Usage: /set <key> <value>, e.g. /set strategy.order_amount 0.02 (/params lists the keys)");
      }
      return change(ctx, "/set", path, () => bot.setParam(path, text), "from the next tick; kept across restarts");
    });
    g.command("unset", (ctx) => {
      const path = ctx.match.trim();
      if (!path || /\s/.test(path)) return reply(ctx, "Usage: /unset <key>: back to the config file's value");
      return change(ctx, "/unset", path, () => bot.unsetParam(path), "the config file's value again");
    });

    this.lab.register(g);

    g.callbackQuery(["pause", "resume", "refresh"], async (ctx) => {
      const action = ctx.callbackQuery.data;
      const chatId = ctx.from?.id; // alerts go to users' private chats: chat id = user id
      const note = action === "pause"
        ? await answering(chatId, ["paused"], pause)
        : action === "resume"
        ? await answering(chatId, ["resumed"], resume)
        : "Refreshed";
      await ctx.answerCallbackQuery({ text: note.slice(0, 200) });
      await ctx.editMessageText(clip(status()), { reply_markup: keyboard() }).catch((e) => {
        // "message is not modified" when nothing changed since the last refresh
        if (!(e instanceof GrammyError && e.error_code === 400)) throw e;
      });
    });

    g.on("message:text", (ctx) =>
      reply(
        ctx,
        ctx.message.text.startsWith("/") ? `Unknown command. ${helpText()}` : helpText(),
      ));
  }
}

const aborted = (signal: AbortSignal) =>
  new Promise<void>((resolve) => signal.addEventListener("abort", () => resolve(), { once: true }));
