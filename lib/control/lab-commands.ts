/**
 * Pictures and the lab on the phone: /chart [hours] (a PNG of the market with our quotes and fills,
 * equity and inventory), /backtest [days] [profile] (a backtest beside the running bot, in a worker,
 * one at a time) and the daily report. Bad arguments get a one-line usage reply and nothing else.
 */
import { type Bot as Grammy, type Context, InputFile } from "grammy";
import { decimalsOf, messageOf } from "../core/format.ts";
import { requiredCandles } from "../core/indicators.ts";
import { CANDLE_MS } from "../core/types.ts";
import { type Config, PROFILES } from "../config/schema.ts";
import { ConfigError, withValue } from "../config/validate.ts";
import { marketSvg } from "../lab/market-chart.ts";
import { BacktestJob, Busy, renderOffThread } from "./backtest-job.ts";
import { backtestText, dailyText, type WindowFigures } from "./lab-texts.ts";
import { MAX_HOURS, RecentMarket } from "../lab/recent.ts";
import type { ControlledBot } from "./bot.ts";

/** /backtest looks back at most this many days. */
export const MAX_BACKTEST_DAYS = 30;
const HOUR_MS = 3_600_000, DAY_MS = 86_400_000;

export const CHART_USAGE = `Usage: /chart [hours], hours from 1 to ${MAX_HOURS} (default 2)`;
export const BACKTEST_USAGE =
  `Usage: /backtest [days] [profile], days from 1 to ${MAX_BACKTEST_DAYS} (default 1), profile ${
    PROFILES.join(" | ")
  } (default: the running one)`;

export class LabCommands {
  readonly recent: RecentMarket;
  readonly job = new BacktestJob();
  #nextReportTs: number | null = null;

  /** `recent`: the run's one quote history, shared with the dashboard (24 h of ticks: one copy, not two) */
  constructor(
    readonly bot: ControlledBot,
    readonly send: (text: string, silent: boolean) => void,
    recent?: RecentMarket,
  ) {
    this.recent = recent ?? new RecentMarket(bot.engine);
    bot.engine.on((e) => {
      if (e.type === "tick") this.reportIfDue(e.ts);
    });
  }

  /** Registers /chart and /backtest (before the catch-all for unknown commands). */
  register(g: Grammy): void {
    g.command("chart", (ctx) => this.#chart(ctx));
    g.command("backtest", (ctx) => this.#backtest(ctx));
  }

  /** Stops a running backtest (shutdown). */
  stop(): void {
    this.job.stop();
  }

  /** The PNG of the last `hours` on the engine's clock. */
  async chartPng(hours: number): Promise<{ png: Uint8Array; caption: string }> {
    const { engine, ledger, account } = this.bot;
    const cfg = engine.config, s = engine.status();
    const toTs = s.lastTickTs ?? s.ts, fromTs = toTs - hours * HOUR_MS; // the picture ends at the last tick
    const ticks = this.recent.ticks(fromTs);
    const fills = ledger.fills(account.id, 1000).filter((f) => f.ts >= fromTs && f.ts <= toTs);
    const svg = marketSvg({
      title: `${cfg.market.symbol} ${cfg.mode} · ${cfg.strategy.profile} · last ${hours} h`,
      candles: this.recent.candles(fromTs, toTs),
      quotes: ticks,
      fills,
      equity: ticks.flatMap((t) => (t.equity === null ? [] : [{ ts: t.ts, value: t.equity }])),
      inventory: ticks.flatMap((t) => (t.inventoryRatio === null ? [] : [{ ts: t.ts, value: t.inventoryRatio }])),
      fromTs,
      toTs,
      priceDecimals: decimalsOf(cfg.market.tick_size),
    });
    const png = await renderOffThread(svg, 1000);
    const pnl = s.pnl ? ` · PnL ${s.pnl.pnl >= 0 ? "+" : ""}${s.pnl.pnl.toFixed(2)}` : "";
    return { png, caption: `${cfg.market.symbol}: last ${hours} h, ${fills.length} fill(s)${pnl}` };
  }

  async #chart(ctx: Context): Promise<unknown> {
    const arg = String(ctx.match ?? "").trim();
    const hours = arg === "" ? 2 : /^\d+$/.test(arg) ? Number(arg) : NaN;
    if (!(hours >= 1 && hours <= MAX_HOURS)) return ctx.reply(CHART_USAGE);
    try {
      const { png, caption } = await this.chartPng(hours);
      return await ctx.replyWithPhoto(new InputFile(png, "chart.png"), { caption });
    } catch (e) {
      return ctx.reply(`❌ No chart: ${messageOf(e)}`);
    }
  }

  #backtest(ctx: Context): Promise<unknown> {
    const args = String(ctx.match ?? "").trim().split(/\s+/).filter(Boolean);
    const days = args[0] === undefined ? 1 : /^\d+$/.test(args[0]) ? Number(args[0]) : NaN;
    const profile = args[1] ?? this.bot.engine.config.strategy.profile;
    if (args.length > 2 || !(days >= 1 && days <= MAX_BACKTEST_DAYS)) return ctx.reply(BACKTEST_USAGE);
    let config: Config;
    try {
      config = withValue(this.bot.engine.config, "strategy.profile", profile);
    } catch (e) {
      if (e instanceof ConfigError) return ctx.reply(`${BACKTEST_USAGE}. ${e.problems.join("; ")}`);
      throw e;
    }
    try {
      this.job.claim(`${days} day(s), ${profile}`);
    } catch (e) {
      if (e instanceof Busy) {
        return ctx.reply(`⏳ Not started: ${e.message}; one at a time, try again when it answers.`);
      }
      throw e;
    }
    // the handler returns at once: grammY handles updates one after another, and /pause must not wait
    void this.#runBacktest(ctx, config, days, profile);
    return ctx.reply(`🧪 Backtesting ${days} day(s) with ${profile}; quoting goes on meanwhile. The answer follows.`);
  }

  /** Fetches the candles, runs the worker, answers; the slot claimed by #backtest is released in every case. */
  async #runBacktest(ctx: Context, config: Config, days: number, profile: string): Promise<void> {
    let started = false;
    try {
      const s = this.bot.engine.status(), toTs = s.lastTickTs ?? s.ts;
      const warmupMs = (requiredCandles(config.strategy) + 1) * CANDLE_MS;
      const { candles, where } = await this.bot.candleHistory(toTs - days * DAY_MS - warmupMs, toTs);
      if (candles.length * CANDLE_MS <= warmupMs) {
        await ctx.reply(`❌ No backtest: only ${candles.length} candles in ${where}, too few for the indicators.`);
        return;
      }
      started = true;
      const title = `${config.market.symbol} ${profile} backtest, ${days} day(s)`;
      const r = await this.job.run({ config, candles, title, mirror: true });
      if (!r.ok) {
        await ctx.reply(`❌ The backtest failed: ${r.error}`);
        return;
      }
      const text = backtestText(r.summary, { days, profile, symbol: config.market.symbol, where, ms: r.ms });
      await ctx.replyWithPhoto(new InputFile(r.png, "backtest.png"), { caption: text.slice(0, 1024) });
    } catch (e) {
      await ctx.reply(`❌ The backtest failed: ${messageOf(e)}`).catch(() => {});
    } finally {
      if (!started) this.job.release();
    }
  }

  /**
   * After each tick (at `ts`, the engine's clock): the daily report once the clock passes the configured UTC
   * hour. The first call only sets the next due time, so a start at 00:05 does not report a day it did not see.
   */
  reportIfDue(ts: number): void {
    const cfg = this.bot.engine.config.telegram.daily_report;
    if (cfg.send === "off") return;
    const due = (after: number) => {
      const d = new Date(after);
      const at = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate(), cfg.hour_utc);
      return at > after ? at : at + DAY_MS;
    };
    if (this.#nextReportTs === null) {
      this.#nextReportTs = due(ts);
      return;
    }
    if (ts < this.#nextReportTs) return;
    const toTs = this.#nextReportTs;
    this.#nextReportTs = due(ts);
    this.send(this.dailyReport(toTs), cfg.send === "silent");
  }

  /** The daily report's text for the day [toTs − 24 h, toTs); `toTs` on a whole UTC hour. */
  dailyReport(toTs: number): string {
    const { engine, ledger, account } = this.bot;
    const s = engine.status();
    const fromTs = toTs - DAY_MS, day = new Date(fromTs).toISOString().slice(0, 10);
    const w: WindowFigures = ledger.perDay(account, new Date(toTs).getUTCHours()).find((d) => d.day === day) ??
      { fills: 0, buys: 0, sells: 0, volumeQuote: 0, feesQuote: 0, realizedQuote: 0 };
    if (!s.pnl) return `🗓 Daily report ${engine.config.market.symbol}: no figures yet, the bot is still starting.`;
    return dailyText({
      symbol: engine.config.market.symbol,
      fromTs,
      toTs,
      window: w,
      pnl: s.pnl,
      inventoryRatio: s.inventoryRatio,
      target: engine.config.strategy.target_base_ratio,
      maxDrawdownPct: this.recent.maxDrawdownPct(fromTs, toTs),
    });
  }
}
